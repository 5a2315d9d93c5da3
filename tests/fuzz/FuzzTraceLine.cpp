// One line of a teacher-output format read as conversation JSONL (ingest/ChatImporter: OpenAI messages with
// reasoning_content, ShareGPT conversations), through a field mapping (ingest/FieldMapping, s1K's columns) and as
// OpenAI Batch output (ingest/OpenAiBatchImporter, through ingest::readResponseBody) and as Faithful-CoT predictions
// (ingest/FaithfulCotImporter); the input as a field mapping, and the fields Pick Fields lists and suggests from it;
// then each rationale's thinking and answer parts as every reader of it splits them.
#include "FuzzInput.h"
#include "ingest/ChatImporter.h"
#include "ingest/FaithfulCotImporter.h"
#include "ingest/FieldMapping.h"
#include "ingest/OpenAiBatchImporter.h"
#include "text/ReasoningParts.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace cotlab;
    const std::string line(fuzz::text(data, size));
    std::vector<ingest::InterchangeRecord> records;
    try {
        ingest::ChatImporter::parseLine(line, {"fuzz", "train", "", ""}, records);
    } catch (const std::invalid_argument&) {
    }
    static const auto kMapping = ingest::FieldMapping::parse(
        "question=question,gold=answer,id=meta.id,split=split,model=model,thinking=thinking_trajectories[0],"
        "rationale=attempt");
    try {
        ingest::parseMappedLine(line, kMapping, {"fuzz", "train", "", ""}, records);
    } catch (const std::invalid_argument&) {
    }
    try { // the input as a field mapping, too
        (void)ingest::FieldMapping::parse(line);
    } catch (const Error&) {
    }
    try { // the line as the first record Pick Fields lists and suggests from
        const auto mapping = ingest::FieldMapping::suggest(
            ingest::FieldMapping::pathsOf(nlohmann::ordered_json::parse(line.begin(), line.end())));
        if (!mapping.paths.empty())
            (void)ingest::FieldMapping::parse(mapping.toString());
    } catch (const nlohmann::json::exception&) {
    }
    for (const bool withTask : {false, true}) {
        try {
            ingest::OpenAiBatchImporter::parseLine(
                line, {withTask ? std::optional<std::string>("fuzz") : std::nullopt, "", ""}, records);
        } catch (const std::invalid_argument&) { // FailedRequest too
        }
    }
    try {
        ingest::FaithfulCotImporter::parseLine(line, {"fuzz", "code-davinci-002", "COT", ""}, records);
    } catch (const std::invalid_argument&) {
    }
    for (const auto& r : records)
        if (r.rationale) {
            const text::ReasoningParts parts = text::splitReasoning(*r.rationale);
            (void)text::searchColumns(*r.rationale);
            (void)text::joinReasoning(parts.thinking, parts.answer);
        }
    // The raw input as a rationale, too: every marker order and truncation.
    const text::ReasoningParts raw = text::splitReasoning(line);
    (void)text::joinReasoning(raw.thinking, raw.answer);
    return 0;
}
