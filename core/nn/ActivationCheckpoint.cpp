#include "nn/ActivationCheckpoint.h"

#include <ATen/autocast_mode.h>
#include <mutex>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>

namespace cotlab::nn {

namespace {

// What the forward pass ran under, to run the same way again.
struct ForwardState {
    bool cpuAutocast = false, gpuAutocast = false;
    torch::ScalarType cpuDtype = torch::kBFloat16, gpuDtype = torch::kFloat16;
    torch::Device device = torch::kCPU;
    torch::Tensor cpuRng, deviceRng; // generator states (the device's only on CUDA)

    static torch::Tensor rngState(const torch::Device& device)
    {
        auto generator = at::globalContext().defaultGenerator(device);
        std::lock_guard<std::mutex> lock(generator.mutex());
        return generator.get_state();
    }
    static void setRngState(const torch::Device& device, const torch::Tensor& state)
    {
        auto generator = at::globalContext().defaultGenerator(device);
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(state);
    }

    static ForwardState capture(const torch::Device& device)
    {
        ForwardState s;
        s.cpuAutocast = at::autocast::is_cpu_enabled();
        s.gpuAutocast = at::autocast::is_enabled();
        s.cpuDtype = at::autocast::get_autocast_cpu_dtype();
        s.gpuDtype = at::autocast::get_autocast_gpu_dtype();
        s.device = device;
        s.cpuRng = rngState(torch::kCPU);
        if (device.is_cuda())
            s.deviceRng = rngState(device);
        return s;
    }
};

// Installs a ForwardState for the recomputation and puts back what was there (random streams included, so
// that recomputing does not shift the numbers drawn after it).
class ReplayScope {
public:
    explicit ReplayScope(const ForwardState& s) : m_before(ForwardState::capture(s.device))
    {
        ForwardState::setRngState(torch::kCPU, s.cpuRng);
        if (s.deviceRng.defined())
            ForwardState::setRngState(s.device, s.deviceRng);
        at::autocast::set_cpu_enabled(s.cpuAutocast);
        at::autocast::set_autocast_cpu_dtype(s.cpuDtype);
        at::autocast::set_enabled(s.gpuAutocast);
        at::autocast::set_autocast_gpu_dtype(s.gpuDtype);
        at::autocast::increment_nesting();
    }
    ~ReplayScope()
    {
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache();
        at::autocast::set_cpu_enabled(m_before.cpuAutocast);
        at::autocast::set_autocast_cpu_dtype(m_before.cpuDtype);
        at::autocast::set_enabled(m_before.gpuAutocast);
        at::autocast::set_autocast_gpu_dtype(m_before.gpuDtype);
        ForwardState::setRngState(torch::kCPU, m_before.cpuRng);
        if (m_before.deviceRng.defined())
            ForwardState::setRngState(m_before.device, m_before.deviceRng);
    }
    ReplayScope(const ReplayScope&) = delete;
    ReplayScope& operator=(const ReplayScope&) = delete;

private:
    ForwardState m_before;
};

// The autograd node of a checkpointed block: its backward is the block's forward run again, then backward through
// that (a nested, "reentrant" backward, as torch.utils.checkpoint's original implementation does).
class CheckpointBackward : public torch::autograd::Node {
public:
    CheckpointBackward(BlockFunction block, torch::Tensor input, ForwardState state, torch::autograd::edge_list edges)
        : Node(std::move(edges)), m_block(std::move(block)), m_input(std::move(input)), m_state(std::move(state))
    {
    }

    torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override
    {
        const bool inputNeedsGrad = !next_edges().empty() && next_edges().front().is_valid();
        auto x = m_input.detach().requires_grad_(inputNeedsGrad);
        torch::Tensor y;
        {
            ReplayScope replay(m_state);
            torch::AutoGradMode enable(true);
            y = m_block(x);
        }
        if (y.requires_grad())
            torch::autograd::backward({y}, {grads.at(0)});
        m_input = torch::Tensor(); // a block is back-propagated once; free its input now
        return {inputNeedsGrad ? x.grad() : torch::Tensor()};
    }

    std::string name() const override { return "CheckpointBackward"; }

private:
    BlockFunction m_block;
    torch::Tensor m_input;
    ForwardState m_state;
};

} // namespace

torch::Tensor checkpointed(const BlockFunction& block, const torch::Tensor& x)
{
    if (!torch::GradMode::is_enabled())
        return block(x);
    ForwardState state = ForwardState::capture(x.device());
    torch::Tensor y;
    {
        torch::NoGradGuard noGrad;
        y = block(x);
    }
    auto node = std::make_shared<CheckpointBackward>(block, x.detach(), std::move(state),
                                                     torch::autograd::collect_next_edges(x));
    torch::autograd::set_history(y, node);
    return y;
}

} // namespace cotlab::nn
