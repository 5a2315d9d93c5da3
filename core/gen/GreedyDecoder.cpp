#include "gen/GreedyDecoder.h"

#include "util/Error.h"

namespace cotlab::gen {

namespace {

int32_t pick(const torch::Tensor& logits, const DecodingOptions& o, torch::Generator& rng)
{
    // logits [vocab]
    if (o.greedy || o.temperature <= 0.0)
        return int32_t(logits.argmax().item<int64_t>());
    auto probs = torch::softmax(logits.to(torch::kFloat64) / o.temperature, -1);
    if (o.topP < 1.0) {
        auto [sorted, order] = probs.sort(-1, /*descending=*/true);
        auto cumulative = sorted.cumsum(-1);
        // Keep tokens until the mass before them reaches topP (the first token is always kept).
        auto drop = (cumulative - sorted) >= o.topP;
        sorted = sorted.masked_fill(drop, 0.0);
        probs = torch::zeros_like(probs).scatter(-1, order, sorted);
    }
    return int32_t(torch::multinomial(probs, 1, false, rng).item<int64_t>());
}

void checkIds(const nn::CausalLm& model, const std::vector<int32_t>& ids)
{
    for (int32_t id : ids)
        if (id < 0 || id >= model.vocabSize())
            throw Error("token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                        std::to_string(model.vocabSize()) + " tokens: do the tokenizer and the model belong together?");
}

} // namespace

std::vector<int32_t> decode(nn::CausalLm& model, const std::vector<int32_t>& prompt, const DecodingOptions& o)
{
    if (prompt.empty())
        throw Error("decoding needs at least one prompt token (BOS)");
    checkIds(model, prompt);
    torch::NoGradGuard noGrad;
    auto rng = at::detail::createCPUGenerator(o.seed);
    std::vector<int32_t> out;
    std::vector<int64_t> seq(prompt.begin(), prompt.end());
    nn::KvCache cache;
    torch::Tensor input = torch::tensor(seq, torch::kInt64).unsqueeze(0); // [1, prompt]
    for (int64_t step = 0; step < o.maxNewTokens; ++step) {
        if (int64_t(seq.size()) >= model.maxSeqLen())
            break;
        torch::Tensor logits = o.useCache ? model.forward(input, &cache) : model.forward(input); // [1, seq, vocab]
        const int32_t next = pick(logits[0][logits.size(1) - 1], o, rng);
        out.push_back(next);
        if (next == o.stopToken)
            break;
        seq.push_back(next);
        input = o.useCache ? torch::tensor(std::vector<int64_t>{next}, torch::kInt64).unsqueeze(0)
                           : torch::tensor(seq, torch::kInt64).unsqueeze(0);
    }
    return out;
}

std::vector<int32_t> greedyDecode(nn::CausalLm& model, const std::vector<int32_t>& prompt, int64_t maxNewTokens,
                                  bool useCache, int32_t stopToken)
{
    DecodingOptions o;
    o.maxNewTokens = maxNewTokens;
    o.useCache = useCache;
    o.stopToken = stopToken;
    return decode(model, prompt, o);
}

std::vector<std::vector<int32_t>>
greedyDecodeBatch(nn::CausalLm& model, const std::vector<std::vector<int32_t>>& prompts, int64_t maxNewTokens)
{
    if (prompts.empty())
        return {};
    const size_t len = prompts.front().size();
    std::vector<int64_t> flat;
    for (const auto& p : prompts) {
        if (p.size() != len || p.empty())
            throw Error("batched decoding needs non-empty prompts of equal length");
        checkIds(model, p);
        flat.insert(flat.end(), p.begin(), p.end());
    }
    torch::NoGradGuard noGrad;
    const auto batch = int64_t(prompts.size());
    std::vector<std::vector<int32_t>> out(prompts.size());
    nn::KvCache cache;
    torch::Tensor input = torch::tensor(flat, torch::kInt64).view({batch, int64_t(len)}); // [batch, prompt]
    for (int64_t step = 0; step < maxNewTokens && int64_t(len) + step < model.maxSeqLen(); ++step) {
        auto logits = model.forward(input, &cache);                  // [batch, seq, vocab]
        auto next = logits.select(1, logits.size(1) - 1).argmax(-1); // [batch]
        auto acc = next.accessor<int64_t, 1>();
        for (int64_t b = 0; b < batch; ++b)
            out[size_t(b)].push_back(int32_t(acc[b]));
        input = next.unsqueeze(1); // [batch, 1]
    }
    return out;
}

std::vector<double> scoreContinuation(nn::CausalLm& model, const std::vector<int32_t>& prompt,
                                      const std::vector<int32_t>& continuation)
{
    if (prompt.empty())
        throw Error("scoring needs at least one prompt token (BOS)");
    checkIds(model, prompt);
    checkIds(model, continuation);
    torch::NoGradGuard noGrad;
    std::vector<int64_t> seq(prompt.begin(), prompt.end());
    seq.insert(seq.end(), continuation.begin(), continuation.end());
    if (int64_t(seq.size()) > model.maxSeqLen())
        throw Error("prompt and continuation are " + std::to_string(seq.size()) +
                    " tokens, more than the model's context of " + std::to_string(model.maxSeqLen()));
    auto logits = model.forward(torch::tensor(seq, torch::kInt64).unsqueeze(0))[0]; // [seq, vocab]
    // Token t of the continuation is predicted at position prompt + t - 1.
    auto logProbs = torch::log_softmax(
        logits.narrow(0, int64_t(prompt.size()) - 1, int64_t(continuation.size())).to(torch::kFloat64),
        -1); // [cont, vocab]
    auto targets = torch::tensor(std::vector<int64_t>(continuation.begin(), continuation.end())).unsqueeze(1);
    auto picked = logProbs.gather(1, targets).squeeze(1).contiguous(); // [cont]
    return std::vector<double>(picked.data_ptr<double>(), picked.data_ptr<double>() + picked.numel());
}

} // namespace cotlab::gen
