#include "stats/Proportions.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace cotlab::stats {

namespace {

// The continued fraction of the incomplete beta function (modified Lentz's method), valid for x < (a + 1) / (a + b +
// 2).
double betaContinuedFraction(double x, double a, double b)
{
    constexpr double kTiny = 1e-300;
    constexpr double kEpsilon = 1e-15;
    double c = 1;
    double d = 1 - (a + b) * x / (a + 1);
    d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
    double f = d;
    for (int m = 1; m <= 10000; ++m) {
        // Even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)); odd step: d_{2m+1} = -(a + m)(a + b + m) x / ...
        for (const double term : {double(m) * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                                  -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))}) {
            d = 1 + term * d;
            d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
            c = 1 + term / c;
            c = std::fabs(c) < kTiny ? kTiny : c;
            f *= c * d;
        }
        if (std::fabs(c * d - 1) < kEpsilon)
            break;
    }
    return f;
}

Proportion emptyProportion(int64_t successes, int64_t n, double level, IntervalMethod method)
{
    if (n < 0 || successes < 0 || successes > n)
        throw std::invalid_argument("a proportion needs 0 <= successes <= n");
    if (level <= 0 || level >= 1)
        throw std::invalid_argument("the confidence level must be between 0 and 1");
    Proportion p;
    p.successes = successes;
    p.n = n;
    p.level = level;
    p.method = method;
    p.estimate = n > 0 ? double(successes) / double(n) : 0.0;
    return p;
}

} // namespace

std::string methodName(IntervalMethod method)
{
    return method == IntervalMethod::Wilson ? "Wilson" : "Clopper-Pearson";
}

double normalQuantile(double p)
{
    if (!(p > 0 && p < 1))
        throw std::invalid_argument("normalQuantile needs 0 < p < 1");
    // Acklam's rational approximation (relative error 1.15e-9), then one Halley step on erfc to full precision.
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                               1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                               6.680131188771972e+01, -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    constexpr double kLow = 0.02425;
    double x;
    if (p < kLow) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - kLow) {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log1p(-p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
    const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

double regularizedBeta(double x, double a, double b)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    const double logFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return std::exp(logFront) * betaContinuedFraction(x, a, b) / a;
    return 1 - std::exp(logFront) * betaContinuedFraction(1 - x, b, a) / b; // I_x(a, b) = 1 - I_{1-x}(b, a)
}

double betaQuantile(double p, double a, double b)
{
    if (p <= 0)
        return 0;
    if (p >= 1)
        return 1;
    double low = 0, high = 1;
    for (int k = 0; k < 200 && high - low > 1e-15; ++k) { // the CDF is increasing: bisection is exact enough
        const double mid = (low + high) / 2;
        (regularizedBeta(mid, a, b) < p ? low : high) = mid;
    }
    return (low + high) / 2;
}

double binomialCdf(int64_t k, int64_t n, double p)
{
    if (k < 0)
        return 0;
    if (k >= n)
        return 1;
    return regularizedBeta(1 - p, double(n - k), double(k + 1)); // P(X <= k) = I_{1-p}(n - k, k + 1)
}

Proportion wilson(int64_t successes, int64_t n, double level)
{
    emptyProportion(successes, n, level, IntervalMethod::Wilson); // checks the arguments
    return wilsonOfMean(n > 0 ? double(successes) / double(n) : 0.0, n, level);
}

Proportion wilsonOfMean(double mean, int64_t n, double level)
{
    if (!(mean >= 0 && mean <= 1))
        throw std::invalid_argument("a mean of values in [0, 1] must be in [0, 1]");
    Proportion out = emptyProportion(0, n, level, IntervalMethod::Wilson);
    out.successes = int64_t(std::llround(mean * double(n)));
    if (n == 0)
        return out;
    out.estimate = mean;
    const double z = normalQuantile(1 - (1 - level) / 2), z2 = z * z;
    const double m = double(n);
    const double centre = (mean * m + z2 / 2) / (m + z2);
    const double half = z / (m + z2) * std::sqrt(m * mean * (1 - mean) + z2 / 4);
    out.low = mean == 0 ? 0.0 : std::max(0.0, centre - half);
    out.high = mean == 1 ? 1.0 : std::min(1.0, centre + half);
    return out;
}

Proportion clopperPearson(int64_t successes, int64_t n, double level)
{
    Proportion out = emptyProportion(successes, n, level, IntervalMethod::ClopperPearson);
    if (n == 0)
        return out;
    const double tail = (1 - level) / 2, x = double(successes), m = double(n);
    out.low = successes == 0 ? 0.0 : betaQuantile(tail, x, m - x + 1);
    out.high = successes == n ? 1.0 : betaQuantile(1 - tail, x + 1, m - x);
    return out;
}

PairedComparison mcnemar(const std::vector<std::pair<bool, bool>>& pairs, double level)
{
    int64_t a = 0, b = 0, c = 0, d = 0;
    for (const auto& [first, second] : pairs)
        ++(first ? (second ? a : b) : (second ? c : d));
    return mcnemar(a, b, c, d, level);
}

PairedComparison mcnemar(int64_t a, int64_t b, int64_t c, int64_t d, double level)
{
    PairedComparison out;
    out.bothRight = a, out.onlyFirst = b, out.onlySecond = c, out.bothWrong = d;
    out.n = a + b + c + d;
    out.level = level;
    if (out.n == 0) {
        out.low = -1, out.high = 1;
        return out;
    }
    const double n = double(out.n);
    out.firstAccuracy = double(a + b) / n;
    out.secondAccuracy = double(a + c) / n;
    out.difference = out.secondAccuracy - out.firstAccuracy;
    out.pValue = std::min(1.0, 2 * binomialCdf(std::min(b, c), b + c, 0.5));

    // Newcombe's method 10 for D = first - second, then turned around.
    const Proportion first = wilson(a + b, out.n, level), second = wilson(a + c, out.n, level);
    const double product = double(a + b) * double(c + d) * double(a + c) * double(b + d);
    double phi = 0;
    if (product > 0) {
        const double cross = double(a) * double(d) - double(b) * double(c);
        const double corrected = cross > n / 2 ? cross - n / 2 : cross < 0 ? cross : 0.0;
        phi = corrected / std::sqrt(product);
    }
    const double d1 = first.estimate - first.low, e1 = first.high - first.estimate;
    const double d2 = second.estimate - second.low, e2 = second.high - second.estimate;
    const double firstMinusSecond = -out.difference;
    const double lower = firstMinusSecond - std::sqrt(std::max(0.0, d1 * d1 - 2 * phi * d1 * e2 + e2 * e2));
    const double upper = firstMinusSecond + std::sqrt(std::max(0.0, d2 * d2 - 2 * phi * d2 * e1 + e1 * e1));
    out.low = -upper;
    out.high = -lower;
    return out;
}

namespace {

std::string format(const char* pattern, double a, double b, double c)
{
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, pattern, a, b, c);
    return buffer;
}

std::string levelText(double level)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%g%%", 100 * level);
    return buffer;
}

} // namespace

std::string describe(const Proportion& p)
{
    if (p.n == 0)
        return "no outcomes yet (n = 0)";
    return format("%.1f%% [%.1f, %.1f]", 100 * p.estimate, 100 * p.low, 100 * p.high) + " (n = " + std::to_string(p.n) +
           ", " + levelText(p.level) + " " + methodName(p.method) + ")";
}

std::string describe(const PairedComparison& c)
{
    if (c.n == 0)
        return "no paired outcomes yet (n = 0)";
    char p[32];
    std::snprintf(p, sizeof p, "%.3g", c.pValue);
    return format("%+.1f points [%+.1f, %+.1f]", 100 * c.difference, 100 * c.low, 100 * c.high) +
           " (n = " + std::to_string(c.n) + " paired, " + levelText(c.level) + " Newcombe; McNemar exact p = " + p +
           ")";
}

} // namespace cotlab::stats
