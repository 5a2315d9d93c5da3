#include "ingest/OpenAiBatchImporter.h"

#include "ingest/InterchangeImporter.h"
#include "ingest/JsonLine.h"
#include "ingest/OpenAiResponse.h"
#include "text/ReasoningParts.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

// "code: message" of an API error object, as far as it has them.
std::string errorText(const json& error)
{
    if (!error.is_object())
        return error.dump();
    std::string out;
    if (error.contains("code") && error["code"].is_string())
        out = error["code"].get<std::string>();
    if (error.contains("message") && error["message"].is_string())
        out += (out.empty() ? "" : ": ") + error["message"].get<std::string>();
    return out.empty() ? error.dump() : out;
}

} // namespace

bool OpenAiBatchImporter::isBatchOutput(const json& object)
{
    return object.is_object() && object.contains("custom_id") &&
           (object.contains("response") || object.contains("error"));
}

void OpenAiBatchImporter::parseLine(std::string_view line, const BatchLineOptions& options,
                                    std::vector<InterchangeRecord>& out)
{
    const json object = jsonObjectOfLine(line);
    const auto customId = object.find("custom_id");
    if (customId == object.end() || !customId->is_string() || customId->get<std::string>().empty())
        throwFieldError("custom_id", "is missing or not a non-empty string");
    const std::string custom = customId->get<std::string>();
    if (const auto error = object.find("error"); error != object.end() && !error->is_null())
        throw FailedRequest("request '" + custom + "' failed: " + errorText(*error));
    const auto response = object.find("response");
    if (response == object.end() || !response->is_object())
        throwFieldError("response", "is missing or not an object (and there is no error)");
    if (const auto status = response->find("status_code"); status != response->end()) {
        if (!status->is_number_integer())
            throwFieldError("response.status_code", "must be an integer, not " + jsonTypeName(*status));
        if (status->get<int64_t>() != 200) {
            const json body = response->value("body", json::object());
            throw FailedRequest("request '" + custom + "' failed with HTTP " + std::to_string(status->get<int64_t>()) +
                                (body.is_object() && body.contains("error") ? ": " + errorText(body["error"]) : ""));
        }
    }
    const auto body = response->find("body");
    if (body == response->end())
        throwFieldError("response.body", "is missing");
    const ResponseBody read = readSavedResponse(*body, "response.body");

    std::string task, id;
    if (options.task) {
        task = *options.task;
        id = custom;
    } else {
        const size_t slash = custom.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == custom.size())
            throw std::invalid_argument("custom_id '" + custom +
                                        "' names no task: write custom ids as <task>/<id>, or give the task "
                                        "(cotlab-cli import --task, the Import dialog's Task name)");
        task = custom.substr(0, slash);
        id = custom.substr(slash + 1);
    }
    InterchangeRecord base;
    base.task = task;
    base.id = id;
    base.joinStored = true;
    base.teacher = options.teacher;
    if (!options.source.empty())
        base.source = options.source;
    base.metaJson = json{{"custom_id", custom}}.dump();
    appendChoiceRecords(read, base, out);
}

} // namespace cotlab::ingest
