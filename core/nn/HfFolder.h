#pragma once

// What every Hugging Face model-folder reader needs: its config.json, and shapes written for error messages.
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <torch/torch.h>

namespace cotlab::nn {

class HfFolder {
public:
    // config.json of a model folder; an Error names the folder or file when it is missing or not JSON.
    static nlohmann::json readConfig(const std::string& folder);
    // Creates the folder (and its parents) for saving a model into.
    static void create(const std::string& folder);
    // Writes config.json, pretty-printed.
    static void writeConfig(const std::string& folder, const nlohmann::json& config);
    // Copies the tensor stored under the first of 'names' present in 'weights' into target (as float32). An
    // Error names the folder and the missing tensor (the first name) or the mismatched one, with the shape
    // that config.json implies.
    static void copyTensor(const std::map<std::string, torch::Tensor>& weights, const std::string& folder,
                           std::initializer_list<std::string> names, torch::Tensor& target);
    // "[32, 64]"
    static std::string shapeText(at::IntArrayRef shape);
};

} // namespace cotlab::nn
