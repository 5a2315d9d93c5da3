#include "gen/GreedyDecoder.h"

namespace cotlab::gen {

std::vector<int32_t> greedyDecode(nn::Llama& model, const std::vector<int32_t>& prompt, int64_t maxNewTokens,
                                  bool useCache, int32_t stopToken)
{
    torch::NoGradGuard noGrad;
    std::vector<int32_t> out;
    std::vector<int64_t> seq(prompt.begin(), prompt.end());
    nn::KvCache cache;
    torch::Tensor input = torch::tensor(seq, torch::kInt64).unsqueeze(0); // [1, prompt]
    for (int64_t step = 0; step < maxNewTokens; ++step) {
        if (int64_t(seq.size()) >= model->config().maxSeqLen)
            break;
        torch::Tensor logits = useCache ? model->forward(input, &cache) : model->forward(input); // [1, seq, vocab]
        const auto next = int32_t(logits.select(1, logits.size(1) - 1).argmax(-1).item<int64_t>());
        out.push_back(next);
        if (next == stopToken)
            break;
        seq.push_back(next);
        input = useCache ? torch::tensor({int64_t(next)}, torch::kInt64).unsqueeze(0)
                         : torch::tensor(seq, torch::kInt64).unsqueeze(0);
    }
    return out;
}

} // namespace cotlab::gen
