#include "nn/ModelConfig.h"

#include "util/Error.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

int64_t requiredInt(const json& c, const char* key, const std::string& where)
{
    if (!c.contains(key) || !c[key].is_number_integer())
        throw Error(where + ": config.json has no integer '" + key + "'");
    return c[key].get<int64_t>();
}

} // namespace

json readHfConfig(const std::string& folder)
{
    const auto path = std::filesystem::path(folder) / "config.json";
    std::ifstream in(path);
    if (!in)
        throw Error(folder + ": no config.json; a model folder holds config.json, *.safetensors and tokenizer files");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(path.string() + ": invalid JSON: " + e.what());
    }
}

Gpt2Config gpt2Config(const json& j, const std::string& where)
{
    if (j.value("model_type", "") != "gpt2")
        throw Error(where + ": model_type is '" + j.value("model_type", "") + "', not gpt2");
    Gpt2Config c;
    c.dim = j.value("n_embd", c.dim);
    c.nLayers = j.value("n_layer", c.nLayers);
    c.nHeads = j.value("n_head", c.nHeads);
    c.maxSeqLen = j.value("n_positions", c.maxSeqLen);
    c.vocabSize = j.value("vocab_size", c.vocabSize);
    c.innerDim = j.contains("n_inner") && j["n_inner"].is_number_integer() ? j["n_inner"].get<int64_t>() : 4 * c.dim;
    c.layerNormEps = j.value("layer_norm_epsilon", c.layerNormEps);
    if (c.dim % c.nHeads != 0)
        throw Error(where + ": n_embd must divide by n_head");
    return c;
}

OptConfig optConfig(const json& j, const std::string& where)
{
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
    return c;
}

LlamaConfig llamaConfig(const json& c, const std::string& where)
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

LlamaConfig llama2cConfig(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open model file");
    int32_t header[7];
    in.read(reinterpret_cast<char*>(header), sizeof header);
    if (!in)
        throw Error(path + ": too short for a llama2.c header");
    LlamaConfig c;
    c.dim = header[0];
    c.hiddenDim = header[1];
    c.nLayers = header[2];
    c.nHeads = header[3];
    c.nKvHeads = header[4];
    c.tiedEmbeddings = header[5] > 0;
    c.vocabSize = std::abs(header[5]);
    c.maxSeqLen = header[6];
    c.interleavedRope = true;
    if (c.dim <= 0 || c.nHeads <= 0 || c.nKvHeads <= 0 || c.dim % c.nHeads != 0 || c.nHeads % c.nKvHeads != 0 ||
        c.nLayers <= 0 || c.hiddenDim <= 0 || c.vocabSize <= 0 || c.maxSeqLen <= 0)
        throw Error(path + ": not a llama2.c checkpoint (implausible header: dim " + std::to_string(c.dim) +
                    ", heads " + std::to_string(c.nHeads) + ", kv heads " + std::to_string(c.nKvHeads) + ")");

    const int64_t L = c.nLayers, hd = c.headDim(), kv = c.nKvHeads * hd;
    const int64_t expected = 28 + 4 * (c.vocabSize * c.dim + L * c.dim + L * c.dim * c.dim + 2 * L * kv * c.dim +
                                       L * c.dim * c.dim + L * c.dim + 3 * L * c.hiddenDim * c.dim + c.dim +
                                       c.maxSeqLen * hd + (c.tiedEmbeddings ? 0 : c.vocabSize * c.dim));
    std::error_code ec;
    const auto size = int64_t(std::filesystem::file_size(path, ec));
    if (size != expected)
        throw Error(path + ": " + std::to_string(size) + " bytes, but its header (dim " + std::to_string(c.dim) +
                    ", layers " + std::to_string(L) + ", vocabulary " + std::to_string(c.vocabSize) + ") needs " +
                    std::to_string(expected) + "; the file is truncated or not a llama2.c checkpoint");

    return c;
}

json toHfConfig(const Gpt2Config& c)
{
    return {{"architectures", {"GPT2LMHeadModel"}},
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
}

json toHfConfig(const OptConfig& c)
{
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
    return config;
}

json toHfConfig(const LlamaConfig& c)
{
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
    return config;
}

} // namespace cotlab::nn
