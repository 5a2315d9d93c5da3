#include "nn/Opt.h"

#include "util/Error.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

OptBlockImpl::OptBlockImpl(const OptConfig& c, const LayerInit& init)
{
    using torch::nn::LayerNorm;
    using torch::nn::LayerNormOptions;
    const auto linear = [&](int64_t in, int64_t out) {
        return LinearLayer(in, out, c.bias, WeightLayout::OutIn, init);
    };
    attnNorm = register_module("self_attn_layer_norm", LayerNorm(LayerNormOptions({c.dim})));
    q = register_module("q_proj", linear(c.dim, c.dim));
    k = register_module("k_proj", linear(c.dim, c.dim));
    v = register_module("v_proj", linear(c.dim, c.dim));
    out = register_module("out_proj", linear(c.dim, c.dim));
    ffnNorm = register_module("final_layer_norm", LayerNorm(LayerNormOptions({c.dim})));
    fc1 = register_module("fc1", linear(c.dim, c.ffnDim));
    fc2 = register_module("fc2", linear(c.ffnDim, c.dim));
}

OptImpl::OptImpl(const OptConfig& c, const LayerInit& init) : m_config(c)
{
    embedTokens = register_module("embed_tokens", torch::nn::Embedding(c.vocabSize, c.wordEmbedDim));
    embedPositions =
        register_module("embed_positions", torch::nn::Embedding(c.maxSeqLen + OptConfig::kPositionOffset, c.dim));
    if (c.wordEmbedDim != c.dim) {
        projectIn = register_module("project_in", LinearLayer(c.wordEmbedDim, c.dim, false, WeightLayout::OutIn, init));
        projectOut =
            register_module("project_out", LinearLayer(c.dim, c.wordEmbedDim, false, WeightLayout::OutIn, init));
    }
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < c.nLayers; ++i) {
        layers.emplace_back(c, init);
        list->push_back(layers.back());
    }
    register_module("layers", list);
    if (c.layerNormBefore && c.finalLayerNorm)
        finalNorm = register_module("final_layer_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dim})));
    to(init.dtype); // embeddings and norms; the linear layers were made in it
}

torch::Tensor OptImpl::block(size_t i, const torch::Tensor& input, KvCache* cache, int64_t start,
                             const PackedRows* packed)
{
    const auto& c = m_config;
    const int64_t batch = input.size(0), seq = input.size(1), hd = c.dim / c.nHeads;
    OptBlockImpl& l = *layers[i];
    auto h = input;
    auto x = c.layerNormBefore ? l.attnNorm(h) : h;
    auto q = l.q(x).view({batch, seq, c.nHeads, hd}).transpose(1, 2); // [b, heads, seq, hd]
    auto k = l.k(x).view({batch, seq, c.nHeads, hd}).transpose(1, 2);
    auto v = l.v(x).view({batch, seq, c.nHeads, hd}).transpose(1, 2);
    h = h + l.out(cachedCausalAttention(q, k, v, cache, i, start, packed));
    if (!c.layerNormBefore)
        h = l.attnNorm(h);
    x = c.layerNormBefore ? l.ffnNorm(h) : h;
    x = l.fc1(x);
    h = h + l.fc2(c.activation == "relu" ? torch::relu(x) : torch::gelu(x));
    return c.layerNormBefore ? h : l.ffnNorm(h);
}

torch::Tensor OptImpl::forward(const torch::Tensor& tokens, KvCache* cache, const PackedRows* packed)
{
    const auto& c = m_config;
    const int64_t seq = tokens.size(1);
    const int64_t start = cache ? cache->length : 0;
    TORCH_CHECK(start + seq <= c.maxSeqLen, "sequence of ", start + seq, " tokens exceeds the model's context of ",
                c.maxSeqLen);
    const auto layout = forwardLayout(cache, packed, seq, start, tokens.device()); // positions [seq] or [b, seq]
    auto h = embedTokens(tokens);                                                  // [b, seq, wordEmbedDim]
    if (projectIn)
        h = projectIn(h); // [b, seq, dim]
    h = h + embedPositions(layout.positions + OptConfig::kPositionOffset);
    for (size_t i = 0; i < layers.size(); ++i)
        h = runBlock([this, i, cache, start,
                      rows = layout.packed](const torch::Tensor& x) { return block(i, x, cache, start, rows.get()); },
                     h, cache);
    if (cache)
        cache->length = start + seq;
    if (finalNorm)
        h = finalNorm(h);
    if (projectOut)
        h = projectOut(h);                        // [b, seq, wordEmbedDim]
    return m_head(h, embedTokens->weight, cache); // [b, seq, vocab]
}

std::vector<HfTensor> OptImpl::hfTensors()
{
    const std::string d = "model.decoder.";
    std::vector<HfTensor> out{{d + "embed_tokens.weight", &embedTokens->weight},
                              {d + "embed_positions.weight", &embedPositions->weight}};
    if (projectIn) {
        out.push_back({d + "project_in.weight", &projectIn->weight, projectIn.get()});
        out.push_back({d + "project_out.weight", &projectOut->weight, projectOut.get()});
    }
    if (finalNorm) {
        out.push_back({d + "final_layer_norm.weight", &finalNorm->weight});
        out.push_back({d + "final_layer_norm.bias", &finalNorm->bias});
    }
    for (size_t i = 0; i < layers.size(); ++i) {
        auto& l = *layers[i];
        const std::string p = d + "layers." + std::to_string(i) + ".";
        auto linear = [&](const std::string& name, LinearLayer& lin) {
            out.push_back({p + name + ".weight", &lin->weight, lin.get()});
            if (m_config.bias)
                out.push_back({p + name + ".bias", &lin->bias});
        };
        linear("self_attn.q_proj", l.q);
        linear("self_attn.k_proj", l.k);
        linear("self_attn.v_proj", l.v);
        linear("self_attn.out_proj", l.out);
        out.push_back({p + "self_attn_layer_norm.weight", &l.attnNorm->weight});
        out.push_back({p + "self_attn_layer_norm.bias", &l.attnNorm->bias});
        linear("fc1", l.fc1);
        linear("fc2", l.fc2);
        out.push_back({p + "final_layer_norm.weight", &l.ffnNorm->weight});
        out.push_back({p + "final_layer_norm.bias", &l.ffnNorm->bias});
    }
    return out;
}

std::shared_ptr<OptImpl> OptImpl::loadHf(const std::string& folder, torch::ScalarType dtype)
{
    const OptConfig c = optConfig(readHfConfig(folder), (fs::path(folder) / "config.json").string());
    auto model = std::make_shared<OptImpl>(c, LayerInit{dtype, false});
    loadHfTensors(*model, folder);
    model->eval();
    return model;
}

json OptImpl::hfConfig() const
{
    return toHfConfig(m_config);
}

} // namespace cotlab::nn
