#include "train/RunRecipe.h"

#include <nlohmann/json.hpp>

namespace cotlab::train {

using nlohmann::json;

std::string RunRecipe::toJson() const
{
    return json{{"task", task},
                {"split", split},
                {"template", templateName},
                {"template_definition",
                 templateDefinition.empty() ? json(nullptr) : json::parse(templateDefinition, nullptr, false)},
                {"chat_template", chatTemplate},
                {"correct_only", correctOnly},
                {"sources", sources},
                {"samples_per_instance", samplesPerInstance},
                {"questions", questions},
                {"corpus", corpus},
                {"instances", instances},
                {"instances_used", instancesUsed},
                {"examples", examples},
                {"target_tokens", targetTokens},
                {"skipped_too_long", skippedTooLong},
                {"dev_split", devSplit},
                {"dev_examples", devExamples},
                {"truncated", truncated},
                {"packing", packing},
                {"device", device},
                {"precision", precision},
                {"method", method},
                {"planned_memory_mb", plannedMemoryMb},
                {"world_size", worldSize},
                {"backend", backend}}
        .dump();
}

RunRecipe RunRecipe::fromJson(const std::string& text)
{
    RunRecipe r;
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object())
        return r;
    r.task = j.value("task", r.task);
    r.split = j.value("split", r.split);
    r.templateName = j.value("template", r.templateName);
    if (j.contains("template_definition") && j["template_definition"].is_object())
        r.templateDefinition = j["template_definition"].dump();
    r.chatTemplate = j.value("chat_template", r.chatTemplate);
    r.correctOnly = j.value("correct_only", r.correctOnly);
    r.sources = j.value("sources", r.sources);
    r.samplesPerInstance = j.value("samples_per_instance", r.samplesPerInstance);
    r.questions = j.value("questions", r.questions);
    r.corpus = j.value("corpus", r.corpus);
    r.instances = j.value("instances", r.instances);
    r.instancesUsed = j.value("instances_used", r.instancesUsed);
    r.examples = j.value("examples", r.examples);
    r.targetTokens = j.value("target_tokens", r.targetTokens);
    r.skippedTooLong = j.value("skipped_too_long", r.skippedTooLong);
    r.devSplit = j.value("dev_split", r.devSplit);
    r.devExamples = j.value("dev_examples", r.devExamples);
    r.truncated = j.value("truncated", r.truncated);
    r.packing = j.value("packing", r.packing);
    r.device = j.value("device", r.device);
    r.precision = j.value("precision", r.precision);
    r.method = j.value("method", std::string("full")); // runs recorded before LoRA were full fine-tuning
    r.plannedMemoryMb = j.value("planned_memory_mb", r.plannedMemoryMb);
    r.worldSize = j.value("world_size", r.worldSize);
    r.backend = j.value("backend", r.backend);
    return r;
}

} // namespace cotlab::train
