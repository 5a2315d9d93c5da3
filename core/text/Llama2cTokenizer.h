#pragma once

#include "text/Tokenizer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cotlab::text {

// The llama2.c tokenizer format (tokenizer.bin): SentencePiece-style BPE by merge score with byte fallback.
// Id 0 <unk>, 1 BOS, 2 EOS, 3..258 the byte tokens <0x00>..<0xFF>.
class Llama2cTokenizer : public Tokenizer {
public:
    static constexpr int32_t kBos = 1;
    static constexpr int32_t kEos = 2;

    // Throws cotlab::Error naming the file on a truncated or inconsistent file. vocabSize is the model's.
    static Llama2cTokenizer fromFile(const std::string& path, int32_t vocabSize);

    // BOS (when asked), then the text with a leading space, merged by score.
    std::vector<int32_t> encode(std::string_view text, bool bos) const;
    std::vector<int32_t> encode(std::string_view text) const override { return encode(text, true); }
    // The text of one token following 'previous' (llama2.c's decode: no leading space after BOS, raw bytes).
    std::string piece(int32_t previous, int32_t token) const;
    std::string decode(const std::vector<int32_t>& ids) const override;
    std::string decodeAfter(const std::vector<int32_t>& context, const std::vector<int32_t>& ids) const override;
    int32_t vocabSize() const override { return int32_t(m_tokens.size()); }
    std::string piece(int32_t id) const override
    {
        return id >= 0 && size_t(id) < m_tokens.size() ? m_tokens[size_t(id)] : std::string();
    }

private:
    std::vector<std::string> m_tokens;
    std::vector<float> m_scores;
    std::unordered_map<std::string, int32_t> m_ids;
};

} // namespace cotlab::text
