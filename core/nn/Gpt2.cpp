#include "nn/Gpt2.h"

#include "nn/HfFolder.h"
#include "util/Error.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

Gpt2BlockImpl::Gpt2BlockImpl(const Gpt2Config& c, const LayerInit& init)
{
    using torch::nn::LayerNorm;
    using torch::nn::LayerNormOptions;
    const auto conv1d = [&](int64_t in, int64_t out) { return LinearLayer(in, out, true, WeightLayout::InOut, init); };
    ln1 = register_module("ln_1", LayerNorm(LayerNormOptions({c.dim}).eps(c.layerNormEps)));
    attn = register_module("c_attn", conv1d(c.dim, 3 * c.dim));
    attnProj = register_module("attn_c_proj", conv1d(c.dim, c.dim));
    ln2 = register_module("ln_2", LayerNorm(LayerNormOptions({c.dim}).eps(c.layerNormEps)));
    fc = register_module("c_fc", conv1d(c.dim, c.innerDim));
    proj = register_module("mlp_c_proj", conv1d(c.innerDim, c.dim));
}

Gpt2Impl::Gpt2Impl(const Gpt2Config& c, const LayerInit& init) : m_config(c)
{
    wte = register_module("wte", torch::nn::Embedding(c.vocabSize, c.dim));
    wpe = register_module("wpe", torch::nn::Embedding(c.maxSeqLen, c.dim));
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < c.nLayers; ++i) {
        blocks.emplace_back(c, init);
        list->push_back(blocks.back());
    }
    register_module("h", list);
    lnF = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dim}).eps(c.layerNormEps)));
    to(init.dtype); // embeddings and norms; the linear layers were made in it
}

torch::Tensor Gpt2Impl::block(size_t i, const torch::Tensor& x, KvCache* cache, int64_t start, const PackedRows* packed)
{
    const auto& c = m_config;
    const int64_t batch = x.size(0), seq = x.size(1), hd = c.dim / c.nHeads;
    Gpt2BlockImpl& b = *blocks[i];
    auto qkv = b.attn(b.ln1(x)).split(c.dim, -1);                     // 3 x [b, seq, dim]
    auto q = qkv[0].view({batch, seq, c.nHeads, hd}).transpose(1, 2); // [b, heads, seq, hd]
    auto k = qkv[1].view({batch, seq, c.nHeads, hd}).transpose(1, 2);
    auto v = qkv[2].view({batch, seq, c.nHeads, hd}).transpose(1, 2);
    auto h = x + b.attnProj(cachedCausalAttention(q, k, v, cache, i, start, packed));
    return h + b.proj(torch::gelu(b.fc(b.ln2(h)), "tanh")); // GPT-2's gelu_new
}

torch::Tensor Gpt2Impl::forward(const torch::Tensor& tokens, KvCache* cache, const PackedRows* packed)
{
    const auto& c = m_config;
    const int64_t seq = tokens.size(1);
    const int64_t start = cache ? cache->length : 0;
    TORCH_CHECK(start + seq <= c.maxSeqLen, "sequence of ", start + seq, " tokens exceeds the model's context of ",
                c.maxSeqLen);
    const auto layout = forwardLayout(cache, packed, seq, start, tokens.device()); // positions [seq] or [b, seq]
    auto h = wte(tokens) + wpe(layout.positions);                                  // [b, seq, dim]
    for (size_t i = 0; i < blocks.size(); ++i)
        h = runBlock([this, i, cache, start,
                      rows = layout.packed](const torch::Tensor& x) { return block(i, x, cache, start, rows.get()); },
                     h, cache);
    if (cache)
        cache->length = start + seq;
    return m_head(lnF(h), wte->weight, cache); // [b, seq, vocab]
}

std::vector<HfTensor> Gpt2Impl::hfTensors()
{
    std::vector<HfTensor> out{{"transformer.wte.weight", &wte->weight}, {"transformer.wpe.weight", &wpe->weight}};
    for (size_t i = 0; i < blocks.size(); ++i) {
        auto& b = *blocks[i];
        const std::string p = "transformer.h." + std::to_string(i) + ".";
        auto linear = [&](const std::string& name, LinearLayer& l) {
            out.push_back({p + name + ".weight", &l->weight, l.get()});
            out.push_back({p + name + ".bias", &l->bias});
        };
        out.push_back({p + "ln_1.weight", &b.ln1->weight});
        out.push_back({p + "ln_1.bias", &b.ln1->bias});
        linear("attn.c_attn", b.attn);
        linear("attn.c_proj", b.attnProj);
        out.push_back({p + "ln_2.weight", &b.ln2->weight});
        out.push_back({p + "ln_2.bias", &b.ln2->bias});
        linear("mlp.c_fc", b.fc);
        linear("mlp.c_proj", b.proj);
    }
    out.push_back({"transformer.ln_f.weight", &lnF->weight});
    out.push_back({"transformer.ln_f.bias", &lnF->bias});
    return out;
}

std::shared_ptr<Gpt2Impl> Gpt2Impl::loadHf(const std::string& folder, torch::ScalarType dtype)
{
    const Gpt2Config c = gpt2Config(readHfConfig(folder), (fs::path(folder) / "config.json").string());
    auto model = std::make_shared<Gpt2Impl>(c, LayerInit{dtype, false});
    loadHfTensors(*model, folder);
    model->eval();
    return model;
}

json Gpt2Impl::hfConfig() const
{
    return toHfConfig(m_config);
}

} // namespace cotlab::nn
