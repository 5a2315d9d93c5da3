#include "nn/TorchInfo.h"

#include <torch/torch.h>
#include <torch/version.h>

namespace cotlab::nn {

TorchInfo TorchInfo::query()
{
    TorchInfo info;
    info.version = TORCH_VERSION;
    info.cudaAvailable = torch::cuda::is_available();
    info.cudaDevices = info.cudaAvailable ? int(torch::cuda::device_count()) : 0;
    const std::string config = at::show_config();
    const auto pos = config.find("BLAS_INFO=");
    if (pos != std::string::npos) {
        const auto end = config.find_first_of(",\n", pos);
        info.blas = config.substr(pos + 10, end - pos - 10);
    }
    return info;
}

} // namespace cotlab::nn
