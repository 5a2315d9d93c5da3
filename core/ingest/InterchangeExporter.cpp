#include "ingest/InterchangeExporter.h"

#include "store/RationaleRepository.h"
#include "util/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace cotlab::ingest {

using ordered_json = nlohmann::ordered_json;

namespace {

ordered_json instanceFields(const store::InstanceRecord& in)
{
    ordered_json j;
    j["task"] = in.task;
    j["id"] = in.extId;
    j["split"] = in.split;
    j["answer_kind"] = in.answerKind;
    j["question"] = in.question;
    if (in.choicesJson)
        j["choices"] = ordered_json::parse(*in.choicesJson);
    j["gold"] = in.gold;
    return j;
}

} // namespace

ExportReport InterchangeExporter::exportJsonl(store::Database& db, const std::string& outPath,
                                              const std::optional<std::string>& task,
                                              const jobs::ProgressSink& progress, const jobs::StopToken* stop)
{
    const std::string tmpPath = outPath + ".partial";
    std::FILE* out = std::fopen(tmpPath.c_str(), "wb");
    if (!out)
        throw Error(outPath + ": cannot write: " + std::strerror(errno));
    ExportReport report;
    store::RationaleRepository repo(db);
    const int64_t total = repo.countInstances(task);
    std::string line;
    bool failed = false;

    auto emit = [&](const ordered_json& j) {
        line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
        line += '\n';
        if (std::fwrite(line.data(), 1, line.size(), out) != line.size())
            failed = true;
        ++report.lines;
    };

    try {
        repo.forEachInstance(task, [&](const store::InstanceRecord& in, const std::vector<store::RationaleRecord>& rs) {
            ++report.instances;
            if (rs.empty() || in.metaJson) {
                ordered_json j = instanceFields(in);
                if (in.metaJson)
                    j["meta"] = ordered_json::parse(*in.metaJson);
                emit(j);
            }
            for (const auto& r : rs) {
                ordered_json j = instanceFields(in);
                j["rationale"] = r.textTail ? r.text + *r.textTail : r.text;
                if (r.answerSentence)
                    j["answer_sentence"] = *r.answerSentence;
                j["answer"] = r.answer.value_or("");
                if (r.correct) // unknown without a gold answer
                    j["correct"] = *r.correct == 1;
                if (r.stopJson)
                    j["stop"] = ordered_json::parse(*r.stopJson);
                j["sample"] = r.sampleIndex;
                if (!r.model.empty())
                    j["teacher"] = r.model;
                if (r.sourceKind != "teacher")
                    j["source_kind"] = r.sourceKind;
                if (r.prompt)
                    j["prompt"] = *r.prompt;
                if (r.decoding)
                    j["decoding"] = *r.decoding;
                if (r.temperature)
                    j["temperature"] = *r.temperature;
                if (r.logprob)
                    j["logprob"] = *r.logprob;
                if (r.tokenCount)
                    j["tokens"] = *r.tokenCount;
                if (r.provenance)
                    j["source"] = *r.provenance;
                if (r.metaJson)
                    j["meta"] = ordered_json::parse(*r.metaJson);
                emit(j);
                ++report.rationales;
            }
            if ((report.instances & 255) == 0) {
                if (stop && stop->stopRequested())
                    throw jobs::Cancelled();
                if (progress)
                    progress({"Exporting " + outPath, uint64_t(report.instances), uint64_t(total)});
            }
            return !failed;
        });
    } catch (...) {
        std::fclose(out);
        std::remove(tmpPath.c_str());
        throw;
    }
    if (std::fclose(out) != 0 || failed) {
        std::remove(tmpPath.c_str());
        throw Error(outPath + ": write failed (disk full?): " + std::strerror(errno));
    }
    std::error_code ec;
    std::filesystem::rename(tmpPath, outPath, ec);
    if (ec)
        throw Error(outPath + ": cannot rename the finished export into place: " + ec.message());
    if (progress)
        progress({"Exporting " + outPath, uint64_t(total), uint64_t(total)});
    return report;
}

} // namespace cotlab::ingest
