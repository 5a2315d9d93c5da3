// A Hugging Face tokenizer.json (text/ByteLevelBpe), then a short text encoded and decoded with what it loaded.
#include "FuzzInput.h"
#include "text/ByteLevelBpe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto tokenizer =
            cotlab::text::ByteLevelBpe::fromTokenizerJson(cotlab::fuzz::writeInput(data, size, "tokenizer.json"));
        tokenizer->decode(tokenizer->encode("Q: 23 + 19? A: Let's think step by step. 42 \xc3\xa9\xe2\x80\x94"));
    } catch (const cotlab::Error&) {
    }
    return 0;
}
