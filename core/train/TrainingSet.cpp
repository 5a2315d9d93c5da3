#include "train/TrainingSet.h"

#include "util/Error.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

namespace cotlab::train {

LengthFit lengthFit(int64_t promptTokens, int64_t totalTokens, int64_t maxLength)
{
    if (promptTokens >= maxLength)
        return LengthFit::LeftOut;
    return totalTokens > maxLength ? LengthFit::Cut : LengthFit::Fits;
}

TrainingSet TrainingSet::build(const std::vector<Example>& examples, const text::Tokenizer& tokenizer,
                               int64_t maxLength)
{
    if (maxLength < 2)
        throw Error("maximum sequence length must be at least 2 tokens");
    TrainingSet set;
    for (const Example& e : examples) {
        TokenizedExample t;
        if (e.chat && !e.templated)
            throw Error("a chat format's example was not laid out with the student's chat template");
        std::vector<int32_t> target;
        if (e.templated) {
            // A chat template's text holds its special tokens itself, and is tokenised whole as the model reads it
            // (a SentencePiece tokenizer would start a separately tokenised target with a word-start space); the
            // loss starts at the first token that is not the prompt's alone.
            t.ids = tokenizer.encodeTemplated(e.prompt);
            target = tokenizer.encodeTemplated(e.prompt + e.target);
            size_t common = 0;
            while (common < t.ids.size() && common < target.size() && t.ids[common] == target[common])
                ++common;
            t.ids.resize(common);
            target.erase(target.begin(), target.begin() + std::ptrdiff_t(common));
        } else {
            t.ids = tokenizer.encode(e.prompt);
            // The target continues the prompt: tokenise it without a second BOS.
            target = tokenizer.encode(e.target);
            if (!target.empty() && tokenizer.bosId() >= 0 && target.front() == tokenizer.bosId())
                target.erase(target.begin());
        }
        t.promptTokens = int32_t(t.ids.size());
        // A format with its loss on the prompt too learns every token but a BOS (nothing predicts it).
        t.promptLength =
            e.lossOnPrompt ? int32_t(!t.ids.empty() && t.ids.front() == tokenizer.bosId()) : int32_t(t.ids.size());
        t.ids.insert(t.ids.end(), target.begin(), target.end());
        if (tokenizer.eosId() >= 0 && !e.templated)
            t.ids.push_back(tokenizer.eosId());
        const auto fit = lengthFit(t, maxLength);
        if (fit == LengthFit::LeftOut) {
            ++set.m_skipped;
            continue;
        }
        if (fit == LengthFit::Cut) {
            t.ids.resize(size_t(maxLength));
            ++set.m_truncated;
        }
        set.m_targetTokens += int64_t(t.ids.size()) - t.promptLength;
        set.m_examples.push_back(std::move(t));
    }
    set.unpack();
    return set;
}

void TrainingSet::unpack()
{
    m_rows.clear();
    for (size_t i = 0; i < m_examples.size(); ++i)
        m_rows.push_back({i});
    m_packed = false;
}

int64_t TrainingSet::rowTokens(size_t row) const
{
    int64_t tokens = 0;
    for (size_t i : m_rows[row])
        tokens += int64_t(m_examples[i].ids.size());
    return tokens;
}

void TrainingSet::pack(int64_t rowLength)
{
    for (const auto& e : m_examples)
        if (int64_t(e.ids.size()) > rowLength)
            throw Error("an example of " + std::to_string(e.ids.size()) + " tokens does not fit a packed row of " +
                        std::to_string(rowLength) + " (rows must be at least the max length)");
    std::vector<size_t> order(m_examples.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return m_examples[a].ids.size() > m_examples[b].ids.size(); });
    m_rows.clear();
    std::multimap<int64_t, size_t> room; // tokens left -> row
    for (size_t i : order) {
        const auto length = int64_t(m_examples[i].ids.size());
        auto best = room.lower_bound(length); // the least room that still holds the example
        size_t row = 0;
        int64_t left = 0;
        if (best == room.end()) {
            row = m_rows.size();
            m_rows.emplace_back();
            left = rowLength;
        } else {
            row = best->second;
            left = best->first;
            room.erase(best);
        }
        m_rows[row].push_back(i);
        if (left - length > 0)
            room.emplace(left - length, row);
    }
    m_packed = true;
}

TrainingSet TrainingSet::fromTokens(std::vector<TokenizedExample> examples)
{
    TrainingSet set;
    for (const auto& e : examples)
        set.m_targetTokens += int64_t(e.ids.size()) - e.promptLength;
    set.m_examples = std::move(examples);
    set.unpack();
    return set;
}

std::vector<std::vector<size_t>> TrainingSet::epochBatches(int64_t batchSize, uint64_t seed, int64_t epoch) const
{
    if (batchSize <= 0)
        throw Error("batch size must be positive");
    std::vector<size_t> order(m_rows.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::mt19937_64 rng(seed * 1000003ULL + uint64_t(epoch));
    std::vector<int64_t> lengths(m_rows.size());
    for (size_t r = 0; r < m_rows.size(); ++r)
        lengths[r] = rowTokens(r);
    std::shuffle(order.begin(), order.end(), rng);
    const size_t window = size_t(batchSize) * 50;
    for (size_t at = 0; at < order.size(); at += window) {
        const auto end = order.begin() + std::ptrdiff_t(std::min(order.size(), at + window));
        std::stable_sort(order.begin() + std::ptrdiff_t(at), end,
                         [&](size_t a, size_t b) { return lengths[a] < lengths[b]; });
    }
    std::vector<std::vector<size_t>> batches;
    for (size_t at = 0; at < order.size(); at += size_t(batchSize))
        batches.emplace_back(order.begin() + std::ptrdiff_t(at),
                             order.begin() + std::ptrdiff_t(std::min(order.size(), at + size_t(batchSize))));
    std::shuffle(batches.begin(), batches.end(), rng);
    return batches;
}

} // namespace cotlab::train
