#include "TrainCommands.h"

#include "CommandLine.h"
#include "Interrupt.h"
#include "WorkerLauncher.h"
#include "nn/DeviceMemory.h"
#include "nn/ModelShape.h"
#include "report/RunSheets.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "train/DataParallel.h"
#include "train/MemoryPlan.h"
#include "util/Error.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
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

// The plan against the device's free memory, and what would fit when it does not (exit status 1 then).
int printMemoryPlan(const train::TrainingRequest& r)
{
    if (r.modelPath.empty())
        throw Error("--dry-run needs --model");
    const auto shape = nn::readModelShape(r.modelPath);
    const auto m = train::memorySettings(r, shape);
    const auto device = nn::deviceMemory(r.device);
    const auto plan = train::planMemory(shape, m);
    std::printf("%s model, %.0fM parameters, %s; batch %lld x %lld tokens\n", shape.family.c_str(),
                double(shape.parameters) / 1e6,
                r.config.lora
                    ? (r.config.lora->describe() + ", " + std::to_string(plan.trainableParameters) + " trained").c_str()
                    : "full fine-tuning",
                (long long)m.batchSize, (long long)m.maxLength);
    std::printf("memory plan: %s\n", train::describe(plan, m).c_str());
    if (device.available <= 0) {
        std::printf("free memory on %s: unknown\n", r.device.c_str());
        return 0;
    }
    std::printf("free memory (%s): %s\n", device.source.c_str(), train::formatBytes(device.available).c_str());
    if (plan.total() <= device.available) {
        std::printf("fits\n");
        return 0;
    }
    std::printf("does not fit; would fit:\n");
    const auto ways = train::waysToFit(shape, m, device.available);
    for (const auto& way : ways)
        std::printf("  %s\n", way.c_str());
    if (ways.empty())
        std::printf("  nothing of LoRA, checkpointing, a bf16 base, a shorter max length or a smaller batch alone\n");
    return 1;
}

} // namespace

int runTrain(const std::string& workspace, TrainArgs args)
{
    const auto& r = args.request;
    if (args.lora)
        args.request.config.lora = args.loraConfig;
    if (args.dryRun)
        return printMemoryPlan(args.request);
    const auto world = train::DistributedEnv::fromEnvironment();
    if (args.nproc < 1)
        throw Error("--nproc must be at least 1");
    if (args.nproc > 1 && !world) {
        if (!train::dataParallelAvailable())
            throw Error("--nproc needs torch.distributed's Gloo backend: install libgloo-dev "
                        "(packaging/setup-debian.sh) and rebuild");
        return launchWorkers(args.nproc);
    }
    const bool quiet = world && world->rank != 0; // rank 0 reports for every worker
    if (!args.requestFile.empty()) {
        std::ifstream in(args.requestFile);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in && text.empty())
            throw Error(args.requestFile + ": cannot read the training request");
        args.request = train::requestFromJson(text, workspace);
    }
    if (args.resumeRun == 0 && args.requestFile.empty() &&
        (r.modelPath.empty() || (r.selection.task.empty() && r.selection.corpus.empty()) || r.config.runDir.empty()))
        throw Error("train needs --model, --task (or --corpus) and --out (or --resume RUN)");
    if (args.logEvery <= 0)
        throw Error("--log-every must be positive");
    args.request.workspace = workspace;
    if (args.requestFile.empty())
        completeDataOptions(args);
    const jobs::StopToken& stop = stopOnInterrupt();
    double secondsPerStep = 0;
    const auto progress = [&](int64_t runId, const train::StepMetrics& m) {
        const double tokensPerStep = m.step > 0 ? double(m.tokens) / double(m.step) : 0;
        const double secs = m.tokensPerSecond > 0 ? tokensPerStep / m.tokensPerSecond : 0;
        secondsPerStep = secondsPerStep == 0 ? secs : 0.9 * secondsPerStep + 0.1 * secs;
        if (m.step % args.logEvery == 0 || m.step == m.totalSteps || m.step == 1)
            std::printf("run %lld  step %lld/%lld  epoch %.2f  loss %.4f  lr %.2e  grad %.3f  %.0f tok/s (%.0f with "
                        "padding)  eta %s\n",
                        (long long)runId, (long long)m.step, (long long)m.totalSteps, m.epoch, m.loss, m.learningRate,
                        m.gradNorm, m.tokensPerSecond, m.paddedTokensPerSecond,
                        duration(secondsPerStep * double(m.totalSteps - m.step)).c_str());
        if (m.devLoss)
            std::printf("run %lld  step %lld  dev loss %.4f\n", (long long)runId, (long long)m.step, *m.devLoss);
        std::fflush(stdout);
    };
    const auto outcome = args.resumeRun > 0 ? train::resumeRun(workspace, args.resumeRun, progress, &stop)
                                            : train::startRun(args.request, progress, &stop);
    if (quiet)
        return outcome.status == "stopped" ? 130 : 0;
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

void addDataOptions(CLI::App* command, TrainArgs& args)
{
    auto& req = args.request;
    command->add_option("--model", req.modelPath, kModelHelp);
    command->add_option("--tokenizer", req.tokenizerPath, kTokenizerHelp);
    command->add_option("--task", req.selection.task, "Task to learn from");
    command->add_option("--split", req.selection.split, "Split whose rationales are used")->capture_default_str();
    command->add_option("--template", args.templateName, kPromptFormatHelp)->capture_default_str();
    command->add_option("--corpus", req.selection.corpus,
                        "Train on a saved corpus's rationales (cotlab-cli corpus build); --task then narrows it");
    command->add_flag("--all-rationales", args.allRationales, "Also train on rationales whose answer is wrong");
    command
        ->add_option("--sources", req.selection.sources,
                     "Whose rationales: teacher (default), human (human-written ones, e.g. GSM8K's solutions), "
                     "student (an evaluated student's outputs); comma separated. Not with --corpus (its recipe says)")
        ->delimiter(',')
        ->check(CLI::IsMember({"teacher", "human", "student"}));
    command
        ->add_option("--samples-per-instance", req.selection.samplesPerInstance,
                     "At most this many rationales per question (0: all)")
        ->capture_default_str();
    command
        ->add_option("--questions", req.selection.questions,
                     "At most this many questions, drawn at random (0: all); smaller draws are subsets of larger")
        ->capture_default_str();
    command->add_option("--question-seed", req.selection.questionSeed, "Seed of the question draw")
        ->capture_default_str();
    command->add_option("--max-length", req.maxLength, "Tokens per example at most")->capture_default_str();
}

void completeDataOptions(TrainArgs& args)
{
    args.request.selection.format = train::findPromptFormat(args.templateName);
    args.request.selection.correctOnly = !args.allRationales;
}

void addTrainCommands(CommandLine& cli)
{
    auto tr = std::make_shared<TrainArgs>();
    auto& req = tr->request;
    auto* trainCmd = cli.add("train",
                             "Fine-tune a student on a task's teacher rationales (a run recorded in the workspace; "
                             "Ctrl-C stops with a checkpoint)",
                             [&cli, tr] {
                                 // The memory plan needs no workspace.
                                 return runTrain(tr->dryRun ? std::string() : cli.workspace(), *tr);
                             });
    addDataOptions(trainCmd, *tr);
    trainCmd->add_option("--out", req.config.runDir, "Folder for checkpoints and the trained model (final/)");
    trainCmd->add_option("--name", req.name, "Run name (default: the output folder's name)");
    trainCmd->add_option("--epochs", req.config.epochs, "Passes over the examples")->capture_default_str();
    trainCmd->add_option("--steps", req.config.maxSteps, "Optimizer steps (overrides --epochs)");
    trainCmd->add_option("--batch-size", req.config.batchSize, "Examples per micro-batch")->capture_default_str();
    trainCmd->add_option("--grad-accum", req.config.gradAccumulation, "Micro-batches per optimizer step")
        ->capture_default_str();
    trainCmd->add_option("--lr", req.config.learningRate, "Peak learning rate (AdamW)")->capture_default_str();
    trainCmd->add_option("--weight-decay", req.config.weightDecay, "AdamW weight decay")->capture_default_str();
    trainCmd->add_option("--warmup", req.config.warmupSteps, "Linear warm-up steps")->capture_default_str();
    trainCmd->add_option("--schedule", req.config.schedule, "cosine, linear or constant")->capture_default_str();
    trainCmd->add_option("--clip", req.config.clipNorm, "Gradient norm clip (0: off)")->capture_default_str();
    trainCmd->add_option("--seed", req.config.seed, "Data order seed")->capture_default_str();
    trainCmd->add_flag("--packing", req.packing,
                       "Pack examples best-fit-decreasing into rows of --max-length tokens, attention and positions "
                       "confined to each example (--batch-size then counts rows)");
    trainCmd->add_option("--checkpoint-every", req.config.checkpointEvery, "Steps between checkpoints (0: end only)")
        ->capture_default_str();
    trainCmd->add_option("--dev-split", req.devSplit,
                         "Measure the loss on this split's examples (e.g. dev) as training goes");
    trainCmd->add_option("--eval-every", req.config.evalEvery, "Steps between dev losses (0: at the end only)")
        ->capture_default_str();
    trainCmd->add_option("--device", req.device, kDeviceHelp)->capture_default_str();
    trainCmd
        ->add_option("--precision", req.config.precision,
                     "fp32, or mixed precision with float32 weights: bf16 (CUDA, or a CPU with bf16 support), "
                     "fp16 (CUDA, with dynamic loss scaling) or auto (bf16 on CUDA, fp32 on the CPU)")
        ->capture_default_str();
    trainCmd->add_flag("--lora", tr->lora, "Train LoRA adapters on a frozen base instead of every weight");
    trainCmd->add_option("--lora-r", tr->loraConfig.rank, "LoRA rank")->capture_default_str();
    trainCmd->add_option("--lora-alpha", tr->loraConfig.alpha, "LoRA alpha (scale alpha / r)")->capture_default_str();
    trainCmd->add_option("--lora-dropout", tr->loraConfig.dropout, "Dropout on the adapters' input")
        ->capture_default_str();
    trainCmd
        ->add_option("--lora-targets", tr->loraConfig.targets,
                     "Modules to adapt, comma separated (q_proj,v_proj; c_attn; all-linear); default: PEFT's for "
                     "the family")
        ->delimiter(',');
    trainCmd->add_flag("--rslora", tr->loraConfig.rsLora, "Rank-stabilised scale alpha / sqrt(r)");
    trainCmd
        ->add_option("--base-precision", req.config.basePrecision,
                     "The frozen base's dtype with --lora: fp32, bf16 (CUDA, CPUs with bf16) or fp16 (CUDA)")
        ->capture_default_str();
    trainCmd->add_flag("--checkpointing", req.config.activationCheckpointing,
                       "Activation checkpointing: recompute each block in backward (less memory, ~1/3 more time)");
    trainCmd->add_flag("--dry-run", tr->dryRun, "Print the memory plan against the device's free memory and stop");
    trainCmd->add_option("--request", tr->requestFile,
                         "A whole training request as JSON (as the Train page writes it) instead of the options above");
    trainCmd
        ->add_option("--nproc", tr->nproc,
                     "Data-parallel workers to start on this machine (each takes --batch-size examples a step; the "
                     "global batch is N times that); under torchrun or srun leave it at 1")
        ->capture_default_str();
    trainCmd->add_option("--resume", tr->resumeRun, "Continue this stopped run from its checkpoint");
    trainCmd->add_option("--log-every", tr->logEvery, "Print a progress line every N steps")->capture_default_str();

    auto runsJson = std::make_shared<bool>(false);
    auto* runs = cli.add("runs", "Training runs of the workspace, newest first",
                         [&cli, runsJson] { return runRuns(cli.workspace(), *runsJson); });
    runs->add_flag("--json", *runsJson, "Print one JSON object with configs, recipes and last losses");
    runs->require_subcommand(0, 1);
    auto curves = std::make_shared<std::pair<int64_t, std::string>>();
    auto* runsExport = cli.add(
        "export", "Write a run's curves (one row per step, one column per metric) as .csv or .xlsx",
        [&cli, curves] {
            store::Workspace ws(cli.workspace());
            for (const auto& f : report::writeSheets(curves->second, {report::runCurvesSheet(ws.db(), curves->first)}))
                std::printf("wrote %s\n", f.c_str());
            return 0;
        },
        runs);
    runsExport->add_option("run", curves->first, "Run id (cotlab-cli runs)")->required();
    runsExport->add_option("--out", curves->second, "File to write (.csv or .xlsx)")->required();
}

} // namespace cotlab::cli
