#pragma once

// Data-parallel training over torch.distributed's c10d: one process per device (or per CPU share), each reading
// its shard of every global batch; gradients summed across processes in buckets; identical optimizer steps
// everywhere. Gloo (Debian's libtorch 1.13 with libgloo-dev, USE_C10D_GLOO); NCCL is not wired yet (Debian's
// libtorch is CPU-only: nothing to build or test it against). Workers find each other the way torchrun's do: RANK,
// WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (and TORCHELASTIC_USE_AGENT_STORE), or Slurm's SLURM_PROCID,
// SLURM_NTASKS, SLURM_LOCALID. Include only from core and cotlab-cli (torch).
#include "train/DistributedEnv.h"

#include <chrono>
#include <memory>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace cotlab::train {

class DataParallel {
public:
    // Connects to the other workers (rank 0 hosts the TCP store unless torchrun's agent does); every collective
    // gives up after `timeout` with an Error naming this rank, so a dead worker never leaves the others hanging.
    explicit DataParallel(const DistributedEnv& env, std::chrono::seconds timeout = std::chrono::seconds(120));
    ~DataParallel();
    DataParallel(const DataParallel&) = delete;
    DataParallel& operator=(const DataParallel&) = delete;

    int rank() const;
    int worldSize() const;
    std::string backend() const; // "gloo" or "nccl"

    // Rank 0's values into every rank's tensors, in place.
    void broadcast(const std::vector<torch::Tensor>& tensors);
    // Sums the tensors across ranks in place: flattened into buckets of about 25 MB, one collective per bucket,
    // all in flight together.
    void allReduceSum(const std::vector<torch::Tensor>& tensors);
    std::vector<double> sumAcrossWorkers(const std::vector<double>& values);
    // Seconds this process has spent in collectives (the benchmark's communication time).
    double secondsInCollectives() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace cotlab::train
