#include "train/Template.h"

#include "util/Error.h"
#include "util/Text.h"

#include <nlohmann/json.hpp>

namespace cotlab::train {

TargetFormat targetFormatFromName(const std::string& name)
{
    if (name == "cot")
        return TargetFormat::ChainOfThought;
    if (name == "label")
        return TargetFormat::LabelOnly;
    throw Error("template '" + name + "': expected cot (rationale, then the answer) or label (the answer only)");
}

std::string targetFormatName(TargetFormat format)
{
    return format == TargetFormat::ChainOfThought ? "cot" : "label";
}

std::string formatPrompt(const store::InstanceRecord& instance)
{
    std::string prompt = "Q: " + instance.question;
    if (instance.choicesJson) {
        const auto choices = nlohmann::json::parse(*instance.choicesJson, nullptr, false);
        if (choices.is_array() && !choices.empty()) {
            prompt += "\nAnswer Choices:";
            for (const auto& c : choices)
                prompt += " (" + c.value("label", std::string()) + ") " + c.value("text", std::string());
        }
    }
    return prompt + "\nA:";
}

std::string formatAnswer(const store::InstanceRecord& instance, const std::string& answer)
{
    if (instance.answerKind == "choice" && answer.size() <= 2 && !answer.empty() && answer.front() != '(')
        return "(" + answer + ")";
    return answer;
}

namespace {

// True when the text's last sentence already says "the answer is ..." (case-insensitive).
bool statesAnswer(const std::string& text)
{
    const size_t lastBreak = text.find_last_of(".\n", text.size() >= 2 ? text.size() - 2 : 0);
    const std::string last = text.substr(lastBreak == std::string::npos ? 0 : lastBreak);
    return text::toLower(last).find("answer is") != std::string::npos;
}

} // namespace

Example formatExample(const store::InstanceRecord& instance, const store::RationaleRecord* rationale,
                      TargetFormat format)
{
    Example e;
    e.prompt = formatPrompt(instance);
    if (format == TargetFormat::LabelOnly) {
        e.target = " The answer is " + formatAnswer(instance, instance.gold) + ".";
        return e;
    }
    if (!rationale)
        throw Error("a chain-of-thought example needs a rationale (instance " + instance.extId + ")");
    const std::string text(text::trim(rationale->text));
    const std::string answer = rationale->answer && !rationale->answer->empty() ? *rationale->answer : instance.gold;
    e.target = " " + text;
    if (!statesAnswer(text))
        e.target += (text.empty() || text.back() == '.' ? " " : ". ") + std::string("So the answer is ") +
                    formatAnswer(instance, answer) + ".";
    return e;
}

} // namespace cotlab::train
