// Evaluation of students: accuracy and its exact bootstrap interval, majority voting, and an evaluation of a
// real trained student (stories260K fine-tuned for a few steps on generated coin flips) that stores its
// rationales, stops, resumes and ends with the same predictions as an uninterrupted evaluation.
#include "eval/Accuracy.h"
#include "eval/Evaluation.h"
#include "store/EvaluationRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "train/TrainingRun.h"
#include "util/Error.h"

#include <QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace cotlab;

namespace {

// Prediction and first rationale text per instance, in instance order.
std::vector<std::string> predictions(store::Database& db, int64_t evaluationId)
{
    std::vector<std::string> out;
    store::Statement s(db, "SELECT i.instance_id, i.prediction, i.correct, r.text FROM evaluation_items i "
                           "JOIN rationales r ON r.id = i.rationale_id WHERE i.evaluation_id = ? "
                           "ORDER BY i.instance_id");
    s.bind(1, evaluationId);
    while (s.step())
        out.push_back(s.string(0) + "|" + s.string(1) + "|" + s.string(2) + "|" + s.string(3));
    return out;
}

} // namespace

class TestEvaluation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void accuracyIntervalIsTheExactBootstrap()
    {
        // 5 of 10: Binomial(10, 0.5) has P(K <= 1) = 0.0107 < 0.025 <= P(K <= 2) = 0.0547 and
        // P(K <= 7) = 0.9453 < 0.975 <= P(K <= 8) = 0.9893.
        auto a = eval::accuracyWithInterval(5, 10);
        QCOMPARE(a.accuracy, 0.5);
        QCOMPARE(a.low, 0.2);
        QCOMPARE(a.high, 0.8);
        // 1 of 4: P(K = 0) = 0.3164 >= 0.025; P(K <= 2) = 0.9492 < 0.975 <= P(K <= 3) = 0.9961.
        a = eval::accuracyWithInterval(1, 4);
        QCOMPARE(a.low, 0.0);
        QCOMPARE(a.high, 0.75);
        // Every resample of all-right or all-wrong outcomes is the same.
        a = eval::accuracyWithInterval(10, 10);
        QCOMPARE(a.low, 1.0);
        QCOMPARE(a.high, 1.0);
        a = eval::accuracyWithInterval(0, 7);
        QCOMPARE(a.high, 0.0);
        a = eval::accuracyWithInterval(0, 0);
        QCOMPARE(a.accuracy, 0.0);
        // 450 of 500: the interval is about +-2.6 points, as the normal approximation says.
        a = eval::accuracyWithInterval(450, 500);
        QVERIFY(a.low > 0.87 && a.low < 0.88);
        QVERIFY(a.high > 0.92 && a.high < 0.93);
    }

    void majorityVoteBreaksTiesByFirstAppearance()
    {
        QCOMPARE(eval::majorityVote({"x", "y", "y"}), std::string("y"));
        QCOMPARE(eval::majorityVote({"b", "a", "a", "b"}), std::string("b"));
        QCOMPARE(eval::majorityVote({"", "", "no"}), std::string("no")); // no answer is no vote
        QCOMPARE(eval::majorityVote({"", ""}), std::string(""));
        QCOMPARE(eval::majorityVote({}), std::string(""));
    }

    void evaluatesATrainedStudentAndResumesExactly()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "train", 64, 2, 5);
        test::importCoinFlips(ws, dir.path(""), "test", 12, 3, 5);

        train::TrainingRequest t;
        t.workspace = ws;
        t.modelPath = test::sharedPath("models/stories260K/stories260K.bin");
        t.tokenizerPath = test::sharedPath("models/stories260K/tok512.bin");
        t.selection.task = "coin_flip";
        t.config.maxSteps = 8;
        t.config.batchSize = 8;
        t.config.learningRate = 2e-3;
        t.config.runDir = dir.path("run");
        const auto run = train::startRun(t, {}, nullptr);
        QCOMPARE(run.status, std::string("finished"));

        eval::EvaluationRequest r;
        r.workspace = ws;
        r.runId = run.runId;
        r.task = "coin_flip";
        r.samples = 3; // sampled and voted: the harder case for an exact resume
        r.temperature = 1.0;
        r.seed = 11;
        r.maxNewTokens = 48;
        r.batchSize = 12; // 4 instances per batch
        const auto whole = eval::startEvaluation(r, {}, nullptr);
        QCOMPARE(whole.status, std::string("finished"));
        QCOMPARE(whole.items, int64_t(12));
        QCOMPARE(whole.done, int64_t(12));

        jobs::StopToken stop;
        int64_t batches = 0;
        r.name = "resumed";
        auto part = eval::startEvaluation(
            r,
            [&](int64_t, int64_t done, int64_t items, int64_t) {
                QCOMPARE(items, int64_t(12));
                QCOMPARE(done, int64_t(4));
                ++batches;
                stop.requestStop();
            },
            &stop);
        QCOMPARE(batches, int64_t(1));
        QCOMPARE(part.status, std::string("stopped"));
        QCOMPARE(part.done, int64_t(4));
        {
            store::Workspace w(ws);
            QCOMPARE(store::EvaluationRepository(w.db()).find(part.evaluationId)->status, std::string("stopped"));
        }
        part = eval::resumeEvaluation(ws, part.evaluationId, {}, nullptr);
        QCOMPARE(part.status, std::string("finished"));
        QCOMPARE(part.correct, whole.correct);

        store::Workspace w(ws);
        const auto a = predictions(w.db(), whole.evaluationId);
        const auto b = predictions(w.db(), part.evaluationId);
        QCOMPARE(a.size(), size_t(12));
        QCOMPARE(b, a);

        // Every sample is a student rationale of the run's model, linked to its evaluation, searchable.
        QCOMPARE(test::scalar(w.db(), "SELECT COUNT(*) FROM rationales WHERE source_kind = 'student' AND model = 'run'"),
                 int64_t(36));
        const auto provenance = nlohmann::json::parse(test::textOf(
            w.db(), "SELECT provenance FROM rationales WHERE source_kind = 'student' AND model = 'run' LIMIT 1"));
        QCOMPARE(provenance["evaluation"].get<int64_t>(), whole.evaluationId);
        QCOMPARE(provenance["run"].get<int64_t>(), run.runId);
        QVERIFY(test::scalar(w.db(), "SELECT COUNT(*) FROM rationale_fts WHERE rationale_fts MATCH 'coin' AND rowid IN "
                                     "(SELECT id FROM rationales WHERE source_kind = 'student')") > 0);
        // The stored correctness is the extractor's verdict on the stored answer, and the totals agree.
        QCOMPARE(test::scalar(w.db(), "SELECT COUNT(*) FROM evaluation_items i JOIN instances n ON n.id = i.instance_id "
                                      "WHERE i.correct != (i.prediction = n.gold)"),
                 int64_t(0));
        const auto e = store::EvaluationRepository(w.db()).find(whole.evaluationId);
        QCOMPARE(e->correct, whole.correct);
        QCOMPARE(*e->accuracy, double(whole.correct) / 12.0);
        QCOMPARE(*e->ciLow, eval::accuracyWithInterval(whole.correct, 12).low);
        const auto config = nlohmann::json::parse(e->configJson);
        QCOMPARE(config["template"].get<std::string>(), std::string("cot"));
        QCOMPARE(config["samples"].get<int64_t>(), int64_t(3));

        // Batch size 0 is chosen from the model's memory needs and recorded, so that a resume batches the same way.
        r.name = "automatic";
        r.batchSize = 0;
        r.samples = 1;
        r.limit = 4;
        const auto automatic = eval::startEvaluation(r, {}, nullptr);
        QCOMPARE(automatic.batchSize, int64_t(32)); // stories260K's cache is tiny: the CPU cap
        QVERIFY(automatic.generatedTokens > 0);
        const auto recorded = store::EvaluationRepository(w.db()).find(automatic.evaluationId);
        QCOMPARE(nlohmann::json::parse(recorded->configJson)["batch_size"].get<int64_t>(), int64_t(32));
    }

    // Hand-computed: GPT-2 small (12 layers x 768, vocabulary 50,257), a 100-token prompt and 256 new tokens need
    // 4 x (2 x 12 x 768 x 356 + 50,257 x 100) = 46,349,968 bytes per sequence.
    void automaticBatchSizeFitsTheMemoryBudget()
    {
        eval::BatchSizeInputs gpt2;
        gpt2.cachedValuesPerToken = 2 * 12 * 768;
        gpt2.vocabSize = 50257;
        gpt2.longestPrompt = 100;
        gpt2.maxNewTokens = 256;
        gpt2.memoryBytes = int64_t(8) << 30; // budget 1 GiB: 1,073,741,824 / 46,349,968 = 23.2
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(23));
        gpt2.cuda = true;
        gpt2.memoryBytes = 0; // unknown GPU memory: 8 GiB budget, 185.3
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(185));
        gpt2.bytesPerValue = 2; // bf16 halves the need, then the GPU cap
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(256));
        gpt2.cuda = false;
        gpt2.memoryBytes = int64_t(64) << 30; // 8 GiB budget on a CPU: capped at 32
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(32));
        gpt2.memoryBytes = int64_t(1) << 28; // 256 MiB machine: 32 MiB budget, less than one sequence
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(1));
    }

    void badRequestsSayWhy()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "train", 4, 2, 5);
        eval::EvaluationRequest r;
        r.workspace = ws;
        r.modelPath = test::sharedPath("models/stories260K/stories260K.bin");
        r.tokenizerPath = test::sharedPath("models/stories260K/tok512.bin");
        r.task = "coin_flip";
        const auto expectError = [&](const char* needle) {
            try {
                eval::startEvaluation(r, {}, nullptr);
                QFAIL("evaluation started");
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains(needle), e.what());
            }
        };
        expectError("task 'coin_flip' has no test instances"); // only train was imported
        r.split = "train";
        r.modelPath = dir.path("no-such-model");
        expectError("no-such-model");
        r.runId = 42;
        expectError("no run 42");
        store::Workspace w(ws);
        QCOMPARE(test::scalar(w.db(), "SELECT COUNT(*) FROM evaluations"), int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestEvaluation)
#include "TestEvaluation.moc"
