#pragma once

#include "nn/Llama.h"

#include <cstdint>
#include <vector>

namespace cotlab::gen {

// Greedy decoding of one sequence: the prompt's tokens, then up to maxNewTokens argmax tokens (stopping after
// stopToken when given). With useCache the prompt is run once and each step feeds one token through the KV
// cache; without it every step recomputes the whole sequence (the reference the cache is tested against).
std::vector<int32_t> greedyDecode(nn::Llama& model, const std::vector<int32_t>& prompt, int64_t maxNewTokens,
                                  bool useCache = true, int32_t stopToken = -1);

} // namespace cotlab::gen
