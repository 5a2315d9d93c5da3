#include "nn/LoraConfig.h"

#include "util/Error.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cotlab::nn {

double LoraConfig::scale() const
{
    return rsLora ? alpha / std::sqrt(double(rank)) : alpha / double(rank);
}

std::string LoraConfig::describe() const
{
    std::string targetText;
    for (const auto& t : targets)
        targetText += (targetText.empty() ? "" : " ") + t;
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, "LoRA r %lld, alpha %g, dropout %g%s, %s", static_cast<long long>(rank), alpha,
                  dropout, rsLora ? ", rsLoRA" : "", targetText.empty() ? "default targets" : targetText.c_str());
    return buffer;
}

std::string LoraConfig::problem() const
{
    if (rank < 1)
        return "the LoRA rank must be at least 1";
    if (!(alpha > 0))
        return "LoRA alpha must be positive";
    if (!(dropout >= 0 && dropout < 1))
        return "LoRA dropout must be in [0, 1)";
    return {};
}

std::vector<std::string> defaultLoraTargets(const std::string& family)
{
    if (family == "gpt2")
        return {"c_attn"};
    if (family == "opt" || family == "llama" || family == "qwen2" || family == "mistral")
        return {"q_proj", "v_proj"};
    return {};
}

std::string adapterBaseModel(const std::string& folder)
{
    namespace fs = std::filesystem;
    const fs::path file = fs::path(folder) / "adapter_config.json";
    std::ifstream in(file);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    const std::string base =
        j.is_object() && j.contains("base_model_name_or_path") && j["base_model_name_or_path"].is_string()
            ? j["base_model_name_or_path"].get<std::string>()
            : std::string();
    std::error_code ec;
    if (!base.empty() && fs::exists(base, ec))
        return base;
    if (!base.empty() && fs::path(base).is_relative() && fs::exists(fs::path(folder) / base, ec))
        return (fs::path(folder) / base).lexically_normal().string();
    throw Error(file.string() + ": its base model '" + base +
                "' is not a folder on this machine; give the base model's folder as the model and this folder as "
                "the adapter (--model BASE --adapter " +
                folder + ")");
}

bool isLoraTarget(const std::string& name, const std::vector<std::string>& targets)
{
    for (const auto& t : targets) {
        if (t == "all-linear" || name == t)
            return true;
        if (name.size() > t.size() && name.compare(name.size() - t.size(), t.size(), t) == 0 &&
            name[name.size() - t.size() - 1] == '.')
            return true;
    }
    return false;
}

} // namespace cotlab::nn
