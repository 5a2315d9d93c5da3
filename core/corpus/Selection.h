#pragma once

// The measures the corpus steps select by (docs/corpus.md gives their definitions and sources).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::corpus {

// The text's word trigrams, hashed, sorted and unique. Words are runs of letters and digits, lower-cased (ASCII);
// a text of one or two words gives one gram of those words; a text without words gives none.
std::vector<uint64_t> wordTrigrams(std::string_view text);

// |a ∩ b| / |a ∪ b| of two sorted unique sets; 1 when both are empty.
double jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

// Greedy farthest-point selection of up to k items under the distance 1 - jaccard: first the item with the largest
// mean distance to all others, then, one at a time, the item whose nearest already-picked item is farthest. Ties
// go to the lower index. Returns the picked indices in pick order.
std::vector<size_t> farthestPoints(const std::vector<std::vector<uint64_t>>& grams, size_t k);

// Shannon entropy in bits of the distribution of answers ("" counts as one answer: no answer).
double answerEntropy(const std::vector<std::string>& answers);
int64_t distinctAnswers(const std::vector<std::string>& answers);

// Characters (Unicode code points) of UTF-8 text.
int64_t characterCount(std::string_view utf8);

} // namespace cotlab::corpus
