#include "nn/CausalLm.h"

#include <cmath>
#include <limits>

namespace cotlab::nn {

torch::Tensor cachedCausalAttention(torch::Tensor q, torch::Tensor k, torch::Tensor v, KvCache* cache, size_t layer,
                                    int64_t start)
{
    const int64_t batch = q.size(0), heads = q.size(1), seq = q.size(2), hd = q.size(3);
    if (cache) {
        if (cache->keys.size() <= layer) {
            cache->keys.resize(layer + 1);
            cache->values.resize(layer + 1);
        }
        if (cache->keys[layer].defined()) {
            k = torch::cat({cache->keys[layer], k}, 2); // [b, kv_heads, start+seq, hd]
            v = torch::cat({cache->values[layer], v}, 2);
        }
        cache->keys[layer] = k;
        cache->values[layer] = v;
    }
    if (k.size(1) != heads) { // grouped-query attention: each kv head serves heads / kv_heads query heads
        k = k.repeat_interleave(heads / k.size(1), 1); // [b, heads, start+seq, hd]
        v = v.repeat_interleave(heads / v.size(1), 1);
    }
    // Query at start+t sees keys 0..start+t.
    auto mask = torch::ones({seq, start + seq}, torch::dtype(torch::kBool).device(q.device())).tril(start);
    auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(hd)); // [b, heads, seq, start+seq]
    scores = scores.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
    auto att = torch::softmax(scores.to(torch::kFloat32), -1).to(q.scalar_type());
    return torch::matmul(att, v).transpose(1, 2).reshape({batch, seq, heads * hd}); // [b, seq, heads*hd]
}

} // namespace cotlab::nn
