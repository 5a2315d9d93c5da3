#include "train/Template.h"

#include "util/Error.h"
#include "util/Text.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace cotlab::train {

TargetFormat targetFormatFromName(const std::string& name)
{
    if (name == "cot")
        return TargetFormat::ChainOfThought;
    if (name == "label")
        return TargetFormat::LabelOnly;
    if (name == "socratic")
        return TargetFormat::Socratic;
    if (name == "step-by-step")
        return TargetFormat::StepByStep;
    throw Error("template '" + name +
                "': expected cot (rationale, then the answer), label (the answer only), "
                "socratic (sub-questions and their answers) or step-by-step (answer and rationale as two tasks)");
}

std::string targetFormatName(TargetFormat format)
{
    switch (format) {
    case TargetFormat::LabelOnly:
        return "label";
    case TargetFormat::Socratic:
        return "socratic";
    case TargetFormat::StepByStep:
        return "step-by-step";
    default:
        return "cot";
    }
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

std::string evaluationPrompt(const store::InstanceRecord& instance, TargetFormat format)
{
    return format == TargetFormat::StepByStep ? "[label] " + formatPrompt(instance) : formatPrompt(instance);
}

namespace {

// Sub-questions of a least-to-most / Socratic rationale: lines "Q1. ...", "Q2. ..." (or "Final Answer: ...", the
// last question restated), each followed by its answer lines.
struct SubQuestion {
    std::string question, answer;
};

std::vector<SubQuestion> subQuestions(const std::string& text)
{
    std::vector<SubQuestion> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string line(text::trim(std::string_view(text).substr(start, end - start)));
        size_t body = std::string::npos;
        if (line.size() > 3 && line[0] == 'Q' && std::isdigit(static_cast<unsigned char>(line[1]))) {
            const size_t dot = line.find_first_not_of("0123456789", 1);
            if (dot != std::string::npos && (line[dot] == '.' || line[dot] == ':'))
                body = dot + 1;
        } else if (!out.empty() && line.rfind("Final Answer:", 0) == 0) {
            body = 13;
        }
        if (body != std::string::npos)
            out.push_back({std::string(text::trim(std::string_view(line).substr(body))), {}});
        else if (!out.empty() && !line.empty())
            out.back().answer += (out.back().answer.empty() ? "" : " ") + line;
        start = end + 1;
    }
    return out;
}

// True when the text's last sentence already says "the answer is ..." (case-insensitive).
bool statesAnswer(const std::string& text)
{
    const size_t lastBreak = text.find_last_of(".\n", text.size() >= 2 ? text.size() - 2 : 0);
    const std::string last = text.substr(lastBreak == std::string::npos ? 0 : lastBreak);
    return text::toLower(last).find("answer is") != std::string::npos;
}

} // namespace

bool hasSubQuestions(const std::string& rationale)
{
    const auto subs = subQuestions(rationale);
    return !subs.empty() && !subs.front().answer.empty();
}

std::vector<Example> formatExamples(const store::InstanceRecord& instance, const store::RationaleRecord* rationale,
                                    TargetFormat format)
{
    switch (format) {
    case TargetFormat::LabelOnly:
        return {formatExample(instance, nullptr, format)};
    case TargetFormat::Socratic:
        if (!rationale || !hasSubQuestions(rationale->text))
            return {};
        return {formatExample(instance, rationale, format)};
    case TargetFormat::StepByStep: {
        if (!rationale)
            throw Error("a step-by-step example needs a rationale (instance " + instance.extId + ")");
        Example label = formatExample(instance, nullptr, TargetFormat::LabelOnly);
        label.prompt = "[label] " + label.prompt;
        Example why = formatExample(instance, rationale, TargetFormat::ChainOfThought);
        why.prompt = "[rationale] " + why.prompt;
        return {label, why};
    }
    default:
        return {formatExample(instance, rationale, format)};
    }
}

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
    std::string text(text::trim(rationale->text));
    const std::string answer = rationale->answer && !rationale->answer->empty() ? *rationale->answer : instance.gold;
    if (format == TargetFormat::Socratic) {
        const auto subs = subQuestions(text);
        if (subs.empty())
            throw Error("a Socratic example needs a rationale written as sub-questions (instance " + instance.extId +
                        ")");
        text.clear();
        for (size_t k = 0; k < subs.size(); ++k)
            text += (k ? " " : "") + std::string("Sub-question ") + std::to_string(k + 1) + ": " + subs[k].question +
                    " Sub-answer " + std::to_string(k + 1) + ": " + subs[k].answer;
    }
    e.target = " " + text;
    if (!statesAnswer(text))
        e.target += (text.empty() || text.back() == '.' ? " " : ". ") + std::string("So the answer is ") +
                    formatAnswer(instance, answer) + ".";
    return e;
}

} // namespace cotlab::train
