#include "text/MetaspaceBpe.h"

#include "util/Error.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <queue>

namespace cotlab::text {

namespace {

using nlohmann::json;

Error unsupported(const std::string& path, const std::string& what)
{
    return Error(path + ": " + what +
                 " is not supported in a SentencePiece-style (Metaspace/byte_fallback) BPE "
                 "tokenizer.json; a tokenizer.model beside it is read instead when present");
}

size_t codePointLength(unsigned char lead)
{
    return lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : 4;
}

uint64_t pairKey(int32_t left, int32_t right)
{
    return (uint64_t(uint32_t(left)) << 32) | uint32_t(right);
}

bool isMetaspace(const json& p)
{
    return p.is_object() && p.value("type", "") == "Metaspace";
}

void replaceAll(std::string& s, const std::string& from, const std::string& to)
{
    if (from.empty())
        return;
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

} // namespace

bool MetaspaceBpe::describes(const json& j)
{
    if (!j.is_object())
        return false;
    if (j.contains("model") && j["model"].is_object() && j["model"].value("byte_fallback", false))
        return true;
    const json pre = j.value("pre_tokenizer", json());
    // One copy of the list: begin() and end() of two copies are iterators of different containers (nlohmann
    // throws), which refused every tokenizer.json with a Sequence pre-tokenizer (Qwen2, Llama 3).
    const json pieces = pre.is_object() ? pre.value("pretokenizers", json::array()) : json::array();
    if (isMetaspace(pre) || (pre.is_object() && pre.value("type", "") == "Sequence" &&
                             std::any_of(pieces.begin(), pieces.end(), isMetaspace)))
        return true;
    const std::string normalizer = j.value("normalizer", json()).dump();
    return normalizer.find("\"Prepend\"") != std::string::npos;
}

void MetaspaceBpe::readNormalizer(const json& j, const std::string& path)
{
    const json n = j.value("normalizer", json());
    if (n.is_null())
        return;
    std::vector<json> parts;
    if (n.is_object() && n.value("type", "") == "Sequence")
        parts = n.value("normalizers", json::array()).get<std::vector<json>>();
    else
        parts.push_back(n);
    for (const json& p : parts) {
        const std::string type = p.is_object() ? p.value("type", "") : "";
        if (type == "Prepend" && p.contains("prepend") && p["prepend"].is_string()) {
            m_prepend = p["prepend"].get<std::string>();
        } else if (type == "Replace" && p.contains("pattern") && p["pattern"].is_object() &&
                   p["pattern"].contains("String") && p["pattern"]["String"].is_string() && p.contains("content") &&
                   p["content"].is_string()) {
            m_replace.emplace_back(p["pattern"]["String"].get<std::string>(), p["content"].get<std::string>());
        } else {
            throw unsupported(path, "normalizer '" + (type.empty() ? p.dump() : type) + "'");
        }
    }
}

void MetaspaceBpe::readPreTokenizer(const json& j, const std::string& path)
{
    json pre = j.value("pre_tokenizer", json());
    if (pre.is_object() && pre.value("type", "") == "Sequence" && pre.value("pretokenizers", json::array()).size() == 1)
        pre = pre["pretokenizers"][0];
    if (pre.is_null())
        return;
    if (!isMetaspace(pre))
        throw unsupported(path, "pre-tokenizer '" + (pre.is_object() ? pre.value("type", "") : pre.dump()) + "'");
    const std::string replacement = pre.value("replacement", std::string("\xE2\x96\x81"));
    const std::string scheme =
        pre.value("prepend_scheme", std::string(pre.value("add_prefix_space", true) ? "always" : "never"));
    m_replace.emplace_back(" ", replacement);
    if (scheme != "never") {
        m_prepend = replacement;
        m_prependIfMissing = true; // Metaspace adds the "▁" only where the piece does not start with one
        m_prependFirstOnly = scheme == "first";
    }
    m_splitWords = pre.value("split", true);
}

void MetaspaceBpe::readDecoder(const json& j)
{
    const json d = j.value("decoder", json());
    std::vector<json> parts;
    if (d.is_object() && d.value("type", "") == "Sequence")
        parts = d.value("decoders", json::array()).get<std::vector<json>>();
    else if (d.is_object())
        parts.push_back(d);
    for (const json& p : parts) {
        if (!p.is_object())
            continue;
        if (p.value("type", "") == "Strip" && p.value("content", "") == " " && p.contains("start") &&
            p["start"].is_number_integer())
            m_stripLeading = std::clamp(p["start"].get<int>(), 0, 8);
        if (isMetaspace(p) &&
            p.value("prepend_scheme", std::string(p.value("add_prefix_space", true) ? "always" : "never")) != "never")
            m_stripLeading = 1;
    }
}

void MetaspaceBpe::readModel(const json& model, const std::string& path)
{
    if (model.value("type", "BPE") != "BPE")
        throw unsupported(path, "model type '" + model.value("type", "") + "'");
    if (!model.contains("vocab") || !model["vocab"].is_object() || !model.contains("merges") ||
        !model["merges"].is_array())
        throw Error(path + ": model.vocab (object) and model.merges (array) are required");
    addVocabulary(model["vocab"], path + ": model.vocab token '");
    int32_t rank = 0;
    for (const auto& m : model["merges"]) {
        std::string left, right; // "left right", or ["left", "right"] in newer files
        if (m.is_string()) {
            const std::string merge = m.get<std::string>();
            const size_t space = merge.find(' ');
            if (space != std::string::npos) {
                left = merge.substr(0, space);
                right = merge.substr(space + 1);
            }
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            left = m[0].get<std::string>();
            right = m[1].get<std::string>();
        }
        const int32_t a = tokenId(left), b = tokenId(right), merged = tokenId(left + right);
        if (left.empty() || right.empty() || a < 0 || b < 0 || merged < 0)
            throw Error(path + ": model.merges entry " + std::to_string(rank) +
                        " is not a pair of vocabulary tokens whose join is one too");
        m_merges.emplace(pairKey(a, b), std::make_pair(rank++, merged));
    }
    m_byteFallback = model.value("byte_fallback", false);
    m_fuseUnk = model.value("fuse_unk", false);
    if (model.contains("unk_token") && model["unk_token"].is_string())
        m_unk = tokenId(model["unk_token"].get<std::string>());
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        m_byteIds[b] = tokenId(name);
        if (m_byteIds[b] >= 0)
            m_byteOfId.emplace(m_byteIds[b], static_cast<unsigned char>(b));
    }
}

std::unique_ptr<MetaspaceBpe> MetaspaceBpe::fromTokenizerJson(const json& j, const std::string& path)
{
    if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
        throw Error(path + ": no \"model\" object: not a Hugging Face tokenizer.json");
    std::unique_ptr<MetaspaceBpe> t(new MetaspaceBpe);
    t->readModel(j["model"], path);
    t->readNormalizer(j, path);
    t->readPreTokenizer(j, path);
    t->readDecoder(j);
    MetaspaceBpe* self = t.get();
    t->m_addedTokens =
        readAddedTokens(j, path, [self](const std::string& content, int32_t id) { self->addToken(content, id); });
    t->setPrefix(templatePrefix(j, path, [self](const std::string& name) { return self->tokenId(name); }));
    t->addFile(path);
    return t;
}

std::string MetaspaceBpe::normalize(std::string_view segment, bool first) const
{
    std::string s(segment);
    for (const auto& [from, to] : m_replace)
        replaceAll(s, from, to);
    const bool prepend = !m_prepend.empty() && !s.empty() && (first || !m_prependFirstOnly) &&
                         !(m_prependIfMissing && s.compare(0, m_prepend.size(), m_prepend) == 0);
    return prepend ? m_prepend + s : s;
}

// BPE over the code points of one word, merges applied lowest rank first (leftmost first among equal ranks), as
// Hugging Face's BPE model does; a heap of candidate pairs keeps long words (a whole rationale) near-linear.
void MetaspaceBpe::encodeWord(std::string_view word, std::vector<int32_t>& out) const
{
    struct Symbol {
        int32_t id;
        int prev, next;
        bool alive = true;
    };
    std::vector<Symbol> symbols;
    bool lastWasUnk = false;
    for (size_t i = 0; i < word.size();) {
        const size_t len = std::min(codePointLength(static_cast<unsigned char>(word[i])), word.size() - i);
        const std::string cp(word.substr(i, len));
        i += len;
        std::vector<int32_t> ids;
        if (const int32_t id = tokenId(cp); id >= 0) {
            ids.push_back(id);
        } else if (m_byteFallback && std::all_of(cp.begin(), cp.end(), [&](char c) {
                       return m_byteIds[static_cast<unsigned char>(c)] >= 0;
                   })) {
            for (char c : cp)
                ids.push_back(m_byteIds[static_cast<unsigned char>(c)]);
        } else if (m_unk >= 0) {
            if (m_fuseUnk && lastWasUnk)
                continue;
            ids.push_back(m_unk);
        } else {
            throw Error("tokenizer: '" + cp + "' is not in the vocabulary, which has no <unk> token");
        }
        lastWasUnk = ids.size() == 1 && ids[0] == m_unk;
        for (int32_t id : ids)
            symbols.push_back({id, int(symbols.size()) - 1, int(symbols.size()) + 1});
    }
    if (symbols.empty())
        return;
    symbols.back().next = -1;

    struct Candidate {
        int32_t rank;
        int pos;
        int32_t merged;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
    const auto consider = [&](int left) {
        const int right = symbols[size_t(left)].next;
        if (right < 0)
            return;
        const auto it = m_merges.find(pairKey(symbols[size_t(left)].id, symbols[size_t(right)].id));
        if (it != m_merges.end())
            heap.push({it->second.first, left, it->second.second});
    };
    for (int k = 0; k + 1 < int(symbols.size()); ++k)
        consider(k);
    while (!heap.empty()) {
        const Candidate c = heap.top();
        heap.pop();
        Symbol& left = symbols[size_t(c.pos)];
        if (!left.alive || left.next < 0)
            continue;
        Symbol& right = symbols[size_t(left.next)];
        const auto it = m_merges.find(pairKey(left.id, right.id));
        if (it == m_merges.end() || it->second.first != c.rank || it->second.second != c.merged)
            continue; // stale: one side has merged since
        left.id = c.merged;
        right.alive = false;
        left.next = right.next;
        if (left.next >= 0)
            symbols[size_t(left.next)].prev = c.pos;
        if (left.prev >= 0)
            consider(left.prev);
        consider(c.pos);
    }
    for (int k = 0; k >= 0; k = symbols[size_t(k)].next)
        out.push_back(symbols[size_t(k)].id);
}

std::vector<int32_t> MetaspaceBpe::encode(std::string_view text) const
{
    std::vector<int32_t> out = prefix();
    bool first = true;
    m_addedTokens.split(
        text,
        [&](std::string_view plain) {
            const std::string normalized = normalize(plain, first);
            first = false;
            if (!m_splitWords) {
                encodeWord(normalized, out);
                return;
            }
            const std::string& space = m_replace.empty() ? m_prepend : m_replace.front().second;
            size_t start = 0; // a word begins at each "▁" (Metaspace's split, merged with the next)
            for (size_t at = normalized.find(space, 1); !space.empty() && at != std::string::npos;
                 at = normalized.find(space, at + space.size())) {
                encodeWord(std::string_view(normalized).substr(start, at - start), out);
                start = at;
            }
            encodeWord(std::string_view(normalized).substr(start), out);
        },
        [&](int32_t id) {
            out.push_back(id);
            first = false;
        });
    return out;
}

std::string MetaspaceBpe::decodeTokens(const std::vector<int32_t>& ids, bool stripLeading) const
{
    std::string out;
    for (int32_t id : ids) {
        const std::string& token = tokenText(id);
        if (m_addedTokens.special.count(id))
            continue;
        if (const auto byte = m_byteOfId.find(id); m_byteFallback && byte != m_byteOfId.end()) {
            out += char(byte->second);
            continue;
        }
        std::string piece = token;
        for (const auto& [from, to] : m_replace)
            replaceAll(piece, to, from); // "▁" back to " "
        if (m_replace.empty() && !m_prepend.empty())
            replaceAll(piece, m_prepend, " ");
        out += piece;
    }
    for (int k = 0; stripLeading && k < m_stripLeading && !out.empty() && out.front() == ' '; ++k)
        out.erase(0, 1);
    return out;
}

std::string MetaspaceBpe::decode(const std::vector<int32_t>& ids) const
{
    return decodeTokens(ids, true);
}

std::string MetaspaceBpe::decodeAfter(const std::vector<int32_t>& context, const std::vector<int32_t>& ids) const
{
    const bool textBefore =
        std::any_of(context.begin(), context.end(), [&](int32_t id) { return !m_addedTokens.special.count(id); });
    return decodeTokens(ids, !textBefore);
}

} // namespace cotlab::text
