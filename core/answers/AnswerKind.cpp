#include "answers/AnswerKind.h"

#include <nlohmann/json.hpp>

namespace cotlab::answers {

using nlohmann::json;

std::string_view toString(AnswerKind kind)
{
    switch (kind) {
    case AnswerKind::Choice:
        return "choice";
    case AnswerKind::Number:
        return "number";
    case AnswerKind::YesNo:
        return "yes_no";
    case AnswerKind::Text:
        return "text";
    }
    return "text";
}

std::optional<AnswerKind> answerKindFromString(std::string_view name)
{
    if (name == "choice")
        return AnswerKind::Choice;
    if (name == "number")
        return AnswerKind::Number;
    if (name == "yes_no")
        return AnswerKind::YesNo;
    if (name == "text")
        return AnswerKind::Text;
    return std::nullopt;
}

std::string choicesToJson(const std::vector<Choice>& choices)
{
    json arr = json::array();
    for (const auto& c : choices)
        arr.push_back({{"label", c.label}, {"text", c.text}});
    return arr.dump();
}

std::vector<Choice> choicesFromJson(const std::string& text)
{
    std::vector<Choice> out;
    const json arr = json::parse(text, nullptr, false);
    if (!arr.is_array())
        return out;
    for (const json& c : arr)
        if (c.is_object())
            out.push_back({c.value("label", ""), c.value("text", "")});
    return out;
}

} // namespace cotlab::answers
