#include "text/ByteLevelBpe.h"

#include "text/TokenizerJson.h"
#include "util/Error.h"
#include "util/LineReader.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pcre2.h>
#include <utf8proc.h>

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

// Unicode normalisation form C (utf8proc); text that is not valid UTF-8 is left as it is.
std::string nfcOf(std::string_view text)
{
    utf8proc_uint8_t* composed = nullptr;
    const utf8proc_ssize_t n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), utf8proc_ssize_t(text.size()), &composed,
                     utf8proc_option_t(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    std::string out = n < 0 ? std::string(text) : std::string(reinterpret_cast<const char*>(composed), size_t(n));
    std::free(composed);
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
ByteLevelBpe::~ByteLevelBpe() = default;

namespace {

} // namespace

void ByteLevelBpe::initBytes()
{
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
        m_byteToUnicode[b] = utf8(cp);
        m_unicodeToByte[m_byteToUnicode[b]] = static_cast<unsigned char>(b);
    }
}

void ByteLevelBpe::compilePattern(const std::string& pattern, const std::string& where)
{
    m_regex = std::make_unique<Regex>();
    int err = 0;
    PCRE2_SIZE offset = 0;
    m_regex->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                                  &err, &offset, nullptr);
    if (!m_regex->code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(err, message, sizeof message);
        throw Error(where + ": pre-tokenizer pattern, offset " + std::to_string(offset) + ": " +
                    reinterpret_cast<const char*>(message));
    }
    pcre2_jit_compile(m_regex->code, PCRE2_JIT_COMPLETE);
    m_regex->match = pcre2_match_data_create_from_pattern(m_regex->code, nullptr);
}

std::unique_ptr<ByteLevelBpe> ByteLevelBpe::fromFiles(const std::string& vocabJson, const std::string& mergesTxt,
                                                      const std::string& pattern)
{
    std::unique_ptr<ByteLevelBpe> t(new ByteLevelBpe);
    t->initBytes();
    const nlohmann::json vocab = readJsonFile(vocabJson, "vocabulary");
    if (!vocab.is_object() || vocab.empty())
        throw Error(vocabJson + ": a vocabulary must be a JSON object {token: id}");
    t->addVocabulary(vocab, vocabJson + ": token '");

    LineReader merges(mergesTxt);
    std::string_view line;
    int32_t rank = 0;
    while (merges.next(line)) {
        if (line.empty() || (merges.lineNumber() == 1 && line.starts_with("#version")))
            continue;
        const size_t space = line.find(' ');
        if (space == std::string_view::npos || space == 0 || space + 1 >= line.size())
            throw Error(mergesTxt + ":" + std::to_string(merges.lineNumber()) + ": expected 'left right'");
        t->m_mergeRanks.emplace(std::string(line), rank++);
    }
    t->compilePattern(pattern, vocabJson);
    if (const int32_t eot = t->tokenId("<|endoftext|>"); eot >= 0) { // GPT-2's only special token
        t->m_addedTokens.special.insert(eot);
        t->setSpecialIds(eot, eot);
    }
    t->addFile(vocabJson);
    t->addFile(mergesTxt);
    return t;
}

namespace {

Error unsupported(const std::string& path, const std::string& what)
{
    return Error(path + ": " + what +
                 " is not supported (CoTLab reads byte-level BPE and SentencePiece-style Metaspace/byte_fallback BPE "
                 "tokenizer.json files, and SentencePiece models from their tokenizer.model)");
}

} // namespace

void ByteLevelBpe::readMerges(const nlohmann::json& model, const std::string& path)
{
    int32_t rank = 0;
    for (const auto& m : model["merges"]) {
        std::string merge; // "left right", or ["left", "right"] in newer files
        if (m.is_string())
            merge = m.get<std::string>();
        else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
            merge = m[0].get<std::string>() + " " + m[1].get<std::string>();
        if (merge.find(' ') == std::string::npos)
            throw Error(path + ": model.merges entry " + std::to_string(rank) + " is not a pair");
        m_mergeRanks.emplace(std::move(merge), rank++);
    }
    m_ignoreMerges = model.value("ignore_merges", false);
}

// ByteLevel (GPT-2's regex unless use_regex is false), optionally after a Split by regex.
void ByteLevelBpe::readPreTokenizer(const nlohmann::json& j, const std::string& path)
{
    std::string pattern;
    bool byteLevel = false;
    auto preTokenizer = [&](const nlohmann::json& p) {
        const std::string type = p.value("type", "");
        if (type == "ByteLevel") {
            byteLevel = true;
            m_addPrefixSpace = p.value("add_prefix_space", false);
            if (p.value("use_regex", true)) {
                if (!pattern.empty())
                    throw unsupported(path, "a Split followed by a ByteLevel pre-tokenizer with its own regex");
                pattern = kGpt2Pattern;
            }
        } else if (type == "Split") {
            if (!p.contains("pattern") || !p["pattern"].contains("Regex") || p.value("behavior", "") != "Isolated" ||
                p.value("invert", false))
                throw unsupported(path, "a Split pre-tokenizer other than an isolating regex");
            if (!pattern.empty())
                throw unsupported(path, "more than one splitting regex");
            pattern = p["pattern"]["Regex"].get<std::string>();
        } else {
            throw unsupported(path, "pre-tokenizer '" + type + "'");
        }
    };
    const nlohmann::json pre = j.value("pre_tokenizer", nlohmann::json());
    if (pre.is_object() && pre.value("type", "") == "Sequence") {
        for (const auto& p : pre.value("pretokenizers", nlohmann::json::array()))
            preTokenizer(p);
    } else if (pre.is_object()) {
        preTokenizer(pre);
    }
    if (!byteLevel)
        throw unsupported(path, "a tokenizer.json without a ByteLevel pre-tokenizer");
    compilePattern(pattern.empty() ? std::string("[\\s\\S]+") : pattern, path);
}

std::unique_ptr<ByteLevelBpe> ByteLevelBpe::fromTokenizerJson(const std::string& path)
{
    return fromTokenizerJson(readJsonFile(path, "tokenizer.json"), path);
}

std::unique_ptr<ByteLevelBpe> ByteLevelBpe::fromTokenizerJson(const nlohmann::json& j, const std::string& path)
{
    if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
        throw Error(path + ": no \"model\" object: not a Hugging Face tokenizer.json");
    const nlohmann::json& model = j["model"];
    if (model.value("type", "BPE") != "BPE")
        throw unsupported(path, "model type '" + model.value("type", "") + "'");
    if (model.value("byte_fallback", false))
        throw unsupported(path, "a BPE model with byte_fallback");
    if (!model.contains("vocab") || !model["vocab"].is_object() || !model.contains("merges") ||
        !model["merges"].is_array())
        throw Error(path + ": model.vocab (object) and model.merges (array) are required");
    const bool nfc =
        j.contains("normalizer") && j["normalizer"].is_object() && j["normalizer"].value("type", "") == "NFC";
    if (j.contains("normalizer") && !j["normalizer"].is_null() && !nfc)
        throw unsupported(path, "normalizer '" + j["normalizer"].dump() + "'");
    std::unique_ptr<ByteLevelBpe> t(new ByteLevelBpe);
    t->m_nfc = nfc;
    t->initBytes();
    t->addVocabulary(model["vocab"], path + ": model.vocab token '");
    t->readMerges(model, path);
    t->readPreTokenizer(j, path);
    ByteLevelBpe* self = t.get();
    t->m_addedTokens =
        readAddedTokens(j, path, [self](const std::string& content, int32_t id) { self->addToken(content, id); });
    t->setPrefix(templatePrefix(j, path, [self](const std::string& name) { return self->tokenId(name); }));
    t->addFile(path);
    return t;
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

void ByteLevelBpe::encodePiece(std::string_view piece, std::vector<int32_t>& out) const
{
    std::string word;
    for (unsigned char c : piece)
        word += m_byteToUnicode[c];
    if (const auto it = m_cache.find(word); it != m_cache.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        return;
    }
    std::vector<int32_t> ids;
    if (const auto whole = m_tokenToId.find(word); m_ignoreMerges && whole != m_tokenToId.end()) {
        out.push_back(whole->second);
        return;
    }
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

void ByteLevelBpe::encodeOrdinary(std::string_view text, std::vector<int32_t>& out) const
{
    // Pieces are the regex's matches and, for a Split pattern, the text between them.
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    PCRE2_SIZE start = 0;
    while (start < text.size()) {
        const int rc = pcre2_match(m_regex->code, subject, text.size(), start, 0, m_regex->match, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw Error("tokenizer: the text is not valid UTF-8");
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m_regex->match);
        if (ov[0] > start)
            encodePiece(text.substr(start, ov[0] - start), out);
        if (ov[1] == ov[0]) { // an empty match cannot advance: the next code point joins the gap
            start = ov[0];
            size_t next = start + 1;
            while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80)
                ++next;
            encodePiece(text.substr(start, next - start), out);
            start = next;
            continue;
        }
        encodePiece(text.substr(ov[0], ov[1] - ov[0]), out);
        start = ov[1];
    }
    if (start < text.size())
        encodePiece(text.substr(start), out);
}

std::vector<int32_t> ByteLevelBpe::encode(std::string_view text) const
{
    std::vector<int32_t> out = prefix();
    std::string withSpace;
    if (m_addPrefixSpace && !text.empty() && text[0] != ' ') {
        withSpace = " " + std::string(text);
        text = withSpace;
    }
    // Added tokens ("<|endoftext|>", "<|im_start|>") are matched in the raw text, longest first.
    m_addedTokens.split(
        text,
        [&](std::string_view plain) {
            if (m_nfc) // Qwen2: each piece between added tokens in Unicode's composed form
                encodeOrdinary(nfcOf(plain), out);
            else
                encodeOrdinary(plain, out);
        },
        [&](int32_t id) { out.push_back(id); });
    return out;
}

std::string ByteLevelBpe::decode(const std::vector<int32_t>& ids) const
{
    std::string out;
    for (int32_t id : ids) {
        const std::string& token = tokenText(id);
        if (m_addedTokens.special.count(id))
            continue;
        if (m_addedTokens.ids.count(id)) {
            out += token;
            continue;
        }
        for (const std::string& cp : codePoints(token)) {
            const auto it = m_unicodeToByte.find(cp);
            if (it != m_unicodeToByte.end())
                out += char(it->second);
            else
                out += cp;
        }
    }
    return out;
}

} // namespace cotlab::text
