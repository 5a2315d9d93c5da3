#pragma once

// OPT decoder in libtorch (Zhang et al. 2022; Hugging Face OPTForCausalLM), the student family of SCoTD:
// learned positions offset by 2, LayerNorm before (125M, 1.3B, ...) or after (350M) each sub-layer, ReLU MLP,
// an optional projection between a narrower word embedding and the hidden size (350M), head tied to the
// word embedding. Include only from core and cotlab-cli.
#include "nn/CausalLm.h"

namespace cotlab::nn {

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

class OptBlockImpl : public torch::nn::Module {
public:
    explicit OptBlockImpl(const OptConfig& c);
    torch::nn::LayerNorm attnNorm{nullptr}, ffnNorm{nullptr}; // self_attn_layer_norm, final_layer_norm
    torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, out{nullptr};
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(OptBlock);

class OptImpl : public CausalLm {
public:
    explicit OptImpl(const OptConfig& config);
    torch::Tensor forward(const torch::Tensor& tokens, KvCache* cache = nullptr) override;
    int64_t maxSeqLen() const override { return m_config.maxSeqLen; }
    int64_t cachedValuesPerToken() const override { return 2 * m_config.nLayers * m_config.dim; }
    int64_t vocabSize() const override { return m_config.vocabSize; }
    std::string family() const override { return "opt"; }
    const OptConfig& config() const { return m_config; }

    // Hugging Face folders: config.json (model_type opt) + safetensors, names with or without "model.".
    static std::shared_ptr<OptImpl> loadHf(const std::string& folder);
    void saveHf(const std::string& folder) override;

    torch::nn::Embedding embedTokens{nullptr};                 // [vocab, wordEmbedDim]
    torch::nn::Embedding embedPositions{nullptr};              // [maxSeqLen + 2, dim]
    torch::nn::Linear projectIn{nullptr}, projectOut{nullptr}; // only when wordEmbedDim != dim
    std::vector<OptBlock> layers;
    torch::nn::LayerNorm finalNorm{nullptr}; // only when finalLayerNorm

private:
    OptConfig m_config;
    LmHead m_head;
};
TORCH_MODULE(Opt);

} // namespace cotlab::nn
