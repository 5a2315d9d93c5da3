#pragma once

// Token-level decoding and scoring over any CausalLm. Include only from core and cotlab-cli (torch).
#include "nn/CausalLm.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace cotlab::gen {

struct DecodingOptions {
    int64_t maxNewTokens = 128;
    bool greedy = true;
    double temperature = 1.0; // sampling only
    double topP = 1.0;        // nucleus sampling: smallest set of tokens whose probability reaches topP
    uint64_t seed = 0;
    int32_t stopToken = -1; // a row ends after this token (EOS)
    int32_t padToken = 0;   // fills the left of shorter prompts in a batch; never attended to
    bool useCache = true;   // false recomputes the whole sequence every step (the cache's reference)
};

// Called after each new token of a row with everything that row generated so far; true ends the row.
using StopCheck = std::function<bool(size_t row, const std::vector<int32_t>& generated)>;

// Decodes a batch of prompts of any lengths (left-padded, KV-cached) and returns each row's new tokens,
// the stop token included when a row ended on it. Rows stop at the stop token, when 'stop' says so, at
// maxNewTokens, or at the model's context. Greedy rows give the same tokens as decoding each prompt alone.
std::vector<std::vector<int32_t>> decodeBatch(nn::CausalLm& model, const std::vector<std::vector<int32_t>>& prompts,
                                              const DecodingOptions& options, const StopCheck& stop = {});

// One prompt.
std::vector<int32_t> decode(nn::CausalLm& model, const std::vector<int32_t>& prompt, const DecodingOptions& options);

// Greedy shorthand.
std::vector<int32_t> greedyDecode(nn::CausalLm& model, const std::vector<int32_t>& prompt, int64_t maxNewTokens,
                                  bool useCache = true, int32_t stopToken = -1);

// Log-probability of each continuation token given the prompt and the continuation before it.
std::vector<double> scoreContinuation(nn::CausalLm& model, const std::vector<int32_t>& prompt,
                                      const std::vector<int32_t>& continuation);

} // namespace cotlab::gen
