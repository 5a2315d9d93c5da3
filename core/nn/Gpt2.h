#pragma once

// GPT-2 decoder in libtorch (Radford et al. 2019; Hugging Face GPT2LMHeadModel): learned positions, pre-norm
// LayerNorm blocks, GELU (tanh) MLP, head tied to the token embedding. Include only from core and cotlab-cli.
#include "nn/CausalLm.h"

#include <string>

namespace cotlab::nn {

struct Gpt2Config {
    int64_t dim = 768;        // n_embd
    int64_t nLayers = 12;     // n_layer
    int64_t nHeads = 12;      // n_head
    int64_t maxSeqLen = 1024; // n_positions
    int64_t vocabSize = 50257;
    int64_t innerDim = 3072; // n_inner, 4 * n_embd by default
    double layerNormEps = 1e-5;
};

// GPT-2's Conv1D: x W + b with W stored [in, out], as in Hugging Face checkpoints. Besides needing no transpose
// on load and save, this layout is the faster one for OpenBLAS's matrix-vector products while decoding.
class Conv1DImpl : public torch::nn::Module {
public:
    Conv1DImpl(int64_t in, int64_t out);
    torch::Tensor forward(const torch::Tensor& x); // [..., in] -> [..., out]
    torch::Tensor weight;                          // [in, out]
    torch::Tensor bias;                            // [out]
};
TORCH_MODULE(Conv1D);

class Gpt2BlockImpl : public torch::nn::Module {
public:
    explicit Gpt2BlockImpl(const Gpt2Config& c);
    torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
    Conv1D attn{nullptr}, attnProj{nullptr}; // attn.c_attn [dim -> 3 dim], attn.c_proj
    Conv1D fc{nullptr}, proj{nullptr};       // mlp.c_fc, mlp.c_proj
};
TORCH_MODULE(Gpt2Block);

class Gpt2Impl : public CausalLm {
public:
    explicit Gpt2Impl(const Gpt2Config& config);
    torch::Tensor forward(const torch::Tensor& tokens, KvCache* cache = nullptr) override;
    int64_t maxSeqLen() const override { return m_config.maxSeqLen; }
    int64_t cachedValuesPerToken() const override { return 2 * m_config.nLayers * m_config.dim; }
    int64_t vocabSize() const override { return m_config.vocabSize; }
    std::string family() const override { return "gpt2"; }
    const Gpt2Config& config() const { return m_config; }

    // Hugging Face folders: config.json (model_type gpt2) + safetensors; names with or without the
    // "transformer." prefix are accepted.
    static std::shared_ptr<Gpt2Impl> loadHf(const std::string& folder);
    void saveHf(const std::string& folder) override;

    torch::nn::Embedding wte{nullptr}; // [vocab, dim]
    torch::nn::Embedding wpe{nullptr}; // [positions, dim]
    std::vector<Gpt2Block> blocks;
    torch::nn::LayerNorm lnF{nullptr};

private:
    Gpt2Config m_config;
    LmHead m_head;
};
TORCH_MODULE(Gpt2);

} // namespace cotlab::nn
