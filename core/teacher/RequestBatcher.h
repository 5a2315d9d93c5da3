#pragma once

// Serves concurrent completion requests from one generation thread: requests that arrive while a batch is being
// generated wait, and those with the same decoding settings then go together into one batch (up to a number of
// sequences), so more requests in flight give more samples per second. A request with its own seed is generated
// alone (its text must not depend on what else was asked). cotlab-cli serve puts one in front of its model.
#include "teacher/CompletionServer.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cotlab::teacher {

class RequestBatcher {
public:
    // Generates, for each prompt, `samples[i]` texts with the shared settings and seed: one list per prompt.
    using BatchGenerator = std::function<std::vector<std::vector<GeneratedText>>(
        const std::vector<std::string>& prompts, const std::vector<int>& samples, const SamplingParams& params,
        uint64_t seed)>;

    explicit RequestBatcher(BatchGenerator generate, int maxSequences = 64);
    ~RequestBatcher(); // answers what is queued, then joins
    RequestBatcher(const RequestBatcher&) = delete;
    RequestBatcher& operator=(const RequestBatcher&) = delete;

    // Thread-safe; blocks until the request's texts are generated (rethrows its batch's failure).
    std::vector<GeneratedText> submit(const std::string& prompt, const SamplingParams& params);
    // Batches generated so far (for tests and the server's log).
    int64_t batches() const;

    static bool sameDecoding(const SamplingParams& a, const SamplingParams& b);

private:
    struct Pending {
        std::string prompt;
        SamplingParams params;
        std::promise<std::vector<GeneratedText>> done;
    };
    void loop();
    std::vector<Pending*> nextBatch(std::unique_lock<std::mutex>& lock);
    void run(const std::vector<Pending*>& batch);

    BatchGenerator m_generate;
    int m_maxSequences;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Pending*> m_queue;
    bool m_quit = false;
    uint64_t m_nextSeed = 0;
    int64_t m_batches = 0;
    std::thread m_thread;
};

} // namespace cotlab::teacher
