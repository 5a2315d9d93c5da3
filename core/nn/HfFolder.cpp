#include "nn/HfFolder.h"

#include "util/Error.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cotlab::nn {

nlohmann::json HfFolder::readConfig(const std::string& folder)
{
    const auto path = std::filesystem::path(folder) / "config.json";
    std::ifstream in(path);
    if (!in)
        throw Error(folder + ": no config.json; a model folder holds config.json, *.safetensors and tokenizer files");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(path.string() + ": invalid JSON: " + e.what());
    }
}

void HfFolder::create(const std::string& folder)
{
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec)
        throw Error(folder + ": cannot create folder: " + ec.message());
}

void HfFolder::writeConfig(const std::string& folder, const nlohmann::json& config)
{
    std::ofstream out(std::filesystem::path(folder) / "config.json");
    out << config.dump(2) << '\n';
    if (!out)
        throw Error(folder + ": cannot write config.json");
}

void HfFolder::copyTensor(const std::map<std::string, torch::Tensor>& weights, const std::string& folder,
                          std::initializer_list<std::string> names, torch::Tensor& target)
{
    for (const std::string& name : names) {
        const auto it = weights.find(name);
        if (it == weights.end())
            continue;
        if (it->second.sizes() != target.sizes())
            throw Error(folder + ": tensor " + name + " has shape " + shapeText(it->second.sizes()) + ", expected " +
                        shapeText(target.sizes()) + " for this config.json");
        torch::NoGradGuard noGrad;
        target.copy_(it->second.to(torch::kFloat32));
        return;
    }
    throw Error(folder + ": tensor " + *names.begin() + " is missing (expected shape " + shapeText(target.sizes()) +
                ")");
}

std::string HfFolder::shapeText(at::IntArrayRef shape)
{
    std::ostringstream s;
    s << '[';
    for (size_t i = 0; i < shape.size(); ++i)
        s << (i ? ", " : "") << shape[i];
    s << ']';
    return s.str();
}

} // namespace cotlab::nn
