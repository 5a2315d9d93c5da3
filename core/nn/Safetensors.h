#pragma once

// safetensors: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
// then the raw tensor bytes. Include only from core and cotlab-cli (torch).
#include <functional>
#include <map>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace cotlab::nn {

// A tensor's place in a file, from the header alone.
struct SafetensorsEntry {
    std::string file;
    torch::ScalarType dtype = torch::kFloat32;
    std::vector<int64_t> shape;
    uint64_t offset = 0, bytes = 0; // from the start of the file
};

// The tensors of one file or of a model folder, indexed from the headers and read one at a time, so that loading
// a model needs its own memory and one tensor's more (not twice the model). F32, F16, BF16 and I64 tensors keep
// their dtype. Errors name the file and tensor.
class SafetensorsFolder {
public:
    // model.safetensors, or the shards listed in model.safetensors.index.json.
    explicit SafetensorsFolder(const std::string& folder);
    static SafetensorsFolder file(const std::string& path);

    bool contains(const std::string& name) const { return m_entries.count(name) > 0; }
    const SafetensorsEntry& entry(const std::string& name) const; // Error when absent
    const std::map<std::string, SafetensorsEntry>& entries() const { return m_entries; }
    // The files, each with its tensor names in their order in the file.
    const std::vector<std::pair<std::string, std::vector<std::string>>>& files() const { return m_files; }
    torch::Tensor read(const std::string& name) const;

private:
    SafetensorsFolder() = default;
    void index(const std::string& path);

    std::map<std::string, SafetensorsEntry> m_entries;
    std::vector<std::pair<std::string, std::vector<std::string>>> m_files;
};

// What a streamed file will hold: each tensor's name, dtype and shape, known before any data is written.
struct SafetensorsSpec {
    std::string name;
    torch::ScalarType dtype = torch::kFloat32;
    std::vector<int64_t> shape;
};

class Safetensors {
public:
    // Reads every tensor of one file.
    static std::map<std::string, torch::Tensor> read(const std::string& path);
    // Writes tensors (moved to CPU, contiguous) in name order, with {"format": "pt"} metadata.
    static void write(const std::string& path, const std::map<std::string, torch::Tensor>& tensors);
    // Writes the specified tensors in the given order, asking for each only when its turn comes (merging a large
    // model holds one tensor at a time). A produced tensor of another dtype or shape than its spec is an Error.
    static void write(const std::string& path, const std::vector<SafetensorsSpec>& specs,
                      const std::function<torch::Tensor(const std::string& name)>& produce);
};

} // namespace cotlab::nn
