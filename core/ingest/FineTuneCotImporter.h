#pragma once

#include "ingest/JsonDocument.h"

#include <map>
#include <optional>
#include <string>

namespace cotlab::ingest {

// Fine-tune-CoT's CompletionDataset JSON (itsnamgyu/reasoning-teacher, src/data/completion_dataset.py):
// {"metadata": {base_model, dataset_key, completion_key, prediction_template, ...}, "data": {sample_index:
// [{sample_index, completion_index, question, answer, prompt, completion, reasoning_prompt?, reasoning_completion?,
// finish_reason?}]}}. Each completion is a teacher rationale of instance "<dataset_key>-<sample_index>", the id the
// benchmark import gives the same question, so the two meet. Zero-shot-CoT files (reasoning_completion) keep the
// reasoning as the rationale and "Therefore, the answer is" + completion as its answer sentence; other templates'
// completion is the rationale. The files name no split: a stored instance keeps its own, a new one takes the split
// file's (ImportOptions::splitsFile), else train.
class FineTuneCotImporter {
public:
    struct Options {
        std::optional<std::string> task;       // replaces metadata.dataset_key
        std::optional<std::string> teacher;    // where metadata names no base_model
        std::map<int64_t, std::string> splits; // index -> split, from a Fine-tune-CoT split file
        std::string fileName;
    };
    // True for the first completion of a CompletionDataset document (sniffJsonDocument).
    static bool isCompletionDataset(const JsonDocumentSniff& sniff);
    // Reads 'path' twice: its metadata first (wherever it stands in the file), then the completions.
    static void read(const std::string& path, const Options& options, const DocumentSink& sink);
};

} // namespace cotlab::ingest
