#pragma once

// Mixed-precision training: float32 master weights, matrix products in bf16 or fp16 under libtorch's autocast,
// and dynamic loss scaling for fp16 (whose gradients underflow without it). Include only from core (torch).
#include <cstdint>
#include <optional>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace cotlab::train {

// The autocast dtype of a precision setting (nn::precisionDtype's names; fp32: none, auto: bf16 on CUDA, fp32 on
// the CPU); Error naming the setting for an unknown one, and for fp16 on a device other than CUDA (libtorch's CPU
// autocast computes in bf16 only).
std::optional<torch::ScalarType> autocastDtype(const std::string& precision, const torch::Device& device);

// Autocast on for the scope (on the device's type, in dtype; nothing without a dtype), as torch.autocast does:
// the previous state comes back and the cache of cast weights is cleared when the outermost scope ends.
class AutocastScope {
public:
    AutocastScope(std::optional<torch::ScalarType> dtype, const torch::Device& device);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool m_active = false, m_cuda = false, m_wasEnabled = false;
    torch::ScalarType m_previousDtype = torch::kFloat32;
};

// Dynamic loss scaling (the policy of torch.cuda.amp.GradScaler): the loss is multiplied by the scale before
// backward; gradients are divided by it before clipping; a step whose gradients overflowed is skipped and the
// scale halves; after `interval` clean steps in a row it doubles.
class LossScaler {
public:
    explicit LossScaler(double initialScale = 0, double growth = 2.0, double backoff = 0.5, int64_t interval = 2000);

    bool enabled() const { return m_scale > 0; }
    double scale() const { return enabled() ? m_scale : 1.0; }
    int64_t cleanSteps() const { return m_clean; }

    // Divides every gradient by the scale; false when any gradient holds an inf or NaN (skip the step).
    bool unscale(const std::vector<torch::Tensor>& parameters) const;
    // After each step: whether its gradients were finite.
    void update(bool finite);
    // For checkpoints: a resumed run continues with the same scale and count.
    void restore(double scale, int64_t cleanSteps);

private:
    double m_scale, m_growth, m_backoff;
    int64_t m_interval, m_clean = 0;
};

} // namespace cotlab::train
