#pragma once

// Statistics fit for a paper on binomial outcomes (accuracy, preference shares, per-criterion rates): proportions
// with score or exact intervals that stay right at small n, paired comparisons of two systems on the same items,
// and the distributions they need. No dependencies beyond the standard library.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cotlab::stats {

enum class IntervalMethod {
    Wilson,         // Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it for all n)
    ClopperPearson, // exact: inverts two one-sided binomial tests (Clopper & Pearson 1934); conservative
};
std::string methodName(IntervalMethod method); // "Wilson", "Clopper-Pearson"

// A proportion successes / n with its interval; every number carries its n. n = 0 gives estimate 0 and the
// whole range [0, 1] (nothing is known).
struct Proportion {
    int64_t successes = 0;
    int64_t n = 0;
    double estimate = 0, low = 0, high = 1;
    double level = 0.95;
    IntervalMethod method = IntervalMethod::Wilson;
};

Proportion wilson(int64_t successes, int64_t n, double level = 0.95);
// The Wilson interval around the mean of n values in [0, 1] (each item's share of annotators, say): exact Wilson when
// every value is 0 or 1, and conservative otherwise, since a value in [0, 1] with mean p varies no more than a 0/1
// outcome does (variance at most p(1 - p)). `successes` is then the rounded sum.
Proportion wilsonOfMean(double mean, int64_t n, double level = 0.95);
Proportion clopperPearson(int64_t successes, int64_t n, double level = 0.95);

// Two systems on the same items, each right or wrong: McNemar's exact test. Only the discordant items count:
// b where only the first is right, c where only the second is. The two-sided p-value is the exact binomial one,
// min(1, 2 P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2), as R's binom.test(b, b + c) and mcnemar.exact give;
// the difference in accuracy (c - b) / n has Newcombe's paired score interval (method 10, Newcombe 1998), built
// from the Wilson intervals of the two accuracies and the phi correlation of the 2x2 table.
struct PairedComparison {
    int64_t n = 0;          // items with both results
    int64_t bothRight = 0;  // a
    int64_t onlyFirst = 0;  // b
    int64_t onlySecond = 0; // c
    int64_t bothWrong = 0;  // d
    double firstAccuracy = 0, secondAccuracy = 0;
    double difference = 0, low = 0, high = 0; // second - first, with its interval
    double pValue = 1;                        // McNemar's exact test of "no difference"
    double level = 0.95;
};
PairedComparison mcnemar(const std::vector<std::pair<bool, bool>>& firstAndSecondCorrect, double level = 0.95);
PairedComparison mcnemar(int64_t bothRight, int64_t onlyFirst, int64_t onlySecond, int64_t bothWrong,
                         double level = 0.95);

// "58.3% [37.5, 79.2] (n = 24, 95% Wilson)": a proportion as reports print it, method and n always shown.
std::string describe(const Proportion& p);
// "+12.5 points [+1.1, +22.6] (n = 41 paired, 95% Newcombe; McNemar exact p = 0.0625)".
std::string describe(const PairedComparison& c);

// Distributions.
double normalQuantile(double p);                      // the standard normal's inverse CDF, 0 < p < 1
double regularizedBeta(double x, double a, double b); // I_x(a, b), the Beta(a, b) CDF
double betaQuantile(double p, double a, double b);    // its inverse
double binomialCdf(int64_t k, int64_t n, double p);   // P(X <= k), X ~ Binomial(n, p)

} // namespace cotlab::stats
