#pragma once

#include "ingest/InterchangeRecord.h"
#include "ingest/JsonLine.h"

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::ingest {

// Which field of a JSONL line is what, for datasets in a shape of their own (Hugging Face exports such as s1K:
// question, thinking_trajectories, attempt; LIMO: question, solution, answer). Written
// "question=problem,gold=answer,thinking=thinking_trajectories[0],rationale=attempt": keys are CoTLab's, values are
// paths into the line (object keys joined by '.', list positions as [n]).
struct FieldMapping {
    // question (required), gold, id, split, model, rationale, thinking. With thinking, the rationale is the
    // thinking and the rationale field as its answer part (text/ReasoningParts.h).
    std::map<std::string, std::string> paths;

    static const std::vector<std::string>& keys();
    // Error naming the part of the spec that is wrong (an unknown key, a missing '=', no question).
    static FieldMapping parse(std::string_view spec);
    // "question=problem,gold=answer": the spec parse() reads back, keys in keys() order.
    std::string toString() const;

    // For picking a mapping: the paths of a record's strings, numbers and booleans ("question", "meta.id",
    // "thinking_trajectories[0]") in the record's order, four levels down at most, a list by its first element.
    static std::vector<std::string> pathsOf(const nlohmann::ordered_json& record);
    // pathsOf the first record of a JSONL file; Error naming the file when it has none or it is not JSON.
    static std::vector<std::string> pathsOfFirstRecord(const std::string& file);
    // The mapping the paths' names suggest, by the names datasets give these fields (question or problem, answer or
    // solution, id, ...); empty when no path looks like a question.
    static FieldMapping suggest(const std::vector<std::string>& paths);
};

// The line's question and, when the mapped rationale or thinking is there, its rationale; std::invalid_argument
// naming the path otherwise.
void parseMappedLine(std::string_view line, const FieldMapping& mapping, const LineDefaults& options,
                     std::vector<InterchangeRecord>& out);

} // namespace cotlab::ingest
