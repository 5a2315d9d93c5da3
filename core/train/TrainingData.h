#pragma once

// A run's examples as training will see them: selected from the workspace (with the dev split's), laid out with
// the student's chat template for a chat format, tokenised into training sets (packed when asked). Shared by the
// run itself (TrainingRun) and the preview of what the student sees (TokenPreview). No torch, no Qt.
#include "text/Tokenizer.h"
#include "train/TrainingRun.h"
#include "train/TrainingSet.h"

#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::train {

struct TrainingData {
    SelectionCounts counts;
    std::vector<Example> examples, devExamples;
    std::optional<TrainingSet> set, dev;

    std::string chatLayout;     // the run's chat template and what it did, for a chat format
    std::string packingSummary; // with packing: examples, rows and padding

    // Throws Error naming why there is nothing to train on (before the model is loaded, which takes a while).
    static TrainingData select(store::Database& db, const TrainingRequest& request);
    // A chat format's examples laid out with the student's chat template (before tokenise).
    void layOut(const TrainingRequest& request);
    // Training sets of maxLength tokens per example (the model's context can make it less than requestedMaxLength,
    // which the messages name); packed into rows of maxLength when asked.
    void tokenise(const text::Tokenizer& tokenizer, int64_t maxLength, int64_t requestedMaxLength, bool packing);
};

} // namespace cotlab::train
