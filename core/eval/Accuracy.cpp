#include "eval/Accuracy.h"

#include <cmath>
#include <map>

namespace cotlab::eval {

namespace {

// Smallest k with P(K <= k) >= q for K ~ Binomial(n, p), 0 < p < 1.
int64_t binomialQuantile(int64_t n, double p, double q)
{
    const double logP = std::log(p), logQ = std::log1p(-p);
    double cdf = 0;
    for (int64_t k = 0; k <= n; ++k) {
        const double logPmf = std::lgamma(double(n) + 1) - std::lgamma(double(k) + 1) -
                              std::lgamma(double(n - k) + 1) + double(k) * logP + double(n - k) * logQ;
        cdf += std::exp(logPmf);
        // A relative tolerance keeps rounding from moving a quantile that sits exactly on q.
        if (cdf >= q * (1 - 1e-12))
            return k;
    }
    return n;
}

} // namespace

AccuracyInterval accuracyWithInterval(int64_t correct, int64_t n, double level)
{
    AccuracyInterval out;
    if (n <= 0)
        return out;
    const double p = double(correct) / double(n);
    out.accuracy = out.low = out.high = p;
    if (correct <= 0 || correct >= n)
        return out; // every resample is the same
    const double tail = (1 - level) / 2;
    out.low = double(binomialQuantile(n, p, tail)) / double(n);
    out.high = double(binomialQuantile(n, p, 1 - tail)) / double(n);
    return out;
}

std::string majorityVote(const std::vector<std::string>& answers)
{
    std::map<std::string, int64_t> counts;
    for (const auto& a : answers)
        if (!a.empty())
            ++counts[a];
    std::string best;
    int64_t bestCount = 0;
    for (const auto& a : answers) // sample order: the first of tied answers wins
        if (!a.empty() && counts[a] > bestCount) {
            best = a;
            bestCount = counts[a];
        }
    return best;
}

} // namespace cotlab::eval
