#pragma once

// OPT decoder in libtorch (Zhang et al. 2022; Hugging Face OPTForCausalLM), the student family of SCoTD:
// learned positions offset by 2, LayerNorm before (125M, 1.3B, ...) or after (350M) each sub-layer, ReLU MLP,
// an optional projection between a narrower word embedding and the hidden size (350M), head tied to the
// word embedding. Include only from core and cotlab-cli.
#include "nn/CausalLm.h"
#include "nn/ModelConfig.h"

namespace cotlab::nn {

class OptBlockImpl : public torch::nn::Module {
public:
    OptBlockImpl(const OptConfig& c, const LayerInit& init);
    torch::nn::LayerNorm attnNorm{nullptr}, ffnNorm{nullptr}; // self_attn_layer_norm, final_layer_norm
    LinearLayer q{nullptr}, k{nullptr}, v{nullptr}, out{nullptr};
    LinearLayer fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(OptBlock);

class OptImpl : public CausalLm {
public:
    explicit OptImpl(const OptConfig& config, const LayerInit& init = {});
    torch::Tensor forward(const torch::Tensor& tokens, KvCache* cache = nullptr,
                          const PackedRows* packed = nullptr) override;
    int64_t maxSeqLen() const override { return m_config.maxSeqLen; }
    int64_t cachedValuesPerToken() const override { return 2 * m_config.nLayers * m_config.dim; }
    int64_t vocabSize() const override { return m_config.vocabSize; }
    std::string family() const override { return "opt"; }
    const OptConfig& config() const { return m_config; }

    // Hugging Face folders: config.json (model_type opt) + safetensors, names with or without "model.".
    static std::shared_ptr<OptImpl> loadHf(const std::string& folder, torch::ScalarType dtype = torch::kFloat32);
    std::vector<HfTensor> hfTensors() override;
    nlohmann::json hfConfig() const override;

    torch::nn::Embedding embedTokens{nullptr};           // [vocab, wordEmbedDim]
    torch::nn::Embedding embedPositions{nullptr};        // [maxSeqLen + 2, dim]
    LinearLayer projectIn{nullptr}, projectOut{nullptr}; // only when wordEmbedDim != dim
    std::vector<OptBlock> layers;
    torch::nn::LayerNorm finalNorm{nullptr}; // only when finalLayerNorm

private:
    torch::Tensor block(size_t i, const torch::Tensor& h, KvCache* cache, int64_t start, const PackedRows* packed);

    OptConfig m_config;
    LmHead m_head;
};
TORCH_MODULE(Opt);

} // namespace cotlab::nn
