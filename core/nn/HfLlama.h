#pragma once

#include "nn/Llama.h"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace cotlab::nn {

// Hugging Face Llama-family folders (config.json + safetensors): LlamaForCausalLM, and Qwen2 / SmolLM, which
// share its parameter names.
class HfLlama {
public:
    static LlamaConfig configFromJson(const nlohmann::json& config, const std::string& where);
    // Loads config.json and the weights; a missing tensor or one of the wrong shape is an Error naming it and
    // its expected shape. Weights are converted to float32.
    static Llama load(const std::string& folder);
    // Writes config.json and model.safetensors (float32) in Hugging Face names and layout. A model with
    // llama2.c's interleaved rotary layout gets its q/k rows permuted to Hugging Face's half layout, as
    // transformers' convert_llama_weights_to_hf does.
    static void save(LlamaImpl& model, const std::string& folder);
};

} // namespace cotlab::nn
