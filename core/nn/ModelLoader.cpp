#include "nn/ModelLoader.h"

#include "nn/Gpt2.h"
#include "nn/HfFolder.h"
#include "nn/HfLlama.h"
#include "nn/Llama2cLoader.h"
#include "nn/Opt.h"
#include "util/Error.h"

#include <filesystem>

namespace cotlab::nn {

std::shared_ptr<CausalLm> loadCausalLm(const std::string& path)
{
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec))
        return Llama2cLoader::load(path).ptr();
    if (!std::filesystem::is_directory(path, ec))
        throw Error(path + ": no such model folder or file");
    const std::string type = HfFolder::readConfig(path).value("model_type", "");
    if (type == "gpt2")
        return Gpt2Impl::loadHf(path);
    if (type == "opt")
        return OptImpl::loadHf(path);
    if (type == "llama" || type == "qwen2" || type == "mistral")
        return HfLlama::load(path).ptr();
    throw Error(path + "/config.json: model_type '" + type +
                "' is not supported (gpt2, opt, llama, qwen2 and mistral are)");
}

ModelAndTokenizer loadModelAndTokenizer(const std::string& path, const std::optional<std::string>& tokenizer)
{
    ModelAndTokenizer l;
    l.model = loadCausalLm(path);
    std::error_code ec;
    if (!tokenizer && !std::filesystem::is_directory(path, ec))
        throw Error("a tokenizer file (--tokenizer) is required with a llama2.c checkpoint (" + path + ")");
    l.tokenizer = text::loadTokenizer(tokenizer.value_or(path), int32_t(l.model->vocabSize()));
    if (l.tokenizer->vocabSize() > l.model->vocabSize())
        throw Error("the tokenizer has " + std::to_string(l.tokenizer->vocabSize()) + " tokens but the model only " +
                    std::to_string(l.model->vocabSize()) + ": do they belong together?");
    return l;
}

} // namespace cotlab::nn
