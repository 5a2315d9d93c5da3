// A llama2.c tokenizer.bin (text/Llama2cTokenizer), for the vocabulary size its checkpoint gives, then a text
// encoded and decoded with it.
#include "FuzzInput.h"
#include "text/Llama2cTokenizer.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
        return 0;
    const int32_t vocabSize = std::max(1, int32_t(data[0]) * 4); // 1..1020; the rest of the input is the file
    try {
        const auto tokenizer = cotlab::text::Llama2cTokenizer::fromFile(
            cotlab::fuzz::writeInput(data + 1, size - 1, "tok.bin"), vocabSize);
        tokenizer.decode(tokenizer.encode("Q: 23 + 19? A: Let's think step by step. 42 \xc3\xa9"));
    } catch (const cotlab::Error&) {
    }
    return 0;
}
