// A teacher endpoint's answer (teacher/CompletionClient's parseResponse, through ingest::readResponseBody):
// completions or chat completions, as the body says. The first byte is skipped (it chose the kind before the body
// said it; the seeds keep it).
#include "FuzzInput.h"
#include "teacher/CompletionClient.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    try {
        cotlab::teacher::Usage usage;
        cotlab::teacher::parseResponse(std::string(cotlab::fuzz::text(data + 1, size - 1)), &usage);
    } catch (const cotlab::Error&) {
    }
    return 0;
}
