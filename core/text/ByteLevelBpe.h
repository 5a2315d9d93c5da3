#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cotlab::text {

// GPT-2-style byte-level BPE (GPT-2, OPT, RoBERTa and their descendants): text is split by a pre-tokenizer
// regex, each piece's UTF-8 bytes are mapped to printable code points (GPT-2's bytes_to_unicode), and merges
// are applied in rank order. Loaded from vocab.json + merges.txt. Thread-compatible: encode() keeps a cache.
class ByteLevelBpe {
public:
    // GPT-2's pre-tokenizer: contractions, letters, digits, other symbols, whitespace.
    static constexpr const char* kGpt2Pattern =
        R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

    // Throws cotlab::Error naming the file and entry on a malformed vocabulary or merges file.
    static ByteLevelBpe fromFiles(const std::string& vocabJson, const std::string& mergesTxt,
                                  const std::string& pattern = kGpt2Pattern);

    ByteLevelBpe(ByteLevelBpe&&) noexcept;
    ByteLevelBpe& operator=(ByteLevelBpe&&) noexcept;
    ~ByteLevelBpe();

    // Text must be UTF-8.
    std::vector<int32_t> encode(std::string_view text);
    std::string decode(const std::vector<int32_t>& ids) const;
    size_t vocabSize() const { return m_idToToken.size(); }
    int32_t tokenId(const std::string& token) const; // -1 when absent

private:
    ByteLevelBpe();
    std::vector<std::string> bpe(const std::string& word) const;
    void encodePiece(std::string_view piece, std::vector<int32_t>& out);

    struct Regex;
    std::unique_ptr<Regex> m_regex;
    std::unordered_map<std::string, int32_t> m_tokenToId;
    std::vector<std::string> m_idToToken;
    std::unordered_map<std::string, int32_t> m_mergeRanks; // "left right" -> rank
    std::string m_byteToUnicode[256];                      // UTF-8 of the code point for each byte
    std::unordered_map<std::string, unsigned char> m_unicodeToByte;
    std::unordered_map<std::string, std::vector<int32_t>> m_cache;
};

} // namespace cotlab::text
