// The header of a safetensors file (nn/SafetensorsHeader): length, JSON, dtypes, shapes and byte ranges.
#include "FuzzInput.h"
#include "nn/SafetensorsHeader.h"

#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::istringstream in(std::string(cotlab::fuzz::text(data, size)));
    try {
        for (const auto& e : cotlab::nn::readSafetensorsHeader(in, size, "model.safetensors"))
            if (e.offset + e.bytes > size) // what the reader promises: every tensor lies inside the file
                __builtin_trap();
    } catch (const cotlab::Error&) {
    }
    return 0;
}
