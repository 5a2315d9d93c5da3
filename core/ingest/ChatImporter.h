#pragma once

#include "ingest/InterchangeRecord.h"
#include "ingest/JsonLine.h"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::ingest {

// Conversation JSONL as the reasoning-trace sets publish it: OpenAI `messages` ([{role, content,
// reasoning_content?}]) or ShareGPT `conversations` ([{from, value}], with a top-level `system`), as OpenThoughts,
// Bespoke-Stratos, Sky-T1 and most SFT sets do. One line is one question: the first user turn is the question, the
// assistant's reply to it the rationale (its `reasoning_content`, when given apart, is kept as its thinking:
// text/ReasoningParts.h). docs/formats.md lists the fields read for the id, the gold answer, the split and the
// model.

class ChatImporter {
public:
    // True when a line's object is a conversation (it has a `messages` or `conversations` array).
    static bool isConversation(const nlohmann::json& object);
    // The line's question and, when the conversation has an assistant reply, its rationale; std::invalid_argument
    // naming the field otherwise.
    static void parseLine(std::string_view line, const LineDefaults& options, std::vector<InterchangeRecord>& out);
};

// An instance id made from the question's text ("q-" and 16 hex digits of its FNV-1a hash), for files whose records
// have no id: the same question gets the same id in every file, so samples of it from several files meet.
std::string questionId(std::string_view question);

} // namespace cotlab::ingest
