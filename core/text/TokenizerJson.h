#pragma once

// The parts of a Hugging Face tokenizer.json that every model type reads the same way: the file, its added tokens
// (split out of the text before anything else), and the post-processor's leading special tokens (BOS).
#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace cotlab::text {

// Error naming the file when it cannot be read or is not JSON.
nlohmann::json readJsonFile(const std::string& path, const char* what);

struct AddedTokens {
    std::vector<std::pair<std::string, int32_t>> longestFirst;
    std::unordered_set<int32_t> ids;     // decoded as their text
    std::unordered_set<int32_t> special; // left out by decode()
    // Calls ordinary(segment) for the text between added tokens (also when empty) and added(id) for each added
    // token found in the raw text, longest first, in order.
    void split(std::string_view text, const std::function<void(std::string_view)>& ordinary,
               const std::function<void(int32_t)>& added) const;
};

// added_tokens entries; `add(content, id)` puts each into the vocabulary. Error naming the file on a bad entry.
AddedTokens readAddedTokens(const nlohmann::json& tokenizerJson, const std::string& path,
                            const std::function<void(const std::string&, int32_t)>& add);

// The special tokens a TemplateProcessing post-processor (alone or in a Sequence) puts before the text.
std::vector<int32_t> templatePrefix(const nlohmann::json& tokenizerJson, const std::string& path,
                                    const std::function<int32_t(const std::string&)>& idOf);

} // namespace cotlab::text
