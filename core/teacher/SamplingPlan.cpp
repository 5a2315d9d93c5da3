#include "teacher/SamplingPlan.h"

#include "store/RationaleRepository.h"
#include "util/Error.h"

#include <algorithm>
#include <set>

namespace cotlab::teacher {

namespace {

constexpr int64_t kCharactersPerToken = 4; // the usual rule of thumb for English BPE vocabularies
constexpr int kAnswerCallTokens = 32;

void check(const SamplingRequest& request)
{
    if (request.endpoint.baseUrl.empty())
        throw Error("sampling needs an endpoint URL (e.g. http://localhost:8000/v1)");
    if (request.endpoint.model.empty())
        throw Error("sampling needs the teacher's model name (as the endpoint knows it)");
    if (request.samplesPerInstance < 1 || request.maxPerRequest < 1 || request.concurrency < 1)
        throw Error("samples per instance, samples per request and concurrency must be at least 1");
}

} // namespace

SamplingParams answerCallParams()
{
    SamplingParams greedy;
    greedy.n = 1;
    greedy.temperature = 0;
    greedy.maxTokens = kAnswerCallTokens;
    greedy.logprobs = false;
    greedy.stop = {"\n"};
    return greedy;
}

double SamplingPlan::maxCost(const SamplingRequest& request) const
{
    return (double(promptTokens) * request.pricePromptPerMillion +
            double(completionTokens) * request.priceCompletionPerMillion) /
           1e6;
}

SamplingPlan planSampling(store::Database& db, const SamplingRequest& request)
{
    check(request);
    store::RationaleRepository rationales(db);
    SamplingPlan plan;
    const std::set<std::string> tasks(request.tasks.begin(), request.tasks.end());
    rationales.forEachInstance(std::nullopt, [&](const store::InstanceRecord& in, const auto&) {
        if ((tasks.empty() || tasks.count(in.task)) && (request.split.empty() || in.split == request.split))
            plan.instances.push_back(in);
        return request.limit <= 0 || int64_t(plan.instances.size()) < request.limit;
    });
    const auto counts = rationales.sampleCounts("teacher", request.endpoint.model);
    const bool answerCall = request.prompt.style == PromptStyle::ZeroShotCot && request.prompt.extractAnswer;
    PromptBuilder prompts(request.prompt);
    plan.prompts.resize(plan.instances.size());
    plan.nextSample.resize(plan.instances.size(), 0);
    for (size_t i = 0; i < plan.instances.size(); ++i) {
        const auto it = counts.find(plan.instances[i].id);
        const int64_t have = it == counts.end() ? 0 : it->second.count;
        plan.nextSample[i] = it == counts.end() ? 0 : it->second.nextSample;
        plan.alreadyStored += std::min(have, request.samplesPerInstance);
        int64_t need = request.samplesPerInstance - have;
        if (need <= 0)
            continue;
        plan.prompts[i] = prompts(plan.instances[i]);
        plan.missing += need;
        const int64_t promptTokens = int64_t(plan.prompts[i].size()) / kCharactersPerToken + 1;
        while (need > 0) {
            const int n = int(std::min<int64_t>(need, request.maxPerRequest));
            plan.requests.push_back({i, n});
            plan.promptTokens += promptTokens;
            need -= n;
        }
    }
    plan.completionTokens = plan.missing * request.params.maxTokens;
    if (answerCall) {
        // Each answer call sends the prompt, the rationale (at most max tokens) and the trigger again.
        plan.answerCalls = plan.missing;
        plan.completionTokens += plan.answerCalls * kAnswerCallTokens;
        for (const auto& r : plan.requests)
            plan.promptTokens += r.n * (int64_t(plan.prompts[r.instance].size()) / kCharactersPerToken + 1 +
                                        request.params.maxTokens + 16);
    }
    return plan;
}

} // namespace cotlab::teacher
