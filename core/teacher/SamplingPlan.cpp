#include "teacher/SamplingPlan.h"

#include "store/RationaleRepository.h"
#include "util/Error.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
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

bool isLocalEndpoint(const std::string& baseUrl)
{
    // The host of scheme://[user@]host[:port]/path
    std::string host = baseUrl;
    if (const auto scheme = host.find("://"); scheme != std::string::npos)
        host = host.substr(scheme + 3);
    host = host.substr(0, host.find('/'));
    if (const auto at = host.rfind('@'); at != std::string::npos)
        host = host.substr(at + 1);
    if (!host.empty() && host.front() == '[') // [::1]:8000
        host = host.substr(1, host.find(']') - 1);
    else
        host = host.substr(0, host.find(':'));
    for (auto& c : host)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    auto startsWith = [&](const char* prefix) { return host.rfind(prefix, 0) == 0; };
    if (host == "localhost" || host == "::1" || host.ends_with(".local") || host.ends_with(".localhost") ||
        startsWith("127.") || startsWith("10.") || startsWith("192.168.") || host == "0.0.0.0")
        return true;
    if (startsWith("172.")) { // 172.16.0.0/12
        const int second = std::atoi(host.c_str() + 4);
        return second >= 16 && second <= 31;
    }
    return false;
}

std::string missingPrices(const SamplingRequest& request, bool freeEndpoint)
{
    if (freeEndpoint || isLocalEndpoint(request.endpoint.baseUrl) ||
        (request.pricePromptPerMillion > 0 && request.priceCompletionPerMillion > 0))
        return {};
    return request.endpoint.baseUrl +
           " is not on this machine or a private network: give the price of its prompt and completion tokens (USD "
           "per million) so the cost is known before anything is sent, or say that it is free";
}

std::string overLimits(const SamplingPlan& plan, const SamplingRequest& request, const SpendingLimits& limits)
{
    const double cost = plan.maxCost(request);
    if (plan.callCount() <= limits.maxCalls && cost <= limits.maxCost)
        return {};
    char money[64];
    std::snprintf(money, sizeof money, "$%.2f", cost);
    return "this sends " + std::to_string(plan.callCount()) + " requests for " + std::to_string(plan.missing) +
           " samples of " + std::to_string(plan.instances.size()) + " instances" +
           (cost > 0 ? ", up to " + std::string(money) + " at the prices given" : std::string()) +
           ", more than the limit of " + std::to_string(limits.maxCalls) + " requests" +
           (cost > limits.maxCost ? " or $" + std::to_string(int64_t(limits.maxCost)) : std::string());
}

} // namespace cotlab::teacher
