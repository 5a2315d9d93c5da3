#include "gen/TextGeneration.h"

#include "util/Error.h"

namespace cotlab::gen {

namespace {

// Where the first stop string starts in text, or npos.
size_t firstStop(const std::string& text, const std::vector<std::string>& stops)
{
    size_t at = std::string::npos;
    for (const std::string& s : stops)
        if (!s.empty())
            at = std::min(at, text.find(s));
    return at;
}

} // namespace

std::vector<Generation> generate(nn::CausalLm& model, const text::Tokenizer& tokenizer,
                                 const std::vector<std::string>& prompts, const GenerationOptions& options)
{
    std::vector<std::vector<int32_t>> ids;
    for (const std::string& p : prompts) {
        ids.push_back(options.templatedPrompts ? tokenizer.encodeTemplated(p) : tokenizer.encode(p));
        if (ids.back().empty()) {
            if (tokenizer.bosId() < 0)
                throw Error("a prompt is empty and this tokenizer has no BOS token to start from");
            ids.back().push_back(tokenizer.bosId());
        }
    }
    DecodingOptions o = options.decoding;
    if (o.stopToken < 0)
        o.stopToken = tokenizer.eosId();
    if (tokenizer.eosId() >= 0)
        o.padToken = tokenizer.eosId(); // any id in the vocabulary; padding is never attended to
    const StopCheck stop =
        options.stopStrings.empty() ? StopCheck() : [&](size_t row, const std::vector<int32_t>& generated) {
            return firstStop(tokenizer.decodeAfter(ids[row], generated), options.stopStrings) != std::string::npos;
        };
    const auto tokens = decodeBatch(model, ids, o, stop);
    std::vector<Generation> out(prompts.size());
    for (size_t i = 0; i < prompts.size(); ++i) {
        Generation& g = out[i];
        g.tokens = tokens[i];
        std::vector<int32_t> body = g.tokens;
        if (!body.empty() && body.back() == o.stopToken) {
            body.pop_back();
            g.finish = FinishReason::Eos;
        }
        g.text = tokenizer.decodeAfter(ids[i], body);
        if (const size_t at = firstStop(g.text, options.stopStrings); at != std::string::npos) {
            g.text.resize(at);
            g.finish = FinishReason::StopString;
        }
    }
    return out;
}

double ScoredText::total() const
{
    double sum = 0;
    for (double v : logprobs)
        sum += v;
    return sum;
}

ScoredText scoreText(nn::CausalLm& model, const text::Tokenizer& tokenizer, const std::string& prompt,
                     const std::string& continuation)
{
    const auto promptIds = tokenizer.encode(prompt);
    const auto all = tokenizer.encode(prompt + continuation);
    size_t common = 0;
    while (common < promptIds.size() && common < all.size() && promptIds[common] == all[common])
        ++common;
    if (common == 0)
        throw Error("the prompt is empty and this model has no BOS token to condition on");
    ScoredText out;
    out.prompt.assign(all.begin(), all.begin() + std::ptrdiff_t(common));
    out.continuation.assign(all.begin() + std::ptrdiff_t(common), all.end());
    if (out.continuation.empty())
        throw Error("the continuation is empty after tokenisation");
    out.logprobs = scoreContinuation(model, out.prompt, out.continuation);
    return out;
}

} // namespace cotlab::gen
