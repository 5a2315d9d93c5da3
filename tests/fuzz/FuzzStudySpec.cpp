// A review study's spec (review/Study), as stored in a workspace: sources, scale, criteria.
#include "FuzzInput.h"
#include "review/Study.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    try {
        cotlab::review::specFromJson("fuzz", data[0] % 2 ? "pairwise" : "single",
                                     std::string(cotlab::fuzz::text(data + 1, size - 1)));
    } catch (const cotlab::Error&) {
    }
    return 0;
}
