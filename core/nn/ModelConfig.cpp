#include "nn/ModelConfig.h"

#include "util/Error.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Bounds no real model comes near; a value outside them is a damaged or hostile config.json, refused before any
// tensor is allocated (n_head 0 divided by zero, negative sizes asked libtorch for impossible tensors).
constexpr int64_t kMaxWidth = 1 << 17; // hidden, head and per-layer sizes
constexpr int64_t kMaxInner = 1 << 20; // MLP inner size
constexpr int64_t kMaxLayers = 1024;
constexpr int64_t kMaxVocabulary = 1 << 23; // 8M tokens
constexpr int64_t kMaxPositions = 1 << 24;  // 16M positions

// An integer setting of config.json: present and an integer in [1, max], or absent with `fallback` (absent and
// no fallback is an Error). Messages name the file, the key, the value and what it must be.
int64_t sizeSetting(const json& c, const char* key, std::optional<int64_t> fallback, int64_t max,
                    const std::string& where)
{
    if (!c.contains(key) || c[key].is_null()) {
        if (!fallback)
            throw Error(where + ": config.json has no integer '" + key + "'");
        return *fallback;
    }
    const json& v = c[key];
    if (!v.is_number_integer())
        throw Error(where + ": '" + key + "' is " + v.dump() + "; it must be a whole number from 1 to " +
                    std::to_string(max));
    const int64_t n = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX) ? -1 : v.get<int64_t>();
    if (n < 1 || n > max)
        throw Error(where + ": '" + key + "' is " + v.dump() + "; it must be a whole number from 1 to " +
                    std::to_string(max));
    return n;
}

int64_t requiredInt(const json& c, const char* key, int64_t max, const std::string& where)
{
    return sizeSetting(c, key, std::nullopt, max, where);
}

// A positive real setting (norm epsilons, rope theta), or `fallback` when absent.
double positiveSetting(const json& c, const char* key, double fallback, const std::string& where)
{
    if (!c.contains(key) || c[key].is_null())
        return fallback;
    if (!c[key].is_number() || !(c[key].get<double>() > 0) || !std::isfinite(c[key].get<double>()))
        throw Error(where + ": '" + key + "' is " + c[key].dump() + "; it must be a positive number");
    return c[key].get<double>();
}

std::string stringSetting(const json& c, const char* key, const std::string& fallback, const std::string& where)
{
    if (!c.contains(key) || c[key].is_null())
        return fallback;
    if (!c[key].is_string())
        throw Error(where + ": '" + key + "' is " + c[key].dump() + "; it must be a string");
    return c[key].get<std::string>();
}

bool boolSetting(const json& c, const char* key, bool fallback, const std::string& where)
{
    if (!c.contains(key) || c[key].is_null())
        return fallback;
    if (!c[key].is_boolean())
        throw Error(where + ": '" + key + "' is " + c[key].dump() + "; it must be true or false");
    return c[key].get<bool>();
}

void requireDivisible(int64_t a, const char* aKey, int64_t b, const char* bKey, const std::string& where)
{
    if (a % b != 0)
        throw Error(where + ": '" + aKey + "' (" + std::to_string(a) + ") must divide by '" + bKey + "' (" +
                    std::to_string(b) + ")");
}

} // namespace

json readHfConfig(const std::string& folder)
{
    const auto path = std::filesystem::path(folder) / "config.json";
    std::ifstream in(path);
    if (!in)
        throw Error(folder + ": no config.json; a model folder holds config.json, *.safetensors and tokenizer files");
    json config;
    try {
        config = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for a number beyond a double
        throw Error(path.string() + ": invalid JSON: " + e.what());
    }
    if (!config.is_object())
        throw Error(path.string() + ": not a JSON object of settings");
    return config;
}

std::string modelType(const json& config, const std::string& where)
{
    return stringSetting(config, "model_type", "", where);
}

Gpt2Config gpt2Config(const json& j, const std::string& where)
{
    if (stringSetting(j, "model_type", "", where) != "gpt2")
        throw Error(where + ": model_type is '" + stringSetting(j, "model_type", "", where) + "', not gpt2");
    Gpt2Config c;
    c.dim = sizeSetting(j, "n_embd", c.dim, kMaxWidth, where);
    c.nLayers = sizeSetting(j, "n_layer", c.nLayers, kMaxLayers, where);
    c.nHeads = sizeSetting(j, "n_head", c.nHeads, kMaxWidth, where);
    c.maxSeqLen = sizeSetting(j, "n_positions", c.maxSeqLen, kMaxPositions, where);
    c.vocabSize = sizeSetting(j, "vocab_size", c.vocabSize, kMaxVocabulary, where);
    c.innerDim = sizeSetting(j, "n_inner", 4 * c.dim, kMaxInner, where);
    c.layerNormEps = positiveSetting(j, "layer_norm_epsilon", c.layerNormEps, where);
    requireDivisible(c.dim, "n_embd", c.nHeads, "n_head", where);
    return c;
}

OptConfig optConfig(const json& j, const std::string& where)
{
    if (stringSetting(j, "model_type", "", where) != "opt")
        throw Error(where + ": model_type is '" + stringSetting(j, "model_type", "", where) + "', not opt");
    OptConfig c;
    c.dim = sizeSetting(j, "hidden_size", c.dim, kMaxWidth, where);
    c.nLayers = sizeSetting(j, "num_hidden_layers", c.nLayers, kMaxLayers, where);
    c.nHeads = sizeSetting(j, "num_attention_heads", c.nHeads, kMaxWidth, where);
    c.ffnDim = sizeSetting(j, "ffn_dim", c.ffnDim, kMaxInner, where);
    c.maxSeqLen = sizeSetting(j, "max_position_embeddings", c.maxSeqLen, kMaxPositions, where);
    c.vocabSize = sizeSetting(j, "vocab_size", c.vocabSize, kMaxVocabulary, where);
    c.wordEmbedDim = sizeSetting(j, "word_embed_proj_dim", c.dim, kMaxWidth, where);
    c.layerNormBefore = boolSetting(j, "do_layer_norm_before", true, where);
    c.finalLayerNorm = !boolSetting(j, "_remove_final_layer_norm", false, where);
    c.bias = boolSetting(j, "enable_bias", true, where);
    c.activation = stringSetting(j, "activation_function", c.activation, where);
    if (c.activation != "relu" && c.activation != "gelu")
        throw Error(where + ": activation_function '" + c.activation + "' is not supported (relu or gelu)");
    if (!boolSetting(j, "layer_norm_elementwise_affine", true, where))
        throw Error(where + ": layer_norm_elementwise_affine false is not supported");
    if (!boolSetting(j, "tie_word_embeddings", true, where))
        throw Error(where + ": an untied OPT head (tie_word_embeddings false) is not supported");
    requireDivisible(c.dim, "hidden_size", c.nHeads, "num_attention_heads", where);
    return c;
}

LlamaConfig llamaConfig(const json& c, const std::string& where)
{
    const std::string type = stringSetting(c, "model_type", "", where);
    if (type != "llama" && type != "qwen2" && type != "mistral")
        throw Error(where + ": model_type '" + type + "' is not a Llama-family model (llama, qwen2, mistral)");
    LlamaConfig cfg;
    cfg.dim = requiredInt(c, "hidden_size", kMaxWidth, where);
    cfg.hiddenDim = requiredInt(c, "intermediate_size", kMaxInner, where);
    cfg.nLayers = requiredInt(c, "num_hidden_layers", kMaxLayers, where);
    cfg.nHeads = requiredInt(c, "num_attention_heads", kMaxWidth, where);
    cfg.nKvHeads = sizeSetting(c, "num_key_value_heads", cfg.nHeads, kMaxWidth, where);
    cfg.vocabSize = requiredInt(c, "vocab_size", kMaxVocabulary, where);
    cfg.maxSeqLen = sizeSetting(c, "max_position_embeddings", 2048, kMaxPositions, where);
    cfg.rmsNormEps = positiveSetting(c, "rms_norm_eps", 1e-5, where);
    cfg.ropeTheta = positiveSetting(c, "rope_theta", 10000.0, where);
    cfg.tiedEmbeddings = boolSetting(c, "tie_word_embeddings", type == "qwen2", where);
    cfg.qkvBias = type == "qwen2" || boolSetting(c, "attention_bias", false, where);
    if (c.contains("rope_scaling") && c["rope_scaling"].is_object()) {
        const json& r = c["rope_scaling"];
        cfg.ropeScalingType = stringSetting(r, "rope_type", stringSetting(r, "type", "", where), where);
        if (cfg.ropeScalingType == "default")
            cfg.ropeScalingType.clear();
        else if (cfg.ropeScalingType != "linear" && cfg.ropeScalingType != "llama3")
            throw Error(where + ": rope_scaling type '" + cfg.ropeScalingType +
                        "' is not supported (linear and llama3 are)");
        cfg.ropeScalingFactor = positiveSetting(r, "factor", 1.0, where);
        cfg.ropeLowFreqFactor = positiveSetting(r, "low_freq_factor", cfg.ropeLowFreqFactor, where);
        cfg.ropeHighFreqFactor = positiveSetting(r, "high_freq_factor", cfg.ropeHighFreqFactor, where);
        cfg.ropeOriginalMaxPositions =
            sizeSetting(r, "original_max_position_embeddings", cfg.ropeOriginalMaxPositions, kMaxPositions, where);
        if (cfg.ropeScalingFactor <= 0.0 || cfg.ropeHighFreqFactor <= cfg.ropeLowFreqFactor)
            throw Error(where + ": rope_scaling needs factor > 0 and high_freq_factor > low_freq_factor");
    }
    if (c.contains("head_dim") && c["head_dim"].is_number_integer() &&
        c["head_dim"].get<int64_t>() * cfg.nHeads != cfg.dim)
        throw Error(where + ": head_dim * num_attention_heads != hidden_size is not supported");
    requireDivisible(cfg.dim, "hidden_size", cfg.nHeads, "num_attention_heads", where);
    requireDivisible(cfg.nHeads, "num_attention_heads", cfg.nKvHeads, "num_key_value_heads", where);
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
    c.vocabSize = header[5] == std::numeric_limits<int32_t>::min() ? 0 : std::abs(header[5]); // no UB on -2^31
    c.maxSeqLen = header[6];
    c.interleavedRope = true;
    if (c.dim <= 0 || c.nHeads <= 0 || c.nKvHeads <= 0 || c.dim % c.nHeads != 0 || c.nHeads % c.nKvHeads != 0 ||
        c.nLayers <= 0 || c.hiddenDim <= 0 || c.vocabSize <= 0 || c.maxSeqLen <= 0 || c.dim > kMaxWidth ||
        c.nLayers > kMaxLayers || c.hiddenDim > kMaxInner || c.vocabSize > kMaxVocabulary ||
        c.maxSeqLen > kMaxPositions)
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
