#include "nn/HfFolder.h"

#include "nn/Safetensors.h"
#include "util/Error.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cotlab::nn {

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

void HfFolder::copyTensor(const SafetensorsFolder& weights, const std::string& folder,
                          std::initializer_list<std::string> names, torch::Tensor& target)
{
    for (const std::string& name : names) {
        if (!weights.contains(name))
            continue;
        const auto& shape = weights.entry(name).shape;
        if (at::IntArrayRef(shape) != target.sizes())
            throw Error(folder + ": tensor " + name + " has shape " + shapeText(shape) + ", expected " +
                        shapeText(target.sizes()) + " for this config.json");
        torch::NoGradGuard noGrad;
        target.copy_(weights.read(name));
        return;
    }
    throw Error(folder + ": tensor " + *names.begin() + " is missing (expected shape " + shapeText(target.sizes()) +
                ")");
}

torch::Tensor HfFolder::rotaryRowsToHf(const torch::Tensor& w, int64_t heads)
{
    const int64_t rows = w.size(0), cols = w.size(1);
    return w.reshape({heads, rows / heads / 2, 2, cols}).transpose(1, 2).reshape({rows, cols});
}

torch::Tensor HfFolder::rotaryRowsFromHf(const torch::Tensor& w, int64_t heads)
{
    const int64_t rows = w.size(0), cols = w.size(1);
    return w.reshape({heads, 2, rows / heads / 2, cols}).transpose(1, 2).reshape({rows, cols});
}

std::string HfFolder::dtypeName(torch::ScalarType dtype)
{
    switch (dtype) {
    case torch::kBFloat16:
        return "bfloat16";
    case torch::kFloat16:
        return "float16";
    default:
        return "float32";
    }
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
