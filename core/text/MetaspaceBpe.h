#pragma once

#include "text/Tokenizer.h"
#include "text/TokenizerJson.h"

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cotlab::text {

// SentencePiece-style BPE as a Hugging Face tokenizer.json holds it (Llama 2, TinyLlama, Mistral, Gemma-style
// files without a tokenizer.model beside them): spaces become "▁" (a Prepend/Replace normaliser, or a Metaspace
// pre-tokenizer), merges apply in rank order over the code points of each piece between added tokens, a code
// point missing from the vocabulary becomes its UTF-8 bytes as <0xXX> tokens (byte_fallback) or <unk>, and
// decoding turns "▁" back into spaces, byte tokens back into bytes and strips the leading space. Matches the
// reference implementation (transformers.js) on tests/data/tokenizers/metaspace-bpe.
class MetaspaceBpe : public VocabularyTokenizer {
public:
    // Whether a tokenizer.json is of this kind (byte_fallback, a Metaspace pre-tokenizer or a "▁" normaliser).
    static bool describes(const nlohmann::json& tokenizerJson);
    // Error naming the file and the component it does not support.
    static std::unique_ptr<MetaspaceBpe> fromTokenizerJson(const nlohmann::json& tokenizerJson,
                                                           const std::string& path);

    std::vector<int32_t> encode(std::string_view text) const override;
    std::string decode(const std::vector<int32_t>& ids) const override;
    std::string decodeAfter(const std::vector<int32_t>& context, const std::vector<int32_t>& ids) const override;

private:
    MetaspaceBpe() = default;
    void readNormalizer(const nlohmann::json& j, const std::string& path);
    void readPreTokenizer(const nlohmann::json& j, const std::string& path);
    void readDecoder(const nlohmann::json& j);
    void readModel(const nlohmann::json& model, const std::string& path);
    std::string normalize(std::string_view segment, bool first) const;
    void encodeWord(std::string_view word, std::vector<int32_t>& out) const;
    std::string decodeTokens(const std::vector<int32_t>& ids, bool stripLeading) const;

    std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> m_merges; // (left id, right id) -> (rank, merged id)
    int32_t m_byteIds[256];                                             // <0xXX> tokens, -1 when absent
    std::unordered_map<int32_t, unsigned char> m_byteOfId;              // and back, for decoding
    int32_t m_unk = -1;
    bool m_byteFallback = false;
    bool m_fuseUnk = false;
    std::string m_prepend;                                      // put before each piece ("▁"), '' for none
    bool m_prependFirstOnly = false;                            // Metaspace's prepend_scheme "first"
    bool m_prependIfMissing = false;                            // Metaspace: not before a piece starting with it
    std::vector<std::pair<std::string, std::string>> m_replace; // " " -> "▁"
    bool m_splitWords = false;                                  // Metaspace split: a word starts at each "▁"
    int m_stripLeading = 0;                                     // spaces the decoder strips at the start
    AddedTokens m_addedTokens;
};

} // namespace cotlab::text
