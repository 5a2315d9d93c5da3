#include "nn/CausalLm.h"

#include <cmath>
#include <limits>

namespace cotlab::nn {

torch::Tensor positionIds(const KvCache* cache, int64_t seq, int64_t start, const torch::Device& device)
{
    auto positions = torch::arange(start, start + seq, torch::dtype(torch::kInt64).device(device)); // [seq]
    if (!cache || !cache->padLengths.defined())
        return positions;
    return (positions.unsqueeze(0) - cache->padLengths.to(device).unsqueeze(1)).clamp_min(0); // [b, seq]
}

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
    const auto boolOptions = torch::dtype(torch::kBool).device(q.device());
    // Query at start+t sees keys 0..start+t.
    auto mask = torch::ones({seq, start + seq}, boolOptions).tril(start); // [seq, start+seq]
    if (cache && cache->padLengths.defined()) {
        // Real keys only; a padding query keeps its own key so that its (unused) row stays finite.
        auto keyIndex = torch::arange(start + seq, torch::dtype(torch::kInt64).device(q.device()));
        auto realKey = keyIndex.unsqueeze(0) >= cache->padLengths.to(q.device()).unsqueeze(1); // [b, start+seq]
        auto self = torch::eye(seq, start + seq, boolOptions).roll(start, 1);                   // [seq, start+seq]
        mask = (mask.unsqueeze(0) & realKey.unsqueeze(1)) | self.unsqueeze(0);                 // [b, seq, start+seq]
        mask = mask.unsqueeze(1);                                                                // [b, 1, seq, start+seq]
    }
    auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(hd)); // [b, heads, seq, start+seq]
    scores = scores.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
    auto att = torch::softmax(scores.to(torch::kFloat32), -1).to(q.scalar_type());
    return torch::matmul(att, v).transpose(1, 2).reshape({batch, seq, heads * hd}); // [b, seq, heads*hd]
}

} // namespace cotlab::nn
