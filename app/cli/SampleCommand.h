#pragma once

#include "teacher/SamplingJob.h"
#include "teacher/SamplingPlan.h"

#include <string>

namespace cotlab::cli {

struct SampleArgs {
    teacher::SamplingRequest request;
    std::string templateName = "zero-shot-cot";
    std::string apiKeyEnv = "OPENAI_API_KEY";
    bool noAnswerCall = false;
    bool freeEndpoint = false; // a hosted endpoint that costs nothing
    bool yes = false;          // send even above the limits
    teacher::SpendingLimits limits;
};

// Samples teacher rationales from an OpenAI-compatible endpoint into the workspace (docs/teacher.md); Ctrl-C stops
// after the requests in flight, and running it again tops up what is missing.
int runSample(const std::string& workspace, SampleArgs args);

} // namespace cotlab::cli
