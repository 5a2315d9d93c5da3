#include "train/MixedPrecision.h"

#include "nn/Placement.h"
#include "util/Error.h"

#include <ATen/autocast_mode.h>

namespace cotlab::train {

std::optional<torch::ScalarType> autocastDtype(const std::string& precision, const torch::Device& device)
{
    const auto dtype = nn::precisionDtype(precision, device);
    if (dtype == torch::kFloat32)
        return std::nullopt;
    if (dtype == torch::kFloat16 && !device.is_cuda())
        throw Error("precision '" + precision +
                    "' trains on CUDA only (libtorch's CPU autocast computes in bf16); "
                    "on " +
                    device.str() + " use bf16 or fp32");
    return dtype;
}

AutocastScope::AutocastScope(std::optional<torch::ScalarType> dtype, const torch::Device& device)
{
    if (!dtype)
        return;
    m_active = true;
    m_cuda = device.is_cuda();
    if (m_cuda) {
        m_wasEnabled = at::autocast::is_enabled();
        m_previousDtype = at::autocast::get_autocast_gpu_dtype();
        at::autocast::set_autocast_gpu_dtype(*dtype);
        at::autocast::set_enabled(true);
    } else {
        m_wasEnabled = at::autocast::is_cpu_enabled();
        m_previousDtype = at::autocast::get_autocast_cpu_dtype();
        at::autocast::set_autocast_cpu_dtype(*dtype);
        at::autocast::set_cpu_enabled(true);
    }
    at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope()
{
    if (!m_active)
        return;
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache(); // the bf16/fp16 copies of the weights, made once per forward
    if (m_cuda) {
        at::autocast::set_enabled(m_wasEnabled);
        at::autocast::set_autocast_gpu_dtype(m_previousDtype);
    } else {
        at::autocast::set_cpu_enabled(m_wasEnabled);
        at::autocast::set_autocast_cpu_dtype(m_previousDtype);
    }
}

LossScaler::LossScaler(double initialScale, double growth, double backoff, int64_t interval)
    : m_scale(initialScale), m_growth(growth), m_backoff(backoff), m_interval(interval)
{
}

bool LossScaler::unscale(const std::vector<torch::Tensor>& parameters) const
{
    if (!enabled())
        return true;
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> finite; // one flag per gradient, read back once (one device sync on CUDA)
    for (const auto& p : parameters) {
        auto g = p.grad();
        if (!g.defined())
            continue;
        g.div_(m_scale); // not a multiplication by 1/scale: at large scales that is a denormal, flushed to 0
        finite.push_back(torch::isfinite(g).all());
    }
    return finite.empty() || torch::stack(finite).all().item<bool>();
}

void LossScaler::update(bool finite)
{
    if (!enabled())
        return;
    if (!finite) {
        m_scale *= m_backoff;
        m_clean = 0;
    } else if (++m_clean >= m_interval) {
        m_scale *= m_growth;
        m_clean = 0;
    }
}

void LossScaler::restore(double scale, int64_t cleanSteps)
{
    m_scale = scale;
    m_clean = cleanSteps;
}

} // namespace cotlab::train
