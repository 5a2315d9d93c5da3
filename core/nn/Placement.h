#pragma once

// Where a model runs and in which precision, from the settings a user types ("auto", "cpu", "cuda:1";
// "fp32", "bf16", "fp16"). Include only from core and cotlab-cli.
#include "nn/CausalLm.h"

#include <string>

namespace cotlab::nn {

struct Placement {
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32;
};

// Device "auto" is the first CUDA device when this libtorch has one, else the CPU; precision "auto" is bf16 on
// CUDA and fp32 on the CPU. Half precision runs on CUDA only.
// Errors name the setting and why (no CUDA in this build, device index out of range, unknown precision).
Placement resolvePlacement(const std::string& device, const std::string& precision);

// The dtype a precision setting names on a device: "auto" (bf16 on CUDA, fp32 on the CPU), "fp32"/"float32",
// "bf16"/"bfloat16" or "fp16"/"float16"; Error naming the setting otherwise.
torch::ScalarType precisionDtype(const std::string& precision, const torch::Device& device);

// Moves the model's parameters and buffers. (Norms and attention softmax still compute in float32.)
void place(CausalLm& model, const Placement& placement);

std::string describe(const Placement& placement); // "cuda:0 bf16"

} // namespace cotlab::nn
