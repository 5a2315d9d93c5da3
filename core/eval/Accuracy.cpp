#include "eval/Accuracy.h"

#include <cmath>
#include <map>
#include <vector>

namespace cotlab::eval {

namespace {

// Smallest k with P(K <= k) >= q for K ~ Binomial(n, p), 0 < p < 1.
int64_t binomialQuantile(int64_t n, double p, double q)
{
    const double logP = std::log(p), logQ = std::log1p(-p);
    double cdf = 0;
    for (int64_t k = 0; k <= n; ++k) {
        const double logPmf = std::lgamma(double(n) + 1) - std::lgamma(double(k) + 1) - std::lgamma(double(n - k) + 1) +
                              double(k) * logP + double(n - k) * logQ;
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

PairedDifference pairedDifference(const std::vector<std::pair<bool, bool>>& pairs, double level)
{
    PairedDifference out;
    const auto n = int64_t(pairs.size());
    out.pairs = n;
    if (n == 0)
        return out;
    int64_t original = 0, contrast = 0, onlyContrast = 0, onlyOriginal = 0;
    for (const auto& [o, c] : pairs) {
        original += o;
        contrast += c;
        onlyContrast += c && !o;
        onlyOriginal += o && !c;
    }
    out.original = double(original) / double(n);
    out.contrast = double(contrast) / double(n);
    out.difference = double(onlyContrast - onlyOriginal) / double(n);
    out.low = out.high = out.difference;
    const double pPlus = double(onlyContrast) / double(n), pMinus = double(onlyOriginal) / double(n);
    const double pSame = 1 - pPlus - pMinus;
    if (pPlus == 0 && pMinus == 0)
        return out; // every resample agrees on every pair
    // P(k+ - k- = d) for d in [-n, n], summing the multinomial over (k+, k-).
    std::vector<double> logFactorial(size_t(n) + 1, 0.0);
    for (int64_t k = 1; k <= n; ++k)
        logFactorial[size_t(k)] = logFactorial[size_t(k - 1)] + std::log(double(k));
    auto logOf = [](double p, int64_t k) { return k == 0 ? 0.0 : double(k) * std::log(p); };
    std::vector<double> pmf(size_t(2 * n) + 1, 0.0);
    for (int64_t plus = 0; plus <= n; ++plus) {
        if (pPlus == 0 && plus > 0)
            break;
        for (int64_t minus = 0; plus + minus <= n; ++minus) {
            if (pMinus == 0 && minus > 0)
                break;
            const int64_t same = n - plus - minus;
            if (pSame <= 0 && same > 0)
                continue;
            const double logPmf = logFactorial[size_t(n)] - logFactorial[size_t(plus)] - logFactorial[size_t(minus)] -
                                  logFactorial[size_t(same)] + logOf(pPlus, plus) + logOf(pMinus, minus) +
                                  logOf(pSame, same);
            pmf[size_t(plus - minus + n)] += std::exp(logPmf);
        }
    }
    const double tail = (1 - level) / 2;
    auto quantile = [&](double q) {
        double cdf = 0;
        for (int64_t d = -n; d <= n; ++d) {
            cdf += pmf[size_t(d + n)];
            if (cdf >= q * (1 - 1e-12))
                return d;
        }
        return n;
    };
    out.low = double(quantile(tail)) / double(n);
    out.high = double(quantile(1 - tail)) / double(n);
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
