#include "nn/Lora.h"

#include "nn/HfFolder.h"
#include "nn/ModelConfig.h"
#include "nn/Safetensors.h"
#include "util/Error.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kKeyPrefix = "base_model.model.";

// The adaptable linear layers of a model: (Hugging Face module name, its table entry).
std::vector<HfTensor> linearWeights(CausalLm& model)
{
    std::vector<HfTensor> out;
    for (auto& t : model.hfTensors())
        if (t.linear)
            out.push_back(t);
    return out;
}

std::string joined(const std::vector<std::string>& names, size_t most = 12)
{
    std::string text;
    for (size_t i = 0; i < names.size() && i < most; ++i)
        text += (i ? ", " : "") + names[i];
    if (names.size() > most)
        text += ", ...";
    return text;
}

// "transformer.h.0.attn.c_attn" from "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight" (and from keys
// that still carry PEFT's adapter name, ".lora_A.default.weight"); empty when the key is no LoRA weight.
std::pair<std::string, char> moduleOfKey(const std::string& key)
{
    std::string k = key.rfind(kKeyPrefix, 0) == 0 ? key.substr(kKeyPrefix.size()) : key;
    for (const char which : {'A', 'B'}) {
        const std::string marker = std::string(".lora_") + which + ".";
        if (const auto at = k.rfind(marker); at != std::string::npos && k.ends_with(".weight"))
            return {k.substr(0, at), which};
    }
    return {"", 0};
}

} // namespace

std::vector<std::string> attachLora(CausalLm& model, const LoraConfig& config)
{
    if (const std::string problem = config.problem(); !problem.empty())
        throw Error(problem);
    const auto targets = config.targets.empty() ? defaultLoraTargets(model.family()) : config.targets;
    for (auto& p : model.parameters())
        p.set_requires_grad(false);
    std::vector<std::string> adapted, all;
    for (const HfTensor& t : linearWeights(model)) {
        all.push_back(t.moduleName());
        if (!isLoraTarget(t.moduleName(), targets))
            continue;
        if (!t.linear->hasLora())
            t.linear->attachLora(config.rank, config.scale(), config.dropout);
        adapted.push_back(t.moduleName());
    }
    if (adapted.empty())
        throw Error("no linear layer of this " + model.family() + " model matches the LoRA targets (" +
                    joined(targets) + "); its linear layers are " + joined(all) +
                    " (give their last names, e.g. q_proj, or all-linear)");
    return adapted;
}

std::vector<torch::Tensor> loraParameters(CausalLm& model)
{
    std::vector<torch::Tensor> out;
    for (const HfTensor& t : linearWeights(model))
        if (t.linear->hasLora()) {
            out.push_back(t.linear->loraA());
            out.push_back(t.linear->loraB());
        }
    return out;
}

int64_t loraParameterCount(CausalLm& model)
{
    int64_t n = 0;
    for (const auto& p : loraParameters(model))
        n += p.numel();
    return n;
}

void saveAdapter(CausalLm& model, const LoraConfig& config, const std::string& folder, const std::string& baseModel)
{
    HfFolder::create(folder);
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> weights;
    std::set<std::string> modules;
    bool fanInFanOut = false;
    for (const HfTensor& t : linearWeights(model)) {
        if (!t.linear->hasLora())
            continue;
        if (t.linear->loraFolded())
            throw Error("the adapter of " + t.moduleName() + " has been merged into the model; save the model instead");
        const std::string key = kKeyPrefix + t.moduleName();
        weights[key + ".lora_A.weight"] = t.linear->loraA().to(torch::kCPU).contiguous();
        const auto b = t.linear->loraB().to(torch::kCPU);
        weights[key + ".lora_B.weight"] =
            (t.interleavedHeads > 0 ? HfTensor::rotaryRows(b, t.interleavedHeads) : b).contiguous();
        fanInFanOut = fanInFanOut || t.linear->layout() == WeightLayout::InOut;
        modules.insert(t.moduleName().substr(t.moduleName().rfind('.') + 1));
    }
    if (weights.empty())
        throw Error("the model has no LoRA adapter to save");
    Safetensors::write((fs::path(folder) / "adapter_model.safetensors").string(), weights);
    const auto targets =
        config.targets.empty() ? std::vector<std::string>(modules.begin(), modules.end()) : config.targets;
    const json adapterConfig = {{"peft_type", "LORA"},
                                {"task_type", "CAUSAL_LM"},
                                {"base_model_name_or_path", baseModel},
                                {"r", config.rank},
                                {"lora_alpha", config.alpha},
                                {"lora_dropout", config.dropout},
                                {"target_modules", targets},
                                {"fan_in_fan_out", fanInFanOut},
                                {"bias", "none"},
                                {"use_rslora", config.rsLora},
                                {"use_dora", false},
                                {"init_lora_weights", true},
                                {"inference_mode", true},
                                {"modules_to_save", nullptr},
                                {"layers_to_transform", nullptr},
                                {"layers_pattern", nullptr},
                                {"rank_pattern", json::object()},
                                {"alpha_pattern", json::object()},
                                {"revision", nullptr},
                                {"auto_mapping", nullptr},
                                {"library_name", "cotlab"}};
    std::ofstream out(fs::path(folder) / "adapter_config.json");
    out << adapterConfig.dump(2) << '\n';
    if (!out)
        throw Error(folder + ": cannot write adapter_config.json");
}

bool isAdapterFolder(const std::string& path)
{
    std::error_code ec;
    return fs::is_regular_file(fs::path(path) / "adapter_config.json", ec);
}

AdapterInfo readAdapterConfig(const std::string& folder)
{
    const std::string where = (fs::path(folder) / "adapter_config.json").string();
    std::ifstream in(where);
    if (!in)
        throw Error(folder + ": no adapter_config.json (a PEFT adapter folder holds adapter_config.json and "
                             "adapter_model.safetensors)");
    json j;
    try {
        j = json::parse(in);
    } catch (const json::exception& e) { // parse_error, or out_of_range for a number beyond a double
        throw Error(where + ": invalid JSON: " + e.what());
    }
    auto refuse = [&](const std::string& why) { throw Error(where + ": " + why); };
    if (j.value("peft_type", "") != "LORA")
        refuse("peft_type '" + j.value("peft_type", "") + "' is not LORA; CoTLab applies LoRA adapters only");
    if (j.value("use_dora", false))
        refuse("a DoRA adapter (use_dora true) is not supported");
    if (j.value("bias", "none") != "none")
        refuse("bias '" + j.value("bias", "") + "': adapters that train biases are not supported (bias none is)");
    for (const char* pattern : {"rank_pattern", "alpha_pattern"})
        if (j.contains(pattern) && j[pattern].is_object() && !j[pattern].empty())
            refuse(std::string(pattern) + " (per-layer ranks or alphas) is not supported");
    if (j.contains("modules_to_save") && !j["modules_to_save"].is_null() && !j["modules_to_save"].empty())
        refuse("modules_to_save (fully trained layers beside the adapter) is not supported");
    AdapterInfo info;
    try {
        info.config.rank = j.at("r").get<int64_t>();
        info.config.alpha = j.value("lora_alpha", double(info.config.rank));
        info.config.dropout = j.value("lora_dropout", 0.0);
        info.config.rsLora = j.value("use_rslora", false);
        if (j.contains("target_modules") && j["target_modules"].is_string())
            info.config.targets = {j["target_modules"].get<std::string>()};
        else if (j.contains("target_modules") && j["target_modules"].is_array())
            info.config.targets = j["target_modules"].get<std::vector<std::string>>();
        info.baseModel = j.contains("base_model_name_or_path") && j["base_model_name_or_path"].is_string()
                             ? j["base_model_name_or_path"].get<std::string>()
                             : std::string();
    } catch (const json::exception& e) {
        refuse(std::string("malformed setting: ") + e.what());
    }
    if (const std::string problem = info.config.problem(); !problem.empty())
        refuse(problem);
    return info;
}

AdapterInfo loadAdapter(CausalLm& model, const std::string& folder)
{
    AdapterInfo info = readAdapterConfig(folder);
    const std::string file = (fs::path(folder) / "adapter_model.safetensors").string();
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw Error(folder + ": no adapter_model.safetensors (adapters saved as adapter_model.bin: load them in PEFT "
                             "and save again with safe_serialization)");
    const auto weights = SafetensorsFolder::file(file);
    std::map<std::string, HfTensor> byModule;
    for (const HfTensor& t : linearWeights(model))
        byModule.emplace(t.moduleName(), t);
    // Which modules the file adapts, checked against the model before anything is attached.
    std::map<std::string, std::pair<std::string, std::string>> keys; // module -> (A key, B key)
    for (const auto& [key, entry] : weights.entries()) {
        const auto [module, which] = moduleOfKey(key);
        if (module.empty())
            throw Error(file + ": tensor " + key + " is not a LoRA weight (lora_A / lora_B)");
        std::string name = module;
        if (!byModule.count(name) && byModule.count(name.substr(name.find('.') + 1)))
            name = name.substr(name.find('.') + 1);
        if (!byModule.count(name))
            throw Error(file + ": tensor " + key + " adapts " + module + ", which this " + model.family() +
                        " model does not have: the adapter belongs to another model");
        (which == 'A' ? keys[name].first : keys[name].second) = key;
    }
    if (keys.empty())
        throw Error(file + ": holds no LoRA weights");
    torch::NoGradGuard noGrad;
    for (auto& p : model.parameters())
        p.set_requires_grad(false);
    for (const auto& [module, pair] : keys) {
        if (pair.first.empty() || pair.second.empty())
            throw Error(file + ": " + module + " has only one of lora_A and lora_B");
        const HfTensor& t = byModule.at(module);
        LinearLayerImpl& layer = *t.linear;
        auto a = weights.read(pair.first), b = weights.read(pair.second);
        const std::vector<int64_t> expectA{info.config.rank, layer.inFeatures()},
            expectB{layer.outFeatures(), info.config.rank};
        if (a.sizes().vec() != expectA || b.sizes().vec() != expectB)
            throw Error(file + ": " + module + " has lora_A " + HfFolder::shapeText(a.sizes()) + " and lora_B " +
                        HfFolder::shapeText(b.sizes()) + "; this model with r " + std::to_string(info.config.rank) +
                        " needs " + HfFolder::shapeText(expectA) + " and " + HfFolder::shapeText(expectB));
        if (t.interleavedHeads > 0)
            b = HfFolder::rotaryRowsFromHf(b, t.interleavedHeads);
        if (!layer.hasLora())
            layer.attachLora(info.config.rank, info.config.scale(), info.config.dropout);
        layer.setLora(a, b);
        info.modules.push_back(module);
    }
    return info;
}

void mergeLora(CausalLm& model)
{
    for (const HfTensor& t : linearWeights(model))
        t.linear->foldLora();
}

int64_t mergeAdapterFolder(const std::string& baseFolder, const std::string& adapterFolder,
                           const std::string& outFolder)
{
    const AdapterInfo info = readAdapterConfig(adapterFolder);
    json config = readHfConfig(baseFolder);
    const SafetensorsFolder base(baseFolder);
    const auto adapter = SafetensorsFolder::file((fs::path(adapterFolder) / "adapter_model.safetensors").string());
    bool fanInFanOut = false;
    {
        std::ifstream in(fs::path(adapterFolder) / "adapter_config.json");
        fanInFanOut = json::parse(in).value("fan_in_fan_out", false);
    }
    // Base weight name -> (A key, B key).
    std::map<std::string, std::pair<std::string, std::string>> deltas;
    for (const auto& [key, entry] : adapter.entries()) {
        const auto [module, which] = moduleOfKey(key);
        if (module.empty())
            throw Error(adapterFolder + ": tensor " + key + " is not a LoRA weight");
        std::string weight = module + ".weight";
        if (!base.contains(weight) && base.contains(weight.substr(weight.find('.') + 1)))
            weight = weight.substr(weight.find('.') + 1);
        if (!base.contains(weight))
            throw Error(adapterFolder + ": tensor " + key + " adapts " + module + ", which " + baseFolder +
                        " does not have: the adapter belongs to another model");
        (which == 'A' ? deltas[weight].first : deltas[weight].second) = key;
    }
    HfFolder::create(outFolder);
    const double scale = info.config.scale();
    int64_t changed = 0;
    for (const auto& [path, names] : base.files()) {
        std::vector<SafetensorsSpec> specs;
        for (const auto& name : names)
            specs.push_back({name, base.entry(name).dtype, base.entry(name).shape});
        const std::string out = (fs::path(outFolder) / fs::path(path).filename()).string();
        Safetensors::write(out, specs, [&](const std::string& name) {
            auto w = base.read(name);
            const auto it = deltas.find(name);
            if (it == deltas.end())
                return w;
            if (it->second.first.empty() || it->second.second.empty())
                throw Error(adapterFolder + ": " + name + " has only one of lora_A and lora_B");
            auto delta = torch::matmul(adapter.read(it->second.second).to(torch::kFloat32),
                                       adapter.read(it->second.first).to(torch::kFloat32)) *
                         scale; // [out, in]
            if (fanInFanOut)
                delta = delta.t();
            if (delta.sizes() != w.sizes())
                throw Error(adapterFolder + ": the update of " + name + " is " + HfFolder::shapeText(delta.sizes()) +
                            " but the base weight is " + HfFolder::shapeText(w.sizes()));
            ++changed;
            return (w.to(torch::kFloat32) + delta).to(w.scalar_type());
        });
    }
    std::error_code ec;
    for (const char* extra : {"model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json",
                              "special_tokens_map.json", "vocab.json", "merges.txt", "generation_config.json"})
        if (fs::exists(fs::path(baseFolder) / extra, ec))
            fs::copy_file(fs::path(baseFolder) / extra, fs::path(outFolder) / extra,
                          fs::copy_options::overwrite_existing, ec);
    HfFolder::writeConfig(outFolder, config);
    return changed;
}

} // namespace cotlab::nn
