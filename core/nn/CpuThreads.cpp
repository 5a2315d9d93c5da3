#include "nn/CpuThreads.h"

#include <dlfcn.h>
#include <torch/torch.h>

namespace cotlab::nn {

namespace {

// Looked up at run time: only present when the BLAS libtorch loaded is OpenBLAS.
template <typename Fn> Fn openBlasFunction(const char* name)
{
    return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

} // namespace

int setCpuThreads(int n)
{
    if (n > 0)
        torch::set_num_threads(n);
    const int threads = torch::get_num_threads();
    if (threads > 1) {
        if (auto set = openBlasFunction<void (*)(int)>("openblas_set_num_threads"))
            set(1);
    }
    return threads;
}

int openBlasThreads()
{
    auto get = openBlasFunction<int (*)()>("openblas_get_num_threads");
    return get ? get() : 0;
}

} // namespace cotlab::nn
