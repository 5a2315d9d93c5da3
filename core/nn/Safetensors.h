#pragma once

// safetensors: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
// then the raw tensor bytes. Include only from core and cotlab-cli (torch).
#include <map>
#include <string>
#include <torch/torch.h>

namespace cotlab::nn {

class Safetensors {
public:
    // Reads one file (F32, F16, BF16 tensors keep their dtype). Errors name the file and tensor.
    static std::map<std::string, torch::Tensor> read(const std::string& path);
    // Reads a model folder: model.safetensors, or the shards listed in model.safetensors.index.json.
    static std::map<std::string, torch::Tensor> readFolder(const std::string& folder);
    // Writes tensors (moved to CPU, contiguous) in name order, with {"format": "pt"} metadata.
    static void write(const std::string& path, const std::map<std::string, torch::Tensor>& tensors);
};

} // namespace cotlab::nn
