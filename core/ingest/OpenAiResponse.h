#pragma once

// The body of an OpenAI-compatible /v1/completions or /v1/chat/completions response, as the teacher client receives
// it and as saved responses and Batch API output files hold it (core/teacher reads its responses through this).
#include "ingest/InterchangeRecord.h"

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::ingest {

struct ResponseChoice {
    int64_t index = 0;
    std::string text;      // completions' text, chat's message content
    std::string reasoning; // chat's message reasoning_content (DeepSeek, vLLM and SGLang reasoning parsers), or ""
    std::string finishReason;
    std::optional<double> logprob; // sum of the token log-probabilities, when the server gave them
    std::optional<int64_t> tokens; // tokens with a log-probability
};

struct ResponseBody {
    bool chat = false; // choices with a message (chat.completion) rather than text
    std::string model;
    std::vector<ResponseChoice> choices;                   // in the body's order
    std::optional<int64_t> promptTokens, completionTokens; // usage
};

// std::invalid_argument naming the field ("choices[1].message.content must be a string or null, not a number").
ResponseBody readResponseBody(const nlohmann::json& body);

// A saved response as an import reads it: readResponseBody with at least one choice; std::invalid_argument naming
// 'field', where the body stands in the line ("in 'response.body': ...", "field 'response.body.choices' is empty").
ResponseBody readSavedResponse(const nlohmann::json& body, const std::string& field);

// One record per choice, each a copy of 'base' with the choice's rationale (its reasoning as the thinking),
// log-probability, token count, and its finish_reason in meta when it is not "stop"; the teacher is the body's model,
// else base's.
void appendChoiceRecords(const ResponseBody& response, const InterchangeRecord& base,
                         std::vector<InterchangeRecord>& out);

} // namespace cotlab::ingest
