#pragma once

// Helpers shared by the fuzz targets (docs/robustness.md). Each target feeds one reader of outside data; the reader
// may refuse the input only with the exception its header documents (cotlab::Error, or std::invalid_argument for a
// line or request parser). Anything else escaping, a crash, a hang or a sanitizer report is a finding.
#include "util/Error.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace cotlab::fuzz {

inline std::string_view text(const uint8_t* data, size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

// A folder of this process for the files the targets write, removed when it exits: in memory where the machine has
// /dev/shm (the import targets also keep their workspace there).
inline const std::filesystem::path& inputFolder()
{
    static const std::filesystem::path dir = [] {
        std::error_code ec;
        const auto base = std::filesystem::is_directory("/dev/shm", ec) ? std::filesystem::path("/dev/shm")
                                                                        : std::filesystem::temp_directory_path();
        auto d = base / ("cotlab-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    static const struct RemoveAtExit {
        ~RemoveAtExit()
        {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } removeAtExit;
    return dir;
}

// The readers under test take paths: the input is written to a file in inputFolder(), named with the extension the
// reader expects.
inline std::string writeInput(const uint8_t* data, size_t size, const std::string& fileName)
{
    const std::string path = (inputFolder() / fileName).string();
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return path;
}

} // namespace cotlab::fuzz
