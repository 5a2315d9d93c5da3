#include "TrainCommands.h"

#include "Interrupt.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace cotlab::cli {

namespace {

std::string duration(double seconds)
{
    const auto s = int64_t(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        std::snprintf(buf, sizeof buf, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    return buf;
}

} // namespace

int runTrain(const std::string& workspace, TrainArgs args)
{
    args.request.workspace = workspace;
    args.request.selection.format = train::targetFormatFromName(args.templateName);
    args.request.selection.correctOnly = !args.allRationales;
    const jobs::StopToken& stop = stopOnInterrupt();
    double secondsPerStep = 0;
    const auto progress = [&](int64_t runId, const train::StepMetrics& m) {
        const double tokensPerStep = m.step > 0 ? double(m.tokens) / double(m.step) : 0;
        const double secs = m.tokensPerSecond > 0 ? tokensPerStep / m.tokensPerSecond : 0;
        secondsPerStep = secondsPerStep == 0 ? secs : 0.9 * secondsPerStep + 0.1 * secs;
        if (m.step % args.logEvery == 0 || m.step == m.totalSteps || m.step == 1)
            std::printf("run %lld  step %lld/%lld  epoch %.2f  loss %.4f  lr %.2e  grad %.3f  %.0f tok/s  eta %s\n",
                        (long long)runId, (long long)m.step, (long long)m.totalSteps, m.epoch, m.loss, m.learningRate,
                        m.gradNorm, m.tokensPerSecond,
                        duration(secondsPerStep * double(m.totalSteps - m.step)).c_str());
        if (m.devLoss)
            std::printf("run %lld  step %lld  dev loss %.4f\n", (long long)runId, (long long)m.step, *m.devLoss);
        std::fflush(stdout);
    };
    const auto outcome = args.resumeRun > 0 ? train::resumeRun(workspace, args.resumeRun, progress, &stop)
                                            : train::startRun(args.request, progress, &stop);
    if (outcome.status == "stopped") {
        std::printf("run %lld stopped; continue it with: cotlab-cli --workspace %s train --resume %lld\n",
                    (long long)outcome.runId, workspace.c_str(), (long long)outcome.runId);
        return 130;
    }
    std::printf("run %lld finished; the student is in %s\n", (long long)outcome.runId, outcome.finalFolder.c_str());
    return 0;
}

int runRuns(const std::string& workspace, bool json)
{
    store::Workspace ws(workspace);
    store::RunRepository runs(ws.db());
    const auto list = runs.list();
    if (json) {
        nlohmann::ordered_json out = {{"runs", nlohmann::ordered_json::array()}};
        for (const auto& r : list) {
            const auto loss = runs.metric(r.id, "loss");
            out["runs"].push_back({{"id", r.id},
                                   {"name", r.name},
                                   {"status", r.status},
                                   {"step", r.step},
                                   {"total_steps", r.totalSteps},
                                   {"last_loss", loss.empty() ? nlohmann::ordered_json(nullptr)
                                                              : nlohmann::ordered_json(loss.back().second)},
                                   {"output_dir", r.outputDir},
                                   {"config", nlohmann::json::parse(r.configJson)},
                                   {"recipe", nlohmann::json::parse(r.recipeJson)},
                                   {"message", r.message ? nlohmann::ordered_json(*r.message) : nullptr},
                                   {"created_at", r.createdAt}});
        }
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::printf("%-4s %-24s %-9s %-12s %-10s %s\n", "id", "name", "status", "steps", "last loss", "created");
    for (const auto& r : list) {
        const auto loss = runs.metric(r.id, "loss");
        const std::string steps = std::to_string(r.step) + "/" + std::to_string(r.totalSteps);
        std::printf("%-4lld %-24s %-9s %-12s %-10s %s\n", (long long)r.id, r.name.c_str(), r.status.c_str(),
                    steps.c_str(), loss.empty() ? "-" : std::to_string(loss.back().second).substr(0, 6).c_str(),
                    r.createdAt.c_str());
    }
    return 0;
}

} // namespace cotlab::cli
