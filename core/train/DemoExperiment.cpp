#include "train/DemoExperiment.h"

#include "eval/Evaluation.h"
#include "review/Study.h"
#include "store/EvaluationRepository.h"
#include "store/ReviewRepository.h"
#include "store/RunRepository.h"
#include "store/StatsRepository.h"
#include "store/Workspace.h"
#include "train/TrainingRun.h"
#include "util/Error.h"

#include <filesystem>
#include <optional>

namespace cotlab::train {

namespace {

struct PlannedRun {
    std::string name;
    std::string format;
    int64_t questions; // 0: all
};

std::vector<PlannedRun> plannedRuns(const DemoExperimentOptions& o)
{
    std::vector<PlannedRun> runs{{"demo-cot", "cot", 0}, {"demo-label", "label", 0}};
    for (int64_t q : o.curveQuestions)
        runs.push_back({"demo-cot-" + std::to_string(q) + "q", "cot", q});
    return runs;
}

// The split the students answer: the task's held-out dev questions (as long as the longest trained ones), else test.
std::string heldOutSplit(store::Database& db, const std::string& task)
{
    for (const auto& t : store::StatsRepository(db).perTask())
        if (t.task == task) {
            if (t.trainInstances == 0)
                throw Error("task '" + task + "' has no train questions in " + db.path());
            return t.devInstances > 0 ? "dev" : "test";
        }
    throw Error("the demo experiment trains on task '" + task + "', which " + db.path() +
                " does not hold: open the demo workspace (File > Open Demo Workspace)");
}

std::optional<store::RunRecord> runNamed(store::Database& db, const std::string& name)
{
    for (auto& r : store::RunRepository(db).list()) // newest first
        if (r.name == name)
            return r;
    return std::nullopt;
}

std::optional<store::EvaluationRecord> evaluationOf(store::Database& db, int64_t runId, const std::string& split)
{
    for (auto& e : store::EvaluationRepository(db).list())
        if (e.runId == runId && e.split == split)
            return e;
    return std::nullopt;
}

TrainingRequest requestFor(const DemoExperimentOptions& o, const PlannedRun& p)
{
    TrainingRequest r;
    r.workspace = o.workspace;
    r.name = p.name;
    r.modelPath = o.modelPath;
    r.tokenizerPath = o.tokenizerPath;
    r.selection.task = o.task;
    r.selection.format = findPromptFormat(p.format);
    r.selection.questions = p.questions;
    r.maxLength = 256;
    r.config.maxSteps = o.steps;
    r.config.batchSize = 16;
    r.config.learningRate = 2e-3;
    r.config.warmupSteps = 20;
    r.config.checkpointEvery = std::max<int64_t>(50, o.steps / 4);
    r.config.runDir = (std::filesystem::path(o.runsFolder) / p.name).string();
    return r;
}

} // namespace

DemoExperimentOutcome runDemoExperiment(const DemoExperimentOptions& o, const jobs::ProgressSink& progress,
                                        const jobs::StopToken* stop)
{
    DemoExperimentOutcome outcome;
    std::string split;
    {
        store::Workspace ws(o.workspace);
        split = heldOutSplit(ws.db(), o.task);
    }
    const auto runs = plannedRuns(o);
    const auto report = [&](const std::string& stage, int64_t done, int64_t total) {
        if (progress)
            progress({stage, uint64_t(std::max<int64_t>(done, 0)), uint64_t(std::max<int64_t>(total, 0))});
    };
    const auto stopped = [&] { return stop && stop->stopRequested(); };
    const std::string of = " of " + std::to_string(runs.size()) + ")";

    for (size_t k = 0; k < runs.size() && !stopped(); ++k) {
        const PlannedRun& planned = runs[k];
        const std::string stage = "Training " + planned.name + " (" + std::to_string(k + 1) + of;
        const RunProgress onStep = [&](int64_t, const StepMetrics& m) { report(stage, m.step, m.totalSteps); };
        std::optional<store::RunRecord> existing;
        {
            store::Workspace ws(o.workspace);
            existing = runNamed(ws.db(), planned.name);
        }
        report(stage, 0, o.steps);
        RunOutcome run;
        if (!existing || existing->status == "failed")
            run = startRun(requestFor(o, planned), onStep, stop);
        else if (existing->status != "finished")
            run = resumeRun(o.workspace, existing->id, onStep, stop);
        else
            run = {existing->id, "finished", {}};
        if (run.status != "finished")
            break;
        outcome.students.push_back({planned.name, run.runId, 0, 0, 0});
    }

    for (size_t k = 0; k < outcome.students.size() && !stopped(); ++k) {
        DemoStudentResult& student = outcome.students[k];
        const std::string stage = "Evaluating " + student.student + " on " + split + " (" + std::to_string(k + 1) + of;
        const eval::EvaluationProgress onBatch = [&](int64_t, int64_t done, int64_t items, int64_t) {
            report(stage, done, items);
        };
        std::optional<store::EvaluationRecord> existing;
        {
            store::Workspace ws(o.workspace);
            existing = evaluationOf(ws.db(), student.runId, split);
        }
        report(stage, 0, o.evaluationQuestions);
        eval::EvaluationOutcome e;
        if (existing && existing->status == "stopped") {
            e = eval::resumeEvaluation(o.workspace, existing->id, onBatch, stop);
        } else if (!existing || existing->status != "finished") {
            eval::EvaluationRequest r;
            r.workspace = o.workspace;
            r.runId = student.runId;
            r.task = o.task;
            r.split = split;
            r.limit = o.evaluationQuestions;
            e = eval::startEvaluation(r, onBatch, stop);
        } else {
            e = {existing->id, "finished", existing->items, existing->done, existing->correct};
        }
        student.evaluationId = e.evaluationId;
        student.correct = e.correct;
        student.done = e.done;
        if (e.status != "finished")
            break;
    }

    const bool everyStudentEvaluated =
        outcome.students.size() == runs.size() &&
        std::all_of(outcome.students.begin(), outcome.students.end(), [](const auto& s) { return s.evaluationId > 0; });
    if (!stopped() && everyStudentEvaluated) {
        report("Creating the blind study", 0, 1);
        store::Workspace ws(o.workspace);
        if (const auto study = store::ReviewRepository(ws.db()).find(kDemoStudyName)) {
            outcome.studyId = study->id;
        } else {
            review::StudySpec spec;
            spec.name = kDemoStudyName;
            spec.mode = review::Mode::Pairwise;
            spec.sources = {review::parseSource("student:" + runs.front().name), review::parseSource("teacher")};
            spec.tasks = {o.task};
            spec.split = split;
            spec.size = o.studyItems;
            outcome.studyId = review::createStudy(ws.db(), spec);
        }
        report("Creating the blind study", 1, 1);
    }
    outcome.stopped = stopped() || outcome.studyId == 0;
    return outcome;
}

} // namespace cotlab::train
