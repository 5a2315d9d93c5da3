// The benchmark files with their Fine-tune-CoT splits, and CommonsenseQA's official JSONL, from ../shared.
#include "ingest/BenchmarkImporter.h"
#include "ingest/Importer.h"
#include "store/Database.h"
#include "store/StatsRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"

#include <QtTest>

using namespace cotlab;

using test::scalar;
using test::textOf;

class TestDatasetImport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { COTLAB_REQUIRE_SHARED(); }

    // The import dialog's preview: the first records as the import reads them, from each format, without a workspace.
    void previewReadsRecordsAsTheImportWould()
    {
        // A pretty-printed benchmark JSON (one element over several lines): records, not broken lines.
        const auto bench = ingest::Importer::preview(test::sharedPath("data/datasets/multiarith.json"), {}, 3);
        QCOMPARE(bench.size(), size_t(3));
        for (const auto& p : bench)
            QVERIFY2(p.error.empty() && p.record, p.error.c_str());
        QCOMPARE(bench[0].place, std::string("element 1"));
        QCOMPARE(bench[0].record->task, std::string("multiarith"));
        QVERIFY(bench[0].record->question.starts_with("For Halloween Debby and her sister"));
        QCOMPARE(bench[0].record->gold, std::string("39"));
        // CommonsenseQA's official lines: the stem, five choices and the answer key.
        const auto csqa =
            ingest::Importer::preview(test::sharedPath("data/commonsense_qa_official/train_rand_split.jsonl"), {}, 2);
        QCOMPARE(csqa.size(), size_t(2));
        QCOMPARE(csqa[0].place, std::string("line 1"));
        QCOMPARE(csqa[0].record->choices.size(), size_t(5));
        QCOMPARE(csqa[0].record->gold, std::string("A"));
        QCOMPARE(csqa[0].record->split, std::string("train"));
        // Interchange lines: a refused one says why, and the others are read.
        test::TempDir dir;
        const std::string good = R"({"task": "t", "id": "1", "question": "q", "gold": "4", "rationale": "2+2=4"})";
        const auto lines = ingest::Importer::preview(
            test::writeFile(dir.path("mixed.jsonl"), good + "\n\n{\"task\": \"t\"}\n" + good + "\n"), {}, 10);
        QCOMPARE(lines.size(), size_t(3));
        QCOMPARE(*lines[0].record->rationale, std::string("2+2=4"));
        QCOMPARE(lines[1].place, std::string("line 3"));
        QVERIFY(!lines[1].record);
        QVERIFY2(lines[1].error.find("line 3: missing required field 'id'") != std::string::npos,
                 lines[1].error.c_str());
        // A file that is no format at all: one record with the reason.
        const auto none = ingest::Importer::preview(test::writeFile(dir.path("notes.txt"), "hello\n"), {}, 10);
        QCOMPARE(none.size(), size_t(1));
        QVERIFY(!none[0].error.empty());
    }

    void inlineChoicesAreParsed()
    {
        std::string stem;
        std::vector<answers::Choice> choices;
        QVERIFY(ingest::BenchmarkImporter::splitInlineChoices(
            "Where might he go? Answer choices: (A) race track, (B) populated areas, (C) the desert, (D) apartment, "
            "(E) roadblock.",
            stem, choices));
        QCOMPARE(stem, std::string("Where might he go?"));
        QCOMPARE(choices.size(), size_t(5));
        QCOMPARE(choices[1].text, std::string("populated areas"));
        QCOMPARE(choices[4].text, std::string("roadblock"));
        QVERIFY(ingest::BenchmarkImporter::splitInlineChoices(
            "What is the date today?\nWhich choice is true? Answer choices: (A) 06/12/2021, (B) 03/11/2021.", stem,
            choices));
        QCOMPARE(stem, std::string("What is the date today?"));
        QCOMPARE(choices[1].label, std::string("B"));
        QCOMPARE(ingest::BenchmarkImporter::taskFromPath("/x/gsm8k_test_only.json"), std::string("gsm8k"));
    }

    void commonsenseQaWithSplits()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        const auto r = ingest::Importer::importFile(ws.db(), test::sharedPath("data/datasets/commonsense_qa.json"));
        QCOMPARE(r.format, std::string("benchmark"));
        QCOMPARE(r.instancesAdded, int64_t(10962));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM instances WHERE split = 'train'"), int64_t(9741));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM instances WHERE split = 'test'"), int64_t(1221));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM instances WHERE json_array_length(choices) = 5"),
                 int64_t(10962));
        QCOMPARE(textOf(ws.db(), "SELECT question || ' -> ' || gold FROM instances WHERE ext_id = 'commonsense_qa-1'"),
                 std::string("Sammy wanted to go to where the people were.  Where might he go? -> B"));
        QCOMPARE(textOf(ws.db(), "SELECT answer_kind FROM tasks"), std::string("choice"));
    }

    void humanRationalesAndTestOnlyFiles()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        ingest::Importer::importFile(ws.db(), test::sharedPath("data/datasets/gsm8k_test_only.json"));
        ingest::Importer::importFile(ws.db(), test::sharedPath("data/datasets/strategy_qa.json"));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM instances i JOIN tasks t ON t.id = i.task_id "
                                 "WHERE t.name = 'gsm8k' AND split = 'test'"),
                 int64_t(1319));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM rationales WHERE source_kind = 'human'"), int64_t(1319 + 2290));
        // GSM8K's human solutions end with the computation of the answer: its last number is gold in ~97%.
        const int64_t correct = scalar(ws.db(), "SELECT count(*) FROM rationales r JOIN instances i ON "
                                                "i.id = r.instance_id JOIN tasks t ON t.id = i.task_id "
                                                "WHERE t.name = 'gsm8k' AND correct = 1");
        qInfo() << "GSM8K human solutions whose extracted answer equals gold:" << correct << "of 1319";
        QVERIFY(correct >= 1270);
        // StrategyQA's facts mostly state no answer: those are not judged (a human explanation is not wrong for
        // leaving the answer out), so the human row of an accuracy table counts only explanations that answer.
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM rationales WHERE source_kind = 'human' AND answer = '' AND "
                                 "correct IS NOT NULL"),
                 int64_t(0));
        const int64_t notJudged = scalar(ws.db(), "SELECT count(*) FROM rationales r JOIN instances i ON i.id = "
                                                  "r.instance_id JOIN tasks t ON t.id = i.task_id WHERE t.name = "
                                                  "'strategy_qa' AND r.correct IS NULL");
        qInfo() << "StrategyQA facts that state no answer (not judged):" << notJudged << "of 2290";
        QVERIFY(notJudged > 1000);
        QCOMPARE(textOf(ws.db(), "SELECT group_concat(DISTINCT gold) FROM instances i JOIN tasks t ON "
                                 "t.id = i.task_id WHERE t.name = 'strategy_qa'"),
                 std::string("yes,no"));
        // Teacher accuracy counts teacher rationales only.
        for (const auto& s : store::StatsRepository(ws.db()).perTask())
            QCOMPARE(s.teacherRationales, int64_t(0));
    }

    void commonsenseQaOfficialThenPalm()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        const auto dev = ingest::Importer::importFile(
            ws.db(), test::sharedPath("data/commonsense_qa_official/dev_rand_split.jsonl"));
        QCOMPARE(dev.format, std::string("commonsense_qa"));
        QCOMPARE(dev.instancesAdded, int64_t(1221));
        ingest::Importer::importFile(ws.db(), test::sharedPath("data/commonsense_qa_official/train_rand_split.jsonl"));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM instances WHERE split = 'test'"), int64_t(1221));
        QCOMPARE(textOf(ws.db(), "SELECT meta FROM instances WHERE ext_id = '1afa02df02c908a558b4036e80242fac'"),
                 std::string(R"({"question_concept":"revolving door"})"));
        // PaLM's rationales carry the same ids with lower-case labels: they join the stored instances.
        const auto palm = ingest::Importer::importFile(
            ws.db(), test::sharedPath("data/teacher/palm-few-shot-cot/commonsense_qa.jsonl"));
        // 19 of them point at the first of two identical choice texts: the same answer, not a conflict.
        QCOMPARE(palm.instancesAdded, int64_t(0));
        QCOMPARE(palm.rationalesAdded, int64_t(10962));
        const auto stats = store::StatsRepository(ws.db()).perTask();
        QCOMPARE(stats.size(), size_t(1));
        qInfo() << "PaLM-540B few-shot CoT accuracy on CommonsenseQA train+dev:" << stats[0].teacherAccuracy();
        QVERIFY(stats[0].teacherAccuracy() > 0.7 && stats[0].teacherAccuracy() < 0.85);
        QCOMPARE(textOf(ws.db(),
                        "SELECT group_concat(DISTINCT answer) FROM (SELECT answer FROM rationales WHERE answer "
                        "<> '' ORDER BY answer)"),
                 std::string("A,B,C,D,E"));
    }
};

QTEST_GUILESS_MAIN(TestDatasetImport)
#include "TestDatasetImport.moc"
