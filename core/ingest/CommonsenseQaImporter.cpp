#include "ingest/CommonsenseQaImporter.h"

#include "ingest/Importer.h"
#include "ingest/InterchangeRecord.h"
#include "ingest/RecordSink.h"
#include "util/Error.h"
#include "util/LineReader.h"
#include "util/Text.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace cotlab::ingest {

using nlohmann::json;

std::string CommonsenseQaImporter::splitFromPath(const std::string& path)
{
    const std::string name = text::toLower(std::filesystem::path(path).filename().string());
    if (name.find("train") != std::string::npos)
        return "train";
    return "test"; // dev_rand_split: see the class comment
}

InterchangeRecord CommonsenseQaImporter::readLine(std::string_view line, const std::string& where,
                                                  const std::string& task, const std::string& split)
{
    const json obj = json::parse(line.begin(), line.end(), nullptr, false);
    if (obj.is_discarded() || !obj.is_object())
        throw Error(where + ": not a JSON object");
    const auto q = obj.find("question");
    if (q == obj.end() || !q->is_object() || !q->contains("stem") || !(*q)["stem"].is_string())
        throw Error(where + ": missing 'question.stem'");
    if (!obj.contains("id") || !obj["id"].is_string())
        throw Error(where + ": missing string field 'id'");
    if (!obj.contains("answerKey") || !obj["answerKey"].is_string())
        throw Error(where + ": no 'answerKey'; CommonsenseQA's official test set is unlabelled and has "
                            "nothing to compare answers with");
    InterchangeRecord r;
    r.task = task;
    r.id = obj["id"].get<std::string>();
    r.question = (*q)["stem"].get<std::string>();
    r.gold = obj["answerKey"].get<std::string>();
    r.split = split;
    r.answerKind = "choice";
    r.hasChoices = true;
    if (!q->contains("choices") || !(*q)["choices"].is_array())
        throw Error(where + ": missing 'question.choices'");
    for (const json& c : (*q)["choices"]) {
        if (!c.is_object() || !c.contains("label") || !c.contains("text") || !c["label"].is_string() ||
            !c["text"].is_string())
            throw Error(where + ": each choice must be {label, text} with string values");
        r.choices.push_back({c["label"].get<std::string>(), c["text"].get<std::string>()});
    }
    if (q->contains("question_concept"))
        r.metaJson = json{{"question_concept", (*q)["question_concept"]}}.dump();
    return r;
}

int64_t CommonsenseQaImporter::run(const std::string& path, const ImportOptions& options, RecordSink& sink,
                                   const jobs::ProgressSink& progress, const jobs::StopToken* stop)
{
    const std::string split = options.split.value_or(splitFromPath(path));
    const std::string task = options.task.value_or("commonsense_qa");
    LineReader reader(path, LineReader::kDefaultMaxLineBytes, /*requireUtf8=*/true);
    std::string_view line;
    int64_t records = 0;
    while (reader.next(line)) {
        const std::string where = path + ":" + std::to_string(reader.lineNumber());
        if (text::trim(line).empty())
            continue;
        std::optional<InterchangeRecord> r;
        try {
            r = readLine(line, where, task, split);
        } catch (const Error& e) {
            if (!sink.keepsGoodRecords())
                throw;
            const std::string reason = e.what();
            sink.refuse(where, reason.rfind(where + ": ", 0) == 0 ? reason.substr(where.size() + 2) : reason);
            continue;
        }
        records += sink.tryAdd(*r, where);
        if ((records & 1023) == 0) {
            if (stop && stop->stopRequested())
                throw jobs::Cancelled();
            if (progress)
                progress({"Importing " + path, reader.bytesRead(), reader.fileSize()});
        }
    }
    return records;
}

} // namespace cotlab::ingest
