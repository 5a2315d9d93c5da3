// import -> export -> import gives the same store, on the real teacher files and benchmark rows.
#include "ingest/Importer.h"
#include "ingest/InterchangeExporter.h"
#include "store/Database.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <fstream>
#include <sstream>

using namespace cotlab;

namespace {

// Every stored value a user can see, in a stable order, without row ids, import ids and timestamps.
std::string dump(store::Database& db)
{
    std::ostringstream out;
    store::Statement tasks(db, "SELECT name, answer_kind FROM tasks ORDER BY name");
    while (tasks.step())
        out << tasks.text(0) << '|' << tasks.text(1) << '\n';
    store::Statement inst(db, "SELECT t.name, i.ext_id, i.split, i.question, coalesce(i.choices, '<null>'), i.gold, "
                              "i.answer_kind, coalesce(i.meta, '<null>') FROM instances i JOIN tasks t ON t.id = "
                              "i.task_id ORDER BY t.name, i.ext_id");
    while (inst.step()) {
        for (int c = 0; c < 8; ++c)
            out << inst.text(c) << '|';
        out << '\n';
    }
    store::Statement rat(db,
                         "SELECT t.name, i.ext_id, r.source_kind, r.model, r.sample_index, r.text, "
                         "quote(r.text_tail), r.text_hash, quote(r.stop), quote(r.answer_sentence), quote(r.answer), "
                         "quote(r.extracted_answer), quote(r.correct), quote(r.token_count), quote(r.logprob), "
                         "quote(r.prompt), quote(r.decoding), quote(r.temperature), quote(r.provenance), "
                         "quote(r.meta) FROM rationales r JOIN instances i ON i.id = r.instance_id JOIN tasks t ON "
                         "t.id = i.task_id ORDER BY t.name, i.ext_id, r.model, r.sample_index, r.text_hash");
    while (rat.step()) {
        for (int c = 0; c < 20; ++c)
            out << rat.text(c) << '|';
        out << '\n';
    }
    store::Statement fts(db, "SELECT count(*) FROM rationale_fts");
    fts.step();
    out << "fts " << fts.int64(0) << '\n';
    return out.str();
}

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

class TestRoundTrip : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { COTLAB_REQUIRE_SHARED(); }

    void importExportImportIsIdentity()
    {
        test::TempDir dir;
        store::Workspace first(dir.path("first.cotlab"));
        for (const char* f : {"data/teacher/zero-shot-cot-davinci002/commonsense_qa.jsonl",
                              "data/teacher/zero-shot-cot-davinci002/multiarith.jsonl",
                              "data/teacher/zero-shot-cot-davinci002/last_letter_concatenation.jsonl",
                              "data/teacher/palm-few-shot-cot/commonsense_qa.jsonl",
                              "data/teacher/codex-least-to-most-40x/date_mmddyyyy.jsonl",
                              "data/datasets/strategy_qa.json", "data/commonsense_qa_official/dev_rand_split.jsonl"})
            ingest::Importer::importFile(first.db(), test::sharedPath(f));
        ingest::Importer::importFile(first.db(), test::testDataPath("interchange/mixed.jsonl"));

        const std::string exported = dir.path("export.jsonl");
        const auto report = ingest::InterchangeExporter::exportJsonl(first.db(), exported);
        QCOMPARE(report.rationales, int64_t(1221 + 600 + 500 + 10962 + 14360 + 2290 + 6));

        store::Workspace second(dir.path("second.cotlab"));
        ingest::Importer::importFile(second.db(), exported);
        const std::string a = dump(first.db());
        const std::string b = dump(second.db());
        QCOMPARE(a.size(), b.size());
        QVERIFY(a == b);

        // And the second export is byte-for-byte the first.
        const std::string again = dir.path("again.jsonl");
        ingest::InterchangeExporter::exportJsonl(second.db(), again);
        QVERIFY(readAll(exported) == readAll(again));
    }

    void exportedLinesCarryAnswerAndCorrect()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        ingest::Importer::importFile(ws.db(), test::testDataPath("interchange/mixed.jsonl"));
        const std::string out = dir.path("toy.jsonl");
        const auto r = ingest::InterchangeExporter::exportJsonl(ws.db(), out, std::string("toy_choice"));
        QCOMPARE(r.rationales, int64_t(2));
        const std::string text = readAll(out);
        QVERIFY(text.find(R"("answer":"B","correct":true)") != std::string::npos);
        QVERIFY(text.find(R"("answer":"A","correct":false)") != std::string::npos);
        QVERIFY(text.find("toy_number") == std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestRoundTrip)
#include "TestRoundTrip.moc"
