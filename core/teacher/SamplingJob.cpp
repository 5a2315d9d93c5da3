#include "teacher/SamplingJob.h"

#include "answers/AnswerKind.h"
#include "ingest/InterchangeRecord.h"
#include "ingest/RecordSink.h"
#include "store/Database.h"
#include "store/Workspace.h"
#include "teacher/RateLimiter.h"
#include "teacher/SamplingPlan.h"
#include "text/ReasoningParts.h"
#include "util/Error.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace cotlab::teacher {

using nlohmann::json;

namespace {

// The completions of one request (and their answer calls' sentences), for the storing thread.
struct Result {
    size_t instance = 0;
    std::vector<Completion> completions;
    std::vector<std::string> answerSentences; // zero-shot-CoT's second call, one per completion ("" when none)
};

// The plan's requests, sent by `concurrency` worker threads (each with its own client) under the rate limits;
// results queue up for the thread that stores them, usage and errors are tallied as they come.
class RequestWorkers {
public:
    RequestWorkers(const SamplingRequest& request, const SamplingPlan& plan, const jobs::StopToken* stop, Clock& clock)
        : m_request(request), m_plan(plan), m_stop(stop), m_clock(clock),
          m_queue(plan.requests.begin(), plan.requests.end()),
          m_limiter(request.requestsPerMinute, request.tokensPerMinute, clock),
          m_running(std::min<int>(request.concurrency, int(plan.requests.size())))
    {
        for (int w = 0; w < m_running; ++w)
            m_threads.emplace_back([this] { work(); });
    }
    ~RequestWorkers() // after a failure to store: no more requests
    {
        {
            std::lock_guard lock(m_mutex);
            m_queue.clear();
        }
        for (auto& t : m_threads)
            t.join();
    }

    // Waits for results; false once every worker has ended and nothing is left.
    bool next(std::deque<Result>& batch)
    {
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [&] { return !m_results.empty() || m_running == 0; });
        batch.swap(m_results);
        return !batch.empty();
    }
    // Usage, failures and errors so far, into the outcome.
    void tally(SamplingOutcome& outcome)
    {
        std::lock_guard lock(m_mutex);
        outcome.usage = m_usage;
        outcome.failedRequests = m_failed;
        outcome.errors = m_errors;
    }

private:
    void work();
    Result send(CompletionClient& client, const SamplingPlan::Request& r);
    void note(const std::string& error) // under the mutex
    {
        if (m_errors.size() < 20)
            m_errors.push_back(error);
    }

    const SamplingRequest& m_request;
    const SamplingPlan& m_plan;
    const jobs::StopToken* m_stop;
    Clock& m_clock;
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<SamplingPlan::Request> m_queue;
    std::deque<Result> m_results;
    RateLimiter m_limiter;
    Usage m_usage;
    int64_t m_failed = 0;
    std::vector<std::string> m_errors;
    int m_running;
    std::vector<std::thread> m_threads;
};

void RequestWorkers::work()
{
    CompletionClient client(m_request.endpoint, m_request.retry, m_clock);
    Usage counted; // what of this client's usage is in the job's totals (under the mutex)
    auto addUsage = [&] {
        const Usage& now = client.usage();
        m_usage.requests += now.requests - counted.requests;
        m_usage.retries += now.retries - counted.retries;
        m_usage.promptTokens += now.promptTokens - counted.promptTokens;
        m_usage.completionTokens += now.completionTokens - counted.completionTokens;
        counted = now;
    };
    client.onRetry([&](const std::string& reason) {
        std::lock_guard lock(m_mutex);
        note("retried: " + reason);
    });
    for (;;) {
        SamplingPlan::Request r;
        {
            std::lock_guard lock(m_mutex);
            if (m_queue.empty() || (m_stop && m_stop->stopRequested()))
                break;
            r = m_queue.front();
            m_queue.pop_front();
        }
        try {
            Result result = send(client, r);
            std::lock_guard lock(m_mutex);
            addUsage();
            m_results.push_back(std::move(result));
        } catch (const std::exception& e) {
            const auto& in = m_plan.instances[r.instance];
            std::lock_guard lock(m_mutex);
            addUsage();
            ++m_failed;
            note(in.task + "/" + in.extId + ": " + e.what());
            continue;
        }
        m_ready.notify_one();
    }
    std::lock_guard lock(m_mutex);
    addUsage();
    --m_running;
    m_ready.notify_one();
}

Result RequestWorkers::send(CompletionClient& client, const SamplingPlan::Request& r)
{
    Result result{r.instance, {}, {}};
    const std::string& prompt = m_plan.prompts[r.instance];
    m_limiter.acquire(m_stop);
    SamplingParams params = m_request.params;
    params.n = r.n;
    const int64_t before = client.usage().promptTokens + client.usage().completionTokens;
    result.completions = client.complete(prompt, params);
    if (m_request.prompt.style == PromptStyle::ZeroShotCot && m_request.prompt.extractAnswer) {
        const std::string trigger = answerTrigger(m_plan.instances[r.instance]);
        for (const auto& c : result.completions) {
            m_limiter.acquire(m_stop);
            const auto answer = client.complete(prompt + " " + c.text + "\n" + trigger, answerCallParams());
            result.answerSentences.push_back(answer.empty() ? std::string() : trigger + answer.front().text);
        }
    }
    m_limiter.spent(client.usage().promptTokens + client.usage().completionTokens - before);
    return result;
}

// One transaction of arrived completions, stored with the importer's checks and answer extraction; returns how
// many were added.
int64_t storeBatch(store::Database& db, const SamplingRequest& request, SamplingPlan& plan,
                   const std::deque<Result>& batch)
{
    const std::string decoding = json{
        {"temperature", request.params.temperature},
        {"top_p", request.params.topP},
        {"max_tokens", request.params.maxTokens},
        {"stop",
         request.params.stop}}.dump();
    const std::string promptName =
        std::string(promptStyleName(request.prompt.style)) + ": " +
        (request.prompt.style == PromptStyle::Custom ? request.prompt.custom : request.prompt.trigger);
    store::Transaction tx(db);
    ingest::RecordSink sink(db, request.endpoint.baseUrl, "teacher-sampling");
    int64_t added = 0;
    for (const auto& r : batch) {
        const auto& in = plan.instances[r.instance];
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
                record.choices = answers::choicesFromJson(*in.choicesJson);
            }
            record.rationale = text::joinReasoning(c.reasoning, c.text); // a reasoning server's thinking kept
            if (k < r.answerSentences.size() && !r.answerSentences[k].empty())
                record.answerSentence = r.answerSentences[k];
            record.teacher = request.endpoint.model;
            record.sample = plan.nextSample[r.instance]++;
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
    return added;
}

double costOf(const SamplingRequest& request, const Usage& usage)
{
    return (double(usage.promptTokens) * request.pricePromptPerMillion +
            double(usage.completionTokens) * request.priceCompletionPerMillion) /
           1e6;
}

} // namespace

SamplingOutcome runSampling(const SamplingRequest& request, const SamplingProgress& progress,
                            const jobs::StopToken* stop, Clock& clock)
{
    const auto started = clock.now();
    store::Workspace ws(request.workspace);
    SamplingPlan plan = planSampling(ws.db(), request);
    if (plan.instances.empty())
        throw Error("no instances to sample in " + request.workspace + " for the chosen tasks and split");
    SamplingOutcome outcome;
    outcome.instances = int64_t(plan.instances.size());
    outcome.alreadyStored = plan.alreadyStored;
    outcome.needed = plan.missing;
    auto finishTally = [&](RequestWorkers& workers) {
        workers.tally(outcome);
        outcome.cost = costOf(request, outcome.usage);
        outcome.seconds = std::chrono::duration<double>(clock.now() - started).count();
    };
    {
        RequestWorkers workers(request, plan, stop, clock);
        // This thread stores what arrives, a transaction per batch.
        for (std::deque<Result> batch; workers.next(batch); batch.clear()) {
            outcome.stored += storeBatch(ws.db(), request, plan, batch);
            finishTally(workers);
            if (progress)
                progress(outcome);
        }
        finishTally(workers);
    } // joins the workers
    outcome.stopped = stop && stop->stopRequested();
    outcome.seconds = std::chrono::duration<double>(clock.now() - started).count();
    return outcome;
}

} // namespace cotlab::teacher
