#pragma once

// Hyper-parameters of a training run and what each optimizer step reports (no torch: the GUI includes it).
#include "nn/LoraConfig.h"

#include <cstdint>
#include <optional>
#include <string>

namespace cotlab::train {

struct TrainConfig {
    double learningRate = 1e-4;
    double weightDecay = 0.0;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    int64_t warmupSteps = 0;
    std::string schedule = "cosine"; // cosine, linear (decay to 0 at the last step) or constant
    int64_t epochs = 1;
    int64_t maxSteps = 0; // > 0 overrides epochs
    int64_t batchSize = 8;
    int64_t gradAccumulation = 1; // micro-batches per optimizer step
    double clipNorm = 1.0;        // 0: no clipping
    // fp32, or mixed precision: bf16 or fp16 (CUDA) matrix products under autocast, float32 weights and optimizer.
    std::string precision = "fp32";
    // Dynamic loss scaling from this scale; unset: 65536 for fp16, none otherwise; 0: none.
    std::optional<double> initialLossScale;
    // Full fine-tuning (no LoRA) or LoRA adapters on a frozen base held in basePrecision: fp32, bf16 (CUDA, and CPUs
    // with bf16 instructions) or fp16 (CUDA). Full fine-tuning trains float32 weights.
    std::optional<nn::LoraConfig> lora;
    std::string basePrecision = "fp32";
    // Recompute each transformer block in backward instead of keeping its activations (nn/ActivationCheckpoint.h).
    bool activationCheckpointing = false;
    uint64_t seed = 0;
    int64_t checkpointEvery = 0; // optimizer steps; 0: only at the end and when stopped
    int64_t evalEvery = 0;       // optimizer steps between dev-set losses; 0: only at the end (with a dev set)
    std::string runDir;          // checkpoints go to runDir/checkpoint
};

struct StepMetrics {
    int64_t step = 0; // optimizer steps done, 1-based
    int64_t totalSteps = 0;
    double epoch = 0; // fractional
    double loss = 0;  // mean loss per target token over the step's micro-batches
    double learningRate = 0;
    double gradNorm = 0;              // before clipping
    double tokensPerSecond = 0;       // real tokens (prompt and target) per second: padding not counted
    double paddedTokensPerSecond = 0; // positions computed per second, padding included
    int64_t tokens = 0;               // tokens (prompt and target, no padding) processed so far
    std::optional<double> devLoss;    // mean loss per target token on the dev split, on the steps it is measured
    double lossScale = 0;             // the step's loss scale (0: no loss scaling)
    int64_t peakMemoryBytes = 0; // the run's peak so far: CUDA's max allocated, or the process's peak RSS on the CPU
    bool skipped = false;        // the gradients overflowed at this loss scale: no update (the scale halves)
};

} // namespace cotlab::train
