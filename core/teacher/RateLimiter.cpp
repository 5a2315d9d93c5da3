#include "teacher/RateLimiter.h"

#include <algorithm>

namespace cotlab::teacher {

namespace {

constexpr auto kWindow = std::chrono::minutes(1);
constexpr auto kStopCheck = std::chrono::milliseconds(50); // the longest sleep between looks at the stop token

} // namespace

RateLimiter::RateLimiter(double requestsPerMinute, double tokensPerMinute, Clock& clock)
    : m_clock(clock), m_interval(requestsPerMinute > 0 ? std::chrono::duration_cast<Clock::Duration>(
                                                             std::chrono::duration<double>(60.0 / requestsPerMinute))
                                                       : Clock::Duration::zero()),
      m_tokensPerMinute(tokensPerMinute), m_next(clock.now())
{
}

void RateLimiter::acquire(const jobs::StopToken* stop)
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        const auto now = m_clock.now();
        while (!m_tokens.empty() && now - m_tokens.front().first >= kWindow) {
            m_window -= m_tokens.front().second;
            m_tokens.pop_front();
        }
        const bool tokensLeft = m_tokensPerMinute <= 0 || double(m_window) < m_tokensPerMinute;
        if (now >= m_next && tokensLeft) {
            m_next = now + m_interval;
            return;
        }
        if (stop && stop->stopRequested())
            return;
        // Until the next start is due, or until the oldest booked tokens leave the window.
        Clock::Duration wait = now < m_next ? m_next - now : Clock::Duration::zero();
        if (!tokensLeft)
            wait = std::max(wait, m_tokens.front().first + kWindow - now);
        lock.unlock();
        m_clock.sleepFor(std::min<Clock::Duration>(wait, kStopCheck));
        lock.lock();
    }
}

void RateLimiter::spent(int64_t tokens)
{
    std::lock_guard lock(m_mutex);
    m_tokens.emplace_back(m_clock.now(), tokens);
    m_window += tokens;
}

} // namespace cotlab::teacher
