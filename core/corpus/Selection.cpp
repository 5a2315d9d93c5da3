#include "corpus/Selection.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace cotlab::corpus {

namespace {

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ULL)
{
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

bool isWordByte(unsigned char c)
{
    return std::isalnum(c) || c >= 0x80; // bytes of non-ASCII letters stay inside words
}

} // namespace

std::vector<uint64_t> wordTrigrams(std::string_view text)
{
    std::vector<std::string> words;
    std::string word;
    for (unsigned char c : text) {
        if (isWordByte(c)) {
            word += char(c < 0x80 ? std::tolower(c) : c);
        } else if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty())
        words.push_back(std::move(word));
    std::vector<uint64_t> grams;
    if (words.empty())
        return grams;
    const size_t n = words.size() < 3 ? 1 : words.size() - 2;
    for (size_t i = 0; i < n; ++i) {
        uint64_t h = 1469598103934665603ULL;
        for (size_t k = i; k < std::min(words.size(), i + 3); ++k)
            h = fnv1a(words[k], fnv1a(" ", h));
        grams.push_back(h);
    }
    std::sort(grams.begin(), grams.end());
    grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
    return grams;
}

double jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b)
{
    if (a.empty() && b.empty())
        return 1.0;
    size_t common = 0, i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i] == b[j]) {
            ++common, ++i, ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return double(common) / double(a.size() + b.size() - common);
}

std::vector<size_t> farthestPoints(const std::vector<std::vector<uint64_t>>& grams, size_t k)
{
    const size_t n = grams.size();
    k = std::min(k, n);
    std::vector<size_t> picked;
    if (k == 0)
        return picked;
    std::vector<std::vector<double>> d(n, std::vector<double>(n, 0.0));
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j)
            d[i][j] = d[j][i] = 1.0 - jaccard(grams[i], grams[j]);
    size_t first = 0;
    double best = -1;
    for (size_t i = 0; i < n; ++i) {
        double sum = 0;
        for (size_t j = 0; j < n; ++j)
            sum += d[i][j];
        if (sum > best + 1e-12) {
            best = sum;
            first = i;
        }
    }
    picked.push_back(first);
    std::vector<double> nearest(d[first]);
    std::vector<bool> taken(n, false);
    taken[first] = true;
    while (picked.size() < k) {
        size_t next = n;
        double far = -1;
        for (size_t i = 0; i < n; ++i)
            if (!taken[i] && nearest[i] > far + 1e-12) {
                far = nearest[i];
                next = i;
            }
        picked.push_back(next);
        taken[next] = true;
        for (size_t i = 0; i < n; ++i)
            nearest[i] = std::min(nearest[i], d[next][i]);
    }
    return picked;
}

double answerEntropy(const std::vector<std::string>& answers)
{
    if (answers.empty())
        return 0;
    std::map<std::string_view, int64_t> counts;
    for (const auto& a : answers)
        ++counts[a];
    double h = 0;
    for (const auto& [answer, count] : counts) {
        const double p = double(count) / double(answers.size());
        h -= p * std::log2(p);
    }
    return h;
}

int64_t distinctAnswers(const std::vector<std::string>& answers)
{
    std::vector<std::string_view> v(answers.begin(), answers.end());
    std::sort(v.begin(), v.end());
    return std::unique(v.begin(), v.end()) - v.begin();
}

int64_t characterCount(std::string_view utf8)
{
    return std::count_if(utf8.begin(), utf8.end(),
                         [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

} // namespace cotlab::corpus
