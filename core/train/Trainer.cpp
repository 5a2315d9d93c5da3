#include "train/Trainer.h"

#include "nn/DeviceMemory.h"
#include "nn/Safetensors.h"
#include "train/DataParallel.h"
#include "util/Error.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>

namespace cotlab::train {

namespace fs = std::filesystem;

Trainer::Trainer(std::shared_ptr<nn::CausalLm> model, const TrainingSet& data, TrainConfig config, int32_t padToken,
                 std::shared_ptr<DataParallel> dataParallel)
    : m_model(std::move(model)), m_dp(std::move(dataParallel)), m_data(data), m_config(std::move(config)),
      m_pad(padToken)
{
    const auto& c = m_config;
    if (m_data.size() == 0)
        throw Error("the training set is empty");
    if (c.batchSize <= 0 || c.gradAccumulation <= 0 || c.learningRate <= 0 || (c.epochs <= 0 && c.maxSteps <= 0))
        throw Error("batch size, gradient accumulation, learning rate and epochs (or steps) must be positive");
    if (c.schedule != "cosine" && c.schedule != "linear" && c.schedule != "constant")
        throw Error("schedule '" + c.schedule + "': expected cosine, linear or constant");
    const int64_t globalBatch = c.batchSize * (m_dp ? m_dp->worldSize() : 1);
    m_batchesPerEpoch = (int64_t(m_data.rows().size()) + globalBatch - 1) / globalBatch;
    m_totalSteps =
        c.maxSteps > 0 ? c.maxSteps : std::max<int64_t>(1, c.epochs * m_batchesPerEpoch / c.gradAccumulation);
    for (const auto& p : m_model->named_parameters())
        if (p.value().requires_grad())
            m_trainable.emplace_back(p.key(), p.value());
    if (m_trainable.empty())
        throw Error("the model has no trainable parameters");
    for (const auto& [name, p] : m_trainable)
        if (p.scalar_type() != torch::kFloat32)
            throw Error("training needs the trained weights in float32 (" + name + " is " +
                        c10::toString(p.scalar_type()) +
                        "); mixed precision keeps float32 weights and computes in bf16 or fp16 under autocast, and "
                        "a bf16 or fp16 base is for LoRA, whose adapters stay float32");
    torch::optim::AdamWOptions o(c.learningRate);
    o.betas({c.beta1, c.beta2}).eps(c.eps).weight_decay(c.weightDecay);
    m_optimizer = std::make_unique<torch::optim::AdamW>(trainableTensors(), o);
    if (m_dp)
        m_dp->broadcast(trainableTensors()); // every worker starts from rank 0's weights
    m_autocast = autocastDtype(c.precision, nn::modelDevice(*m_model));
    const double scale = c.initialLossScale.value_or(m_autocast == torch::kFloat16 ? 65536.0 : 0.0);
    if (scale < 0)
        throw Error("the initial loss scale must be positive (0: no loss scaling)");
    m_scaler = LossScaler(scale);
}

std::vector<torch::Tensor> Trainer::trainableTensors() const
{
    std::vector<torch::Tensor> out;
    for (const auto& [name, p] : m_trainable)
        out.push_back(p);
    return out;
}

double Trainer::learningRateAt(int64_t step) const
{
    const auto& c = m_config;
    if (step < c.warmupSteps)
        return c.learningRate * double(step + 1) / double(c.warmupSteps);
    if (c.schedule == "constant")
        return c.learningRate;
    const double span = double(std::max<int64_t>(1, m_totalSteps - c.warmupSteps));
    const double progress = std::min(1.0, double(step - c.warmupSteps) / span);
    if (c.schedule == "linear")
        return c.learningRate * (1.0 - progress);
    return c.learningRate * 0.5 * (1.0 + std::cos(M_PI * progress));
}

std::vector<size_t> Trainer::microBatch(int64_t index)
{
    const int64_t epoch = index / m_batchesPerEpoch;
    if (epoch != m_cachedEpoch) {
        m_epochBatches = m_data.epochBatches(m_config.batchSize * (m_dp ? m_dp->worldSize() : 1), m_config.seed, epoch);
        m_cachedEpoch = epoch;
    }
    return m_epochBatches[size_t(index % m_batchesPerEpoch)];
}

std::vector<size_t> Trainer::shardOf(const std::vector<size_t>& batch) const
{
    if (!m_dp)
        return batch;
    const size_t start = size_t(m_dp->rank()) * size_t(m_config.batchSize);
    if (start >= batch.size())
        return {}; // the epoch's last global batch is short: this worker only adds zeros
    return {batch.begin() + std::ptrdiff_t(start),
            batch.begin() + std::ptrdiff_t(std::min(batch.size(), start + size_t(m_config.batchSize)))};
}

int64_t Trainer::targetCount(const TrainingSet& set, const std::vector<size_t>& batch) const
{
    int64_t count = 0;
    for (size_t r : batch)
        for (size_t i : set.rows()[r]) {
            const auto& e = set.examples()[i];
            count += std::max<int64_t>(0, int64_t(e.ids.size()) - std::max<int64_t>(1, e.promptLength));
        }
    return count;
}

bool Trainer::writesCheckpoints() const
{
    return !m_dp || m_dp->rank() == 0;
}

torch::Tensor Trainer::batchLoss(const TrainingSet& set, const std::vector<size_t>& rowIndices, int64_t* targetTokens,
                                 int64_t* tokens, int64_t* positions)
{
    size_t width = 0;
    for (size_t r : rowIndices)
        width = std::max(width, size_t(set.rowTokens(r)));
    const auto rows = int64_t(rowIndices.size());
    std::vector<int64_t> ids(size_t(rows) * width, m_pad), labels(size_t(rows) * width, -100);
    // Packed rows: the lengths of each row's examples (the model confines attention and positions to each).
    nn::PackedRows packed;
    int64_t real = 0;
    for (size_t r = 0; r < rowIndices.size(); ++r) {
        size_t at = r * width;
        if (set.packed())
            packed.lengths.emplace_back();
        for (size_t i : set.rows()[rowIndices[r]]) {
            const TokenizedExample& e = set.examples()[i];
            for (size_t t = 0; t < e.ids.size(); ++t, ++at) {
                ids[at] = e.ids[t];
                // Right padding and the prompt stay -100; so does an example's first token, which nothing of its
                // own predicts (unpacked, the shift drops it; packed, the previous example's last token would).
                if (int32_t(t) >= e.promptLength && t > 0)
                    labels[at] = e.ids[t];
            }
            real += int64_t(e.ids.size());
            if (set.packed())
                packed.lengths.back().push_back(int64_t(e.ids.size()));
        }
    }
    if (positions)
        *positions = rows * int64_t(width);
    const auto device = nn::modelDevice(*m_model);
    auto input = torch::tensor(ids, torch::kInt64).view({rows, int64_t(width)}).to(device);     // [b, T]
    auto target = torch::tensor(labels, torch::kInt64).view({rows, int64_t(width)}).to(device); // [b, T]
    torch::Tensor logits;
    {
        AutocastScope autocast(m_autocast, device);
        logits = m_model->forward(input, nullptr, set.packed() ? &packed : nullptr); // [b, T, V]
    }
    // Position t predicts token t + 1.
    auto shiftedLogits = logits.narrow(1, 0, int64_t(width) - 1).reshape({-1, logits.size(-1)});
    auto shiftedTargets = target.narrow(1, 1, int64_t(width) - 1).reshape({-1});
    if (targetTokens)
        *targetTokens = shiftedTargets.ne(-100).sum().item<int64_t>();
    if (tokens)
        *tokens = real;
    return torch::nn::functional::cross_entropy(
        shiftedLogits.to(torch::kFloat32), shiftedTargets,
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kMean));
}

double Trainer::evaluate(const std::vector<size_t>& rowIndices)
{
    torch::NoGradGuard noGrad;
    m_model->eval();
    auto loss = batchLoss(m_data, rowIndices, nullptr, nullptr, nullptr).item<double>();
    m_model->train();
    return loss;
}

double Trainer::devLoss()
{
    if (!m_dev)
        return std::numeric_limits<double>::quiet_NaN();
    torch::NoGradGuard noGrad;
    m_model->eval();
    // Rows in length order, so that batches carry little padding; seed and epoch do not matter here.
    std::vector<size_t> order(m_dev->rows().size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return m_dev->rowTokens(a) < m_dev->rowTokens(b); });
    double sum = 0;
    int64_t count = 0;
    const size_t workers = m_dp ? size_t(m_dp->worldSize()) : 1, rank = m_dp ? size_t(m_dp->rank()) : 0;
    for (size_t start = rank * size_t(m_config.batchSize); start < order.size();
         start += workers * size_t(m_config.batchSize)) { // each worker its own batches
        const std::vector<size_t> batch(order.begin() + std::ptrdiff_t(start),
                                        order.begin() +
                                            std::ptrdiff_t(std::min(order.size(), start + size_t(m_config.batchSize))));
        int64_t targets = 0;
        const double mean = batchLoss(*m_dev, batch, &targets, nullptr, nullptr).item<double>();
        sum += mean * double(targets);
        count += targets;
    }
    m_model->train();
    if (m_dp) {
        const auto totals = m_dp->sumAcrossWorkers({sum, double(count)});
        sum = totals[0];
        count = int64_t(totals[1]);
    }
    return count > 0 ? sum / double(count) : std::numeric_limits<double>::quiet_NaN();
}

bool Trainer::trainStep(double& lossSum, double& gradNorm, int64_t& stepTokens, int64_t& stepPositions)
{
    m_optimizer->zero_grad();
    for (int64_t micro = 0; micro < m_config.gradAccumulation; ++micro) {
        const auto batch = microBatch(m_step * m_config.gradAccumulation + micro);
        const auto shard = shardOf(batch);
        if (shard.empty())
            continue;
        int64_t tokens = 0, targets = 0, positions = 0;
        auto loss = batchLoss(m_data, shard, &targets, &tokens, &positions);
        // A worker's mean loss weighted by its share of the global batch's target tokens: the summed gradients are
        // then exactly those of the global batch's mean loss.
        if (m_dp)
            loss = loss * (double(targets) / double(std::max<int64_t>(1, targetCount(m_data, batch))));
        const double value = loss.item<double>();
        if (!m_dp && !std::isfinite(value))
            throw TrainingDiverged("the loss became " + std::to_string(value) + " at step " +
                                   std::to_string(m_step + 1) +
                                   "; the last checkpoint is kept as it was "
                                   "(try a lower learning rate)");
        (loss * m_scaler.scale() / double(m_config.gradAccumulation)).backward(); // scale 1 without loss scaling
        lossSum += value;
        stepTokens += tokens;
        stepPositions += positions;
    }
    if (m_dp) {
        std::vector<torch::Tensor> grads;
        for (auto& [name, p] : m_trainable) {
            if (!p.grad().defined())
                p.mutable_grad() = torch::zeros_like(p); // a worker without examples this step
            grads.push_back(p.grad());
        }
        m_dp->allReduceSum(grads);
        const auto totals = m_dp->sumAcrossWorkers({lossSum, double(stepTokens), double(stepPositions)});
        lossSum = totals[0];
        stepTokens = int64_t(totals[1]);
        stepPositions = int64_t(totals[2]);
        if (!std::isfinite(lossSum))
            throw TrainingDiverged("the loss became " + std::to_string(lossSum) + " at step " +
                                   std::to_string(m_step + 1) +
                                   "; the last checkpoint is kept as it was (try a lower learning rate)");
    }
    if (!m_scaler.unscale(trainableTensors())) {
        // fp16 gradients overflowed at this scale: no update, a smaller scale next step.
        m_scaler.update(false);
        if (m_scaler.scale() < 1.0)
            throw TrainingDiverged("the gradients overflow even without loss scaling at step " +
                                   std::to_string(m_step + 1) +
                                   "; the last checkpoint is kept as it was (try bf16 "
                                   "or fp32, or a lower learning rate)");
        return false;
    }
    // Without clipping, an infinite bound only measures the norm.
    gradNorm = torch::nn::utils::clip_grad_norm_(
        trainableTensors(), m_config.clipNorm > 0 ? m_config.clipNorm : std::numeric_limits<double>::infinity());
    if (!std::isfinite(gradNorm))
        throw TrainingDiverged("the gradient norm became " + std::to_string(gradNorm) + " at step " +
                               std::to_string(m_step + 1) + "; the last checkpoint is kept as it was");
    m_optimizer->step();
    m_scaler.update(true);
    return true;
}

void Trainer::throwFailure(const std::string& what) const
{
    const std::string step = std::to_string(m_step + 1);
    const bool oom = what.find("out of memory") != std::string::npos ||
                     what.find("can't allocate memory") != std::string::npos || what == "std::bad_alloc";
    if (oom)
        throw TrainingOutOfMemory("out of memory at step " + step + " (batch size " +
                                  std::to_string(m_config.batchSize) + ", examples up to " +
                                  std::to_string(longestExample()) +
                                  " tokens): lower the batch size (gradient "
                                  "accumulation keeps the effective batch) or the max length; the last checkpoint "
                                  "is kept. " +
                                  what.substr(0, what.find('\n')));
    throw Error("training failed at step " + step + ": " + what.substr(0, what.find('\n')) +
                "; the last checkpoint is kept");
}

size_t Trainer::longestExample() const
{
    size_t longest = 0;
    for (const auto& e : m_data.examples())
        longest = std::max(longest, e.ids.size());
    return longest;
}

void Trainer::run(const std::function<void(const StepMetrics&)>& onStep, const jobs::StopToken* stop)
{
    // Gradients and optimizer moments drift into denormal floats after a few steps, which made backward
    // passes 5x slower on CPU (GPT-2 small: 6 s -> 37 s per step, measured); flushing them to zero costs
    // nothing in accuracy at these magnitudes. The flag is per thread: set it on the training thread.
    at::globalContext().setFlushDenormal(true);
    m_model->train();
    const std::string device = nn::modelDevice(*m_model).str();
    nn::resetPeakMemory(device);
    while (m_step < m_totalSteps) {
        bool stopNow = stop && stop->stopRequested();
        if (m_dp) // every worker stops at the same step when any is asked to
            stopNow = m_dp->sumAcrossWorkers({stopNow ? 1.0 : 0.0})[0] > 0;
        if (stopNow) {
            saveCheckpoint();
            return;
        }
        const auto t0 = std::chrono::steady_clock::now();
        const double lr = learningRateAt(m_step);
        for (auto& group : m_optimizer->param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        double lossSum = 0, gradNorm = 0;
        int64_t stepTokens = 0, stepPositions = 0;
        const double lossScale = m_scaler.enabled() ? m_scaler.scale() : 0.0;
        bool updated = true;
        // Random numbers (LoRA dropout) drawn from a stream fixed by seed and step, so that a resumed run draws
        // what the uninterrupted one did.
        torch::manual_seed(m_config.seed * 1000003ULL + uint64_t(m_step));
        try {
            updated = trainStep(lossSum, gradNorm, stepTokens, stepPositions);
        } catch (const c10::Error& e) {
            throwFailure(e.what_without_backtrace());
        } catch (const std::bad_alloc&) {
            throwFailure("std::bad_alloc");
        }
        ++m_step;
        m_tokens += stepTokens;
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        StepMetrics m;
        m.step = m_step;
        m.totalSteps = m_totalSteps;
        m.epoch = double(m_step * m_config.gradAccumulation) / double(m_batchesPerEpoch);
        m.loss = lossSum / double(m_config.gradAccumulation);
        m.learningRate = lr;
        m.gradNorm = updated ? gradNorm : 0.0;
        m.lossScale = lossScale;
        m.skipped = !updated;
        m.tokensPerSecond = secs > 0 ? double(stepTokens) / secs : 0;
        m.paddedTokensPerSecond = secs > 0 ? double(stepPositions) / secs : 0;
        m.tokens = m_tokens;
        m.peakMemoryBytes = nn::peakMemory(device);
        if (m_dev && ((m_config.evalEvery > 0 && m_step % m_config.evalEvery == 0) || m_step == m_totalSteps))
            m.devLoss = devLoss();
        if (onStep)
            onStep(m);
        if (m_config.checkpointEvery > 0 && m_step % m_config.checkpointEvery == 0 && m_step < m_totalSteps)
            saveCheckpoint();
    }
    saveCheckpoint();
}

void Trainer::saveCheckpoint()
{
    if (m_config.runDir.empty() || !writesCheckpoints())
        return;
    const fs::path dir = fs::path(m_config.runDir) / "checkpoint";
    const fs::path tmp = fs::path(m_config.runDir) / "checkpoint.partial";
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec)
        throw Error(tmp.string() + ": cannot create checkpoint folder: " + ec.message());
    try {
        std::map<std::string, torch::Tensor> weights;
        for (const auto& [name, p] : m_trainable)
            weights[name] = p.detach();
        nn::Safetensors::write((tmp / "model.safetensors").string(), weights);
        torch::serialize::OutputArchive archive;
        m_optimizer->save(archive);
        archive.save_to((tmp / "optimizer.pt").string());
        nlohmann::json state = {{"step", m_step},
                                {"tokens", m_tokens},
                                {"total_steps", m_totalSteps},
                                {"world_size", m_dp ? m_dp->worldSize() : 1}};
        if (m_scaler.enabled()) {
            state["loss_scale"] = m_scaler.scale();
            state["loss_scale_clean_steps"] = m_scaler.cleanSteps();
        }
        std::ofstream out(tmp / "state.json");
        out << state.dump(2) << "\n";
        if (!out.flush())
            throw Error((tmp / "state.json").string() + ": write failed");
    } catch (const std::exception& e) {
        // The previous checkpoint stays in place; the partial one goes.
        const std::string what = dynamic_cast<const c10::Error*>(&e)
                                     ? std::string(static_cast<const c10::Error&>(e).what_without_backtrace())
                                     : std::string(e.what());
        fs::remove_all(tmp, ec);
        throw Error(tmp.string() + ": cannot write the checkpoint (disk full?): " + what.substr(0, what.find('\n')) +
                    "; the previous checkpoint is kept");
    }
    // Swap in the complete checkpoint; the previous one stays until the new one is whole.
    const fs::path old = fs::path(m_config.runDir) / "checkpoint.old";
    fs::remove_all(old, ec);
    if (fs::exists(dir))
        fs::rename(dir, old, ec);
    fs::rename(tmp, dir, ec);
    if (ec)
        throw Error(dir.string() + ": cannot move the new checkpoint in place: " + ec.message());
    fs::remove_all(old, ec);
}

bool Trainer::resume()
{
    const fs::path dir = fs::path(m_config.runDir) / "checkpoint";
    std::error_code ec;
    if (m_config.runDir.empty() || !fs::exists(dir / "state.json", ec))
        return false;
    std::ifstream in(dir / "state.json");
    nlohmann::json state;
    try {
        state = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error((dir / "state.json").string() + ": unreadable checkpoint state: " + e.what());
    }
    const int workers = m_dp ? m_dp->worldSize() : 1;
    if (state.is_object() && state.value("world_size", 1) != workers)
        throw Error("the checkpoint in " + dir.string() + " was written by a run of " +
                    std::to_string(state.value("world_size", 1)) + " data-parallel worker(s); resume it with " +
                    std::to_string(state.value("world_size", 1)) + " (now " + std::to_string(workers) +
                    "): with another count the global batch and the data order would change");
    const auto weights = nn::Safetensors::read((dir / "model.safetensors").string());
    torch::NoGradGuard noGrad;
    for (auto& [name, p] : m_trainable) {
        const auto it = weights.find(name);
        if (it == weights.end() || it->second.sizes() != p.sizes())
            throw Error((dir / "model.safetensors").string() + ": tensor " + name +
                        " is missing or has another shape: the checkpoint belongs to a different model or "
                        "fine-tuning method");
        p.copy_(it->second);
    }
    try {
        torch::serialize::InputArchive archive;
        archive.load_from((dir / "optimizer.pt").string());
        m_optimizer->load(archive);
    } catch (const c10::Error& e) {
        throw Error((dir / "optimizer.pt").string() + ": unreadable optimizer state: " + e.what_without_backtrace());
    }
    m_step = state.value("step", int64_t(0));
    m_tokens = state.value("tokens", int64_t(0));
    if (m_scaler.enabled() && state.contains("loss_scale"))
        m_scaler.restore(state.value("loss_scale", m_scaler.scale()),
                         state.value("loss_scale_clean_steps", int64_t(0)));
    return true;
}

} // namespace cotlab::train
