#include "nn/Llama.h"

#include <cmath>
#include <filesystem>

namespace cotlab::nn {

LlamaBlockImpl::LlamaBlockImpl(const LlamaConfig& c, const LayerInit& init)
{
    const int64_t kvDim = c.nKvHeads * c.headDim();
    const auto linear = [&](int64_t in, int64_t out, bool bias) {
        return LinearLayer(in, out, bias, WeightLayout::OutIn, init);
    };
    attentionNorm = register_parameter("attention_norm", torch::ones({c.dim}, init.dtype));
    wq = register_module("wq", linear(c.dim, c.dim, c.qkvBias));
    wk = register_module("wk", linear(c.dim, kvDim, c.qkvBias));
    wv = register_module("wv", linear(c.dim, kvDim, c.qkvBias));
    wo = register_module("wo", linear(c.dim, c.dim, false));
    ffnNorm = register_parameter("ffn_norm", torch::ones({c.dim}, init.dtype));
    w1 = register_module("w1", linear(c.dim, c.hiddenDim, false));
    w2 = register_module("w2", linear(c.hiddenDim, c.dim, false));
    w3 = register_module("w3", linear(c.dim, c.hiddenDim, false));
}

LlamaImpl::LlamaImpl(const LlamaConfig& c, const LayerInit& init) : m_config(c)
{
    const int64_t hd = c.headDim();
    embedding = register_module("embedding", torch::nn::Embedding(c.vocabSize, c.dim));
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < c.nLayers; ++i) {
        layers.emplace_back(c, init);
        list->push_back(layers.back());
    }
    register_module("layers", list);
    finalNorm = register_parameter("norm", torch::ones({c.dim}));
    if (!c.tiedEmbeddings)
        lmHead =
            register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.dim, c.vocabSize).bias(false)));

    // Rotary tables in double precision, then float: angle(pos, i) = pos / theta^(2i / head_dim).
    auto inv =
        torch::arange(0, hd, 2, torch::kFloat64).div(double(hd)).mul(std::log(c.ropeTheta)).neg().exp(); // [hd/2]
    if (c.ropeScalingType == "linear") {
        inv = inv / c.ropeScalingFactor;
    } else if (c.ropeScalingType == "llama3") {
        // transformers' _compute_llama3_parameters: long wavelengths slowed by the factor, short ones kept,
        // the band between blended.
        const double oldContext = double(c.ropeOriginalMaxPositions);
        auto wavelen = 2.0 * M_PI / inv;
        auto scaled = torch::where(wavelen > oldContext / c.ropeLowFreqFactor, inv / c.ropeScalingFactor, inv);
        auto smooth = (oldContext / wavelen - c.ropeLowFreqFactor) / (c.ropeHighFreqFactor - c.ropeLowFreqFactor);
        auto blended = (1.0 - smooth) * scaled / c.ropeScalingFactor + smooth * scaled;
        auto medium = (wavelen >= oldContext / c.ropeHighFreqFactor) & (wavelen <= oldContext / c.ropeLowFreqFactor);
        inv = torch::where(medium, blended, scaled);
    }
    auto pos = torch::arange(c.maxSeqLen, torch::kFloat64); // [T]
    auto angles = torch::outer(pos, inv);                   // [T, hd/2]
    m_cos = register_buffer("rope_cos", angles.cos().to(torch::kFloat32));
    m_sin = register_buffer("rope_sin", angles.sin().to(torch::kFloat32));
    // Embeddings, norms and the head in the model's dtype; the linear layers were made in it. The rotary tables
    // stay float32 (converted per forward to the activations' dtype).
    for (auto& p : parameters())
        if (p.scalar_type() != init.dtype)
            p.set_data(p.data().to(init.dtype));
}

torch::Tensor LlamaImpl::rmsNorm(const torch::Tensor& x, const torch::Tensor& weight) const
{
    // x [..., dim]; computed in float32 whatever the activation dtype
    auto xf = x.to(torch::kFloat32);
    auto normed = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + m_config.rmsNormEps);
    return (normed * weight.to(torch::kFloat32)).to(x.scalar_type());
}

std::pair<torch::Tensor, torch::Tensor> LlamaImpl::rotaryTables(const torch::Tensor& positions, int64_t start,
                                                                torch::ScalarType dtype) const
{
    // positions [seq]: a contiguous run from start; [batch, seq]: per row (left-padded batches)
    if (positions.dim() == 1) {
        const int64_t seq = positions.size(0);
        return {m_cos.narrow(0, start, seq).to(dtype), m_sin.narrow(0, start, seq).to(dtype)}; // [seq, hd/2]
    }
    auto rows = [&](const torch::Tensor& t) { // [b, 1, seq, hd/2]
        return t.index_select(0, positions.flatten())
            .view({positions.size(0), 1, positions.size(1), t.size(1)})
            .to(dtype);
    };
    return {rows(m_cos), rows(m_sin)};
}

torch::Tensor LlamaImpl::rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) const
{
    // x [batch, heads, seq, head_dim]; cos, sin [seq, hd/2] or [b, 1, seq, hd/2]
    const int64_t half = x.size(3) / 2;
    if (m_config.interleavedRope) {
        auto pairs = x.unflatten(-1, {half, 2});                 // [b, h, seq, hd/2, 2]
        auto x0 = pairs.select(-1, 0), x1 = pairs.select(-1, 1); // [b, h, seq, hd/2]
        return torch::stack({x0 * cos - x1 * sin, x0 * sin + x1 * cos}, -1).flatten(-2);
    }
    auto x0 = x.narrow(-1, 0, half), x1 = x.narrow(-1, half, half); // [b, h, seq, hd/2]
    return torch::cat({x0 * cos - x1 * sin, x1 * cos + x0 * sin}, -1);
}

torch::Tensor LlamaImpl::block(size_t i, const torch::Tensor& input, KvCache* cache, int64_t start,
                               const PackedRows* packed, const torch::Tensor& cos, const torch::Tensor& sin)
{
    const auto& c = m_config;
    const int64_t batch = input.size(0), seq = input.size(1), hd = c.headDim();
    LlamaBlockImpl& l = *layers[i];
    auto x = rmsNorm(input, l.attentionNorm);
    auto q = l.wq(x).view({batch, seq, c.nHeads, hd}).transpose(1, 2);   // [b, heads, seq, hd]
    auto k = l.wk(x).view({batch, seq, c.nKvHeads, hd}).transpose(1, 2); // [b, kv_heads, seq, hd]
    auto v = l.wv(x).view({batch, seq, c.nKvHeads, hd}).transpose(1, 2);
    q = rotary(q, cos, sin);
    k = rotary(k, cos, sin);
    auto y = cachedCausalAttention(q, k, v, cache, i, start, packed); // [b, seq, dim]
    auto h = input + l.wo(y);
    auto f = rmsNorm(h, l.ffnNorm);
    return h + l.w2(torch::silu(l.w1(f)) * l.w3(f)); // SwiGLU
}

torch::Tensor LlamaImpl::forward(const torch::Tensor& tokens, KvCache* cache, const PackedRows* packed)
{
    const auto& c = m_config;
    const int64_t seq = tokens.size(1);
    const int64_t start = cache ? cache->length : 0;
    TORCH_CHECK(start + seq <= c.maxSeqLen, "sequence of ", start + seq, " tokens exceeds the model's context of ",
                c.maxSeqLen);
    const auto layout = forwardLayout(cache, packed, seq, start, tokens.device()); // positions [seq] or [b, seq]
    auto h = embedding(tokens);                                                    // [b, seq, dim]
    const auto [cos, sin] = rotaryTables(layout.positions, start, h.scalar_type());
    for (size_t i = 0; i < layers.size(); ++i)
        h = runBlock([this, i, cache, start, rows = layout.packed, cos = cos,
                      sin = sin](const torch::Tensor& x) { return block(i, x, cache, start, rows.get(), cos, sin); },
                     h, cache);
    if (cache)
        cache->length = start + seq;
    h = rmsNorm(h, finalNorm);
    return m_head(h, c.tiedEmbeddings ? embedding->weight : lmHead->weight, cache); // [b, seq, vocab]
}

std::vector<HfTensor> LlamaImpl::hfTensors()
{
    const auto& c = m_config;
    const int64_t qHeads = c.interleavedRope ? c.nHeads : 0, kHeads = c.interleavedRope ? c.nKvHeads : 0;
    std::vector<HfTensor> out{{"model.embed_tokens.weight", &embedding->weight}};
    for (size_t i = 0; i < layers.size(); ++i) {
        auto& l = *layers[i];
        const std::string p = "model.layers." + std::to_string(i) + ".";
        auto linear = [&](const std::string& name, LinearLayer& lin, int64_t rotaryHeads) {
            out.push_back({p + name + ".weight", &lin->weight, lin.get(), rotaryHeads});
            if (lin->bias.defined())
                out.push_back({p + name + ".bias", &lin->bias, nullptr, rotaryHeads});
        };
        out.push_back({p + "input_layernorm.weight", &l.attentionNorm});
        linear("self_attn.q_proj", l.wq, qHeads);
        linear("self_attn.k_proj", l.wk, kHeads);
        linear("self_attn.v_proj", l.wv, 0);
        linear("self_attn.o_proj", l.wo, 0);
        out.push_back({p + "post_attention_layernorm.weight", &l.ffnNorm});
        linear("mlp.gate_proj", l.w1, 0);
        linear("mlp.up_proj", l.w3, 0);
        linear("mlp.down_proj", l.w2, 0);
    }
    out.push_back({"model.norm.weight", &finalNorm});
    if (!c.tiedEmbeddings)
        out.push_back({"lm_head.weight", &lmHead->weight});
    return out;
}

nlohmann::json LlamaImpl::hfConfig() const
{
    return toHfConfig(m_config);
}

std::shared_ptr<LlamaImpl> LlamaImpl::loadHf(const std::string& folder, torch::ScalarType dtype)
{
    const std::string where = (std::filesystem::path(folder) / "config.json").string();
    auto model = std::make_shared<LlamaImpl>(llamaConfig(readHfConfig(folder), where), LayerInit{dtype, false});
    loadHfTensors(*model, folder);
    model->eval();
    return model;
}

} // namespace cotlab::nn
