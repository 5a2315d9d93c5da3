#pragma once

// LoRA adapters on a CausalLm, and PEFT's adapter folders (adapter_config.json + adapter_model.safetensors), so
// that an adapter trained here loads in PEFT and one trained with PEFT loads here. Include only from core and
// cotlab-cli (torch).
#include "nn/CausalLm.h"
#include "nn/LoraConfig.h"

#include <string>
#include <vector>

namespace cotlab::nn {

// Freezes every parameter of the model and attaches a float32 adapter (B = 0) to each linear layer the config
// targets; returns the adapted modules' Hugging Face names. Error when no module matches the targets (naming the
// model's linear layers) or when the config is unusable.
std::vector<std::string> attachLora(CausalLm& model, const LoraConfig& config);
// The trainable adapter parameters (empty without adapters).
std::vector<torch::Tensor> loraParameters(CausalLm& model);
int64_t loraParameterCount(CausalLm& model);

// Writes folder/adapter_config.json and folder/adapter_model.safetensors in PEFT's format: peft_type LORA,
// task_type CAUSAL_LM, keys base_model.model.<module>.lora_A.weight [r, in] and .lora_B.weight [out, r].
// baseModel is recorded as base_model_name_or_path.
void saveAdapter(CausalLm& model, const LoraConfig& config, const std::string& folder, const std::string& baseModel);

struct AdapterInfo {
    LoraConfig config;
    std::string baseModel; // base_model_name_or_path
    std::vector<std::string> modules;
};
// adapter_config.json of a folder; Error (naming the file and the setting) for adapters CoTLab cannot apply
// exactly: another peft_type, DoRA, biases, rank or alpha patterns, modules to save.
AdapterInfo readAdapterConfig(const std::string& folder);
bool isAdapterFolder(const std::string& path);
// Attaches the folder's adapter to the model and loads its weights (PEFT's or CoTLab's); Error naming the file and
// tensor when a key names no module of the model or a shape differs.
AdapterInfo loadAdapter(CausalLm& model, const std::string& folder);

// Folds every adapter into its layer's weight (W + scale B A, computed in float32): inference then costs what the
// base model costs.
void mergeLora(CausalLm& model);

// base + adapter -> a full Hugging Face folder in the base's own dtype, tensor by tensor: memory holds one base
// tensor and the adapter, whatever the model's size. Copies config.json (and the base's tokenizer files). Returns
// the number of weights changed.
int64_t mergeAdapterFolder(const std::string& baseFolder, const std::string& adapterFolder,
                           const std::string& outFolder);

} // namespace cotlab::nn
