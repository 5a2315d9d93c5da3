#pragma once

// How much memory a device has and how much a run used, for memory plans and run records. No torch in the
// header: the Train page asks it while the user edits settings.
#include <cstdint>
#include <string>

namespace cotlab::nn {

struct DeviceMemory {
    int64_t total = 0;     // bytes
    int64_t available = 0; // bytes a new allocation can still get
    std::string source;    // "MemAvailable", "cgroup memory.max", "cudaMemGetInfo"
};

// device: "cpu", "cuda", "cuda:N" or "auto" (as the Train page names it). The CPU: /proc/meminfo's MemAvailable,
// lowered to what the process's cgroup limit (memory.max) leaves; CUDA: cudaMemGetInfo. Zero totals when unknown
// (a CUDA device with a CPU-only libtorch).
DeviceMemory deviceMemory(const std::string& device);

// The peak since the last reset: CUDA's max allocated bytes, or the process's peak resident set (VmHWM) on the CPU.
void resetPeakMemory(const std::string& device);
int64_t peakMemory(const std::string& device);
int64_t residentMemory(); // the process's resident set now (VmRSS)

} // namespace cotlab::nn
