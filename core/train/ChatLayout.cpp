#include "train/ChatLayout.h"

#include "util/Error.h"
#include "util/Text.h"

namespace cotlab::train {

namespace {

const char* kProbe = "COTLAB-ASSISTANT-MESSAGE-PROBE";

std::vector<text::ChatMessage> conversation(const std::string& system, const std::string& user)
{
    std::vector<text::ChatMessage> messages;
    if (!system.empty())
        messages.push_back({"system", system});
    messages.push_back({"user", user});
    return messages;
}

// The reasoning of a target written "<think>…</think>answer" ('' when it has none).
std::string reasoningOf(const std::string& target)
{
    const size_t close = target.find("</think>");
    if (close == std::string::npos)
        return {};
    std::string_view before = std::string_view(target).substr(0, close);
    if (const size_t open = before.find("<think>"); open != std::string_view::npos)
        before = before.substr(open + 7);
    return std::string(text::trim(before));
}

} // namespace

std::string chatPrompt(const text::ChatTemplate& chat, const std::string& system, const std::string& user)
{
    return chat.render(conversation(system, user), true);
}

ChatLayoutCounts applyChatTemplate(std::vector<Example>& examples, const text::ChatTemplate& chat)
{
    ChatLayoutCounts counts;
    for (Example& e : examples) {
        if (!e.chat || e.templated)
            continue;
        auto messages = conversation(e.system, e.prompt);
        const std::string prompt = chat.render(messages, true);
        messages.push_back({"assistant", e.target});
        const std::string full = chat.render(messages, false);
        const std::string reasoning = reasoningOf(e.target);
        const bool reasoningKept = reasoning.empty() || full.find(reasoning) != std::string::npos;
        std::string target;
        if (full.starts_with(prompt) && reasoningKept) {
            target = full.substr(prompt.size());
        } else {
            // The template's assistant turn around a probe message: what opens it and what closes it. The target is
            // the message as written (its reasoning kept) and the close, after what the generation prompt opened.
            messages.back().content = kProbe;
            const std::string probe = chat.render(messages, false);
            const size_t at = probe.find(kProbe);
            if (at == std::string::npos || !prompt.starts_with(probe.substr(0, at)))
                throw Error(chat.origin() + ": the assistant turn does not follow the template's generation prompt, "
                                            "so the assistant's tokens cannot be told apart; use a prompt format "
                                            "without \"chat_template\" for this model");
            const std::string opened(text::trim(std::string_view(prompt).substr(at))); // e.g. "<think>"
            std::string message = e.target;
            if (!opened.empty() && message.starts_with(opened)) {
                message.erase(0, opened.size());
                if (message.starts_with('\n'))
                    message.erase(0, 1);
            }
            target = message + probe.substr(at + std::string(kProbe).size());
            counts.reasoningRestored += !reasoningKept;
        }
        e.prompt = prompt;
        e.target = target;
        e.system.clear();
        e.templated = true;
        ++counts.laidOut;
    }
    return counts;
}

text::ChatTemplate studentChatTemplate(const std::string& modelPath, const std::optional<std::string>& tokenizerPath,
                                       const std::string& formatName)
{
    for (const auto& place : {tokenizerPath.value_or(""), modelPath})
        if (!place.empty())
            if (auto chat = text::ChatTemplate::fromFolder(place))
                return std::move(*chat);
    throw Error("the prompt format '" + formatName + "' lays examples out with the student's chat template, and " +
                modelPath + (tokenizerPath ? " (tokenizer " + *tokenizerPath + ")" : std::string()) +
                " has none (tokenizer_config.json's chat_template or chat_template.jinja): choose an instruct model or "
                "a format without \"chat_template\"");
}

StudentPrompter::StudentPrompter(PromptFormat format, const std::string& modelPath,
                                 const std::optional<std::string>& tokenizerPath)
    : m_format(std::move(format)), m_stop(m_format.stopStrings())
{
    if (!m_format.usesChatTemplate())
        return;
    m_chat = studentChatTemplate(modelPath, tokenizerPath, m_format.name());
    if (!m_chat->eosToken().empty())
        m_stop.push_back(m_chat->eosToken());
}

std::string StudentPrompter::prompt(const store::InstanceRecord& instance) const
{
    const std::string user = m_format.evaluationPrompt(instance);
    return m_chat ? chatPrompt(*m_chat, m_format.systemMessage(instance), user) : user;
}

std::string chatLayoutSummary(const text::ChatTemplate& chat, const ChatLayoutCounts& counts)
{
    std::string line = "chat template " + chat.origin() + ", reasoning " + text::reasoningName(chat.reasoning());
    if (counts.reasoningRestored > 0)
        line += "; the template drops <think>…</think> from assistant turns: kept in " +
                std::to_string(counts.reasoningRestored) + " targets (training variant)";
    return line;
}

} // namespace cotlab::train
