// Label sheets a person filled in: CSV, or XLSX when COTLAB_FUZZ_XLSX is defined (report/Spreadsheet).
#include "FuzzInput.h"
#include "report/Spreadsheet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
#ifdef COTLAB_FUZZ_XLSX
        cotlab::report::readXlsx(cotlab::fuzz::writeInput(data, size, "labels.xlsx"));
#else
        cotlab::report::readCsv(cotlab::fuzz::writeInput(data, size, "labels.csv"));
#endif
    } catch (const cotlab::Error&) {
    }
    return 0;
}
