#pragma once

// One training run end to end, the same for the GUI's Train page (on a worker thread) and cotlab-cli train:
// examples from the workspace, the student and its tokenizer, the Trainer, the run's row and metrics in the
// store, checkpoints and the final Hugging Face folder on disk. Include only from core and cotlab-cli.
#include "jobs/Progress.h"
#include "store/Records.h"
#include "train/MemoryPlan.h"
#include "train/PromptFormat.h"
#include "train/TrainConfig.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::train {

// Which stored rationales become training examples (until saved corpora exist, issue 6).
struct TrainingSelection {
    std::string task;
    std::string split = "train";
    PromptFormat format = defaultPromptFormat();
    bool correctOnly = true; // Fine-tune-CoT: keep rationales whose answer matches gold
    // Whose rationales become examples: the teacher's unless the user opts in to human-written ones or to students'
    // (an evaluated student's outputs: training on them distils a student from a student).
    std::vector<std::string> sources{"teacher"};
    int64_t samplesPerInstance = 0; // at most this many rationales per instance (0: all)
    // At most this many questions (0: all), drawn at random with questionSeed among those that give examples;
    // a smaller draw is a subset of a larger one with the same seed, so corpus-size learning curves are nested.
    int64_t questions = 0;
    uint64_t questionSeed = 0;
    // A saved corpus (core/corpus): its rationales (with the text its clean steps cut) instead of the task's teacher
    // rationales; split and correctOnly are then the corpus's business, task ('' : all of the corpus's tasks),
    // samplesPerInstance and questions still apply.
    std::string corpus;
};

struct SelectionCounts {
    int64_t instances = 0;     // instances of the task and split
    int64_t usedInstances = 0; // instances that gave at least one example
    int64_t examples = 0;
};

std::vector<Example> collectExamples(store::Database& db, const TrainingSelection& selection,
                                     SelectionCounts* counts = nullptr);

struct TrainingRequest {
    std::string workspace; // the *.cotlab file; opened here (each thread has its own connection)
    std::string name;
    std::string modelPath;
    std::optional<std::string> tokenizerPath; // default: the model folder's own
    TrainingSelection selection;
    int64_t maxLength = 512;
    // Pack examples into rows of maxLength tokens (TrainingSet::pack) instead of padding each to its batch's longest.
    bool packing = false;
    std::string device = "auto";
    std::string devSplit; // measure the loss on this split's examples every config.evalEvery steps ('' : none)
    TrainConfig config;   // config.runDir is the output folder
};

std::string requestToJson(const TrainingRequest& request);
TrainingRequest requestFromJson(const std::string& json, const std::string& workspace);

struct RunOutcome {
    int64_t runId = 0;
    std::string status;      // finished, stopped (failures throw after recording 'failed')
    std::string finalFolder; // the trained student as a Hugging Face folder (finished runs)
};

using RunProgress = std::function<void(int64_t runId, const StepMetrics& metrics)>;

// Starts a new run. Checks of the request (no examples, bad model folder, ...) throw before a run is recorded;
// failures during training record the run as failed with the message, keep the last checkpoint, and throw.
RunOutcome startRun(const TrainingRequest& request, const RunProgress& progress, const jobs::StopToken* stop);
// The request with its output folder, model and tokenizer as absolute paths (a run is found again from anywhere).
TrainingRequest withAbsolutePaths(const TrainingRequest& request);

// The memory plan's settings of a request, for a model of this shape.
MemorySettings memorySettings(const TrainingRequest& request, const nn::ModelShape& shape);

// Continues a stopped run from its checkpoint with its recorded request.
RunOutcome resumeRun(const std::string& workspace, int64_t runId, const RunProgress& progress,
                     const jobs::StopToken* stop);

} // namespace cotlab::train
