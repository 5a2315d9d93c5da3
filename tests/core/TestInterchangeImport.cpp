// Import of the rationale interchange format: every field and rule of shared/formats/rationale-interchange.md.
#include "ingest/Importer.h"
#include "store/Database.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QtTest>
#include <nlohmann/json.hpp>

using namespace cotlab;

using test::scalar;
using test::textOf;

class TestInterchangeImport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void importsEveryField()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        const auto report = ingest::Importer::importFile(ws.db(), test::testDataPath("interchange/mixed.jsonl"));
        QCOMPARE(report.format, std::string("interchange"));
        QCOMPARE(report.lines, int64_t(7));
        QCOMPARE(report.instancesAdded, int64_t(4));
        QCOMPARE(report.rationalesAdded, int64_t(6));
        auto& db = ws.db();
        // Instance fields, defaults and inferred answer kinds.
        QCOMPARE(textOf(db, "SELECT answer_kind FROM tasks WHERE name = 'toy_number'"), std::string("number"));
        QCOMPARE(textOf(db, "SELECT answer_kind FROM tasks WHERE name = 'toy_yes_no'"), std::string("yes_no"));
        QCOMPARE(textOf(db, "SELECT split FROM instances WHERE ext_id = 'n1'"), std::string("train"));
        QCOMPARE(textOf(db, "SELECT split FROM instances WHERE ext_id = 'y2'"), std::string("test"));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales r JOIN instances i ON i.id = r.instance_id "
                            "WHERE i.ext_id = 'y2'"),
                 int64_t(0));
        // Rationale fields kept as given; unknown fields end up in meta.
        QCOMPARE(textOf(db, "SELECT meta FROM rationales WHERE sample_index = 0 AND model = 'toy-teacher' AND "
                            "logprob IS NOT NULL"),
                 std::string(R"({"difficulty":"easy"})"));
        QCOMPARE(textOf(db, "SELECT meta FROM rationales WHERE text LIKE 'An oven%'"),
                 std::string(R"({"note":"wrong on purpose"})"));
        QCOMPARE(scalar(db, "SELECT token_count FROM rationales WHERE logprob = -12.5"), int64_t(17));
        QCOMPARE(textOf(db, "SELECT provenance FROM rationales WHERE logprob = -12.5"),
                 std::string("hand-written fixture"));
        // Answers: extracted, normalised, compared with gold.
        QCOMPARE(textOf(db, "SELECT answer || '/' || correct FROM rationales WHERE logprob = -12.5"),
                 std::string("B/1"));
        QCOMPARE(textOf(db, "SELECT answer || '/' || correct FROM rationales WHERE text LIKE 'An oven%'"),
                 std::string("A/0"));
        QCOMPARE(textOf(db, "SELECT answer || '/' || extracted_answer || '/' || correct FROM rationales "
                            "WHERE answer_sentence IS NOT NULL"),
                 std::string("yes/yes/1"));
        // Stop strings cut the text, the tail is kept, and the answer comes from the cut text.
        QCOMPARE(textOf(db, "SELECT text FROM rationales WHERE stop IS NOT NULL"),
                 std::string("1,000 - 1 = 999.\n#### 999"));
        QCOMPARE(textOf(db, "SELECT text_tail FROM rationales WHERE stop IS NOT NULL"),
                 std::string("\n\nQ: next question that ran on"));
        QCOMPARE(textOf(db, "SELECT answer FROM rationales WHERE stop IS NOT NULL"), std::string("999"));
        // "999.0" is 999.
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE text LIKE 'He eats%' AND answer = '999' AND "
                            "correct = 1"),
                 int64_t(2));
        // Without 'sample', the index is the position among the instance's lines; identical texts with
        // different indices are different samples.
        QCOMPARE(textOf(db, "SELECT group_concat(sample_index) FROM (SELECT sample_index FROM rationales r JOIN "
                            "instances i ON i.id = r.instance_id WHERE i.ext_id = 'n1' ORDER BY sample_index)"),
                 std::string("0,1,2"));
        // Every rationale is searchable.
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationale_fts WHERE rationale_fts MATCH 'fridge'"), int64_t(1));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationale_fts"), int64_t(6));
        QCOMPARE(scalar(db, "SELECT count(*) FROM imports"), int64_t(1));
        // The import dropped the FTS insert trigger for its transaction only: a row inserted afterwards is
        // searchable at once.
        QCOMPARE(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = "
                            "'rationales_fts_insert'"),
                 int64_t(1));
        db.exec("INSERT INTO rationales (instance_id, source_kind, sample_index, text, text_hash) SELECT id, "
                "'human', 99, 'a zanzibar rationale', 1 FROM instances LIMIT 1");
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationale_fts WHERE rationale_fts MATCH 'zanzibar'"), int64_t(1));
    }

    void sameFileTwiceAddsNothing()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        ingest::Importer::importFile(ws.db(), test::testDataPath("interchange/mixed.jsonl"));
        const auto again = ingest::Importer::importFile(ws.db(), test::testDataPath("interchange/mixed.jsonl"));
        QCOMPARE(again.instancesAdded, int64_t(0));
        QCOMPARE(again.rationalesAdded, int64_t(0));
        QCOMPARE(again.rationalesAlreadyStored, int64_t(6));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM rationales"), int64_t(6));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM instances"), int64_t(4));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM imports"), int64_t(1));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM rationale_fts WHERE rationale_fts MATCH 'apples'"), int64_t(2));
    }

    // The writer inserts rationales 32 to a statement and indexes each new one from its queued text; when some
    // rows of a statement were already stored, it reads back which ones were added. Every new rationale must be
    // found by full-text search under its own id, whichever path indexed it.
    void partlyStoredFileIndexesEveryNewRationale()
    {
        test::TempDir dir;
        std::string all;
        std::string firstPart;
        for (int i = 0; i < 100; ++i) {
            const std::string line = "{\"task\": \"t\", \"id\": \"" + std::to_string(i / 4) +
                                     "\", \"question\": \"q\", \"gold\": \"1\", \"rationale\": \"step word" +
                                     std::to_string(i) + " so 1\", \"sample\": " + std::to_string(i % 4) + "}\n";
            all += line;
            if (i < 45)
                firstPart += line;
        }
        store::Workspace ws(dir.path("w.cotlab"));
        QCOMPARE(
            ingest::Importer::importFile(ws.db(), test::writeFile(dir.path("part.jsonl"), firstPart)).rationalesAdded,
            int64_t(45));
        const auto report = ingest::Importer::importFile(ws.db(), test::writeFile(dir.path("all.jsonl"), all));
        QCOMPARE(report.rationalesAdded, int64_t(55));
        QCOMPARE(report.rationalesAlreadyStored, int64_t(45));
        for (int i = 0; i < 100; ++i) {
            const std::string word = "word" + std::to_string(i);
            QCOMPARE(textOf(ws.db(),
                            "SELECT group_concat(rowid) FROM rationale_fts WHERE rationale_fts MATCH '" + word + "'"),
                     textOf(ws.db(), "SELECT id FROM rationales WHERE text = 'step " + word + " so 1'"));
        }
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM rationale_fts WHERE rationale_fts MATCH 'step'"), int64_t(100));
        ws.db().exec("INSERT INTO rationale_fts (rationale_fts) VALUES ('integrity-check')"); // throws if not
    }

    // Rationales added to instances stored by an earlier file continue that file's instances.
    void laterFileAddsSamplesToStoredInstances()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        ingest::Importer::importFile(ws.db(), test::testDataPath("interchange/mixed.jsonl"));
        const std::string more = test::writeFile(
            dir.path("more.jsonl"),
            std::string(
                R"({"task": "toy_yes_no", "id": "y2", "split": "test", "question": "Is fire cold?", "gold": "NO", "rationale": "Fire is hot, so no.", "teacher": "other"})") +
                "\n");
        const auto r = ingest::Importer::importFile(ws.db(), more);
        QCOMPARE(r.instancesAdded, int64_t(0));
        QCOMPARE(r.rationalesAdded, int64_t(1));
        QCOMPARE(textOf(ws.db(), "SELECT answer || correct FROM rationales WHERE model = 'other'"), std::string("no1"));
    }

    // An import runs with a rollback journal and no foreign-key checks when it has the workspace to itself, and
    // puts both back afterwards, whether it succeeded or failed. With another connection open (the GUI's), it
    // keeps the write-ahead log, so that the reader goes on reading its snapshot meanwhile.
    void bulkLoadSettingsAreRestored()
    {
        test::TempDir dir;
        const std::string path = dir.path("w.cotlab");
        store::Workspace ws(path);
        std::string modeDuringImport;
        const jobs::ProgressSink progress = [&](const jobs::Progress&) {
            modeDuringImport = textOf(ws.db(), "PRAGMA journal_mode");
        };
        ingest::Importer::importFile(ws.db(), test::testDataPath("interchange/mixed.jsonl"), {}, progress);
        QCOMPARE(modeDuringImport, std::string("delete"));
        QCOMPARE(textOf(ws.db(), "PRAGMA journal_mode"), std::string("wal"));
        QCOMPARE(scalar(ws.db(), "PRAGMA foreign_keys"), int64_t(1));
        QCOMPARE(scalar(ws.db(), "PRAGMA synchronous"), int64_t(1));
        ws.db().exec("INSERT INTO rationale_fts (rationale_fts) VALUES ('integrity-check')"); // throws if not

        // The GUI's imports keep the WAL even when nothing else has the workspace open.
        ingest::ImportOptions guiOptions;
        guiOptions.rollbackJournalWhenAlone = false;
        ingest::Importer::importFile(ws.db(), test::testDataPath("interchange/mixed.jsonl"), guiOptions, progress);
        QCOMPARE(modeDuringImport, std::string("wal"));

        store::Database reader(path, /*readOnly=*/true);
        reader.exec("BEGIN");
        QCOMPARE(scalar(reader, "SELECT count(*) FROM rationales"), int64_t(6));
        const std::string more = test::writeFile(
            dir.path("more.jsonl"),
            "{\"task\": \"toy_yes_no\", \"id\": \"y2\", \"split\": \"test\", \"question\": \"Is fire cold?\", "
            "\"gold\": \"NO\", \"rationale\": \"Fire is hot, so no.\", \"teacher\": \"other\"}\n");
        QCOMPARE(ingest::Importer::importFile(ws.db(), more).rationalesAdded, int64_t(1));
        QCOMPARE(scalar(reader, "SELECT count(*) FROM rationales"), int64_t(6)); // its snapshot
        reader.exec("COMMIT");
        QCOMPARE(scalar(reader, "SELECT count(*) FROM rationales"), int64_t(7));
        QCOMPARE(textOf(ws.db(), "PRAGMA journal_mode"), std::string("wal"));

        const std::string bad = test::writeFile(dir.path("bad.jsonl"), "{\"task\": \"t\", \"id\": \"1\"\n");
        QVERIFY_THROWS_EXCEPTION(cotlab::Error, ingest::Importer::importFile(ws.db(), bad));
        QCOMPARE(textOf(ws.db(), "PRAGMA journal_mode"), std::string("wal"));
        QCOMPARE(scalar(ws.db(), "PRAGMA foreign_keys"), int64_t(1));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM rationales"), int64_t(7));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = "
                                 "'rationales_fts_insert'"),
                 int64_t(1));
    }

    // A stop request (the GUI's Cancel) ends the import with Cancelled and leaves the workspace as it was.
    void stoppedImportLeavesNothing()
    {
        test::TempDir dir;
        std::string content;
        for (int i = 0; i < 20000; ++i)
            content += "{\"task\": \"t\", \"id\": \"" + std::to_string(i / 10) +
                       "\", \"question\": \"q\", \"gold\": \"1\", \"rationale\": \"r " + std::to_string(i) + "\"}\n";
        const std::string path = test::writeFile(dir.path("long.jsonl"), content);
        store::Workspace ws(dir.path("w.cotlab"));
        ingest::Importer::importFile(ws.db(), test::testDataPath("interchange/mixed.jsonl"));
        jobs::StopToken stop;
        int calls = 0;
        const jobs::ProgressSink progress = [&](const jobs::Progress&) {
            if (++calls == 3)
                stop.requestStop();
        };
        QVERIFY_THROWS_EXCEPTION(jobs::Cancelled, ingest::Importer::importFile(ws.db(), path, {}, progress, &stop));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM rationales"), int64_t(6));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM rationale_fts"), int64_t(6));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM imports"), int64_t(1));
        QCOMPARE(scalar(ws.db(), "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = "
                                 "'rationales_fts_insert'"),
                 int64_t(1));
        // And the same file imports in full afterwards.
        QCOMPARE(ingest::Importer::importFile(ws.db(), path).rationalesAdded, int64_t(20000));
    }

    // More instances than the sink tracks in memory: evicted instances are found in the workspace, and
    // sample positions continue correctly.
    void manyInstancesKeepMemoryBounded()
    {
        test::TempDir dir;
        std::string content;
        const int n = int(ingest::RecordSink::kMaxTrackedInstances) + 50;
        for (int i = 0; i < n; ++i)
            content += std::string(R"({"task": "t", "id": ")" + std::to_string(i) +
                                   R"(", "question": "q", "gold": "1", "rationale": "r"})") +
                       "\n";
        // Lines for instance 0 again, after it was evicted: they become samples 1 and 2.
        for (int k = 0; k < 2; ++k)
            content +=
                std::string(R"({"task": "t", "id": "0", "question": "q", "gold": "1", "rationale": "r"})") + "\n";
        const std::string path = test::writeFile(dir.path("many.jsonl"), content);
        store::Workspace ws(dir.path("w.cotlab"));
        const auto r = ingest::Importer::importFile(ws.db(), path);
        QCOMPARE(r.rationalesAdded, int64_t(n + 2));
        QCOMPARE(textOf(ws.db(), "SELECT group_concat(sample_index) FROM (SELECT sample_index FROM rationales r JOIN "
                                 "instances i ON i.id = r.instance_id WHERE i.ext_id = '0' ORDER BY sample_index)"),
                 std::string("0,1,2"));

        // An evicted instance that comes back with another question is still refused: the workspace answers.
        std::string other = content;
        for (char& c : other)
            if (c == 't' && (&c)[1] == '"' && (&c)[-1] == '"')
                c = 'u'; // task "u": a task this import creates
        other +=
            std::string(R"({"task": "u", "id": "1", "question": "another", "gold": "1", "rationale": "r"})") + "\n";
        const std::string otherPath = test::writeFile(dir.path("other.jsonl"), other);
        try {
            ingest::Importer::importFile(ws.db(), otherPath);
            QFAIL("an evicted instance with another question was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("disagrees with an earlier line of this file on 'question'") !=
                         std::string::npos,
                     e.what());
        }
        QCOMPARE(test::scalar(ws.db(), "SELECT count(*) FROM tasks WHERE name = 'u'"), int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestInterchangeImport)
#include "TestInterchangeImport.moc"
