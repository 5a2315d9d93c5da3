#include "teacher/RequestBatcher.h"

#include "util/Error.h"

namespace cotlab::teacher {

RequestBatcher::RequestBatcher(BatchGenerator generate, int maxSequences)
    : m_generate(std::move(generate)), m_maxSequences(maxSequences), m_thread([this] { loop(); })
{
}

RequestBatcher::~RequestBatcher()
{
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

bool RequestBatcher::sameDecoding(const SamplingParams& a, const SamplingParams& b)
{
    return !a.seed && !b.seed && a.temperature == b.temperature && a.topP == b.topP && a.maxTokens == b.maxTokens &&
           a.stop == b.stop && a.templated == b.templated;
}

std::vector<GeneratedText> RequestBatcher::submit(const std::string& prompt, const SamplingParams& params)
{
    Pending pending{prompt, params, {}};
    auto result = pending.done.get_future();
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(&pending);
    }
    m_wake.notify_one();
    return result.get();
}

int64_t RequestBatcher::batches() const
{
    std::lock_guard lock(m_mutex);
    return m_batches;
}

// The oldest request, and the queued ones with its settings while they fit.
std::vector<RequestBatcher::Pending*> RequestBatcher::nextBatch(std::unique_lock<std::mutex>&)
{
    std::vector<Pending*> batch{m_queue.front()};
    m_queue.pop_front();
    int sequences = batch.front()->params.n;
    for (auto it = m_queue.begin(); it != m_queue.end();) {
        if (sequences + (*it)->params.n <= m_maxSequences && sameDecoding(batch.front()->params, (*it)->params)) {
            sequences += (*it)->params.n;
            batch.push_back(*it);
            it = m_queue.erase(it);
        } else {
            ++it;
        }
    }
    return batch;
}

void RequestBatcher::loop()
{
    for (;;) {
        std::vector<Pending*> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_quit || !m_queue.empty(); });
            if (m_quit && m_queue.empty())
                return;
            batch = nextBatch(lock);
            ++m_batches;
        }
        try {
            run(batch);
        } catch (...) {
            for (Pending* p : batch)
                p->done.set_exception(std::current_exception());
        }
    }
}

void RequestBatcher::run(const std::vector<Pending*>& batch)
{
    const SamplingParams& params = batch.front()->params;
    std::vector<std::string> prompts;
    std::vector<int> samples;
    for (const Pending* p : batch) {
        prompts.push_back(p->prompt);
        samples.push_back(p->params.n);
    }
    const uint64_t seed = params.seed ? *params.seed : m_nextSeed++; // unseeded batches differ from each other
    auto texts = m_generate(prompts, samples, params, seed);
    if (texts.size() != batch.size())
        throw Error("the generator answered " + std::to_string(texts.size()) + " of " + std::to_string(batch.size()) +
                    " requests");
    for (size_t k = 0; k < batch.size(); ++k)
        batch[k]->done.set_value(std::move(texts[k]));
}

} // namespace cotlab::teacher
