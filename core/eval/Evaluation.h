#pragma once

// One evaluation of a student end to end, the same for the GUI (on a worker thread) and cotlab-cli eval: the
// instances of a task's split, batched KV-cached generation, answer extraction, every generated rationale stored
// as a student rationale, accuracy with its interval. Resumable: each batch is committed with its outcomes, and a
// resumed evaluation generates only the instances not yet stored. No torch in this header.
#include "jobs/Progress.h"
#include "train/Template.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace cotlab::eval {

struct EvaluationRequest {
    std::string workspace; // the *.cotlab file; opened here (each thread has its own connection)
    std::string name;      // the student's name in the store; default: the run's name or the model's folder
    std::optional<int64_t> runId; // evaluate this finished run's model (its final folder) ...
    std::string modelPath;        // ... or this model (HF folder or llama2.c .bin)
    std::optional<std::string> tokenizerPath;
    std::string task;
    std::string split = "test";
    std::optional<train::TargetFormat> format; // what the student was trained to write; default: the run's
    int64_t samples = 1;       // 1: greedy; more: sampled with temperature, answers majority-voted
    double temperature = 0.7;
    double topP = 1.0;
    uint64_t seed = 0;
    int64_t maxNewTokens = 0; // 0: 256 for chain of thought, 16 for label only
    int64_t batchSize = 16;   // sequences generated together
    int64_t limit = 0;        // evaluate only the first N instances of the split (0: all)
    std::string device = "auto";
    std::string precision = "auto";
};

struct EvaluationOutcome {
    int64_t evaluationId = 0;
    std::string status; // finished or stopped (failures throw after recording 'failed')
    int64_t items = 0, done = 0, correct = 0;
    double accuracy = 0, ciLow = 0, ciHigh = 0;
};

// After each stored batch: instances evaluated so far, of how many, and how many were right.
using EvaluationProgress = std::function<void(int64_t evaluationId, int64_t done, int64_t items, int64_t correct)>;

// Checks of the request (unknown task, empty split, unfinished run, bad model) throw before anything is recorded.
EvaluationOutcome startEvaluation(const EvaluationRequest& request, const EvaluationProgress& progress,
                                  const jobs::StopToken* stop);

// Continues a stopped evaluation with its recorded settings; it ends with the same predictions as an
// uninterrupted one.
EvaluationOutcome resumeEvaluation(const std::string& workspace, int64_t evaluationId,
                                   const EvaluationProgress& progress, const jobs::StopToken* stop);

} // namespace cotlab::eval
