// One line of the rationale interchange format (ingest/InterchangeRecord).
#include "FuzzInput.h"
#include "ingest/InterchangeRecord.h"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        cotlab::ingest::InterchangeRecord::parse(cotlab::fuzz::text(data, size));
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
