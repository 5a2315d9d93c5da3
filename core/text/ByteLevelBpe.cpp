#include "text/ByteLevelBpe.h"

#include "util/Error.h"
#include "util/LineReader.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <climits>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pcre2.h>

namespace cotlab::text {

namespace {

std::string utf8(uint32_t cp)
{
    std::string s;
    if (cp < 0x80) {
        s += char(cp);
    } else if (cp < 0x800) {
        s += char(0xC0 | (cp >> 6));
        s += char(0x80 | (cp & 0x3F));
    } else {
        s += char(0xE0 | (cp >> 12));
        s += char(0x80 | ((cp >> 6) & 0x3F));
        s += char(0x80 | (cp & 0x3F));
    }
    return s;
}

// Splits UTF-8 into code points (as strings).
std::vector<std::string> codePoints(std::string_view s)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        out.emplace_back(s.substr(i, len));
        i += len;
    }
    return out;
}

} // namespace

struct ByteLevelBpe::Regex {
    pcre2_code* code = nullptr;
    pcre2_match_data* match = nullptr;
    ~Regex()
    {
        pcre2_match_data_free(match);
        pcre2_code_free(code);
    }
};

ByteLevelBpe::ByteLevelBpe() = default;
ByteLevelBpe::ByteLevelBpe(ByteLevelBpe&&) noexcept = default;
ByteLevelBpe& ByteLevelBpe::operator=(ByteLevelBpe&&) noexcept = default;
ByteLevelBpe::~ByteLevelBpe() = default;

ByteLevelBpe ByteLevelBpe::fromFiles(const std::string& vocabJson, const std::string& mergesTxt,
                                     const std::string& pattern)
{
    ByteLevelBpe t;
    // GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to 256 + n.
    std::vector<bool> printable(256, false);
    for (int b = '!'; b <= '~'; ++b)
        printable[size_t(b)] = true;
    for (int b = 0xA1; b <= 0xAC; ++b)
        printable[size_t(b)] = true;
    for (int b = 0xAE; b <= 0xFF; ++b)
        printable[size_t(b)] = true;
    uint32_t n = 0;
    for (int b = 0; b < 256; ++b) {
        const uint32_t cp = printable[size_t(b)] ? uint32_t(b) : 256 + n++;
        t.m_byteToUnicode[b] = utf8(cp);
        t.m_unicodeToByte[t.m_byteToUnicode[b]] = static_cast<unsigned char>(b);
    }

    std::ifstream vin(vocabJson);
    if (!vin)
        throw Error(vocabJson + ": cannot open vocabulary");
    nlohmann::json vocab;
    try {
        vocab = nlohmann::json::parse(vin);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(vocabJson + ": invalid JSON: " + e.what());
    }
    if (!vocab.is_object() || vocab.empty())
        throw Error(vocabJson + ": a vocabulary must be a JSON object {token: id}");
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > INT32_MAX)
            throw Error(vocabJson + ": token '" + it.key() + "' has no valid id");
        const auto id = it->get<int32_t>();
        t.m_tokenToId[it.key()] = id;
        if (size_t(id) >= t.m_idToToken.size())
            t.m_idToToken.resize(size_t(id) + 1);
        t.m_idToToken[size_t(id)] = it.key();
    }

    LineReader merges(mergesTxt);
    std::string_view line;
    int32_t rank = 0;
    while (merges.next(line)) {
        if (line.empty() || (merges.lineNumber() == 1 && line.starts_with("#version")))
            continue;
        const size_t space = line.find(' ');
        if (space == std::string_view::npos || space == 0 || space + 1 >= line.size())
            throw Error(mergesTxt + ":" + std::to_string(merges.lineNumber()) + ": expected 'left right'");
        t.m_mergeRanks.emplace(std::string(line), rank++);
    }

    t.m_regex = std::make_unique<Regex>();
    int err = 0;
    PCRE2_SIZE offset = 0;
    t.m_regex->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                                    &err, &offset, nullptr);
    if (!t.m_regex->code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(err, message, sizeof message);
        throw Error("pre-tokenizer pattern, offset " + std::to_string(offset) + ": " +
                    reinterpret_cast<const char*>(message));
    }
    pcre2_jit_compile(t.m_regex->code, PCRE2_JIT_COMPLETE);
    t.m_regex->match = pcre2_match_data_create_from_pattern(t.m_regex->code, nullptr);
    return t;
}

int32_t ByteLevelBpe::tokenId(const std::string& token) const
{
    const auto it = m_tokenToId.find(token);
    return it == m_tokenToId.end() ? -1 : it->second;
}

std::vector<std::string> ByteLevelBpe::bpe(const std::string& word) const
{
    std::vector<std::string> parts = codePoints(word);
    while (parts.size() > 1) {
        // The adjacent pair with the lowest merge rank is merged everywhere it occurs.
        int32_t best = INT32_MAX;
        size_t bestAt = 0;
        std::string key;
        for (size_t i = 0; i + 1 < parts.size(); ++i) {
            key.assign(parts[i]).append(1, ' ').append(parts[i + 1]);
            const auto it = m_mergeRanks.find(key);
            if (it != m_mergeRanks.end() && it->second < best) {
                best = it->second;
                bestAt = i;
            }
        }
        if (best == INT32_MAX)
            break;
        const std::string left = parts[bestAt], right = parts[bestAt + 1];
        std::vector<std::string> merged;
        merged.reserve(parts.size());
        for (size_t i = 0; i < parts.size();) {
            if (i + 1 < parts.size() && parts[i] == left && parts[i + 1] == right) {
                merged.push_back(left + right);
                i += 2;
            } else {
                merged.push_back(std::move(parts[i]));
                ++i;
            }
        }
        parts = std::move(merged);
    }
    return parts;
}

void ByteLevelBpe::encodePiece(std::string_view piece, std::vector<int32_t>& out)
{
    std::string word;
    for (unsigned char c : piece)
        word += m_byteToUnicode[c];
    if (const auto it = m_cache.find(word); it != m_cache.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        return;
    }
    std::vector<int32_t> ids;
    for (const std::string& part : bpe(word)) {
        const auto it = m_tokenToId.find(part);
        if (it == m_tokenToId.end())
            throw Error("token '" + part + "' produced by the merges is not in the vocabulary");
        ids.push_back(it->second);
    }
    out.insert(out.end(), ids.begin(), ids.end());
    if (m_cache.size() < 100000)
        m_cache.emplace(std::move(word), std::move(ids));
}

std::vector<int32_t> ByteLevelBpe::encode(std::string_view text)
{
    std::vector<int32_t> out;
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    PCRE2_SIZE start = 0;
    while (start < text.size()) {
        const int rc = pcre2_match(m_regex->code, subject, text.size(), start, 0, m_regex->match, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw Error("tokenizer: the text is not valid UTF-8");
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m_regex->match);
        if (ov[1] == ov[0]) { // an empty match cannot advance: take one code point as is
            ++start;
            continue;
        }
        encodePiece(text.substr(ov[0], ov[1] - ov[0]), out);
        start = ov[1];
    }
    return out;
}

std::string ByteLevelBpe::decode(const std::vector<int32_t>& ids) const
{
    std::string out;
    for (int32_t id : ids) {
        if (id < 0 || size_t(id) >= m_idToToken.size())
            throw Error("token id " + std::to_string(id) + " is outside the vocabulary (" +
                        std::to_string(m_idToToken.size()) + " tokens)");
        for (const std::string& cp : codePoints(m_idToToken[size_t(id)])) {
            const auto it = m_unicodeToByte.find(cp);
            if (it != m_unicodeToByte.end())
                out += char(it->second);
            else
                out += cp; // added tokens written as plain text
        }
    }
    return out;
}

} // namespace cotlab::text
