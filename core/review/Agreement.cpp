#include "review/Agreement.h"

#include "stats/Proportions.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace cotlab::review {

std::optional<double> cohensKappa(const std::vector<std::optional<int>>& a, const std::vector<std::optional<int>>& b)
{
    if (a.size() != b.size())
        throw std::invalid_argument("cohensKappa: the two annotators rate different numbers of units");
    int categories = 0;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i] && b[i])
            categories = std::max({categories, *a[i] + 1, *b[i] + 1});
    std::vector<double> marginalA(size_t(categories), 0), marginalB(size_t(categories), 0);
    double n = 0, agree = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        if (!a[i] || !b[i])
            continue;
        n += 1;
        agree += *a[i] == *b[i];
        marginalA[size_t(*a[i])] += 1;
        marginalB[size_t(*b[i])] += 1;
    }
    if (n == 0)
        return std::nullopt;
    double chance = 0;
    for (int c = 0; c < categories; ++c)
        chance += (marginalA[size_t(c)] / n) * (marginalB[size_t(c)] / n);
    if (chance >= 1)
        return std::nullopt;
    return (agree / n - chance) / (1 - chance);
}

std::optional<double> fleissKappa(const std::vector<std::vector<int64_t>>& counts)
{
    if (counts.empty())
        return std::nullopt;
    const size_t categories = counts.front().size();
    int64_t raters = 0;
    for (int64_t c : counts.front())
        raters += c;
    if (raters < 2)
        throw std::invalid_argument("fleissKappa: each unit needs at least two ratings");
    std::vector<double> categoryTotals(categories, 0);
    double sumAgreement = 0;
    for (const auto& unit : counts) {
        if (unit.size() != categories)
            throw std::invalid_argument("fleissKappa: units have different numbers of categories");
        int64_t unitRaters = 0, pairs = 0;
        for (size_t j = 0; j < categories; ++j) {
            unitRaters += unit[j];
            pairs += unit[j] * (unit[j] - 1);
            categoryTotals[j] += double(unit[j]);
        }
        if (unitRaters != raters)
            throw std::invalid_argument("fleissKappa: every unit needs the same number of ratings");
        sumAgreement += double(pairs) / double(raters * (raters - 1));
    }
    const double units = double(counts.size());
    const double observed = sumAgreement / units;
    double chance = 0;
    for (double total : categoryTotals) {
        const double p = total / (units * double(raters));
        chance += p * p;
    }
    if (chance >= 1)
        return std::nullopt;
    return (observed - chance) / (1 - chance);
}

std::optional<double> krippendorffAlpha(const std::vector<std::vector<std::optional<int>>>& ratings, AlphaMetric metric)
{
    int categories = 0;
    for (const auto& unit : ratings)
        for (const auto& value : unit)
            if (value)
                categories = std::max(categories, *value + 1);
    const auto k = size_t(categories);
    // Coincidence matrix: each ordered pair of values within a unit of m values counts 1 / (m - 1).
    std::vector<double> coincidence(k * k, 0);
    std::vector<int> values;
    for (const auto& unit : ratings) {
        values.clear();
        for (const auto& value : unit)
            if (value)
                values.push_back(*value);
        const size_t m = values.size();
        if (m < 2)
            continue;
        for (size_t i = 0; i < m; ++i)
            for (size_t j = 0; j < m; ++j)
                if (i != j)
                    coincidence[size_t(values[i]) * k + size_t(values[j])] += 1.0 / double(m - 1);
    }
    std::vector<double> marginal(k, 0);
    double n = 0;
    for (size_t c = 0; c < k; ++c) {
        for (size_t d = 0; d < k; ++d)
            marginal[c] += coincidence[c * k + d];
        n += marginal[c];
    }
    if (n < 2)
        return std::nullopt;
    auto distance = [&](size_t c, size_t d) -> double {
        if (c == d)
            return 0;
        switch (metric) {
        case AlphaMetric::Nominal:
            return 1;
        case AlphaMetric::Interval:
            return double(c > d ? c - d : d - c) * double(c > d ? c - d : d - c);
        case AlphaMetric::Ordinal: {
            const size_t low = std::min(c, d), high = std::max(c, d);
            double between = 0;
            for (size_t g = low; g <= high; ++g)
                between += marginal[g];
            between -= (marginal[low] + marginal[high]) / 2;
            return between * between;
        }
        }
        return 1;
    };
    double observed = 0, expected = 0;
    for (size_t c = 0; c < k; ++c)
        for (size_t d = 0; d < k; ++d) {
            const double delta = distance(c, d);
            observed += coincidence[c * k + d] * delta;
            expected += marginal[c] * marginal[d] * delta;
        }
    expected /= n - 1;
    if (expected <= 0)
        return std::nullopt;
    return 1 - observed / expected;
}

MeanInterval bootstrapMean(const std::vector<double>& values, uint64_t seed, int resamples, double level)
{
    MeanInterval out;
    out.n = int64_t(values.size());
    out.method = "percentile bootstrap";
    if (values.empty())
        return out;
    double sum = 0;
    for (double v : values)
        sum += v;
    out.mean = out.low = out.high = sum / double(values.size());
    if (values.size() < 2 || resamples < 1)
        return out;
    std::mt19937_64 generator(seed);
    std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
    std::vector<double> means(static_cast<size_t>(resamples));
    for (double& mean : means) {
        double resampled = 0;
        for (size_t i = 0; i < values.size(); ++i)
            resampled += values[pick(generator)];
        mean = resampled / double(values.size());
    }
    std::sort(means.begin(), means.end());
    const double tail = (1 - level) / 2;
    auto quantile = [&](double q) {
        const auto index = size_t(std::clamp(std::floor(q * double(resamples)), 0.0, double(resamples - 1)));
        return means[index];
    };
    out.low = quantile(tail);
    out.high = quantile(1 - tail);
    return out;
}

MeanInterval wilsonShare(const std::vector<double>& shares, double level)
{
    double sum = 0;
    for (double v : shares)
        sum += v;
    const auto n = int64_t(shares.size());
    const auto p = stats::wilsonOfMean(n > 0 ? std::clamp(sum / double(n), 0.0, 1.0) : 0.0, n, level);
    return {n, p.estimate, p.low, p.high, "Wilson"};
}

} // namespace cotlab::review
