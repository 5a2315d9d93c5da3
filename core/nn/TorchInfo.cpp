#include "nn/TorchInfo.h"

#include "nn/CpuThreads.h"

#include <dlfcn.h>
#include <fstream>
#include <string>
#include <torch/torch.h>
#include <torch/version.h>

namespace cotlab::nn {

TorchInfo TorchInfo::query()
{
    TorchInfo info;
    info.version = TORCH_VERSION;
    info.cudaAvailable = torch::cuda::is_available();
    info.cudaDevices = info.cudaAvailable ? int(torch::cuda::device_count()) : 0;
    info.cpuThreads = torch::get_num_threads();
    info.blasThreads = openBlasThreads();
    const std::string config = at::show_config();
    const auto pos = config.find("BLAS_INFO=");
    if (pos != std::string::npos) {
        const auto end = config.find_first_of(",\n", pos);
        info.blas = config.substr(pos + 10, end - pos - 10);
    }
    // Debian's libtorch reports "generic": it calls whatever libblas.so.3 the alternatives system points at.
    if (info.blas == "generic" || info.blas.empty()) {
        std::ifstream maps("/proc/self/maps");
        std::string line;
        bool openblas = false, reference = false;
        while (std::getline(maps, line)) {
            openblas |= line.find("openblas") != std::string::npos;
            reference |= line.find("/blas/libblas.so") != std::string::npos;
        }
        if (openblas) {
            info.blas = "OpenBLAS (through libblas.so.3)";
            // OpenBLAS picks its kernels at load time and can fall back to old ones on CPUs it does not know
            // (Prescott on some virtual Xeons: 2-2.5x slower at GPT-2 size, docs/benchmarks.md).
            using CoreName = char* (*)();
            if (auto core = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"))) {
                const std::string name = core();
                info.blas += ", kernels " + name;
                if ((name == "Prescott" || name == "Core2" || name == "Nehalem" || name == "Sandybridge") &&
                    __builtin_cpu_supports("avx2"))
                    info.blas += std::string(" although this CPU has AVX2") +
                                 (__builtin_cpu_supports("avx512f") ? "/AVX-512" : "") +
                                 ": start CoTLab with OPENBLAS_CORETYPE=" +
                                 (__builtin_cpu_supports("avx512f") ? "SkylakeX" : "Haswell") + " for faster training";
            }
        } else if (reference)
            info.blas = "reference BLAS (slow: install libopenblas0-pthread)";
    }
    return info;
}

} // namespace cotlab::nn
