#include "util/Clock.h"

#include <numeric>
#include <thread>

namespace cotlab {

namespace {

class SteadyClock : public Clock {
public:
    TimePoint now() override { return std::chrono::steady_clock::now(); }
    void sleepFor(Duration duration) override { std::this_thread::sleep_for(duration); }
};

} // namespace

Clock& Clock::steady()
{
    static SteadyClock clock;
    return clock;
}

Clock::TimePoint ManualClock::now()
{
    std::lock_guard lock(m_mutex);
    return m_now;
}

void ManualClock::sleepFor(Duration duration)
{
    std::lock_guard lock(m_mutex);
    m_now += duration;
    m_sleeps.push_back(duration);
}

void ManualClock::advance(Duration duration)
{
    std::lock_guard lock(m_mutex);
    m_now += duration;
}

Clock::Duration ManualClock::slept()
{
    std::lock_guard lock(m_mutex);
    return std::accumulate(m_sleeps.begin(), m_sleeps.end(), Duration{});
}

std::vector<Clock::Duration> ManualClock::sleeps()
{
    std::lock_guard lock(m_mutex);
    return m_sleeps;
}

} // namespace cotlab
