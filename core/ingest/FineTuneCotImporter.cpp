#include "ingest/FineTuneCotImporter.h"

#include "ingest/BenchmarkImporter.h"
#include "ingest/JsonLine.h"
#include "util/Text.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

// The document's "metadata" object, read without keeping "data" (its elements are dropped as they are parsed).
json readMetadata(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::invalid_argument("cannot open the file");
    std::string topKey;
    json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth == 1 && event == json::parse_event_t::key)
            topKey = parsed.get<std::string>();
        return !(depth >= 2 && topKey == "data");
    };
    json doc;
    try {
        doc = json::parse(in, cb);
    } catch (const json::exception& e) {
        throw std::invalid_argument("invalid JSON: " + jsonParseErrorText(e));
    }
    if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_object())
        throw std::invalid_argument("a Fine-tune-CoT completion file is an object {\"metadata\": {...}, \"data\": "
                                    "{sample_index: [completions]}}");
    const json metadata = doc.value("metadata", json::object());
    if (!metadata.is_object())
        throwFieldError("metadata", "must be an object, not " + jsonTypeName(metadata));
    return metadata;
}

std::optional<std::string> metadataText(const json& metadata, const char* key)
{
    auto v = textField(metadata, key, std::string("metadata.") + key);
    if (v && text::trim(*v).empty())
        v.reset();
    return v;
}

struct FileFacts {
    std::string task;
    std::optional<answers::AnswerKind> kind;
    std::optional<std::string> teacher;
    std::optional<double> temperature;
    json meta; // what every rationale of the file keeps
};

std::vector<InterchangeRecord> recordsOf(const json& c, const std::string& key, const FileFacts& facts,
                                         const FineTuneCotImporter::Options& options)
{
    if (!c.is_object())
        throw std::invalid_argument("expected a completion object {sample_index, question, answer, completion, "
                                    "...}, not " +
                                    jsonTypeName(c));
    int64_t index = 0;
    if (const auto it = c.find("sample_index"); it != c.end()) {
        if (!it->is_number_integer())
            throwFieldError("sample_index", "must be an integer, not " + jsonTypeName(*it));
        index = it->get<int64_t>();
        if (std::to_string(index) != key)
            throwFieldError("sample_index", "is " + std::to_string(index) + " in the list of sample " + key);
    } else {
        char* end = nullptr;
        index = std::strtoll(key.c_str(), &end, 10);
        if (key.empty() || *end != '\0')
            throw std::invalid_argument("data key '" + key + "' is not a sample index");
    }
    const auto question = textField(c, "question", "question");
    const auto gold = textField(c, "answer", "answer");
    if (!question || text::trim(*question).empty())
        throwFieldError("question", "is missing or empty");
    if (!gold)
        throwFieldError("answer", "is missing");
    InterchangeRecord r = BenchmarkImporter::instanceOf(*question, *gold, facts.task, facts.kind, index);
    if (const auto split = options.splits.find(index); split != options.splits.end())
        r.split = split->second;
    else
        r.splitGiven = false;

    const auto reasoning = textField(c, "reasoning_completion", "reasoning_completion");
    const auto completion = textField(c, "completion", "completion");
    if (reasoning) { // zero-shot-CoT, step 1 the reasoning, step 2 the answer after "Therefore, the answer is"
        r.rationale = *reasoning;
        r.prompt = textField(c, "reasoning_prompt", "reasoning_prompt");
        if (completion)
            r.answerSentence = "Therefore, the answer is" + *completion;
    } else if (completion) {
        r.rationale = *completion;
        r.prompt = textField(c, "prompt", "prompt");
    } else {
        return {r}; // a question not completed yet: its instance only
    }
    if (const auto it = c.find("completion_index"); it != c.end()) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0)
            throwFieldError("completion_index", "must be a non-negative integer");
        r.sample = it->get<int64_t>();
    }
    r.teacher = facts.teacher;
    r.temperature = facts.temperature;
    json meta = facts.meta;
    for (const char* field : {"finish_reason", "reasoning_finish_reason"})
        if (const auto reason = textField(c, field, field); reason && *reason != "stop")
            meta[field] = *reason; // "length": cut off by max_tokens
    r.metaJson = meta.empty() ? "" : meta.dump();
    r.source = "Fine-tune-CoT completions " + options.fileName;
    return {r};
}

} // namespace

bool FineTuneCotImporter::isCompletionDataset(const JsonDocumentSniff& sniff)
{
    return sniff.keys.size() == 2 && sniff.keys[0] == "data" && sniff.firstElement.is_object() &&
           (sniff.firstElement.contains("completion_index") || sniff.firstElement.contains("sample_index"));
}

void FineTuneCotImporter::read(const std::string& path, const Options& options, const DocumentSink& sink)
{
    const json metadata = readMetadata(path);
    FileFacts facts;
    std::string stem = std::filesystem::path(path).stem().string(); // saved as .../D_<dataset_key>.json
    if (const size_t d = stem.rfind("D_"); d != std::string::npos)
        stem = stem.substr(d + 2);
    facts.task = options.task.value_or(metadataText(metadata, "dataset_key").value_or(stem));
    facts.kind = BenchmarkImporter::knownAnswerKind(facts.task);
    facts.teacher = metadataText(metadata, "base_model");
    if (!facts.teacher)
        facts.teacher = options.teacher;
    for (const char* key : {"reasoning_temperature", "temperature"})
        if (const auto it = metadata.find(key); it != metadata.end() && it->is_number()) {
            facts.temperature = it->get<double>();
            break;
        }
    facts.meta = json::object();
    for (const char* key : {"completion_key", "prediction_template", "finetune_key", "train_key", "epoch"})
        if (const auto it = metadata.find(key); it != metadata.end() && !it->is_null())
            facts.meta[key] = *it;

    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::invalid_argument("cannot open the file");
    const json rest = streamDocumentRecords(
        in, 3, sink,
        [&](const std::vector<std::string>& keys, json& completion) -> std::optional<std::vector<InterchangeRecord>> {
            if (keys[0] != "data")
                return std::nullopt; // an array elsewhere in the metadata
            return recordsOf(completion, keys[1], facts, options);
        });
    for (const auto& [key, completions] : rest["data"].items())
        if (!completions.is_array())
            throw std::invalid_argument("'data." + key + "' must be a list of completions, not " +
                                        jsonTypeName(completions));
}

} // namespace cotlab::ingest
