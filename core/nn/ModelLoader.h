#pragma once

// The one entry point for loading a student or scoring model. Include only from core and cotlab-cli.
#include "nn/CausalLm.h"

#include <memory>
#include <string>

namespace cotlab::nn {

// A Hugging Face model folder (config.json model_type gpt2, opt, llama, qwen2 or mistral, plus safetensors)
// or a llama2.c checkpoint file (.bin). Weights become float32 on the CPU. Errors name the path and what is
// wrong with it (missing folder, unknown model_type, missing or mis-shaped tensor).
std::shared_ptr<CausalLm> loadCausalLm(const std::string& path);

} // namespace cotlab::nn
