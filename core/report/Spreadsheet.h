#pragma once

// Spreadsheets researchers share: sheets of typed cells written as XLSX (libxlsxwriter: bold frozen header,
// column widths, wrapped long text, drop-down lists for columns with allowed values) or CSV (RFC 4180, UTF-8), and
// read back from CSV or XLSX (the first sheet, or one by name) for imports of filled-in sheets.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cotlab::report {

using Cell = std::variant<std::monostate, std::string, int64_t, double>;

struct Column {
    Column(std::string header_, double width_ = 12, bool wrap_ = false, std::string numberFormat_ = {},
           std::vector<std::string> allowed_ = {})
        : header(std::move(header_)), width(width_), wrap(wrap_), numberFormat(std::move(numberFormat_)),
          allowed(std::move(allowed_))
    {
    }
    std::string header;
    double width = 12;                // in characters
    bool wrap = false;                // long text: wrapped and top-aligned
    std::string numberFormat;         // for double cells, e.g. "0.000"
    std::vector<std::string> allowed; // when set, the XLSX offers these values as a drop-down list
};

struct Sheet {
    std::string name;
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;
};

// Writes the sheets as one workbook; throws Error naming the file when it cannot be written.
void writeXlsx(const std::string& path, const std::vector<Sheet>& sheets);
// One sheet as CSV (header row first). Doubles are written with up to 6 significant digits.
void writeCsv(const std::string& path, const Sheet& sheet);
// The text of a cell as CSV writes it.
std::string cellText(const Cell& cell);

// Writes a workbook by the file's extension: *.xlsx as one workbook; *.csv as one file per sheet, named
// <stem>-<Sheet>.csv beside it (as LibreOffice names a workbook's sheets), or as the file itself when there is only
// one sheet. Returns the files written.
std::vector<std::string> writeSheets(const std::string& path, const std::vector<Sheet>& sheets);

using Table = std::vector<std::vector<std::string>>; // rows of cells, the header row first

// Reads a CSV file (quoted fields may hold separators, quotes and line breaks); a byte-order mark is skipped.
// Throws Error naming the file and line of an unterminated quoted field.
Table readCsv(const std::string& path);
// Reads one sheet of an XLSX workbook (the first when `sheet` is empty) as text cells; numbers come back as the
// text stored in the file. Throws Error naming the file when it is not a readable workbook or has no such sheet.
Table readXlsx(const std::string& path, const std::string& sheet = {});
// readXlsx for *.xlsx, readCsv otherwise.
Table readTable(const std::string& path);

} // namespace cotlab::report
