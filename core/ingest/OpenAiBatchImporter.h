#pragma once

#include "ingest/InterchangeRecord.h"

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::ingest {

struct BatchLineOptions {
    std::optional<std::string> task; // the task every custom_id is an id of; without it custom_id is "<task>/<id>"
    std::string teacher;             // when the response names no model
    std::string source;              // provenance recorded with each rationale
};

// OpenAI Batch API output JSONL ({id, custom_id, response: {status_code, request_id, body}, error}), the body a
// /v1/completions or /v1/chat/completions response with one or more choices (n samples, logprobs when asked for,
// reasoning_content from reasoning servers). The questions are the workspace's: custom_id names an instance already
// stored (import the benchmark first), which gives the question, gold, choices and split. A request that failed (an
// `error`, or a status other than 200) holds no rationale: it is listed as refused and the import goes on.
class OpenAiBatchImporter {
public:
    // True when a line's object is a batch output line: custom_id with a response or an error.
    static bool isBatchOutput(const nlohmann::json& object);
    // One record per choice, each joined to its stored instance (InterchangeRecord::joinStored). Throws
    // std::invalid_argument naming the field, or FailedRequest for a request the API reports as failed.
    static void parseLine(std::string_view line, const BatchLineOptions& options, std::vector<InterchangeRecord>& out);
};

} // namespace cotlab::ingest
