// The header of a llama2.c checkpoint (nn/ModelConfig's llama2cConfig): seven int32 settings and the file size.
#include "FuzzInput.h"
#include "nn/ModelConfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        cotlab::nn::llama2cConfig(cotlab::fuzz::writeInput(data, size, "model.bin"));
    } catch (const cotlab::Error&) {
    }
    return 0;
}
