#include "nn/HfLlama.h"

#include "nn/HfFolder.h"
#include "nn/Safetensors.h"
#include "util/Error.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Rows of a q/k projection from interleaved rotary pairs (2i, 2i+1) to halves (i, i + d/2), per head.
torch::Tensor interleavedToHalves(const torch::Tensor& w, int64_t heads)
{
    const int64_t rows = w.size(0), cols = w.size(1);
    return w.view({heads, rows / heads / 2, 2, cols}).transpose(1, 2).reshape({rows, cols});
}

int64_t requiredInt(const json& c, const char* key, const std::string& where)
{
    if (!c.contains(key) || !c[key].is_number_integer())
        throw Error(where + ": config.json has no integer '" + key + "'");
    return c[key].get<int64_t>();
}

} // namespace

LlamaConfig HfLlama::configFromJson(const json& c, const std::string& where)
{
    const std::string type = c.value("model_type", "");
    if (type != "llama" && type != "qwen2" && type != "mistral")
        throw Error(where + ": model_type '" + type + "' is not a Llama-family model (llama, qwen2, mistral)");
    LlamaConfig cfg;
    cfg.dim = requiredInt(c, "hidden_size", where);
    cfg.hiddenDim = requiredInt(c, "intermediate_size", where);
    cfg.nLayers = requiredInt(c, "num_hidden_layers", where);
    cfg.nHeads = requiredInt(c, "num_attention_heads", where);
    cfg.nKvHeads = c.contains("num_key_value_heads") ? requiredInt(c, "num_key_value_heads", where) : cfg.nHeads;
    cfg.vocabSize = requiredInt(c, "vocab_size", where);
    cfg.maxSeqLen = c.value("max_position_embeddings", int64_t(2048));
    cfg.rmsNormEps = c.value("rms_norm_eps", 1e-5);
    cfg.ropeTheta = c.value("rope_theta", 10000.0);
    cfg.tiedEmbeddings = c.value("tie_word_embeddings", type == "qwen2");
    cfg.qkvBias = type == "qwen2" || c.value("attention_bias", false);
    if (c.contains("rope_scaling") && c["rope_scaling"].is_object()) {
        const json& r = c["rope_scaling"];
        cfg.ropeScalingType = r.value("rope_type", r.value("type", ""));
        if (cfg.ropeScalingType == "default")
            cfg.ropeScalingType.clear();
        else if (cfg.ropeScalingType != "linear" && cfg.ropeScalingType != "llama3")
            throw Error(where + ": rope_scaling type '" + cfg.ropeScalingType +
                        "' is not supported (linear and llama3 are)");
        cfg.ropeScalingFactor = r.value("factor", 1.0);
        cfg.ropeLowFreqFactor = r.value("low_freq_factor", cfg.ropeLowFreqFactor);
        cfg.ropeHighFreqFactor = r.value("high_freq_factor", cfg.ropeHighFreqFactor);
        cfg.ropeOriginalMaxPositions = r.value("original_max_position_embeddings", cfg.ropeOriginalMaxPositions);
        if (cfg.ropeScalingFactor <= 0.0 || cfg.ropeHighFreqFactor <= cfg.ropeLowFreqFactor)
            throw Error(where + ": rope_scaling needs factor > 0 and high_freq_factor > low_freq_factor");
    }
    if (c.contains("head_dim") && c["head_dim"].is_number_integer() &&
        c["head_dim"].get<int64_t>() * cfg.nHeads != cfg.dim)
        throw Error(where + ": head_dim * num_attention_heads != hidden_size is not supported");
    if (cfg.dim % cfg.nHeads != 0 || cfg.nHeads % cfg.nKvHeads != 0)
        throw Error(where + ": hidden_size must divide by num_attention_heads, and heads by num_key_value_heads");
    return cfg;
}

Llama HfLlama::load(const std::string& folder)
{
    const fs::path dir(folder);
    const json config = HfFolder::readConfig(folder);
    const LlamaConfig cfg = configFromJson(config, (dir / "config.json").string());
    auto weights = Safetensors::readFolder(folder);
    Llama model(cfg);
    auto take = [&](const std::string& name, torch::Tensor& target) {
        HfFolder::copyTensor(weights, folder, {name}, target);
    };
    take("model.embed_tokens.weight", model->embedding->weight);
    for (int64_t i = 0; i < cfg.nLayers; ++i) {
        auto& l = *model->layers[size_t(i)];
        const std::string p = "model.layers." + std::to_string(i) + ".";
        take(p + "input_layernorm.weight", l.attentionNorm);
        take(p + "self_attn.q_proj.weight", l.wq->weight);
        take(p + "self_attn.k_proj.weight", l.wk->weight);
        take(p + "self_attn.v_proj.weight", l.wv->weight);
        take(p + "self_attn.o_proj.weight", l.wo->weight);
        if (cfg.qkvBias) {
            take(p + "self_attn.q_proj.bias", l.wq->bias);
            take(p + "self_attn.k_proj.bias", l.wk->bias);
            take(p + "self_attn.v_proj.bias", l.wv->bias);
        }
        take(p + "post_attention_layernorm.weight", l.ffnNorm);
        take(p + "mlp.gate_proj.weight", l.w1->weight);
        take(p + "mlp.down_proj.weight", l.w2->weight);
        take(p + "mlp.up_proj.weight", l.w3->weight);
    }
    take("model.norm.weight", model->finalNorm);
    if (!cfg.tiedEmbeddings)
        take("lm_head.weight", model->lmHead->weight);
    model->eval();
    return model;
}

void HfLlama::save(LlamaImpl& model, const std::string& folder)
{
    const LlamaConfig& c = model.config();
    HfFolder::create(folder);
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> w;
    auto qk = [&](const torch::Tensor& t, int64_t heads) {
        return c.interleavedRope ? interleavedToHalves(t, heads) : t;
    };
    w["model.embed_tokens.weight"] = model.embedding->weight;
    for (int64_t i = 0; i < c.nLayers; ++i) {
        auto& l = *model.layers[size_t(i)];
        const std::string p = "model.layers." + std::to_string(i) + ".";
        w[p + "input_layernorm.weight"] = l.attentionNorm;
        w[p + "self_attn.q_proj.weight"] = qk(l.wq->weight, c.nHeads);
        w[p + "self_attn.k_proj.weight"] = qk(l.wk->weight, c.nKvHeads);
        w[p + "self_attn.v_proj.weight"] = l.wv->weight;
        w[p + "self_attn.o_proj.weight"] = l.wo->weight;
        if (c.qkvBias) {
            w[p + "self_attn.q_proj.bias"] = qk(l.wq->bias.unsqueeze(1), c.nHeads).squeeze(1);
            w[p + "self_attn.k_proj.bias"] = qk(l.wk->bias.unsqueeze(1), c.nKvHeads).squeeze(1);
            w[p + "self_attn.v_proj.bias"] = l.wv->bias;
        }
        w[p + "post_attention_layernorm.weight"] = l.ffnNorm;
        w[p + "mlp.gate_proj.weight"] = l.w1->weight;
        w[p + "mlp.down_proj.weight"] = l.w2->weight;
        w[p + "mlp.up_proj.weight"] = l.w3->weight;
    }
    w["model.norm.weight"] = model.finalNorm;
    if (!c.tiedEmbeddings)
        w["lm_head.weight"] = model.lmHead->weight;
    for (auto& [name, t] : w)
        t = t.to(torch::kFloat32);
    Safetensors::write((fs::path(folder) / "model.safetensors").string(), w);

    json config = {{"architectures", {c.qkvBias ? "Qwen2ForCausalLM" : "LlamaForCausalLM"}},
                   {"model_type", c.qkvBias ? "qwen2" : "llama"},
                   {"hidden_size", c.dim},
                   {"intermediate_size", c.hiddenDim},
                   {"num_hidden_layers", c.nLayers},
                   {"num_attention_heads", c.nHeads},
                   {"num_key_value_heads", c.nKvHeads},
                   {"vocab_size", c.vocabSize},
                   {"max_position_embeddings", c.maxSeqLen},
                   {"rms_norm_eps", c.rmsNormEps},
                   {"rope_theta", c.ropeTheta},
                   {"rope_scaling", nullptr},
                   {"tie_word_embeddings", c.tiedEmbeddings},
                   {"hidden_act", "silu"},
                   {"bos_token_id", 1},
                   {"eos_token_id", 2},
                   {"torch_dtype", "float32"}};
    if (!c.ropeScalingType.empty())
        config["rope_scaling"] = {{"rope_type", c.ropeScalingType},
                                  {"factor", c.ropeScalingFactor},
                                  {"low_freq_factor", c.ropeLowFreqFactor},
                                  {"high_freq_factor", c.ropeHighFreqFactor},
                                  {"original_max_position_embeddings", c.ropeOriginalMaxPositions}};
    HfFolder::writeConfig(folder, config);
}

} // namespace cotlab::nn
