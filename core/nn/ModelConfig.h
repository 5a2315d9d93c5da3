#pragma once

// The hyper-parameters of each model family, read from and written to Hugging Face's config.json (and llama2.c's
// header). No torch: the memory plan and the Train page read shapes without loading a model.
#include "nn/LlamaConfig.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace cotlab::nn {

// GPT-2 (Radford et al. 2019; Hugging Face GPT2LMHeadModel).
struct Gpt2Config {
    int64_t dim = 768;        // n_embd
    int64_t nLayers = 12;     // n_layer
    int64_t nHeads = 12;      // n_head
    int64_t maxSeqLen = 1024; // n_positions
    int64_t vocabSize = 50257;
    int64_t innerDim = 3072; // n_inner, 4 * n_embd by default
    double layerNormEps = 1e-5;
};

// OPT (Zhang et al. 2022; Hugging Face OPTForCausalLM).
struct OptConfig {
    int64_t dim = 768;     // hidden_size
    int64_t nLayers = 12;  // num_hidden_layers
    int64_t nHeads = 12;   // num_attention_heads
    int64_t ffnDim = 3072; // ffn_dim
    int64_t maxSeqLen = 2048;
    int64_t vocabSize = 50272;
    int64_t wordEmbedDim = 768;                   // word_embed_proj_dim: project_in / project_out when != dim
    bool layerNormBefore = true;                  // do_layer_norm_before
    bool finalLayerNorm = true;                   // decoder.final_layer_norm (pre-norm models only)
    bool bias = true;                             // enable_bias
    std::string activation = "relu";              // activation_function: relu or gelu
    static constexpr int64_t kPositionOffset = 2; // OPT's position table starts 2 rows in
};

// config.json of a model folder; an Error names the folder or file when it is missing, not JSON or not an object.
nlohmann::json readHfConfig(const std::string& folder);
// config.json's model_type ("" when absent; an Error naming `where` when it is not a string).
std::string modelType(const nlohmann::json& config, const std::string& where);

// From config.json; `where` names the file in errors (unsupported settings, shapes that do not divide).
Gpt2Config gpt2Config(const nlohmann::json& config, const std::string& where);
OptConfig optConfig(const nlohmann::json& config, const std::string& where);
// LlamaForCausalLM, and Qwen2 / Mistral / SmolLM, which share its parameter names.
LlamaConfig llamaConfig(const nlohmann::json& config, const std::string& where);
// A llama2.c checkpoint's 7-int32 header, checked against the file's size.
LlamaConfig llama2cConfig(const std::string& path);

nlohmann::json toHfConfig(const Gpt2Config& config);
nlohmann::json toHfConfig(const OptConfig& config);
nlohmann::json toHfConfig(const LlamaConfig& config);

} // namespace cotlab::nn
