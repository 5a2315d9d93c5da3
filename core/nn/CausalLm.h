#pragma once

// What decoding, scoring and (later) training need of any decoder-only model family.
#include <torch/torch.h>
#include <vector>

namespace cotlab::nn {

// Keys and values of the positions seen so far, per layer: [batch, kv_heads, positions, head_dim].
struct KvCache {
    std::vector<torch::Tensor> keys;
    std::vector<torch::Tensor> values;
    int64_t length = 0;
};

class CausalLm : public torch::nn::Module {
public:
    // tokens [batch, seq] (int64) -> logits [batch, seq, vocab]. With a cache, tokens continue the cached
    // positions and the cache is extended.
    virtual torch::Tensor forward(const torch::Tensor& tokens, KvCache* cache = nullptr) = 0;
    virtual int64_t maxSeqLen() const = 0;
    virtual int64_t vocabSize() const = 0;
};

// softmax(q k^T / sqrt(d)) v with a causal mask over cached and new positions; extends the cache.
// q [b, heads, seq, hd]; k, v [b, kv_heads, seq, hd]; returns [b, seq, heads * hd].
torch::Tensor cachedCausalAttention(torch::Tensor q, torch::Tensor k, torch::Tensor v, KvCache* cache, size_t layer,
                                    int64_t start);

} // namespace cotlab::nn
