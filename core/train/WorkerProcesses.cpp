#include "train/WorkerProcesses.h"

#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace cotlab::train {

namespace fs = std::filesystem;

namespace {

// The launcher (`cotlab-cli ... --nproc N`), its output appended to log.
pid_t spawnLauncher(const std::vector<std::string>& args, const std::string& log)
{
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int failed = posix_spawn(&pid, args.front().c_str(), &files, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (failed)
        throw Error("cannot start " + args.front() + " for the data-parallel workers: " + std::strerror(failed));
    return pid;
}

std::string lastLines(const std::string& path, size_t count)
{
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            lines.push_back(line);
    std::string text;
    for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
        text += (text.empty() ? "" : " / ") + lines[i];
    return text;
}

// Reports the steps rank 0 stored after `reported`; returns the last one reported.
int64_t reportNewSteps(store::RunRepository& runs, int64_t runId, int64_t reported, const RunProgress& progress)
{
    const auto run = runs.find(runId);
    if (!run)
        return reported;
    std::map<std::string, std::map<int64_t, double>> metrics;
    for (const char* name : {"loss", "learning_rate", "grad_norm", "tokens_per_second", "dev_loss"})
        for (const auto& [step, value] : runs.metric(runId, name))
            if (step > reported)
                metrics[name][step] = value;
    for (const auto& [step, loss] : metrics["loss"]) {
        StepMetrics m;
        m.step = step;
        m.totalSteps = run->totalSteps;
        m.loss = loss;
        m.learningRate = metrics["learning_rate"][step];
        m.gradNorm = metrics["grad_norm"][step];
        m.tokensPerSecond = metrics["tokens_per_second"][step];
        m.paddedTokensPerSecond = metrics["padded_tokens_per_second"][step];
        m.epoch = run->totalSteps > 0 ? double(step) / double(run->totalSteps) : 0.0; // of the run, not of the data
        if (const auto dev = metrics["dev_loss"].find(step); dev != metrics["dev_loss"].end())
            m.devLoss = dev->second;
        if (progress)
            progress(runId, m);
        reported = step;
    }
    return reported;
}

// Follows the launcher until it ends: new steps reported, a stop request passed on as SIGINT. existingRun 0: the
// run is the first one recorded with this output folder after `newerThan`.
RunOutcome follow(pid_t launcher, const std::string& workspace, const std::string& runDir, int64_t existingRun,
                  int64_t newerThan, const RunProgress& progress, const jobs::StopToken* stop)
{
    store::Workspace ws(workspace);
    store::RunRepository runs(ws.db());
    int64_t runId = existingRun, reported = 0;
    if (existingRun) { // a resumed run reports from its checkpoint on
        std::ifstream state(fs::path(runDir) / "checkpoint" / "state.json");
        const auto j = nlohmann::json::parse(state, nullptr, false);
        reported = j.is_object() ? j.value("step", int64_t(0)) : 0;
    }
    bool stopSent = false;
    int status = 0;
    for (bool running = true; running;) {
        running = waitpid(launcher, &status, WNOHANG) == 0;
        if (runId == 0)
            for (const auto& r : runs.list())
                if (r.id > newerThan && r.outputDir == runDir)
                    runId = r.id;
        if (runId)
            reported = reportNewSteps(runs, runId, reported, progress);
        if (stop && stop->stopRequested() && !stopSent && running) {
            kill(launcher, SIGINT);
            stopSent = true;
        }
        if (running)
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const std::string log = (fs::path(runDir) / "workers.log").string();
    const auto run = runId ? runs.find(runId) : std::nullopt;
    if (!run)
        throw Error("the data-parallel workers ended before recording a run: " + lastLines(log, 3));
    RunOutcome outcome;
    outcome.runId = runId;
    outcome.status = run->status;
    if (run->status == "finished")
        outcome.finalFolder = (fs::path(runDir) / "final").string();
    else if (run->status != "stopped")
        throw Error(run->message.value_or("the data-parallel workers failed: " + lastLines(log, 3)));
    return outcome;
}

} // namespace

RunOutcome startRunWithWorkers(const WorkerLaunch& launch, const TrainingRequest& request, const RunProgress& progress,
                               const jobs::StopToken* stop)
{
    const TrainingRequest r = withAbsolutePaths(request);
    if (r.config.runDir.empty())
        throw Error("an output folder for checkpoints and the trained model is required");
    std::error_code ec;
    fs::create_directories(r.config.runDir, ec);
    const std::string requestFile = (fs::path(r.config.runDir) / "request.json").string();
    std::ofstream(requestFile) << requestToJson(r);
    int64_t newest = 0;
    {
        store::Workspace ws(r.workspace);
        for (const auto& run : store::RunRepository(ws.db()).list())
            newest = std::max(newest, run.id);
    }
    const pid_t launcher = spawnLauncher({launch.cli, "--workspace", r.workspace, "train", "--request", requestFile,
                                          "--nproc", std::to_string(launch.workers)},
                                         (fs::path(r.config.runDir) / "workers.log").string());
    return follow(launcher, r.workspace, r.config.runDir, 0, newest, progress, stop);
}

RunOutcome resumeRunWithWorkers(const WorkerLaunch& launch, const std::string& workspace, int64_t runId,
                                const RunProgress& progress, const jobs::StopToken* stop)
{
    std::string runDir;
    {
        store::Workspace ws(workspace);
        const auto run = store::RunRepository(ws.db()).find(runId);
        if (!run)
            throw Error("no run " + std::to_string(runId) + " in " + workspace);
        runDir = run->outputDir;
    }
    const pid_t launcher = spawnLauncher({launch.cli, "--workspace", workspace, "train", "--resume",
                                          std::to_string(runId), "--nproc", std::to_string(launch.workers)},
                                         (fs::path(runDir) / "workers.log").string());
    return follow(launcher, workspace, runDir, runId, 0, progress, stop);
}

} // namespace cotlab::train
