#include "nn/Placement.h"

#include "util/Error.h"

namespace cotlab::nn {

Placement resolvePlacement(const std::string& device, const std::string& precision)
{
    Placement p;
    const bool cuda = torch::cuda::is_available();
    if (device == "auto") {
        p.device = cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    } else if (device == "cpu") {
        p.device = torch::kCPU;
    } else if (device.rfind("cuda", 0) == 0) {
        if (!cuda)
            throw Error("device '" + device +
                        "': this libtorch has no CUDA device (Debian's libtorch is CPU-only; "
                        "build against a CUDA libtorch with -DCMAKE_PREFIX_PATH)");
        int index = 0;
        if (device.size() > 4) {
            if (device[4] != ':' || device.size() == 5 ||
                device.find_first_not_of("0123456789", 5) != std::string::npos)
                throw Error("device '" + device + "': expected cpu, cuda, cuda:N or auto");
            index = std::stoi(device.substr(5));
        }
        if (index >= int(torch::cuda::device_count()))
            throw Error("device '" + device + "': only " + std::to_string(torch::cuda::device_count()) +
                        " CUDA device(s) present");
        p.device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
    } else {
        throw Error("device '" + device + "': expected cpu, cuda, cuda:N or auto");
    }
    p.dtype = precisionDtype(precision, p.device);
    if (p.dtype != torch::kFloat32 && p.device.is_cpu())
        throw Error("precision '" + precision + "' runs on CUDA only; use fp32 on the CPU");
    return p;
}

torch::ScalarType precisionDtype(const std::string& precision, const torch::Device& device)
{
    if (precision == "auto")
        return device.is_cuda() ? torch::kBFloat16 : torch::kFloat32;
    if (precision == "fp32" || precision == "float32")
        return torch::kFloat32;
    if (precision == "bf16" || precision == "bfloat16")
        return torch::kBFloat16;
    if (precision == "fp16" || precision == "float16")
        return torch::kFloat16;
    throw Error("precision '" + precision + "': expected auto, fp32, bf16 or fp16");
}

void place(CausalLm& model, const Placement& placement)
{
    model.to(placement.device, placement.dtype);
}

std::string describe(const Placement& p)
{
    const std::string dtype = p.dtype == torch::kBFloat16 ? "bf16" : p.dtype == torch::kFloat16 ? "fp16" : "fp32";
    return p.device.str() + " " + dtype;
}

} // namespace cotlab::nn
