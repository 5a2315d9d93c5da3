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

} // namespace cotlab::nn
