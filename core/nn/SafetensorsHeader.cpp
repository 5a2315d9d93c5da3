#include "nn/SafetensorsHeader.h"

#include "util/Error.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cotlab::nn {

using nlohmann::json;

uint64_t safetensorsElementSize(const std::string& dtype)
{
    if (dtype == "F32")
        return 4;
    if (dtype == "F16" || dtype == "BF16")
        return 2;
    if (dtype == "I64")
        return 8;
    return 0;
}

namespace {

SafetensorsHeaderEntry entryOf(const std::string& name, const json& h, uint64_t dataStart, uint64_t fileSize,
                               const std::string& path)
{
    const std::string where = path + ": tensor " + name;
    if (!h.is_object() || !h.contains("dtype") || !h.contains("shape") || !h.contains("data_offsets"))
        throw Error(where + " lacks dtype, shape or data_offsets");
    if (!h["dtype"].is_string() || !h["shape"].is_array() || !h["data_offsets"].is_array())
        throw Error(where + ": malformed header entry (dtype must be a string, shape and data_offsets lists)");
    SafetensorsHeaderEntry e;
    e.name = name;
    e.dtype = h["dtype"].get<std::string>();
    const uint64_t elementSize = safetensorsElementSize(e.dtype);
    if (elementSize == 0)
        throw Error(where + " has dtype " + e.dtype + "; CoTLab reads F32, F16, BF16 and I64");
    uint64_t elements = 1;
    for (const json& d : h["shape"]) {
        if (!d.is_number_integer())
            throw Error(where + ": malformed header entry (a dimension is not an integer)");
        if (d.get<int64_t>() < 0)
            throw Error(where + " has a negative dimension");
        e.shape.push_back(d.get<int64_t>());
        if (__builtin_mul_overflow(elements, uint64_t(e.shape.back()), &elements))
            throw Error(where + " has a shape too large for any file");
    }
    if (__builtin_mul_overflow(elements, elementSize, &e.bytes))
        throw Error(where + " has a shape too large for any file");
    const json& offsets = h["data_offsets"];
    if (offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
        throw Error(where + ": data_offsets must be two non-negative integers");
    const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    // Compared without sums that could wrap around: dataStart <= fileSize is known.
    if (end < begin || end - begin != e.bytes || end > fileSize - dataStart)
        throw Error(where + " has data offsets that do not fit its shape or the file (truncated download?)");
    e.offset = dataStart + begin;
    return e;
}

} // namespace

std::vector<SafetensorsHeaderEntry> readSafetensorsHeader(std::istream& in, uint64_t fileSize, const std::string& path)
{
    unsigned char lengthBytes[8] = {};
    in.read(reinterpret_cast<char*>(lengthBytes), 8);
    uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i)
        headerLen = headerLen << 8 | lengthBytes[i];
    if (!in || fileSize < 8 || headerLen == 0 || headerLen > fileSize - 8 || headerLen > (100u << 20))
        throw Error(path + ": not a safetensors file (bad header length)");
    std::string headerText(headerLen, '\0');
    in.read(headerText.data(), std::streamsize(headerLen));
    if (!in)
        throw Error(path + ": truncated in its safetensors header");
    const json header = json::parse(headerText, nullptr, false);
    if (header.is_discarded() || !header.is_object())
        throw Error(path + ": safetensors header is not a JSON object");
    const uint64_t dataStart = 8 + headerLen;
    std::vector<SafetensorsHeaderEntry> entries;
    for (auto it = header.begin(); it != header.end(); ++it)
        if (it.key() != "__metadata__")
            entries.push_back(entryOf(it.key(), it.value(), dataStart, fileSize, path));
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
    return entries;
}

} // namespace cotlab::nn
