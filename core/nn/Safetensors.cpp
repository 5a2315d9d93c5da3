#include "nn/Safetensors.h"

#include "nn/HfFolder.h"
#include "nn/SafetensorsHeader.h"
#include "util/Error.h"

#include <algorithm>
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

SafetensorsFolder::SafetensorsFolder(const std::string& folder)
{
    const fs::path dir(folder);
    std::error_code ec;
    if (fs::exists(dir / "model.safetensors", ec)) {
        index((dir / "model.safetensors").string());
        return;
    }
    const fs::path indexFile = dir / "model.safetensors.index.json";
    if (!fs::exists(indexFile, ec))
        throw Error(folder + ": no model.safetensors or model.safetensors.index.json (CoTLab reads safetensors "
                             "weights; convert .bin/.pt checkpoints with transformers' save_pretrained)");
    std::ifstream in(indexFile);
    json j;
    try {
        j = json::parse(in);
    } catch (const json::exception& e) { // parse_error, or out_of_range for a number beyond a double
        throw Error(indexFile.string() + ": invalid JSON: " + e.what());
    }
    if (!j.contains("weight_map") || !j["weight_map"].is_object())
        throw Error(indexFile.string() + ": no weight_map");
    std::set<std::string> shards;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it)
        shards.insert(it.value().get<std::string>());
    for (const auto& shard : shards) {
        if (!fs::exists(dir / shard, ec))
            throw Error(indexFile.string() + ": lists shard " + shard + ", which is missing from the folder");
        index((dir / shard).string());
    }
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
        const auto found = m_entries.find(it.key());
        if (found == m_entries.end() || fs::path(found->second.file).filename() != it.value().get<std::string>())
            throw Error(indexFile.string() + ": tensor " + it.key() + " is not in shard " +
                        it.value().get<std::string>());
    }
}

SafetensorsFolder SafetensorsFolder::file(const std::string& path)
{
    SafetensorsFolder f;
    f.index(path);
    return f;
}

void SafetensorsFolder::index(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open");
    std::error_code ec;
    const uint64_t fileSize = fs::file_size(path, ec);
    if (ec)
        throw Error(path + ": cannot read its size: " + ec.message());
    std::vector<std::string> names;
    for (auto& h : readSafetensorsHeader(in, fileSize, path)) {
        SafetensorsEntry e;
        e.file = path;
        e.dtype = dtypeOf(h.dtype, path, h.name);
        e.shape = std::move(h.shape);
        e.offset = h.offset;
        e.bytes = h.bytes;
        names.push_back(h.name);
        m_entries[h.name] = std::move(e);
    }
    m_files.emplace_back(path, std::move(names));
}

const SafetensorsEntry& SafetensorsFolder::entry(const std::string& name) const
{
    const auto it = m_entries.find(name);
    if (it == m_entries.end())
        throw Error("no tensor " + name + " in " + (m_files.empty() ? std::string("the files") : m_files[0].first));
    return it->second;
}

torch::Tensor SafetensorsFolder::read(const std::string& name) const
{
    const SafetensorsEntry& e = entry(name);
    auto t = torch::empty(e.shape, e.dtype);
    std::ifstream in(e.file, std::ios::binary);
    in.seekg(std::streamoff(e.offset));
    in.read(static_cast<char*>(t.data_ptr()), std::streamsize(e.bytes));
    if (!in)
        throw Error(e.file + ": truncated in tensor " + name);
    return t;
}

std::map<std::string, torch::Tensor> Safetensors::read(const std::string& path)
{
    const auto file = SafetensorsFolder::file(path);
    std::map<std::string, torch::Tensor> out;
    for (const auto& [name, entry] : file.entries())
        out.emplace(name, file.read(name));
    return out;
}

void Safetensors::write(const std::string& path, const std::map<std::string, torch::Tensor>& tensors)
{
    std::vector<SafetensorsSpec> specs;
    for (const auto& [name, t] : tensors)
        specs.push_back({name, t.scalar_type(), t.sizes().vec()});
    write(path, specs, [&](const std::string& name) { return tensors.at(name); });
}

void Safetensors::write(const std::string& path, const std::vector<SafetensorsSpec>& specs,
                        const std::function<torch::Tensor(const std::string&)>& produce)
{
    json header;
    header["__metadata__"] = {{"format", "pt"}};
    uint64_t offset = 0;
    for (const auto& s : specs) {
        uint64_t elements = 1;
        for (int64_t d : s.shape)
            elements *= uint64_t(d);
        const uint64_t bytes = elements * uint64_t(c10::elementSize(s.dtype));
        header[s.name] = {
            {"dtype", dtypeName(s.dtype)}, {"shape", s.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    while ((8 + text.size()) % 8 != 0) // align the data to 8 bytes, as the reference writer does
        text += ' ';
    const std::string tmp = path + ".partial";
    try {
        std::ofstream out(tmp, std::ios::binary);
        const uint64_t len = text.size();
        out.write(reinterpret_cast<const char*>(&len), 8);
        out.write(text.data(), std::streamsize(text.size()));
        for (const auto& s : specs) {
            const auto t = produce(s.name).detach().to(torch::kCPU).contiguous();
            if (t.scalar_type() != s.dtype || t.sizes().vec() != s.shape)
                throw Error(path + ": tensor " + s.name + " came as " + c10::toString(t.scalar_type()) +
                            HfFolder::shapeText(t.sizes()) + ", not the " + c10::toString(s.dtype) +
                            HfFolder::shapeText(s.shape) + " its header says");
            out.write(static_cast<const char*>(t.data_ptr()), std::streamsize(uint64_t(t.numel()) * t.element_size()));
            if (!out)
                break;
        }
        out.close(); // the last buffered bytes are written (and may fail) here
        if (!out)
            throw Error(path + ": write failed (disk full?)");
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec)
        throw Error(path + ": cannot move the written file into place: " + ec.message());
}

} // namespace cotlab::nn
