#pragma once

// GPT-2 decoder in libtorch (Radford et al. 2019; Hugging Face GPT2LMHeadModel): learned positions, pre-norm
// LayerNorm blocks, GELU (tanh) MLP, head tied to the token embedding. Include only from core and cotlab-cli.
#include "nn/CausalLm.h"
#include "nn/ModelConfig.h"

#include <string>

namespace cotlab::nn {

// The linear layers are GPT-2's Conv1D: x W + b with W stored [in, out], as in Hugging Face checkpoints. Besides
// needing no transpose on load and save, this layout is the faster one for OpenBLAS's matrix-vector products while
// decoding.
class Gpt2BlockImpl : public torch::nn::Module {
public:
    Gpt2BlockImpl(const Gpt2Config& c, const LayerInit& init);
    torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
    LinearLayer attn{nullptr}, attnProj{nullptr}; // attn.c_attn [dim -> 3 dim], attn.c_proj
    LinearLayer fc{nullptr}, proj{nullptr};       // mlp.c_fc, mlp.c_proj
};
TORCH_MODULE(Gpt2Block);

class Gpt2Impl : public CausalLm {
public:
    explicit Gpt2Impl(const Gpt2Config& config, const LayerInit& init = {});
    torch::Tensor forward(const torch::Tensor& tokens, KvCache* cache = nullptr,
                          const PackedRows* packed = nullptr) override;
    int64_t maxSeqLen() const override { return m_config.maxSeqLen; }
    int64_t cachedValuesPerToken() const override { return 2 * m_config.nLayers * m_config.dim; }
    int64_t vocabSize() const override { return m_config.vocabSize; }
    std::string family() const override { return "gpt2"; }
    const Gpt2Config& config() const { return m_config; }

    // Hugging Face folders: config.json (model_type gpt2) + safetensors; names with or without the
    // "transformer." prefix are accepted.
    static std::shared_ptr<Gpt2Impl> loadHf(const std::string& folder, torch::ScalarType dtype = torch::kFloat32);
    std::vector<HfTensor> hfTensors() override;
    nlohmann::json hfConfig() const override;

    torch::nn::Embedding wte{nullptr}; // [vocab, dim]
    torch::nn::Embedding wpe{nullptr}; // [positions, dim]
    std::vector<Gpt2Block> blocks;
    torch::nn::LayerNorm lnF{nullptr};

private:
    torch::Tensor block(size_t i, const torch::Tensor& h, KvCache* cache, int64_t start, const PackedRows* packed);

    Gpt2Config m_config;
    LmHead m_head;
};
TORCH_MODULE(Gpt2);

} // namespace cotlab::nn
