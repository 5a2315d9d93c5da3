#include "ingest/FaithfulCotImporter.h"

#include "ingest/JsonLine.h"
#include "util/Text.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

bool FaithfulCotImporter::isPredictionsLine(const json& object)
{
    return object.is_object() && object.contains("id") && object.contains("answer") &&
           (object.contains("completions") || object.contains("completion")) && !object.contains("question") &&
           !object.contains("task") && !object.contains("custom_id");
}

FaithfulCotLineOptions FaithfulCotImporter::optionsFromPath(const std::string& path)
{
    namespace fs = std::filesystem;
    FaithfulCotLineOptions out;
    const fs::path run = fs::path(path).parent_path(); // <model>_<method>
    const std::string runName = run.filename().string();
    out.task = run.parent_path().parent_path().filename().string();
    out.source =
        "Faithful-CoT " + (out.task.empty() ? "" : out.task + "/") + runName + "/" + fs::path(path).filename().string();
    const size_t underscore = runName.find('_');
    if (underscore == std::string::npos)
        return out;
    static const std::map<std::string, std::string> kModels = {
        {"code001", "code-davinci-001"},   {"code002", "code-davinci-002"}, {"text001", "text-davinci-001"},
        {"text002", "text-davinci-002"},   {"text003", "text-davinci-003"}, {"gpt4", "gpt-4"},
        {"gpt-3.5-turbo", "gpt-3.5-turbo"}};
    const std::string model = runName.substr(0, underscore);
    const auto known = kModels.find(model);
    out.teacher = known == kModels.end() ? model : known->second;
    out.prompt = runName.substr(underscore + 1); // "COT", "LtM_n:40", "NL+SL"
    return out;
}

void FaithfulCotImporter::parseLine(std::string_view line, const FaithfulCotLineOptions& options,
                                    std::vector<InterchangeRecord>& out)
{
    const json object = jsonObjectOfLine(line);
    const auto id = textField(object, "id", "id");
    if (!id || text::trim(*id).empty())
        throwFieldError("id", "is missing or empty");
    if (options.task.empty())
        throw std::invalid_argument("the file names no task: give it (cotlab-cli import --task, the Import "
                                    "dialog's Task name), the task whose instance ids the lines' ids are");
    std::vector<std::string> samples;
    if (const auto list = object.find("completions"); list != object.end() && !list->is_null()) {
        if (!list->is_array())
            throwFieldError("completions", "must be a list of strings, not " + jsonTypeName(*list));
        for (size_t k = 0; k < list->size(); ++k) {
            if (!(*list)[k].is_string())
                throwFieldError("completions[" + std::to_string(k) + "]",
                                "must be a string, not " + jsonTypeName((*list)[k]));
            samples.push_back((*list)[k].get<std::string>());
        }
    }
    if (samples.empty()) {
        const auto one = textField(object, "completion", "completion");
        if (!one)
            throwFieldError("completion", "is missing (and there are no completions)");
        samples.push_back(*one);
    }
    json meta = json::object();
    if (const auto answer = object.find("answer"); answer != object.end() && !answer->is_null())
        meta["faithful_cot_answer"] = *answer; // what Faithful-CoT's solver made of the samples
    for (size_t k = 0; k < samples.size(); ++k) {
        InterchangeRecord r;
        r.task = options.task;
        r.id = *id;
        r.joinStored = true;
        r.rationale = samples[k];
        r.sample = static_cast<int64_t>(k);
        if (!options.teacher.empty())
            r.teacher = options.teacher;
        if (!options.prompt.empty())
            r.prompt = "Faithful-CoT " + options.prompt;
        if (!options.source.empty())
            r.source = options.source;
        r.metaJson = meta.empty() ? "" : meta.dump();
        out.push_back(std::move(r));
    }
}

} // namespace cotlab::ingest
