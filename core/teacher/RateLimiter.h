#pragma once

// Spaces request starts to a requests-per-minute limit and holds them while the last minute's tokens reach a
// tokens-per-minute limit (the two limits hosted APIs enforce). Shared by a job's worker threads.
#include "jobs/Progress.h"
#include "util/Clock.h"

#include <cstdint>
#include <deque>
#include <mutex>
#include <utility>

namespace cotlab::teacher {

class RateLimiter {
public:
    // 0 for either: no limit of that kind.
    RateLimiter(double requestsPerMinute, double tokensPerMinute, Clock& clock = Clock::steady());

    // Waits until a request may start (or the stop token is set) and books its start.
    void acquire(const jobs::StopToken* stop);
    // Books the tokens a finished request used (prompt and completion).
    void spent(int64_t tokens);

private:
    Clock& m_clock;
    std::mutex m_mutex;
    Clock::Duration m_interval;
    double m_tokensPerMinute;
    Clock::TimePoint m_next;
    std::deque<std::pair<Clock::TimePoint, int64_t>> m_tokens; // the last minute's requests' tokens
    int64_t m_window = 0;                                      // their sum
};

} // namespace cotlab::teacher
