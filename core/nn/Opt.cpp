#include "nn/Opt.h"

#include "nn/HfFolder.h"
#include "nn/Safetensors.h"
#include "util/Error.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

OptBlockImpl::OptBlockImpl(const OptConfig& c)
{
    using torch::nn::LayerNorm;
    using torch::nn::LayerNormOptions;
    using torch::nn::Linear;
    using torch::nn::LinearOptions;
    attnNorm = register_module("self_attn_layer_norm", LayerNorm(LayerNormOptions({c.dim})));
    q = register_module("q_proj", Linear(LinearOptions(c.dim, c.dim).bias(c.bias)));
    k = register_module("k_proj", Linear(LinearOptions(c.dim, c.dim).bias(c.bias)));
    v = register_module("v_proj", Linear(LinearOptions(c.dim, c.dim).bias(c.bias)));
    out = register_module("out_proj", Linear(LinearOptions(c.dim, c.dim).bias(c.bias)));
    ffnNorm = register_module("final_layer_norm", LayerNorm(LayerNormOptions({c.dim})));
    fc1 = register_module("fc1", Linear(LinearOptions(c.dim, c.ffnDim).bias(c.bias)));
    fc2 = register_module("fc2", Linear(LinearOptions(c.ffnDim, c.dim).bias(c.bias)));
}

OptImpl::OptImpl(const OptConfig& c) : m_config(c)
{
    embedTokens = register_module("embed_tokens", torch::nn::Embedding(c.vocabSize, c.wordEmbedDim));
    embedPositions =
        register_module("embed_positions", torch::nn::Embedding(c.maxSeqLen + OptConfig::kPositionOffset, c.dim));
    if (c.wordEmbedDim != c.dim) {
        using torch::nn::LinearOptions;
        projectIn = register_module("project_in", torch::nn::Linear(LinearOptions(c.wordEmbedDim, c.dim).bias(false)));
        projectOut =
            register_module("project_out", torch::nn::Linear(LinearOptions(c.dim, c.wordEmbedDim).bias(false)));
    }
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < c.nLayers; ++i) {
        layers.emplace_back(c);
        list->push_back(layers.back());
    }
    register_module("layers", list);
    if (c.layerNormBefore && c.finalLayerNorm)
        finalNorm = register_module("final_layer_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dim})));
}

torch::Tensor OptImpl::forward(const torch::Tensor& tokens, KvCache* cache)
{
    const auto& c = m_config;
    const int64_t batch = tokens.size(0), seq = tokens.size(1), hd = c.dim / c.nHeads;
    const int64_t start = cache ? cache->length : 0;
    TORCH_CHECK(start + seq <= c.maxSeqLen, "sequence of ", start + seq, " tokens exceeds the model's context of ",
                c.maxSeqLen);
    const auto positions = positionIds(cache, seq, start, tokens.device()); // [seq] or [b, seq]
    auto h = embedTokens(tokens);                                           // [b, seq, wordEmbedDim]
    if (projectIn)
        h = projectIn(h); // [b, seq, dim]
    h = h + embedPositions(positions + OptConfig::kPositionOffset);
    auto act = [&](const torch::Tensor& x) { return c.activation == "relu" ? torch::relu(x) : torch::gelu(x); };
    for (size_t i = 0; i < layers.size(); ++i) {
        OptBlockImpl& l = *layers[i];
        auto x = c.layerNormBefore ? l.attnNorm(h) : h;
        auto q = l.q(x).view({batch, seq, c.nHeads, hd}).transpose(1, 2); // [b, heads, seq, hd]
        auto k = l.k(x).view({batch, seq, c.nHeads, hd}).transpose(1, 2);
        auto v = l.v(x).view({batch, seq, c.nHeads, hd}).transpose(1, 2);
        h = h + l.out(cachedCausalAttention(q, k, v, cache, i, start));
        if (!c.layerNormBefore)
            h = l.attnNorm(h);
        x = c.layerNormBefore ? l.ffnNorm(h) : h;
        h = h + l.fc2(act(l.fc1(x)));
        if (!c.layerNormBefore)
            h = l.ffnNorm(h);
    }
    if (cache)
        cache->length = start + seq;
    if (finalNorm)
        h = finalNorm(h);
    if (projectOut)
        h = projectOut(h);                        // [b, seq, wordEmbedDim]
    return m_head(h, embedTokens->weight, cache); // [b, seq, vocab]
}

namespace {

// Hugging Face's OPT names under "model.decoder." and the parameters they fill.
std::vector<std::pair<std::string, torch::Tensor*>> slots(OptImpl& m)
{
    std::vector<std::pair<std::string, torch::Tensor*>> out{{"embed_tokens.weight", &m.embedTokens->weight},
                                                            {"embed_positions.weight", &m.embedPositions->weight}};
    if (m.projectIn) {
        out.push_back({"project_in.weight", &m.projectIn->weight});
        out.push_back({"project_out.weight", &m.projectOut->weight});
    }
    if (m.finalNorm) {
        out.push_back({"final_layer_norm.weight", &m.finalNorm->weight});
        out.push_back({"final_layer_norm.bias", &m.finalNorm->bias});
    }
    for (size_t i = 0; i < m.layers.size(); ++i) {
        auto& l = *m.layers[i];
        const std::string p = "layers." + std::to_string(i) + ".";
        auto linear = [&](const std::string& name, torch::nn::Linear& lin) {
            out.push_back({p + name + ".weight", &lin->weight});
            if (m.config().bias)
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

} // namespace

std::shared_ptr<OptImpl> OptImpl::loadHf(const std::string& folder)
{
    const std::string where = (fs::path(folder) / "config.json").string();
    const json j = HfFolder::readConfig(folder);
    if (j.value("model_type", "") != "opt")
        throw Error(where + ": model_type is '" + j.value("model_type", "") + "', not opt");
    OptConfig c;
    c.dim = j.value("hidden_size", c.dim);
    c.nLayers = j.value("num_hidden_layers", c.nLayers);
    c.nHeads = j.value("num_attention_heads", c.nHeads);
    c.ffnDim = j.value("ffn_dim", c.ffnDim);
    c.maxSeqLen = j.value("max_position_embeddings", c.maxSeqLen);
    c.vocabSize = j.value("vocab_size", c.vocabSize);
    c.wordEmbedDim = j.value("word_embed_proj_dim", c.dim);
    c.layerNormBefore = j.value("do_layer_norm_before", true);
    c.finalLayerNorm = !j.value("_remove_final_layer_norm", false);
    c.bias = j.value("enable_bias", true);
    c.activation = j.value("activation_function", c.activation);
    if (c.activation != "relu" && c.activation != "gelu")
        throw Error(where + ": activation_function '" + c.activation + "' is not supported (relu or gelu)");
    if (!j.value("layer_norm_elementwise_affine", true))
        throw Error(where + ": layer_norm_elementwise_affine false is not supported");
    if (!j.value("tie_word_embeddings", true))
        throw Error(where + ": an untied OPT head (tie_word_embeddings false) is not supported");
    if (c.nHeads <= 0 || c.dim % c.nHeads != 0)
        throw Error(where + ": hidden_size must divide by num_attention_heads");
    auto weights = Safetensors::readFolder(folder);
    auto model = std::make_shared<OptImpl>(c);
    for (auto& [name, target] : slots(*model))
        HfFolder::copyTensor(weights, folder, {"model.decoder." + name, "decoder." + name}, *target);
    model->eval();
    return model;
}

void OptImpl::saveHf(const std::string& folder)
{
    HfFolder::create(folder);
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> w;
    for (auto& [name, target] : slots(*this))
        w["model.decoder." + name] = target->to(torch::kFloat32).contiguous();
    Safetensors::write((fs::path(folder) / "model.safetensors").string(), w);
    const auto& c = m_config;
    json config = {{"architectures", {"OPTForCausalLM"}},
                   {"model_type", "opt"},
                   {"hidden_size", c.dim},
                   {"num_hidden_layers", c.nLayers},
                   {"num_attention_heads", c.nHeads},
                   {"ffn_dim", c.ffnDim},
                   {"max_position_embeddings", c.maxSeqLen},
                   {"vocab_size", c.vocabSize},
                   {"word_embed_proj_dim", c.wordEmbedDim},
                   {"do_layer_norm_before", c.layerNormBefore},
                   {"_remove_final_layer_norm", !c.finalLayerNorm},
                   {"enable_bias", c.bias},
                   {"activation_function", c.activation},
                   {"layer_norm_elementwise_affine", true},
                   {"tie_word_embeddings", true},
                   {"bos_token_id", 2},
                   {"eos_token_id", 2},
                   {"pad_token_id", 1},
                   {"torch_dtype", "float32"}};
    HfFolder::writeConfig(folder, config);
}

} // namespace cotlab::nn
