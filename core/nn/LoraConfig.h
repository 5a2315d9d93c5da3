#pragma once

// LoRA settings as a user gives them (Train page, `cotlab-cli train --lora-*`) and as PEFT's adapter_config.json
// records them. No torch: the GUI includes it.
#include <cstdint>
#include <string>
#include <vector>

namespace cotlab::nn {

struct LoraConfig {
    int64_t rank = 16; // r
    double alpha = 32; // lora_alpha
    double dropout = 0.05;
    // PEFT's target_modules: a module is adapted when its Hugging Face name equals a target or ends with "." and the
    // target ("q_proj" adapts every layer's self_attn.q_proj). Empty: the family's default in PEFT (GPT-2: c_attn;
    // OPT, Llama, Qwen2, Mistral: q_proj, v_proj); {"all-linear"}: every linear layer but the output head.
    std::vector<std::string> targets;
    bool rsLora = false; // rank-stabilised scaling alpha / sqrt(r) instead of alpha / r (Kalajdzievski 2023)

    double scale() const;
    // "LoRA r 16, alpha 32, dropout 0.05, all-linear" (rsLoRA noted when on).
    std::string describe() const;
    // Why the settings are unusable ("" when they are fine): a rank below 1, a negative alpha, dropout outside [0, 1).
    std::string problem() const;
};

// PEFT's default targets of a family (config.json's model_type); empty for a family PEFT has none for.
std::vector<std::string> defaultLoraTargets(const std::string& family);
// The base model of a PEFT adapter folder: its adapter_config.json's base_model_name_or_path as a path on this
// machine (a relative one is looked up from the working directory, then from the adapter folder). Error naming the
// file when it is no folder or file here (a hub name: give the base explicitly).
std::string adapterBaseModel(const std::string& adapterFolder);

// Whether a module name is a target (PEFT's rule above; "all-linear" matches every name given).
bool isLoraTarget(const std::string& moduleName, const std::vector<std::string>& targets);

} // namespace cotlab::nn
