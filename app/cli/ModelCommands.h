#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::cli {

struct ModelArgs {
    std::string model;                    // a Hugging Face model folder, or a llama2.c .bin
    std::optional<std::string> tokenizer; // a tokenizer file; by default the model folder's own
    std::string adapter;                  // a LoRA adapter folder applied to the model ('' : none)
    std::string prompt;
    std::string device = "auto";    // cpu, cuda, cuda:N, auto
    std::string precision = "auto"; // fp32, bf16, fp16, auto
};

struct GenerateArgs : ModelArgs {
    int64_t maxNewTokens = 128;
    bool greedy = false;
    double temperature = 1.0;
    double topP = 1.0;
    uint64_t seed = 0;
    std::vector<std::string> stop; // stop strings
};
int runGenerate(const GenerateArgs& args);

struct ScoreArgs : ModelArgs {
    std::string continuation;
    bool json = false;
};
int runScore(const ScoreArgs& args);

struct ConvertArgs {
    std::string model;                    // any model generate reads
    std::optional<std::string> tokenizer; // as for generate
    std::string adapter;                  // merged into the written weights
    std::string out;                      // folder to write
};
int runConvert(const ConvertArgs& args);

struct MergeArgs {
    std::string model;   // the base: a Hugging Face folder
    std::string adapter; // a PEFT LoRA adapter folder
    std::string out;
};
// base + adapter -> a full Hugging Face folder in the base's dtype, one tensor at a time.
int runMerge(const MergeArgs& args);

} // namespace cotlab::cli
