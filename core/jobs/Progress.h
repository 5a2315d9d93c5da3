#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace cotlab::jobs {

// Set from any thread to ask a job to stop; the job checks it between units of work and leaves the
// store as it was before the job (or at its last consistent point).
class StopToken {
public:
    void requestStop() { m_stop.store(true, std::memory_order_relaxed); }
    bool stopRequested() const { return m_stop.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_stop{false};
};

// What a job reports while it runs. total 0 means unknown.
struct Progress {
    std::string stage;
    uint64_t done = 0;
    uint64_t total = 0;
};

using ProgressSink = std::function<void(const Progress&)>;

// Thrown by a job that saw its stop token; the job has already rolled back.
class Cancelled : public std::exception {
public:
    const char* what() const noexcept override { return "cancelled"; }
};

} // namespace cotlab::jobs
