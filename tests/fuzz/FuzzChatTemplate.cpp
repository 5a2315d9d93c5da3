// A model folder's tokenizer_config.json as text::ChatTemplate reads its chat_template (a string or a named list,
// with bos/eos tokens; Jinja parsed by minja, the reasoning probes rendered), then a conversation of every role,
// a <think> trace, CJK and several turns rendered with the generation prompt.
#include "FuzzInput.h"
#include "text/ChatTemplate.h"
#include "util/Error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto chat =
            cotlab::text::ChatTemplate::fromFolder(cotlab::fuzz::writeInput(data, size, "tokenizer_config.json"));
        if (chat)
            chat->render({{"system", "Be brief."},
                          {"user", "What is 7 * 8?"},
                          {"assistant", "<think>\n7 * 8 = 56.\n</think>\n\n56"},
                          {"user", "日本語で? 🤖"}},
                         true);
    } catch (const cotlab::Error&) {
    }
    return 0;
}
