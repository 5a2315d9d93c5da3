#pragma once

// Writes training examples (a corpus's, or a task's as the trainer would select them) as JSONL in the common
// fine-tuning shapes, with the trainer's own templates, so that other tools can train on exactly the same text:
//   prompt-completion: {"prompt": "Q: ...\nA:", "completion": " ... So the answer is (B)."}
//   chat:              {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content":
//   completion}]}
#include "train/TrainingRun.h"

#include <string>

namespace cotlab::train {

enum class ExportShape { PromptCompletion, Chat };
ExportShape exportShapeFromName(const std::string& name); // "prompt-completion" or "chat"; throws Error otherwise

struct ExportCounts {
    int64_t examples = 0;
    int64_t instances = 0;
};

// Throws Error when the file cannot be written (naming it).
ExportCounts exportExamples(store::Database& db, const TrainingSelection& selection, const std::string& path,
                            ExportShape shape);

} // namespace cotlab::train
