#pragma once

#include "eval/Evaluation.h"

#include <cstdint>
#include <string>

namespace cotlab::cli {

struct EvalArgs {
    eval::EvaluationRequest request;
    int64_t run = 0;          // evaluate this finished run's model
    std::string templateName; // a prompt format; default: the run's
    int64_t resume = 0;
};
// Evaluates (or resumes) and prints progress and the accuracy with its 95% interval; Ctrl-C stops after the
// current batch, keeping every finished one.
int runEval(const std::string& workspace, EvalArgs args);
// The workspace's evaluations, newest first (or as JSON).
int runEvals(const std::string& workspace, bool json);

} // namespace cotlab::cli
