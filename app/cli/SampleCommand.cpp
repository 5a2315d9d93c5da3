#include "SampleCommand.h"

#include "CommandLine.h"
#include "Interrupt.h"
#include "ingest/DemoBuilder.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <cstdio>
#include <filesystem>
#include <memory>

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
    // Before anything is sent: prices for a hosted endpoint, and the user's yes above the spending limits.
    if (const std::string missing = teacher::missingPrices(r, args.freeEndpoint); !missing.empty())
        throw Error(missing + " (--price-prompt and --price-completion, or --free)");
    {
        store::Workspace ws(workspace);
        const auto plan = teacher::planSampling(ws.db(), r);
        char cost[48] = "";
        if (r.pricePromptPerMillion > 0 || r.priceCompletionPerMillion > 0)
            std::snprintf(cost, sizeof cost, ", up to $%.2f", plan.maxCost(r));
        std::printf("plan: %zu instances, %lld samples missing, %lld requests, about %lld prompt and at most %lld "
                    "completion tokens%s\n",
                    plan.instances.size(), (long long)plan.missing, (long long)plan.callCount(),
                    (long long)plan.promptTokens, (long long)plan.completionTokens, cost);
        std::fflush(stdout);
        if (const std::string over = teacher::overLimits(plan, r, args.limits); !over.empty() && !args.yes)
            throw Error(over + "; run it again with --yes to send them (or lower --samples / --limit)");
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

void addSampleCommand(CommandLine& cli)
{
    auto sa = std::make_shared<SampleArgs>();
    auto& sr = sa->request;
    auto* sample = cli.add("sample",
                           "Sample teacher rationales from an OpenAI-compatible endpoint "
                           "(vLLM, llama.cpp, TGI, Ollama, hosted APIs, cotlab-cli serve); tops "
                           "up to --samples per instance, so running it again resumes",
                           [&cli, sa] { return runSample(cli.workspace(), *sa); });
    sample->add_option("--endpoint", sr.endpoint.baseUrl, "Base URL, e.g. http://localhost:8000/v1")->required();
    sample->add_option("--model", sr.endpoint.model, "Teacher model name as the endpoint knows it")->required();
    sample->add_flag("--chat", sr.endpoint.chat, "Use /chat/completions instead of /completions");
    sample
        ->add_option("--api-key-env", sa->apiKeyEnv,
                     "Environment variable holding the API key (never stored); when unset, the system keychain's "
                     "key for the endpoint (secret-tool, service cotlab, endpoint URL)")
        ->capture_default_str();
    sample->add_option("--price-prompt", sr.pricePromptPerMillion, "USD per million prompt tokens (cost tally)");
    sample->add_flag("--free", sa->freeEndpoint, "The endpoint costs nothing (no prices needed for a hosted URL)");
    sample->add_flag("--yes", sa->yes, "Send the requests even above the spending limits");
    sample->add_option("--max-requests", sa->limits.maxCalls, "Ask before sending more requests than this")
        ->capture_default_str();
    sample->add_option("--max-cost", sa->limits.maxCost, "Ask before spending more than this many USD")
        ->capture_default_str();
    sample->add_option("--price-completion", sr.priceCompletionPerMillion,
                       "USD per million completion tokens (cost tally)");
    sample->add_option("--task", sr.tasks, "Only these tasks (repeatable; default: all)");
    sample->add_option("--split", sr.split, "Only this split (default: any)");
    sample->add_option("--limit", sr.limit, "Only the first N instances (0: all)")->capture_default_str();
    sample->add_option("--samples", sr.samplesPerInstance, "Samples per instance to reach")->capture_default_str();
    sample->add_option("--template", sa->templateName, "zero-shot-cot, few-shot, socratic or custom")
        ->capture_default_str();
    sample->add_option("--template-text", sr.prompt.custom, "custom: the prompt with {question} and {choices}");
    sample->add_option("--trigger", sr.prompt.trigger, "zero-shot-cot: the trigger after 'A:'")->capture_default_str();
    sample->add_option("--exemplars", sr.prompt.exemplarsFile,
                       "few-shot: exemplars JSON (default: the bundled "
                       "few_shot_cot_prompts.json)");
    sample->add_flag("--no-answer-call", sa->noAnswerCall, "zero-shot-cot: skip the second call that reads the answer");
    sample->add_option("--temperature", sr.params.temperature, "Sampling temperature")->capture_default_str();
    sample->add_option("--top-p", sr.params.topP, "Nucleus sampling mass")->capture_default_str();
    sample->add_option("--max-tokens", sr.params.maxTokens, "Tokens per rationale at most")->capture_default_str();
    sample->add_option("--stop", sr.params.stop, "Stop strings (repeatable)");
    sample->add_option("--per-request", sr.maxPerRequest, "Samples asked for in one request (n)")
        ->capture_default_str();
    sample->add_option("--concurrency", sr.concurrency, "Requests in flight at once")->capture_default_str();
    sample->add_option("--rpm", sr.requestsPerMinute, "Requests per minute at most (0: no limit)");
    sample->add_option("--tpm", sr.tokensPerMinute, "Tokens per minute at most (0: no limit)");
    sample->add_option("--timeout", sr.endpoint.timeoutSeconds, "Seconds per request before it is retried")
        ->capture_default_str();
    sample->add_option("--attempts", sr.retry.maxAttempts, "Attempts per request (429, 5xx, timeouts are retried)")
        ->capture_default_str();
}

} // namespace cotlab::cli
