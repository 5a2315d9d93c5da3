// Compiles nothing of its own: the target that owns the precompiled <torch/torch.h> the libtorch tests reuse.
