#include "WorkerLauncher.h"

#include "Interrupt.h"
#include "util/Error.h"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace cotlab::cli {

namespace {

// This process's own arguments, as the kernel recorded them.
std::vector<std::string> ownArguments()
{
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    for (size_t start = 0; start < all.size();) {
        const size_t end = all.find('\0', start);
        args.push_back(all.substr(start, end - start));
        start = end == std::string::npos ? all.size() : end + 1;
    }
    return args;
}

int freePort()
{
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(s, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (s >= 0)
            close(s);
        throw Error("cannot find a free local port for the workers' rendezvous");
    }
    const int port = ntohs(address.sin_port);
    close(s);
    return port;
}

pid_t spawnWorker(const std::vector<std::string>& args, int rank, int count, int port)
{
    auto ours = [](const std::string& entry) {
        for (const char* name :
             {"RANK=", "WORLD_SIZE=", "LOCAL_RANK=", "MASTER_ADDR=", "MASTER_PORT=", "TORCHELASTIC_USE_AGENT_STORE="})
            if (entry.rfind(name, 0) == 0)
                return true;
        return false;
    };
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (!ours(*e))
            env.push_back(*e);
    env.push_back("RANK=" + std::to_string(rank));
    env.push_back("LOCAL_RANK=" + std::to_string(rank));
    env.push_back("WORLD_SIZE=" + std::to_string(count));
    env.push_back("MASTER_ADDR=127.0.0.1");
    env.push_back("MASTER_PORT=" + std::to_string(port));
    // The machine's cores shared between the workers (libtorch would give each all of them).
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency() / unsigned(count));
    if (!std::getenv("OMP_NUM_THREADS"))
        env.push_back("OMP_NUM_THREADS=" + std::to_string(cores));
    std::vector<char*> argv, envp;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), envp.data()) != 0)
        throw Error("cannot start data-parallel worker " + std::to_string(rank));
    return pid;
}

} // namespace

int launchWorkers(int count)
{
    const auto args = ownArguments();
    const int port = freePort();
    const jobs::StopToken& stop = stopOnInterrupt();
    std::vector<pid_t> workers;
    for (int rank = 0; rank < count; ++rank) {
        workers.push_back(spawnWorker(args, rank, count, port));
        std::fprintf(stderr, "data-parallel worker %d of %d: pid %d\n", rank, count, int(workers.back()));
    }
    std::vector<int> status(size_t(count), -1);
    int running = count, firstFailure = -1;
    bool forwarded = false;
    std::chrono::steady_clock::time_point killAt = std::chrono::steady_clock::time_point::max();
    while (running > 0) {
        for (int rank = 0; rank < count; ++rank) {
            int raw = 0;
            if (status[size_t(rank)] != -1 || waitpid(workers[size_t(rank)], &raw, WNOHANG) <= 0)
                continue;
            status[size_t(rank)] = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
            --running;
            const int code = status[size_t(rank)];
            if (code != 0 && code != 130 && firstFailure < 0) {
                firstFailure = rank;
                std::fprintf(stderr, "data-parallel worker %d ended with status %d; stopping the others\n", rank, code);
                killAt = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            }
        }
        if (stop.stopRequested() && !forwarded) {
            for (int rank = 0; rank < count; ++rank)
                if (status[size_t(rank)] == -1)
                    kill(workers[size_t(rank)], SIGINT);
            forwarded = true;
        }
        // A failed worker leaves the others in a collective until its time-out; end them after a grace period.
        if (std::chrono::steady_clock::now() >= killAt)
            for (int rank = 0; rank < count; ++rank)
                if (status[size_t(rank)] == -1)
                    kill(workers[size_t(rank)], SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return firstFailure >= 0 ? status[size_t(firstFailure)] : status[0];
}

} // namespace cotlab::cli
