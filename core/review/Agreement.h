#pragma once

// Inter-annotator agreement and rating summaries for human evaluation (no torch, no Qt). Ratings are category
// indexes 0..k-1; for ordinal and interval statistics the index order is the scale's order.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::review {

// Cohen's kappa of two annotators over the units both rated: (po - pe) / (1 - pe), with pe from each annotator's
// own marginal distribution. None when no unit was rated by both or when pe = 1 (both always chose one category).
std::optional<double> cohensKappa(const std::vector<std::optional<int>>& a, const std::vector<std::optional<int>>& b);

// Fleiss' kappa (Fleiss 1971) from counts[unit][category], the number of annotators who put the unit in the
// category; every unit must have the same number (>= 2) of ratings (throws std::invalid_argument otherwise). None
// when there is no unit or chance agreement is 1.
std::optional<double> fleissKappa(const std::vector<std::vector<int64_t>>& counts);

enum class AlphaMetric { Nominal, Ordinal, Interval };

// Krippendorff's alpha from reliability data ratings[unit][annotator] (missing ratings allowed), computed from the
// coincidence matrix as in Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability". Units with fewer than
// two ratings are not pairable and are left out. Ordinal distances use the marginal frequencies of the categories
// between the two ranks; interval distances the squared difference of the indexes. None when fewer than two
// pairable values exist or all values are the same.
std::optional<double> krippendorffAlpha(const std::vector<std::vector<std::optional<int>>>& ratings,
                                        AlphaMetric metric);

// A mean over n units with its 95% interval and the method that made it ("Wilson" for shares and yes/no rates,
// "percentile bootstrap" for ratings); reports print all three.
struct MeanInterval {
    int64_t n = 0;
    double mean = 0, low = 0, high = 0;
    std::string method;
};
// The share of n units (each a value in [0, 1]: an item's share of its annotators) with the Wilson interval
// (stats::wilsonOfMean).
MeanInterval wilsonShare(const std::vector<double>& shares, double level = 0.95);

// The mean of one value per unit with its percentile bootstrap interval (units resampled with replacement,
// `resamples` times, from a seeded generator: the same input gives the same interval).
MeanInterval bootstrapMean(const std::vector<double>& values, uint64_t seed = 0, int resamples = 2000,
                           double level = 0.95);

} // namespace cotlab::review
