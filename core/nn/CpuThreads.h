#pragma once

namespace cotlab::nn {

// Sets libtorch's intra-op threads (n <= 0 keeps its default, one per core) and keeps OpenBLAS's own thread
// pool from competing with them. Debian's libtorch calls OpenBLAS (the pthread build) for matrix products, and
// that build runs its own pool, one thread per core, beside libtorch's OpenMP pool: with both at two threads on
// a 2-core machine, training ran 30-40% slower than with OpenBLAS at one (docs/benchmarks.md). So while libtorch
// runs more than one thread, OpenBLAS runs one; with libtorch at one thread, OpenBLAS keeps its default. No-op
// for OpenBLAS when libtorch uses another BLAS (MKL in the Python-bundled libtorch). Returns the threads set.
int setCpuThreads(int n = 0);

// OpenBLAS's thread count when libtorch calls OpenBLAS; 0 otherwise.
int openBlasThreads();

} // namespace cotlab::nn
