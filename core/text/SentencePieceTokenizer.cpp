#include "text/SentencePieceTokenizer.h"

#include "util/Error.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace cotlab::text {

namespace {

const std::string kSpace = "\xE2\x96\x81"; // U+2581, SentencePiece's visible space

// Just enough of the protobuf wire format for ModelProto: varints, 32-bit floats, length-delimited fields.
class ProtoReader {
public:
    ProtoReader(std::string_view data, const std::string& file) : m_data(data), m_file(file) {}
    bool atEnd() const { return m_pos >= m_data.size(); }

    uint64_t varint()
    {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (atEnd())
                fail("truncated varint");
            const auto byte = static_cast<unsigned char>(m_data[m_pos++]);
            v |= uint64_t(byte & 0x7F) << shift;
            if (!(byte & 0x80))
                return v;
        }
        fail("varint too long");
    }
    std::string_view bytes()
    {
        const uint64_t n = varint();
        if (n > m_data.size() - m_pos)
            fail("field runs past the end of the file");
        auto out = m_data.substr(m_pos, size_t(n));
        m_pos += size_t(n);
        return out;
    }
    float fixed32()
    {
        if (m_data.size() - m_pos < 4)
            fail("truncated float");
        float f;
        std::memcpy(&f, m_data.data() + m_pos, 4);
        m_pos += 4;
        return f;
    }
    void skip(uint32_t wireType)
    {
        switch (wireType) {
        case 0:
            varint();
            break;
        case 1:
            m_pos += 8;
            break;
        case 2:
            bytes();
            break;
        case 5:
            m_pos += 4;
            break;
        default:
            fail("unknown wire type " + std::to_string(wireType));
        }
        if (m_pos > m_data.size())
            fail("field runs past the end of the file");
    }
    [[noreturn]] void fail(const std::string& what) const
    {
        throw Error(m_file + ": not a SentencePiece model (" + what + " at byte " + std::to_string(m_pos) + ")");
    }

private:
    std::string_view m_data;
    size_t m_pos = 0;
    std::string m_file;
};

size_t utf8Length(unsigned char lead)
{
    return lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
}

} // namespace

namespace {

// What a model's TrainerSpec and NormalizerSpec say that the tokenizer needs.
struct ModelSpec {
    int modelType = 1; // unigram unless the trainer spec says otherwise
    int32_t bos = 1, eos = 2;
    std::string normalizer;
    bool charsMap = false;
};

} // namespace

SentencePieceTokenizer::Piece SentencePieceTokenizer::readPiece(std::string_view bytes, const std::string& path)
{
    ProtoReader p(bytes, path);
    Piece piece;
    while (!p.atEnd()) {
        const uint64_t tag = p.varint();
        if ((tag >> 3) == 1 && (tag & 7) == 2)
            piece.text = std::string(p.bytes());
        else if ((tag >> 3) == 2 && (tag & 7) == 5)
            piece.score = p.fixed32();
        else if ((tag >> 3) == 3 && (tag & 7) == 0)
            piece.type = Type(p.varint());
        else
            p.skip(uint32_t(tag & 7));
    }
    return piece;
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::fromFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open SentencePiece model");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string data = buffer.str();
    std::unique_ptr<SentencePieceTokenizer> t(new SentencePieceTokenizer);
    ModelSpec spec;
    ProtoReader model(data, path);
    while (!model.atEnd()) {
        const uint64_t tag = model.varint();
        const auto field = uint32_t(tag >> 3), wire = uint32_t(tag & 7);
        if (field == 1 && wire == 2) // repeated SentencePiece pieces
            t->m_pieces.push_back(readPiece(model.bytes(), path));
        else if (field == 2 && wire == 2) // TrainerSpec
            t->readTrainerSpec(model.bytes(), path, spec.modelType, spec.bos, spec.eos);
        else if (field == 3 && wire == 2) // NormalizerSpec
            t->readNormalizerSpec(model.bytes(), path, spec.normalizer, spec.charsMap);
        else
            model.skip(wire);
    }
    if (t->m_pieces.empty())
        throw Error(path + ": not a SentencePiece model (no pieces)");
    if (spec.modelType != 2)
        throw Error(path + ": only SentencePiece BPE models are supported (this one is " +
                    (spec.modelType == 1 ? std::string("unigram") : "type " + std::to_string(spec.modelType)) + ")");
    if (spec.charsMap && spec.normalizer != "identity")
        throw Error(path + ": the SentencePiece normaliser '" + spec.normalizer +
                    "' (a precompiled character map) is not supported; identity is");
    t->indexPieces();
    const auto n = int32_t(t->m_pieces.size());
    t->setSpecialIds(spec.bos >= 0 && spec.bos < n ? spec.bos : -1, spec.eos >= 0 && spec.eos < n ? spec.eos : -1);
    t->addFile(path);
    return t;
}

void SentencePieceTokenizer::readTrainerSpec(std::string_view bytes, const std::string& path, int& modelType,
                                             int32_t& bos, int32_t& eos)
{
    ProtoReader s(bytes, path);
    while (!s.atEnd()) {
        const uint64_t tag = s.varint();
        const auto f = uint32_t(tag >> 3);
        if ((tag & 7) != 0) {
            s.skip(uint32_t(tag & 7));
            continue;
        }
        const auto v = int64_t(s.varint());
        if (f == 3)
            modelType = int(v);
        else if (f == 35)
            m_byteFallback = v != 0;
        else if (f == 40)
            m_unk = int32_t(v);
        else if (f == 41)
            bos = int32_t(v);
        else if (f == 42)
            eos = int32_t(v);
    }
}

void SentencePieceTokenizer::readNormalizerSpec(std::string_view bytes, const std::string& path,
                                                std::string& normalizer, bool& charsMap)
{
    ProtoReader s(bytes, path);
    while (!s.atEnd()) {
        const uint64_t tag = s.varint();
        const auto f = uint32_t(tag >> 3);
        if (f == 1 && (tag & 7) == 2)
            normalizer = std::string(s.bytes());
        else if (f == 2 && (tag & 7) == 2)
            charsMap = !s.bytes().empty();
        else if (f == 3 && (tag & 7) == 0)
            m_addDummyPrefix = s.varint() != 0;
        else if (f == 4 && (tag & 7) == 0)
            m_removeExtraWhitespaces = s.varint() != 0;
        else if (f == 5 && (tag & 7) == 0)
            m_escapeWhitespaces = s.varint() != 0;
        else
            s.skip(uint32_t(tag & 7));
    }
}

// Byte pieces by byte value, and the pieces merges may produce.
void SentencePieceTokenizer::indexPieces()
{
    std::fill(std::begin(m_byteIds), std::end(m_byteIds), -1);
    for (size_t id = 0; id < m_pieces.size(); ++id) {
        const Piece& p = m_pieces[id];
        unsigned int byte = 0;
        if (p.type == Type::Byte && std::sscanf(p.text.c_str(), "<0x%02X>", &byte) == 1 && byte < 256)
            m_byteIds[byte] = int32_t(id);
        else if (p.type == Type::Normal || p.type == Type::UserDefined)
            m_mergeable.emplace(p.text, int32_t(id));
    }
}

std::vector<int32_t> SentencePieceTokenizer::encode(std::string_view text) const
{
    // Normalise: optional whitespace clean-up, dummy prefix, spaces made visible.
    std::string s(text);
    if (m_removeExtraWhitespaces) {
        std::string collapsed;
        for (char c : s)
            if (c != ' ' || (!collapsed.empty() && collapsed.back() != ' '))
                collapsed += c;
        while (!collapsed.empty() && collapsed.back() == ' ')
            collapsed.pop_back();
        s = collapsed;
    }
    std::vector<int32_t> out;
    if (bosId() >= 0)
        out.push_back(bosId());
    if (s.empty())
        return out;
    if (m_addDummyPrefix)
        s.insert(0, " ");
    std::string normalized;
    for (char c : s)
        normalized += (c == ' ' && m_escapeWhitespaces) ? kSpace : std::string(1, c);

    // Symbols start as characters; the adjacent pair whose union is the best-scoring piece merges first
    // (leftmost on ties), until no pair is a piece.
    std::vector<std::string> symbols;
    for (size_t i = 0; i < normalized.size();) {
        const size_t len = std::min(utf8Length(static_cast<unsigned char>(normalized[i])), normalized.size() - i);
        symbols.push_back(normalized.substr(i, len));
        i += len;
    }
    for (;;) {
        float best = 0;
        size_t bestAt = symbols.size();
        for (size_t i = 0; i + 1 < symbols.size(); ++i) {
            const auto it = m_mergeable.find(symbols[i] + symbols[i + 1]);
            if (it == m_mergeable.end())
                continue;
            const float score = m_pieces[size_t(it->second)].score;
            if (bestAt == symbols.size() || score > best) {
                best = score;
                bestAt = i;
            }
        }
        if (bestAt == symbols.size())
            break;
        symbols[bestAt] += symbols[bestAt + 1];
        symbols.erase(symbols.begin() + std::ptrdiff_t(bestAt) + 1);
    }
    for (const std::string& sym : symbols) {
        if (const auto it = m_mergeable.find(sym); it != m_mergeable.end()) {
            out.push_back(it->second);
        } else if (m_byteFallback) {
            for (unsigned char b : sym)
                out.push_back(m_byteIds[b] >= 0 ? m_byteIds[b] : m_unk);
        } else {
            out.push_back(m_unk);
        }
    }
    return out;
}

std::string SentencePieceTokenizer::decodePieces(const std::vector<int32_t>& ids, bool atStart) const
{
    std::string out;
    for (int32_t id : ids) {
        if (id < 0 || id >= vocabSize())
            throw Error("token id " + std::to_string(id) + " is outside the vocabulary (" +
                        std::to_string(vocabSize()) + " tokens)");
        const Piece& p = m_pieces[size_t(id)];
        if (p.type == Type::Control)
            continue;
        if (p.type == Type::Unknown) {
            out += " \xE2\x81\x87 "; // SentencePiece's unknown surface
            continue;
        }
        unsigned int byte = 0;
        if (p.type == Type::Byte && std::sscanf(p.text.c_str(), "<0x%02X>", &byte) == 1) {
            out += char(byte);
            continue;
        }
        for (size_t i = 0; i < p.text.size();) {
            if (p.text.compare(i, kSpace.size(), kSpace) == 0) {
                out += ' ';
                i += kSpace.size();
            } else {
                out += p.text[i++];
            }
        }
    }
    if (atStart && m_addDummyPrefix && !out.empty() && out[0] == ' ')
        out.erase(0, 1);
    return out;
}

std::string SentencePieceTokenizer::piece(int32_t id) const
{
    return id >= 0 && size_t(id) < m_pieces.size() ? m_pieces[size_t(id)].text : std::string();
}

std::string SentencePieceTokenizer::decode(const std::vector<int32_t>& ids) const
{
    return decodePieces(ids, true);
}

std::string SentencePieceTokenizer::decodeAfter(const std::vector<int32_t>& context,
                                                const std::vector<int32_t>& ids) const
{
    // Only a continuation of nothing (or of BOS alone) loses the dummy prefix's space.
    bool atStart = true;
    for (int32_t id : context)
        if (id >= 0 && id < vocabSize() && m_pieces[size_t(id)].type != Type::Control)
            atStart = false;
    return decodePieces(ids, atStart);
}

} // namespace cotlab::text
