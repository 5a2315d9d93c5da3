#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::answers {

enum class AnswerKind { Choice, Number, YesNo, Text };

std::string_view toString(AnswerKind kind); // "choice", "number", "yes_no", "text"
std::optional<AnswerKind> answerKindFromString(std::string_view name);

struct Choice {
    std::string label;
    std::string text;
    bool operator==(const Choice&) const = default;
};

// Choices as stored with an instance: [{"label": "A", "text": "..."}, ...]. Text that is not such a list gives none.
std::string choicesToJson(const std::vector<Choice>& choices);
std::vector<Choice> choicesFromJson(const std::string& json);

} // namespace cotlab::answers
