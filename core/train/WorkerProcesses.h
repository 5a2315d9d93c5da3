#pragma once

// A training run by several data-parallel worker processes on this machine, followed from this process (the Train
// page's "Processes"). cotlab-cli starts the workers (`train --request FILE --nproc N`, or `train --resume RUN
// --nproc N`); rank 0 records the run and every step in the workspace, which this reads as they arrive and reports
// like an in-process run; a stop request reaches the workers as SIGINT, so they stop together with one checkpoint.
// The workers' output goes to {runDir}/workers.log. Include only from core and the GUI's jobs (no Qt, no torch).
#include "train/TrainingRun.h"

#include <string>

namespace cotlab::train {

struct WorkerLaunch {
    std::string cli; // the cotlab-cli executable
    int workers = 2;
};

RunOutcome startRunWithWorkers(const WorkerLaunch& launch, const TrainingRequest& request, const RunProgress& progress,
                               const jobs::StopToken* stop);
RunOutcome resumeRunWithWorkers(const WorkerLaunch& launch, const std::string& workspace, int64_t runId,
                                const RunProgress& progress, const jobs::StopToken* stop);

} // namespace cotlab::train
