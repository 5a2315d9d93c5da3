#pragma once

// Accuracy with its uncertainty, and majority voting over sampled answers (no torch, no Qt).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cotlab::eval {

struct AccuracyInterval {
    double accuracy = 0;
    double low = 0;
    double high = 0;
};

// Accuracy of 'correct' out of 'n' with its percentile bootstrap interval, computed exactly rather than by
// resampling: the accuracy of a bootstrap resample of n 0/1 outcomes is Binomial(n, correct/n) / n, so the
// interval's ends are that distribution's quantiles at (1 - level)/2 and (1 + level)/2, where the q-quantile is
// the smallest k with P(K <= k) >= q. n = 0 gives all zeros.
AccuracyInterval accuracyWithInterval(int64_t correct, int64_t n, double level = 0.95);

// Accuracy on original questions and on their contrast (perturbed) versions over the same pairs, and the
// difference contrast - original with its paired percentile bootstrap interval, computed exactly: a resample of n
// pairs draws k+ pairs where only the contrast is right and k- where only the original is, from a multinomial, and
// its difference is (k+ - k-) / n; the interval's ends are that distribution's quantiles. O(n^2) in the pairs.
struct PairedDifference {
    int64_t pairs = 0;
    double original = 0, contrast = 0;
    double difference = 0, low = 0, high = 0;
};
PairedDifference pairedDifference(const std::vector<std::pair<bool, bool>>& originalAndContrastCorrect,
                                  double level = 0.95);

// Self-consistency's vote over normalised answers in sample order ("" = no answer found, never a vote). The most
// frequent answer wins; a tie goes to the tied answer that appeared first. "" when no sample gave an answer.
std::string majorityVote(const std::vector<std::string>& answers);

} // namespace cotlab::eval
