#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cotlab::cli {

struct ModelArgs {
    std::string model;                    // llama2.c .bin, or a Hugging Face Llama-family folder
    std::optional<std::string> tokenizer; // llama2.c tokenizer.bin
    std::string prompt;
};

struct GenerateArgs : ModelArgs {
    int64_t maxNewTokens = 128;
    bool greedy = false;
    double temperature = 1.0;
    double topP = 1.0;
    uint64_t seed = 0;
};
int runGenerate(const GenerateArgs& args);

struct ScoreArgs : ModelArgs {
    std::string continuation;
    bool json = false;
};
int runScore(const ScoreArgs& args);

struct ConvertArgs {
    std::string model; // llama2.c .bin
    std::string out;   // folder to write
};
int runConvert(const ConvertArgs& args);

} // namespace cotlab::cli
