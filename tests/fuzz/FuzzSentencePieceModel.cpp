// A SentencePiece tokenizer.model (text/SentencePieceTokenizer: protobuf read by hand), then a text encoded and
// decoded with it.
#include "FuzzInput.h"
#include "text/SentencePieceTokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto tokenizer =
            cotlab::text::SentencePieceTokenizer::fromFile(cotlab::fuzz::writeInput(data, size, "tokenizer.model"));
        tokenizer->decode(tokenizer->encode("Q: 23 + 19? A: Let's think step by step. 42 \xc3\xa9\xe2\x80\x94"));
    } catch (const cotlab::Error&) {
    }
    return 0;
}
