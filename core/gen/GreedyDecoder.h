#pragma once

#include "nn/CausalLm.h"

#include <cstdint>
#include <vector>

namespace cotlab::gen {

struct DecodingOptions {
    int64_t maxNewTokens = 128;
    bool greedy = true;
    double temperature = 1.0; // sampling only
    double topP = 1.0;        // nucleus sampling: smallest set of tokens whose probability reaches topP
    uint64_t seed = 0;
    int32_t stopToken = -1; // generation ends after this token (EOS)
    bool useCache = true;   // false recomputes the whole sequence every step (the cache's reference)
};

// Decodes one sequence after the prompt's tokens; returns the new tokens only.
std::vector<int32_t> decode(nn::CausalLm& model, const std::vector<int32_t>& prompt, const DecodingOptions& options);

// Greedy shorthand.
std::vector<int32_t> greedyDecode(nn::CausalLm& model, const std::vector<int32_t>& prompt, int64_t maxNewTokens,
                                  bool useCache = true, int32_t stopToken = -1);

// Greedy decoding of several prompts of equal length in one batch (KV cache); returns each one's new tokens.
// (Prompts of different lengths need left padding, which comes with batched generation proper.)
std::vector<std::vector<int32_t>>
greedyDecodeBatch(nn::CausalLm& model, const std::vector<std::vector<int32_t>>& prompts, int64_t maxNewTokens);

// Log-probability of each continuation token given the prompt and the continuation before it.
std::vector<double> scoreContinuation(nn::CausalLm& model, const std::vector<int32_t>& prompt,
                                      const std::vector<int32_t>& continuation);

} // namespace cotlab::gen
