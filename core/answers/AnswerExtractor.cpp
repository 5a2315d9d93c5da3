#include "answers/AnswerExtractor.h"

#include "util/Text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

namespace cotlab::answers {

namespace {

bool isAlpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}
bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// End of the answer marker starting at 'at' ("answer" [ (…) ] ("is" | ":" | "=") [":"]), or npos when the
// word at 'at' is not followed by such a verb ("answers are", "answer the question").
size_t markerEnd(std::string_view s, size_t at)
{
    size_t i = at + 6; // "answer"
    if (i < s.size() && isAlpha(s[i]))
        return std::string_view::npos; // "answers", "answered"
    while (i < s.size() && s[i] == ' ')
        ++i;
    if (i < s.size() && s[i] == '(') { // "the answer (arabic numerals) is"
        const size_t close = s.find(')', i);
        if (close == std::string_view::npos || close - i > 40)
            return std::string_view::npos;
        i = close + 1;
        while (i < s.size() && s[i] == ' ')
            ++i;
    }
    if (i < s.size() && (s[i] == ':' || s[i] == '=')) {
        return i + 1;
    }
    if (i + 2 <= s.size() && text::startsWithIgnoreCase(s.substr(i), "is") &&
        (i + 2 == s.size() || !isAlpha(s[i + 2]))) {
        i += 2;
        while (i < s.size() && s[i] == ' ')
            ++i;
        if (i < s.size() && s[i] == ':')
            ++i;
        return i;
    }
    return std::string_view::npos;
}

// Start of the text that follows the first (or last) answer marker, or npos without one.
size_t afterMarker(std::string_view s, bool lastMarker)
{
    size_t best = std::string_view::npos;
    size_t pos = 0;
    for (;;) {
        const size_t at = text::findIgnoreCase(s, "answer", pos);
        if (at == std::string_view::npos)
            break;
        pos = at + 1;
        if (at > 0 && isAlpha(s[at - 1]))
            continue;
        const size_t end = markerEnd(s, at);
        if (end == std::string_view::npos)
            continue;
        best = end;
        if (!lastMarker)
            return best;
    }
    if (lastMarker) {
        // GSM8K style "#### 18" and few-shot style "A: 26" on their own line also mark the answer.
        const size_t hashes = s.rfind("####");
        if (hashes != std::string_view::npos && (best == std::string_view::npos || hashes + 4 > best))
            best = hashes + 4;
        size_t lineStart = s.rfind('\n');
        lineStart = lineStart == std::string_view::npos ? 0 : lineStart + 1;
        if (s.substr(lineStart).starts_with("A:") && (best == std::string_view::npos || lineStart + 2 > best))
            best = lineStart + 2;
    }
    return best;
}

// The marked answer phrase: up to the end of its line and its sentence.
std::string_view answerPhrase(std::string_view s)
{
    s = text::trim(s);
    const size_t nl = s.find('\n');
    if (nl != std::string_view::npos)
        s = s.substr(0, nl);
    for (size_t i = 0; i + 1 < s.size(); ++i)
        if (s[i] == '.' && s[i + 1] == ' ')
            return text::trim(s.substr(0, i + 1));
    return text::trim(s);
}

bool isQuote(std::string_view s, size_t i, size_t& len)
{
    const char c = s[i];
    if (c == '"' || c == '\'' || c == '`') {
        len = 1;
        return true;
    }
    // “ ” ‘ ’ (E2 80 9C/9D/98/99)
    if (i + 3 <= s.size() && static_cast<unsigned char>(c) == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80) {
        const unsigned char d = s[i + 2];
        if (d == 0x9C || d == 0x9D || d == 0x98 || d == 0x99) {
            len = 3;
            return true;
        }
    }
    return false;
}

// The content of the last \boxed{...} (braces balanced), where reasoning-era math traces put their final answer
// (DeepSeek-R1, OpenThoughts, s1, NuminaMath); nullopt without one.
std::optional<std::string_view> lastBoxed(std::string_view s)
{
    constexpr std::string_view kBoxed = "\\boxed{";
    const size_t at = s.rfind(kBoxed);
    if (at == std::string_view::npos)
        return std::nullopt;
    const size_t from = at + kBoxed.size();
    int depth = 1;
    for (size_t k = from; k < s.size(); ++k) {
        if (s[k] == '{')
            ++depth;
        else if (s[k] == '}' && --depth == 0)
            return s.substr(from, k - from);
    }
    return std::nullopt; // never closed
}

} // namespace

std::string canonicalNumber(std::string_view textIn)
{
    std::string digits;
    std::string_view t = text::trim(textIn);
    if (!t.empty() && t.back() == '.')
        t.remove_suffix(1);
    if (!t.empty() && t.front() == '$')
        t.remove_prefix(1);
    for (size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == ',' && i > 0 && i + 1 < t.size() && isDigit(t[i - 1]) && isDigit(t[i + 1]))
            continue;
        digits += c;
    }
    if (digits.empty())
        return {};
    double value = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(value))
        return {};
    if (value == 0)
        return "0";
    if (std::fabs(value) < 1e15 && value == std::floor(value)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", value);
        return buf;
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", value);
    return buf;
}

AnswerExtractor::AnswerExtractor(AnswerKind kind, std::vector<Choice> choices)
    : m_kind(kind), m_choices(std::move(choices))
{
}

std::string_view answerSentenceOf(std::string_view rationale)
{
    const size_t marker = afterMarker(rationale, true);
    if (marker == std::string_view::npos)
        return {};
    size_t begin = marker;
    while (begin > 0) {
        const char c = rationale[begin - 1];
        if (c == '\n' || ((c == ' ' || c == '\t') && begin >= 2 &&
                          (rationale[begin - 2] == '.' || rationale[begin - 2] == '!' || rationale[begin - 2] == '?')))
            break;
        --begin;
    }
    size_t end = rationale.find('\n', marker);
    if (end == std::string_view::npos)
        end = rationale.size();
    return text::trim(rationale.substr(begin, end - begin));
}

std::string AnswerExtractor::extract(std::string_view rationale, std::string_view answerSentence) const
{
    // Kojima et al.: the answer sentence was generated after the trigger; its first candidate is the answer.
    if (!text::trim(answerSentence).empty()) {
        const size_t start = afterMarker(answerSentence, false);
        const std::string_view segment =
            start == std::string_view::npos ? answerSentence : answerSentence.substr(start);
        const bool saysSomething =
            std::any_of(segment.begin(), segment.end(), [](char c) { return isAlpha(c) || isDigit(c); });
        if (saysSomething) {
            std::string found = firstCandidate(segment, false);
            // The teacher answered, but not with an answer of this kind ("the answer is moot"): no answer.
            if (!found.empty() || start != std::string_view::npos)
                return found;
        }
        // A sentence that ends at its trigger ("... the answer (Yes or No) is:") leaves the rationale to decide.
    }
    if (const auto boxed = lastBoxed(rationale)) {
        std::string found =
            m_kind == AnswerKind::Text ? std::string(text::trim(*boxed)) : firstCandidate(*boxed, false);
        if (!found.empty())
            return found;
    }
    const size_t start = afterMarker(rationale, true);
    if (start != std::string_view::npos) {
        std::string found = firstCandidate(rationale.substr(start), false);
        if (!found.empty())
            return found;
    }
    if (m_kind == AnswerKind::Text)
        return {};
    return firstCandidate(rationale, true);
}

std::string AnswerExtractor::firstCandidate(std::string_view segment, bool last) const
{
    switch (m_kind) {
    case AnswerKind::Choice:
        return choiceCandidate(segment, last);
    case AnswerKind::Number:
        return numberCandidate(segment, last);
    case AnswerKind::YesNo:
        return yesNoCandidate(segment, last);
    case AnswerKind::Text:
        return textCandidate(segment);
    }
    return {};
}

std::string AnswerExtractor::labelFor(std::string_view token) const
{
    if (m_choices.empty()) {
        // No choices known: accept a single letter as a label, upper case.
        if (token.size() == 1 && isAlpha(token[0]))
            return std::string(1, char(std::toupper(static_cast<unsigned char>(token[0]))));
        return {};
    }
    for (const Choice& c : m_choices)
        if (c.label.size() == token.size() && text::toLower(c.label) == text::toLower(token))
            return c.label;
    return {};
}

std::string AnswerExtractor::choiceCandidate(std::string_view s, bool last) const
{
    // 1. "(C)" or "C)" forms, which are unambiguous.
    std::string found;
    for (size_t i = 0; i < s.size(); ++i) {
        if (!isAlpha(s[i]) || i + 1 >= s.size() || s[i + 1] != ')')
            continue;
        if (i > 0 && isAlpha(s[i - 1]))
            continue;
        std::string label = labelFor(s.substr(i, 1));
        if (!label.empty()) {
            found = label;
            if (!last)
                return found;
        }
    }
    if (!found.empty() || last)
        return found;
    // 2. A bare upper-case label standing alone ("the answer is C.").
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c < 'A' || c > 'Z')
            continue;
        const bool alone = (i == 0 || !isAlpha(s[i - 1])) && (i + 1 == s.size() || !isAlpha(s[i + 1]));
        if (!alone)
            continue;
        std::string label = labelFor(s.substr(i, 1));
        if (!label.empty())
            return label;
    }
    // 3. The text of a choice ("the answer is math problem"); the earliest mention wins.
    size_t bestPos = std::string_view::npos;
    for (const Choice& c : m_choices) {
        if (c.text.empty())
            continue;
        const size_t at = text::findIgnoreCase(s, c.text);
        if (at != std::string_view::npos && at < bestPos) {
            bestPos = at;
            found = c.label;
        }
    }
    if (!found.empty())
        return found;
    // 4. Kojima et al.'s rule: the first upper-case letter that is a label, even inside a word.
    for (size_t i = 0; i < s.size(); ++i)
        if (s[i] >= 'A' && s[i] <= 'Z')
            if (std::string label = labelFor(s.substr(i, 1)); !label.empty() && label[0] == s[i])
                return label;
    return {};
}

std::string AnswerExtractor::numberCandidate(std::string_view s, bool last) const
{
    std::string found;
    for (size_t i = 0; i < s.size();) {
        const bool neg = s[i] == '-' && i + 1 < s.size() && isDigit(s[i + 1]) && (i == 0 || !isDigit(s[i - 1]));
        // "-$10,000": a negative amount of money.
        const bool negMoney =
            s[i] == '-' && i + 2 < s.size() && s[i + 1] == '$' && isDigit(s[i + 2]) && (i == 0 || !isDigit(s[i - 1]));
        if (!isDigit(s[i]) && !neg && !negMoney) {
            ++i;
            continue;
        }
        size_t j = neg ? i + 1 : negMoney ? i + 2 : i;
        while (j < s.size() && (isDigit(s[j]) || (s[j] == ',' && j + 1 < s.size() && isDigit(s[j + 1]))))
            ++j;
        if (j + 1 < s.size() && s[j] == '.' && isDigit(s[j + 1])) {
            ++j;
            while (j < s.size() && isDigit(s[j]))
                ++j;
        }
        std::string value =
            canonicalNumber(negMoney ? "-" + std::string(s.substr(i + 2, j - i - 2)) : std::string(s.substr(i, j - i)));
        if (!value.empty()) {
            found = value;
            if (!last)
                return found;
        }
        i = j;
    }
    return found;
}

std::string AnswerExtractor::yesNoCandidate(std::string_view s, bool last) const
{
    std::string found;
    for (size_t i = 0; i < s.size();) {
        if (!isAlpha(s[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < s.size() && isAlpha(s[j]))
            ++j;
        const std::string word = text::toLower(s.substr(i, j - i));
        if (word == "yes" || word == "no") {
            found = word;
            if (!last)
                return found;
        }
        i = j;
    }
    return found;
}

std::string AnswerExtractor::textCandidate(std::string_view s) const
{
    return normalize(answerPhrase(s));
}

std::string AnswerExtractor::normalize(std::string_view answer) const
{
    std::string_view t = text::trim(answer);
    switch (m_kind) {
    case AnswerKind::Choice: {
        while (!t.empty() && (t.front() == '(' || t.front() == '['))
            t.remove_prefix(1);
        while (!t.empty() && (t.back() == ')' || t.back() == ']' || t.back() == '.'))
            t.remove_suffix(1);
        t = text::trim(t);
        if (std::string label = labelFor(t); !label.empty())
            return label;
        for (const Choice& c : m_choices)
            if (text::toLower(c.text) == text::toLower(t))
                return c.label;
        return {};
    }
    case AnswerKind::Number:
        return canonicalNumber(t);
    case AnswerKind::YesNo: {
        const std::string lower = text::toLower(t);
        if (lower.starts_with("yes") && (lower.size() == 3 || !isAlpha(lower[3])))
            return "yes";
        if (lower.starts_with("no") && (lower.size() == 2 || !isAlpha(lower[2])))
            return "no";
        return {};
    }
    case AnswerKind::Text: {
        // Drop quotes anywhere and a final period; collapse whitespace.
        std::string out;
        bool space = false;
        for (size_t i = 0; i < t.size();) {
            size_t len = 0;
            if (isQuote(t, i, len)) {
                i += len;
                continue;
            }
            if (isSpace(t[i])) {
                space = !out.empty();
                ++i;
                continue;
            }
            if (space)
                out += ' ';
            space = false;
            out += t[i++];
        }
        while (!out.empty() && (out.back() == '.' || out.back() == ' '))
            out.pop_back();
        // Letters spelled out one by one ("l r n z") are one answer ("lrnz").
        bool spelled = out.size() >= 3;
        for (size_t i = 0; spelled && i < out.size(); ++i)
            spelled = (i % 2 == 0) ? out[i] != ' ' : out[i] == ' ';
        if (spelled)
            std::erase(out, ' ');
        return out;
    }
    }
    return {};
}

bool AnswerExtractor::matches(std::string_view answer, std::string_view gold) const
{
    const std::string a = normalize(answer);
    if (a.empty())
        return false;
    const std::string g = normalize(gold);
    if (m_kind == AnswerKind::Text || m_kind == AnswerKind::Choice)
        return text::toLower(a) == text::toLower(g);
    return a == g;
}

} // namespace cotlab::answers
