// A request body sent to cotlab-cli serve (teacher/CompletionServer): completions when the first byte is even,
// chat completions when it is odd.
#include "FuzzInput.h"
#include "teacher/CompletionServer.h"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    try {
        cotlab::teacher::parseServeRequest(std::string(cotlab::fuzz::text(data + 1, size - 1)), data[0] % 2 == 1);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
