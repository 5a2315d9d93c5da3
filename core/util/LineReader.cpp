#include "util/LineReader.h"

#include "util/Error.h"
#include "util/Text.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace cotlab {

namespace {
constexpr size_t kBlock = 1u << 20;
}

LineReader::LineReader(const std::string& path, size_t maxLineBytes, bool requireUtf8)
    : m_path(path), m_maxLineBytes(maxLineBytes), m_requireUtf8(requireUtf8)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw Error(path + ": is a folder, not a file");
    m_file = std::fopen(path.c_str(), "rb");
    if (!m_file)
        throw Error(path + ": cannot open: " + std::strerror(errno));
    m_fileSize = std::filesystem::file_size(path, ec);
    m_buffer.resize(kBlock);
}

LineReader::~LineReader()
{
    if (m_file)
        std::fclose(m_file);
}

bool LineReader::fill()
{
    if (m_eof)
        return false;
    // Move the unfinished line to the front, grow the buffer if the line fills it.
    if (m_begin > 0) {
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
    }
    if (m_end == m_buffer.size()) {
        if (m_buffer.size() > m_maxLineBytes)
            throw Error(m_path + ":" + std::to_string(m_lineNumber + 1) + ": line is longer than " +
                        std::to_string(m_maxLineBytes >> 20) + " MiB; is this a JSON Lines file?");
        m_buffer.resize(m_buffer.size() * 2);
    }
    const size_t got = std::fread(m_buffer.data() + m_end, 1, m_buffer.size() - m_end, m_file);
    if (got == 0) {
        if (std::ferror(m_file))
            throw Error(m_path + ": read error: " + std::strerror(errno));
        m_eof = true;
        return false;
    }
    m_end += got;
    return true;
}

void LineReader::checkUtf8(std::string_view line) const
{
    const size_t bad = text::firstInvalidUtf8(line);
    if (bad == std::string_view::npos)
        return;
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(line[bad]));
    throw Error(m_path + ":" + std::to_string(m_lineNumber) + ": byte " + std::to_string(bad + 1) + " (" + hex +
                ") is not valid UTF-8; the file must be UTF-8 encoded");
}

bool LineReader::next(std::string_view& line)
{
    size_t scanFrom = m_begin;
    for (;;) {
        const void* nl = std::memchr(m_buffer.data() + scanFrom, '\n', m_end - scanFrom);
        if (nl) {
            const size_t pos = static_cast<const char*>(nl) - m_buffer.data();
            size_t len = pos - m_begin;
            if (len > m_maxLineBytes)
                throw Error(m_path + ":" + std::to_string(m_lineNumber + 1) + ": line is longer than " +
                            std::to_string(m_maxLineBytes >> 20) + " MiB; is this a JSON Lines file?");
            if (len > 0 && m_buffer[m_begin + len - 1] == '\r')
                --len;
            line = std::string_view(m_buffer.data() + m_begin, len);
            m_consumed += pos + 1 - m_begin;
            m_begin = pos + 1;
            ++m_lineNumber;
            if (m_requireUtf8)
                checkUtf8(line);
            return true;
        }
        const size_t scanned = m_end - m_begin;
        if (!fill()) {
            if (m_begin == m_end)
                return false;
            // Last line without a trailing newline.
            size_t len = m_end - m_begin;
            if (len > m_maxLineBytes)
                throw Error(m_path + ":" + std::to_string(m_lineNumber + 1) + ": line is longer than " +
                            std::to_string(m_maxLineBytes >> 20) + " MiB; is this a JSON Lines file?");
            if (m_buffer[m_begin + len - 1] == '\r')
                --len;
            line = std::string_view(m_buffer.data() + m_begin, len);
            m_consumed += m_end - m_begin;
            m_begin = m_end;
            ++m_lineNumber;
            if (m_requireUtf8)
                checkUtf8(line);
            return true;
        }
        scanFrom = m_begin + scanned;
    }
}

} // namespace cotlab
