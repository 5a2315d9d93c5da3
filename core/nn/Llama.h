#pragma once

// Llama-family decoder in libtorch (nanoGPT-style: one readable file, shapes in comments).
// Include only from core and cotlab-cli: <torch/torch.h> costs seconds per file.
#include "nn/CausalLm.h"
#include "nn/LlamaConfig.h"

#include <torch/torch.h>
#include <vector>

namespace cotlab::nn {

// One decoder layer: pre-norm attention and pre-norm SwiGLU feed-forward, each with a residual.
class LlamaBlockImpl : public torch::nn::Module {
public:
    LlamaBlockImpl(const LlamaConfig& c);
    torch::Tensor attentionNorm; // [dim]
    torch::nn::Linear wq{nullptr}, wk{nullptr}, wv{nullptr}, wo{nullptr};
    torch::Tensor ffnNorm;                                   // [dim]
    torch::nn::Linear w1{nullptr}, w2{nullptr}, w3{nullptr}; // gate, down, up
};
TORCH_MODULE(LlamaBlock);

class LlamaImpl : public CausalLm {
public:
    explicit LlamaImpl(const LlamaConfig& config);

    // tokens [batch, seq] (int64) -> logits [batch, seq, vocab]. With a cache, tokens continue the cached
    // positions and the cache is extended.
    torch::Tensor forward(const torch::Tensor& tokens, KvCache* cache = nullptr) override;
    int64_t maxSeqLen() const override { return m_config.maxSeqLen; }
    int64_t cachedValuesPerToken() const override
    {
        return 2 * m_config.nLayers * m_config.nKvHeads * (m_config.dim / m_config.nHeads);
    }
    int64_t vocabSize() const override { return m_config.vocabSize; }
    std::string family() const override { return "llama"; }
    void saveHf(const std::string& folder) override; // see HfLlama::save

    const LlamaConfig& config() const { return m_config; }

    torch::nn::Embedding embedding{nullptr}; // [vocab, dim]
    std::vector<LlamaBlock> layers;          // also registered as the module list named layers
    torch::Tensor finalNorm;                 // [dim]
    torch::nn::Linear lmHead{nullptr};       // untied only

private:
    torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight) const;
    std::pair<torch::Tensor, torch::Tensor> rotaryTables(const torch::Tensor& positions, int64_t start,
                                                         torch::ScalarType dtype) const;
    torch::Tensor rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) const;

    LlamaConfig m_config;
    LmHead m_head;
    torch::Tensor m_cos; // [maxSeqLen, head_dim / 2]
    torch::Tensor m_sin;
};
TORCH_MODULE(Llama);

} // namespace cotlab::nn
