#include "gen/Decoding.h"

#include "util/Error.h"

#include <algorithm>

namespace cotlab::gen {

namespace {

// Samples one token with temperature and top-p (greedy rows take the batch's argmax instead).
int32_t sample(const torch::Tensor& logits, const DecodingOptions& o, torch::Generator& rng)
{
    // logits [vocab]
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

std::vector<std::vector<int32_t>> decodeBatch(nn::CausalLm& model, const std::vector<std::vector<int32_t>>& prompts,
                                              const DecodingOptions& o, const StopCheck& stop)
{
    if (prompts.empty())
        return {};
    size_t longest = 0;
    for (const auto& p : prompts) {
        if (p.empty())
            throw Error("decoding needs at least one prompt token (BOS) in every prompt");
        checkIds(model, p);
        longest = std::max(longest, p.size());
    }
    checkIds(model, {o.padToken});
    const auto batch = int64_t(prompts.size());
    const auto width = int64_t(longest);
    std::vector<int64_t> flat, pads;
    for (const auto& p : prompts) {
        pads.push_back(width - int64_t(p.size()));
        flat.insert(flat.end(), size_t(pads.back()), o.padToken);
        flat.insert(flat.end(), p.begin(), p.end());
    }
    torch::NoGradGuard noGrad;
    const auto device = nn::modelDevice(model);
    auto rng = at::detail::createCPUGenerator(o.seed);
    const bool sampling = !o.greedy && o.temperature > 0.0;
    nn::KvCache cache;
    cache.lastLogitsOnly = true;
    const bool padded = std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p > 0; });
    if (padded)
        cache.padLengths = torch::tensor(pads, torch::kInt64).to(device);                   // [batch]
    torch::Tensor all = torch::tensor(flat, torch::kInt64).view({batch, width}).to(device); // [batch, width]
    torch::Tensor input = all;
    std::vector<std::vector<int32_t>> out(prompts.size());
    std::vector<bool> finished(prompts.size(), false);
    size_t running = prompts.size();
    for (int64_t step = 0; step < o.maxNewTokens && width + step < model.maxSeqLen() && running > 0; ++step) {
        torch::Tensor logits;
        if (o.useCache) {
            logits = model.forward(input, &cache); // [batch, seq, vocab]
        } else {
            nn::KvCache fresh; // recompute from scratch, same padding
            fresh.padLengths = cache.padLengths;
            fresh.lastLogitsOnly = true;
            logits = model.forward(all, &fresh);
        }
        auto last = logits.select(1, logits.size(1) - 1).to(torch::kCPU); // [batch, vocab]
        std::vector<int64_t> next(size_t(batch), o.padToken);
        if (!sampling) {
            auto best = last.argmax(-1); // [batch]
            auto acc = best.accessor<int64_t, 1>();
            for (int64_t b = 0; b < batch; ++b)
                next[size_t(b)] = acc[b];
        }
        for (size_t b = 0; b < prompts.size(); ++b) {
            if (finished[b])
                continue;
            if (sampling)
                next[b] = sample(last[int64_t(b)], o, rng);
            out[b].push_back(int32_t(next[b]));
            if (next[b] == o.stopToken || (stop && stop(b, out[b]))) {
                finished[b] = true;
                --running;
            }
        }
        input = torch::tensor(next, torch::kInt64).view({batch, 1}).to(device); // [batch, 1]
        if (!o.useCache)
            all = torch::cat({all, input}, 1);
    }
    return out;
}

std::vector<int32_t> decode(nn::CausalLm& model, const std::vector<int32_t>& prompt, const DecodingOptions& o)
{
    return decodeBatch(model, {prompt}, o).front();
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
    auto logits = model.forward(torch::tensor(seq, torch::kInt64).unsqueeze(0).to(nn::modelDevice(model)))[0].to(
        torch::kCPU); // [seq, vocab]
    // Token t of the continuation is predicted at position prompt + t - 1.
    auto logProbs = torch::log_softmax(
        logits.narrow(0, int64_t(prompt.size()) - 1, int64_t(continuation.size())).to(torch::kFloat64),
        -1); // [cont, vocab]
    auto targets = torch::tensor(std::vector<int64_t>(continuation.begin(), continuation.end())).unsqueeze(1);
    auto picked = logProbs.gather(1, targets).squeeze(1).contiguous(); // [cont]
    return std::vector<double>(picked.data_ptr<double>(), picked.data_ptr<double>() + picked.numel());
}

} // namespace cotlab::gen
