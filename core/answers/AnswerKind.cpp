#include "answers/AnswerKind.h"

namespace cotlab::answers {

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

} // namespace cotlab::answers
