#pragma once

// What decoding, scoring and training need of any decoder-only model family.
#include "nn/ActivationCheckpoint.h"
#include "nn/LinearLayer.h"

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace cotlab::nn {

// Keys and values of the positions seen so far, per layer: [batch, kv_heads, positions, head_dim], views into
// buffers with room to grow (appending a step copies one step, not the whole history).
// For a batch of prompts of different lengths, prompts are left-padded and padLengths says by how much:
// padding positions are never attended to and each row's first real token sits at position 0.
struct KvCache {
    std::vector<torch::Tensor> keys;
    std::vector<torch::Tensor> values;
    std::vector<torch::Tensor> keyBuffers; // [batch, kv_heads, capacity, head_dim]
    std::vector<torch::Tensor> valueBuffers;
    int64_t length = 0;
    torch::Tensor padLengths; // [batch] int64, or undefined when no row is padded
    // Decoding needs only the next token's logits: the output head then runs on the last position alone (a
    // prompt's other positions would cost a [seq, vocab] product each and the memory to hold it).
    bool lastLogitsOnly = false;
    // The attention mask of the current step, built by the first layer and reused by the others.
    torch::Tensor stepMask;
    int64_t stepMaskStart = -1;
};

// One parameter under its Hugging Face name: the table that loading, saving, LoRA adapters and merging share.
struct HfTensor {
    std::string name;                  // "model.layers.0.self_attn.q_proj.weight", as in model.safetensors
    torch::Tensor* tensor = nullptr;   // the parameter it fills
    LinearLayerImpl* linear = nullptr; // set on a linear layer's weight: a module LoRA can adapt
    int64_t interleavedHeads = 0;      // llama2.c q/k: rows in interleaved rotary pairs, written as halves (heads)

    std::string moduleName() const; // the name without ".weight" / ".bias"
    // A q/k weight, bias or LoRA B of a llama2.c model in Hugging Face's row order.
    static torch::Tensor rotaryRows(const torch::Tensor& t, int64_t heads);
};

// Several examples packed into each row of a training batch, one after another: the lengths of each row's examples
// (the rest of the row is padding). Each example is computed as if it were alone: its positions restart at 0 and its
// tokens attend only to its own earlier tokens. Attention is computed example by example, so a packed row costs the
// sum of its examples' squared lengths, not its own length squared.
struct PackedRows {
    std::vector<std::vector<int64_t>> lengths;
};

class CausalLm : public torch::nn::Module {
public:
    // tokens [batch, seq] (int64) -> logits [batch, seq, vocab]. With a cache, tokens continue the cached
    // positions and the cache is extended. With packed (training, no cache), rows hold several examples.
    virtual torch::Tensor forward(const torch::Tensor& tokens, KvCache* cache = nullptr,
                                  const PackedRows* packed = nullptr) = 0;
    virtual int64_t maxSeqLen() const = 0;
    virtual int64_t vocabSize() const = 0;
    // Keys and values one sequence caches per token, over all layers (2 x layers x key/value width): what a
    // batch's KV cache costs, for choosing batch sizes.
    virtual int64_t cachedValuesPerToken() const = 0;
    // "gpt2", "opt", "llama", ... as in config.json's model_type.
    virtual std::string family() const = 0;
    // Every parameter under its Hugging Face name, in the order Hugging Face writes them.
    virtual std::vector<HfTensor> hfTensors() = 0;
    // config.json of the model (torch_dtype float32; saveHf sets the one it writes).
    virtual nlohmann::json hfConfig() const = 0;

    // Writes config.json and model.safetensors in Hugging Face names and layout, in dtype (float32 unless told).
    void saveHf(const std::string& folder, torch::ScalarType dtype = torch::kFloat32);

    // Activation checkpointing of every transformer block while training (ActivationCheckpoint.h).
    void setActivationCheckpointing(bool on) { m_checkpointing = on; }
    bool activationCheckpointing() const { return m_checkpointing; }

protected:
    // The model after block i: block(h), under activation checkpointing when it is on, autograd records and no
    // cache is in use. The function must capture by value (ActivationCheckpoint.h).
    torch::Tensor runBlock(const BlockFunction& block, const torch::Tensor& h, const KvCache* cache) const;

private:
    bool m_checkpointing = false;
};

// Fills a model's parameters from a Hugging Face folder through its hfTensors table (each name, or the name without
// its first part: "transformer.h.0..." or "h.0..."), one tensor at a time, converting to the parameter's dtype. An
// Error names the folder and the missing or mis-shaped tensor with the shape the config implies.
void loadHfTensors(CausalLm& model, const std::string& folder);

// The device the model's parameters live on (its inputs must go there).
torch::Device modelDevice(CausalLm& model);

// Logits from the output head: h [..., dim] times weight [vocab, dim] (the tied token embedding or lm_head)
// transposed. Without autograd (decoding, scoring, evaluation) it multiplies by a contiguous [dim, vocab] copy, which
// OpenBLAS reads about twice as fast at small batch sizes (docs/benchmarks.md); the copy is remade whenever
// the weight changes (its storage or version counter), so training never sees a stale head.
class LmHead {
public:
    // h [batch, seq, dim] -> [batch, seq, vocab], or [batch, 1, vocab] when cache->lastLogitsOnly.
    torch::Tensor operator()(const torch::Tensor& h, const torch::Tensor& weight, const KvCache* cache);

private:
    torch::Tensor m_transposed; // [dim, vocab]
    const void* m_source = nullptr;
    int64_t m_version = -1;
};

// Positions of the tokens that continue a cache at 'start': [seq], or [batch, seq] when rows are left-padded
// (then a row's positions count from its first real token; padding positions get 0).
torch::Tensor positionIds(const KvCache* cache, int64_t seq, int64_t start, const torch::Device& device);

// softmax(q k^T / sqrt(d)) v with a causal mask over cached and new positions (and the cache's padding);
// extends the cache. q [b, heads, seq, hd]; k, v [b, kv_heads, seq, hd]; returns [b, seq, heads * hd].
// With packed rows (no cache), causal attention within each example (and within the row's padding).
torch::Tensor cachedCausalAttention(torch::Tensor q, torch::Tensor k, torch::Tensor v, KvCache* cache, size_t layer,
                                    int64_t start, const PackedRows* packed = nullptr);

// The positions a model's forward uses (positionIds, or restarting with each packed example) and the packed rows,
// shared so that blocks recomputed in backward (activation checkpointing) still have them.
struct ForwardLayout {
    torch::Tensor positions;
    std::shared_ptr<const PackedRows> packed;
};
ForwardLayout forwardLayout(const KvCache* cache, const PackedRows* packed, int64_t seq, int64_t start,
                            const torch::Device& device);

} // namespace cotlab::nn
