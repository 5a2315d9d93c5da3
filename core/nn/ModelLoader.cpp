#include "nn/ModelLoader.h"

#include "nn/DeviceMemory.h"
#include "nn/Gpt2.h"
#include "nn/HfFolder.h"
#include "nn/Llama.h"
#include "nn/Llama2cLoader.h"
#include "nn/Lora.h"
#include "nn/ModelConfig.h"
#include "nn/ModelShape.h"
#include "nn/Opt.h"
#include "nn/Safetensors.h"
#include "util/Error.h"

#include <cstdio>
#include <filesystem>
#include <new>

namespace cotlab::nn {

namespace fs = std::filesystem;

namespace {

std::string gigabytes(double bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GB", bytes / 1e9);
    return text;
}

// Before anything is allocated: config.json and the weights belong together (a config that implies more
// parameters than the safetensors files hold would have the model allocated, possibly tens of GB, before the first
// mis-shaped tensor is found), and the model fits in this machine's memory at all.
void checkBeforeAllocating(const std::string& folder, torch::ScalarType dtype)
{
    const auto shape = readModelShape(folder);
    uint64_t stored = 0;
    const SafetensorsFolder weights(folder);
    for (const auto& [name, entry] : weights.entries())
        stored += entry.bytes / uint64_t(c10::elementSize(entry.dtype));
    // A tensor or two missing is named, with its expected shape, as the weights are read; a config far larger
    // than the files (twice their values and more) is refused here, before it is allocated.
    if (uint64_t(shape.parameters) > 2 * stored + (uint64_t(1) << 24))
        throw Error(folder + ": config.json describes a model of " + std::to_string(shape.parameters) +
                    " parameters but its safetensors files hold " + std::to_string(stored) +
                    " values: the config belongs to another model, or the download is incomplete");
    const double needed = double(shape.parameters) * double(c10::elementSize(dtype));
    const auto memory = deviceMemory("cpu");
    if (memory.total > 0 && needed > double(memory.total))
        throw Error(folder + ": the model needs " + gigabytes(needed) + " as " + std::string(c10::toString(dtype)) +
                    " but this machine has " + gigabytes(double(memory.total)) + " of memory");
}

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
    const std::string type = modelType(readHfConfig(path), path + "/config.json");
    if (type == "gpt2" || type == "opt" || type == "llama" || type == "qwen2" || type == "mistral")
        checkBeforeAllocating(path, dtype);
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

} // namespace

std::shared_ptr<CausalLm> loadCausalLm(const std::string& path, const LoadOptions& options)
{
    const ModelPaths paths = resolve(path, options);
    std::shared_ptr<CausalLm> model;
    try {
        model = loadBase(paths.base, options.dtype);
    } catch (const std::bad_alloc&) {
        throw Error(paths.base + ": not enough memory to load the model; close other programs or use a smaller one");
    } catch (const c10::Error& e) {
        // libtorch's own words would be a stack trace; say what happened to which model.
        const std::string what = e.what_without_backtrace();
        if (what.find("alloc") != std::string::npos)
            throw Error(paths.base +
                        ": not enough memory to load the model; close other programs or use a smaller one");
        throw Error(paths.base + ": the model could not be built: " + what.substr(0, what.find('\n')));
    }
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
    l.tokenizer = text::loadTokenizer(tokenizerPathOf(path, tokenizer, options.adapter), int32_t(l.model->vocabSize()));
    if (l.tokenizer->vocabSize() > l.model->vocabSize())
        throw Error("the tokenizer has " + std::to_string(l.tokenizer->vocabSize()) + " tokens but the model only " +
                    std::to_string(l.model->vocabSize()) + ": do they belong together?");
    return l;
}

std::string saveAsHfFolder(const std::string& path, const std::optional<std::string>& tokenizer,
                           const std::string& adapter, const std::string& out)
{
    auto l = loadModelAndTokenizer(path, tokenizer, {.adapter = adapter});
    l.model->saveHf(out);
    l.tokenizer->saveTo(out);
    return l.model->family();
}

} // namespace cotlab::nn
