// (No raw string literals with an odd number of quotes here: moc 6.4 loses track of the class after them.)
// Bad input: each case gives a clear error naming the file, line and reason, and leaves the workspace exactly
// as it was (the good data imported before it included).
#include "ingest/Importer.h"
#include "store/Database.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QtTest>
#include <fstream>

using namespace cotlab;

namespace {

const char* kGood =
    R"({"task": "t", "id": "1", "question": "Is ice cold?", "gold": "yes", "rationale": "Ice is frozen. So the answer is yes."})";

// Everything a user could see: row counts of every table, and a digest of rationale text and instances.
std::string storeFingerprint(store::Database& db)
{
    store::Statement st(db,
                        "SELECT (SELECT count(*) FROM tasks) || '/' || (SELECT count(*) FROM instances) || '/' || "
                        "(SELECT count(*) FROM rationales) || '/' || (SELECT count(*) FROM imports) || '/' || "
                        "(SELECT count(*) FROM rationale_fts) || '/' || "
                        "(SELECT coalesce(group_concat(question || gold || split, '|'), '') FROM instances) || '/' || "
                        "(SELECT coalesce(group_concat(text, '|'), '') FROM rationales) || '/' || "
                        "(SELECT count(*) FROM workspace_info)");
    st.step();
    return st.string(0);
}

} // namespace

class TestBadInput : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    std::unique_ptr<store::Workspace> m_ws;
    std::string m_before;

    // Imports 'path', expects an Error whose message contains every fragment, and an unchanged store.
    void expectRejected(const std::string& path, const QStringList& fragments)
    {
        QString message;
        try {
            ingest::Importer::importFile(m_ws->db(), path);
        } catch (const Error& e) {
            message = QString::fromStdString(e.what());
        }
        QVERIFY2(!message.isEmpty(), "the import was accepted");
        qInfo().noquote() << "message:" << message.left(300);
        for (const QString& f : fragments)
            QVERIFY2(message.contains(f), qPrintable("'" + f + "' not in: " + message.left(300)));
        QCOMPARE(storeFingerprint(m_ws->db()), m_before);
        // The workspace is still usable: a good file imports after the failure.
        const std::string good =
            test::writeFile(m_dir.path("good2.jsonl"),
                            std::string(R"({"task": "t2", "id": "z", "question": "q", "gold": "1"})") + "\n");
        QCOMPARE(ingest::Importer::importFile(m_ws->db(), good).instancesAdded, int64_t(1));
        m_ws->db().exec("DELETE FROM instances WHERE ext_id = 'z'; DELETE FROM tasks WHERE name = 't2'; "
                        "DELETE FROM imports WHERE path LIKE '%good2.jsonl'");
        QCOMPARE(storeFingerprint(m_ws->db()), m_before);
    }

    std::string file(const std::string& name, const std::string& content)
    {
        return test::writeFile(m_dir.path(name), content);
    }

private Q_SLOTS:
    void init()
    {
        m_ws = std::make_unique<store::Workspace>(m_dir.path("bad.cotlab"));
        m_ws->db().exec("DELETE FROM rationales; DELETE FROM instances; DELETE FROM tasks; DELETE FROM imports");
        ingest::Importer::importFile(m_ws->db(), file("good.jsonl", std::string(kGood) + "\n"));
        m_before = storeFingerprint(m_ws->db());
    }
    void cleanup() { m_ws.reset(); }

    // Asked to keep the good records: the valid lines are imported, each bad one is listed with its line and
    // reason (a parse error, a missing field, a conflict with an earlier line), and the list is written as CSV.
    void keepingTheGoodLines()
    {
        const auto p =
            file("mixed.jsonl",
                 std::string(R"({"task": "t", "id": "2", "question": "q2", "gold": "no", "rationale": "a"})") + "\n" +
                     "{\"task\": \"t\", \"id\": \"3\", \"question\": \"Is fi\n" +
                     std::string(R"({"task": "t", "id": "4", "question": "q4"})") + "\n" +
                     std::string(R"({"task": "t", "id": "2", "question": "q2", "gold": "yes"})") + "\n" +
                     std::string(R"({"task": "t", "id": "5", "question": "q5", "gold": "no"})") + "\n");
        expectRejected(p, {QString::fromStdString(p) + ":2:"}); // the default: all or nothing
        ingest::ImportOptions options;
        options.keepGoodRecords = true;
        const auto report = ingest::Importer::importFile(m_ws->db(), p, options);
        QCOMPARE(report.instancesAdded, int64_t(2)); // ids 2 and 5
        QCOMPARE(report.rationalesAdded, int64_t(1));
        QCOMPARE(report.refusedCount, int64_t(3));
        QCOMPARE(report.refused[0].where, p + ":2");
        QVERIFY2(report.refused[0].reason.find("invalid JSON") != std::string::npos, report.refused[0].reason.c_str());
        QCOMPARE(report.refused[1].where, p + ":3");
        QVERIFY(report.refused[1].reason.find("missing required field 'gold'") != std::string::npos);
        QCOMPARE(report.refused[2].where, p + ":4");
        QVERIFY(report.refused[2].reason.find("'gold'") != std::string::npos); // conflicts with line 1
        QCOMPARE(test::scalar(m_ws->db(), "SELECT count(*) FROM instances WHERE ext_id IN ('2', '5')"), int64_t(2));
        const std::string csv = m_dir.path("refused.csv");
        ingest::writeRefusedReport(csv, {report});
        std::ifstream in(csv);
        std::string header, first;
        std::getline(in, header);
        std::getline(in, first);
        QCOMPARE(header, std::string("file,record,reason"));
        QVERIFY2(first.rfind("\"" + p + "\",\"2\",\"", 0) == 0, first.c_str());
        // A file of nothing but bad lines is still refused, with the first reason.
        const auto bad = file("allbad.jsonl", "{\"task\": \"t\"\n");
        try {
            ingest::Importer::importFile(m_ws->db(), bad, options);
            QFAIL("a file of bad lines was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("every record was refused"), e.what());
        }
    }

    void truncatedLine()
    {
        const auto p = file("truncated.jsonl",
                            std::string(kGood) + "\n" + "{\"task\": \"t\", \"id\": \"2\", \"question\": \"Is fi\n");
        expectRejected(p, {QString::fromStdString(p) + ":2:", "invalid JSON"});
    }

    // Found by fuzzing (tests/fuzz/corpus/interchange_line/crash-825a…): a number beyond a double escaped as a raw
    // nlohmann exception, without the file and line.
    void numberBeyondADouble()
    {
        const auto p =
            file("huge-number.jsonl",
                 std::string(kGood) + "\n" +
                     R"({"task": "t", "id": "2", "question": "q", "gold": "1", "temperature": 9.5e726})" + "\n");
        expectRejected(p, {QString::fromStdString(p) + ":2:", "invalid JSON", "number overflow"});
    }

    void wrongType()
    {
        const auto p = file(
            "type.jsonl",
            std::string(R"({"task": "t", "id": "2", "question": "q", "gold": "no", "rationale": "r", "sample": "3"})") +
                "\n");
        expectRejected(p, {QString::fromStdString(p) + ":1:", "field 'sample' must be an integer, not string"});
    }

    void conflictingDuplicates()
    {
        const auto p = file(
            "dup.jsonl",
            std::string(R"({"task": "t", "id": "2", "question": "q", "gold": "no", "rationale": "a"})") + "\n" +
                std::string(R"({"task": "t", "id": "3", "question": "q", "gold": "no"})") + "\n" +
                std::string(R"({"task": "t", "id": "2", "question": "q", "gold": "yes", "rationale": "b"})") + "\n");
        expectRejected(p, {QString::fromStdString(p) + ":3:", QString::fromStdString(p) + ":1", "'gold'", "(t, 2)"});
    }

    void conflictWithTheWorkspace()
    {
        const auto p = file(
            "other.jsonl", std::string(R"({"task": "t", "id": "1", "question": "Is ice hot?", "gold": "yes"})") + "\n");
        expectRejected(p, {QString::fromStdString(p) + ":1:", "already in the workspace", "question", "Is ice hot?"});
    }

    void missingRequiredField()
    {
        const auto p = file("missing.jsonl", std::string(kGood) + "\n" +
                                                 std::string(R"({"task": "t", "id": "2", "question": "q"})") + "\n");
        expectRejected(p, {QString::fromStdString(p) + ":2:", "missing required field 'gold'"});
    }

    void nonUtf8Byte()
    {
        const auto p =
            file("latin1.jsonl", std::string(kGood) + "\n" +
                                     "{\"task\": \"t\", \"id\": \"2\", \"question\": \"caf\xE9\", \"gold\": \"no\"}\n");
        expectRejected(p, {QString::fromStdString(p) + ":2:", "byte 42", "0xE9", "not valid UTF-8"});
    }

    void emptyFile()
    {
        const auto p = file("empty.jsonl", "");
        expectRejected(p, {QString::fromStdString(p), "empty"});
        const auto blank = file("blank.jsonl", "\n  \n\n");
        expectRejected(blank, {QString::fromStdString(blank), "no records"});
    }

    void hugeSingleLine()
    {
        const std::string p = m_dir.path("huge.jsonl");
        {
            std::ofstream out(p, std::ios::binary);
            out << "{\"task\": \"t\", \"id\": \"2\", \"question\": \"q\", \"gold\": \"no\", \"rationale\": \"";
            const std::string chunk(1 << 20, 'x');
            for (int i = 0; i < 100; ++i)
                out << chunk;
            out << "\"}\n";
        }
        expectRejected(p, {QString::fromStdString(p) + ":1:", "longer than 16 MiB"});
    }

    void badValues()
    {
        const auto split = file(
            "split.jsonl",
            std::string(R"({"task": "t", "id": "2", "question": "q", "gold": "no", "split": "validation"})") + "\n");
        expectRejected(split, {":1:", "split", "validation", "train, dev, test or contrast"});
        const auto notObject = file("array.jsonl", "[1, 2, 3]\n");
        expectRejected(notObject, {"array.jsonl: element 1", "expected an object"});
        const auto emptyId =
            file("emptyid.jsonl", std::string(R"({"task": "t", "id": "", "question": "q", "gold": "no"})") + "\n");
        expectRejected(emptyId, {":1:", "'id' is empty"});
    }

    void missingFile() { expectRejected(m_dir.path("nope.jsonl"), {"nope.jsonl", "no such file"}); }
};

QTEST_GUILESS_MAIN(TestBadInput)
#include "TestBadInput.moc"
