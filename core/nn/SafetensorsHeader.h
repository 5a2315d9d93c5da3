#pragma once

// The header of a safetensors file (an 8-byte little-endian length, then JSON {name: {dtype, shape, data_offsets}}),
// read and checked without libtorch: every entry's dtype, shape and byte range must agree with each other and lie
// inside the file before anything is allocated. Fuzzed (tests/fuzz).
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace cotlab::nn {

struct SafetensorsHeaderEntry {
    std::string name;
    std::string dtype; // F32, F16, BF16 or I64
    std::vector<int64_t> shape;
    uint64_t offset = 0, bytes = 0; // from the start of the file
};

// Bytes per element of a dtype CoTLab reads; 0 for any other.
uint64_t safetensorsElementSize(const std::string& dtype);

// Reads the header from the start of `in`, a file of fileSize bytes named `path` in errors. The entries come in
// the order of their data in the file. Throws Error naming the file and tensor.
std::vector<SafetensorsHeaderEntry> readSafetensorsHeader(std::istream& in, uint64_t fileSize, const std::string& path);

} // namespace cotlab::nn
