// A Hugging Face tokenizer.json as loadTokenizer reads one (text/ByteLevelBpe or text/MetaspaceBpe), then a short
// text encoded and decoded with what it loaded.
#include "FuzzInput.h"
#include "text/Tokenizer.h"
#include "util/Error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto tokenizer = cotlab::text::loadTokenizer(cotlab::fuzz::writeInput(data, size, "tokenizer.json"), 0);
        const auto ids = tokenizer->encode("Q: 23 + 19? A: Let's think  step by step.\n42 \xc3\xa9\xe2\x80\x94 <s>");
        tokenizer->decode(ids);
        tokenizer->decodeAfter(ids, ids);
    } catch (const cotlab::Error&) {
    }
    return 0;
}
