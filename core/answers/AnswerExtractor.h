#pragma once

#include "answers/AnswerKind.h"

#include <string>
#include <string_view>
#include <vector>

namespace cotlab::answers {

// Finds the final answer in a teacher's or student's rationale and normalises answers so that they can be
// compared with gold. The rules are documented in docs/answer-extraction.md; in short:
//  - with a separate answer sentence ("Therefore, the answer (arabic numerals) is 26."), the text after
//    its answer trigger is searched and the FIRST candidate wins (Kojima et al.'s zero-shot-CoT rule);
//  - otherwise the text after the LAST answer marker in the rationale ("the answer is", "answer:",
//    "####", a line starting "A:") is searched and its first candidate wins;
//  - with no marker, the LAST candidate anywhere in the rationale wins.
// Candidates per kind: a choice label (or a choice's text), a number, yes/no, or the marked text.
class AnswerExtractor {
public:
    AnswerExtractor(AnswerKind kind, std::vector<Choice> choices = {});

    // The normalised final answer, or "" when none is found.
    std::string extract(std::string_view rationale, std::string_view answerSentence = {}) const;

    // Canonical form of an answer of this kind: choice labels as the instance writes them ("C", "c"),
    // numbers without grouping or trailing zeros ("1,000.0" -> "1000"), "yes"/"no", trimmed text without
    // surrounding quotes or final period. "" when the text is not an answer of this kind.
    std::string normalize(std::string_view answer) const;

    // Both sides are normalised first; "" never matches.
    bool matches(std::string_view answer, std::string_view gold) const;

    AnswerKind kind() const { return m_kind; }

private:
    std::string firstCandidate(std::string_view segment, bool last) const;
    std::string choiceCandidate(std::string_view segment, bool last) const;
    std::string numberCandidate(std::string_view segment, bool last) const;
    std::string yesNoCandidate(std::string_view segment, bool last) const;
    std::string textCandidate(std::string_view segment) const;
    std::string labelFor(std::string_view token) const;

    AnswerKind m_kind;
    std::vector<Choice> m_choices;
};

// The sentence of a rationale that holds its last answer marker ("So the answer is 26."), where the extractor reads
// the answer when there is no separate answer sentence: from the end of the sentence before it (". ", "! ", "? " or a
// line break) to the end of its line; empty without a marker.
std::string_view answerSentenceOf(std::string_view rationale);

// Canonical decimal text of a number ("1,000" -> "1000", "2.50" -> "2.5", "-0" -> "0"); "" if not a number.
std::string canonicalNumber(std::string_view text);

} // namespace cotlab::answers
