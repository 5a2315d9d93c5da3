// Evaluation of students: accuracy with its Wilson interval, paired comparisons (McNemar), majority voting, and an
// evaluation of a real trained student (stories260K fine-tuned for a few steps on generated coin flips) that stores its
// rationales, stops, resumes and ends with the same predictions as an uninterrupted evaluation.
#include "eval/Evaluation.h"
#include "eval/MajorityVote.h"
#include "ingest/Importer.h"
#include "ingest/SymbolicTasks.h"
#include "nn/ModelLoader.h"
#include "report/EvaluationSheets.h"
#include "store/EvaluationRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "train/TrainingRun.h"
#include "util/Error.h"

#include <QtTest>
#include <fstream>
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

        const auto run = train::startRun(test::coinFlipTraining(ws, dir.path("run"), 8), {}, nullptr);
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
                if (done == 0)
                    return; // the call that announces the evaluation, before its first batch
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
        // Its spreadsheet: the summary and the items; no empty Labels and Agreement sheets (no study judged it).
        const auto sheets = report::evaluationSheets(w.db(), whole.evaluationId);
        QCOMPARE(sheets.size(), size_t(2));
        QCOMPARE(sheets[0].name + "," + sheets[1].name, std::string("Summary,Items"));
        QCOMPARE(sheets[1].rows.size(), size_t(12));

        // Every sample is a student rationale of the run's model, linked to its evaluation, searchable.
        QCOMPARE(
            test::scalar(w.db(), "SELECT COUNT(*) FROM rationales WHERE source_kind = 'student' AND model = 'run'"),
            int64_t(36));
        const auto provenance = nlohmann::json::parse(test::textOf(
            w.db(), "SELECT provenance FROM rationales WHERE source_kind = 'student' AND model = 'run' LIMIT 1"));
        QCOMPARE(provenance["evaluation"].get<int64_t>(), whole.evaluationId);
        QCOMPARE(provenance["run"].get<int64_t>(), run.runId);
        QVERIFY(test::scalar(w.db(), "SELECT COUNT(*) FROM rationale_fts WHERE rationale_fts MATCH 'coin' AND rowid IN "
                                     "(SELECT id FROM rationales WHERE source_kind = 'student')") > 0);
        // The stored correctness is the extractor's verdict on the stored answer, and the totals agree.
        QCOMPARE(test::scalar(w.db(),
                              "SELECT COUNT(*) FROM evaluation_items i JOIN instances n ON n.id = i.instance_id "
                              "WHERE i.correct != (i.prediction = n.gold)"),
                 int64_t(0));
        const auto e = store::EvaluationRepository(w.db()).find(whole.evaluationId);
        QCOMPARE(e->correct, whole.correct);
        QVERIFY(e->accuracy);
        QCOMPARE(e->accuracy->estimate, double(whole.correct) / 12.0);
        QCOMPARE(e->accuracy->n, int64_t(12));
        QCOMPARE(e->accuracy->low, stats::wilson(whole.correct, 12).low);
        QCOMPARE(e->accuracy->high, whole.accuracy.high);
        const auto config = nlohmann::json::parse(e->configJson);
        QCOMPARE(config["template"].get<std::string>(), std::string("cot"));
        QCOMPARE(config["samples"].get<int64_t>(), int64_t(3));

        // Batch size 0 is chosen from the model's memory needs and recorded, so that a resume batches the same way.
        r.name = "automatic";
        r.batchSize = 0;
        r.samples = 1;
        r.limit = 4;
        const auto automatic = eval::startEvaluation(r, {}, nullptr);
        QCOMPARE(automatic.batchSize, int64_t(64)); // stories260K's cache is tiny: the CPU cap
        QVERIFY(automatic.generatedTokens > 0);
        const auto recorded = store::EvaluationRepository(w.db()).find(automatic.evaluationId);
        QCOMPARE(nlohmann::json::parse(recorded->configJson)["batch_size"].get<int64_t>(), int64_t(64));

        // Rationales cut at the token limit are counted and the evaluation says so: a too-low limit reads as a
        // student that cannot answer (found on 6-item last-letter questions, whose rationales need ~300 tokens).
        r.name = "cut";
        r.maxNewTokens = 4;
        const auto cut = eval::startEvaluation(r, {}, nullptr);
        QCOMPARE(cut.status, std::string("finished"));
        QCOMPARE(cut.atTokenLimit, int64_t(4));
        QCOMPARE(cut.maxNewTokens, int64_t(4));
        const auto cutRecord = store::EvaluationRepository(w.db()).find(cut.evaluationId);
        QVERIFY(cutRecord->message);
        QVERIFY(cutRecord->message->find("4 of 4 generations reached the limit of 4 new tokens") != std::string::npos);
        QCOMPARE(test::scalar(w.db(), "SELECT COUNT(*) FROM rationales WHERE model = 'cut' AND token_count = 4"),
                 int64_t(4));
        QCOMPARE(store::EvaluationRepository(w.db()).countAtTokenLimit(whole.evaluationId, 48), whole.atTokenLimit);
        QCOMPARE(bool(store::EvaluationRepository(w.db()).find(whole.evaluationId)->message), whole.atTokenLimit > 0);
        QCOMPARE(whole.withoutGold, int64_t(0));

        // Questions of the split without a gold answer (a trace set imported beside the benchmark) are left out
        // rather than scored wrong, and the evaluation says how many.
        w.db().exec("INSERT INTO instances (task_id, ext_id, split, question, gold, answer_kind) SELECT task_id, "
                    "ext_id || '-no-gold', split, question, '', answer_kind FROM instances WHERE split = 'test' "
                    "LIMIT 2");
        r.name = "without gold";
        r.limit = 0;
        r.maxNewTokens = 4;
        const auto partial = eval::startEvaluation(r, {}, nullptr);
        QCOMPARE(partial.withoutGold, int64_t(2));
        QCOMPARE(partial.items, int64_t(12));
        QCOMPARE(partial.done, int64_t(12));
        QCOMPARE(test::scalar(w.db(), "SELECT COUNT(*) FROM evaluation_items WHERE evaluation_id = " +
                                          std::to_string(partial.evaluationId)),
                 int64_t(12));
        QCOMPARE(QString::fromStdString(eval::withoutGoldNote(partial)),
                 QString("2 questions of the split have no gold answer and were left out (not scored); import their "
                         "gold answers to score them"));
        const auto partialRecord = store::EvaluationRepository(w.db()).find(partial.evaluationId);
        QVERIFY(partialRecord->message &&
                partialRecord->message->find("2 questions of the split have no gold answer") != std::string::npos);
    }

    // The automatic chain-of-thought budget grows with the teacher's rationales on the evaluated questions: 5-word
    // last-letter rationales are longer than 256 tokens and were cut before their answer with a fixed 256.
    void automaticTokenBudgetFitsTheTeachersRationales()
    {
        COTLAB_REQUIRE_SHARED();
        QCOMPARE(eval::automaticCotTokenBudget(0, 1000), int64_t(256));
        QCOMPARE(eval::automaticCotTokenBudget(400, 1000), int64_t(516));
        QCOMPARE(eval::automaticCotTokenBudget(400, 300), int64_t(300)); // the model's context is the limit
        QCOMPARE(eval::automaticCotTokenBudget(0, 100), int64_t(100));
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        ingest::SymbolicTaskOptions o;
        o.task = "last_letter_concatenation";
        o.split = "test";
        o.count = 3;
        o.items = 5; // stories260K's context (512) has room for the budget
        {
            std::ofstream out(dir.path("ll.jsonl"));
            ingest::writeSymbolicTask(o, out);
        }
        std::string longest;
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(), dir.path("ll.jsonl"));
            longest = test::textOf(w.db(), "SELECT text FROM rationales ORDER BY length(text) DESC LIMIT 1");
        }
        eval::EvaluationRequest r;
        r.workspace = ws;
        r.modelPath = test::sharedPath("models/stories260K/stories260K.bin");
        r.tokenizerPath = test::sharedPath("models/stories260K/tok512.bin");
        r.task = o.task;
        const auto out = eval::startEvaluation(r, {}, nullptr);
        const auto [model, tokenizer] = nn::loadModelAndTokenizer(r.modelPath, r.tokenizerPath);
        const int64_t tokens = int64_t(tokenizer->encode(longest).size());
        QVERIFY2(tokens > 256, qPrintable(QString::number(tokens)));
        QCOMPARE(out.maxNewTokens, eval::automaticCotTokenBudget(tokens, 1000));
        store::Workspace w(ws);
        const auto config =
            nlohmann::json::parse(store::EvaluationRepository(w.db()).find(out.evaluationId)->configJson);
        QCOMPARE(config["max_new_tokens"].get<int64_t>(), out.maxNewTokens); // recorded: a resume uses the same

        // A label-only student keeps its 16 tokens.
        r.format = train::findPromptFormat("label");
        r.name = "label";
        QCOMPARE(eval::startEvaluation(r, {}, nullptr).maxNewTokens, int64_t(16));
    }

    // Hand-computed: GPT-2 small (12 layers x 768, vocabulary 50,257), a 100-token prompt and 256 new tokens need
    // 4 x (2 x 12 x 768 x 356 + 50,257) = 26,448,196 bytes per sequence.
    void automaticBatchSizeFitsTheMemoryBudget()
    {
        eval::BatchSizeInputs gpt2;
        gpt2.cachedValuesPerToken = 2 * 12 * 768;
        gpt2.vocabSize = 50257;
        gpt2.longestPrompt = 100;
        gpt2.maxNewTokens = 256;
        gpt2.memoryBytes = int64_t(8) << 30; // budget 1 GiB: 1,073,741,824 / 26,448,196 = 40.6
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(40));
        gpt2.cuda = true;
        gpt2.memoryBytes = int64_t(24) << 30; // half of a 24 GiB GPU: 487.1, capped at 256
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(256));
        gpt2.memoryBytes = 0;    // unknown GPU memory: 8 GiB budget, 324.8, capped
        gpt2.maxNewTokens = 900; // 1,000 tokens: 4 x (18,432 x 1,000 + 50,257) = 73,929,028 bytes: 116.2
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(116));
        gpt2.bytesPerValue = 2; // bf16 halves the need: 232.4
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(232));
        gpt2.cuda = false;
        gpt2.bytesPerValue = 4;
        gpt2.maxNewTokens = 256;
        gpt2.memoryBytes = int64_t(64) << 30; // 8 GiB budget on a CPU: 324.8, capped at 64
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(64));
        gpt2.memoryBytes = int64_t(1) << 27; // 128 MiB machine: 16 MiB budget, less than one sequence
        QCOMPARE(eval::automaticBatchSize(gpt2), int64_t(1));
    }

    // Contrast questions name their originals; the report pairs them with the same student's results on the
    // originals and counts what cannot be paired.
    void contrastSplitIsComparedWithItsOriginals()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "train", 32, 2, 5);
        test::importCoinFlips(ws, dir.path(""), "test", 8, 2, 6);
        QCOMPARE(test::importCoinFlipContrast(ws, dir.path("")), int64_t(8));
        const auto run = train::startRun(test::coinFlipTraining(ws, dir.path("run"), 4), {}, nullptr);
        eval::EvaluationRequest r;
        r.workspace = ws;
        r.runId = run.runId;
        r.task = "coin_flip";
        r.maxNewTokens = 40;
        r.name = "student";
        const auto contrastFirst = [&] {
            r.split = "contrast";
            return eval::startEvaluation(r, {}, nullptr).evaluationId;
        }();
        // Before the originals are evaluated nothing can be paired.
        auto report = eval::compareWithOriginals(ws, contrastFirst);
        QCOMPARE(report.questions, int64_t(9));
        QCOMPARE(report.unlinked, int64_t(1));
        QCOMPARE(report.originalsNotEvaluated, int64_t(8));
        QCOMPARE(report.difference.n, int64_t(0));

        r.split = "test";
        const auto originals = eval::startEvaluation(r, {}, nullptr);
        report = eval::compareWithOriginals(ws, contrastFirst);
        QCOMPARE(report.originalsNotEvaluated, int64_t(0));
        const auto& d = report.difference;
        QCOMPARE(d.n, int64_t(8));
        QCOMPARE(d.firstAccuracy, double(originals.correct) / 8.0);
        store::Workspace w(ws);
        const auto contrastRight = test::scalar(
            w.db(), "SELECT COUNT(*) FROM evaluation_items e JOIN instances i ON i.id = e.instance_id WHERE "
                    "e.evaluation_id = " +
                        std::to_string(contrastFirst) + " AND e.correct = 1 AND i.ext_id != 'contrast-x'");
        QCOMPARE(d.secondAccuracy, double(contrastRight) / 8.0);
        QCOMPARE(d.bothRight + d.onlyFirst + d.onlySecond + d.bothWrong, int64_t(8));
        QCOMPARE(d.bothRight + d.onlyFirst, originals.correct);
        QCOMPARE(d.difference, d.secondAccuracy - d.firstAccuracy);
        QVERIFY(d.low <= d.difference && d.high >= d.difference);
        // The table is the one McNemar's test of these counts sees.
        const auto same = stats::mcnemar(d.bothRight, d.onlyFirst, d.onlySecond, d.bothWrong);
        QCOMPARE(d.pValue, same.pValue);
        QCOMPARE(d.low, same.low);

        // Two evaluations of the same questions compare the same way, and ones sharing no question are refused.
        const auto again = eval::startEvaluation(r, {}, nullptr);
        const auto twice = eval::compareEvaluations(ws, originals.evaluationId, again.evaluationId);
        QCOMPARE(twice.n, int64_t(8));
        QCOMPARE(twice.onlyFirst + twice.onlySecond, int64_t(0)); // greedy decoding repeats itself
        QCOMPARE(twice.pValue, 1.0);
        QVERIFY_THROWS_EXCEPTION(Error, eval::compareEvaluations(ws, originals.evaluationId, contrastFirst));
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
        // A reasoning-trace set without gold answers cannot be scored: said before anything is loaded.
        r.runId.reset();
        r.modelPath = test::sharedPath("models/stories260K/stories260K.bin");
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(), test::testDataPath("traces/openthoughts_sharegpt.jsonl"));
        }
        r.task = "openthoughts_sharegpt";
        expectError("task 'openthoughts_sharegpt' has no gold answers in its train instances");
        store::Workspace w(ws);
        QCOMPARE(test::scalar(w.db(), "SELECT COUNT(*) FROM evaluations"), int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestEvaluation)
#include "TestEvaluation.moc"
