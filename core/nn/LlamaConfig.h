#pragma once

#include <cstdint>
#include <string>

namespace cotlab::nn {

// Hyper-parameters of a Llama-family decoder (Llama 2/3, Qwen2, SmolLM, llama2.c checkpoints).
struct LlamaConfig {
    int64_t dim = 0;       // hidden size
    int64_t hiddenDim = 0; // SwiGLU intermediate size
    int64_t nLayers = 0;
    int64_t nHeads = 0;
    int64_t nKvHeads = 0; // < nHeads: grouped-query attention
    int64_t vocabSize = 0;
    int64_t maxSeqLen = 0;
    double ropeTheta = 10000.0;
    double rmsNormEps = 1e-5;
    bool tiedEmbeddings = true;
    bool qkvBias = false;         // Qwen2
    bool interleavedRope = false; // llama2.c: rotary pairs (2i, 2i+1); Hugging Face: halves (i, i + d/2)
    // rope_scaling: "linear" divides every rotary frequency by the factor; "llama3" (Llama 3.1/3.2) divides
    // low frequencies by it and blends the middle band. Empty type: no scaling.
    std::string ropeScalingType;
    double ropeScalingFactor = 1.0;
    double ropeLowFreqFactor = 1.0;
    double ropeHighFreqFactor = 4.0;
    int64_t ropeOriginalMaxPositions = 8192;

    int64_t headDim() const { return dim / nHeads; }
};

} // namespace cotlab::nn
