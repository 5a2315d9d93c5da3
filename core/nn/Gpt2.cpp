#include "nn/Gpt2.h"

#include "nn/HfFolder.h"
#include "nn/Safetensors.h"
#include "util/Error.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

Conv1DImpl::Conv1DImpl(int64_t in, int64_t out)
{
    // transformers' initialisation: normal(0, 0.02) weights, zero bias
    weight = register_parameter("weight", torch::randn({in, out}) * 0.02);
    bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor Conv1DImpl::forward(const torch::Tensor& x)
{
    auto sizes = x.sizes().vec();
    sizes.back() = weight.size(1);
    return torch::addmm(bias, x.reshape({-1, x.size(-1)}), weight).view(sizes);
}

Gpt2BlockImpl::Gpt2BlockImpl(const Gpt2Config& c)
{
    using torch::nn::LayerNorm;
    using torch::nn::LayerNormOptions;
    ln1 = register_module("ln_1", LayerNorm(LayerNormOptions({c.dim}).eps(c.layerNormEps)));
    attn = register_module("c_attn", Conv1D(c.dim, 3 * c.dim));
    attnProj = register_module("attn_c_proj", Conv1D(c.dim, c.dim));
    ln2 = register_module("ln_2", LayerNorm(LayerNormOptions({c.dim}).eps(c.layerNormEps)));
    fc = register_module("c_fc", Conv1D(c.dim, c.innerDim));
    proj = register_module("mlp_c_proj", Conv1D(c.innerDim, c.dim));
}

Gpt2Impl::Gpt2Impl(const Gpt2Config& c) : m_config(c)
{
    wte = register_module("wte", torch::nn::Embedding(c.vocabSize, c.dim));
    wpe = register_module("wpe", torch::nn::Embedding(c.maxSeqLen, c.dim));
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < c.nLayers; ++i) {
        blocks.emplace_back(c);
        list->push_back(blocks.back());
    }
    register_module("h", list);
    lnF = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dim}).eps(c.layerNormEps)));
}

torch::Tensor Gpt2Impl::forward(const torch::Tensor& tokens, KvCache* cache)
{
    const auto& c = m_config;
    const int64_t batch = tokens.size(0), seq = tokens.size(1), hd = c.dim / c.nHeads;
    const int64_t start = cache ? cache->length : 0;
    TORCH_CHECK(start + seq <= c.maxSeqLen, "sequence of ", start + seq, " tokens exceeds the model's context of ",
                c.maxSeqLen);
    const auto positions = positionIds(cache, seq, start, tokens.device()); // [seq] or [b, seq]
    auto h = wte(tokens) + wpe(positions);                                  // [b, seq, dim]
    for (size_t i = 0; i < blocks.size(); ++i) {
        Gpt2BlockImpl& b = *blocks[i];
        auto qkv = b.attn(b.ln1(h)).split(c.dim, -1);                     // 3 x [b, seq, dim]
        auto q = qkv[0].view({batch, seq, c.nHeads, hd}).transpose(1, 2); // [b, heads, seq, hd]
        auto k = qkv[1].view({batch, seq, c.nHeads, hd}).transpose(1, 2);
        auto v = qkv[2].view({batch, seq, c.nHeads, hd}).transpose(1, 2);
        h = h + b.attnProj(cachedCausalAttention(q, k, v, cache, i, start));
        h = h + b.proj(torch::gelu(b.fc(b.ln2(h)), "tanh")); // GPT-2's gelu_new
    }
    if (cache)
        cache->length = start + seq;
    return m_head(lnF(h), wte->weight, cache); // [b, seq, vocab]
}

namespace {

// Hugging Face's GPT-2 names (under "transformer.") and the parameters they fill, in the same layout.
struct Slot {
    std::string name;
    torch::Tensor* target;
};

std::vector<Slot> slots(Gpt2Impl& m)
{
    std::vector<Slot> out{{"wte.weight", &m.wte->weight},
                          {"wpe.weight", &m.wpe->weight},
                          {"ln_f.weight", &m.lnF->weight},
                          {"ln_f.bias", &m.lnF->bias}};
    for (size_t i = 0; i < m.blocks.size(); ++i) {
        auto& b = *m.blocks[i];
        const std::string p = "h." + std::to_string(i) + ".";
        out.push_back({p + "ln_1.weight", &b.ln1->weight});
        out.push_back({p + "ln_1.bias", &b.ln1->bias});
        out.push_back({p + "attn.c_attn.weight", &b.attn->weight});
        out.push_back({p + "attn.c_attn.bias", &b.attn->bias});
        out.push_back({p + "attn.c_proj.weight", &b.attnProj->weight});
        out.push_back({p + "attn.c_proj.bias", &b.attnProj->bias});
        out.push_back({p + "ln_2.weight", &b.ln2->weight});
        out.push_back({p + "ln_2.bias", &b.ln2->bias});
        out.push_back({p + "mlp.c_fc.weight", &b.fc->weight});
        out.push_back({p + "mlp.c_fc.bias", &b.fc->bias});
        out.push_back({p + "mlp.c_proj.weight", &b.proj->weight});
        out.push_back({p + "mlp.c_proj.bias", &b.proj->bias});
    }
    return out;
}

} // namespace

std::shared_ptr<Gpt2Impl> Gpt2Impl::loadHf(const std::string& folder)
{
    const fs::path dir(folder);
    const json j = HfFolder::readConfig(folder);
    if (j.value("model_type", "") != "gpt2")
        throw Error((dir / "config.json").string() + ": model_type is '" + j.value("model_type", "") + "', not gpt2");
    Gpt2Config c;
    c.dim = j.value("n_embd", c.dim);
    c.nLayers = j.value("n_layer", c.nLayers);
    c.nHeads = j.value("n_head", c.nHeads);
    c.maxSeqLen = j.value("n_positions", c.maxSeqLen);
    c.vocabSize = j.value("vocab_size", c.vocabSize);
    c.innerDim = j.contains("n_inner") && j["n_inner"].is_number_integer() ? j["n_inner"].get<int64_t>() : 4 * c.dim;
    c.layerNormEps = j.value("layer_norm_epsilon", c.layerNormEps);
    if (c.dim % c.nHeads != 0)
        throw Error((dir / "config.json").string() + ": n_embd must divide by n_head");
    auto weights = Safetensors::readFolder(folder);
    auto model = std::make_shared<Gpt2Impl>(c);
    for (const Slot& s : slots(*model))
        HfFolder::copyTensor(weights, folder, {"transformer." + s.name, s.name}, *s.target);
    model->eval();
    return model;
}

void Gpt2Impl::saveHf(const std::string& folder)
{
    HfFolder::create(folder);
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> w;
    for (const Slot& s : slots(*this))
        w["transformer." + s.name] = s.target->to(torch::kFloat32).contiguous();
    Safetensors::write((fs::path(folder) / "model.safetensors").string(), w);
    const auto& c = m_config;
    json config = {{"architectures", {"GPT2LMHeadModel"}},
                   {"model_type", "gpt2"},
                   {"n_embd", c.dim},
                   {"n_layer", c.nLayers},
                   {"n_head", c.nHeads},
                   {"n_positions", c.maxSeqLen},
                   {"n_ctx", c.maxSeqLen},
                   {"vocab_size", c.vocabSize},
                   {"n_inner", c.innerDim},
                   {"layer_norm_epsilon", c.layerNormEps},
                   {"activation_function", "gelu_new"},
                   {"tie_word_embeddings", true},
                   {"bos_token_id", 50256},
                   {"eos_token_id", 50256},
                   {"torch_dtype", "float32"}};
    HfFolder::writeConfig(folder, config);
}

} // namespace cotlab::nn
