#pragma once

// Self-consistency's vote over sampled answers (no torch, no Qt).
#include <string>
#include <vector>

namespace cotlab::eval {

// The vote over normalised answers in sample order ("" = no answer found, never a vote). The most frequent answer
// wins; a tie goes to the tied answer that appeared first. "" when no sample gave an answer.
std::string majorityVote(const std::vector<std::string>& answers);

} // namespace cotlab::eval
