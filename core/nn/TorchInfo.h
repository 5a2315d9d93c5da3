#pragma once

#include <string>

namespace cotlab::nn {

// Versions and devices of the linked libtorch, for the About box and `cotlab-cli version`.
struct TorchInfo {
    std::string version; // e.g. "1.13.1"
    bool cudaAvailable = false;
    int cudaDevices = 0;
    std::string blas;    // what libtorch reports as its BLAS, when known
    int cpuThreads = 0;  // libtorch's intra-op threads
    int blasThreads = 0; // OpenBLAS's threads when libtorch calls OpenBLAS (nn/CpuThreads.h), else 0
    static TorchInfo query();
};

} // namespace cotlab::nn
