#include "nn/ModelShape.h"

#include "nn/LoraConfig.h"
#include "nn/ModelConfig.h"
#include "util/Error.h"

#include <filesystem>
#include <fstream>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

ModelShape gpt2Shape(const Gpt2Config& c)
{
    ModelShape s;
    s.family = "gpt2";
    s.firstBlock = "transformer.h.0.";
    s.layers = c.nLayers, s.dim = c.dim, s.heads = s.kvHeads = c.nHeads, s.ffnDim = c.innerDim;
    s.vocab = c.vocabSize, s.maxPositions = c.maxSeqLen;
    const int64_t d = c.dim;
    s.parameters = (c.vocabSize + c.maxSeqLen) * d + 2 * d; // wte, wpe, ln_f
    for (int64_t i = 0; i < c.nLayers; ++i) {
        const std::string p = "transformer.h." + std::to_string(i) + ".";
        s.linears.push_back({p + "attn.c_attn", d, 3 * d});
        s.linears.push_back({p + "attn.c_proj", d, d});
        s.linears.push_back({p + "mlp.c_fc", d, c.innerDim});
        s.linears.push_back({p + "mlp.c_proj", c.innerDim, d});
        s.parameters += 4 * d + 3 * d + d + c.innerDim + d; // norms and biases
    }
    return s;
}

ModelShape optShape(const OptConfig& c)
{
    ModelShape s;
    s.family = "opt";
    s.firstBlock = "model.decoder.layers.0.";
    s.layers = c.nLayers, s.dim = c.dim, s.heads = s.kvHeads = c.nHeads, s.ffnDim = c.ffnDim;
    s.vocab = c.vocabSize, s.maxPositions = c.maxSeqLen;
    const int64_t d = c.dim;
    s.parameters = c.vocabSize * c.wordEmbedDim + (c.maxSeqLen + OptConfig::kPositionOffset) * d;
    if (c.layerNormBefore && c.finalLayerNorm)
        s.parameters += 2 * d;
    if (c.wordEmbedDim != d) {
        s.linears.push_back({"model.decoder.project_in", c.wordEmbedDim, d});
        s.linears.push_back({"model.decoder.project_out", d, c.wordEmbedDim});
    }
    for (int64_t i = 0; i < c.nLayers; ++i) {
        const std::string p = "model.decoder.layers." + std::to_string(i) + ".";
        for (const char* name : {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj"})
            s.linears.push_back({p + name, d, d});
        s.linears.push_back({p + "fc1", d, c.ffnDim});
        s.linears.push_back({p + "fc2", c.ffnDim, d});
        s.parameters += 4 * d + (c.bias ? 5 * d + c.ffnDim : 0); // norms and biases
    }
    return s;
}

ModelShape llamaShape(const LlamaConfig& c)
{
    ModelShape s;
    s.family = "llama";
    s.firstBlock = "model.layers.0.";
    s.gatedMlp = true;
    s.layers = c.nLayers, s.dim = c.dim, s.heads = c.nHeads, s.kvHeads = c.nKvHeads, s.ffnDim = c.hiddenDim;
    s.vocab = c.vocabSize, s.maxPositions = c.maxSeqLen;
    const int64_t d = c.dim, kv = c.nKvHeads * c.headDim();
    s.parameters = c.vocabSize * d * (c.tiedEmbeddings ? 1 : 2) + d;
    for (int64_t i = 0; i < c.nLayers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        s.linears.push_back({p + "self_attn.q_proj", d, d});
        s.linears.push_back({p + "self_attn.k_proj", d, kv});
        s.linears.push_back({p + "self_attn.v_proj", d, kv});
        s.linears.push_back({p + "self_attn.o_proj", d, d});
        s.linears.push_back({p + "mlp.gate_proj", d, c.hiddenDim});
        s.linears.push_back({p + "mlp.up_proj", d, c.hiddenDim});
        s.linears.push_back({p + "mlp.down_proj", c.hiddenDim, d});
        s.parameters += 2 * d + (c.qkvBias ? d + 2 * kv : 0);
    }
    return s;
}

} // namespace

ModelShape readModelShape(const std::string& path)
{
    std::error_code ec;
    if (fs::is_regular_file(fs::path(path) / "adapter_config.json", ec))
        return readModelShape(adapterBaseModel(path));
    ModelShape s;
    if (fs::is_regular_file(path, ec)) {
        s = llamaShape(llama2cConfig(path));
    } else {
        const json j = readHfConfig(path);
        const std::string where = (fs::path(path) / "config.json").string();
        const std::string type = modelType(j, where);
        if (type == "gpt2")
            s = gpt2Shape(gpt2Config(j, where));
        else if (type == "opt")
            s = optShape(optConfig(j, where));
        else if (type == "llama" || type == "qwen2" || type == "mistral")
            s = llamaShape(llamaConfig(j, where));
        else
            throw Error(where + ": model_type '" + type +
                        "' is not supported (gpt2, opt, llama, qwen2 and mistral are)");
        const std::string dtype = j.contains("torch_dtype") && j["torch_dtype"].is_string()
                                      ? j["torch_dtype"].get<std::string>()
                                      : std::string("float32");
        s.storedBytesPerParameter = dtype == "bfloat16" || dtype == "float16" ? 2 : 4;
    }
    for (const auto& l : s.linears)
        s.parameters += l.in * l.out;
    return s;
}

namespace {

bool hasTokenizer(const std::string& folder)
{
    std::error_code ec;
    for (const char* name : {"tokenizer.json", "vocab.json", "tokenizer.bin"})
        if (fs::exists(fs::path(folder) / name, ec))
            return true;
    return false;
}

} // namespace

std::string tokenizerPathOf(const std::string& modelPath, const std::optional<std::string>& tokenizer,
                            const std::string& adapter)
{
    if (tokenizer)
        return *tokenizer;
    std::error_code ec;
    std::string base = modelPath, ownAdapter = adapter;
    if (ownAdapter.empty() && fs::is_regular_file(fs::path(modelPath) / "adapter_config.json", ec)) {
        ownAdapter = modelPath;
        base = adapterBaseModel(modelPath);
    }
    if (!ownAdapter.empty() && hasTokenizer(ownAdapter))
        return ownAdapter;
    if (!fs::is_directory(base, ec))
        throw Error("a tokenizer file (--tokenizer) is required with a llama2.c checkpoint (" + base + ")");
    return base;
}

} // namespace cotlab::nn
