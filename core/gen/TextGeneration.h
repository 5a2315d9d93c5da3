#pragma once

// Text in, text out: prompts are tokenised, decoded in one padded batch, and cut at stop strings.
// Include only from core and cotlab-cli (torch).
#include "gen/Decoding.h"
#include "text/Tokenizer.h"

#include <string>
#include <vector>

namespace cotlab::gen {

struct GenerationOptions {
    DecodingOptions decoding;             // its stopToken defaults to the tokenizer's EOS when left at -1
    std::vector<std::string> stopStrings; // a row ends when its text contains one; the text is cut before it
    bool templatedPrompts = false;        // prompts are chat-template text: encodeTemplated (no BOS added)
};

enum class FinishReason { Eos, StopString, Length };

struct Generation {
    std::string text;            // the continuation, without EOS and without the stop string
    std::vector<int32_t> tokens; // what the model generated, EOS or the tokens of the stop string included
    FinishReason finish = FinishReason::Length;
};

// The log-probability of each token of a continuation given a prompt, both text. They are tokenised together (what
// the model would see) and split where the prompt's own tokens end. Throws Error when the prompt is empty and the
// model has no BOS to condition on, or when nothing of the continuation is left.
struct ScoredText {
    std::vector<int32_t> prompt, continuation;
    std::vector<double> logprobs; // one per continuation token
    double total() const;
};
ScoredText scoreText(nn::CausalLm& model, const text::Tokenizer& tokenizer, const std::string& prompt,
                     const std::string& continuation);

std::vector<Generation> generate(nn::CausalLm& model, const text::Tokenizer& tokenizer,
                                 const std::vector<std::string>& prompts, const GenerationOptions& options);

} // namespace cotlab::gen
