#pragma once

// The one entry point for loading a student or scoring model. Include only from core and cotlab-cli.
#include "nn/CausalLm.h"
#include "text/Tokenizer.h"

#include <memory>
#include <optional>
#include <string>

namespace cotlab::nn {

struct LoadOptions {
    // The weights' dtype as loaded (float32 unless told; a bf16 base for LoRA training is loaded straight in bf16,
    // never through a float32 copy).
    torch::ScalarType dtype = torch::kFloat32;
    // A PEFT LoRA adapter folder to apply to the base ('' : none; a path that is itself an adapter folder names
    // its base in adapter_config.json).
    std::string adapter;
    // Fold the adapter into the weights (inference); false keeps it separate (training on, saving it again).
    bool mergeAdapter = true;
};

// A Hugging Face model folder (config.json model_type gpt2, opt, llama, qwen2 or mistral, plus safetensors), a
// llama2.c checkpoint file (.bin), or a PEFT LoRA adapter folder (its base_model_name_or_path is loaded, then the
// adapter applied). Weights go to the CPU. Errors name the path and what is wrong with it (missing folder, unknown
// model_type, missing or mis-shaped tensor, an adapter whose base is not here).
std::shared_ptr<CausalLm> loadCausalLm(const std::string& path, const LoadOptions& options = {});

struct ModelAndTokenizer {
    std::shared_ptr<CausalLm> model;
    std::unique_ptr<text::Tokenizer> tokenizer;
};

// The model and its tokenizer: the given tokenizer file, else the model folder's own (an adapter folder's own,
// else its base's; a llama2.c checkpoint needs the file). A tokenizer with more tokens than the model is an Error:
// they do not belong together.
ModelAndTokenizer loadModelAndTokenizer(const std::string& path, const std::optional<std::string>& tokenizer,
                                        const LoadOptions& options = {});

// A model as loadModelAndTokenizer reads it (an adapter folded into its base) written as a Hugging Face folder:
// config.json, model.safetensors in float32 and the tokenizer's files, which transformers, vLLM and llama.cpp's
// converter read. Returns the model's family (gpt2, llama, ...).
std::string saveAsHfFolder(const std::string& path, const std::optional<std::string>& tokenizer,
                           const std::string& adapter, const std::string& out);

} // namespace cotlab::nn
