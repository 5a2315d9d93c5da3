// cotlab-cli as a user runs it: exit codes, stdout/stderr, stats --json and export.
#include "report/Spreadsheet.h"
#include "store/Database.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace cotlab;

namespace {
using Result = test::CliResult;

Result cli(const QStringList& args)
{
    return test::runCli(args, 120000);
}

// A workspace with coin_flip questions and rationales made by `make-task` (train, and test with another seed), as a
// user of the CLI makes one; "" when it worked, else what failed.
QString makeCoinFlipWorkspace(const QString& ws, const QString& folder, int train, int test)
{
    for (const auto& [split, count, seed] :
         {std::tuple{QString("train"), train, QString("0")}, std::tuple{QString("test"), test, QString("4")}}) {
        const auto r = cli({"make-task", "--task", "coin_flip", "--items", "2", "--count", QString::number(count),
                            "--split", split, "--seed", seed, "--out", folder + "/" + split + ".jsonl"});
        if (r.code != 0)
            return r.err;
    }
    const auto r = cli({"--workspace", ws, "import", folder + "/train.jsonl", folder + "/test.jsonl"});
    return r.code == 0 ? QString() : r.err;
}

// stories260K as a Hugging Face folder (dir/student) with SmolLM2's chat template (tests/data/chat-templates): a chat
// student; its folder, or "" when the conversion failed.
QString makeChatStudent(const test::TempDir& dir)
{
    const auto r =
        cli({"convert", "--model", QString::fromStdString(test::sharedPath("models/stories260K/stories260K.bin")),
             "--tokenizer", QString::fromStdString(test::sharedPath("models/stories260K/tok512.bin")), "--out",
             QString::fromStdString(dir.path("student"))});
    if (r.code != 0)
        return {};
    std::ifstream smolFile(test::testDataPath("chat-templates/smollm2.json"));
    const auto smol = nlohmann::json::parse(smolFile);
    test::writeFile(dir.path("student/tokenizer_config.json"),
                    nlohmann::json{{"chat_template", smol.at("chat_template")}, {"eos_token", "</s>"}}.dump());
    return QString::fromStdString(dir.path("student"));
}
} // namespace

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { COTLAB_REQUIRE_SHARED(); }

    void importStatsExport()
    {
        test::TempDir dir;
        const QString ws = QString::fromStdString(dir.path("cli.cotlab"));
        const QString zs = QString::fromStdString(test::sharedPath("data/teacher/zero-shot-cot-davinci002/"));
        auto r = cli({"--workspace", ws, "import", zs + "commonsense_qa.jsonl", zs + "coin_flip.jsonl"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("1221 instances and 1221 rationales added"));

        r = cli({"--workspace", ws, "stats", "--json"});
        QCOMPARE(r.code, 0);
        const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonArray tasks = doc["tasks"].toArray();
        QCOMPARE(tasks.size(), 2);
        const QJsonObject csqa = tasks[1].toObject();
        QCOMPARE(csqa["task"].toString(), QString("commonsense_qa"));
        QCOMPARE(csqa["instances"].toInt(), 1221);
        QCOMPARE(csqa["rationales"].toInt(), 1221);
        QCOMPARE(qRound(csqa["teacher_accuracy"].toDouble() * 1000), 646);

        r = cli({"--workspace", ws, "stats"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("64.6%"));

        const QString out = QString::fromStdString(dir.path("out.jsonl"));
        r = cli({"--workspace", ws, "export", "--format", "jsonl", "--out", out, "--task", "coin_flip"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.size(), 501); // 500 lines and the final newline
        const QJsonObject first = QJsonDocument::fromJson(lines[0]).object();
        QVERIFY(first.contains("answer"));
        QVERIFY(first["correct"].isBool());
        QCOMPARE(first["task"].toString(), QString("coin_flip"));
    }

    void importsConversationTraces()
    {
        test::TempDir dir;
        const QString ws = QString::fromStdString(dir.path("traces.cotlab"));
        const QString traces = QString::fromStdString(test::testDataPath("traces/openthoughts_sharegpt.jsonl"));
        auto r =
            cli({"--workspace", ws, "import", traces, "--task", "gsm8k", "--split", "dev", "--teacher", "DeepSeek-R1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(": chat, 3 records: 3 instances and 3 rationales added"), qPrintable(r.out));
        // No gold answers: the teacher's rationales are not judged, and stats says so instead of 0%.
        r = cli({"--workspace", ws, "stats", "--json"});
        QCOMPARE(r.code, 0);
        const QJsonObject task = QJsonDocument::fromJson(r.out.toUtf8()).object()["tasks"].toArray()[0].toObject();
        QCOMPARE(task["task"].toString(), QString("gsm8k"));
        QCOMPARE(task["teacher_rationales"].toInt(), 3);
        QCOMPARE(task["teacher_judged"].toInt(), 0);
        QVERIFY(task["teacher_accuracy"].isNull());
        QCOMPARE(task["splits"].toObject()["dev"].toInt(), 3);
        r = cli({"--workspace", ws, "stats"});
        QVERIFY2(r.out.contains("not judged (no gold answers)"), qPrintable(r.out));
        // A bad --format names the formats there are.
        r = cli({"--workspace", ws, "import", traces, "--format", "sharegpt"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("expected auto, interchange, benchmark, commonsense_qa, chat, openai_batch, fields, "
                                "thoughtsource, finetune_cot, faithful_cot or scotd_pool"),
                 qPrintable(r.err));
    }

    void generateAndScoreWithStories260K()
    {
        const QString m = QString::fromStdString(test::sharedPath("models/stories260K/stories260K.bin"));
        const QString t = QString::fromStdString(test::sharedPath("models/stories260K/tok512.bin"));
        auto r = cli({"generate", "--model", m, "--tokenizer", t, "--prompt", "Once upon a time", "--max-new-tokens",
                      "20", "--greedy"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith(", there was a little girl named Lily."), qPrintable(r.out));
        QVERIFY(!r.out.contains("Once upon a time")); // only the continuation

        r = cli({"score", "--model", m, "--tokenizer", t, "--prompt", "Once upon a time,", "--continuation",
                 " there was a little girl", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        double sum = 0;
        QString text;
        for (const auto& tok : j["tokens"].toArray()) {
            sum += tok.toObject()["logprob"].toDouble();
            text += tok.toObject()["text"].toString();
        }
        QCOMPARE(text, QString(" there was a little girl"));
        QVERIFY(std::fabs(sum - j["total_logprob"].toDouble()) < 1e-9);
        QVERIFY(sum < 0.0);
        r = cli({"score", "--model", m, "--tokenizer", t, "--prompt", "Once upon a time,", "--continuation",
                 " there was a little girl"});
        QVERIFY(std::fabs(r.out.trimmed().toDouble() - sum) < 1e-5);

        r = cli({"generate", "--model", m, "--prompt", "x"});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("--tokenizer"));
        r = cli(
            {"generate", "--model", m, "--tokenizer", t, "--prompt", "x", "--device", "cpu", "--precision", "bf16"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("precision 'bf16' runs on CUDA only"), qPrintable(r.err));
        r = cli({"generate", "--model", m, "--tokenizer", t, "--prompt", "x", "--device", "gpu0"});
        QVERIFY2(r.err.contains("device 'gpu0': expected cpu, cuda, cuda:N or auto"), qPrintable(r.err));

        // Stop strings end the output before them.
        r = cli({"generate", "--model", m, "--tokenizer", t, "--prompt", "Once upon a time", "--max-new-tokens", "20",
                 "--greedy", "--stop", " named"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.out, QString(", there was a little girl\n"));

        // Converted to a Hugging Face folder (with its tokenizer), the model generates the same text.
        test::TempDir dir;
        const QString folder = QString::fromStdString(dir.path("hf"));
        r = cli({"convert", "--model", m, "--tokenizer", t, "--out", folder});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli({"generate", "--model", folder, "--prompt", "Once upon a time", "--max-new-tokens", "20", "--greedy"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith(", there was a little girl named Lily."), qPrintable(r.out));
    }

    // Train (step-by-step template, a draw of 16 questions) and evaluate from the command line, then evaluate a
    // contrast set and read its comparison with the originals.
    void trainEvaluateAndContrast()
    {
        test::TempDir dir;
        const QString ws = QString::fromStdString(dir.path("cli.cotlab"));
        const QString folder = QString::fromStdString(dir.path(""));
        const QString made = makeCoinFlipWorkspace(ws, folder, 32, 8);
        QVERIFY2(made.isEmpty(), qPrintable(made));
        auto r = Result{};
        QCOMPARE(test::importCoinFlipContrast(ws.toStdString(), folder.toStdString()), int64_t(8));
        const QString model = QString::fromStdString(test::sharedPath("models/stories260K/stories260K.bin"));
        const QString tokenizer = QString::fromStdString(test::sharedPath("models/stories260K/tok512.bin"));
        r = cli({"--workspace",
                 ws,
                 "train",
                 "--model",
                 model,
                 "--tokenizer",
                 tokenizer,
                 "--task",
                 "coin_flip",
                 "--template",
                 "step-by-step",
                 "--questions",
                 "16",
                 "--steps",
                 "4",
                 "--batch-size",
                 "8",
                 "--lr",
                 "2e-3",
                 "--out",
                 folder + "/run",
                 "--name",
                 "sbs"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli({"--workspace", ws, "runs", "--json"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("\"template\":\"step-by-step\"") || r.out.contains("\"template\": \"step-by-step\""),
                 qPrintable(r.out));
        QVERIFY(r.out.contains("\"instances_used\":16") || r.out.contains("\"instances_used\": 16"));
        // The run's curves: a row per step (4), a column per metric.
        r = cli({"--workspace", ws, "runs", "export", "1", "--out", folder + "/curves.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("wrote " + folder + "/curves.csv"));
        const auto curves = report::readCsv((folder + "/curves.csv").toStdString());
        QCOMPARE(curves.size(), size_t(4 + 1));
        QVERIFY(std::find(curves[0].begin(), curves[0].end(), "learning_rate") != curves[0].end());
        r = cli({"--workspace", ws, "runs", "export", "9", "--out", folder + "/none.csv"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("no training run 9"), qPrintable(r.err));

        r = cli({"--workspace", ws, "eval", "--run", "1", "--task", "coin_flip"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("batch size 64"), qPrintable(r.out)); // automatic: stories260K's cache is tiny
        QVERIFY(!r.out.contains("contrast:"));                        // the test questions name no originals
        r = cli({"--workspace", ws, "eval", "--run", "1", "--task", "coin_flip", "--split", "contrast"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("contrast: 8 pairs with the originals"), qPrintable(r.out));
        QVERIFY(r.out.contains("questions naming no original in the workspace: 1"));
    }

    // A run killed (SIGKILL, as by a power cut) before its first checkpoint resumes from step 0 under the same record
    // and gives the uninterrupted run's losses; the killed attempt's metrics are replaced.
    void killedBeforeTheFirstCheckpointResumesFromTheStart()
    {
        test::TempDir dir;
        const QString ws = QString::fromStdString(dir.path("kill.cotlab"));
        auto r =
            cli({"--workspace", ws, "import",
                 QString::fromStdString(test::sharedPath("data/teacher/zero-shot-cot-davinci002/multiarith.jsonl"))});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto trainArgs = [&](const QString& out) {
            return test::stories260KMultiarithTrainArgs(ws, QString::fromStdString(dir.path("")) + out)
                   << "--steps"
                   << "40"
                   << "--batch-size"
                   << "8"
                   << "--checkpoint-every"
                   << "100";
        };
        r = cli(trainArgs("whole"));
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto losses = [&](int64_t run) {
            store::Workspace w(ws.toStdString());
            std::vector<double> values;
            for (const auto& [step, value] : store::RunRepository(w.db()).metric(run, "loss"))
                values.push_back(value);
            return values;
        };
        const auto whole = losses(1);
        QCOMPARE(whole.size(), size_t(40));

        QProcess killed;
        killed.start(COTLAB_CLI_PATH, trainArgs("killed"));
        QVERIFY(killed.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(losses(2).size() >= 3, 60000);
        killed.kill(); // SIGKILL: no destructor, no checkpoint, the run left "running"
        QVERIFY(killed.waitForFinished());
        const auto partial = losses(2);
        QVERIFY2(partial.size() < 40, "the run ended before it could be killed");
        QVERIFY(!std::filesystem::exists(dir.path("killed/checkpoint")));

        r = cli({"--workspace", ws, "train", "--resume", "2"});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const auto resumed = losses(2);
        QCOMPARE(resumed.size(), size_t(40));
        for (size_t i = 0; i < whole.size(); ++i)
            QVERIFY2(std::abs(resumed[i] - whole[i]) < 1e-6,
                     qPrintable(QString("step %1: %2 vs %3").arg(i + 1).arg(resumed[i]).arg(whole[i])));
        r = cli({"--workspace", ws, "runs", "--json"});
        QVERIFY(r.out.contains("\"status\":\"finished\"") || r.out.contains("\"status\": \"finished\""));
    }

    // The damaged model folders of issue 28: n_head 0 used to end generate with SIGFPE (exit 136); each now gives one
    // line naming the file and key, and exit status 1.
    void damagedModelFoldersGiveOneLine()
    {
        test::TempDir dir;
        const std::string folder = dir.path("gpt2");
        std::filesystem::copy(test::testDataPath("gpt2-tiny"), folder);
        for (const auto& [edit, expected] : std::vector<std::pair<std::string, QString>>{
                 {R"("n_head": 0)", "'n_head' is 0; it must be a whole number from 1"},
                 {R"("n_embd": -32)", "'n_embd' is -32"},
                 {R"("n_embd": 4096, "n_head": 32, "n_layer": 48)", "config.json describes a model of"}}) {
            test::writeFile(folder + "/config.json", R"({"model_type": "gpt2", "n_layer": 2, "n_positions": 64,
                                                        "vocab_size": 300, "n_embd": 32, "n_head": 4, )" +
                                                         edit + "}");
            const auto r = cli({"generate", "--model", QString::fromStdString(folder), "--prompt", "Hello"});
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.trimmed().count('\n') == 0 && r.err.contains(expected), qPrintable(r.err));
        }
    }

    void reviewCreateLabelAndReport()
    {
        test::TempDir dir;
        const std::string path = dir.path("review.cotlab");
        test::importStudentAndTeacher(path, 20);
        const QString ws = QString::fromStdString(path);
        auto r = cli({"--workspace", ws, "review", "create", "--name", "blind", "--source", "student:stories260K",
                      "--source", "teacher", "--size", "10", "--seed", "3", "--hide-gold"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("study 'blind' (pairwise): 10 items"), qPrintable(r.out));
        r = cli({"--workspace", ws, "review", "create", "--name", "blind", "--source", "student:stories260K",
                 "--source", "teacher"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("already exists"), qPrintable(r.err));

        // Two annotators fill blank sheets outside CoTLab: both prefer the right side, whatever it holds.
        for (const QString who : {"ann", "ben"}) {
            const QString sheet = QString::fromStdString(dir.path(who.toStdString() + ".csv"));
            r = cli({"--workspace", ws, "review", "export", "blind", "--blank", "--annotator", who, "--out", sheet});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const auto table = report::readCsv(sheet.toStdString());
            QCOMPARE(table.size(), size_t(11));
            QVERIFY(std::find(table[0].begin(), table[0].end(), "gold") == table[0].end()); // hidden
            std::string filled = "item,annotator,better,fluent\n";
            for (size_t row = 1; row < table.size(); ++row)
                filled += table[row][0] + "," + who.toStdString() + ",right,tie\n";
            r = cli({"--workspace", ws, "review", "import", "blind",
                     QString::fromStdString(test::writeFile(dir.path(who.toStdString() + "-filled.csv"), filled))});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY2(r.out.contains("10 rows, 20 labels"), qPrintable(r.out));
        }
        r = cli({"--workspace", ws, "review", "stats", "blind", "--json"});
        QCOMPARE(r.code, 0);
        const auto stats = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(stats["items"].get<int>(), 10);
        QCOMPARE(stats["annotators"].size(), size_t(2));
        const auto& fluent = stats["agreement"][0];
        QCOMPARE(fluent["criterion"].get<std::string>(), std::string("fluent"));
        QCOMPARE(fluent["observed_agreement"].get<double>(), 1.0);
        // Right-side preferences split between A and B as the sides were randomised: ~half each, no ties.
        const auto& better = stats["preferences"][4];
        QCOMPARE(better["ties"]["mean"].get<double>(), 0.0);
        QVERIFY(better["a_wins"]["mean"].get<double>() > 0.1 && better["b_wins"]["mean"].get<double>() > 0.1);
        r = cli({"--workspace", ws, "review", "stats", "blind"});
        QVERIFY2(r.out.contains("Cohen's kappa per pair"), qPrintable(r.out));

        const QString xlsx = QString::fromStdString(dir.path("blind.xlsx"));
        r = cli({"--workspace", ws, "review", "export", "blind", "--out", xlsx});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(report::readXlsx(xlsx.toStdString(), "Labels").size(), size_t(41));
        r = cli(
            {"--workspace", ws, "review", "export", "blind", "--out", QString::fromStdString(dir.path("blind.csv"))});
        QVERIFY2(r.out.contains("blind-Agreement.csv"), qPrintable(r.out));
        r = cli({"--workspace", ws, "evals", "export", "1", "--out", QString::fromStdString(dir.path("eval.xlsx"))});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto evalLabels = report::readXlsx(dir.path("eval.xlsx"), "Labels");
        QCOMPARE(evalLabels.size(), size_t(41)); // the study judged this student on these questions
        QCOMPARE(report::readXlsx(dir.path("eval.xlsx"), "Items").size(), size_t(21));

        r = cli({"--workspace", ws, "review", "stats", "no such study"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("its studies: blind"), qPrintable(r.err));
        r = cli({"--workspace", ws, "review", "delete", "blind"});
        QCOMPARE(r.code, 0);
    }

    void corpusBuildExportAndTrain()
    {
        test::TempDir dir;
        const QString ws = QString::fromStdString(dir.path("corpus.cotlab"));
        const QString folder = QString::fromStdString(dir.path(""));
        auto r =
            cli({"--workspace", ws, "import",
                 QString::fromStdString(test::sharedPath("data/teacher/codex-least-to-most-40x/date_mmddyyyy.jsonl"))});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const std::string recipe = test::writeFile(
            dir.path("k2.json"), nlohmann::json{{"version", 1},
                                                {"steps",
                                                 {{{"step", "correctness"}, {"keep", "correct"}},
                                                  {{"step", "per_instance"}, {"k", 2}, {"by", "random"}, {"seed", 3}}}}}
                                     .dump());
        r = cli({"--workspace", ws, "corpus", "build", "--recipe", QString::fromStdString(recipe), "--name", "k2"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("per_instance") && r.out.contains("corpus 'k2': "), qPrintable(r.out));
        r = cli({"--workspace", ws, "corpus", "list", "--json"});
        QCOMPARE(r.code, 0);
        const auto corpora = QJsonDocument::fromJson(r.out.toUtf8()).object()["corpora"].toArray();
        QCOMPARE(corpora.size(), 1);
        const int rationales = corpora[0].toObject()["rationales"].toInt();
        QVERIFY(rationales > 0 && rationales <= 2 * 359);

        // Export: one chat example per rationale, with the trainer's chain-of-thought target.
        r = cli({"--workspace", ws, "corpus", "export", "k2", "--out", folder + "/k2.jsonl", "--shape", "chat"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile exported(folder + "/k2.jsonl");
        QVERIFY(exported.open(QIODevice::ReadOnly));
        const auto lines = exported.readAll().trimmed().split('\n');
        QCOMPARE(int(lines.size()), rationales);
        const auto first = QJsonDocument::fromJson(lines.first()).object()["messages"].toArray();
        QCOMPARE(first[0].toObject()["role"].toString(), QString("user"));
        QVERIFY(first[1].toObject()["content"].toString().contains("So the answer is"));

        // Train on it (two steps), then the errors a user can make.
        r = cli({"--workspace", ws, "train", "--corpus", "k2", "--model",
                 QString::fromStdString(test::sharedPath("models/stories260K/stories260K.bin")), "--tokenizer",
                 QString::fromStdString(test::sharedPath("models/stories260K/tok512.bin")), "--steps", "2",
                 "--batch-size", "4", "--out", folder + "/run"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli({"--workspace", ws, "runs", "--json"});
        QVERIFY2(r.out.contains("\"corpus\":\"k2\"") || r.out.contains("\"corpus\": \"k2\""), qPrintable(r.out));
        r = cli({"--workspace", ws, "corpus", "build", "--recipe", QString::fromStdString(recipe), "--name", "k2"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("already exists"));
        const std::string bad =
            test::writeFile(dir.path("bad.json"), "{\"version\": 1, \"steps\": [{\"step\": \"per_instance\"}]}");
        r = cli({"--workspace", ws, "corpus", "build", "--recipe", QString::fromStdString(bad), "--name", "bad"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("bad.json: recipe step 1 (per_instance): 'k' is missing"), qPrintable(r.err));
        r = cli({"--workspace", ws, "train", "--corpus", "nope", "--model", "x", "--out", folder + "/r2"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no corpus named 'nope'"), qPrintable(r.err));
    }

    // A prompt format file of one's own: listed formats, what it makes of the workspace, a run trained with it that
    // is evaluated with the recorded format after the file is gone, and bad names and files.
    void promptFormatFileTrainsAndEvaluates()
    {
        test::TempDir dir;
        const QString ws = QString::fromStdString(dir.path("formats.cotlab"));
        const QString folder = QString::fromStdString(dir.path(""));
        auto r = cli({"formats", "list"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        for (const char* name : {"cot", "label", "scotd", "fine-tune-cot", "distilling-step-by-step", "answer-first"})
            QVERIFY2(r.out.contains(name), name);
        r = cli({"formats", "show", "scotd"});
        QVERIFY2(r.code == 0 && r.out.contains("\"name\": \"scotd\""), qPrintable(r.out + r.err));

        const QString made = makeCoinFlipWorkspace(ws, folder, 16, 4);
        QVERIFY2(made.isEmpty(), qPrintable(made));
        const std::string format = test::writeFile(
            dir.path("arrow.json"),
            nlohmann::json{
                {"name", "arrow"},
                {"description", "question, then ###; rationale --> answer END"},
                {"source", "a test"},
                {"examples",
                 {{{"prompt", "{{ question }} ###"}, {"target", " {{ rationale }} --> {{ answer_label }} END"}}}},
                {"evaluation", {{"stop", {"END"}}, {"answer_after", "-->"}, {"max_new_tokens", 24}}}}
                .dump());
        r = cli({"--workspace", ws, "formats", "show", QString::fromStdString(format), "--task", "coin_flip"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(" ###\n--- target (loss) ---\n ") && r.out.contains(" END\n"), qPrintable(r.out));

        r = cli({"--workspace", ws, "train", "--model",
                 QString::fromStdString(test::sharedPath("models/stories260K/stories260K.bin")), "--tokenizer",
                 QString::fromStdString(test::sharedPath("models/stories260K/tok512.bin")), "--task", "coin_flip",
                 "--template", QString::fromStdString(format), "--steps", "2", "--batch-size", "4", "--out",
                 folder + "/run"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli({"--workspace", ws, "runs", "--json"});
        QVERIFY2(r.out.contains("\"template\":\"arrow\"") || r.out.contains("\"template\": \"arrow\""),
                 qPrintable(r.out));
        QFile::remove(QString::fromStdString(format)); // the run recorded the definition
        r = cli({"--workspace", ws, "eval", "--run", "1", "--task", "coin_flip"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        store::Workspace w(ws.toStdString());
        store::Statement evaluation(w.db(), "SELECT config FROM evaluations ORDER BY id DESC LIMIT 1");
        QVERIFY(evaluation.step());
        const auto config = nlohmann::json::parse(evaluation.string(0));
        QCOMPARE(config.value("template", ""), std::string("arrow"));
        QCOMPARE(config.value("max_new_tokens", 0), 24);
        store::Statement prompt(w.db(), "SELECT prompt FROM rationales WHERE source_kind = 'student' LIMIT 1");
        QVERIFY(prompt.step());
        QVERIFY2(prompt.string(0).ends_with(" ###"), prompt.string(0).c_str());

        r = cli({"--workspace", ws, "train", "--template", "socratic-ish", "--task", "coin_flip", "--model", "x",
                 "--out", folder + "/r2"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("prompt format 'socratic-ish': expected one of cot, "), qPrintable(r.err));
        const std::string bad = test::writeFile(dir.path("bad.json"), R"({"name": "bad", "promt": "x"})");
        r = cli({"--workspace", ws, "eval", "--run", "1", "--task", "coin_flip", "--template",
                 QString::fromStdString(bad)});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QString::fromStdString(bad) + ": promt: unknown field"), qPrintable(r.err));
    }

    // The chat format on a student whose folder has a chat template (SmolLM2's, beside stories260K converted to a
    // Hugging Face folder): the run records the template, the evaluation asks in it; a student without one is
    // refused before anything loads.
    void chatFormatTrainsWithTheStudentsTemplate()
    {
        test::TempDir dir;
        const QString ws = QString::fromStdString(dir.path("chat.cotlab"));
        const QString folder = QString::fromStdString(dir.path(""));
        const QString stories = QString::fromStdString(test::sharedPath("models/stories260K/stories260K.bin"));
        const QString tok = QString::fromStdString(test::sharedPath("models/stories260K/tok512.bin"));
        QVERIFY(!makeChatStudent(dir).isEmpty());
        const QString made = makeCoinFlipWorkspace(ws, folder, 16, 4);
        QVERIFY2(made.isEmpty(), qPrintable(made));

        auto r = cli({"--workspace", ws, "train", "--model", stories, "--tokenizer", tok, "--task", "coin_flip",
                      "--template", "chat", "--steps", "1", "--out", folder + "/refused"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("lays examples out with the student's chat template") && r.err.contains("has none"),
                 qPrintable(r.err));

        r = cli({"--workspace", ws, "formats", "show", "chat", "--task", "coin_flip", "--model", folder + "/student"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("reasoning kept") &&
                     r.out.contains("<|im_start|>assistant\n\n--- target (loss) ---\n") &&
                     r.out.contains("<|im_end|>\n\n"),
                 qPrintable(r.out));
        r = cli({"--workspace", ws, "train", "--model", folder + "/student", "--task", "coin_flip", "--template",
                 "chat", "--steps", "2", "--batch-size", "4", "--max-length", "512", "--out", folder + "/run"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli({"--workspace", ws, "runs", "--json"});
        QVERIFY2(r.out.contains("chat template " + folder + "/student/tokenizer_config.json, reasoning kept"),
                 qPrintable(r.out));
        r = cli({"--workspace", ws, "eval", "--run", "1", "--task", "coin_flip", "--max-new-tokens", "8"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        store::Workspace w(ws.toStdString());
        store::Statement prompt(w.db(), "SELECT prompt FROM rationales WHERE source_kind = 'student' LIMIT 1");
        QVERIFY(prompt.step());
        QVERIFY2(prompt.string(0).starts_with("<|im_start|>system\nYou are a helpful AI assistant named SmolLM") &&
                     prompt.string(0).ends_with("<|im_end|>\n<|im_start|>assistant\n"),
                 prompt.string(0).c_str());
    }

    // What the student sees, from the CLI: with the student's chat template the loss covers exactly the assistant
    // turn (the tokens' texts with the loss put together are the target, the others the prompt), --jsonl writes
    // input_ids and labels as transformers' trainers take them, and a packed run records its rows.
    void tokenizeShowsWhatTheStudentSees()
    {
        test::TempDir dir;
        const QString ws = QString::fromStdString(dir.path("tok.cotlab"));
        const QString folder = QString::fromStdString(dir.path(""));
        const QString student = makeChatStudent(dir);
        QVERIFY(!student.isEmpty());
        const QString made = makeCoinFlipWorkspace(ws, folder, 12, 2);
        QVERIFY2(made.isEmpty(), qPrintable(made));

        auto r = cli({"--workspace", ws, "tokenize", "--model", student, "--task", "coin_flip", "--template", "chat",
                      "--count", "2", "--max-length", "220", "--json", "--jsonl", folder + "/tokens.jsonl"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto out = nlohmann::json::parse(r.out.toStdString());
        const int64_t examples = out.at("examples");
        QVERIFY(examples > 0);
        QCOMPARE(out.at("max_length").get<int64_t>(), int64_t(220));
        // The conversations take about 290 of these tokens, their prompts under 200: every one is cut.
        QCOMPARE(out.at("cut").get<int64_t>(), examples);
        QCOMPARE(out.at("left_out").get<int64_t>(), int64_t(0));
        QVERIFY(out.at("chat_template").get<std::string>().find("reasoning kept") != std::string::npos);
        QCOMPARE(out.at("shown").size(), size_t(2));
        for (const auto& shown : out.at("shown")) {
            std::string prompt, target;
            int64_t kept = 0;
            for (const auto& t : shown.at("tokens")) {
                // The target's tokens: in the loss, or past the max length (cut, so not trained on).
                (t.at("loss").get<bool>() || t.at("cut").get<bool>() ? target : prompt) +=
                    t.at("text").get<std::string>();
                kept += !t.at("cut").get<bool>();
            }
            QCOMPARE(kept, int64_t(220));
            // The tokenizer (SentencePiece, as llama2c's) starts the text with a word-start space of its own.
            QCOMPARE(prompt, " " + shown.at("prompt").get<std::string>());
            QCOMPARE(target, shown.at("target").get<std::string>());
            QVERIFY(target.ends_with("<|im_end|>\n"));
        }
        std::ifstream lines(dir.path("tokens.jsonl"));
        std::string line;
        int64_t count = 0;
        while (std::getline(lines, line)) {
            const auto j = nlohmann::json::parse(line);
            QCOMPARE(j.at("input_ids").size(), size_t(220)); // as the run trains: cut to the max length
            QCOMPARE(j.at("labels").size(), size_t(220));
            QCOMPARE(j.at("labels").front().get<int>(), -100);
            QVERIFY(j.at("labels").back().get<int>() >= 0); // the last token kept is the target's
            ++count;
        }
        QCOMPARE(count, examples);

        r = cli({"--workspace", ws, "tokenize", "--model", student, "--task", "coin_flip", "--count", "1", "--colour",
                 "never"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QRegularExpression(R"(\n\s+\d+\s+\d+ -\s+")")) &&
                     r.out.contains(QRegularExpression(R"(\n\s+\d+\s+\d+ loss ")")) &&
                     r.out.contains("max length 512: every example fits"),
                 qPrintable(r.out));

        r = cli({"--workspace", ws, "train", "--model", student, "--task", "coin_flip", "--template", "chat", "--steps",
                 "2", "--batch-size", "1", "--max-length", "512", "--packing", "--out", folder + "/run"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(" with padding)"), qPrintable(r.out));
        r = cli({"--workspace", ws, "runs", "--json"});
        QVERIFY2(r.out.contains(" rows of 512 tokens, "), qPrintable(r.out));
    }

    void errorsGoToStderrWithNonZeroExit()
    {
        test::TempDir dir;
        const QString ws = QString::fromStdString(dir.path("cli.cotlab"));
        const QString bad = QString::fromStdString(test::writeFile(dir.path("bad.jsonl"), "{\"task\": \"t\"}\n"));
        auto r = cli({"--workspace", ws, "import", bad});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains(bad + ":1: missing required field 'id'"), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());

        r = cli({"stats"});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("--workspace"));

        r = cli({"--workspace", ws, "export", "--format", "xlsx", "--out", QString::fromStdString(dir.path("x"))});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("only 'jsonl'"));

        r = cli({"--workspace", ws, "frobnicate"});
        QVERIFY(r.code != 0);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
