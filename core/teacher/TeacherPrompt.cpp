#include "teacher/TeacherPrompt.h"

#include "answers/AnswerKind.h"
#include "util/Error.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace cotlab::teacher {

using nlohmann::json;

PromptStyle parsePromptStyle(const std::string& name)
{
    if (name == "zero-shot-cot")
        return PromptStyle::ZeroShotCot;
    if (name == "few-shot")
        return PromptStyle::FewShot;
    if (name == "socratic")
        return PromptStyle::Socratic;
    if (name == "custom")
        return PromptStyle::Custom;
    throw Error("unknown prompt template '" + name + "': use zero-shot-cot, few-shot, socratic or custom");
}

const char* promptStyleName(PromptStyle style)
{
    switch (style) {
    case PromptStyle::ZeroShotCot:
        return "zero-shot-cot";
    case PromptStyle::FewShot:
        return "few-shot";
    case PromptStyle::Socratic:
        return "socratic";
    case PromptStyle::Custom:
        return "custom";
    }
    return "custom";
}

namespace {

std::string choicesLine(const store::InstanceRecord& instance)
{
    if (!instance.choicesJson)
        return {};
    std::string line;
    for (const auto& c : answers::choicesFromJson(*instance.choicesJson))
        line += " (" + c.label + ") " + c.text;
    return line.empty() ? line : "\nAnswer Choices:" + line;
}

void replaceAll(std::string& text, const std::string& from, const std::string& to)
{
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

std::string exemplarsFor(const std::string& file, const std::string& task)
{
    std::ifstream in(file);
    if (!in)
        throw Error("few-shot exemplars: cannot read " + file);
    const json all = json::parse(in, nullptr, false);
    if (all.is_discarded() || !all.is_object())
        throw Error("few-shot exemplars: " + file + " is not a JSON object of {task: {\"prompt\": ...}}");
    // Task names in a workspace may carry a variant suffix (date_mmddyyyy): the longest known prefix wins.
    std::string best;
    for (const auto& [name, value] : all.items())
        if (task.rfind(name, 0) == 0 && name.size() > best.size() && value.is_object() && value.contains("prompt"))
            best = name;
    if (best.empty())
        throw Error("few-shot exemplars: " + file + " has none for task '" + task + "'");
    return all[best]["prompt"].get<std::string>();
}

} // namespace

namespace {

// The prompt of an instance; few-shot prompts start with the task's exemplars, read by the caller.
std::string composePrompt(const PromptTemplate& prompt, const store::InstanceRecord& instance,
                          const std::string& fewShotPrefix)
{
    const std::string question = "Q: " + instance.question + choicesLine(instance) + "\nA:";
    switch (prompt.style) {
    case PromptStyle::ZeroShotCot:
        return question + " " + prompt.trigger;
    case PromptStyle::FewShot: {
        std::string prefix = fewShotPrefix;
        while (!prefix.empty() && (prefix.back() == '\n' || prefix.back() == ' '))
            prefix.pop_back();
        return prefix + "\n\n" + question;
    }
    case PromptStyle::Socratic:
        return "Q: " + instance.question + choicesLine(instance) +
               "\nAnswer it by asking and answering simpler sub-questions, one at a time, then give the answer.\nA:";
    case PromptStyle::Custom: {
        std::string text = prompt.custom;
        replaceAll(text, "{question}", instance.question);
        replaceAll(text, "{choices}", choicesLine(instance));
        return text;
    }
    }
    return question;
}

} // namespace

std::string PromptBuilder::operator()(const store::InstanceRecord& instance)
{
    std::string prefix;
    if (m_prompt.style == PromptStyle::FewShot) {
        auto& cached = m_exemplars[instance.task];
        if (cached.empty())
            cached = exemplarsFor(m_prompt.exemplarsFile, instance.task);
        prefix = cached;
    }
    return composePrompt(m_prompt, instance, prefix);
}

std::string buildPrompt(const PromptTemplate& prompt, const store::InstanceRecord& instance)
{
    return composePrompt(prompt, instance,
                         prompt.style == PromptStyle::FewShot ? exemplarsFor(prompt.exemplarsFile, instance.task)
                                                              : std::string());
}

std::string answerTrigger(const store::InstanceRecord& instance)
{
    if (instance.answerKind == "choice" && instance.choicesJson) {
        const auto choices = answers::choicesFromJson(*instance.choicesJson);
        if (!choices.empty())
            return "Therefore, among " + choices.front().label + " through " + choices.back().label + ", the answer is";
    }
    if (instance.answerKind == "number")
        return "Therefore, the answer (arabic numerals) is";
    if (instance.answerKind == "yes_no")
        return "Therefore, the answer (Yes or No) is";
    return "Therefore, the answer is";
}

} // namespace cotlab::teacher
