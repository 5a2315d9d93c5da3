// A teacher endpoint's answer (teacher/CompletionClient's parseResponse): completions when the first byte is even,
// chat completions when it is odd.
#include "FuzzInput.h"
#include "teacher/CompletionClient.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    try {
        cotlab::teacher::Usage usage;
        cotlab::teacher::parseResponse(std::string(cotlab::fuzz::text(data + 1, size - 1)), data[0] % 2 == 1, &usage);
    } catch (const cotlab::Error&) {
    }
    return 0;
}
