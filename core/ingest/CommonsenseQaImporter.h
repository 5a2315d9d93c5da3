#pragma once

#include "ingest/InterchangeRecord.h"
#include "jobs/Progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cotlab::ingest {

class RecordSink;
struct ImportOptions;

// Imports CommonsenseQA in its official JSONL form: {id, question: {stem, choices: [{label, text}],
// question_concept}, answerKey}. The split comes from the file name: train_rand_split -> train, and
// dev_rand_split -> test, because the official test labels are hidden and the CoT distillation literature
// (Kojima et al., Fine-tune-CoT, Distilling step-by-step) reports on the dev set as its test set.
class CommonsenseQaImporter {
public:
    static int64_t run(const std::string& path, const ImportOptions& options, RecordSink& sink,
                       const jobs::ProgressSink& progress, const jobs::StopToken* stop);
    // One line of the file as an instance; Error naming `where` and the field that is wrong.
    static InterchangeRecord readLine(std::string_view line, const std::string& where, const std::string& task,
                                      const std::string& split);
    static std::string splitFromPath(const std::string& path);
};

} // namespace cotlab::ingest
