#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::text {

std::string_view trim(std::string_view s);
std::string toLower(std::string_view s);
bool startsWithIgnoreCase(std::string_view s, std::string_view prefix);
// Position of the last case-insensitive occurrence of needle, or npos.
size_t rfindIgnoreCase(std::string_view haystack, std::string_view needle);
size_t findIgnoreCase(std::string_view haystack, std::string_view needle, size_t from = 0);

// Offset of the first byte that is not valid UTF-8 (overlongs and surrogates included), or npos.
size_t firstInvalidUtf8(std::string_view s);

// 64-bit FNV-1a; stable across runs and builds (it is stored in workspaces).
uint64_t fnv1a64(std::string_view s);

std::string joined(const std::vector<std::string>& parts, std::string_view separator);

} // namespace cotlab::text
