#pragma once

#include "text/Tokenizer.h"

#include <memory>
#include <string>
#include <unordered_map>

namespace cotlab::text {

// A SentencePiece BPE model file (tokenizer.model of Llama 2, TinyLlama, Mistral): pieces merged by score,
// byte fallback, the dummy-prefix and whitespace rules of its normaliser. encode() adds BOS as Hugging Face's
// Llama tokenizer does.
//
// The file (a protobuf ModelProto) is read here rather than through Debian's libsentencepiece: that library
// carries its own protobuf runtime, which crashes at start-up in a process that also loads libtorch's
// libprotobuf. tests/data/spm-bpe holds a model and encodings made by the library itself, which this reader
// reproduces (tests/data/make_spm_fixture.cpp).
class SentencePieceTokenizer : public Tokenizer {
public:
    // Throws cotlab::Error naming the file when it is missing, not a SentencePiece model, or a kind not read
    // here (unigram models, normalisers with a precompiled character map).
    static std::unique_ptr<SentencePieceTokenizer> fromFile(const std::string& path);

    std::vector<int32_t> encode(std::string_view text) const override;
    std::string decode(const std::vector<int32_t>& ids) const override;
    std::string decodeAfter(const std::vector<int32_t>& context, const std::vector<int32_t>& ids) const override;
    int32_t vocabSize() const override { return int32_t(m_pieces.size()); }
    std::string piece(int32_t id) const override;

private:
    enum class Type { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };
    struct Piece {
        std::string text;
        float score = 0;
        Type type = Type::Normal;
    };
    std::string decodePieces(const std::vector<int32_t>& ids, bool atStart) const;
    // The parts of a model file (a protobuf); errors name the file.
    static Piece readPiece(std::string_view bytes, const std::string& path);
    void readTrainerSpec(std::string_view bytes, const std::string& path, int& modelType, int32_t& bos, int32_t& eos);
    void readNormalizerSpec(std::string_view bytes, const std::string& path, std::string& normalizer, bool& charsMap);
    void indexPieces();

    std::vector<Piece> m_pieces;
    std::unordered_map<std::string, int32_t> m_mergeable; // normal and user-defined pieces
    int32_t m_byteIds[256];
    int32_t m_unk = 0;
    bool m_byteFallback = false;
    bool m_addDummyPrefix = true;
    bool m_removeExtraWhitespaces = true;
    bool m_escapeWhitespaces = true;
};

} // namespace cotlab::text
