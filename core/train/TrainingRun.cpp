#include "train/TrainingRun.h"

#include "nn/DeviceMemory.h"
#include "nn/Lora.h"
#include "nn/ModelLoader.h"
#include "nn/ModelShape.h"
#include "nn/Placement.h"
#include "store/CorpusRepository.h"
#include "store/RationaleRepository.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "text/Tokenizer.h"
#include "train/ChatLayout.h"
#include "train/DataParallel.h"
#include "train/MemoryPlan.h"
#include "train/RunRecipe.h"
#include "train/Trainer.h"
#include "train/TrainingData.h"
#include "util/Error.h"
#include "util/SeededKey.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace cotlab::train {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<Example> collectExamples(store::Database& db, const TrainingSelection& sel, SelectionCounts* counts)
{
    SelectionCounts c;
    // With a corpus: its members, and the text a clean step cut where it did.
    std::optional<std::unordered_map<int64_t, std::optional<std::string>>> members;
    if (!sel.corpus.empty()) {
        store::CorpusRepository corpora(db);
        const auto corpus = corpora.find(sel.corpus);
        if (!corpus)
            throw Error("no corpus named '" + sel.corpus + "' in " + db.path() + " (cotlab-cli corpus list)");
        members.emplace();
        for (auto& m : corpora.members(corpus->id))
            members->emplace(m.rationaleId, std::move(m.text));
    }
    std::vector<std::pair<int64_t, std::vector<Example>>> perQuestion; // (instance id, its examples), id order
    const auto task = members && sel.task.empty() ? std::nullopt : std::optional<std::string>(sel.task);
    store::RationaleRepository(db).forEachInstance(
        task, [&](const store::InstanceRecord& i, const std::vector<store::RationaleRecord>& rationales) {
            if (members ? std::none_of(rationales.begin(), rationales.end(),
                                       [&](const auto& r) { return members->count(r.id) > 0; })
                        : i.split != sel.split)
                return true;
            ++c.instances;
            std::vector<Example> examples;
            if (!sel.format.usesRationales()) {
                examples = sel.format.examples(i, nullptr);
            } else {
                int64_t taken = 0;
                for (const auto& stored : rationales) {
                    const auto member = members ? members->find(stored.id) : decltype(members->find(0)){};
                    const bool wantedSource =
                        std::find(sel.sources.begin(), sel.sources.end(), stored.sourceKind) != sel.sources.end();
                    if (members ? member == members->end()
                                : !wantedSource || (sel.correctOnly && stored.correct.value_or(0) != 1))
                        continue;
                    if (sel.samplesPerInstance > 0 && taken >= sel.samplesPerInstance)
                        break;
                    store::RationaleRecord r = stored;
                    if (members && member->second)
                        r.text = *member->second;
                    auto made = sel.format.examples(i, &r);
                    if (made.empty())
                        continue; // a Socratic format skips rationales without sub-questions
                    for (auto& e : made)
                        examples.push_back(std::move(e));
                    ++taken;
                }
            }
            if (!examples.empty())
                perQuestion.emplace_back(i.id, std::move(examples));
            return true;
        });
    if (sel.questions > 0 && int64_t(perQuestion.size()) > sel.questions) {
        std::vector<uint64_t> keys;
        for (const auto& q : perQuestion)
            keys.push_back(seededKey(q.first, sel.questionSeed));
        std::nth_element(keys.begin(), keys.begin() + (sel.questions - 1), keys.end());
        const uint64_t threshold = keys[size_t(sel.questions - 1)];
        std::erase_if(perQuestion, [&](const auto& q) { return seededKey(q.first, sel.questionSeed) > threshold; });
    }
    std::vector<Example> out;
    for (auto& q : perQuestion)
        for (auto& e : q.second)
            out.push_back(std::move(e));
    c.usedInstances = int64_t(perQuestion.size());
    c.examples = int64_t(out.size());
    if (counts)
        *counts = c;
    return out;
}

std::string requestToJson(const TrainingRequest& r)
{
    const TrainConfig& c = r.config;
    json j = {{"name", r.name},
              {"model", r.modelPath},
              {"tokenizer", r.tokenizerPath ? json(*r.tokenizerPath) : json(nullptr)},
              {"task", r.selection.task},
              {"split", r.selection.split},
              {"template", r.selection.format.name()},
              {"template_definition", json::parse(r.selection.format.definition())},
              {"correct_only", r.selection.correctOnly},
              {"sources", r.selection.sources},
              {"samples_per_instance", r.selection.samplesPerInstance},
              {"questions", r.selection.questions},
              {"question_seed", r.selection.questionSeed},
              {"corpus", r.selection.corpus},
              {"max_length", r.maxLength},
              {"packing", r.packing},
              {"device", r.device},
              {"precision", c.precision},
              {"learning_rate", c.learningRate},
              {"weight_decay", c.weightDecay},
              {"warmup_steps", c.warmupSteps},
              {"schedule", c.schedule},
              {"epochs", c.epochs},
              {"max_steps", c.maxSteps},
              {"batch_size", c.batchSize},
              {"grad_accumulation", c.gradAccumulation},
              {"clip_norm", c.clipNorm},
              {"method", c.lora ? "lora" : "full"},
              {"base_precision", c.basePrecision},
              {"activation_checkpointing", c.activationCheckpointing},
              {"seed", c.seed},
              {"checkpoint_every", c.checkpointEvery},
              {"dev_split", r.devSplit},
              {"eval_every", c.evalEvery},
              {"output_dir", c.runDir}};
    if (c.lora)
        j["lora"] = {{"r", c.lora->rank},
                     {"alpha", c.lora->alpha},
                     {"dropout", c.lora->dropout},
                     {"target_modules", c.lora->targets},
                     {"use_rslora", c.lora->rsLora}};
    return j.dump();
}

TrainingRequest requestFromJson(const std::string& text, const std::string& workspace)
{
    const json j = json::parse(text);
    TrainingRequest r;
    r.workspace = workspace;
    r.name = j.value("name", "");
    r.modelPath = j.value("model", "");
    if (j.contains("tokenizer") && j["tokenizer"].is_string())
        r.tokenizerPath = j["tokenizer"].get<std::string>();
    r.selection.task = j.value("task", "");
    r.selection.split = j.value("split", "train");
    r.selection.format = recordedPromptFormat(j.value("template", "cot"),
                                              j.contains("template_definition") && j["template_definition"].is_object()
                                                  ? j["template_definition"].dump()
                                                  : std::string());
    r.selection.correctOnly = j.value("correct_only", true);
    // Runs recorded before sources were a setting trained on every source but students': resumed the same way.
    r.selection.sources = j.value("sources", std::vector<std::string>{"teacher", "human"});
    r.selection.samplesPerInstance = j.value("samples_per_instance", int64_t(0));
    r.selection.questions = j.value("questions", int64_t(0));
    r.selection.questionSeed = j.value("question_seed", uint64_t(0));
    r.selection.corpus = j.value("corpus", "");
    r.maxLength = j.value("max_length", int64_t(512));
    r.packing = j.value("packing", false);
    r.device = j.value("device", "auto");
    TrainConfig& c = r.config;
    c.learningRate = j.value("learning_rate", c.learningRate);
    c.weightDecay = j.value("weight_decay", c.weightDecay);
    c.warmupSteps = j.value("warmup_steps", c.warmupSteps);
    c.schedule = j.value("schedule", c.schedule);
    c.epochs = j.value("epochs", c.epochs);
    c.maxSteps = j.value("max_steps", c.maxSteps);
    c.batchSize = j.value("batch_size", c.batchSize);
    c.gradAccumulation = j.value("grad_accumulation", c.gradAccumulation);
    c.clipNorm = j.value("clip_norm", c.clipNorm);
    c.precision = j.value("precision", c.precision);
    c.seed = j.value("seed", c.seed);
    if (j.value("method", "full") == "lora") {
        nn::LoraConfig lora;
        const json& l = j.contains("lora") && j["lora"].is_object() ? j["lora"] : json::object();
        lora.rank = l.value("r", lora.rank);
        lora.alpha = l.value("alpha", lora.alpha);
        lora.dropout = l.value("dropout", lora.dropout);
        lora.targets = l.value("target_modules", lora.targets);
        lora.rsLora = l.value("use_rslora", lora.rsLora);
        c.lora = lora;
    }
    c.basePrecision = j.value("base_precision", c.basePrecision);
    c.activationCheckpointing = j.value("activation_checkpointing", c.activationCheckpointing);
    c.checkpointEvery = j.value("checkpoint_every", c.checkpointEvery);
    r.devSplit = j.value("dev_split", "");
    c.evalEvery = j.value("eval_every", c.evalEvery);
    c.runDir = j.value("output_dir", "");
    return r;
}

namespace {

// Where the model trains and the dtype its weights load in: float32, or the frozen base's precision with LoRA.
nn::Placement trainingPlacement(const TrainingRequest& request)
{
    const TrainConfig& c = request.config;
    auto placement = nn::resolvePlacement(request.device, "fp32");
    placement.dtype = nn::precisionDtype(c.basePrecision, placement.device);
    if (placement.dtype != torch::kFloat32 && !c.lora)
        throw Error("base precision '" + c.basePrecision +
                    "' is for LoRA, whose base is frozen: full fine-tuning trains float32 weights (use precision "
                    "bf16 for mixed precision instead)");
    if (placement.dtype == torch::kFloat16 && !placement.device.is_cuda())
        throw Error("base precision '" + c.basePrecision + "' needs CUDA; on the CPU use bf16 or fp32");
    return placement;
}

std::string methodText(const TrainConfig& c)
{
    std::string text = c.lora ? c.lora->describe() + ", " + c.basePrecision + " base" : std::string("full");
    if (c.activationCheckpointing)
        text += ", checkpointing";
    return text;
}

// After an out-of-memory failure: the plan against the memory that was free, and the settings that would fit.
std::string memoryAdvice(const TrainingRequest& r, int64_t freeMemory)
{
    try {
        const auto shape = nn::readModelShape(r.modelPath);
        const auto settings = memorySettings(r, shape);
        const auto plan = planMemory(shape, settings);
        std::string text = " The memory plan of these settings is " + formatBytes(plan.total()) +
                           (freeMemory > 0 ? " against " + formatBytes(freeMemory) + " free" : std::string()) + ".";
        const auto ways = waysToFit(shape, settings, freeMemory);
        for (size_t i = 0; i < ways.size(); ++i)
            text += (i == 0 ? " Would fit: " : "; ") + ways[i];
        return ways.empty() ? text : text + ".";
    } catch (const std::exception&) {
        return {}; // the failure's own message stands
    }
}

// The run's row: its request as config and what it trains on as recipe.
int64_t recordRun(store::RunRepository& runs, const TrainingRequest& request, const TrainingData& data,
                  const nn::Placement& placement, int64_t totalSteps, const DataParallel* dp)
{
    store::RunRecord r;
    r.name = request.name.empty() ? fs::path(request.config.runDir).filename().string() : request.name;
    r.status = "running";
    r.modelPath = request.modelPath;
    r.outputDir = request.config.runDir;
    r.configJson = requestToJson(request);
    RunRecipe recipe;
    recipe.task = request.selection.task;
    recipe.split = request.selection.split;
    recipe.templateName = request.selection.format.name();
    recipe.templateDefinition = request.selection.format.definition();
    recipe.chatTemplate = data.chatLayout;
    recipe.correctOnly = request.selection.correctOnly;
    recipe.sources = request.selection.corpus.empty() ? request.selection.sources : std::vector<std::string>{};
    recipe.samplesPerInstance = request.selection.samplesPerInstance;
    recipe.questions = request.selection.questions;
    recipe.corpus = request.selection.corpus;
    recipe.instances = data.counts.instances;
    recipe.instancesUsed = data.counts.usedInstances;
    recipe.examples = int64_t(data.set->size());
    recipe.targetTokens = data.set->targetTokens();
    recipe.skippedTooLong = data.set->skipped();
    recipe.devSplit = request.devSplit;
    recipe.devExamples = data.dev ? int64_t(data.dev->size()) : int64_t(0);
    recipe.truncated = data.set->truncated();
    recipe.packing = data.packingSummary;
    recipe.device = placement.device.str();
    recipe.precision = request.config.precision;
    recipe.method = methodText(request.config);
    recipe.worldSize = dp ? dp->worldSize() : 1;
    recipe.backend = dp ? dp->backend() : std::string();
    try {
        const auto shape = nn::readModelShape(request.modelPath);
        recipe.plannedMemoryMb = planMemory(shape, memorySettings(request, shape)).total() / (1024 * 1024);
    } catch (const std::exception&) {
        // a shape the plan cannot read: the run trains all the same, unplanned
    }
    r.recipeJson = recipe.toJson();
    r.totalSteps = totalSteps;
    return runs.create(r);
}

// Each optimizer step's metrics go to the store (and to the caller's progress).
void storeMetrics(store::RunRepository& runs, int64_t runId, const StepMetrics& m)
{
    runs.addMetrics(runId, m.step,
                    {{"loss", m.loss},
                     {"learning_rate", m.learningRate},
                     {"grad_norm", m.gradNorm},
                     {"tokens_per_second", m.tokensPerSecond},
                     {"padded_tokens_per_second", m.paddedTokensPerSecond},
                     {"memory_mb", double(nn::residentMemory()) / (1024.0 * 1024.0)},
                     {"peak_memory_mb", double(m.peakMemoryBytes) / (1024.0 * 1024.0)}});
    if (m.devLoss)
        runs.addMetrics(runId, m.step, {{"dev_loss", *m.devLoss}});
    if (m.lossScale > 0)
        runs.addMetrics(runId, m.step, {{"loss_scale", m.lossScale}, {"skipped", m.skipped ? 1.0 : 0.0}});
    runs.updateProgress(runId, m.step, m.totalSteps);
}

RunOutcome execute(const TrainingRequest& request, int64_t existingRun, const RunProgress& progress,
                   const jobs::StopToken* stop)
{
    if (request.config.runDir.empty())
        throw Error("an output folder for checkpoints and the trained model is required");
    // Started by torchrun, srun or `train --nproc`: one worker of a data-parallel run. Rank 0 alone writes the
    // workspace, the checkpoints and the final model; every worker reads the same data.
    std::shared_ptr<DataParallel> dp;
    if (const auto world = DistributedEnv::fromEnvironment())
        dp = std::make_shared<DataParallel>(*world);
    const bool writer = !dp || dp->rank() == 0;
    const int64_t freeMemory = nn::deviceMemory(request.device).available; // before this run takes any
    store::Workspace ws(request.workspace);
    TrainingData data = TrainingData::select(ws.db(), request);
    data.layOut(request); // before the model loads: a missing chat template is said at once
    auto placement = trainingPlacement(request);
    if (dp && placement.device.is_cuda())
        placement.device = torch::Device(torch::kCUDA, c10::DeviceIndex(DistributedEnv::fromEnvironment()->localRank));
    nn::LoadOptions load;
    load.dtype = placement.dtype;
    auto [model, tokenizer] = nn::loadModelAndTokenizer(request.modelPath, request.tokenizerPath, load);
    nn::place(*model, placement);
    if (request.config.lora) {
        torch::manual_seed(request.config.seed); // the adapters' A matrices (a resumed run loads them instead)
        nn::attachLora(*model, *request.config.lora);
    }
    model->setActivationCheckpointing(request.config.activationCheckpointing);
    data.tokenise(*tokenizer, std::min(request.maxLength, model->maxSeqLen()), request.maxLength, request.packing);
    const int32_t pad = tokenizer->eosId() >= 0 ? tokenizer->eosId() : 0;
    Trainer trainer(model, *data.set, request.config, pad, dp);
    if (data.dev && data.dev->size() > 0)
        trainer.setDevSet(&*data.dev);
    fs::create_directories(request.config.runDir);

    store::RunRepository runs(ws.db());
    RunOutcome outcome;
    outcome.runId = existingRun;
    if (outcome.runId == 0 && writer)
        outcome.runId = recordRun(runs, request, data, placement, trainer.totalSteps(), dp.get());
    else if (outcome.runId != 0)
        // Without a checkpoint (the process was killed before its first one) the run starts again from step 0 under
        // the same record: the same recipe, seed, adapters' initialisation and data order give the same steps.
        trainer.resume();
    auto finish = [&](const std::string& status, const std::optional<std::string>& message) {
        if (writer)
            runs.finish(outcome.runId, status, message);
    };
    if (writer) {
        runs.dropMetricsAfter(outcome.runId, trainer.step());
        runs.updateProgress(outcome.runId, trainer.step(), trainer.totalSteps());
    }
    try {
        trainer.run(
            [&](const StepMetrics& m) {
                if (!writer)
                    return;
                storeMetrics(runs, outcome.runId, m);
                if (progress)
                    progress(outcome.runId, m);
            },
            stop);
    } catch (const TrainingOutOfMemory& e) {
        const std::string message = e.what() + memoryAdvice(request, freeMemory);
        finish("failed", message);
        throw TrainingOutOfMemory(message);
    } catch (const std::exception& e) {
        finish("failed", std::string(e.what()));
        throw;
    }
    if (trainer.step() < trainer.totalSteps()) {
        outcome.status = "stopped";
        finish("stopped", "stopped at step " + std::to_string(trainer.step()) + " of " +
                              std::to_string(trainer.totalSteps()) + "; resume continues from there");
        return outcome;
    }
    outcome.status = "finished";
    if (!writer)
        return outcome;
    outcome.finalFolder = (fs::path(request.config.runDir) / "final").string();
    try {
        if (request.config.lora)
            nn::saveAdapter(*model, *request.config.lora, outcome.finalFolder, request.modelPath);
        else
            model->saveHf(outcome.finalFolder);
        tokenizer->saveTo(outcome.finalFolder);
    } catch (const std::exception& e) {
        finish("failed", std::string("training finished but the final model could not be written: ") + e.what() +
                             " (the checkpoint is intact)");
        throw;
    }
    finish("finished", std::nullopt);
    return outcome;
}

} // namespace

MemorySettings memorySettings(const TrainingRequest& r, const nn::ModelShape& shape)
{
    MemorySettings m;
    m.lora = r.config.lora;
    m.basePrecision = r.config.basePrecision;
    m.precision = r.config.precision;
    m.activationCheckpointing = r.config.activationCheckpointing;
    m.batchSize = r.config.batchSize;
    m.maxLength = std::min(r.maxLength, shape.maxPositions);
    m.cuda = r.device.rfind("cuda", 0) == 0 || (r.device == "auto" && torch::cuda::is_available());
    return m;
}

TrainingRequest withAbsolutePaths(const TrainingRequest& request)
{
    TrainingRequest r = request;
    std::error_code ec;
    if (!r.config.runDir.empty())
        r.config.runDir = fs::absolute(r.config.runDir, ec).lexically_normal().string();
    if (!r.modelPath.empty())
        r.modelPath = fs::absolute(r.modelPath, ec).lexically_normal().string();
    if (r.tokenizerPath && !r.tokenizerPath->empty())
        r.tokenizerPath = fs::absolute(*r.tokenizerPath, ec).lexically_normal().string();
    return r;
}

RunOutcome startRun(const TrainingRequest& request, const RunProgress& progress, const jobs::StopToken* stop)
{
    // The run is found again later from anywhere (resume, evaluation, the GUI): record absolute paths.
    return execute(withAbsolutePaths(request), 0, progress, stop);
}

RunOutcome resumeRun(const std::string& workspace, int64_t runId, const RunProgress& progress,
                     const jobs::StopToken* stop)
{
    std::optional<store::RunRecord> run;
    {
        store::Workspace ws(workspace);
        run = store::RunRepository(ws.db()).find(runId);
    }
    if (!run)
        throw Error("no run " + std::to_string(runId) + " in " + workspace);
    if (run->status == "finished")
        throw Error("run " + std::to_string(runId) + " has finished; there is nothing to resume");
    return execute(requestFromJson(run->configJson, workspace), runId, progress, stop);
}

} // namespace cotlab::train
