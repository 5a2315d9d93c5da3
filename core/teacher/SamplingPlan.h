#pragma once

// What a sampling request would do, worked out before anything is sent: the instances in scope, what each still
// needs from this teacher model, the requests that asks for, and the tokens and money they may cost. The job
// runs the plan; the GUI and the CLI show it (and ask before a large bill).
#include "store/Records.h"
#include "teacher/SamplingJob.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::teacher {

struct SamplingPlan {
    struct Request {
        size_t instance = 0; // index into instances
        int n = 0;           // samples asked for
    };
    std::vector<store::InstanceRecord> instances; // in scope, in store order
    std::vector<std::string> prompts;             // per instance; "" for one that needs nothing
    std::vector<int64_t> nextSample;              // the next sample index per instance
    std::vector<Request> requests;                // what is missing, at most maxPerRequest samples each
    int64_t alreadyStored = 0;                    // samples this teacher model has in scope (up to the target)
    int64_t missing = 0;                          // samples to ask for
    int64_t answerCalls = 0;                      // zero-shot-CoT's greedy answer calls (one per sample)
    // Estimates: prompt tokens at 4 characters a token (what the requests and answer calls send), completion
    // tokens at most (max tokens per sample, 32 per answer call).
    int64_t promptTokens = 0;
    int64_t completionTokens = 0;
    int64_t callCount() const { return int64_t(requests.size()) + answerCalls; }
    // USD at most, with the request's prices (0 when it names none).
    double maxCost(const SamplingRequest& request) const;
};

// Throws Error when the request is incomplete (no endpoint or model, counts below 1) or a few-shot task has no
// exemplars. An empty scope gives an empty plan.
SamplingPlan planSampling(store::Database& db, const SamplingRequest& request);

// A guard against surprise bills. A hosted endpoint (anything but this machine and private networks) needs the
// prices of its tokens, or the user's word that it is free: otherwise no cost can be shown before sending.
bool isLocalEndpoint(const std::string& baseUrl);
// Why the request cannot be sent as it is ("" when it can): a hosted endpoint without prices.
std::string missingPrices(const SamplingRequest& request, bool freeEndpoint);

// Above these a plan is sent only after the user confirms (the GUI asks; the CLI needs --yes).
struct SpendingLimits {
    int64_t maxCalls = 1000;
    double maxCost = 5.0; // USD
};
// What needs confirming ("" when the plan is within the limits): the calls and the cost, in words.
std::string overLimits(const SamplingPlan& plan, const SamplingRequest& request, const SpendingLimits& limits);

// The answer call's greedy settings (zero-shot-CoT's second call reads the answer after the rationale).
SamplingParams answerCallParams();

} // namespace cotlab::teacher
