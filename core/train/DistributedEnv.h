#pragma once

// Where a data-parallel worker finds the others (torchrun's and Slurm's variables), and whether this build has a
// torch.distributed backend. No torch: the GUI and the CLI ask before starting workers (train/DataParallel.h).
#include <optional>
#include <string>

namespace cotlab::train {

struct DistributedEnv {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;
    bool agentStore = false;        // torchrun's agent hosts the store: every worker connects as a client
    std::string restartCount = "0"; // TORCHELASTIC_RESTART_COUNT: the store keys of one attempt
    // From the environment; none when there is no world (WORLD_SIZE absent or 1). Error naming the variable when
    // one is malformed or inconsistent (RANK not below WORLD_SIZE, a port out of range).
    static std::optional<DistributedEnv> fromEnvironment();
};

// Whether this build can train data-parallel (c10d with Gloo).
bool dataParallelAvailable();

} // namespace cotlab::train
