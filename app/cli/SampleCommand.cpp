#include "SampleCommand.h"

#include "Interrupt.h"
#include "ingest/DemoBuilder.h"
#include "util/Error.h"

#include <cstdio>
#include <filesystem>

namespace cotlab::cli {

int runSample(const std::string& workspace, SampleArgs args)
{
    auto& r = args.request;
    r.workspace = workspace;
    r.prompt.style = teacher::parsePromptStyle(args.templateName);
    r.prompt.extractAnswer = !args.noAnswerCall;
    if (r.prompt.style == teacher::PromptStyle::Custom && r.prompt.custom.empty())
        throw Error("--template custom needs --template-text with {question} (and {choices})");
    if (r.prompt.style == teacher::PromptStyle::FewShot && r.prompt.exemplarsFile.empty()) {
        const std::string demo = ingest::DemoBuilder::findDemoData(std::filesystem::read_symlink("/proc/self/exe"));
        r.prompt.exemplarsFile = demo + "/prompts/few_shot_cot_prompts.json";
    }
    r.endpoint.apiKey = teacher::findApiKey(args.apiKeyEnv, r.endpoint.baseUrl);
    const auto outcome = teacher::runSampling(
        r,
        [](const teacher::SamplingOutcome& o) {
            std::fprintf(stderr, "\r%lld / %lld samples stored, %lld requests, %lld retries, %lld failed   ",
                         (long long)o.stored, (long long)o.needed, (long long)o.usage.requests,
                         (long long)o.usage.retries, (long long)o.failedRequests);
        },
        &stopOnInterrupt());
    std::fprintf(stderr, "\n");
    std::printf("%s: %lld instances, %lld samples already stored, %lld asked for, %lld stored in %.1f s "
                "(%.2f samples/s)\n",
                r.endpoint.model.c_str(), (long long)outcome.instances, (long long)outcome.alreadyStored,
                (long long)outcome.needed, (long long)outcome.stored, outcome.seconds,
                outcome.seconds > 0 ? double(outcome.stored) / outcome.seconds : 0.0);
    std::printf("requests %lld (retries %lld, failed %lld), tokens: %lld prompt, %lld completion%s\n",
                (long long)outcome.usage.requests, (long long)outcome.usage.retries, (long long)outcome.failedRequests,
                (long long)outcome.usage.promptTokens, (long long)outcome.usage.completionTokens,
                r.pricePromptPerMillion > 0 || r.priceCompletionPerMillion > 0
                    ? (", cost $" + std::to_string(outcome.cost)).c_str()
                    : "");
    for (const auto& e : outcome.errors)
        std::printf("  %s\n", e.c_str());
    if (outcome.stopped)
        std::printf("stopped; run the same command again to top up the rest\n");
    return outcome.failedRequests > 0 && outcome.stored < outcome.needed ? 2 : 0;
}

} // namespace cotlab::cli
