#pragma once

// What the student sees, before a run starts (cotlab-cli tokenize, the Train page's preview): the examples of a
// training request laid out and tokenised exactly as the run will, each token with whether the loss covers it, and
// the token lengths of the whole set against the max length. No torch, no Qt.
#include "train/TrainingData.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace cotlab::train {

// One token as a person reads it: its text where it stands (decoded after the tokens before it), or for a token that
// decodes to nothing (BOS, EOS, a chat template's markers) its vocabulary entry.
struct TokenSpan {
    int32_t id = 0;
    std::string text;
    bool loss = false; // the training loss covers it (a target token the model learns to predict)
    bool special = false;
    bool cut = false; // past the max length: not trained on
};

// The example's tokens; those from maxLength on are cut (an example whose prompt alone reaches it is left out of the
// run: all of its tokens are then marked cut).
std::vector<TokenSpan> tokenSpans(const TokenizedExample& example, const text::Tokenizer& tokenizer,
                                  int64_t maxLength = std::numeric_limits<int64_t>::max());

// Tokens per example, sorted, with the figures a researcher looks at.
class LengthDistribution {
public:
    LengthDistribution() = default;
    explicit LengthDistribution(std::vector<int64_t> lengths);
    int64_t percentile(double p) const; // nearest rank, p in [0, 100]; 0 when empty
    double mean() const;
    int64_t max() const { return m_sorted.empty() ? 0 : m_sorted.back(); }
    int64_t countAbove(int64_t limit) const;
    const std::vector<int64_t>& sorted() const { return m_sorted; }

private:
    std::vector<int64_t> m_sorted;
};

struct TrainingPreview {
    std::vector<Example> examples;           // laid out as the run lays them out
    std::vector<TokenizedExample> tokenized; // the same examples tokenised as the run does, before the max length cuts
    LengthDistribution prompt, target, total;
    int64_t maxLength = 0; // what the run uses: the request's, or the model's context when that is shorter
    int64_t cut = 0;       // examples the max length shortens (the end of their target is lost)
    int64_t skipped = 0;   // examples whose prompt alone reaches the max length (left out of the run)
    std::string chatLayout;
    std::string tokenizerPath;
    std::shared_ptr<const text::Tokenizer> tokenizer; // the student's, for tokenSpans

    // "4,210 examples · total tokens median 143, p90 201, p99 260, max 311 · 12 cut by the max length of 256 · ..."
    std::string summary() const;
};

// Throws Error as the run would (no examples, no chat template, no tokenizer, a bad model folder).
TrainingPreview previewTraining(store::Database& db, const TrainingRequest& request);

} // namespace cotlab::train
