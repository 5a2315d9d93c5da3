#include "train/DataParallel.h"

#include "util/Error.h"

#include <cstdlib>

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace cotlab::train {

namespace {

std::optional<std::string> variable(const char* name)
{
    const char* value = std::getenv(name);
    return value && *value ? std::optional<std::string>(value) : std::nullopt;
}

int integerVariable(const char* name, const std::string& text, int min, int max)
{
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || value < min || value > max)
        throw Error("environment variable " + std::string(name) + "=" + text + ": expected a whole number from " +
                    std::to_string(min) + " to " + std::to_string(max));
    return int(value);
}

} // namespace

std::optional<DistributedEnv> DistributedEnv::fromEnvironment()
{
    // torchrun's names first, then Slurm's (srun starts one task per process; MASTER_ADDR comes from the script).
    const auto world = variable("WORLD_SIZE") ? variable("WORLD_SIZE") : variable("SLURM_NTASKS");
    if (!world)
        return std::nullopt;
    DistributedEnv e;
    e.worldSize = integerVariable("WORLD_SIZE", *world, 1, 1 << 20);
    if (e.worldSize == 1)
        return std::nullopt;
    const auto rank = variable("RANK") ? variable("RANK") : variable("SLURM_PROCID");
    if (!rank)
        throw Error("WORLD_SIZE is " + *world +
                    " but RANK is not set: start workers with torchrun, srun or "
                    "`cotlab-cli train --nproc N`");
    e.rank = integerVariable("RANK", *rank, 0, e.worldSize - 1);
    const auto local = variable("LOCAL_RANK") ? variable("LOCAL_RANK") : variable("SLURM_LOCALID");
    e.localRank = local ? integerVariable("LOCAL_RANK", *local, 0, e.worldSize - 1) : e.rank;
    e.masterAddr = variable("MASTER_ADDR").value_or("127.0.0.1");
    if (const auto port = variable("MASTER_PORT"))
        e.masterPort = integerVariable("MASTER_PORT", *port, 1, 65535);
    const auto agent = variable("TORCHELASTIC_USE_AGENT_STORE");
    e.agentStore = agent && (*agent == "True" || *agent == "true" || *agent == "1");
    e.restartCount = variable("TORCHELASTIC_RESTART_COUNT").value_or("0");
    return e;
}

#ifdef USE_C10D_GLOO

bool dataParallelAvailable()
{
    return true;
}

struct DataParallel::Impl {
    int rank = 0, world = 1;
    std::chrono::milliseconds timeout{0};
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroup> group;
    double seconds = 0;

    // Runs collectives and waits for them; a failure (a worker died, a time-out) becomes one Error naming this rank.
    void wait(std::vector<c10::intrusive_ptr<c10d::Work>> works)
    {
        const auto start = std::chrono::steady_clock::now();
        try {
            for (auto& w : works)
                w->wait(timeout);
        } catch (const std::exception& e) {
            std::string what = e.what();
            what = what.substr(0, what.find('\n'));
            throw Error("data-parallel rank " + std::to_string(rank) + " of " + std::to_string(world) +
                        ": lost contact with the other workers (one died or stopped answering): " + what);
        }
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
};

DataParallel::DataParallel(const DistributedEnv& env, std::chrono::seconds timeout) : m(std::make_unique<Impl>())
{
    m->rank = env.rank;
    m->world = env.worldSize;
    m->timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    try {
        c10d::TCPStoreOptions options;
        options.port = uint16_t(env.masterPort);
        options.isServer = env.rank == 0 && !env.agentStore;
        options.numWorkers = env.agentStore ? c10::nullopt : c10::optional<std::size_t>(std::size_t(env.worldSize));
        options.waitWorkers = false;
        options.timeout = m->timeout;
        c10::intrusive_ptr<c10d::Store> tcp = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, options);
        // torchrun's agent keeps one key space per restart attempt, as torch.distributed's env:// rendezvous does.
        m->store = env.agentStore ? c10::intrusive_ptr<c10d::Store>(c10::make_intrusive<c10d::PrefixStore>(
                                        "/worker/attempt_" + env.restartCount, tcp))
                                  : tcp;
        auto groupOptions = c10d::ProcessGroupGloo::Options::create(m->timeout);
        groupOptions->devices.push_back(env.masterAddr == "127.0.0.1" || env.masterAddr == "localhost"
                                            ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                            : c10d::ProcessGroupGloo::createDefaultDevice());
        m->group = c10::make_intrusive<c10d::ProcessGroupGloo>(
            c10::make_intrusive<c10d::PrefixStore>("cotlab/", m->store), env.rank, env.worldSize, groupOptions);
    } catch (const std::exception& e) {
        std::string what = e.what();
        throw Error("data-parallel rank " + std::to_string(env.rank) + " of " + std::to_string(env.worldSize) +
                    ": cannot reach the other workers at " + env.masterAddr + ":" + std::to_string(env.masterPort) +
                    " (MASTER_ADDR, MASTER_PORT): " + what.substr(0, what.find('\n')));
    }
}

DataParallel::~DataParallel() = default;

int DataParallel::rank() const
{
    return m->rank;
}

int DataParallel::worldSize() const
{
    return m->world;
}

std::string DataParallel::backend() const
{
    return m->group->getBackendName();
}

void DataParallel::broadcast(const std::vector<torch::Tensor>& tensors)
{
    torch::NoGradGuard noGrad;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    std::vector<std::vector<torch::Tensor>> holders;
    holders.reserve(tensors.size());
    for (const auto& t : tensors) {
        holders.push_back({t.detach()});
        works.push_back(m->group->broadcast(holders.back()));
    }
    m->wait(std::move(works));
}

void DataParallel::allReduceSum(const std::vector<torch::Tensor>& tensors)
{
    torch::NoGradGuard noGrad;
    constexpr int64_t kBucketBytes = 25 << 20; // PyTorch DDP's default bucket_cap_mb
    std::vector<std::vector<torch::Tensor>> buckets;
    std::vector<std::vector<torch::Tensor>> members;
    int64_t bytes = 0;
    for (const auto& t : tensors) {
        if (members.empty() || bytes + int64_t(t.nbytes()) > kBucketBytes ||
            members.back().front().scalar_type() != t.scalar_type()) {
            members.emplace_back();
            bytes = 0;
        }
        members.back().push_back(t);
        bytes += int64_t(t.nbytes());
    }
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (const auto& group : members) {
        std::vector<torch::Tensor> flat;
        for (const auto& t : group)
            flat.push_back(t.reshape({-1}));
        buckets.push_back({torch::cat(flat)});
        works.push_back(m->group->allreduce(buckets.back()));
    }
    m->wait(std::move(works));
    for (size_t b = 0; b < members.size(); ++b) {
        int64_t offset = 0;
        for (auto& t : members[b]) {
            t.copy_(buckets[b][0].narrow(0, offset, t.numel()).view_as(t));
            offset += t.numel();
        }
    }
}

std::vector<double> DataParallel::sumAcrossWorkers(const std::vector<double>& values)
{
    std::vector<torch::Tensor> holder{torch::tensor(values, torch::kFloat64)};
    m->wait({m->group->allreduce(holder)});
    const auto summed = holder[0].contiguous();
    return std::vector<double>(summed.data_ptr<double>(), summed.data_ptr<double>() + summed.numel());
}

double DataParallel::secondsInCollectives() const
{
    return m->seconds;
}

#else

bool dataParallelAvailable()
{
    return false;
}

struct DataParallel::Impl {};

DataParallel::DataParallel(const DistributedEnv&, std::chrono::seconds)
{
    throw Error("this build of CoTLab has no torch.distributed backend: install libgloo-dev "
                "(packaging/setup-debian.sh) and rebuild");
}
DataParallel::~DataParallel() = default;
int DataParallel::rank() const
{
    return 0;
}
int DataParallel::worldSize() const
{
    return 1;
}
std::string DataParallel::backend() const
{
    return {};
}
void DataParallel::broadcast(const std::vector<torch::Tensor>&) {}
void DataParallel::allReduceSum(const std::vector<torch::Tensor>&) {}
std::vector<double> DataParallel::sumAcrossWorkers(const std::vector<double>& values)
{
    return values;
}
double DataParallel::secondsInCollectives() const
{
    return 0;
}

#endif

} // namespace cotlab::train
