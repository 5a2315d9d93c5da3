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
};

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
    size_t size() const { return m_examples.size(); }
    int64_t targetTokens() const { return m_targetTokens; } // tokens the loss covers, one pass
    int64_t skipped() const { return m_skipped; }
    int64_t truncated() const { return m_truncated; }

    // The batches of one epoch, as example indices: examples are shuffled with (seed, epoch), grouped in windows
    // of 50 batches sorted by length (so a batch holds similar lengths and little padding), and the batches
    // shuffled again. The same (seed, epoch) always gives the same batches, which is what makes a resumed run
    // see the data in the same order.
    std::vector<std::vector<size_t>> epochBatches(int64_t batchSize, uint64_t seed, int64_t epoch) const;

private:
    std::vector<TokenizedExample> m_examples;
    int64_t m_targetTokens = 0;
    int64_t m_skipped = 0;
    int64_t m_truncated = 0;
};

} // namespace cotlab::train
