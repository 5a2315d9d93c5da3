#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::text {

// What generation, scoring and training need of a model's tokenizer, whichever format it came in.
class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    // Ids as the model sees the text, with the BOS token when the tokenizer adds one. Text must be UTF-8.
    virtual std::vector<int32_t> encode(std::string_view text) const = 0;
    // Ids of text that already holds its special tokens (a chat template's output): without the BOS encode() adds, as
    // transformers tokenises a rendered chat template (add_special_tokens=False).
    std::vector<int32_t> encodeTemplated(std::string_view text) const;
    // Text of the ids, special tokens (BOS, EOS, padding) left out.
    virtual std::string decode(const std::vector<int32_t>& ids) const = 0;
    // Text of 'ids' when they follow 'context' (SentencePiece-style tokenizers drop the leading space of a
    // token that starts the text, not of one that continues it).
    virtual std::string decodeAfter(const std::vector<int32_t>& context, const std::vector<int32_t>& ids) const
    {
        (void)context;
        return decode(ids);
    }
    virtual int32_t vocabSize() const = 0;
    // The vocabulary's entry for id as the tokenizer's file spells it ("Ġthe", "▁the", "<0x0A>", "<|im_start|>");
    // '' outside the vocabulary.
    virtual std::string piece(int32_t id) const = 0;

    int32_t bosId() const { return m_bos; } // -1 when the tokenizer has none
    int32_t eosId() const { return m_eos; } // -1 when the tokenizer has none
    void setSpecialIds(int32_t bos, int32_t eos)
    {
        m_bos = bos;
        m_eos = eos;
    }
    // The files the tokenizer was read from (and its companions such as tokenizer_config.json).
    const std::vector<std::string>& files() const { return m_files; }
    void addFile(const std::string& path) { m_files.push_back(path); }
    // Copies those files into a model folder, so that a saved model carries its tokenizer.
    void saveTo(const std::string& folder) const;

private:
    int32_t m_bos = -1;
    int32_t m_eos = -1;
    std::vector<std::string> m_files;
};

// Loads the tokenizer of a model: from a Hugging Face folder (tokenizer.json, else tokenizer.model, else
// vocab.json + merges.txt, else llama2.c's tokenizer.bin), or from one file (tokenizer.json, a SentencePiece
// .model or a llama2.c .bin). vocabSize is the model's (llama2.c files do not record theirs). Errors name
// the folder or file and what is missing or wrong.
std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path, int32_t vocabSize);

} // namespace cotlab::text
