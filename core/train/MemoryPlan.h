#pragma once

// The memory a training run will need at its peak, from the model's shape and the run's settings, split into
// weights, gradients, optimizer state, activations and the output logits, against what the device has free. The
// Train page shows it as settings change; `cotlab-cli train --dry-run` prints it; a run that fails out of memory
// says which settings would fit. No torch: computed from config.json alone. docs/training.md compares it with
// measured peaks (tests/bench/MemoryBenchmark).
#include "nn/LoraConfig.h"
#include "nn/ModelShape.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::train {

struct MemorySettings {
    std::optional<nn::LoraConfig> lora; // none: full fine-tuning
    std::string basePrecision = "fp32"; // the frozen base's dtype with LoRA
    std::string precision = "fp32";     // autocast: fp32, bf16, fp16
    bool activationCheckpointing = false;
    int64_t batchSize = 8;
    int64_t maxLength = 512; // tokens per example (the plan assumes full-length examples)
    bool cuda = false;
};

struct MemoryPlan {
    int64_t weights = 0;     // the model as it is held (float32, or the base precision with LoRA)
    int64_t gradients = 0;   // float32, for the trained parameters
    int64_t optimizer = 0;   // AdamW's two float32 moments per trained parameter
    int64_t activations = 0; // kept for backward (under checkpointing: each block's input)
    int64_t recomputed = 0;  // under checkpointing: one block's activations while it is recomputed in backward
    int64_t logits = 0;      // the output layer's logits, log-probabilities and their gradient
    int64_t runtime = 0;     // libtorch and its buffers (the CPU process; CUDA's context is not counted)
    int64_t trainableParameters = 0;
    // The peak: a recomputed block's activations and the logits are never held at the same time (the logits'
    // gradient is gone before the last block is recomputed).
    int64_t total() const
    {
        return weights + gradients + optimizer + activations + std::max(logits, recomputed) + runtime;
    }
};

MemoryPlan planMemory(const nn::ModelShape& shape, const MemorySettings& settings);

// "5.2 GiB"
std::string formatBytes(int64_t bytes);
// One line per part and the total ("weights 2.45 GiB (bf16) ...").
std::string describe(const MemoryPlan& plan, const MemorySettings& settings);

// Settings that fit in `available` bytes when these do not: LoRA, activation checkpointing, a bf16 base, a shorter
// max length, a smaller batch (with gradient accumulation), each with its planned total; empty when the plan fits.
std::vector<std::string> waysToFit(const nn::ModelShape& shape, const MemorySettings& settings, int64_t available);

} // namespace cotlab::train
