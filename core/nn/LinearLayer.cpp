#include "nn/LinearLayer.h"

#include <cmath>

namespace cotlab::nn {

LinearLayerImpl::LinearLayerImpl(int64_t in, int64_t out, bool withBias, WeightLayout layout, const LayerInit& init)
    : m_in(in), m_out(out), m_layout(layout)
{
    torch::NoGradGuard noGrad;
    const auto options = torch::TensorOptions().dtype(init.dtype);
    weight = register_parameter("weight", layout == WeightLayout::OutIn ? torch::empty({out, in}, options)
                                                                        : torch::empty({in, out}, options));
    if (withBias)
        bias = register_parameter("bias", torch::empty({out}, options));
    if (!init.random) {
        return;
    } else if (layout == WeightLayout::OutIn) { // torch.nn.Linear's initialisation
        torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
        if (withBias)
            torch::nn::init::uniform_(bias, -1.0 / std::sqrt(double(in)), 1.0 / std::sqrt(double(in)));
    } else { // transformers' Conv1D: normal(0, 0.02) weights, zero bias
        torch::nn::init::normal_(weight, 0.0, 0.02);
        if (withBias)
            torch::nn::init::zeros_(bias);
    }
}

torch::Tensor LinearLayerImpl::forward(const torch::Tensor& x)
{
    torch::Tensor y;
    if (m_layout == WeightLayout::OutIn) {
        y = torch::nn::functional::linear(x, weight, bias);
    } else {
        auto sizes = x.sizes().vec();
        sizes.back() = m_out;
        const auto flat = x.reshape({-1, m_in});
        y = (bias.defined() ? torch::addmm(bias, flat, weight) : torch::mm(flat, weight)).view(sizes);
    }
    if (!m_loraA.defined() || m_loraFolded)
        return y;
    // The adapter computes in its own float32 (PEFT casts x to lora_A's dtype the same way), unless autocast
    // lowers the matrix products; its output joins the base output's dtype.
    auto in = x.to(m_loraA.scalar_type());
    if (m_loraDropout > 0 && is_training()) {
        // Inverted dropout with a mask of bools: backward keeps one byte per element for it, where
        // torch::dropout keeps a float32 mask (four): a third less adapter activation memory.
        const auto keep = torch::rand_like(in) >= m_loraDropout;
        in = in * keep * (1.0 / (1.0 - m_loraDropout));
    }
    const auto update = torch::matmul(torch::matmul(in, m_loraA.t()), m_loraB.t()) * m_loraScale; // [..., out]
    return y + update.to(y.scalar_type());
}

void LinearLayerImpl::attachLora(int64_t rank, double scale, double dropout)
{
    torch::NoGradGuard noGrad;
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(weight.device());
    m_loraA = register_parameter("lora_A", torch::empty({rank, m_in}, options));
    torch::nn::init::kaiming_uniform_(m_loraA, std::sqrt(5.0));
    m_loraB = register_parameter("lora_B", torch::zeros({m_out, rank}, options));
    m_loraScale = scale;
    m_loraDropout = dropout;
}

torch::Tensor LinearLayerImpl::loraDelta() const
{
    torch::NoGradGuard noGrad;
    auto delta = torch::matmul(m_loraB, m_loraA) * m_loraScale; // [out, in]
    if (m_layout == WeightLayout::InOut)
        delta = delta.t();
    return delta;
}

} // namespace cotlab::nn

namespace cotlab::nn {

void LinearLayerImpl::setLora(const torch::Tensor& a, const torch::Tensor& b)
{
    torch::NoGradGuard noGrad;
    m_loraA.copy_(a);
    m_loraB.copy_(b);
}

void LinearLayerImpl::foldLora()
{
    if (!m_loraA.defined() || m_loraFolded)
        return;
    torch::NoGradGuard noGrad;
    weight.copy_(weight.to(torch::kFloat32) + loraDelta().to(weight.device()));
    m_loraFolded = true;
}

} // namespace cotlab::nn
