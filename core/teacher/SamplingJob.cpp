#include "teacher/SamplingJob.h"

#include "ingest/InterchangeRecord.h"
#include "ingest/RecordSink.h"
#include "store/Database.h"
#include "store/RationaleRepository.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

namespace cotlab::teacher {

using nlohmann::json;

PromptStyle parsePromptStyle(const std::string& name)
{
    if (name == "zero-shot-cot")
        return PromptStyle::ZeroShotCot;
    if (name == "few-shot")
        return PromptStyle::FewShot;
    if (name == "socratic")
        return PromptStyle::Socratic;
    if (name == "custom")
        return PromptStyle::Custom;
    throw Error("unknown prompt template '" + name + "': use zero-shot-cot, few-shot, socratic or custom");
}

const char* promptStyleName(PromptStyle style)
{
    switch (style) {
    case PromptStyle::ZeroShotCot:
        return "zero-shot-cot";
    case PromptStyle::FewShot:
        return "few-shot";
    case PromptStyle::Socratic:
        return "socratic";
    case PromptStyle::Custom:
        return "custom";
    }
    return "custom";
}

namespace {

std::string choicesLine(const store::InstanceRecord& instance)
{
    if (!instance.choicesJson)
        return {};
    std::string line;
    for (const auto& c : ingest::choicesFromJson(*instance.choicesJson))
        line += " (" + c.label + ") " + c.text;
    return line.empty() ? line : "\nAnswer Choices:" + line;
}

void replaceAll(std::string& text, const std::string& from, const std::string& to)
{
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

std::string exemplarsFor(const std::string& file, const std::string& task)
{
    std::ifstream in(file);
    if (!in)
        throw Error("few-shot exemplars: cannot read " + file);
    const json all = json::parse(in, nullptr, false);
    if (all.is_discarded() || !all.is_object())
        throw Error("few-shot exemplars: " + file + " is not a JSON object of {task: {\"prompt\": ...}}");
    // Task names in a workspace may carry a variant suffix (date_mmddyyyy): the longest known prefix wins.
    std::string best;
    for (const auto& [name, value] : all.items())
        if (task.rfind(name, 0) == 0 && name.size() > best.size() && value.is_object() && value.contains("prompt"))
            best = name;
    if (best.empty())
        throw Error("few-shot exemplars: " + file + " has none for task '" + task + "'");
    return all[best]["prompt"].get<std::string>();
}

} // namespace

namespace {

// The prompt of an instance; few-shot prompts start with the task's exemplars, read by the caller.
std::string composePrompt(const PromptTemplate& prompt, const store::InstanceRecord& instance,
                          const std::string& fewShotPrefix)
{
    const std::string question = "Q: " + instance.question + choicesLine(instance) + "\nA:";
    switch (prompt.style) {
    case PromptStyle::ZeroShotCot:
        return question + " " + prompt.trigger;
    case PromptStyle::FewShot: {
        std::string prefix = fewShotPrefix;
        while (!prefix.empty() && (prefix.back() == '\n' || prefix.back() == ' '))
            prefix.pop_back();
        return prefix + "\n\n" + question;
    }
    case PromptStyle::Socratic:
        return "Q: " + instance.question + choicesLine(instance) +
               "\nAnswer it by asking and answering simpler sub-questions, one at a time, then give the answer.\nA:";
    case PromptStyle::Custom: {
        std::string text = prompt.custom;
        replaceAll(text, "{question}", instance.question);
        replaceAll(text, "{choices}", choicesLine(instance));
        return text;
    }
    }
    return question;
}

} // namespace

std::string buildPrompt(const PromptTemplate& prompt, const store::InstanceRecord& instance)
{
    return composePrompt(prompt, instance,
                         prompt.style == PromptStyle::FewShot ? exemplarsFor(prompt.exemplarsFile, instance.task)
                                                              : std::string());
}

std::string answerTrigger(const store::InstanceRecord& instance)
{
    if (instance.answerKind == "choice" && instance.choicesJson) {
        const auto choices = ingest::choicesFromJson(*instance.choicesJson);
        if (!choices.empty())
            return "Therefore, among " + choices.front().label + " through " + choices.back().label + ", the answer is";
    }
    if (instance.answerKind == "number")
        return "Therefore, the answer (arabic numerals) is";
    if (instance.answerKind == "yes_no")
        return "Therefore, the answer (Yes or No) is";
    return "Therefore, the answer is";
}

namespace {

struct Work {
    size_t instance = 0;
    int n = 0;
};

struct Result {
    size_t instance = 0;
    std::vector<Completion> completions;
    std::vector<std::string> answerSentences; // zero-shot-CoT's second call, one per completion ("" when none)
};

// Spaces request starts to a requests-per-minute limit and holds them while the last minute's tokens exceed a
// tokens-per-minute limit.
class RateLimiter {
public:
    RateLimiter(double rpm, double tpm) : m_interval(rpm > 0 ? 60.0 / rpm : 0), m_tpm(tpm) {}

    void acquire(const jobs::StopToken* stop)
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            const auto now = Clock::now();
            while (!m_tokens.empty() && now - m_tokens.front().first > std::chrono::seconds(60)) {
                m_window -= m_tokens.front().second;
                m_tokens.pop_front();
            }
            const bool tokensOk = m_tpm <= 0 || double(m_window) < m_tpm;
            if (now >= m_next && tokensOk) {
                m_next = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(m_interval));
                return;
            }
            if (stop && stop->stopRequested())
                return;
            lock.unlock();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            lock.lock();
        }
    }
    void spent(int64_t tokens)
    {
        std::lock_guard lock(m_mutex);
        m_tokens.push_back({Clock::now(), tokens});
        m_window += tokens;
    }

private:
    using Clock = std::chrono::steady_clock;
    std::mutex m_mutex;
    Clock::time_point m_next = Clock::now();
    double m_interval;
    double m_tpm;
    std::deque<std::pair<Clock::time_point, int64_t>> m_tokens;
    int64_t m_window = 0;
};

} // namespace

SamplingOutcome runSampling(const SamplingRequest& request, const SamplingProgress& progress,
                            const jobs::StopToken* stop)
{
    if (request.endpoint.baseUrl.empty())
        throw Error("sampling needs an endpoint URL (e.g. http://localhost:8000/v1)");
    if (request.endpoint.model.empty())
        throw Error("sampling needs the teacher's model name (as the endpoint knows it)");
    if (request.samplesPerInstance < 1 || request.maxPerRequest < 1 || request.concurrency < 1)
        throw Error("samples per instance, samples per request and concurrency must be at least 1");
    const auto started = std::chrono::steady_clock::now();
    store::Workspace ws(request.workspace);
    store::RationaleRepository rationales(ws.db());

    // The instances in scope and how many samples each still needs from this teacher model.
    std::vector<store::InstanceRecord> instances;
    const std::set<std::string> tasks(request.tasks.begin(), request.tasks.end());
    rationales.forEachInstance(std::nullopt, [&](const store::InstanceRecord& in, const auto&) {
        if ((tasks.empty() || tasks.count(in.task)) && (request.split.empty() || in.split == request.split))
            instances.push_back(in);
        return request.limit <= 0 || int64_t(instances.size()) < request.limit;
    });
    if (instances.empty())
        throw Error("no instances to sample in " + request.workspace + " for the chosen tasks and split");
    const auto counts = rationales.sampleCounts("teacher", request.endpoint.model);
    std::vector<int64_t> nextSample(instances.size(), 0);
    std::vector<std::string> prompts(instances.size());
    std::map<std::string, std::string> exemplars; // task -> few-shot prefix
    std::deque<Work> queue;
    SamplingOutcome outcome;
    outcome.instances = int64_t(instances.size());
    for (size_t i = 0; i < instances.size(); ++i) {
        const auto it = counts.find(instances[i].id);
        const int64_t have = it == counts.end() ? 0 : it->second.count;
        nextSample[i] = it == counts.end() ? 0 : it->second.nextSample;
        outcome.alreadyStored += std::min(have, request.samplesPerInstance);
        int64_t need = request.samplesPerInstance - have;
        if (need <= 0)
            continue;
        std::string prefix;
        if (request.prompt.style == PromptStyle::FewShot) { // the exemplars file is read once per task
            auto& cached = exemplars[instances[i].task];
            if (cached.empty())
                cached = exemplarsFor(request.prompt.exemplarsFile, instances[i].task);
            prefix = cached;
        }
        prompts[i] = composePrompt(request.prompt, instances[i], prefix);
        outcome.needed += need;
        while (need > 0) {
            const int n = int(std::min<int64_t>(need, request.maxPerRequest));
            queue.push_back({i, n});
            need -= n;
        }
    }

    std::mutex mutex;
    std::condition_variable ready;
    std::deque<Result> results;
    int running = std::min<int>(request.concurrency, int(queue.size()));
    RateLimiter limiter(request.requestsPerMinute, request.tokensPerMinute);
    Usage usage;
    auto note = [&](const std::string& error) {
        if (outcome.errors.size() < 20)
            outcome.errors.push_back(error);
    };
    auto costOf = [&](const Usage& u) {
        return (double(u.promptTokens) * request.pricePromptPerMillion +
                double(u.completionTokens) * request.priceCompletionPerMillion) /
               1e6;
    };
    std::vector<std::thread> workers;
    for (int w = 0; w < running; ++w)
        workers.emplace_back([&] {
            CompletionClient client(request.endpoint, request.retry);
            Usage counted; // what of this client's usage is in the job's totals (under the mutex)
            auto addUsage = [&] {
                const Usage& now = client.usage();
                usage.requests += now.requests - counted.requests;
                usage.retries += now.retries - counted.retries;
                usage.promptTokens += now.promptTokens - counted.promptTokens;
                usage.completionTokens += now.completionTokens - counted.completionTokens;
                counted = now;
            };
            client.onRetry([&](const std::string& reason) {
                std::lock_guard lock(mutex);
                note("retried: " + reason);
            });
            for (;;) {
                Work work;
                {
                    std::lock_guard lock(mutex);
                    if (queue.empty() || (stop && stop->stopRequested()))
                        break;
                    work = queue.front();
                    queue.pop_front();
                }
                Result result{work.instance, {}, {}};
                try {
                    limiter.acquire(stop);
                    SamplingParams params = request.params;
                    params.n = work.n;
                    const int64_t before = client.usage().promptTokens + client.usage().completionTokens;
                    result.completions = client.complete(prompts[work.instance], params);
                    if (request.prompt.style == PromptStyle::ZeroShotCot && request.prompt.extractAnswer) {
                        const std::string trigger = answerTrigger(instances[work.instance]);
                        SamplingParams greedy;
                        greedy.n = 1;
                        greedy.temperature = 0;
                        greedy.maxTokens = 32;
                        greedy.logprobs = false;
                        greedy.stop = {"\n"};
                        for (const auto& c : result.completions) {
                            limiter.acquire(stop);
                            const auto answer =
                                client.complete(prompts[work.instance] + " " + c.text + "\n" + trigger, greedy);
                            result.answerSentences.push_back(answer.empty() ? std::string()
                                                                            : trigger + answer.front().text);
                        }
                    }
                    limiter.spent(client.usage().promptTokens + client.usage().completionTokens - before);
                } catch (const std::exception& e) {
                    std::lock_guard lock(mutex);
                    addUsage();
                    ++outcome.failedRequests;
                    note(instances[work.instance].task + "/" + instances[work.instance].extId + ": " + e.what());
                    continue;
                }
                std::lock_guard lock(mutex);
                addUsage();
                results.push_back(std::move(result));
                ready.notify_one();
            }
            std::lock_guard lock(mutex);
            addUsage();
            --running;
            ready.notify_one();
        });

    // This thread stores what arrives, a transaction per batch, with the importer's checks and answer extraction.
    const std::string decoding = json{
        {"temperature", request.params.temperature},
        {"top_p", request.params.topP},
        {"max_tokens", request.params.maxTokens},
        {"stop",
         request.params.stop}}.dump();
    const std::string promptName =
        std::string(promptStyleName(request.prompt.style)) + ": " +
        (request.prompt.style == PromptStyle::Custom ? request.prompt.custom : request.prompt.trigger);
    for (;;) {
        std::deque<Result> batch;
        {
            std::unique_lock lock(mutex);
            ready.wait(lock, [&] { return !results.empty() || running == 0; });
            batch.swap(results);
            if (batch.empty() && running == 0)
                break;
        }
        store::Transaction tx(ws.db());
        ingest::RecordSink sink(ws.db(), request.endpoint.baseUrl, "teacher-sampling");
        int64_t added = 0;
        for (const auto& r : batch) {
            const auto& in = instances[r.instance];
            for (size_t k = 0; k < r.completions.size(); ++k) {
                const auto& c = r.completions[k];
                ingest::InterchangeRecord record;
                record.task = in.task;
                record.id = in.extId;
                record.question = in.question;
                record.gold = in.gold;
                record.split = in.split;
                record.answerKind = in.answerKind;
                if (in.choicesJson) {
                    record.hasChoices = true;
                    record.choices = ingest::choicesFromJson(*in.choicesJson);
                }
                record.rationale = c.text;
                if (k < r.answerSentences.size() && !r.answerSentences[k].empty())
                    record.answerSentence = r.answerSentences[k];
                record.teacher = request.endpoint.model;
                record.sample = nextSample[r.instance]++;
                record.prompt = promptName;
                record.decoding = decoding;
                record.temperature = request.params.temperature;
                record.logprob = c.logprob;
                record.tokens = c.tokens;
                record.source = request.endpoint.baseUrl;
                sink.add(record, request.endpoint.baseUrl + " (" + in.task + "/" + in.extId + ")");
                ++added;
            }
        }
        sink.finish(added);
        tx.commit();
        std::lock_guard lock(mutex);
        outcome.stored += added;
        outcome.usage = usage;
        outcome.cost = costOf(usage);
        outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (progress)
            progress(outcome);
    }
    for (auto& w : workers)
        w.join();
    outcome.usage = usage;
    outcome.cost = costOf(usage);
    outcome.stopped = stop && stop->stopRequested();
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return outcome;
}

} // namespace cotlab::teacher
