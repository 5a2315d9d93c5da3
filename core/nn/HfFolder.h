#pragma once

// What every Hugging Face model-folder reader needs: its config.json, and shapes written for error messages.
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <torch/torch.h>

namespace cotlab::nn {

class SafetensorsFolder;

class HfFolder {
public:
    // Creates the folder (and its parents) for saving a model into.
    static void create(const std::string& folder);
    // Writes config.json, pretty-printed.
    static void writeConfig(const std::string& folder, const nlohmann::json& config);
    // Copies the tensor stored under the first of 'names' present in 'weights' into target (converted to the
    // target's dtype). An Error names the folder and the missing tensor (the first name) or the mismatched one, with
    // the shape that config.json implies.
    static void copyTensor(const SafetensorsFolder& weights, const std::string& folder,
                           std::initializer_list<std::string> names, torch::Tensor& target);
    // Rows of a q/k projection (or of its LoRA B, or bias as [rows, 1]) from llama2.c's interleaved rotary pairs
    // (2i, 2i+1) to Hugging Face's halves (i, i + d/2), per head, and back.
    static torch::Tensor rotaryRowsToHf(const torch::Tensor& rows, int64_t heads);
    static torch::Tensor rotaryRowsFromHf(const torch::Tensor& rows, int64_t heads);
    // config.json's torch_dtype: "float32", "bfloat16", "float16".
    static std::string dtypeName(torch::ScalarType dtype);
    // "[32, 64]"
    static std::string shapeText(at::IntArrayRef shape);
};

} // namespace cotlab::nn
