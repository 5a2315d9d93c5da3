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
