#include "text/ReasoningParts.h"

#include "util/Text.h"

namespace cotlab::text {

namespace {

constexpr std::string_view kThinkOpen = "<think>";
constexpr std::string_view kThinkClose = "</think>";
constexpr std::string_view kThoughtOpen = "<|begin_of_thought|>";
constexpr std::string_view kThoughtClose = "<|end_of_thought|>";
constexpr std::string_view kSolutionOpen = "<|begin_of_solution|>";
constexpr std::string_view kSolutionClose = "<|end_of_solution|>";
constexpr std::string_view kS1Think = "<|im_start|>think";
constexpr std::string_view kS1Answer = "<|im_start|>answer";
constexpr std::string_view kImEnd = "<|im_end|>";

// What lies between 'open' (at 'from') and 'close', or up to the end when close is absent.
std::string_view between(std::string_view text, size_t from, std::string_view close)
{
    const size_t end = text.find(close, from);
    return text.substr(from, end == std::string_view::npos ? std::string_view::npos : end - from);
}

std::optional<ReasoningParts> thought(std::string_view text)
{
    const size_t open = text.find(kThoughtOpen);
    const size_t solution = text.find(kSolutionOpen);
    if (open == std::string_view::npos && solution == std::string_view::npos)
        return std::nullopt;
    ReasoningParts p{ReasoningMarkers::Thought, {}, {}};
    if (open != std::string_view::npos) {
        const size_t from = open + kThoughtOpen.size();
        std::string_view t = between(text, from, kThoughtClose);
        if (solution != std::string_view::npos && solution > from && solution < from + t.size())
            t = t.substr(0, solution - from); // a solution without an end of thought
        p.thinking = trim(t);
    }
    if (solution != std::string_view::npos)
        p.answer = trim(between(text, solution + kSolutionOpen.size(), kSolutionClose));
    return p;
}

std::optional<ReasoningParts> s1(std::string_view text)
{
    const size_t think = text.find(kS1Think);
    const size_t answer = text.find(kS1Answer);
    if (think == std::string_view::npos && answer == std::string_view::npos)
        return std::nullopt;
    ReasoningParts p{ReasoningMarkers::S1, {}, {}};
    if (think != std::string_view::npos) {
        const size_t from = think + kS1Think.size();
        const size_t end = answer != std::string_view::npos && answer > from ? answer : text.size();
        p.thinking = trim(text.substr(from, end - from));
    }
    if (answer != std::string_view::npos)
        p.answer = trim(between(text, answer + kS1Answer.size(), kImEnd));
    return p;
}

std::optional<ReasoningParts> think(std::string_view text)
{
    const size_t close = text.find(kThinkClose);
    const size_t open = text.find(kThinkOpen);
    if (close == std::string_view::npos && open == std::string_view::npos)
        return std::nullopt;
    ReasoningParts p{ReasoningMarkers::Think, {}, {}};
    if (close == std::string_view::npos) { // cut off while thinking
        p.thinking = trim(text.substr(open + kThinkOpen.size()));
        return p;
    }
    const size_t from = open != std::string_view::npos && open < close ? open + kThinkOpen.size() : 0;
    p.thinking = trim(text.substr(from, close - from));
    p.answer = trim(text.substr(close + kThinkClose.size()));
    return p;
}

} // namespace

std::string_view toString(ReasoningMarkers markers)
{
    switch (markers) {
    case ReasoningMarkers::None:
        return "none";
    case ReasoningMarkers::Think:
        return "think";
    case ReasoningMarkers::Thought:
        return "thought";
    case ReasoningMarkers::S1:
        return "s1";
    }
    return "none";
}

ReasoningParts splitReasoning(std::string_view text)
{
    // Every marker starts with '<': most rationales have none at all, and one scan for it says so.
    if (text.find('<') == std::string_view::npos)
        return {ReasoningMarkers::None, {}, trim(text)};
    if (auto p = thought(text))
        return *p;
    if (auto p = s1(text))
        return *p;
    if (auto p = think(text))
        return *p;
    return {ReasoningMarkers::None, {}, trim(text)};
}

SearchColumns searchColumns(std::string_view text)
{
    const ReasoningParts parts = splitReasoning(text);
    if (parts.markers == ReasoningMarkers::None)
        return {std::nullopt, text};
    return {parts.thinking, parts.answer};
}

std::string joinReasoning(std::string_view thinking, std::string_view answer)
{
    thinking = trim(thinking);
    if (thinking.empty())
        return std::string(answer);
    std::string out;
    out.reserve(thinking.size() + answer.size() + 24);
    out += kThinkOpen;
    out += '\n';
    out += thinking;
    out += '\n';
    out += kThinkClose;
    out += "\n\n";
    out += trim(answer);
    return out;
}

} // namespace cotlab::text
