#pragma once

// Tokenised training examples and the order they are seen in (no torch): what the trainer batches.
#include "text/Tokenizer.h"
#include "train/PromptFormat.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cotlab::train {

struct TokenizedExample {
    std::vector<int32_t> ids; // prompt, then target (then EOS)
    int32_t promptLength = 0; // the loss covers ids[promptLength..] (0 or the BOS for a format with loss on the prompt)
    int32_t promptTokens = 0; // the prompt's tokens, whether the loss covers them or not
};

// What the max length does to an example: nothing, cuts its end (the end of the target is not trained on), or leaves
// it out (its prompt alone reaches the max length). The one rule of TrainingSet::build, the token preview and its
// views.
enum class LengthFit { Fits, Cut, LeftOut };
LengthFit lengthFit(int64_t promptTokens, int64_t totalTokens, int64_t maxLength);
inline LengthFit lengthFit(const TokenizedExample& e, int64_t maxLength)
{
    return lengthFit(e.promptTokens, int64_t(e.ids.size()), maxLength);
}

class TrainingSet {
public:
    // Tokenises prompt and target separately (so the boundary is exact; a chat template's text is tokenised whole,
    // as the model reads it, and split where the prompt's tokens end), appends EOS when the tokenizer has one (not
    // to a chat template's text, whose end of turn is its own), and cuts examples to maxLength tokens (from
    // the end of the target). Examples whose prompt alone fills maxLength are skipped and counted.
    static TrainingSet build(const std::vector<Example>& examples, const text::Tokenizer& tokenizer, int64_t maxLength);

    // Already tokenised examples (benchmarks, tests).
    static TrainingSet fromTokens(std::vector<TokenizedExample> examples);

    const std::vector<TokenizedExample>& examples() const { return m_examples; }

    // What one row of a batch holds: one example, or with packing several, one after another.
    using Row = std::vector<size_t>;
    // One row per example, unless packed.
    const std::vector<Row>& rows() const { return m_rows; }
    int64_t rowTokens(size_t row) const; // the tokens of the row's examples, together
    // Best-fit-decreasing packing: examples from the longest down, each into the row with the least room left that
    // still holds it (a new row when none does), rows of at most rowLength tokens. Deterministic; the epochs shuffle
    // the rows. The model then confines attention to each example and restarts positions (nn::PackedRows).
    void pack(int64_t rowLength);
    bool packed() const { return m_packed; }
    size_t size() const { return m_examples.size(); }
    int64_t targetTokens() const { return m_targetTokens; } // tokens the loss covers, one pass
    int64_t skipped() const { return m_skipped; }
    int64_t truncated() const { return m_truncated; }

    // The batches of one epoch, as row indices (example indices unless packed): rows are shuffled with (seed, epoch),
    // grouped in windows of 50 batches sorted by length (so a batch holds similar lengths and little padding), and
    // the batches shuffled again. The same (seed, epoch) always gives the same batches, which is what makes a resumed
    // run see the data in the same order.
    std::vector<std::vector<size_t>> epochBatches(int64_t batchSize, uint64_t seed, int64_t epoch) const;

private:
    void unpack(); // one row per example
    std::vector<TokenizedExample> m_examples;
    std::vector<Row> m_rows;
    bool m_packed = false;
    int64_t m_targetTokens = 0;
    int64_t m_skipped = 0;
    int64_t m_truncated = 0;
};

} // namespace cotlab::train
