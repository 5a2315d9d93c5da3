#pragma once

// Llama-family decoder in libtorch (nanoGPT-style: one readable file, shapes in comments).
// Include only from core and cotlab-cli: <torch/torch.h> costs seconds per file.
#include "nn/CausalLm.h"
#include "nn/ModelConfig.h"

#include <torch/torch.h>
#include <vector>

namespace cotlab::nn {

// One decoder layer: pre-norm attention and pre-norm SwiGLU feed-forward, each with a residual.
class LlamaBlockImpl : public torch::nn::Module {
public:
    LlamaBlockImpl(const LlamaConfig& c, const LayerInit& init);
    torch::Tensor attentionNorm; // [dim]
    LinearLayer wq{nullptr}, wk{nullptr}, wv{nullptr}, wo{nullptr};
    torch::Tensor ffnNorm;                             // [dim]
    LinearLayer w1{nullptr}, w2{nullptr}, w3{nullptr}; // gate, down, up
};
TORCH_MODULE(LlamaBlock);

class LlamaImpl : public CausalLm {
public:
    explicit LlamaImpl(const LlamaConfig& config, const LayerInit& init = {});

    // tokens [batch, seq] (int64) -> logits [batch, seq, vocab]. With a cache, tokens continue the cached
    // positions and the cache is extended.
    torch::Tensor forward(const torch::Tensor& tokens, KvCache* cache = nullptr,
                          const PackedRows* packed = nullptr) override;
    int64_t maxSeqLen() const override { return m_config.maxSeqLen; }
    int64_t cachedValuesPerToken() const override
    {
        return 2 * m_config.nLayers * m_config.nKvHeads * (m_config.dim / m_config.nHeads);
    }
    int64_t vocabSize() const override { return m_config.vocabSize; }
    std::string family() const override { return "llama"; }
    // Hugging Face names (LlamaForCausalLM, Qwen2ForCausalLM); llama2.c's interleaved q/k rows are written as
    // Hugging Face's halves, as transformers' convert_llama_weights_to_hf does.
    std::vector<HfTensor> hfTensors() override;
    nlohmann::json hfConfig() const override;
    // Hugging Face folders: config.json (model_type llama, qwen2 or mistral) + safetensors, in dtype.
    static std::shared_ptr<LlamaImpl> loadHf(const std::string& folder, torch::ScalarType dtype = torch::kFloat32);

    const LlamaConfig& config() const { return m_config; }

    torch::nn::Embedding embedding{nullptr}; // [vocab, dim]
    std::vector<LlamaBlock> layers;          // also registered as the module list named layers
    torch::Tensor finalNorm;                 // [dim]
    torch::nn::Linear lmHead{nullptr};       // untied only

private:
    torch::Tensor block(size_t i, const torch::Tensor& h, KvCache* cache, int64_t start, const PackedRows* packed,
                        const torch::Tensor& cos, const torch::Tensor& sin);
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
