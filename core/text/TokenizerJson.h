#pragma once

// The parts of a Hugging Face tokenizer.json that every model type reads the same way: the file, its added tokens
// (split out of the text before anything else), and the post-processor's leading special tokens (BOS).
#include "text/Tokenizer.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace cotlab::text {

// A tokenizer read from Hugging Face files, whose tokens can be named: its vocabulary (token <-> id), special
// tokens of tokenizer_config.json looked up by name, and those put before every encoded text (BOS).
class VocabularyTokenizer : public Tokenizer {
public:
    static constexpr int64_t kMaxTokenId = 16'777'215; // no real vocabulary comes near; bounds what a file allocates
    int32_t tokenId(const std::string& token) const;   // -1 when absent
    // The token of an id; Error when the id is outside the vocabulary.
    const std::string& tokenText(int32_t id) const;
    int32_t vocabSize() const override { return int32_t(m_idToToken.size()); }
    std::string piece(int32_t id) const override
    {
        return id >= 0 && size_t(id) < m_idToToken.size() ? m_idToToken[size_t(id)] : std::string();
    }
    // Special tokens put before every encoded text (BOS), for folders whose tokenizer_config.json asks.
    void setPrefix(std::vector<int32_t> ids) { m_prefix = std::move(ids); }
    const std::vector<int32_t>& prefix() const { return m_prefix; }

protected:
    void addToken(const std::string& token, int32_t id);
    // {token: id} entries of a JSON object; Error errorPrefix + token + "' has no valid id" on a bad one.
    void addVocabulary(const nlohmann::json& vocab, const std::string& errorPrefix);

    std::unordered_map<std::string, int32_t> m_tokenToId;
    std::vector<std::string> m_idToToken;

private:
    std::vector<int32_t> m_prefix;
};

// Error naming the file when it cannot be read or is not JSON.
nlohmann::json readJsonFile(const std::string& path, const char* what);
// A JSON file that may be absent (tokenizer_config.json, config.json beside a tokenizer): null when it cannot be
// opened; Error naming the file when it is not JSON.
nlohmann::json readOptionalJsonFile(const std::string& path);
// A special token as tokenizer_config.json writes it: "</s>" or {"content": "</s>", ...}; "" when absent.
std::string specialTokenText(const nlohmann::json& config, const char* key);

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
