#pragma once

// `cotlab-cli train --nproc N`: starts N copies of this command as data-parallel workers on this machine, with the
// variables torchrun gives its workers (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1, MASTER_PORT: a free
// port), and waits for them. Ctrl-C and SIGTERM are passed on (the workers stop together at one step, with one
// checkpoint); when a worker fails, the others are asked to stop, then killed after a grace period, so no process
// is left behind.
namespace cotlab::cli {

// Returns rank 0's exit status, or the first failing worker's.
int launchWorkers(int count);

} // namespace cotlab::cli
