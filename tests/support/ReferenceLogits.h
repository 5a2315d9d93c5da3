#pragma once

// Compares a model with a reference fixture's logits.json ({input_ids, logits}) written by the generators in
// tests/data. Header-only: only tests that link libtorch include it.
#include "nn/CausalLm.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace cotlab::test {

// Largest |logit difference| over every position and vocabulary entry.
inline double maxLogitDifference(nn::CausalLm& model, const std::string& logitsJson)
{
    std::ifstream in(logitsJson);
    const auto ref = nlohmann::json::parse(in);
    const auto ids = ref["input_ids"].get<std::vector<int64_t>>();
    torch::NoGradGuard noGrad;
    const auto logits = model.forward(torch::tensor(ids).unsqueeze(0))[0].contiguous(); // [seq, vocab]
    std::vector<std::vector<float>> want = ref["logits"].get<std::vector<std::vector<float>>>();
    double worst = 0;
    for (size_t t = 0; t < want.size(); ++t)
        for (size_t v = 0; v < want[t].size(); ++v)
            worst = std::max(worst, double(std::fabs(logits[int64_t(t)][int64_t(v)].item<float>() - want[t][v])));
    return worst;
}

} // namespace cotlab::test
