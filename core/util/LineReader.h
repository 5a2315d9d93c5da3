#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace cotlab {

// Reads a text file line by line in large blocks, in memory bounded by the longest allowed line.
// A line longer than maxLineBytes is an Error naming the file and line; it is never buffered whole. With
// requireUtf8, a line that is not valid UTF-8 is an Error naming the file, line, byte and its value.
class LineReader {
public:
    static constexpr size_t kDefaultMaxLineBytes = 16u << 20;

    explicit LineReader(const std::string& path, size_t maxLineBytes = kDefaultMaxLineBytes, bool requireUtf8 = false);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // The next line without its '\n' (and '\r'); valid until the next call. False at end of file.
    bool next(std::string_view& line);
    int64_t lineNumber() const { return m_lineNumber; }
    uint64_t bytesRead() const { return m_consumed; }
    uint64_t fileSize() const { return m_fileSize; }
    const std::string& path() const { return m_path; }

private:
    bool fill();
    void checkUtf8(std::string_view line) const;

    std::string m_path;
    std::FILE* m_file = nullptr;
    size_t m_maxLineBytes;
    bool m_requireUtf8;
    std::string m_buffer;
    size_t m_begin = 0;
    size_t m_end = 0;
    bool m_eof = false;
    int64_t m_lineNumber = 0;
    uint64_t m_consumed = 0;
    uint64_t m_fileSize = 0;
};

} // namespace cotlab
