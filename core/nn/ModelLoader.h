#pragma once

// The one entry point for loading a student or scoring model. Include only from core and cotlab-cli.
#include "nn/CausalLm.h"
#include "text/Tokenizer.h"

#include <memory>
#include <optional>
#include <string>

namespace cotlab::nn {

// A Hugging Face model folder (config.json model_type gpt2, opt, llama, qwen2 or mistral, plus safetensors)
// or a llama2.c checkpoint file (.bin). Weights become float32 on the CPU. Errors name the path and what is
// wrong with it (missing folder, unknown model_type, missing or mis-shaped tensor).
std::shared_ptr<CausalLm> loadCausalLm(const std::string& path);

struct ModelAndTokenizer {
    std::shared_ptr<CausalLm> model;
    std::unique_ptr<text::Tokenizer> tokenizer;
};

// The model and its tokenizer: the given tokenizer file, else the model folder's own (a llama2.c checkpoint
// needs the file). A tokenizer with more tokens than the model is an Error: they do not belong together.
ModelAndTokenizer loadModelAndTokenizer(const std::string& path, const std::optional<std::string>& tokenizer);

} // namespace cotlab::nn
