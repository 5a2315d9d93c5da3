#pragma once

// A model's chat template (Hugging Face's `chat_template`, Jinja): read from tokenizer_config.json (a string, or a
// list of named templates: "default"), chat_template.jinja or chat_template.json in the model or tokenizer folder,
// and rendered as transformers renders it (trim_blocks, lstrip_blocks, bos_token, eos_token, add_generation_prompt,
// raise_exception, strftime_now). No torch, no Qt.
#include "text/Jinja.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::text {

struct ChatMessage {
    std::string role; // system, user, assistant
    std::string content;
};

class ChatTemplate {
public:
    // What the template does with the reasoning (<think>…</think>) of assistant turns, found by rendering probe
    // conversations: Qwen3 drops it from turns before the last user turn, DeepSeek-R1's distilled models from every
    // assistant turn (their templates keep only what follows </think>).
    enum class Reasoning { Kept, DroppedBeforeLastUser, Dropped };

    // The folder's template (a file in the folder names its folder); nullopt when it has none. A file that is
    // there but malformed (not JSON, a chat_template of the wrong type, Jinja that does not parse) throws Error
    // naming it.
    static std::optional<ChatTemplate> fromFolder(const std::filesystem::path& folder);

    ChatTemplate(const std::string& source, std::string bosToken, std::string eosToken, const std::string& origin);

    // The conversation as the model sees it; with addGenerationPrompt, followed by the assistant turn's opening.
    // 'extra' adds variables (date_string, enable_thinking, ...). A template that raises (an unsupported role, a
    // system message in the wrong place) throws Error naming the origin and its message.
    std::string render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt,
                       const nlohmann::ordered_json& extra = nlohmann::ordered_json::object()) const;

    Reasoning reasoning() const { return m_reasoning; }
    const std::string& source() const { return m_template.source(); }
    const std::string& origin() const { return m_template.origin(); }
    const std::string& bosToken() const { return m_bos; }
    const std::string& eosToken() const { return m_eos; }

private:
    Reasoning probeReasoning() const;

    JinjaTemplate m_template;
    std::string m_bos, m_eos;
    Reasoning m_reasoning = Reasoning::Kept;
};

// "kept", "dropped before the last user turn", "dropped"
std::string reasoningName(ChatTemplate::Reasoning reasoning);

} // namespace cotlab::text
