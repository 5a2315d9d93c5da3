#include "report/Spreadsheet.h"

#include "util/Error.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <expat.h>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>
#include <unzip.h>
#include <xlsxwriter.h>

namespace cotlab::report {

namespace {

constexpr size_t kMaxCellText = 32767; // Excel's limit on the characters in one cell

std::string formatDouble(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return buffer;
}

// Cuts UTF-8 text to at most `limit` bytes without splitting a character.
std::string clipUtf8(const std::string& text, size_t limit)
{
    if (text.size() <= limit)
        return text;
    size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    return text.substr(0, end);
}

} // namespace

std::string cellText(const Cell& cell)
{
    if (const auto* s = std::get_if<std::string>(&cell))
        return *s;
    if (const auto* i = std::get_if<int64_t>(&cell))
        return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&cell))
        return formatDouble(*d);
    return {};
}

void writeXlsx(const std::string& path, const std::vector<Sheet>& sheets)
{
    lxw_workbook* workbook = workbook_new(path.c_str());
    if (!workbook)
        throw Error("cannot create " + path + ": check that its folder exists and is writable");
    lxw_format* header = workbook_add_format(workbook);
    format_set_bold(header);
    format_set_bg_color(header, 0xE8EEF7);
    format_set_bottom(header, LXW_BORDER_THIN);
    format_set_text_wrap(header);
    format_set_align(header, LXW_ALIGN_VERTICAL_TOP);
    lxw_format* top = workbook_add_format(workbook);
    format_set_align(top, LXW_ALIGN_VERTICAL_TOP);
    lxw_format* wrapped = workbook_add_format(workbook);
    format_set_text_wrap(wrapped);
    format_set_align(wrapped, LXW_ALIGN_VERTICAL_TOP);
    std::map<std::string, lxw_format*> numberFormats;

    for (const auto& sheet : sheets) {
        lxw_worksheet* ws = workbook_add_worksheet(workbook, sheet.name.c_str());
        if (!ws) {
            workbook_close(workbook);
            throw Error("cannot add sheet '" + sheet.name + "' to " + path);
        }
        for (size_t c = 0; c < sheet.columns.size(); ++c) {
            const Column& column = sheet.columns[c];
            lxw_format* format = column.wrap ? wrapped : top;
            if (!column.numberFormat.empty()) {
                auto& f = numberFormats[column.numberFormat];
                if (!f) {
                    f = workbook_add_format(workbook);
                    format_set_num_format(f, column.numberFormat.c_str());
                    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
                }
                format = f;
            }
            worksheet_set_column(ws, lxw_col_t(c), lxw_col_t(c), column.width, format);
            worksheet_write_string(ws, 0, lxw_col_t(c), column.header.c_str(), header);
        }
        worksheet_freeze_panes(ws, 1, 0);
        for (size_t r = 0; r < sheet.rows.size(); ++r) {
            const auto row = lxw_row_t(r + 1);
            for (size_t c = 0; c < sheet.rows[r].size(); ++c) {
                const Cell& cell = sheet.rows[r][c];
                const auto col = lxw_col_t(c);
                if (const auto* s = std::get_if<std::string>(&cell)) {
                    if (!s->empty())
                        worksheet_write_string(ws, row, col, clipUtf8(*s, kMaxCellText).c_str(), nullptr);
                } else if (const auto* i = std::get_if<int64_t>(&cell)) {
                    worksheet_write_number(ws, row, col, double(*i), nullptr);
                } else if (const auto* d = std::get_if<double>(&cell)) {
                    worksheet_write_number(ws, row, col, *d, nullptr);
                }
            }
        }
        for (size_t c = 0; c < sheet.columns.size(); ++c) {
            const auto& allowed = sheet.columns[c].allowed;
            if (allowed.empty() || sheet.rows.empty())
                continue;
            std::vector<const char*> list;
            for (const auto& value : allowed)
                list.push_back(value.c_str());
            list.push_back(nullptr);
            lxw_data_validation validation{};
            validation.validate = LXW_VALIDATION_TYPE_LIST;
            validation.value_list = const_cast<char**>(list.data());
            worksheet_data_validation_range(ws, 1, lxw_col_t(c), lxw_row_t(sheet.rows.size()), lxw_col_t(c),
                                            &validation);
        }
        if (!sheet.columns.empty())
            worksheet_autofilter(ws, 0, 0, lxw_row_t(sheet.rows.size()), lxw_col_t(sheet.columns.size() - 1));
    }
    const lxw_error error = workbook_close(workbook);
    if (error != LXW_NO_ERROR)
        throw Error("cannot write " + path + ": " + lxw_strerror(error));
}

namespace {

std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"')
            out += '"';
        out += ch;
    }
    return out + "\"";
}

} // namespace

void writeCsv(const std::string& path, const Sheet& sheet)
{
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw Error("cannot create " + path + ": check that its folder exists and is writable");
    for (size_t c = 0; c < sheet.columns.size(); ++c)
        out << (c ? "," : "") << csvField(sheet.columns[c].header);
    out << "\r\n";
    for (const auto& row : sheet.rows) {
        for (size_t c = 0; c < row.size(); ++c)
            out << (c ? "," : "") << csvField(cellText(row[c]));
        out << "\r\n";
    }
    out.flush();
    if (!out)
        throw Error("cannot write " + path + ": is the disk full?");
}

namespace {

std::string lowerExtension(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    const auto dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    std::string extension = path.substr(dot + 1);
    for (char& ch : extension)
        ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return extension;
}

} // namespace

std::vector<std::string> writeSheets(const std::string& path, const std::vector<Sheet>& sheets)
{
    const std::string extension = lowerExtension(path);
    if (extension == "xlsx") {
        writeXlsx(path, sheets);
        return {path};
    }
    if (extension != "csv")
        throw Error(path + ": write a spreadsheet as .xlsx or .csv");
    if (sheets.size() == 1) {
        writeCsv(path, sheets.front());
        return {path};
    }
    const std::string stem = path.substr(0, path.size() - 4);
    std::vector<std::string> written;
    for (const auto& sheet : sheets) {
        written.push_back(stem + "-" + sheet.name + ".csv");
        writeCsv(written.back(), sheet);
    }
    return written;
}

Table readCsv(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    Table table;
    std::vector<std::string> row;
    std::string field;
    int64_t line = 1, quoteLine = 0;
    bool quoted = false, any = false;
    for (; i < text.size(); ++i) {
        const char ch = text[i];
        if (quoted) {
            if (ch == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                line += ch == '\n';
                field += ch;
            }
            continue;
        }
        if (ch == '"') {
            quoted = true;
            quoteLine = line;
            any = true;
        } else if (ch == ',') {
            row.push_back(std::move(field));
            field.clear();
            any = true;
        } else if (ch == '\r' || ch == '\n') {
            if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            ++line;
            if (any || !field.empty()) {
                row.push_back(std::move(field));
                table.push_back(std::move(row));
            }
            row.clear();
            field.clear();
            any = false;
        } else {
            field += ch;
        }
    }
    if (quoted)
        throw Error(path + ":" + std::to_string(quoteLine) + ": a quoted field is never closed (a missing '\"')");
    if (any || !field.empty()) {
        row.push_back(std::move(field));
        table.push_back(std::move(row));
    }
    return table;
}

namespace {

struct ZipFile {
    unzFile handle = nullptr;
    explicit ZipFile(const std::string& path) : handle(unzOpen64(path.c_str())) {}
    ~ZipFile()
    {
        if (handle)
            unzClose(handle);
    }
    ZipFile(const ZipFile&) = delete;
    ZipFile& operator=(const ZipFile&) = delete;

    // The entry's bytes, or nothing when it is missing.
    std::optional<std::string> read(const std::string& name)
    {
        if (unzLocateFile(handle, name.c_str(), 0) != UNZ_OK || unzOpenCurrentFile(handle) != UNZ_OK)
            return std::nullopt;
        std::string out;
        char buffer[65536];
        int n = 0;
        while ((n = unzReadCurrentFile(handle, buffer, sizeof buffer)) > 0)
            out.append(buffer, size_t(n));
        unzCloseCurrentFile(handle);
        if (n < 0)
            return std::nullopt;
        return out;
    }
};

// Runs expat over a document, calling the handlers with (name, attributes) on open, name on close, text between.
struct XmlWalker {
    std::function<void(const std::string&, const char**)> open;
    std::function<void(const std::string&)> close;
    std::function<void(const char*, int)> text;

    bool parse(const std::string& document)
    {
        XML_Parser parser = XML_ParserCreate("UTF-8");
        XML_SetUserData(parser, this);
        XML_SetElementHandler(
            parser,
            [](void* self, const XML_Char* name, const XML_Char** attributes) {
                auto* walker = static_cast<XmlWalker*>(self);
                if (walker->open)
                    walker->open(localName(name), attributes);
            },
            [](void* self, const XML_Char* name) {
                auto* walker = static_cast<XmlWalker*>(self);
                if (walker->close)
                    walker->close(localName(name));
            });
        XML_SetCharacterDataHandler(parser, [](void* self, const XML_Char* s, int length) {
            auto* walker = static_cast<XmlWalker*>(self);
            if (walker->text)
                walker->text(s, length);
        });
        const bool ok = XML_Parse(parser, document.data(), int(document.size()), 1) == XML_STATUS_OK;
        XML_ParserFree(parser);
        return ok;
    }

    static std::string localName(const char* name)
    {
        const std::string n(name);
        const auto colon = n.find(':');
        return colon == std::string::npos ? n : n.substr(colon + 1);
    }
};

const char* attribute(const char** attributes, const char* name)
{
    for (size_t i = 0; attributes[i]; i += 2) {
        const std::string key = XmlWalker::localName(attributes[i]);
        if (key == name)
            return attributes[i + 1];
    }
    return nullptr;
}

// "BC12" -> column 54 (0-based).
// Excel's limits: a cell reference beyond them is a damaged (or hostile) sheet, not a reason to allocate.
constexpr size_t kMaxRows = 1048576, kMaxColumns = 16384;

// The column of a cell reference ("B12" -> 1); kMaxColumns when it is beyond the last.
size_t columnOf(const char* reference)
{
    size_t column = 0;
    for (const char* p = reference; *p >= 'A' && *p <= 'Z' && column <= kMaxColumns; ++p)
        column = column * 26 + size_t(*p - 'A' + 1);
    return column ? std::min(column - 1, kMaxColumns) : 0;
}

// A whole decimal number, or nothing (no exceptions: expat's callbacks must not throw).
std::optional<size_t> wholeNumber(std::string_view text)
{
    size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// The zip entry of the sheet named `wanted` (the first sheet when empty), from the workbook and its relations.
std::string sheetEntry(ZipFile& zip, const std::string& path, const std::string& wanted)
{
    const auto workbook = zip.read("xl/workbook.xml");
    const auto relations = zip.read("xl/_rels/workbook.xml.rels");
    if (!workbook || !relations)
        throw Error(path + " is not an XLSX workbook (xl/workbook.xml is missing)");
    std::vector<std::pair<std::string, std::string>> sheets; // name, relation id
    XmlWalker walker;
    walker.open = [&](const std::string& name, const char** attrs) {
        if (name == "sheet") {
            const char* sheetName = attribute(attrs, "name");
            const char* id = attribute(attrs, "id");
            if (sheetName && id)
                sheets.push_back({sheetName, id});
        }
    };
    walker.parse(*workbook);
    std::map<std::string, std::string> targets;
    walker.open = [&](const std::string& name, const char** attrs) {
        if (name == "Relationship") {
            const char* id = attribute(attrs, "Id");
            const char* target = attribute(attrs, "Target");
            if (id && target)
                targets[id] = target;
        }
    };
    walker.parse(*relations);
    std::string target;
    for (const auto& [name, id] : sheets)
        if (wanted.empty() || name == wanted) {
            target = targets[id];
            break;
        }
    if (target.empty())
        throw Error(path + " has no sheet" + (wanted.empty() ? std::string() : " named '" + wanted + "'"));
    return target.front() == '/' ? target.substr(1) : "xl/" + target;
}

// The workbook's shared strings, in order (cells of type "s" refer to them by index).
std::vector<std::string> sharedStrings(ZipFile& zip)
{
    std::vector<std::string> shared;
    const auto strings = zip.read("xl/sharedStrings.xml");
    if (!strings)
        return shared;
    bool inText = false;
    XmlWalker walker;
    walker.open = [&](const std::string& name, const char**) {
        if (name == "si")
            shared.emplace_back();
        inText = name == "t";
    };
    walker.close = [&](const std::string&) { inText = false; };
    walker.text = [&](const char* s, int n) {
        if (inText && !shared.empty())
            shared.back().append(s, size_t(n));
    };
    walker.parse(*strings);
    return shared;
}

// The cells of a sheet's XML as text, by row and column; false when it is not well-formed XML.
bool readCells(const std::string& document, const std::vector<std::string>& shared, Table& table)
{
    std::string type, value;
    size_t column = 0;
    bool inValue = false, inCell = false, damaged = false;
    XmlWalker walker;
    walker.open = [&](const std::string& name, const char** attrs) {
        if (damaged)
            return;
        if (name == "row") {
            const char* r = attribute(attrs, "r");
            const auto index = r ? wholeNumber(r) : std::optional<size_t>(table.size() + 1);
            if (!index || *index == 0 || *index > kMaxRows) {
                damaged = true;
                return;
            }
            if (*index > table.size())
                table.resize(*index);
        } else if (name == "c") {
            const char* r = attribute(attrs, "r");
            const char* t = attribute(attrs, "t");
            column = r ? columnOf(r) : (table.empty() ? 0 : table.back().size());
            if (column >= kMaxColumns) {
                damaged = true;
                return;
            }
            type = t ? t : "n";
            value.clear();
            inCell = true;
        } else if (inCell && (name == "v" || name == "t")) {
            inValue = true;
        }
    };
    walker.close = [&](const std::string& name) {
        if (name == "v" || name == "t") {
            inValue = false;
        } else if (name == "c" && inCell && !damaged) {
            inCell = false;
            if (table.empty())
                table.emplace_back();
            std::string text = value;
            if (type == "s") {
                const auto index = value.empty() ? std::optional<size_t>(0) : wholeNumber(value);
                text = index && *index < shared.size() ? shared[*index] : std::string();
            } else if (type == "b") {
                text = value == "1" ? "TRUE" : "FALSE";
            }
            auto& row = table.back();
            if (row.size() <= column)
                row.resize(column + 1);
            row[column] = std::move(text);
        }
    };
    walker.text = [&](const char* s, int n) {
        if (inValue)
            value.append(s, size_t(n));
    };
    return walker.parse(document) && !damaged;
}

} // namespace

Table readXlsx(const std::string& path, const std::string& wanted)
{
    ZipFile zip(path);
    if (!zip.handle)
        throw Error(path + " is not an XLSX workbook (it is not a zip archive); save it as .xlsx or .csv");
    const std::string target = sheetEntry(zip, path, wanted);
    const std::vector<std::string> shared = sharedStrings(zip);
    const auto document = zip.read(target);
    if (!document)
        throw Error(path + " is damaged: its sheet " + target + " cannot be read");
    Table table;
    if (!readCells(*document, shared, table))
        throw Error(path + " is damaged: its sheet " + target +
                    " is not valid XML, or names a cell beyond row 1,048,576 or column XFD");
    // Trailing empty rows (formatting only) are not data.
    while (!table.empty() && table.back().empty())
        table.pop_back();
    return table;
}

Table readTable(const std::string& path)
{
    return lowerExtension(path) == "xlsx" ? readXlsx(path) : readCsv(path);
}

} // namespace cotlab::report
