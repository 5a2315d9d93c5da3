#pragma once

// Chat formats laid out with the student's chat template (text/ChatTemplate): the prompt is the conversation up to
// the assistant turn's opening (the template's generation prompt), the target the rest of the rendered
// conversation — the assistant's message and the template's end of turn — so the loss covers the assistant's
// tokens only, computed by CoTLab from the rendered prefixes (no {% generation %} markers needed). Templates that
// drop the reasoning of assistant turns (DeepSeek-R1's distilled models) would train on empty thoughts: the
// <think>…</think> part is then put back into the target, and the layout says so. No torch, no Qt.
#include "text/ChatTemplate.h"
#include "train/PromptFormat.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::train {

struct ChatLayoutCounts {
    int64_t laidOut = 0;           // chat examples laid out with the template
    int64_t reasoningRestored = 0; // of them, targets whose <think> part the template dropped and CoTLab kept
};

// Lays out every chat example (Example::chat) in place; others are left as they are. Throws Error naming the
// template when its assistant turn does not follow its generation prompt (CoTLab could not tell the assistant's
// tokens apart) or when the template raises.
ChatLayoutCounts applyChatTemplate(std::vector<Example>& examples, const text::ChatTemplate& chat);

// The prompt a chat format's student is asked at evaluation or by serve: the template's conversation of the system
// (when not empty) and user messages, with the generation prompt.
std::string chatPrompt(const text::ChatTemplate& chat, const std::string& system, const std::string& user);

// The student's chat template: beside its tokenizer file when one is given, else in its model folder. Throws Error
// naming both when neither has one ('formatName' says which format needed it).
text::ChatTemplate studentChatTemplate(const std::string& modelPath, const std::optional<std::string>& tokenizerPath,
                                       const std::string& formatName);

// What a student trained with a format is asked (evaluation, serve) and where its generation stops: the format's
// evaluation prompt and stop strings, for a chat format laid out with the student's chat template and stopped at
// its end-of-turn token too.
class StudentPrompter {
public:
    StudentPrompter(PromptFormat format, const std::string& modelPath, const std::optional<std::string>& tokenizerPath);
    std::string prompt(const store::InstanceRecord& instance) const;
    const std::vector<std::string>& stopStrings() const { return m_stop; }
    bool templated() const { return m_chat.has_value(); } // prompts hold their special tokens (encodeTemplated)

private:
    PromptFormat m_format;
    std::optional<text::ChatTemplate> m_chat;
    std::vector<std::string> m_stop;
};

// One line for the run's recipe and the Train page: the template's origin, what it does with reasoning and what
// CoTLab did about it.
std::string chatLayoutSummary(const text::ChatTemplate& chat, const ChatLayoutCounts& counts);

} // namespace cotlab::train
