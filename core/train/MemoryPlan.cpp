#include "train/MemoryPlan.h"

#include <cmath>
#include <cstdio>

namespace cotlab::train {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

int64_t dtypeBytes(const std::string& precision)
{
    return precision == "bf16" || precision == "bfloat16" || precision == "fp16" || precision == "float16" ? 2 : 4;
}

// Bytes one token keeps for backward in one transformer block (the attention probabilities are per token too:
// heads x sequence length, in float32).
double blockBytesPerToken(const nn::ModelShape& s, const MemorySettings& m)
{
    const double d = double(s.dim), f = double(s.ffnDim), kv = double(s.kvHeads) * double(s.dim) / double(s.heads);
    const bool lowBase = m.lora && dtypeBytes(m.basePrecision) == 2;
    const double act = lowBase ? 2.0 : (dtypeBytes(m.precision) == 2 ? 3.0 : 4.0); // autocast mixes fp32 and 16-bit
    // Norm inputs, attention's q, k, v and output, the residual stream; the MLP's inner activations.
    double elements = 4 * d + d + 2 * kv;
    // The activation's input (GELU, SwiGLU's gate and up) or output (ReLU) is kept for the input gradient.
    const double mlp = s.gatedMlp ? 3 * f : f;
    if (s.family == "llama")
        elements += 4 * d + d + kv; // RMSNorm in float32 and rotated q, k
    // Inputs of linear layers, kept only for their weights' gradients.
    const double linearInputs = 3 * d; // q/k/v, output projection, first MLP projection
    // The last MLP projection's input (ReLU's output is already kept).
    const double mlpOutInput = s.family == "opt" ? 0 : f;
    if (!m.lora)
        elements += linearInputs + mlpOutInput;
    double bytes = (elements + mlp) * act + 4.0 * double(s.heads) * double(m.maxLength);
    if (m.lora) {
        // Each adapted layer keeps its input in float32 after dropout (and dropout's mask), and x A.
        for (const auto& l : s.linears) {
            if (l.name.rfind(s.firstBlock, 0) != 0)
                continue; // one block's layers
            const auto targets = m.lora->targets.empty() ? nn::defaultLoraTargets(s.family) : m.lora->targets;
            if (!nn::isLoraTarget(l.name, targets))
                continue;
            bytes += double(l.in) * (4.0 + (m.lora->dropout > 0 ? 1.0 : 0.0)) + 4.0 * double(m.lora->rank);
        }
    }
    // Measured (tests/bench/MemoryBenchmark, OPT-1.3B, r 16 on all linear layers, batch 4 x 256, CPU): a bf16 base's
    // blocks keep 1.7 times what the tensors counted above add up to (287 KB per token and block against 169 KB);
    // which of libtorch's bf16 CPU kernels keeps the rest is not known yet, so the plan carries the measured factor.
    if (lowBase)
        bytes *= 1.7;
    return bytes;
}

} // namespace

MemoryPlan planMemory(const nn::ModelShape& s, const MemorySettings& m)
{
    MemoryPlan p;
    const double tokens = double(m.batchSize) * double(m.maxLength);
    const int64_t weightBytes = m.lora ? dtypeBytes(m.basePrecision) : 4;
    p.weights = s.parameters * weightBytes;
    if (m.lora) {
        const auto targets = m.lora->targets.empty() ? nn::defaultLoraTargets(s.family) : m.lora->targets;
        for (const auto& l : s.linears)
            if (nn::isLoraTarget(l.name, targets))
                p.trainableParameters += m.lora->rank * (l.in + l.out);
    } else {
        p.trainableParameters = s.parameters;
    }
    p.gradients = p.trainableParameters * 4;
    p.optimizer = p.trainableParameters * 8;
    if (!m.lora && dtypeBytes(m.precision) == 2) {
        // Autocast keeps a 16-bit copy of every linear weight for the step.
        int64_t linear = 0;
        for (const auto& l : s.linears)
            linear += l.in * l.out;
        p.weights += linear * 2;
    }
    const double block = blockBytesPerToken(s, m);
    const double act = m.lora && weightBytes == 2 ? 2.0 : 4.0;
    const double stream = double(s.dim) * act; // a block's input, all a checkpointed block keeps
    if (m.activationCheckpointing) {
        p.activations = int64_t(double(s.layers) * stream * tokens);
        p.recomputed = int64_t(2.0 * block * tokens); // the block's activations and their gradients
    } else {
        p.activations = int64_t((double(s.layers) * block + 2.0 * stream) * tokens);
    }
    // Per token and vocabulary entry: the head's logits, the float32 log-probabilities the loss keeps, and their
    // gradient in backward. Measured (tests/bench/MemoryBenchmark): 16 bytes with float32 weights (GPT-2 small,
    // full fine-tuning), ~12.6 with a bf16 base (Qwen2.5-0.5B's 151,936-entry vocabulary, where they dominate).
    const double logitBytes = weightBytes == 2 ? 12.0 : dtypeBytes(m.precision) == 2 ? 18.0 : 16.0;
    p.logits = int64_t(tokens * double(s.vocab) * logitBytes);
    p.runtime = m.cuda ? 0 : int64_t(0.35 * kGiB);
    return p;
}

std::string formatBytes(int64_t bytes)
{
    char buffer[32];
    if (bytes >= int64_t(kGiB))
        std::snprintf(buffer, sizeof buffer, "%.2f GiB", double(bytes) / kGiB);
    else
        std::snprintf(buffer, sizeof buffer, "%.0f MiB", double(bytes) / (1024.0 * 1024.0));
    return buffer;
}

std::string describe(const MemoryPlan& p, const MemorySettings& m)
{
    const std::string weightType = m.lora ? m.basePrecision : std::string("fp32");
    std::string text = "weights " + formatBytes(p.weights) + " (" + weightType + ")";
    text += ", gradients " + formatBytes(p.gradients);
    text += ", optimizer " + formatBytes(p.optimizer);
    text += ", activations " + formatBytes(p.activations) + (m.activationCheckpointing ? " (checkpointed)" : "");
    text += ", logits " + formatBytes(p.logits);
    if (p.recomputed > 0)
        text += ", a recomputed block " + formatBytes(p.recomputed) + " (not at the same time as the logits)";
    if (p.runtime > 0)
        text += ", runtime " + formatBytes(p.runtime);
    text += "; total " + formatBytes(p.total());
    return text;
}

std::vector<std::string> waysToFit(const nn::ModelShape& s, const MemorySettings& m, int64_t available)
{
    std::vector<std::string> ways;
    if (available <= 0 || planMemory(s, m).total() <= available)
        return ways;
    auto consider = [&](const std::string& what, MemorySettings changed) {
        const int64_t total = planMemory(s, changed).total();
        if (total <= available)
            ways.push_back(what + " (" + formatBytes(total) + ")");
    };
    if (!m.lora) {
        MemorySettings lora = m;
        lora.lora = nn::LoraConfig{};
        consider("LoRA (r 16)", lora);
        lora.activationCheckpointing = true;
        consider("LoRA with activation checkpointing", lora);
        lora.basePrecision = "bf16";
        consider("LoRA on a bf16 base with activation checkpointing", lora);
    } else if (dtypeBytes(m.basePrecision) == 4) {
        MemorySettings bf16 = m;
        bf16.basePrecision = "bf16";
        consider("a bf16 base", bf16);
    }
    if (!m.activationCheckpointing) {
        MemorySettings ckpt = m;
        ckpt.activationCheckpointing = true;
        consider("activation checkpointing", ckpt);
    }
    for (int64_t length = m.maxLength / 2; length >= 64; length /= 2) {
        MemorySettings shorter = m;
        shorter.maxLength = length;
        if (planMemory(s, shorter).total() <= available) {
            consider("max length " + std::to_string(length), shorter);
            break;
        }
    }
    for (int64_t batch = m.batchSize / 2; batch >= 1; batch /= 2) {
        MemorySettings smaller = m;
        smaller.batchSize = batch;
        if (planMemory(s, smaller).total() <= available) {
            consider("batch size " + std::to_string(batch) + " with gradient accumulation " +
                         std::to_string(m.batchSize / batch),
                     smaller);
            break;
        }
    }
    return ways;
}

} // namespace cotlab::train
