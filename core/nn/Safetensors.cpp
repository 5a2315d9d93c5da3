#include "nn/Safetensors.h"

#include "util/Error.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace cotlab::nn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

torch::ScalarType dtypeOf(const std::string& name, const std::string& path, const std::string& tensor)
{
    if (name == "F32")
        return torch::kFloat32;
    if (name == "F16")
        return torch::kFloat16;
    if (name == "BF16")
        return torch::kBFloat16;
    if (name == "I64")
        return torch::kInt64;
    throw Error(path + ": tensor " + tensor + " has dtype " + name + "; CoTLab reads F32, F16, BF16 and I64");
}

std::string dtypeName(torch::ScalarType t)
{
    switch (t) {
    case torch::kFloat32:
        return "F32";
    case torch::kFloat16:
        return "F16";
    case torch::kBFloat16:
        return "BF16";
    case torch::kInt64:
        return "I64";
    default:
        throw Error(std::string("cannot write a tensor of type ") + c10::toString(t) + " to safetensors");
    }
}

} // namespace

std::map<std::string, torch::Tensor> Safetensors::read(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open");
    std::error_code ec;
    const uint64_t fileSize = fs::file_size(path, ec);
    uint64_t headerLen = 0;
    in.read(reinterpret_cast<char*>(&headerLen), 8);
    if (!in || headerLen == 0 || headerLen > fileSize - 8 || headerLen > (100u << 20))
        throw Error(path + ": not a safetensors file (bad header length)");
    std::string headerText(headerLen, '\0');
    in.read(headerText.data(), std::streamsize(headerLen));
    json header;
    try {
        header = json::parse(headerText);
    } catch (const json::parse_error& e) {
        throw Error(path + ": safetensors header is not valid JSON: " + e.what());
    }
    const uint64_t dataStart = 8 + headerLen;
    std::map<std::string, torch::Tensor> out;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__")
            continue;
        const json& h = it.value();
        if (!h.contains("dtype") || !h.contains("shape") || !h.contains("data_offsets"))
            throw Error(path + ": tensor " + it.key() + " lacks dtype, shape or data_offsets");
        const auto dtype = dtypeOf(h["dtype"].get<std::string>(), path, it.key());
        std::vector<int64_t> shape = h["shape"].get<std::vector<int64_t>>();
        const auto offsets = h["data_offsets"].get<std::vector<uint64_t>>();
        auto t = torch::empty(shape, dtype);
        const uint64_t bytes = uint64_t(t.numel()) * t.element_size();
        if (offsets.size() != 2 || offsets[1] - offsets[0] != bytes || dataStart + offsets[1] > fileSize)
            throw Error(path + ": tensor " + it.key() +
                        " has data offsets that do not fit its shape or the file "
                        "(truncated download?)");
        in.seekg(std::streamoff(dataStart + offsets[0]));
        in.read(static_cast<char*>(t.data_ptr()), std::streamsize(bytes));
        if (!in)
            throw Error(path + ": truncated in tensor " + it.key());
        out.emplace(it.key(), std::move(t));
    }
    return out;
}

std::map<std::string, torch::Tensor> Safetensors::readFolder(const std::string& folder)
{
    const fs::path dir(folder);
    std::error_code ec;
    if (fs::exists(dir / "model.safetensors", ec))
        return read((dir / "model.safetensors").string());
    const fs::path index = dir / "model.safetensors.index.json";
    if (!fs::exists(index, ec))
        throw Error(folder + ": no model.safetensors or model.safetensors.index.json (CoTLab reads safetensors "
                             "weights; convert .bin/.pt checkpoints with transformers' save_pretrained)");
    std::ifstream in(index);
    json j;
    try {
        j = json::parse(in);
    } catch (const json::parse_error& e) {
        throw Error(index.string() + ": invalid JSON: " + e.what());
    }
    if (!j.contains("weight_map") || !j["weight_map"].is_object())
        throw Error(index.string() + ": no weight_map");
    std::set<std::string> shards;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it)
        shards.insert(it.value().get<std::string>());
    std::map<std::string, torch::Tensor> out;
    for (const auto& shard : shards) {
        if (!fs::exists(dir / shard, ec))
            throw Error(index.string() + ": lists shard " + shard + ", which is missing from the folder");
        for (auto& [name, t] : read((dir / shard).string()))
            out.emplace(name, std::move(t));
    }
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it)
        if (!out.count(it.key()))
            throw Error(index.string() + ": tensor " + it.key() + " is not in shard " + it.value().get<std::string>());
    return out;
}

void Safetensors::write(const std::string& path, const std::map<std::string, torch::Tensor>& tensors)
{
    json header;
    header["__metadata__"] = {{"format", "pt"}};
    std::vector<torch::Tensor> data;
    uint64_t offset = 0;
    for (const auto& [name, t0] : tensors) {
        auto t = t0.detach().to(torch::kCPU).contiguous();
        const uint64_t bytes = uint64_t(t.numel()) * t.element_size();
        header[name] = {{"dtype", dtypeName(t.scalar_type())},
                        {"shape", t.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        data.push_back(t);
    }
    std::string text = header.dump();
    while ((8 + text.size()) % 8 != 0) // align the data to 8 bytes, as the reference writer does
        text += ' ';
    const std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp, std::ios::binary);
        const uint64_t len = text.size();
        out.write(reinterpret_cast<const char*>(&len), 8);
        out.write(text.data(), std::streamsize(text.size()));
        for (const auto& t : data)
            out.write(static_cast<const char*>(t.data_ptr()), std::streamsize(uint64_t(t.numel()) * t.element_size()));
        out.close(); // the last buffered bytes are written (and may fail) here
        if (!out)
            throw Error(path + ": write failed (disk full?)");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec)
        throw Error(path + ": cannot move the written file into place: " + ec.message());
}

} // namespace cotlab::nn
