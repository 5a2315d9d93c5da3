#include "train/StudentExport.h"

#include "nn/Lora.h"
#include "nn/ModelLoader.h"
#include "util/Error.h"

#include <filesystem>

namespace cotlab::train {

namespace fs = std::filesystem;

std::string exportStudent(const std::string& student, const std::string& out, StudentExportKind kind)
{
    std::error_code ec;
    if (fs::exists(out, ec) && !fs::is_empty(out, ec))
        throw Error(out + " is not empty: choose a new or empty folder for the student");
    if (kind == StudentExportKind::HfFolder) {
        const std::string family = nn::saveAsHfFolder(student, std::nullopt, {}, out);
        return "a Hugging Face " + family + " folder (config.json, model.safetensors, tokenizer) in " + out;
    }
    if (!nn::isAdapterFolder(student))
        throw Error(student + " holds a model whose every weight was trained, not a LoRA adapter: export it as a "
                              "Hugging Face folder");
    nn::readAdapterConfig(student); // refuses an adapter CoTLab did not write in PEFT's format
    fs::create_directories(out);
    for (const auto& entry : fs::directory_iterator(student))
        if (entry.is_regular_file())
            fs::copy_file(entry.path(), fs::path(out) / entry.path().filename());
    return "the PEFT adapter (adapter_config.json, adapter_model.safetensors) and its tokenizer in " + out;
}

} // namespace cotlab::train
