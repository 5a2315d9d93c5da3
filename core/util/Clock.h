#pragma once

// Time as waiting code sees it: the real steady clock, or, in tests, a manual clock that jumps instead of sleeping
// (so rate limits and back-off are tested exactly and without waiting).
#include <chrono>
#include <mutex>
#include <vector>

namespace cotlab {

class Clock {
public:
    using Duration = std::chrono::steady_clock::duration;
    using TimePoint = std::chrono::steady_clock::time_point;

    virtual ~Clock() = default;
    virtual TimePoint now() = 0;
    virtual void sleepFor(Duration duration) = 0;

    static Clock& steady(); // std::chrono::steady_clock and std::this_thread::sleep_for
};

// A clock that stands still until it sleeps: sleepFor() moves it forward at once and records the sleep.
class ManualClock : public Clock {
public:
    TimePoint now() override;
    void sleepFor(Duration duration) override;
    void advance(Duration duration);
    Duration slept(); // the sum of every sleep so far
    std::vector<Duration> sleeps();

private:
    std::mutex m_mutex;
    TimePoint m_now{};
    std::vector<Duration> m_sleeps;
};

} // namespace cotlab
