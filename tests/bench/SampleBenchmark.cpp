// Teacher sampling benchmark: samples per second from `cotlab-cli serve` (the shared stories260K on this machine's
// CPU) through CoTLab's own client and sampling job, at several concurrency levels. Each level samples a fresh
// model name, so nothing is topped up from an earlier level.
//
//   bench_sample [--cli build/app/cotlab-cli] [--instances 32] [--samples 4] [--per-request 1] [--max-tokens 48]
//                [--concurrency 1,8,32]
#include "ingest/Importer.h"
#include "store/Workspace.h"
#include "teacher/SamplingJob.h"

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace cotlab;

int main(int argc, char** argv)
{
    std::string cli = COTLAB_CLI_PATH;
    int64_t instances = 32, samples = 4;
    int perRequest = 1, maxTokens = 48;
    std::vector<int> levels{1, 8, 32};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--cli")
            cli = value;
        else if (key == "--instances")
            instances = std::stoll(value);
        else if (key == "--samples")
            samples = std::stoll(value);
        else if (key == "--per-request")
            perRequest = std::stoi(value);
        else if (key == "--max-tokens")
            maxTokens = std::stoi(value);
        else if (key == "--concurrency") {
            levels.clear();
            std::stringstream list(value);
            for (std::string item; std::getline(list, item, ',');)
                levels.push_back(std::stoi(item));
        }
    }
    const std::string shared = COTLAB_SHARED_DIR;
    // The server, its port read from its first line.
    int pipeFd[2];
    if (pipe(pipeFd) != 0)
        return 1;
    const pid_t server = fork();
    if (server == 0) {
        dup2(pipeFd[1], STDOUT_FILENO);
        execl(cli.c_str(), cli.c_str(), "serve", "--model", (shared + "/models/stories260K/stories260K.bin").c_str(),
              "--tokenizer", (shared + "/models/stories260K/tok512.bin").c_str(), "--name", "stories260K", "--port",
              "0", static_cast<char*>(nullptr));
        _exit(127);
    }
    close(pipeFd[1]);
    std::string line;
    char ch = 0;
    while (read(pipeFd[0], &ch, 1) == 1 && ch != '\n')
        line += ch;
    const auto at = line.find("http://");
    if (at == std::string::npos) {
        std::fprintf(stderr, "cotlab-cli serve did not start: %s\n", line.c_str());
        return 1;
    }
    const std::string url = line.substr(at, line.find(' ', at) - at);

    const std::string workspace = (std::filesystem::temp_directory_path() / "bench_sample.cotlab").string();
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(workspace + suffix);
    {
        store::Workspace ws(workspace);
        ingest::Importer::importFile(ws.db(), shared + "/data/teacher/zero-shot-cot-davinci002/multiarith.jsonl");
    }
    std::printf("cotlab-cli serve (stories260K, CPU) at %s; %lld instances x %lld samples, n=%d per request, "
                "max %d new tokens, no answer call\n",
                url.c_str(), (long long)instances, (long long)samples, perRequest, maxTokens);
    for (int level : levels) {
        teacher::SamplingRequest r;
        r.workspace = workspace;
        r.endpoint.baseUrl = url;
        r.endpoint.model = "stories260K";
        r.tasks = {"multiarith"};
        r.limit = instances;
        r.samplesPerInstance = samples;
        r.maxPerRequest = perRequest;
        r.concurrency = level;
        r.params.maxTokens = maxTokens;
        r.params.temperature = 0.8;
        r.prompt.extractAnswer = false;
        // A fresh model name per level: the server answers whatever model is asked for.
        r.endpoint.model = "stories260K-c" + std::to_string(level);
        const auto outcome = teacher::runSampling(r, {}, nullptr);
        std::printf("concurrency %3d: %4lld samples in %6.2f s = %7.2f samples/s, %6.2f requests/s, %lld completion "
                    "tokens (%.0f tokens/s), %lld failed\n",
                    level, (long long)outcome.stored, outcome.seconds, double(outcome.stored) / outcome.seconds,
                    double(outcome.usage.requests) / outcome.seconds, (long long)outcome.usage.completionTokens,
                    double(outcome.usage.completionTokens) / outcome.seconds, (long long)outcome.failedRequests);
    }
    kill(server, SIGINT);
    waitpid(server, nullptr, 0);
    return 0;
}
