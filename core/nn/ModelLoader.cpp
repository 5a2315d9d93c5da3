#include "nn/ModelLoader.h"

#include "nn/Gpt2.h"
#include "nn/HfFolder.h"
#include "nn/Llama.h"
#include "nn/Llama2cLoader.h"
#include "nn/Lora.h"
#include "nn/Opt.h"
#include "util/Error.h"

#include <filesystem>

namespace cotlab::nn {

namespace fs = std::filesystem;

namespace {

std::shared_ptr<CausalLm> loadBase(const std::string& path, torch::ScalarType dtype)
{
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
        auto model = Llama2cLoader::load(path).ptr();
        if (dtype != torch::kFloat32)
            model->to(dtype);
        return model;
    }
    if (!fs::is_directory(path, ec))
        throw Error(path + ": no such model folder or file");
    const std::string type = readHfConfig(path).value("model_type", "");
    if (type == "gpt2")
        return Gpt2Impl::loadHf(path, dtype);
    if (type == "opt")
        return OptImpl::loadHf(path, dtype);
    if (type == "llama" || type == "qwen2" || type == "mistral")
        return LlamaImpl::loadHf(path, dtype);
    throw Error(path + "/config.json: model_type '" + type +
                "' is not supported (gpt2, opt, llama, qwen2 and mistral are)");
}

struct ModelPaths {
    std::string base, adapter;
};

ModelPaths resolve(const std::string& path, const LoadOptions& options)
{
    if (options.adapter.empty() && isAdapterFolder(path))
        return {adapterBaseModel(path), path};
    return {path, options.adapter};
}

bool hasTokenizer(const std::string& folder)
{
    std::error_code ec;
    for (const char* name : {"tokenizer.json", "vocab.json", "tokenizer.bin"})
        if (fs::exists(fs::path(folder) / name, ec))
            return true;
    return false;
}

} // namespace

std::shared_ptr<CausalLm> loadCausalLm(const std::string& path, const LoadOptions& options)
{
    const ModelPaths paths = resolve(path, options);
    auto model = loadBase(paths.base, options.dtype);
    if (!paths.adapter.empty()) {
        loadAdapter(*model, paths.adapter);
        if (options.mergeAdapter)
            mergeLora(*model);
    }
    return model;
}

ModelAndTokenizer loadModelAndTokenizer(const std::string& path, const std::optional<std::string>& tokenizer,
                                        const LoadOptions& options)
{
    ModelAndTokenizer l;
    l.model = loadCausalLm(path, options);
    std::string tokenizerPath;
    if (tokenizer) {
        tokenizerPath = *tokenizer;
    } else {
        const ModelPaths paths = resolve(path, options);
        tokenizerPath = !paths.adapter.empty() && hasTokenizer(paths.adapter) ? paths.adapter : paths.base;
        std::error_code ec;
        if (!fs::is_directory(tokenizerPath, ec))
            throw Error("a tokenizer file (--tokenizer) is required with a llama2.c checkpoint (" + paths.base + ")");
    }
    l.tokenizer = text::loadTokenizer(tokenizerPath, int32_t(l.model->vocabSize()));
    if (l.tokenizer->vocabSize() > l.model->vocabSize())
        throw Error("the tokenizer has " + std::to_string(l.tokenizer->vocabSize()) + " tokens but the model only " +
                    std::to_string(l.model->vocabSize()) + ": do they belong together?");
    return l;
}

} // namespace cotlab::nn
