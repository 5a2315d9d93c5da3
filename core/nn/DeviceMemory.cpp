#include "nn/DeviceMemory.h"

#include <fstream>
#include <sstream>
#include <torch/torch.h>
#ifdef COTLAB_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace cotlab::nn {

namespace {

// "VmHWM:   123456 kB" style fields of a /proc file, in bytes; 0 when absent.
int64_t procField(const char* file, const std::string& field)
{
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) {
            std::istringstream s(line.substr(field.size() + 1));
            int64_t kib = 0;
            s >> kib;
            return kib * 1024;
        }
    return 0;
}

// A cgroup v2 file holding one number ("max" or missing: no limit).
int64_t cgroupValue(const char* name)
{
    std::ifstream in(std::string("/sys/fs/cgroup/") + name);
    std::string text;
    if (!(in >> text) || text == "max")
        return 0;
    try {
        return std::stoll(text);
    } catch (const std::exception&) {
        return 0;
    }
}

bool isCuda(const std::string& device, int& index)
{
    index = 0;
    if (device == "auto")
        return torch::cuda::is_available();
    if (device.rfind("cuda", 0) != 0)
        return false;
    if (device.size() > 5)
        index = std::atoi(device.c_str() + 5);
    return true;
}

} // namespace

DeviceMemory deviceMemory(const std::string& device)
{
    DeviceMemory m;
    int index = 0;
    if (isCuda(device, index)) {
#ifdef COTLAB_WITH_CUDA
        size_t freeBytes = 0, totalBytes = 0;
        if (torch::cuda::is_available() && cudaSetDevice(index) == cudaSuccess &&
            cudaMemGetInfo(&freeBytes, &totalBytes) == cudaSuccess) {
            m.total = int64_t(totalBytes);
            // What PyTorch's allocator holds cached is free for this process's next tensors.
            const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(index);
            m.available = int64_t(freeBytes) + stats.reserved_bytes[0].current - stats.allocated_bytes[0].current;
            m.source = "cudaMemGetInfo";
        }
#endif
        return m;
    }
    m.total = procField("/proc/meminfo", "MemTotal");
    m.available = procField("/proc/meminfo", "MemAvailable");
    m.source = "MemAvailable";
    if (const int64_t limit = cgroupValue("memory.max"); limit > 0) {
        const int64_t left = limit - cgroupValue("memory.current");
        if (limit < m.total)
            m.total = limit;
        if (left < m.available) {
            m.available = left;
            m.source = "cgroup memory.max";
        }
    }
    return m;
}

void resetPeakMemory(const std::string& device)
{
    int index = 0;
    if (isCuda(device, index)) {
#ifdef COTLAB_WITH_CUDA
        c10::cuda::CUDACachingAllocator::resetPeakStats(index);
#endif
        return;
    }
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5"; // resets VmHWM to the current resident set (Linux 4.0+)
}

int64_t peakMemory(const std::string& device)
{
    int index = 0;
    if (isCuda(device, index)) {
#ifdef COTLAB_WITH_CUDA
        return c10::cuda::CUDACachingAllocator::getDeviceStats(index).allocated_bytes[0].peak;
#else
        return 0;
#endif
    }
    return procField("/proc/self/status", "VmHWM");
}

int64_t residentMemory()
{
    return procField("/proc/self/status", "VmRSS");
}

} // namespace cotlab::nn
