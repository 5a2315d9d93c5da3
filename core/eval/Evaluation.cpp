#include "eval/Evaluation.h"

#include "answers/AnswerExtractor.h"
#include "answers/AnswerKind.h"
#include "eval/MajorityVote.h"
#include "gen/TextGeneration.h"
#include "nn/ModelLoader.h"
#include "nn/Placement.h"
#include "store/EvaluationRepository.h"
#include "store/RationaleRepository.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "text/ReasoningParts.h"
#include "train/ChatLayout.h"
#include "train/RunRecipe.h"
#include "util/Error.h"
#include "util/Text.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <unistd.h>
#include <unordered_map>

namespace cotlab::eval {

namespace fs = std::filesystem;
using nlohmann::json;

std::string configToJson(const EvaluationRequest& r, const train::PromptFormat& format, int64_t maxNewTokens)
{
    json j = {{"name", r.name},
              {"model", r.modelPath},
              {"task", r.task},
              {"split", r.split},
              {"template", format.name()},
              {"template_definition", json::parse(format.definition())},
              {"samples", r.samples},
              {"temperature", r.temperature},
              {"top_p", r.topP},
              {"seed", r.seed},
              {"max_new_tokens", maxNewTokens},
              {"batch_size", r.batchSize},
              {"limit", r.limit},
              {"device", r.device},
              {"precision", r.precision}};
    if (r.runId)
        j["run"] = *r.runId;
    if (r.tokenizerPath)
        j["tokenizer"] = *r.tokenizerPath;
    if (!r.adapterPath.empty())
        j["adapter"] = r.adapterPath;
    return j.dump();
}

EvaluationRequest configFromJson(const std::string& text, const std::string& workspace)
{
    const json j = json::parse(text);
    EvaluationRequest r;
    r.workspace = workspace;
    r.name = j.at("name");
    r.modelPath = j.at("model");
    if (j.contains("run"))
        r.runId = j.at("run").get<int64_t>();
    if (j.contains("tokenizer"))
        r.tokenizerPath = j.at("tokenizer").get<std::string>();
    r.adapterPath = j.value("adapter", "");
    r.task = j.at("task");
    r.split = j.at("split");
    r.format = train::recordedPromptFormat(
        j.at("template"), j.contains("template_definition") ? j.at("template_definition").dump() : std::string());
    r.samples = j.at("samples");
    r.temperature = j.at("temperature");
    r.topP = j.at("top_p");
    r.seed = j.at("seed");
    r.maxNewTokens = j.at("max_new_tokens");
    r.batchSize = j.at("batch_size");
    r.limit = j.at("limit");
    r.device = j.at("device");
    r.precision = j.at("precision");
    return r;
}

namespace {

// Fills in what a request leaves to defaults: the run's model, name and template, token budget.
void complete(EvaluationRequest& r, store::Database& db)
{
    if (r.runId) {
        const auto run = store::RunRepository(db).find(*r.runId);
        if (!run)
            throw Error("no run " + std::to_string(*r.runId) + " in " + r.workspace);
        if (run->status != "finished")
            throw Error("run " + std::to_string(run->id) + " (" + run->name + ") is " + run->status +
                        "; only a finished run has a trained model to evaluate");
        if (r.modelPath.empty())
            r.modelPath = (fs::path(run->outputDir) / "final").string();
        if (r.name.empty())
            r.name = run->name;
        if (const auto recipe = train::RunRecipe::fromJson(run->recipeJson); !r.format && !recipe.templateName.empty())
            r.format = train::recordedPromptFormat(recipe.templateName, recipe.templateDefinition);
    }
    if (r.modelPath.empty())
        throw Error("a model folder or a finished run to evaluate is required");
    if (r.name.empty()) {
        fs::path p(r.modelPath);
        r.name = (p.filename().empty() ? p.parent_path() : p).filename().string();
    }
    if (!r.format)
        r.format = train::defaultPromptFormat();
    // The automatic budget needs the tokenizer and the split's rationales: execute() sets it.
    if (r.maxNewTokens <= 0)
        r.maxNewTokens = r.format->maxNewTokens();
    if (r.samples < 1)
        throw Error("samples must be at least 1");
    if (r.batchSize < 0)
        throw Error("batch size must be at least 1 (or 0: chosen automatically)");
}

// The instances of the request's task and split that have a gold answer (its first `limit`; those without are
// counted in withoutGold), and the longest teacher rationale among them.
std::vector<store::InstanceRecord> evaluatedInstances(store::Database& db, const EvaluationRequest& request,
                                                      std::string& longestRationale, int64_t& withoutGold)
{
    std::vector<store::InstanceRecord> instances;
    withoutGold = 0;
    store::RationaleRepository(db).forEachInstance(
        request.task, [&](const store::InstanceRecord& i, const std::vector<store::RationaleRecord>& rationales) {
            if (i.split != request.split)
                return true;
            if (text::trim(i.gold).empty()) {
                ++withoutGold; // nothing to score an answer against: left out, and said so
                return true;
            }
            instances.push_back(i);
            for (const auto& r : rationales)
                if (r.sourceKind == "teacher" && r.text.size() > longestRationale.size())
                    longestRationale = r.text;
            return request.limit <= 0 || int64_t(instances.size()) < request.limit;
        });
    if (instances.empty() && withoutGold == 0)
        throw Error("task '" + request.task + "' has no " + request.split + " instances in " + request.workspace);
    // An evaluation scores answers against the gold: without any there is nothing to evaluate.
    if (instances.empty())
        throw Error("task '" + request.task + "' has no gold answers in its " + request.split +
                    " instances (reasoning-trace sets publish none), so a student's answers cannot be scored; import "
                    "the questions with their gold answers first (a field mapping's gold=..., or the benchmark file)");
    return instances;
}

// Sets the automatic token budget and batch size (recorded with the evaluation: a resume reuses them, so batches and
// seeds match).
void chooseBudgets(EvaluationRequest& request, nn::CausalLm& model, const text::Tokenizer& tokenizer,
                   const train::StudentPrompter& prompter, const nn::Placement& placement,
                   const std::vector<store::InstanceRecord>& instances, const std::string& longestRationale)
{
    // The longest prompt (with its BOS token), for the automatic token budget and batch size.
    int64_t longestPrompt = 0;
    if (request.maxNewTokens <= 0 || request.batchSize == 0)
        for (const auto& i : instances)
            longestPrompt = std::max(longestPrompt, int64_t(tokenizer.encode(prompter.prompt(i)).size()) + 1);
    if (request.maxNewTokens <= 0)
        request.maxNewTokens = automaticCotTokenBudget(int64_t(tokenizer.encode(longestRationale).size()),
                                                       model.maxSeqLen() - longestPrompt);
    if (request.batchSize == 0) {
        BatchSizeInputs in;
        in.cachedValuesPerToken = model.cachedValuesPerToken();
        in.vocabSize = model.vocabSize();
        in.longestPrompt = longestPrompt;
        in.maxNewTokens = request.maxNewTokens;
        in.bytesPerValue = int64_t(c10::elementSize(placement.dtype));
        in.cuda = placement.device.is_cuda();
        if (!in.cuda)
            in.memoryBytes = int64_t(sysconf(_SC_PHYS_PAGES)) * int64_t(sysconf(_SC_PAGESIZE));
        request.batchSize = automaticBatchSize(in);
    }
}

// Records a new evaluation (or marks a resumed one running); its id.
int64_t recordStart(store::EvaluationRepository& evals, const EvaluationRequest& request, int64_t existing,
                    size_t items)
{
    if (existing != 0) {
        evals.setStatus(existing, "running");
        return existing;
    }
    store::EvaluationRecord e;
    e.name = request.name;
    e.runId = request.runId;
    e.modelPath = request.modelPath;
    e.task = request.task;
    e.split = request.split;
    e.configJson = configToJson(request, *request.format, request.maxNewTokens);
    e.status = "running";
    e.items = int64_t(items);
    return evals.create(e);
}

// Generates one batch of instances (each with all its samples) and turns the generations into stored items: the
// student's rationales, extracted answers, the (voted) prediction and whether it is right.
class BatchEvaluator {
public:
    BatchEvaluator(const EvaluationRequest& request, int64_t evaluationId, nn::CausalLm& model,
                   const text::Tokenizer& tokenizer, const train::StudentPrompter& prompter)
        : m_request(request), m_model(model), m_tokenizer(tokenizer), m_prompter(prompter),
          m_greedy(request.samples == 1),
          m_decodingName(m_greedy ? "greedy"
                                  : "sampled, temperature " + json(request.temperature).dump() + ", top-p " +
                                        json(request.topP).dump()),
          m_provenance(
              json{{"evaluation", evaluationId}, {"run", request.runId ? json(*request.runId) : json(nullptr)}}.dump())
    {
    }

    std::vector<store::EvaluationItem> operator()(const std::vector<const store::InstanceRecord*>& batch, size_t start,
                                                  int64_t& generatedTokens) const
    {
        std::vector<std::string> prompts;
        for (const auto* inst : batch)
            for (int64_t s = 0; s < m_request.samples; ++s)
                prompts.push_back(m_prompter.prompt(*inst));
        gen::GenerationOptions options;
        options.decoding.maxNewTokens = m_request.maxNewTokens;
        options.decoding.greedy = m_greedy;
        options.decoding.temperature = m_request.temperature;
        options.decoding.topP = m_request.topP;
        // A batch's seed depends only on where it starts, so a resumed evaluation samples the same text.
        options.decoding.seed = m_request.seed * 1000003ULL + uint64_t(start);
        options.stopStrings = m_prompter.stopStrings();
        options.templatedPrompts = m_prompter.templated();
        const auto generations = gen::generate(m_model, m_tokenizer, prompts, options);
        for (const auto& g : generations)
            generatedTokens += int64_t(g.tokens.size());
        std::vector<store::EvaluationItem> items;
        for (size_t b = 0; b < batch.size(); ++b)
            items.push_back(
                item(*batch[b], &generations[b * size_t(m_request.samples)], prompts[b * size_t(m_request.samples)]));
        return items;
    }

private:
    store::EvaluationItem item(const store::InstanceRecord& inst, const gen::Generation* samples,
                               const std::string& prompt) const
    {
        const answers::AnswerExtractor extractor(
            answers::answerKindFromString(inst.answerKind).value_or(answers::AnswerKind::Text),
            inst.choicesJson ? answers::choicesFromJson(*inst.choicesJson) : std::vector<answers::Choice>{});
        store::EvaluationItem item;
        item.instanceId = inst.id;
        std::vector<std::string> answers;
        for (int64_t s = 0; s < m_request.samples; ++s) {
            const auto& g = samples[s];
            store::RationaleRecord r;
            r.sourceKind = "student";
            r.model = m_request.name;
            r.sampleIndex = s;
            r.text = std::string(text::trim(g.text));
            const std::string answerPart(text::splitReasoning(r.text).answer); // after a student's </think>
            r.extractedAnswer = extractor.extract(answerPart, m_request.format->answerSentence(answerPart));
            r.answer = r.extractedAnswer;
            r.correct = extractor.matches(*r.answer, inst.gold) ? 1 : 0;
            r.tokenCount = int64_t(g.tokens.size());
            r.prompt = prompt;
            r.decoding = m_decodingName;
            if (!m_greedy)
                r.temperature = m_request.temperature;
            r.provenance = m_provenance;
            answers.push_back(*r.extractedAnswer);
            item.samples.push_back(std::move(r));
        }
        item.prediction = m_greedy ? answers.front() : majorityVote(answers);
        item.correct = extractor.matches(item.prediction, inst.gold);
        if (!m_greedy) {
            json votes = json::object();
            for (const auto& a : answers)
                votes[a] = votes.value(a, 0) + 1;
            item.votesJson = votes.dump();
        }
        return item;
    }

    const EvaluationRequest& m_request;
    nn::CausalLm& m_model;
    const text::Tokenizer& m_tokenizer;
    const train::StudentPrompter& m_prompter;
    bool m_greedy;
    std::string m_decodingName;
    std::string m_provenance;
};

// The outcome from what is stored, and the evaluation finished (or stopped, when instances are left).
void finish(store::EvaluationRepository& evals, EvaluationOutcome& out, int64_t maxNewTokens)
{
    const auto [correct, n] = evals.tally(out.evaluationId);
    out.done = n;
    out.correct = correct;
    out.accuracy = stats::wilson(correct, n);
    out.maxNewTokens = maxNewTokens;
    out.atTokenLimit = evals.countAtTokenLimit(out.evaluationId, maxNewTokens);
    std::string cut = tokenLimitNote(out);
    if (const std::string gold = withoutGoldNote(out); !gold.empty())
        cut += (cut.empty() ? "" : ". ") + gold;
    if (n < out.items) {
        out.status = "stopped";
        evals.finish(out.evaluationId, "stopped",
                     "stopped after " + std::to_string(n) + " of " + std::to_string(out.items) +
                         " instances; resume continues from there" + (cut.empty() ? "" : ". " + cut));
    } else {
        out.status = "finished";
        evals.finish(out.evaluationId, "finished", cut.empty() ? std::nullopt : std::optional<std::string>(cut));
    }
}

EvaluationOutcome execute(EvaluationRequest request, int64_t existing, const EvaluationProgress& progress,
                          const jobs::StopToken* stop)
{
    store::Workspace ws(request.workspace);
    complete(request, ws.db());
    std::string longestRationale;
    int64_t withoutGold = 0;
    const auto instances = evaluatedInstances(ws.db(), request, longestRationale, withoutGold);
    const train::StudentPrompter prompter(*request.format, request.modelPath, request.tokenizerPath);
    auto [model, tokenizer] =
        nn::loadModelAndTokenizer(request.modelPath, request.tokenizerPath, {.adapter = request.adapterPath});
    const auto placement = nn::resolvePlacement(request.device, request.precision);
    nn::place(*model, placement);
    model->eval();
    chooseBudgets(request, *model, *tokenizer, prompter, placement, instances, longestRationale);

    store::EvaluationRepository evals(ws.db());
    EvaluationOutcome out;
    out.evaluationId = recordStart(evals, request, existing, instances.size());
    out.items = int64_t(instances.size());
    out.withoutGold = withoutGold;
    out.batchSize = request.batchSize;
    const auto done = evals.evaluatedInstances(out.evaluationId);
    if (progress) {
        const auto [correct, n] = evals.tally(out.evaluationId);
        progress(out.evaluationId, n, out.items, correct);
    }
    const BatchEvaluator evaluate(request, out.evaluationId, *model, *tokenizer, prompter);
    // Instances per batch: whole instances, each with all its samples, so that a batch is stored at once.
    const size_t perBatch = size_t(std::max<int64_t>(1, request.batchSize / request.samples));
    const auto started = std::chrono::steady_clock::now();
    try {
        torch::NoGradGuard noGrad;
        for (size_t start = 0; start < instances.size() && !(stop && stop->stopRequested()); start += perBatch) {
            std::vector<const store::InstanceRecord*> batch;
            for (size_t i = start; i < std::min(instances.size(), start + perBatch); ++i)
                if (!done.count(instances[i].id))
                    batch.push_back(&instances[i]);
            if (batch.empty())
                continue;
            const auto [correct, n] = evals.addItems(out.evaluationId, evaluate(batch, start, out.generatedTokens));
            if (progress)
                progress(out.evaluationId, n, out.items, correct);
        }
    } catch (const std::exception& e) {
        evals.finish(out.evaluationId, "failed", std::string(e.what()));
        throw;
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    finish(evals, out, request.maxNewTokens);
    return out;
}

} // namespace

std::string tokenLimitNote(const EvaluationOutcome& o)
{
    if (o.atTokenLimit == 0)
        return {};
    return std::to_string(o.atTokenLimit) + " of " + std::to_string(o.done) + " generations reached the limit of " +
           std::to_string(o.maxNewTokens) + " new tokens and may be cut short before their answer; evaluate again " +
           "with a higher max new tokens";
}

std::string withoutGoldNote(const EvaluationOutcome& o)
{
    if (o.withoutGold == 0)
        return {};
    return std::to_string(o.withoutGold) +
           (o.withoutGold == 1 ? " question of the split has no gold answer and was left out (not scored); import its"
                               : " questions of the split have no gold answer and were left out (not scored); import "
                                 "their") +
           " gold answers to score them";
}

int64_t automaticCotTokenBudget(int64_t longestTeacherRationaleTokens, int64_t room)
{
    const int64_t t = longestTeacherRationaleTokens;
    return std::max<int64_t>(1, std::min(room, std::max<int64_t>(256, t + t / 4 + 16)));
}

int64_t automaticBatchSize(const BatchSizeInputs& in)
{
    constexpr int64_t GiB = int64_t(1) << 30;
    const int64_t budget = in.cuda ? (in.memoryBytes > 0 ? in.memoryBytes / 2 : 8 * GiB)
                                   : (in.memoryBytes > 0 ? in.memoryBytes / 8 : 2 * GiB);
    const int64_t tokens = std::max<int64_t>(1, in.longestPrompt + in.maxNewTokens);
    const int64_t perSequence = in.bytesPerValue * (in.cachedValuesPerToken * tokens + in.vocabSize);
    const int64_t fits = perSequence > 0 ? budget / perSequence : 1;
    return std::clamp<int64_t>(fits, 1, in.cuda ? 256 : 64);
}

EvaluationOutcome startEvaluation(const EvaluationRequest& request, const EvaluationProgress& progress,
                                  const jobs::StopToken* stop)
{
    EvaluationRequest r = request; // recorded with absolute paths, so that a resume works from anywhere
    std::error_code ec;
    if (!r.modelPath.empty())
        r.modelPath = fs::absolute(r.modelPath, ec).lexically_normal().string();
    if (r.tokenizerPath && !r.tokenizerPath->empty())
        r.tokenizerPath = fs::absolute(*r.tokenizerPath, ec).lexically_normal().string();
    if (!r.adapterPath.empty())
        r.adapterPath = fs::absolute(r.adapterPath, ec).lexically_normal().string();
    return execute(r, 0, progress, stop);
}

ContrastReport compareWithOriginals(const std::string& workspace, int64_t evaluationId)
{
    store::Workspace ws(workspace);
    ContrastReport report;
    std::vector<std::pair<bool, bool>> pairs; // (original right, contrast right)
    for (const auto& p : store::EvaluationRepository(ws.db()).contrastPairs(evaluationId)) {
        ++report.questions;
        if (!p.originalInstance)
            ++report.unlinked;
        else if (!p.originalCorrect)
            ++report.originalsNotEvaluated;
        else
            pairs.emplace_back(*p.originalCorrect, p.contrastCorrect);
    }
    report.difference = stats::mcnemar(pairs);
    return report;
}

EvaluationOutcome resumeEvaluation(const std::string& workspace, int64_t evaluationId,
                                   const EvaluationProgress& progress, const jobs::StopToken* stop)
{
    std::optional<store::EvaluationRecord> e;
    {
        store::Workspace ws(workspace);
        e = store::EvaluationRepository(ws.db()).find(evaluationId);
    }
    if (!e)
        throw Error("no evaluation " + std::to_string(evaluationId) + " in " + workspace);
    if (e->status == "finished")
        throw Error("evaluation " + std::to_string(evaluationId) + " has finished; there is nothing to resume");
    return execute(configFromJson(e->configJson, workspace), evaluationId, progress, stop);
}

stats::PairedComparison compareEvaluations(const std::string& workspace, int64_t first, int64_t second)
{
    store::Workspace ws(workspace);
    store::EvaluationRepository evals(ws.db());
    std::unordered_map<int64_t, bool> firstCorrect;
    for (const auto& i : evals.evaluatedInstanceDetails(first))
        firstCorrect[i.instanceId] = i.correct;
    std::vector<std::pair<bool, bool>> pairs;
    for (const auto& i : evals.evaluatedInstanceDetails(second))
        if (const auto it = firstCorrect.find(i.instanceId); it != firstCorrect.end())
            pairs.emplace_back(it->second, i.correct);
    if (pairs.empty())
        throw Error("evaluations " + std::to_string(first) + " and " + std::to_string(second) +
                    " share no question: compare evaluations of the same task and split");
    return stats::mcnemar(pairs);
}

} // namespace cotlab::eval
