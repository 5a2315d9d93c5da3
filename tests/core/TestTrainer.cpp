// Training on a real corpus (text-davinci-002's MultiArith rationales, imported from ../shared) with a real
// pretrained student (stories260K): masked loss, loss going down, exact resume, mixed precision and
// loss scaling, divergence.
#include "ingest/Importer.h"
#include "nn/Gpt2.h"
#include "nn/Llama2cLoader.h"
#include "nn/ModelLoader.h"
#include "nn/Opt.h"
#include "nn/Safetensors.h"
#include "store/RationaleRepository.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "text/Tokenizer.h"
#include "train/MixedPrecision.h"
#include "train/Trainer.h"
#include "train/TrainingRun.h"
#include "util/Error.h"

#include <ATen/autocast_mode.h>
#include <QtTest>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/resource.h>
#include <unistd.h>

using namespace cotlab;

namespace {

std::shared_ptr<nn::CausalLm> student()
{
    return nn::Llama2cLoader::load(test::sharedPath("models/stories260K/stories260K.bin")).ptr();
}

// Correct teacher rationales of the first instances of MultiArith, as chain-of-thought examples.
std::vector<train::Example> realExamples(size_t count)
{
    test::TempDir dir;
    store::Workspace ws(dir.path("w.cotlab"));
    ingest::Importer::importFile(ws.db(), test::sharedPath("data/teacher/zero-shot-cot-davinci002/multiarith.jsonl"));
    std::vector<train::Example> out;
    store::RationaleRepository(ws.db()).forEachInstance(
        std::string("multiarith"), [&](const store::InstanceRecord& i, const std::vector<store::RationaleRecord>& rs) {
            for (const auto& r : rs)
                if (r.correct.value_or(0) == 1 && out.size() < count)
                    out.push_back(train::defaultPromptFormat().examples(i, &r).front());
            return out.size() < count;
        });
    return out;
}

int64_t checkpointStep(const std::string& runDir)
{
    std::ifstream in(runDir + "/checkpoint/state.json");
    return nlohmann::json::parse(in).at("step").get<int64_t>();
}

// Sets a soft resource limit for the lifetime of the object.
class ScopedLimit {
public:
    ScopedLimit(int resource, rlim_t soft) : m_resource(resource)
    {
        getrlimit(resource, &m_saved);
        rlimit l = m_saved;
        l.rlim_cur = soft;
        setrlimit(resource, &l);
    }
    ~ScopedLimit() { setrlimit(m_resource, &m_saved); }

private:
    int m_resource;
    rlimit m_saved{};
};

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT

    std::unique_ptr<text::Tokenizer> m_tok;

private Q_SLOTS:
    void initTestCase()
    {
        COTLAB_REQUIRE_SHARED();
        torch::set_num_threads(1);
        m_tok = text::loadTokenizer(test::sharedPath("models/stories260K/tok512.bin"), 512);
    }

    // --questions N: N questions at random among those with examples, every example of each kept, the same
    // draw for the same seed, and a smaller draw inside a larger one (nested corpus-size learning curves).
    void questionDrawIsNestedAndSeeded()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        ingest::Importer::importFile(ws.db(),
                                     test::sharedPath("data/teacher/codex-least-to-most-40x/date_mmddyyyy.jsonl"));
        train::TrainingSelection sel;
        sel.task = "date_mmddyyyy";
        sel.split = "test";
        sel.correctOnly = false;
        sel.samplesPerInstance = 3;
        train::SelectionCounts all;
        QCOMPARE(int64_t(train::collectExamples(ws.db(), sel, &all).size()), all.examples);
        QCOMPARE(all.usedInstances, all.instances);
        auto promptsOf = [&](int64_t questions, uint64_t seed, train::SelectionCounts* counts = nullptr) {
            sel.questions = questions;
            sel.questionSeed = seed;
            std::set<std::string> prompts;
            std::map<std::string, int> perPrompt;
            for (const auto& e : train::collectExamples(ws.db(), sel, counts))
                ++perPrompt[e.prompt];
            for (const auto& [p, n] : perPrompt) {
                if (n != 3)
                    qWarning() << "question with" << n << "examples";
                prompts.insert(p);
            }
            return prompts;
        };
        train::SelectionCounts c;
        const auto small = promptsOf(20, 7, &c);
        QCOMPARE(small.size(), size_t(20));
        QCOMPARE(c.usedInstances, int64_t(20));
        QCOMPARE(c.examples, int64_t(60));
        QCOMPARE(c.instances, all.instances);
        const auto large = promptsOf(100, 7);
        QCOMPARE(large.size(), size_t(100));
        QVERIFY(std::includes(large.begin(), large.end(), small.begin(), small.end()));
        QCOMPARE(promptsOf(20, 7), small);
        QVERIFY(promptsOf(20, 8) != small);
        QCOMPARE(promptsOf(100000, 7).size(), size_t(all.usedInstances)); // more than there are: all of them

        // The same corpus through the Socratic and step-by-step templates (the codex samples are least-to-most
        // sub-questions, so nearly all of them qualify).
        sel.questions = 0;
        sel.samplesPerInstance = 0;
        sel.format = train::findPromptFormat("step-by-step");
        train::SelectionCounts twice;
        const auto stepByStep = train::collectExamples(ws.db(), sel, &twice);
        sel.format = train::defaultPromptFormat();
        train::SelectionCounts once;
        train::collectExamples(ws.db(), sel, &once);
        QCOMPARE(twice.examples, 2 * once.examples);
        QVERIFY(stepByStep[0].prompt.rfind("[label] Q: ", 0) == 0);
        sel.format = train::findPromptFormat("socratic");
        train::SelectionCounts socratic;
        const auto socraticExamples = train::collectExamples(ws.db(), sel, &socratic);
        qInfo() << "Socratic examples:" << socratic.examples << "of" << once.examples << "rationales";
        QVERIFY(socratic.examples > once.examples * 9 / 10);
        QVERIFY(socratic.examples <= once.examples);
        QVERIFY(socraticExamples[0].target.rfind(" Sub-question 1: ", 0) == 0);
    }

    // The loss is the mean cross-entropy of target tokens only: recomputed here by hand from the logits.
    void maskedLossIgnoresPromptTokens()
    {
        const auto examples = realExamples(4);
        const auto set = train::TrainingSet::build(examples, *m_tok, 256);
        QCOMPARE(set.size(), size_t(4));
        QVERIFY(set.examples()[0].promptLength > 10);
        auto model = student();
        train::Trainer trainer(model, set, {}, m_tok->eosId());
        const double loss = trainer.evaluate({0, 1, 2, 3});

        torch::NoGradGuard noGrad;
        double sum = 0;
        int64_t count = 0;
        for (const auto& e : set.examples()) {
            auto ids = torch::tensor(std::vector<int64_t>(e.ids.begin(), e.ids.end())).unsqueeze(0);
            auto logp = torch::log_softmax(model->forward(ids)[0], -1); // [T, V]
            for (size_t t = size_t(e.promptLength); t < e.ids.size(); ++t) {
                sum -= logp[int64_t(t) - 1][e.ids[t]].item<double>();
                ++count;
            }
        }
        QCOMPARE(count, set.targetTokens());
        QVERIFY2(std::fabs(loss - sum / double(count)) < 1e-4,
                 qPrintable(QString("%1 vs %2").arg(loss).arg(sum / count)));
    }

    void lossDecreasesOnARealCorpus()
    {
        const auto set = train::TrainingSet::build(realExamples(32), *m_tok, 192);
        train::TrainConfig c;
        c.learningRate = 3e-3;
        c.warmupSteps = 3;
        c.maxSteps = 30;
        c.batchSize = 8;
        std::vector<double> losses;
        train::Trainer trainer(student(), set, c, m_tok->eosId());
        trainer.run([&](const train::StepMetrics& m) { losses.push_back(m.loss); });
        QCOMPARE(losses.size(), size_t(30));
        const double first = (losses[0] + losses[1]) / 2, last = (losses[28] + losses[29]) / 2;
        qInfo() << "loss" << first << "->" << last;
        QVERIFY(last < 0.75 * first);
    }

    // Stopped after step 4 and resumed from its checkpoint with a freshly loaded model, a run gives the same
    // losses at steps 5..8 as a run that never stopped.
    void resumedRunContinuesExactly()
    {
        const auto set = train::TrainingSet::build(realExamples(24), *m_tok, 160);
        test::TempDir dir;
        train::TrainConfig c;
        c.learningRate = 2e-3;
        c.warmupSteps = 2;
        c.maxSteps = 8;
        c.batchSize = 4;
        c.gradAccumulation = 2;
        c.seed = 5;
        c.runDir = dir.path("straight");
        std::vector<double> straight;
        train::Trainer(student(), set, c, m_tok->eosId()).run([&](const auto& m) { straight.push_back(m.loss); });

        c.runDir = dir.path("stopped");
        jobs::StopToken stop;
        std::vector<double> resumed;
        {
            train::Trainer first(student(), set, c, m_tok->eosId());
            first.run(
                [&](const auto& m) {
                    resumed.push_back(m.loss);
                    if (m.step == 4)
                        stop.requestStop();
                },
                &stop);
            QCOMPARE(first.step(), int64_t(4));
        }
        QVERIFY(std::filesystem::exists(dir.path("stopped/checkpoint/optimizer.pt")));
        train::Trainer second(student(), set, c, m_tok->eosId());
        QVERIFY(second.resume());
        QCOMPARE(second.step(), int64_t(4));
        second.run([&](const auto& m) { resumed.push_back(m.loss); });
        QCOMPARE(resumed.size(), straight.size());
        for (size_t i = 0; i < straight.size(); ++i)
            QVERIFY2(std::fabs(resumed[i] - straight[i]) < 1e-6,
                     qPrintable(QString("step %1: %2 vs %3").arg(i + 1).arg(resumed[i]).arg(straight[i])));
    }

    // A run recorded in the workspace: stopped, resumed, finished; metrics per step; the final folder loads.
    void runsAreRecordedAndResumable()
    {
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(),
                                         test::sharedPath("data/teacher/zero-shot-cot-davinci002/multiarith.jsonl"));
        }
        train::TrainingRequest r;
        r.workspace = ws;
        r.modelPath = test::sharedPath("models/stories260K/stories260K.bin");
        r.tokenizerPath = test::sharedPath("models/stories260K/tok512.bin");
        r.selection.task = "multiarith";
        r.selection.split = "test"; // the Zero-shot-CoT logs cover test items only
        r.maxLength = 160;
        r.config.maxSteps = 6;
        r.config.batchSize = 4;
        r.config.learningRate = 1e-3;
        r.config.runDir = dir.path("run");

        jobs::StopToken stop;
        auto outcome = train::startRun(
            r,
            [&](int64_t, const train::StepMetrics& m) {
                if (m.step == 3)
                    stop.requestStop();
            },
            &stop);
        QCOMPARE(outcome.status, std::string("stopped"));
        {
            store::Workspace w(ws);
            store::RunRepository runs(w.db());
            const auto run = runs.find(outcome.runId);
            QVERIFY(run);
            QCOMPARE(run->status, std::string("stopped"));
            QCOMPARE(run->step, int64_t(3));
            QCOMPARE(runs.metric(outcome.runId, "loss").size(), size_t(3));
            const auto recipe = nlohmann::json::parse(run->recipeJson);
            QVERIFY(recipe["examples"].get<int64_t>() > 300); // correct rationales only
            QCOMPARE(recipe["template"].get<std::string>(), std::string("cot"));
        }
        outcome = train::resumeRun(ws, outcome.runId, {}, nullptr);
        QCOMPARE(outcome.status, std::string("finished"));
        store::Workspace w(ws);
        store::RunRepository runs(w.db());
        QCOMPARE(runs.find(outcome.runId)->status, std::string("finished"));
        const auto loss = runs.metric(outcome.runId, "loss");
        QCOMPARE(loss.size(), size_t(6));
        QCOMPARE(loss.back().first, int64_t(6));
        QCOMPARE(runs.metric(outcome.runId, "tokens_per_second").size(), size_t(6));
        auto trained = nn::loadCausalLm(outcome.finalFolder);
        auto tok = text::loadTokenizer(outcome.finalFolder, 512);
        QCOMPARE(tok->encode("Q: 2 + 3?"), m_tok->encode("Q: 2 + 3?"));

        // Bad requests fail before a run is recorded, with the reason.
        r.selection.task = "no_such_task";
        try {
            train::startRun(r, {}, nullptr);
            QFAIL("started a run without examples");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("no training examples: task 'no_such_task'"), e.what());
        }
        r.selection.task = "multiarith";
        r.modelPath = dir.path("missing-model");
        QVERIFY_THROWS_EXCEPTION(Error, train::startRun(r, {}, nullptr));
        QCOMPARE(runs.list().size(), size_t(1));
    }

    void devLossIsMeasuredAsTrainingGoes()
    {
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "train", 64);
        test::importCoinFlips(ws, dir.path(""), "dev", 12);
        auto r = test::coinFlipTraining(ws, dir.path("run"));
        r.devSplit = "dev";
        r.config.maxSteps = 6;
        r.config.evalEvery = 4;
        std::vector<int64_t> measuredAt;
        const auto outcome = train::startRun(
            r,
            [&](int64_t, const train::StepMetrics& m) {
                if (m.devLoss)
                    measuredAt.push_back(m.step);
            },
            nullptr);
        QCOMPARE(measuredAt, (std::vector<int64_t>{4, 6})); // every 4 steps and at the end
        store::Workspace w(ws);
        store::RunRepository runs(w.db());
        const auto dev = runs.metric(outcome.runId, "dev_loss");
        QCOMPARE(dev.size(), size_t(2));
        QVERIFY2(dev[1].second < dev[0].second, "the dev loss went down");
        QVERIFY(dev[0].second < runs.metric(outcome.runId, "loss").front().second);
        QCOMPARE(nlohmann::json::parse(runs.find(outcome.runId)->recipeJson)["dev_examples"].get<int64_t>(),
                 int64_t(12));

        r.devSplit = "test"; // nothing imported there
        try {
            train::startRun(r, {}, nullptr);
            QFAIL("started without dev examples");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("no dev examples: task 'coin_flip' has 0 test instances"), e.what());
        }
    }

    // A full disk while checkpointing: the run fails saying so, the previous checkpoint and the workspace stay
    // usable, and the run resumes from that checkpoint once there is room. RLIMIT_FSIZE makes writes past
    // 256 KiB fail (EFBIG) the way a full disk makes them fail (ENOSPC).
    void fullDiskKeepsTheLastCheckpoint()
    {
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "train", 64);
        auto r = test::coinFlipTraining(ws, dir.path("run"));
        r.config.maxSteps = 4;
        r.config.checkpointEvery = 2;
        std::signal(SIGXFSZ, SIG_IGN);
        std::unique_ptr<ScopedLimit> diskFull;
        try {
            train::startRun(
                r,
                [&](int64_t, const train::StepMetrics& m) {
                    if (m.step == 3) { // after the step-2 checkpoint; the workspace's log is emptied first
                        store::Workspace w(ws);
                        w.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
                        diskFull = std::make_unique<ScopedLimit>(RLIMIT_FSIZE, 256 * 1024);
                    }
                },
                nullptr);
            QFAIL("the run finished on a full disk");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("cannot write the checkpoint (disk full?)"), e.what());
            QVERIFY2(QString(e.what()).contains("the previous checkpoint is kept"), e.what());
        }
        diskFull.reset();
        QCOMPARE(checkpointStep(r.config.runDir), int64_t(2));
        QVERIFY(!std::filesystem::exists(r.config.runDir + "/checkpoint.partial"));
        int64_t runId = 0;
        {
            store::Workspace w(ws);
            const auto run = store::RunRepository(w.db()).list().front();
            runId = run.id;
            QCOMPARE(run.status, std::string("failed"));
            QVERIFY(run.message && run.message->find("disk full") != std::string::npos);
            QCOMPARE(test::scalar(w.db(), "SELECT COUNT(*) FROM instances"), int64_t(64));
        }
        const auto outcome = train::resumeRun(ws, runId, {}, nullptr);
        QCOMPARE(outcome.status, std::string("finished"));
        QCOMPARE(checkpointStep(r.config.runDir), int64_t(4));
    }

    // Out of memory in a step: the trainer names it and what to lower; the checkpoint on disk is untouched.
    // RLIMIT_AS caps the address space 512 MiB above what the process uses, and the batch needs gigabytes.
    void outOfMemorySaysWhatToLower()
    {
        test::TempDir dir;
        std::vector<train::TokenizedExample> examples(64);
        for (auto& e : examples) {
            e.ids.assign(500, 7);
            e.promptLength = 10;
        }
        const auto set = train::TrainingSet::fromTokens(examples);
        train::TrainConfig c;
        c.batchSize = 64;
        c.maxSteps = 2;
        c.runDir = dir.path("run");
        train::Trainer trainer(student(), set, c, 0);
        trainer.saveCheckpoint();
        long pages = 0;
        std::ifstream("/proc/self/statm") >> pages;
        const rlim_t used = rlim_t(pages) * rlim_t(sysconf(_SC_PAGESIZE));
        try {
            ScopedLimit memory(RLIMIT_AS, used + (512ull << 20));
            trainer.run({}, nullptr);
            QFAIL("a batch of 64 x 500 tokens fitted in 512 MiB");
        } catch (const train::TrainingOutOfMemory& e) {
            QVERIFY2(QString(e.what()).contains("out of memory at step 1 (batch size 64, examples up to 500 tokens)"),
                     e.what());
            QVERIFY2(QString(e.what()).contains("lower the batch size"), e.what());
        }
        QCOMPARE(checkpointStep(c.runDir), int64_t(0));
        QCOMPARE(trainer.step(), int64_t(0));
    }

    // bf16 mixed precision on the CPU (libtorch's CPU autocast): the matrix products run in bf16, so the losses
    // differ from fp32's, but only slightly, and they go down as fast; weights and checkpoint stay float32 and
    // autocast is off again after the run.
    void bf16MixedPrecisionTrainsOnTheCpu()
    {
        const auto set = train::TrainingSet::build(realExamples(32), *m_tok, 192);
        test::TempDir dir;
        train::TrainConfig c;
        c.learningRate = 3e-3;
        c.warmupSteps = 3;
        c.maxSteps = 20;
        c.batchSize = 8;
        auto lossesOf = [&](const std::string& precision, std::shared_ptr<nn::CausalLm> model) {
            c.precision = precision;
            c.runDir = dir.path(precision);
            std::vector<double> losses;
            train::Trainer(std::move(model), set, c, m_tok->eosId()).run([&](const auto& m) {
                losses.push_back(m.loss);
            });
            return losses;
        };
        const auto fp32 = lossesOf("fp32", student());
        auto model = student();
        const auto bf16 = lossesOf("bf16", model);
        QCOMPARE(bf16.size(), fp32.size());
        qInfo() << "step 1 loss fp32" << fp32[0] << "bf16" << bf16[0] << "; step 20" << fp32[19] << bf16[19];
        QVERIFY2(bf16[0] != fp32[0], "the bf16 run computed exactly what fp32 did: autocast was not on");
        QVERIFY2(std::fabs(bf16[0] - fp32[0]) < 0.02 * fp32[0], qPrintable(QString::number(bf16[0])));
        QVERIFY2(bf16[19] < 0.75 * bf16[0], qPrintable(QString("%1 -> %2").arg(bf16[0]).arg(bf16[19])));
        QVERIFY2(std::fabs(bf16[19] - fp32[19]) < 0.1 * fp32[19], qPrintable(QString::number(bf16[19])));
        for (const auto& p : model->parameters())
            QCOMPARE(p.scalar_type(), torch::kFloat32);
        QCOMPARE(nn::Safetensors::read(dir.path("bf16/checkpoint/model.safetensors")).begin()->second.scalar_type(),
                 torch::kFloat32);
        QVERIFY(!at::autocast::is_cpu_enabled());
    }

    void precisionSettingsAreChecked()
    {
        const auto set = train::TrainingSet::build(realExamples(4), *m_tok, 160);
        train::TrainConfig c;
        c.precision = "fp16";
        try {
            train::Trainer(student(), set, c, m_tok->eosId());
            QFAIL("fp16 accepted on the CPU");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("precision 'fp16' trains on CUDA only"), e.what());
            QVERIFY2(QString(e.what()).contains("use bf16 or fp32"), e.what());
        }
        QVERIFY(!train::autocastDtype("auto", torch::kCPU)); // auto: fp32 on the CPU, bf16 on CUDA
        QCOMPARE(*train::autocastDtype("bf16", torch::kCPU), torch::kBFloat16);
        c.precision = "fp8";
        try {
            train::Trainer(student(), set, c, m_tok->eosId());
            QFAIL("fp8 accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("precision 'fp8': expected auto, fp32, bf16 or fp16"), e.what());
        }
    }

    // Loss scaling (what fp16 runs use, here on float32 to run on the CPU): scaling by a power of two changes no
    // gradient, so the losses equal an unscaled run's; a scale that overflows the gradients skips the step
    // (weights untouched) and halves; the scale is part of the checkpoint, so a resumed run goes on with it.
    void lossScalingSkipsOverflowedStepsAndResumes()
    {
        const auto set = train::TrainingSet::build(realExamples(16), *m_tok, 160);
        test::TempDir dir;
        train::TrainConfig c;
        c.learningRate = 2e-3;
        c.maxSteps = 6;
        c.batchSize = 4;
        std::vector<double> plain, scaled;
        train::Trainer(student(), set, c, m_tok->eosId()).run([&](const auto& m) { plain.push_back(m.loss); });
        c.initialLossScale = 65536;
        train::Trainer(student(), set, c, m_tok->eosId()).run([&](const auto& m) {
            QCOMPARE(m.lossScale, 65536.0);
            scaled.push_back(m.loss);
        });
        QCOMPARE(scaled.size(), plain.size());
        for (size_t i = 0; i < plain.size(); ++i)
            QVERIFY2(std::fabs(scaled[i] - plain[i]) < 1e-5 * plain[i],
                     qPrintable(QString("step %1: %2 vs %3").arg(i + 1).arg(scaled[i]).arg(plain[i])));

        // 2^128 is infinite in float32: the first steps' gradients overflow, each halves the scale, until one
        // fits; the run is stopped one step after that and resumed.
        c.initialLossScale = std::ldexp(1.0, 128);
        c.maxSteps = 20;
        c.runDir = dir.path("overflow");
        auto model = student();
        const auto before = model->parameters()[1].clone();
        jobs::StopToken stop;
        std::vector<train::StepMetrics> steps;
        bool untouched = true;
        int64_t stopAt = 0;
        train::Trainer first(model, set, c, m_tok->eosId());
        first.run(
            [&](const auto& m) {
                steps.push_back(m);
                if (m.skipped && stopAt == 0)
                    untouched = untouched && torch::equal(model->parameters()[1], before);
                if (!m.skipped && stopAt == 0)
                    stopAt = m.step + 1;
                if (m.step == stopAt)
                    stop.requestStop();
            },
            &stop);
        QVERIFY2(stopAt > 0 && stopAt < 20, "no step fitted the loss scale");
        QCOMPARE(int64_t(steps.size()), stopAt);
        QVERIFY(steps[0].skipped);
        QCOMPARE(steps[0].gradNorm, 0.0);
        QVERIFY2(untouched, "a skipped step changed the weights");
        for (size_t i = 1; i < steps.size(); ++i)
            if (steps[i - 1].skipped)
                QCOMPARE(steps[i].lossScale, steps[i - 1].lossScale / 2);
        qInfo() << "first step that fitted:" << stopAt - 1 << "at loss scale" << steps[size_t(stopAt - 2)].lossScale;
        QVERIFY(!torch::equal(model->parameters()[1], before));
        std::ifstream in(dir.path("overflow/checkpoint/state.json"));
        const double saved = nlohmann::json::parse(in).at("loss_scale").get<double>();
        QVERIFY(saved <= steps.back().lossScale);
        train::Trainer second(student(), set, c, m_tok->eosId());
        QVERIFY(second.resume());
        std::vector<double> resumedScales;
        second.run([&](const auto& m) { resumedScales.push_back(m.lossScale); });
        QCOMPARE(resumedScales.front(), saved);
        QCOMPARE(second.step(), int64_t(20));
    }

    void lossScaleGrowsAfterCleanStepsAndHalvesOnOverflow()
    {
        train::LossScaler scaler(8, 2.0, 0.5, 3);
        scaler.update(true);
        scaler.update(true);
        QCOMPARE(scaler.scale(), 8.0);
        scaler.update(true);
        QCOMPARE(scaler.scale(), 16.0);
        QCOMPARE(scaler.cleanSteps(), int64_t(0));
        scaler.update(true);
        scaler.update(false);
        QCOMPARE(scaler.scale(), 8.0);
        QCOMPARE(scaler.cleanSteps(), int64_t(0));
        QVERIFY(!train::LossScaler().enabled());
        QCOMPARE(train::LossScaler().scale(), 1.0);
    }

    // Best-fit-decreasing: the longest example first, each into the row with the least room that still holds it.
    void packingIsBestFitDecreasing()
    {
        std::vector<train::TokenizedExample> examples;
        for (const int length : {2, 7, 1, 4, 5, 3, 2}) {
            train::TokenizedExample e;
            e.ids.assign(size_t(length), 5);
            e.promptLength = 1;
            examples.push_back(e);
        }
        auto set = train::TrainingSet::fromTokens(examples);
        QCOMPARE(set.rows().size(), size_t(7)); // unpacked: a row per example
        QVERIFY(!set.packed());
        set.pack(8);
        QVERIFY(set.packed());
        // 7 | 5 | 4, then 3 into the 5's row (room 3), 2 and 2 into the 4's (room 4, then 2), 1 into the 7's.
        const std::vector<train::TrainingSet::Row> expected{{1, 2}, {4, 5}, {3, 0, 6}};
        QCOMPARE(set.rows(), expected);
        for (size_t r = 0; r < set.rows().size(); ++r)
            QCOMPARE(set.rowTokens(r), int64_t(8));
        QCOMPARE(set.epochBatches(2, 0, 0).size(), size_t(2)); // batches of rows
        auto tooLong = train::TrainingSet::fromTokens(examples);
        QVERIFY_THROWS_EXCEPTION(Error, tooLong.pack(6)); // the 7-token example fits no row
    }

    // Each example of a packed row gets the logits (so the loss) it gets alone: attention stays inside it and its
    // positions restart, for each family's way of placing positions (rotary, learned, learned with OPT's offset).
    void packedExamplesAreComputedAsIfAlone()
    {
        const auto set = train::TrainingSet::build(realExamples(3), *m_tok, 160); // one row within the 512 positions
        QCOMPARE(set.size(), size_t(3));
        torch::manual_seed(3);
        nn::Gpt2Config g;
        g.dim = 64, g.nLayers = 2, g.nHeads = 4, g.maxSeqLen = 1024, g.vocabSize = 512, g.innerDim = 128;
        nn::OptConfig o;
        o.dim = o.wordEmbedDim = 64, o.nLayers = 2, o.nHeads = 4, o.ffnDim = 128, o.maxSeqLen = 1024;
        o.vocabSize = 512;
        const std::vector<std::pair<const char*, std::shared_ptr<nn::CausalLm>>> models{
            {"stories260K", student()},
            {"gpt2", std::make_shared<nn::Gpt2Impl>(g)},
            {"opt", std::make_shared<nn::OptImpl>(o)}};
        torch::NoGradGuard noGrad;
        for (const auto& [name, model] : models) {
            model->eval();
            // One row of the three examples, then padding.
            std::vector<int64_t> ids;
            nn::PackedRows packed{{{}}};
            for (const auto& e : set.examples()) {
                ids.insert(ids.end(), e.ids.begin(), e.ids.end());
                packed.lengths[0].push_back(int64_t(e.ids.size()));
            }
            ids.resize(ids.size() + 7, 0);
            const auto row = [](const std::vector<int64_t>& v) { return torch::tensor(v).unsqueeze(0); };
            const auto packedLogits = model->forward(row(ids), nullptr, &packed)[0]; // [T, V]
            int64_t at = 0;
            double worst = 0;
            for (const auto& e : set.examples()) {
                const auto n = int64_t(e.ids.size());
                const auto alone = model->forward(row(std::vector<int64_t>(e.ids.begin(), e.ids.end())))[0];
                const auto targets = torch::tensor(std::vector<int64_t>(e.ids.begin() + e.promptLength, e.ids.end()));
                const auto loss = [&](const torch::Tensor& logits) { // in double: the logits' own rounding alone
                    return torch::nn::functional::cross_entropy(
                               logits.narrow(0, e.promptLength - 1, targets.size(0)).to(torch::kFloat64), targets)
                        .item<double>();
                };
                const double lossAlone = loss(alone), lossPacked = loss(packedLogits.narrow(0, at, n));
                worst = std::max(worst, std::fabs(lossAlone - lossPacked));
                at += n;
            }
            qInfo() << name << "largest per-example loss difference, packed against alone:" << worst;
            QVERIFY2(worst < 1e-5, name);
        }
    }

    // A packed batch is the same batch: the trainer's loss over packed rows, and the step it takes, equal those of
    // the same examples padded one per row.
    void packedAndPaddedBatchesTrainAlike()
    {
        // Three real examples of different lengths (so that the padded batch pads), together within the context.
        auto examples = train::TrainingSet::build(realExamples(3), *m_tok, 160).examples();
        int64_t total = 0;
        for (size_t i = 0; i < examples.size(); ++i) {
            examples[i].ids.resize(size_t(examples[i].promptLength) + 10 + 15 * i); // 10, 25 and 40 target tokens
            QVERIFY(examples[i].ids.size() <= 160);
            total += int64_t(examples[i].ids.size());
        }
        const auto padded = train::TrainingSet::fromTokens(examples);
        auto packed = train::TrainingSet::fromTokens(examples);
        packed.pack(total); // every example in one row
        QCOMPARE(packed.rows().size(), size_t(1));
        train::TrainConfig c;
        c.learningRate = 1e-3;
        c.maxSteps = 1;
        c.batchSize = 3;
        c.schedule = "constant";
        auto modelPadded = student(), modelPacked = student();
        train::Trainer onePerRow(modelPadded, padded, c, m_tok->eosId()),
            inOneRow(modelPacked, packed, c, m_tok->eosId());
        const double lossPadded = onePerRow.evaluate({0, 1, 2}), lossPacked = inOneRow.evaluate({0});
        qInfo() << "mean target loss padded" << lossPadded << "packed" << lossPacked;
        QVERIFY(std::fabs(lossPadded - lossPacked) < 1e-5);
        train::StepMetrics paddedStep, packedStep;
        onePerRow.run([&](const train::StepMetrics& m) { paddedStep = m; });
        inOneRow.run([&](const train::StepMetrics& m) { packedStep = m; });
        QVERIFY(std::fabs(paddedStep.loss - packedStep.loss) < 1e-5);
        QVERIFY(std::fabs(paddedStep.gradNorm - packedStep.gradNorm) < 1e-4 * paddedStep.gradNorm);
        // The step's gradients (kept after it; Adam's first step, about lr x sign(gradient), would magnify the
        // rounding of gradients near zero).
        double largest = 0, scale = 0;
        const auto a = modelPadded->parameters(), b = modelPacked->parameters();
        for (size_t i = 0; i < a.size(); ++i) {
            largest = std::max(largest, (a[i].grad() - b[i].grad()).abs().max().item<double>());
            scale = std::max(scale, a[i].grad().abs().max().item<double>());
        }
        qInfo() << "largest gradient difference" << largest << "of the largest gradient" << scale;
        QVERIFY(largest < 1e-4 * scale);
        // Packed rows under activation checkpointing: the blocks recomputed in backward see the same rows.
        auto modelCheckpointed = student();
        modelCheckpointed->setActivationCheckpointing(true);
        train::Trainer checkpointed(modelCheckpointed, packed, c, m_tok->eosId());
        checkpointed.run({});
        const auto g = modelCheckpointed->parameters();
        double checkpointedLargest = 0;
        for (size_t i = 0; i < a.size(); ++i)
            checkpointedLargest = std::max(checkpointedLargest, (g[i].grad() - b[i].grad()).abs().max().item<double>());
        QVERIFY2(checkpointedLargest < 1e-4 * scale, qPrintable(QString::number(checkpointedLargest)));
        // Padding is computed too: the padded batch's positions outnumber its tokens; the packed row has none.
        QVERIFY(paddedStep.paddedTokensPerSecond > paddedStep.tokensPerSecond);
        QCOMPARE(packedStep.paddedTokensPerSecond, packedStep.tokensPerSecond);
    }

    void divergenceKeepsTheLastCheckpoint()
    {
        const auto set = train::TrainingSet::build(realExamples(8), *m_tok, 160);
        test::TempDir dir;
        train::TrainConfig c;
        c.maxSteps = 2;
        c.batchSize = 4;
        c.runDir = dir.path("run");
        auto model = student();
        train::Trainer(model, set, c, m_tok->eosId()).run({});
        const auto saved = std::filesystem::last_write_time(dir.path("run/checkpoint/model.safetensors"));
        {
            torch::NoGradGuard noGrad;
            model->parameters()[3].fill_(std::numeric_limits<float>::quiet_NaN());
        }
        c.maxSteps = 4;
        train::Trainer broken(model, set, c, m_tok->eosId());
        try {
            broken.run({});
            QFAIL("trained on through a NaN loss");
        } catch (const train::TrainingDiverged& e) {
            QVERIFY2(QString(e.what()).contains("the loss became nan at step 1"), e.what());
        }
        QCOMPARE(std::filesystem::last_write_time(dir.path("run/checkpoint/model.safetensors")), saved);
        train::Trainer again(student(), set, c, m_tok->eosId());
        QVERIFY(again.resume()); // the checkpoint is whole and loads
        QCOMPARE(again.step(), int64_t(2));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "TestTrainer.moc"
