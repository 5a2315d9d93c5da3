#pragma once

#include "ingest/InterchangeRecord.h"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::ingest {

struct FaithfulCotLineOptions {
    std::string task;    // the task the ids are ids of
    std::string teacher; // the model
    std::string prompt;  // the prompting method ("COT", "LtM", "NL+SL", ...)
    std::string source;  // provenance recorded with each rationale
};

// Faithful-CoT's predictions.jsonl (veronica320/Faithful-COT, output_dir/<dataset>/<split>/<model>_<method>/): one
// line per question, {id, answer, completion, completions?}, `completions` the n samples (n:40 runs) and `answer`
// the final answer Faithful-CoT's solver derived. The lines hold no question: `id` names an instance already stored
// in the task (import the dataset's questions first, e.g. its data/<dataset>/test.jsonl through a field mapping with
// id=id), which gives question, gold and split. Every sample becomes a rationale of that instance.
class FaithfulCotImporter {
public:
    // True for a predictions line: an id, an answer and a completion or completions, and no question.
    static bool isPredictionsLine(const nlohmann::json& object);
    // Task, model and method from the path output_dir/<dataset>/<split>/<model>_<method>/predictions.jsonl (the
    // model's short name spelled out: code002 is code-davinci-002); empty what the path does not say.
    static FaithfulCotLineOptions optionsFromPath(const std::string& path);
    static void parseLine(std::string_view line, const FaithfulCotLineOptions& options,
                          std::vector<InterchangeRecord>& out);
};

} // namespace cotlab::ingest
