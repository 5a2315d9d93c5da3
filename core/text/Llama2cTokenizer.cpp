#include "text/Llama2cTokenizer.h"

#include "util/Error.h"

#include <cstdio>
#include <fstream>

namespace cotlab::text {

Llama2cTokenizer Llama2cTokenizer::fromFile(const std::string& path, int32_t vocabSize)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open tokenizer");
    Llama2cTokenizer t;
    int32_t maxLen = 0;
    in.read(reinterpret_cast<char*>(&maxLen), 4);
    if (!in || maxLen <= 0 || maxLen > 1024)
        throw Error(path + ": not a llama2.c tokenizer (bad header)");
    if (vocabSize < 3 + 256)
        throw Error(path +
                    ": a llama2.c tokenizer has <unk>, BOS, EOS and 256 byte tokens, but the model's "
                    "vocabulary is " +
                    std::to_string(vocabSize) + " tokens; does the tokenizer belong to this model?");
    t.m_tokens.resize(size_t(vocabSize));
    t.m_scores.resize(size_t(vocabSize));
    for (int32_t i = 0; i < vocabSize; ++i) {
        int32_t len = 0;
        in.read(reinterpret_cast<char*>(&t.m_scores[size_t(i)]), 4);
        in.read(reinterpret_cast<char*>(&len), 4);
        if (!in || len < 0 || len > maxLen)
            throw Error(path + ": token " + std::to_string(i) +
                        " is truncated or too long; does the tokenizer "
                        "belong to this model (vocabulary " +
                        std::to_string(vocabSize) + ")?");
        t.m_tokens[size_t(i)].resize(size_t(len));
        in.read(t.m_tokens[size_t(i)].data(), len);
        if (!in)
            throw Error(path + ": truncated at token " + std::to_string(i));
        t.m_ids.emplace(t.m_tokens[size_t(i)], i);
    }
    t.setSpecialIds(kBos, kEos);
    t.addFile(path);
    return t;
}

std::vector<int32_t> Llama2cTokenizer::encode(std::string_view text, bool bos) const
{
    std::vector<int32_t> ids;
    if (bos)
        ids.push_back(kBos);
    if (text.empty())
        return ids;
    // SentencePiece's dummy prefix: a leading space.
    if (const auto it = m_ids.find(" "); it != m_ids.end())
        ids.push_back(it->second);
    // Each UTF-8 character as a token, or its bytes as byte tokens.
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
        len = std::min(len, text.size() - i);
        const std::string ch(text.substr(i, len));
        if (const auto it = m_ids.find(ch); it != m_ids.end())
            ids.push_back(it->second);
        else
            for (char b : ch)
                ids.push_back(int32_t(static_cast<unsigned char>(b)) + 3);
        i += len;
    }
    // Merge the adjacent pair with the best score until none merges.
    const size_t first = bos ? 1 : 0;
    for (;;) {
        float best = -1e10f;
        int32_t bestId = -1;
        size_t bestAt = 0;
        for (size_t i = first; i + 1 < ids.size(); ++i) {
            const auto it = m_ids.find(m_tokens[size_t(ids[i])] + m_tokens[size_t(ids[i + 1])]);
            if (it != m_ids.end() && m_scores[size_t(it->second)] > best) {
                best = m_scores[size_t(it->second)];
                bestId = it->second;
                bestAt = i;
            }
        }
        if (bestId < 0)
            break;
        ids[bestAt] = bestId;
        ids.erase(ids.begin() + std::ptrdiff_t(bestAt) + 1);
    }
    return ids;
}

std::string Llama2cTokenizer::piece(int32_t previous, int32_t token) const
{
    if (token < 0 || token >= vocabSize())
        throw Error("token id " + std::to_string(token) + " is outside the vocabulary");
    std::string p = m_tokens[size_t(token)];
    if (previous == kBos && !p.empty() && p[0] == ' ')
        p.erase(0, 1);
    unsigned int byte = 0;
    if (p.size() == 6 && std::sscanf(p.c_str(), "<0x%02X>", &byte) == 1)
        return std::string(1, char(byte));
    return p;
}

std::string Llama2cTokenizer::decode(const std::vector<int32_t>& ids) const
{
    return decodeAfter({}, ids);
}

std::string Llama2cTokenizer::decodeAfter(const std::vector<int32_t>& context, const std::vector<int32_t>& ids) const
{
    std::string out;
    int32_t previous = context.empty() ? -1 : context.back();
    for (int32_t id : ids) {
        if (id != kBos && id != kEos)
            out += piece(previous, id);
        previous = id;
    }
    return out;
}

} // namespace cotlab::text
