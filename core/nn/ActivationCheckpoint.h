#pragma once

// Activation checkpointing (Chen et al. 2016; torch.utils.checkpoint): a transformer block runs without keeping
// its intermediate activations, only its input; backward runs it again, with the same random numbers (dropout)
// and the same autocast state, and back-propagates through that. Activation memory then grows with one block,
// not with the depth, for about one more forward pass of compute. Include only from core (torch).
#include <functional>
#include <torch/torch.h>

namespace cotlab::nn {

using BlockFunction = std::function<torch::Tensor(const torch::Tensor&)>;

// block(x) whose backward recomputes it. The function is kept until backward: it must capture by value (tensors,
// indexes, the module's pointer), never references to the caller's locals. Parameters the block uses get their
// gradients during the recomputation's backward; x gets its own when it requires one. Outside grad mode this is
// block(x).
torch::Tensor checkpointed(const BlockFunction& block, const torch::Tensor& x);

} // namespace cotlab::nn
