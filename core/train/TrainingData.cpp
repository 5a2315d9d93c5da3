#include "train/TrainingData.h"

#include "train/ChatLayout.h"
#include "util/Error.h"

#include <cstdio>

namespace cotlab::train {

TrainingData TrainingData::select(store::Database& db, const TrainingRequest& request)
{
    TrainingData data;
    data.examples = collectExamples(db, request.selection, &data.counts);
    const auto& sel = request.selection;
    if (data.examples.empty())
        throw Error(sel.corpus.empty() ? "no training examples: task '" + sel.task + "' has " +
                                             std::to_string(data.counts.instances) + " " + sel.split + " instances" +
                                             (sel.correctOnly ? " and none with a correct teacher rationale" : "")
                                       : "no training examples: corpus '" + sel.corpus + "' has no rationales" +
                                             (sel.task.empty() ? "" : " of task '" + sel.task + "'"));
    if (!request.devSplit.empty()) {
        TrainingSelection dev = sel;
        dev.split = request.devSplit;
        dev.corpus.clear(); // the dev loss is measured on the split's teacher rationales
        dev.sources = {"teacher"};
        dev.samplesPerInstance = 1; // one target per question measures the loss without repeating questions
        SelectionCounts devCounts;
        data.devExamples = collectExamples(db, dev, &devCounts);
        if (data.devExamples.empty())
            throw Error("no dev examples: task '" + dev.task + "' has " + std::to_string(devCounts.instances) + " " +
                        dev.split + " instances" + (dev.format.usesRationales() ? " with a correct rationale" : ""));
    }
    return data;
}

void TrainingData::layOut(const TrainingRequest& request)
{
    const auto& format = request.selection.format;
    if (!format.usesChatTemplate())
        return;
    const auto chat = studentChatTemplate(request.modelPath, request.tokenizerPath, format.name());
    auto counts = applyChatTemplate(examples, chat);
    const auto dev = applyChatTemplate(devExamples, chat);
    counts.reasoningRestored += dev.reasoningRestored;
    chatLayout = chatLayoutSummary(chat, counts);
}

void TrainingData::tokenise(const text::Tokenizer& tokenizer, int64_t maxLength, int64_t requestedMaxLength,
                            bool packing)
{
    set = TrainingSet::build(examples, tokenizer, maxLength);
    if (set->size() == 0)
        throw Error("every example's prompt is longer than the maximum length of " +
                    std::to_string(requestedMaxLength) + " tokens");
    if (packing) {
        set->pack(maxLength);
        int64_t tokens = 0;
        for (size_t r = 0; r < set->rows().size(); ++r)
            tokens += set->rowTokens(r);
        const auto slots = double(set->rows().size()) * double(maxLength);
        char padding[32];
        std::snprintf(padding, sizeof padding, "%.1f%%", 100.0 * (1.0 - double(tokens) / slots));
        packingSummary = std::to_string(set->size()) + " examples in " + std::to_string(set->rows().size()) +
                         " rows of " + std::to_string(maxLength) + " tokens, " + padding + " padding";
    }
    if (!devExamples.empty())
        dev = TrainingSet::build(devExamples, tokenizer, maxLength);
}

} // namespace cotlab::train
