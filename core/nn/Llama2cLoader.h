#pragma once

#include "nn/Llama.h"

#include <string>

namespace cotlab::nn {

// Loads a llama2.c checkpoint (legacy .bin: 7 int32 header, then float32 tensors; see
// shared/models/stories260K/README.md). A truncated or mismatched file is an Error naming the tensor.
class Llama2cLoader {
public:
    static Llama load(const std::string& path);
};

} // namespace cotlab::nn
