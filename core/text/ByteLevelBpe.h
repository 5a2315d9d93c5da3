#pragma once

#include "text/Tokenizer.h"
#include "text/TokenizerJson.h"

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cotlab::text {

// GPT-2-style byte-level BPE (GPT-2, OPT, Llama 3, Qwen2, SmolLM): added tokens are split out first, the rest
// is split by a pre-tokenizer regex, each piece's UTF-8 bytes are mapped to printable code points (GPT-2's
// bytes_to_unicode), and merges are applied in rank order. Loaded from vocab.json + merges.txt or from a
// Hugging Face tokenizer.json. Not thread-safe: encode() keeps a cache.
class ByteLevelBpe : public VocabularyTokenizer {
public:
    // GPT-2's pre-tokenizer: contractions, letters, digits, other symbols, whitespace.
    static constexpr const char* kGpt2Pattern =
        R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

    // Throws cotlab::Error naming the file and entry on a malformed vocabulary or merges file.
    static std::unique_ptr<ByteLevelBpe> fromFiles(const std::string& vocabJson, const std::string& mergesTxt,
                                                   const std::string& pattern = kGpt2Pattern);
    // A tokenizer.json with a BPE model and a ByteLevel pre-tokenizer, alone or after a Split by regex;
    // added tokens; a TemplateProcessing post-processor's leading special tokens (Llama 3's BOS). Anything
    // else is an Error naming the file and the unsupported component.
    static std::unique_ptr<ByteLevelBpe> fromTokenizerJson(const std::string& path);
    static std::unique_ptr<ByteLevelBpe> fromTokenizerJson(const nlohmann::json& tokenizerJson,
                                                           const std::string& path);

    ~ByteLevelBpe() override;

    std::vector<int32_t> encode(std::string_view text) const override;
    std::string decode(const std::vector<int32_t>& ids) const override;

private:
    ByteLevelBpe();
    void initBytes();
    void compilePattern(const std::string& pattern, const std::string& where);
    // The parts of a tokenizer.json (fromTokenizerJson); errors name the file.
    void readMerges(const nlohmann::json& model, const std::string& path);
    void readPreTokenizer(const nlohmann::json& json, const std::string& path);
    std::vector<std::string> bpe(const std::string& word) const;
    void encodePiece(std::string_view piece, std::vector<int32_t>& out) const;
    void encodeOrdinary(std::string_view text, std::vector<int32_t>& out) const;

    struct Regex;
    std::unique_ptr<Regex> m_regex;
    std::unordered_map<std::string, int32_t> m_mergeRanks; // "left right" -> rank
    std::string m_byteToUnicode[256];                      // UTF-8 of the code point for each byte
    std::unordered_map<std::string, unsigned char> m_unicodeToByte;
    mutable std::unordered_map<std::string, std::vector<int32_t>> m_cache; // piece -> ids
    AddedTokens m_addedTokens;
    bool m_addPrefixSpace = false;
    bool m_ignoreMerges = false; // Llama 3: a piece that is itself a token is not merged from bytes
    bool m_nfc = false;          // Qwen2: text in Unicode normalisation form C first
};

} // namespace cotlab::text
