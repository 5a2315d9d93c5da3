// The workspace file: SQLite in WAL mode, foreign keys, migrations tracked with user_version.
#include "store/Database.h"
#include "store/Migrations.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QtTest>
#include <latch>
#include <thread>
#include <vector>

using namespace cotlab;

namespace {
std::string pragma(store::Database& db, const std::string& name)
{
    store::Statement st(db, "PRAGMA " + name);
    st.step();
    return st.string(0);
}
} // namespace

namespace {

// The schema as a build of that version left it.
void migrateUpTo(store::Database& db, int version)
{
    for (const auto& m : store::embeddedMigrations()) {
        if (m.version > version)
            break;
        db.exec(m.sql);
        db.exec("PRAGMA user_version = " + std::to_string(m.version));
    }
}

} // namespace

class TestWorkspace : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void newWorkspaceIsMigrated()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("new.cotlab"));
        QCOMPARE(ws.schemaVersion(), store::embeddedMigrations().back().version);
        QCOMPARE(pragma(ws.db(), "journal_mode"), std::string("wal"));
        QCOMPARE(pragma(ws.db(), "foreign_keys"), std::string("1"));
        QCOMPARE(pragma(ws.db(), "page_size"), std::string("8192"));
        for (const char* table : {"tasks", "instances", "rationales", "rationale_fts", "imports"}) {
            store::Statement st(ws.db(), "SELECT count(*) FROM sqlite_schema WHERE name = ?1");
            st.bind(1, std::string_view(table));
            st.step();
            QVERIFY2(st.int64(0) == 1, table);
        }
    }

    void migrationsAreNumberedInOrder()
    {
        int last = 0;
        for (const auto& m : store::embeddedMigrations()) {
            QVERIFY2(m.version > last, m.name);
            last = m.version;
        }
        QVERIFY(last >= 1);
    }

    void reopeningKeepsData()
    {
        test::TempDir dir;
        {
            store::Workspace ws(dir.path("w.cotlab"));
            ws.db().exec("INSERT INTO tasks (name, answer_kind) VALUES ('t', 'text')");
        }
        store::Workspace again(dir.path("w.cotlab"));
        store::Statement st(again.db(), "SELECT count(*) FROM tasks");
        st.step();
        QCOMPARE(st.int64(0), int64_t(1));
    }

    void foreignKeysAreEnforced()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        QVERIFY_THROWS_EXCEPTION(Error, ws.db().exec("INSERT INTO instances (task_id, ext_id, question, gold, "
                                                     "answer_kind) VALUES (42, 'x', 'q', 'g', 'text')"));
    }

    void rejectsFilesThatAreNotWorkspaces()
    {
        test::TempDir dir;
        const auto path = test::writeFile(dir.path("notes.cotlab"), "this is a text file, not SQLite\n");
        try {
            store::Workspace ws(path);
            QFAIL("opened a text file");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("not a CoTLab workspace"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, store::Workspace(dir.path("missing-folder/w.cotlab")));
    }

    void rejectsNewerSchema()
    {
        test::TempDir dir;
        {
            store::Workspace ws(dir.path("future.cotlab"));
            ws.db().exec("PRAGMA user_version = 999");
        }
        try {
            store::Workspace ws(dir.path("future.cotlab"));
            QFAIL("opened a newer workspace");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("newer than this CoTLab supports"));
        }
    }

    // Several connections opening an old workspace at once (the GUI's pages do): each migration runs once; the
    // others wait for it and skip it instead of failing on tables that now exist.
    void concurrentOpensMigrateOnce()
    {
        test::TempDir dir;
        const std::string path = dir.path("old.cotlab");
        {
            store::Database db(path);
            db.exec("PRAGMA journal_mode = WAL");
            migrateUpTo(db, 3);
        }
        constexpr int kConnections = 4;
        std::latch start(kConnections);
        std::vector<std::string> errors(kConnections);
        std::vector<std::thread> threads;
        for (int i = 0; i < kConnections; ++i)
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                try {
                    store::Workspace ws(path);
                } catch (const std::exception& e) {
                    errors[size_t(i)] = e.what();
                }
            });
        for (auto& t : threads)
            t.join();
        for (const auto& e : errors)
            QVERIFY2(e.empty(), e.c_str());
        store::Workspace ws(path);
        QCOMPARE(ws.schemaVersion(), store::embeddedMigrations().back().version);
        QCOMPARE(test::scalar(ws.db(), "SELECT count(*) FROM sqlite_schema WHERE name = 'instance_notes'"), int64_t(1));
    }

    // A workspace made before migration 8 (which rebuilds the full-text index without column sizes) keeps every
    // rationale searchable, and the triggers keep the rebuilt index in step.
    void upgradeRebuildsSearchIndex()
    {
        test::TempDir dir;
        const std::string path = dir.path("old.cotlab");
        {
            store::Database db(path);
            migrateUpTo(db, 7);
            db.exec("INSERT INTO tasks (name, answer_kind) VALUES ('t', 'text');"
                    "INSERT INTO instances (task_id, ext_id, question, gold, answer_kind) "
                    "VALUES (1, 'a', 'q', 'g', 'text');"
                    "INSERT INTO rationales (instance_id, source_kind, sample_index, text, text_hash) "
                    "VALUES (1, 'teacher', 0, 'the quick brown fox', 1), (1, 'teacher', 1, 'a lazy dog', 2);");
            QCOMPARE(test::scalar(db, "SELECT count(*) FROM rationale_fts_docsize"), int64_t(2));
        }
        store::Workspace ws(path);
        auto& db = ws.db();
        QCOMPARE(test::scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'rationale_fts_docsize'"),
                 int64_t(0));
        QCOMPARE(test::scalar(db, "SELECT rowid FROM rationale_fts WHERE rationale_fts MATCH 'fox'"), int64_t(1));
        QCOMPARE(test::scalar(db, "SELECT rowid FROM rationale_fts WHERE rationale_fts MATCH 'dog'"), int64_t(2));
        db.exec("INSERT INTO rationales (instance_id, source_kind, sample_index, text, text_hash) "
                "VALUES (1, 'teacher', 2, 'another fox', 3);"
                "UPDATE rationales SET text = 'a lazy cat' WHERE id = 2;"
                "DELETE FROM rationales WHERE id = 1;");
        QCOMPARE(test::scalar(db, "SELECT group_concat(rowid) FROM rationale_fts WHERE rationale_fts MATCH 'fox'"),
                 int64_t(3));
        QCOMPARE(test::scalar(db, "SELECT count(*) FROM rationale_fts WHERE rationale_fts MATCH 'dog'"), int64_t(0));
        QCOMPARE(test::scalar(db, "SELECT rowid FROM rationale_fts WHERE rationale_fts MATCH 'cat'"), int64_t(2));
        db.exec("INSERT INTO rationale_fts (rationale_fts) VALUES ('integrity-check')"); // throws if not
    }

    // Migration 10 respells the CHECK constraints of the tables imports write: the same values are allowed and
    // refused, the rows stay, and an insert no longer builds a temporary B-tree per row (EXPLAIN shows none).
    void checksAreComparisonsAndStillRefuse()
    {
        test::TempDir dir;
        const std::string path = dir.path("old.cotlab");
        {
            store::Database db(path);
            migrateUpTo(db, 9);
            db.exec("INSERT INTO tasks (name, answer_kind) VALUES ('t', 'text');"
                    "INSERT INTO instances (task_id, ext_id, split, question, gold, answer_kind) "
                    "VALUES (1, 'a', 'dev', 'q', 'g', 'text');"
                    "INSERT INTO rationales (instance_id, source_kind, sample_index, text, text_hash) "
                    "VALUES (1, 'human', 0, 'the quick brown fox', 1);");
        }
        store::Workspace ws(path);
        auto& db = ws.db();
        QCOMPARE(test::scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('tasks', 'instances', "
                                  "'rationales') AND sql LIKE '% IN (%'"),
                 int64_t(0));
        QCOMPARE(test::scalar(db, "SELECT count(*) FROM instances WHERE split = 'dev'"), int64_t(1));
        QCOMPARE(test::scalar(db, "SELECT rowid FROM rationale_fts WHERE rationale_fts MATCH 'fox'"), int64_t(1));
        for (const char* insert :
             {"INSERT INTO tasks (name, answer_kind) VALUES ('u', 'essay')",
              "INSERT INTO instances (task_id, ext_id, split, question, gold, answer_kind) VALUES (1, 'b', "
              "'holdout', 'q', 'g', 'text')",
              "INSERT INTO instances (task_id, ext_id, question, gold, answer_kind) VALUES (1, 'b', 'q', 'g', 'essay')",
              "INSERT INTO rationales (instance_id, source_kind, sample_index, text, text_hash) VALUES (1, 'crowd', 1, "
              "'x', 2)"}) {
            bool refused = false;
            try {
                db.exec(insert);
            } catch (const Error& e) {
                refused = QString(e.what()).contains("CHECK constraint failed");
            }
            QVERIFY2(refused, insert);
        }
        db.exec("INSERT INTO instances (task_id, ext_id, split, question, gold, answer_kind) "
                "VALUES (1, 'b', 'contrast', 'q', 'g', 'choice');"
                "INSERT INTO rationales (instance_id, source_kind, sample_index, text, text_hash) "
                "VALUES (2, 'student', 0, 'x', 2);");
        for (const char* insert :
             {"EXPLAIN INSERT INTO instances (task_id, ext_id, split, question, gold, answer_kind) VALUES (1, 'c', "
              "'test', 'q', 'g', 'number')",
              "EXPLAIN INSERT INTO rationales (instance_id, source_kind, sample_index, text, text_hash) VALUES (1, "
              "'teacher', 3, 'y', 3)"}) {
            store::Statement explain(db, insert);
            while (explain.step())
                QVERIFY2(explain.string(1) != "OpenEphemeral", insert);
        }
        QCOMPARE(pragma(db, "integrity_check"), std::string("ok"));
    }

    void ftsFollowsDeletes()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        ws.db().exec(
            "INSERT INTO tasks (name, answer_kind) VALUES ('t', 'text');"
            "INSERT INTO instances (task_id, ext_id, question, gold, answer_kind) VALUES (1, 'a', 'q', 'g', 'text');"
            "INSERT INTO rationales (instance_id, source_kind, sample_index, text, text_hash) "
            "VALUES (1, 'teacher', 0, 'the quick brown fox', 1);");
        store::Statement count(ws.db(), "SELECT count(*) FROM rationale_fts WHERE rationale_fts MATCH 'fox'");
        count.step();
        QCOMPARE(count.int64(0), int64_t(1));
        count.reset();
        ws.db().exec("DELETE FROM tasks"); // cascades to instances and rationales, and the index follows
        count.step();
        QCOMPARE(count.int64(0), int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "TestWorkspace.moc"
