#pragma once

// The demo's experiment, run from the GUI on the demo workspace (`cotlab --demo` offers it on first start) so that
// every page holds real results within minutes on a laptop CPU: the bundled stories260K student fine-tuned on the
// generated last-letter task (docs/experiments.md) with chain of thought and with labels only, two more CoT runs
// on fewer questions (the learning curve), each student evaluated on the held-out dev questions, and a small blind
// study of the CoT student's rationales against the teacher's. Torch-free header.
#include "jobs/Progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cotlab::train {

struct DemoExperimentOptions {
    std::string workspace; // the demo workspace (it holds the generated task)
    std::string modelPath; // stories260K.bin
    std::string tokenizerPath;
    std::string runsFolder; // each run's output folder goes here, named after the run
    std::string task = "last_letters_generated";
    int64_t steps = 300;                            // optimizer steps of each run (batch 16)
    std::vector<int64_t> curveQuestions{300, 1000}; // the learning curve's smaller CoT runs (all: the main one)
    int64_t evaluationQuestions = 100;              // dev questions each student answers (0: all)
    int64_t studyItems = 20;                        // questions of the blind study
};

struct DemoStudentResult {
    std::string student; // the run's name: demo-cot, demo-label, demo-cot-300q, ...
    int64_t runId = 0;
    int64_t evaluationId = 0;
    int64_t correct = 0, done = 0;
};

struct DemoExperimentOutcome {
    bool stopped = false; // the stop token was set: what is done stays, the next start continues from there
    std::vector<DemoStudentResult> students;
    int64_t studyId = 0;
};

// The runs, evaluations and study the experiment records, by name; stages already done (a finished run, a
// finished evaluation, the study) are skipped and a stopped run or evaluation is resumed, so a second start
// continues the first. Progress reports each stage ("Training demo-cot (1 of 4)") with its steps or questions.
// Error naming the task when the workspace lacks it (not the demo workspace) and whatever a run or evaluation
// throws.
DemoExperimentOutcome runDemoExperiment(const DemoExperimentOptions& options, const jobs::ProgressSink& progress,
                                        const jobs::StopToken* stop);

// The study's name in the workspace.
inline constexpr const char* kDemoStudyName = "demo: CoT student vs teacher";

} // namespace cotlab::train
