#pragma once

// Sampling many chains of thought per instance from a teacher endpoint (SCoTD samples ~30 per question;
// Fine-tune-CoT several with zero-shot-CoT) and storing them with their log-probabilities. A job tops each
// instance up to the target number of samples from this teacher model, so running it again after a stop (or a
// failure) fills in what is missing and never stores a sample twice. Requests run concurrently (each worker has
// its own connection) under requests- and tokens-per-minute limits; results are stored as they arrive.
#include "jobs/Progress.h"
#include "store/Records.h"
#include "teacher/CompletionClient.h"
#include "teacher/TeacherPrompt.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cotlab::teacher {

struct SamplingRequest {
    std::string workspace;
    Endpoint endpoint;
    std::vector<std::string> tasks; // empty: every task
    std::string split;              // empty: any
    int64_t limit = 0;              // the first N instances (0: all)
    int64_t samplesPerInstance = 30;
    PromptTemplate prompt;
    SamplingParams params; // n is set per request
    int maxPerRequest = 8; // samples asked for in one request
    int concurrency = 4;
    double requestsPerMinute = 0; // 0: no limit
    double tokensPerMinute = 0;   // 0: no limit
    RetryPolicy retry;
    double pricePromptPerMillion = 0;     // USD per million prompt tokens, for the cost tally (0: not priced)
    double priceCompletionPerMillion = 0; // USD per million completion tokens
};

struct SamplingOutcome {
    int64_t instances = 0;     // in scope
    int64_t alreadyStored = 0; // samples this teacher model already had there (up to the target)
    int64_t needed = 0;        // samples asked for by this run
    int64_t stored = 0;
    int64_t failedRequests = 0;
    Usage usage;
    double cost = 0;                 // USD, from the request's prices and the tokens the server reported
    std::vector<std::string> errors; // readable, at most 20
    double seconds = 0;
    bool stopped = false;
};

using SamplingProgress = std::function<void(const SamplingOutcome& sofar)>;

// Throws Error before anything is sent when the request is invalid (no endpoint, no model, no instances). The clock
// times rate limits and retry back-off (a ManualClock in tests).
SamplingOutcome runSampling(const SamplingRequest& request, const SamplingProgress& progress,
                            const jobs::StopToken* stop, Clock& clock = Clock::steady());

} // namespace cotlab::teacher
