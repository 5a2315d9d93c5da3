// Teacher data in the formats the CoT-distillation papers published it in, read as published: ThoughtSource JSON
// (a real file of the ThoughtSource repository), Faithful-CoT predictions.jsonl (real lines of its output_dir, joined
// to its data files' questions), Fine-tune-CoT's CompletionDataset JSON (its documented shape with real
// text-davinci-002 rationales); tests/data/published/make_published_excerpts.py says where each comes from. Every
// malformed file is refused naming file, element or line, and field, with nothing stored.
#include "ingest/Importer.h"
#include "store/Database.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QtTest>
#include <fstream>

using namespace cotlab;

using test::scalar;

namespace {

QString textOf(store::Database& db, const std::string& sql)
{
    return QString::fromStdString(test::textOf(db, sql));
}

const std::string kThoughtSource = "published/thoughtsource/gpt-4_zhou-01.json";
const std::string kFineTuneCot = "published/finetune_cot/D_multiarith.json";
const std::string kFaithfulGsm8k = "published/faithful_cot/output_dir/GSM8K/test/code002_COT/predictions.jsonl";
const std::string kScotdPool = "published/scotd/data_pool.json";
const std::string kFaithfulDate = "published/faithful_cot/output_dir/date/test/code002_LtM_n_40/predictions.jsonl";

// Imports 'path' expecting it refused with 'message' (after the path: ": element: ..." or ":line: ..."), and nothing
// stored.
void expectRefused(store::Database& db, const std::string& path, const std::string& message,
                   const ingest::ImportOptions& options = {})
{
    const int64_t before = scalar(db, "SELECT count(*) FROM rationales") + scalar(db, "SELECT count(*) FROM instances");
    try {
        ingest::Importer::importFile(db, path, options);
        QFAIL(qPrintable(QString::fromStdString(path + " was imported; expected: " + message)));
    } catch (const Error& e) {
        QCOMPARE(QString::fromStdString(e.what()), QString::fromStdString(path + message));
    }
    QCOMPARE(scalar(db, "SELECT count(*) FROM rationales") + scalar(db, "SELECT count(*) FROM instances"), before);
}

// The questions of the Faithful-CoT excerpt's GSM8K predictions, imported from its data file as a user would.
void importFaithfulQuestions(store::Database& db, const std::string& dataset)
{
    ingest::ImportOptions questions;
    questions.task = dataset;
    questions.split = "test";
    questions.fields = "question=question,gold=answer,id=id";
    ingest::Importer::importFile(db, test::testDataPath("published/faithful_cot/data/" + dataset + "/test.jsonl"),
                                 questions);
}

} // namespace

class TestPublishedImport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void detectsEachFormat()
    {
        using F = ingest::ImportFormat;
        QVERIFY(ingest::Importer::detectFormat(test::testDataPath(kThoughtSource)) == F::ThoughtSource);
        QVERIFY(ingest::Importer::detectFormat(test::testDataPath(kFineTuneCot)) == F::FineTuneCot);
        QVERIFY(ingest::Importer::detectFormat(test::testDataPath(kFaithfulGsm8k)) == F::FaithfulCot);
        QVERIFY(ingest::Importer::detectFormat(test::testDataPath(kFaithfulDate)) == F::FaithfulCot);
        QVERIFY(ingest::Importer::detectFormat(test::testDataPath(kScotdPool)) == F::ScotdPool);
        QVERIFY(ingest::Importer::detectFormat(test::testDataPath("traces/r1_messages.jsonl")) == F::Chat);
    }

    void importsThoughtSourceDatasetWithoutGeneratedCots()
    {
        // A dataset as ThoughtSource converts it before any CoT is generated: told by its schema (question, type,
        // cot), and its explanations are human rationales. Facts that state no answer are not judged; one that
        // states it is.
        test::TempDir dir;
        const std::string path = dir.path("strategy_qa.json");
        test::writeFile(
            path, "{\"strategy_qa\": {\"train\": ["
                  "{\"id\": \"sq1\", \"question\": \"Are more people today related to Genghis Khan than Julius "
                  "Caesar?\", \"type\": \"bool\", \"choices\": [], \"cot\": [\"Julius Caesar had three children.\", "
                  "\"Genghis Khan had sixteen children.\"], \"answer\": [\"True\"]},"
                  "{\"id\": \"sq2\", \"question\": \"Could a llama birth twice during War in Vietnam?\", \"type\": "
                  "\"bool\", \"choices\": [], \"cot\": [\"The War in Vietnam was 6 months.\", \"The gestation "
                  "period for a llama is 11 months.\", \"So the answer is no.\"], \"answer\": [\"False\"]}]}}");
        QVERIFY(ingest::Importer::detectFormat(path) == ingest::ImportFormat::ThoughtSource);
        store::Workspace ws(dir.path("w.cotlab"));
        const auto report = ingest::Importer::importFile(ws.db(), path);
        QCOMPARE(report.instancesAdded, int64_t(2));
        QCOMPARE(report.rationalesAdded, int64_t(2));
        QCOMPARE(textOf(ws.db(), "SELECT group_concat(i.ext_id || ':' || r.source_kind || ':' || r.answer || ':' || "
                                 "coalesce(r.correct, 'not judged'), ' ') FROM rationales r JOIN instances i ON "
                                 "i.id = r.instance_id ORDER BY i.ext_id"),
                 QString("sq1:human::not judged sq2:human:no:1"));
    }

    void importsThoughtSource()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        const auto report = ingest::Importer::importFile(db, test::testDataPath(kThoughtSource));
        QCOMPARE(report.format, std::string("thoughtsource"));
        QCOMPARE(report.lines, int64_t(12));
        QCOMPARE(report.instancesAdded, int64_t(12));
        // Twelve GPT-4 chains of thought and the ten items' own explanations (two medical items have none).
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE source_kind = 'teacher' AND model = 'gpt-4' "
                            "AND temperature = 0 AND prompt = 'ThoughtSource cot_trigger zhou-01'"),
                 int64_t(12));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE source_kind = 'human'"), int64_t(10));
        // Datasets are tasks, validation is dev; choices are labelled in order and the gold is its choice's label.
        QCOMPARE(textOf(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM tasks ORDER BY name)"),
                 QString("commonsense_qa,med_qa,medmc_qa,open_book_qa,strategy_qa,worldtree"));
        QCOMPARE(
            textOf(db, "SELECT split || '|' || gold || '|' || answer_kind || '|' || choices FROM instances "
                       "WHERE ext_id = 'f20d40bc4af588223e880e0bb58b27b8'"),
            QString("dev|C|choice|[{\"label\":\"A\",\"text\":\"cost money\"},{\"label\":\"B\",\"text\":\"slow down\"},"
                    "{\"label\":\"C\",\"text\":\"move people\"},{\"label\":\"D\",\"text\":\"turn right\"},"
                    "{\"label\":\"E\",\"text\":\"get girls\"}]"));
        // bool items are yes/no; "True" is yes.
        QCOMPARE(textOf(db, "SELECT group_concat(i.gold || ':' || i.answer_kind) FROM instances i JOIN tasks t ON "
                            "t.id = i.task_id WHERE t.name = 'strategy_qa'"),
                 QString("yes:yes_no,yes:yes_no"));
        // The extracted answer sentence is kept and CoTLab reads the answer from it: GPT-4 is right on 11 of 12, its
        // "No." to a yes question the one wrong (ThoughtSource's own correct_answer says the same).
        QCOMPARE(textOf(db, "SELECT answer_sentence || '|' || answer FROM rationales WHERE meta LIKE "
                            "'%b1538f8c-6bae-4b8f-997b-b690341b4140%'"),
                 QString("C) move people.|C"));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE source_kind = 'teacher' AND correct = 1"),
                 int64_t(11));
        QCOMPARE(textOf(db, "SELECT r.answer FROM rationales r JOIN instances i ON i.id = r.instance_id WHERE "
                            "r.correct = 0 AND r.source_kind = 'teacher'"),
                 QString("no"));
        // Importing it again adds nothing.
        const auto again = ingest::Importer::importFile(db, test::testDataPath(kThoughtSource));
        QCOMPARE(again.rationalesAdded, int64_t(0));
        QCOMPARE(again.rationalesAlreadyStored, int64_t(22));
    }

    void refusesMalformedThoughtSource()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        const std::string item =
            "{\"id\": \"q1\", \"question\": \"Which is red?\", \"type\": \"multiplechoice\", \"choices\": [\"sky\", "
            "\"blood\"],"
            " \"answer\": [\"blood\"], \"cot\": [], \"generated_cot\": [{\"cot\": \"Blood is red.\", \"answers\": "
            "[{\"answer\": \"B\"}], \"model\": \"{'name': 'gpt-4', 'temperature': 0}\"}]}";
        auto document = [&](const std::string& second) {
            return "{\"toy\": {\"validation\": [" + item + ", " + second + "]}}";
        };
        struct Case {
            std::string content;
            std::string message;
        };
        const std::vector<Case> cases = {
            {document("{\"id\": \"q2\", \"question\": \"Which is blue?\", \"type\": \"multiplechoice\", \"choices\": "
                      "[\"sky\", \"blood\"], \"answer\": [\"sea\"], \"generated_cot\": []}"),
             "toy.validation[1]: field 'answer[0]' ('sea') is none of the item's choices"},
            {document("{\"id\": \"q2\", \"question\": \"Is it?\", \"type\": \"bool\", \"answer\": [\"maybe\"]}"),
             "toy.validation[1]: field 'answer[0]' ('maybe') must be True or False for a bool item"},
            {document(
                 "{\"id\": \"q2\", \"question\": \"Q?\", \"type\": \"text\", \"answer\": [\"x\"], \"generated_cot\": "
                 "[{\"cot\": {}}]}"),
             "toy.validation[1]: field 'generated_cot[0].cot' must be a string, not an object"},
            {document("{\"id\": \"q2\", \"type\": \"text\", \"answer\": [\"x\"]}"),
             "toy.validation[1]: field 'question' is missing or empty"},
            {document("{\"id\": \"q2\", \"question\": \"Q?\", \"type\": \"text\", \"answer\": \"x\"}"),
             "toy.validation[1]: field 'answer' must be a non-empty list of answers"},
            {"{\"toy\": {\"holdout\": [" + item + "]}}",
             "toy.holdout[0]: split 'holdout' is none of train, validation, dev or test"},
            {"{\"toy\": {\"validation\": [" + item + "], \"test\": {\"generated_cot\": []}}}",
             "'toy.test' must be a list of items, not an object"},
            {"{\"toy\": {\"validation\": [" + item + ",\n" + item.substr(0, 40),
             "invalid JSON: parse error at line 2, column 41: syntax error while parsing object - unexpected end "
             "of input; expected '}'"},
        };
        int k = 0;
        for (const Case& c : cases) {
            const std::string path = dir.path("ts" + std::to_string(k++) + ".json");
            test::writeFile(path, c.content);
            ingest::ImportOptions options;
            options.format = ingest::ImportFormat::ThoughtSource;
            expectRefused(db, path, ": " + c.message, options);
        }
        // The valid item alone imports, and keeping good records takes it from a file with a bad one.
        const std::string path = dir.path("good.json");
        test::writeFile(path, document("{\"id\": \"q2\", \"type\": \"text\", \"answer\": [\"x\"]}"));
        ingest::ImportOptions keep;
        keep.keepGoodRecords = true;
        const auto report = ingest::Importer::importFile(db, path, keep);
        QCOMPARE(report.instancesAdded, int64_t(1));
        QCOMPARE(report.refusedCount, int64_t(1));
        QCOMPARE(QString::fromStdString(report.refused.front().where),
                 QString::fromStdString(path + ": toy.validation[1]"));
        QCOMPARE(textOf(db, "SELECT model || '|' || answer || '|' || correct FROM rationales"), QString("gpt-4|B|1"));
        // A file whose every item is refused is still an error, keeping good records or not.
        keep.format = ingest::ImportFormat::ThoughtSource; // no generated_cot to tell it by
        const std::string allBad = dir.path("all-bad.json");
        test::writeFile(allBad, "{\"toy\": {\"test\": [{\"id\": \"q9\", \"type\": \"text\", \"answer\": [\"x\"]}]}}");
        expectRefused(db, allBad,
                      ": every record was refused (1); the first: " + allBad +
                          ": toy.test[0]: field 'question' is missing or empty",
                      keep);
    }

    void importsFineTuneCotCompletions()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        const auto report = ingest::Importer::importFile(db, test::testDataPath(kFineTuneCot));
        QCOMPARE(report.format, std::string("finetune_cot"));
        QCOMPARE(report.instancesAdded, int64_t(6));
        QCOMPARE(report.rationalesAdded, int64_t(6));
        // The task from metadata.dataset_key, ids as the benchmark import names the same questions, the teacher from
        // metadata.base_model; no split file, so train.
        QCOMPARE(textOf(db, "SELECT group_concat(ext_id, ',') FROM (SELECT ext_id FROM instances ORDER BY id)"),
                 QString("multiarith-19,multiarith-193,multiarith-276,multiarith-307,multiarith-315,multiarith-324"));
        QCOMPARE(scalar(db, "SELECT count(*) FROM instances WHERE split = 'train' AND answer_kind = 'number'"),
                 int64_t(6));
        // Zero-shot-CoT: the reasoning is the rationale, its prompt the step-1 prompt, and step 2's completion the
        // answer sentence the answer is read from.
        QCOMPARE(textOf(db, "SELECT r.model || '|' || r.answer_sentence || '|' || r.answer || '|' || r.correct || '|' "
                            "|| r.temperature || '|' || r.meta FROM rationales r JOIN instances i ON i.id = "
                            "r.instance_id WHERE i.ext_id = 'multiarith-193'"),
                 QString("text-davinci-002|Therefore, the answer is 43.|43|1|0.0|"
                         "{\"completion_key\":\"zs_cot\",\"prediction_template\":\"zs_cot\"}"));
        QVERIFY(textOf(db, "SELECT prompt FROM rationales LIMIT 1").startsWith("Q: "));
        QVERIFY(textOf(db, "SELECT prompt FROM rationales LIMIT 1").endsWith("\nA: Let's think step by step."));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE correct = 1"), int64_t(5));
    }

    void joinsFineTuneCotToTheBenchmarkAndItsSplits()
    {
        if (!test::haveShared())
            QSKIP("needs ../shared (the Fine-tune-CoT benchmark file)");
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        ingest::Importer::importFile(db, test::sharedPath("data/datasets/multiarith.json"),
                                     {.splitsFile = test::sharedPath("data/datasets/splits/multiarith__default.json")});
        const int64_t instances = scalar(db, "SELECT count(*) FROM instances");
        const QString splits = textOf(db, "SELECT group_concat(split, ',') FROM (SELECT split FROM instances WHERE "
                                          "ext_id IN ('multiarith-19', 'multiarith-193', 'multiarith-276') ORDER BY "
                                          "ext_id)");
        // The completions meet the benchmark's instances (the same question under the same id) and keep their splits.
        const auto report = ingest::Importer::importFile(db, test::testDataPath(kFineTuneCot));
        QCOMPARE(report.instancesAdded, int64_t(0));
        QCOMPARE(report.rationalesAdded, int64_t(6));
        QCOMPARE(scalar(db, "SELECT count(*) FROM instances"), instances);
        QCOMPARE(textOf(db, "SELECT group_concat(split, ',') FROM (SELECT split FROM instances WHERE ext_id IN "
                            "('multiarith-19', 'multiarith-193', 'multiarith-276') ORDER BY ext_id)"),
                 splits);
        QVERIFY(splits.contains("test") || splits.contains("train"));
    }

    void refusesMalformedFineTuneCot()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        const std::string meta = "{\"metadata\": {\"base_model\": \"m\", \"dataset_key\": \"gsm8k\"}, \"data\": {";
        const std::string good = "\"0\": [{\"sample_index\": 0, \"completion_index\": 0, \"question\": \"1+1?\", "
                                 "\"answer\": \"2\", \"completion\": \"1+1=2. The answer is 2.\"}]";
        struct Case {
            std::string content;
            std::string message;
        };
        const std::vector<Case> cases = {
            {meta + good +
                 ", \"1\": [{\"sample_index\": 2, \"question\": \"2+2?\", \"answer\": \"4\", \"completion\": \"4\"}]}}",
             "data.1[0]: field 'sample_index' is 2 in the list of sample 1"},
            {meta + good + ", \"1\": [{\"sample_index\": 1, \"answer\": \"4\", \"completion\": \"4\"}]}}",
             "data.1[0]: field 'question' is missing or empty"},
            {meta + good +
                 ", \"1\": [{\"sample_index\": 1, \"question\": \"2+2?\", \"answer\": \"4\", \"completion\": "
                 "[\"4\"]}]}}",
             "data.1[0]: field 'completion' must be a string, not an array"},
            {meta + good + ", \"1\": {\"sample_index\": 1}}}", "'data.1' must be a list of completions, not an object"},
            {"{\"metadata\": [], \"data\": {" + good + "}}", "field 'metadata' must be an object, not an array"},
        };
        int k = 0;
        for (const Case& c : cases) {
            const std::string path = dir.path("D_case" + std::to_string(k++) + ".json");
            test::writeFile(path, c.content);
            expectRefused(db, path, ": " + c.message);
        }
    }

    void importsFaithfulCotPredictions()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        // Without their questions the predictions cannot be stored, and say what to do.
        expectRefused(db, test::testDataPath(kFaithfulGsm8k),
                      ":1: (GSM8K, 0) is not in the workspace: this format holds no questions, so import the questions "
                      "first (their benchmark file), under the task and ids this file names them by");

        // GSM8K's answers are the worked solution and "#### 18": the number is the gold, the solution a human
        // rationale.
        importFaithfulQuestions(db, "GSM8K");
        QCOMPARE(textOf(db, "SELECT gold || '|' || answer_kind FROM instances WHERE ext_id = '0'"),
                 QString("18|number"));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE source_kind = 'human' AND correct = 1"), int64_t(5));

        const auto report = ingest::Importer::importFile(db, test::testDataPath(kFaithfulGsm8k));
        QCOMPARE(report.format, std::string("faithful_cot"));
        QCOMPARE(report.instancesAdded, int64_t(0));
        QCOMPARE(report.rationalesAdded, int64_t(5));
        // The task, model and prompting method come from the path output_dir/GSM8K/test/code002_COT/.
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE model = 'code-davinci-002' AND prompt = "
                            "'Faithful-CoT COT' AND source_kind = 'teacher'"),
                 int64_t(5));
        QCOMPARE(textOf(db, "SELECT r.answer || '|' || r.correct || '|' || r.meta FROM rationales r JOIN instances i "
                            "ON i.id = r.instance_id WHERE i.ext_id = '2' AND r.source_kind = 'teacher'"),
                 QString("-10000|0|{\"faithful_cot_answer\":\"-$10,000\"}"));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE source_kind = 'teacher' AND correct = 1"),
                 int64_t(4));

        // 40 samples per question: every one a rationale, numbered in order.
        importFaithfulQuestions(db, "date");
        const auto samples = ingest::Importer::importFile(db, test::testDataPath(kFaithfulDate));
        QCOMPARE(samples.rationalesAdded, int64_t(120));
        QCOMPARE(textOf(db, "SELECT min(sample_index) || '-' || max(sample_index) || '|' || count(DISTINCT "
                            "instance_id) FROM rationales WHERE prompt = 'Faithful-CoT LtM_n_40'"),
                 QString("0-39|3"));
        // Real teacher errors: only the first question's 40 samples are right.
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE prompt = 'Faithful-CoT LtM_n_40' AND correct = 1"),
                 int64_t(40));
    }

    void refusesMalformedFaithfulCotLines()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        importFaithfulQuestions(db, "GSM8K");
        const std::string good =
            "{\"id\": 0, \"answer\": \"18\", \"completion\": \"x\", \"completions\": [\"It is 18.\"]}";
        struct Case {
            std::string line;
            std::string message;
        };
        const std::vector<Case> cases = {
            {"{\"id\": 1, \"answer\": \"3\", \"completions\": \"It is 3.\"}",
             "field 'completions' must be a list of strings, not a string"},
            {"{\"id\": 1, \"answer\": \"3\", \"completions\": [\"It is 3.\", 3]}",
             "field 'completions[1]' must be a string, not a number"},
            {"{\"id\": [1], \"answer\": \"3\", \"completion\": \"It is 3.\"}",
             "field 'id' must be a string, not an array"},
            {"{\"id\": 1, \"answer\": \"3\", \"completions\": []}", "field 'completion' is missing (and there are no "
                                                                    "completions)"},
            {"{\"id\": 1, \"answer\": \"3\", \"completion\": \"It", "invalid JSON at column 43: syntax error while "
                                                                    "parsing value - invalid string: missing closing "
                                                                    "quote; last read: '\"It'"},
        };
        int k = 0;
        for (const Case& c : cases) {
            const std::string path = dir.path("f" + std::to_string(k++) + ".jsonl");
            test::writeFile(path, good + "\n" + c.line + "\n");
            ingest::ImportOptions options;
            options.format = ingest::ImportFormat::FaithfulCot;
            options.task = "GSM8K";
            expectRefused(db, path, ":2: " + c.message, options);
        }
    }

    void importsScotdDataPool()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        // The pool names its questions by index only: without them stored, it says what to do.
        expectRefused(db, test::testDataPath(kScotdPool),
                      ": code-davinci-002*date*0*least_to_most[0]: (date, 0) is not in the workspace: this format "
                      "holds no questions, so import the questions first (their benchmark file), under the task and "
                      "ids this file names them by");
        importFaithfulQuestions(db, "date");
        const auto report = ingest::Importer::importFile(db, test::testDataPath(kScotdPool));
        QCOMPARE(report.format, std::string("scotd_pool"));
        QCOMPARE(report.rationalesAdded, int64_t(30));
        QCOMPARE(scalar(db, "SELECT count(DISTINCT instance_id) FROM rationales WHERE model = 'code-davinci-002'"),
                 int64_t(3));
        // CoTLab's own verdicts agree with SCoTD's scores on all 30 samples.
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE correct = json_extract(meta, '$.scotd_score')"),
                 int64_t(30));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE correct = 1"), int64_t(10));
        QCOMPARE(textOf(db, "SELECT DISTINCT json_extract(meta, '$.scotd_pool') FROM rationales"),
                 QString("code-davinci-002*date*0*least_to_most"));

        const std::string bad = dir.path("pool.json");
        test::writeFile(bad, "{\"m*date*0*x\": [{\"prompt\": \"Q\", \"response\": \"It is 1.\", \"score\": 1}]}");
        expectRefused(db, bad,
                      ": m*date*0*x[0]: field 'index' is missing: this pool does not say which question each sample "
                      "answers (SCoTD pools written without indexes cannot be joined to their questions)");
        test::writeFile(bad, "{\"m*date*0*x\": [{\"prompt\": \"Q\", \"response\": \"It is 1.\", \"score\": "
                             "\"high\", \"index\": 0}]}");
        expectRefused(db, bad, ": m*date*0*x[0]: field 'score' must be a number, not a string");
    }

    void previewsJoinedRecordsWithTheQuestionsTheyJoin()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        const std::string path = test::testDataPath(kFaithfulGsm8k);
        // Before the questions are stored, the preview says so for every record.
        auto preview = ingest::Importer::preview(path, {}, 5, &db);
        QCOMPARE(int(preview.size()), 5);
        QCOMPARE(QString::fromStdString(preview[0].error),
                 QString("line 1: (GSM8K, 0) is not in the workspace: import its questions first (this format holds "
                         "none)"));
        // After, each record shows the question, gold and split it joins.
        importFaithfulQuestions(db, "GSM8K");
        preview = ingest::Importer::preview(path, {}, 5, &db);
        QVERIFY(preview[0].error.empty());
        QVERIFY(QString::fromStdString(preview[0].record->question).startsWith("Janet’s ducks"));
        QCOMPARE(QString::fromStdString(preview[0].record->gold + "|" + preview[0].record->split), QString("18|test"));
        // Without a workspace the records are shown as the file gives them.
        QVERIFY(ingest::Importer::preview(path, {}, 1).front().record->question.empty());
    }

    void previewsDocumentsAsTheImportWouldStoreThem()
    {
        const auto preview = ingest::Importer::preview(test::testDataPath(kThoughtSource), {}, 3);
        QCOMPARE(int(preview.size()), 3);
        QCOMPARE(QString::fromStdString(preview[0].place), QString("commonsense_qa.validation[0]"));
        QVERIFY(preview[0].record && !preview[0].record->rationale); // the instance
        QCOMPARE(QString::fromStdString(preview[0].record->gold), QString("C"));
        QCOMPARE(QString::fromStdString(preview[2].record->teacher.value_or("")), QString("gpt-4"));
        const auto completions = ingest::Importer::preview(test::testDataPath(kFineTuneCot), {}, 2);
        QCOMPARE(int(completions.size()), 2);
        QCOMPARE(QString::fromStdString(completions[1].record->id), QString("multiarith-193"));
        QVERIFY(completions[1].error.empty());
    }
};

QTEST_GUILESS_MAIN(TestPublishedImport)
#include "TestPublishedImport.moc"
