#include "nn/CausalLm.h"

#include "nn/HfFolder.h"
#include "nn/Safetensors.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

namespace cotlab::nn {

torch::Tensor HfTensor::rotaryRows(const torch::Tensor& t, int64_t heads)
{
    return t.dim() == 1 ? HfFolder::rotaryRowsToHf(t.unsqueeze(1), heads).squeeze(1)
                        : HfFolder::rotaryRowsToHf(t, heads);
}

std::string HfTensor::moduleName() const
{
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(0, dot);
}

void CausalLm::saveHf(const std::string& folder, torch::ScalarType dtype)
{
    HfFolder::create(folder);
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> weights;
    for (const HfTensor& t : hfTensors())
        weights[t.name] = (t.interleavedHeads > 0 ? HfTensor::rotaryRows(*t.tensor, t.interleavedHeads) : *t.tensor)
                              .to(torch::kCPU, dtype)
                              .contiguous();
    Safetensors::write((std::filesystem::path(folder) / "model.safetensors").string(), weights);
    nlohmann::json config = hfConfig();
    config["torch_dtype"] = HfFolder::dtypeName(dtype);
    HfFolder::writeConfig(folder, config);
}

torch::Tensor CausalLm::runBlock(const BlockFunction& block, const torch::Tensor& h, const KvCache* cache) const
{
    if (m_checkpointing && !cache && is_training() && torch::GradMode::is_enabled())
        return checkpointed(block, h);
    return block(h);
}

void loadHfTensors(CausalLm& model, const std::string& folder)
{
    const SafetensorsFolder weights(folder);
    for (const HfTensor& t : model.hfTensors()) {
        const auto dot = t.name.find('.');
        HfFolder::copyTensor(weights, folder, {t.name, t.name.substr(dot + 1)}, *t.tensor);
    }
}

torch::Device modelDevice(CausalLm& model)
{
    const auto params = model.parameters();
    return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

torch::Tensor LmHead::operator()(const torch::Tensor& hidden, const torch::Tensor& weight, const KvCache* cache)
{
    const torch::Tensor h = cache && cache->lastLogitsOnly ? hidden.narrow(1, hidden.size(1) - 1, 1) : hidden;
    if (torch::GradMode::is_enabled())
        return torch::matmul(h, weight.t());
    if (!m_transposed.defined() || m_source != weight.data_ptr() || m_version != weight._version() ||
        m_transposed.scalar_type() != weight.scalar_type()) {
        m_transposed = weight.detach().t().contiguous();
        m_source = weight.data_ptr();
        m_version = weight._version();
    }
    return torch::matmul(h, m_transposed); // [..., vocab]
}

torch::Tensor positionIds(const KvCache* cache, int64_t seq, int64_t start, const torch::Device& device)
{
    auto positions = torch::arange(start, start + seq, torch::dtype(torch::kInt64).device(device)); // [seq]
    if (!cache || !cache->padLengths.defined())
        return positions;
    return (positions.unsqueeze(0) - cache->padLengths.to(device).unsqueeze(1)).clamp_min(0); // [b, seq]
}

ForwardLayout forwardLayout(const KvCache* cache, const PackedRows* packed, int64_t seq, int64_t start,
                            const torch::Device& device)
{
    if (!packed)
        return {positionIds(cache, seq, start, device), {}};
    TORCH_CHECK(!cache, "packed rows are for training, without a cache");
    std::vector<int64_t> positions;
    positions.reserve(packed->lengths.size() * size_t(seq));
    for (const auto& row : packed->lengths) {
        int64_t used = 0;
        for (const int64_t length : row) {
            for (int64_t p = 0; p < length; ++p)
                positions.push_back(p);
            used += length;
        }
        TORCH_CHECK(used <= seq, "a packed row holds ", used, " tokens, more than the batch's ", seq);
        for (int64_t p = 0; p < seq - used; ++p) // the padding, as a sequence of its own
            positions.push_back(p);
    }
    const auto rows = int64_t(packed->lengths.size());
    return {torch::tensor(positions, torch::kInt64).view({rows, seq}).to(device),
            std::make_shared<const PackedRows>(*packed)};
}

torch::Tensor cachedCausalAttention(torch::Tensor q, torch::Tensor k, torch::Tensor v, KvCache* cache, size_t layer,
                                    int64_t start, const PackedRows* packed)
{
    if (packed) {
        // Each example (and the row's padding) attends within itself: causal attention of each part alone.
        const int64_t seq = q.size(2);
        std::vector<torch::Tensor> rows;
        for (size_t r = 0; r < packed->lengths.size(); ++r) {
            std::vector<torch::Tensor> parts;
            int64_t at = 0;
            auto part = [&](int64_t length) {
                const auto row = int64_t(r);
                parts.push_back(cachedCausalAttention(q.narrow(0, row, 1).narrow(2, at, length),
                                                      k.narrow(0, row, 1).narrow(2, at, length),
                                                      v.narrow(0, row, 1).narrow(2, at, length), nullptr, layer, 0));
                at += length;
            };
            for (const int64_t length : packed->lengths[r])
                part(length);
            if (at < seq)
                part(seq - at);
            rows.push_back(parts.size() == 1 ? parts.front() : torch::cat(parts, 1)); // [1, seq, heads * hd]
        }
        return torch::cat(rows, 0); // [b, seq, heads * hd]
    }
    const int64_t batch = q.size(0), heads = q.size(1), seq = q.size(2), hd = q.size(3);
    if (cache) {
        if (cache->keys.size() <= layer) {
            for (auto* v : {&cache->keys, &cache->values, &cache->keyBuffers, &cache->valueBuffers})
                v->resize(layer + 1);
        }
        auto append = [&](torch::Tensor& buffer, torch::Tensor& view, const torch::Tensor& fresh) {
            const int64_t needed = start + seq;
            if (!buffer.defined() || buffer.size(2) < needed) { // grow by doubling, in steps of 128 positions
                auto sizes = fresh.sizes().vec();
                sizes[2] = std::max<int64_t>(((needed + 127) / 128) * 128, buffer.defined() ? 2 * buffer.size(2) : 0);
                auto grown = torch::empty(sizes, fresh.options());
                if (start > 0)
                    grown.narrow(2, 0, start).copy_(view);
                buffer = grown;
            }
            buffer.narrow(2, start, seq).copy_(fresh);
            view = buffer.narrow(2, 0, needed); // [b, kv_heads, start+seq, hd]
            return view;
        };
        k = append(cache->keyBuffers[layer], cache->keys[layer], k);
        v = append(cache->valueBuffers[layer], cache->values[layer], v);
    }
    if (k.size(1) != heads) { // grouped-query attention: each kv head serves heads / kv_heads query heads
        k = k.repeat_interleave(heads / k.size(1), 1); // [b, heads, start+seq, hd]
        v = v.repeat_interleave(heads / v.size(1), 1);
    }
    const bool padded = cache && cache->padLengths.defined();
    // blocked: true where a query may not attend; undefined when a single unpadded query sees every key.
    torch::Tensor blocked;
    if (cache && layer > 0 && cache->stepMaskStart == start && cache->stepMask.defined() &&
        cache->stepMask.size(-2) == seq) {
        blocked = cache->stepMask;
    } else if (seq > 1 || padded) {
        const auto boolOptions = torch::dtype(torch::kBool).device(q.device());
        // Query at start+t sees keys 0..start+t.
        auto mask = torch::ones({seq, start + seq}, boolOptions).tril(start); // [seq, start+seq]
        if (padded) {
            // Real keys only; a padding query keeps its own key so that its (unused) row stays finite.
            auto keyIndex = torch::arange(start + seq, torch::dtype(torch::kInt64).device(q.device()));
            auto realKey = keyIndex.unsqueeze(0) >= cache->padLengths.to(q.device()).unsqueeze(1); // [b, start+seq]
            auto self = torch::eye(seq, start + seq, boolOptions).roll(start, 1);                  // [seq, start+seq]
            mask =
                ((mask.unsqueeze(0) & realKey.unsqueeze(1)) | self.unsqueeze(0)).unsqueeze(1); // [b, 1, seq, start+seq]
        }
        blocked = mask.logical_not();
        if (cache) {
            cache->stepMask = blocked;
            cache->stepMaskStart = start;
        }
    }
    auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(hd)); // [b, heads, seq, start+seq]
    if (blocked.defined())
        scores = scores.masked_fill(blocked, -std::numeric_limits<float>::infinity());
    // Softmax in float32 whatever the scores' dtype (converted inside the kernel: no float32 copy of the scores).
    auto att = torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type());
    return torch::matmul(att, v).transpose(1, 2).reshape({batch, seq, heads * hd}); // [b, seq, heads*hd]
}

} // namespace cotlab::nn
