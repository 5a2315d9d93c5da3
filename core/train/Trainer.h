#pragma once

// Fine-tuning a CausalLm on a TrainingSet: AdamW, warm-up then cosine/linear decay, gradient clipping and
// accumulation, loss on target tokens only, bf16/fp16 mixed precision (autocast; loss scaling for fp16),
// checkpoints that a resumed run continues from exactly. It trains the parameters that require gradients: all of
// them, or only LoRA adapters on a frozen base (nn/Lora.h), whose checkpoints then hold the adapters alone.
// Include only from core and cotlab-cli (torch).
#include "jobs/Progress.h"
#include "nn/CausalLm.h"
#include "train/MixedPrecision.h"
#include "train/TrainConfig.h"
#include "train/TrainingSet.h"
#include "util/Error.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace cotlab::train {

// The trainer stops with this when the loss is not finite; the last checkpoint stays as it was.
struct TrainingDiverged : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class DataParallel;

// Out of memory during a step (CPU or CUDA); the message says what to lower. The last checkpoint stays.
struct TrainingOutOfMemory : Error {
    using Error::Error;
};

class Trainer {
public:
    // padToken fills batches on the right (never in the loss, never attended to by real tokens). A packed data set
    // (TrainingSet::pack) trains rows of several examples, each attending to itself alone. With a
    // DataParallel world of N workers, config.batchSize is each worker's share: every global batch of N x batchSize
    // examples (the batches one process with that batch size would see, in the same order) is split by rank, the
    // summed gradients are those of the whole global batch, and every worker takes the same step. Rank 0 alone
    // writes checkpoints.
    Trainer(std::shared_ptr<nn::CausalLm> model, const TrainingSet& data, TrainConfig config, int32_t padToken,
            std::shared_ptr<DataParallel> dataParallel = nullptr);

    int64_t totalSteps() const { return m_totalSteps; }
    int64_t step() const { return m_step; }

    // Restores model, optimizer and step from runDir/checkpoint when one exists; returns whether it did.
    bool resume();
    // Trains until totalSteps or until *stop becomes true (checked between steps), then checkpoints.
    // onStep is called after every optimizer step. Throws TrainingDiverged on a NaN/inf loss.
    void run(const std::function<void(const StepMetrics&)>& onStep, const jobs::StopToken* stop = nullptr);
    void saveCheckpoint();

    // Mean loss per target token of one batch of training rows (examples unless packed; no gradient).
    double evaluate(const std::vector<size_t>& rowIndices);
    // Held-out examples whose loss is measured every config.evalEvery steps and at the end (StepMetrics::devLoss).
    // The set must outlive the trainer.
    void setDevSet(const TrainingSet* dev) { m_dev = dev; }
    // Mean loss per target token over the whole dev set (no gradient); NaN without one.
    double devLoss();

    double learningRateAt(int64_t step) const; // step 0-based

private:
    // Mean loss per target token of the rows; counts the tokens in the loss, the real tokens and the positions
    // computed (padding included).
    torch::Tensor batchLoss(const TrainingSet& set, const std::vector<size_t>& rowIndices, int64_t* targetTokens,
                            int64_t* tokens, int64_t* positions);
    std::vector<size_t> microBatch(int64_t index);                       // the index-th (global) micro-batch of the run
    std::vector<size_t> shardOf(const std::vector<size_t>& batch) const; // this worker's part of a global batch
    int64_t targetCount(const TrainingSet& set, const std::vector<size_t>& batch) const; // tokens in the loss
    bool writesCheckpoints() const;                                                      // rank 0, or the only process
    // One optimizer step; false when it was skipped (gradients overflowed at the loss scale).
    bool trainStep(double& lossSum, double& gradNorm, int64_t& stepTokens, int64_t& stepPositions);
    [[noreturn]] void throwFailure(const std::string& what) const; // names OOM and other step failures
    size_t longestExample() const;

    std::shared_ptr<nn::CausalLm> m_model;
    std::shared_ptr<DataParallel> m_dp;
    // What the optimizer updates: every parameter in full fine-tuning, the adapters with LoRA (the frozen base has
    // requires_grad off). Named, for checkpoints.
    std::vector<std::pair<std::string, torch::Tensor>> m_trainable;
    std::vector<torch::Tensor> trainableTensors() const;
    const TrainingSet& m_data;
    const TrainingSet* m_dev = nullptr;
    TrainConfig m_config;
    int32_t m_pad;
    std::unique_ptr<torch::optim::AdamW> m_optimizer;
    std::optional<torch::ScalarType> m_autocast; // the mixed-precision dtype (none: fp32)
    LossScaler m_scaler;
    int64_t m_batchesPerEpoch = 0;
    int64_t m_totalSteps = 0;
    int64_t m_step = 0;
    int64_t m_tokens = 0;
    int64_t m_cachedEpoch = -1;
    std::vector<std::vector<size_t>> m_epochBatches;
};

} // namespace cotlab::train
