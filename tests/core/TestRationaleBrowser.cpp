// The Browse page's store side: filters, full-text search, sorting, paging by id, aggregates, annotations,
// over the real 40-samples-per-question date rationales (code-davinci-002, least-to-most).
#include "ingest/Importer.h"
#include "store/AnnotationRepository.h"
#include "store/RationaleBrowser.h"
#include "store/RationaleRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QtTest>

using namespace cotlab;
using store::RationaleFilter;

namespace {

std::vector<int64_t> scanAll(store::Database& db, const RationaleFilter& filter, store::BrowseSort sort = {},
                             int64_t* chunks = nullptr)
{
    std::vector<int64_t> ids;
    const auto total = store::RationaleBrowser(db, filter, sort).scan(256, 1000, [&](std::vector<int64_t>&& part) {
        if (chunks)
            ++*chunks;
        ids.insert(ids.end(), part.begin(), part.end());
        return true;
    });
    if (!total || *total != int64_t(ids.size()))
        throw std::runtime_error("scan count differs from the ids it reported");
    return ids;
}

} // namespace

class TestRationaleBrowser : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    std::unique_ptr<store::Workspace> m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        COTLAB_REQUIRE_SHARED();
        test::importDate40(m_dir.path("date.cotlab"));
        m_ws = std::make_unique<store::Workspace>(m_dir.path("date.cotlab"));
    }

    void scanYieldsEveryRowInChunks()
    {
        auto& db = m_ws->db();
        int64_t chunks = 0;
        const auto ids = scanAll(db, {}, {}, &chunks);
        QCOMPARE(int64_t(ids.size()), test::scalar(db, "SELECT count(*) FROM rationales"));
        QVERIFY(std::is_sorted(ids.begin(), ids.end()));
        // 256 first, then 1000 at a time.
        QCOMPARE(chunks, 1 + (int64_t(ids.size()) - 256 + 999) / 1000);

        store::BrowseSort down{store::BrowseColumn::Id, true};
        const auto reversed = scanAll(db, {}, down);
        QVERIFY(std::equal(ids.rbegin(), ids.rend(), reversed.begin()));

        // A stop from the report ends the scan.
        int calls = 0;
        const auto stopped =
            store::RationaleBrowser(db, {}, {}).scan(10, 10, [&](std::vector<int64_t>&&) { return ++calls < 3; });
        QVERIFY(!stopped);
        QCOMPARE(calls, 3);
    }

    void filtersMatchSql()
    {
        auto& db = m_ws->db();
        RationaleFilter wrong;
        wrong.correctness = RationaleFilter::Correctness::Wrong;
        const auto wrongIds = scanAll(db, wrong);
        QVERIFY(!wrongIds.empty());
        QCOMPARE(int64_t(wrongIds.size()), test::scalar(db, "SELECT count(*) FROM rationales WHERE correct = 0"));

        RationaleFilter combined;
        combined.task = "date_mmddyyyy";
        combined.split = "test";
        combined.sourceKind = "teacher";
        combined.model = "code-davinci-002";
        combined.minLength = 200;
        combined.maxLength = 400;
        combined.correctness = RationaleFilter::Correctness::Correct;
        QCOMPARE(int64_t(scanAll(db, combined).size()),
                 test::scalar(db, "SELECT count(*) FROM rationales WHERE correct = 1 AND length(text) BETWEEN 200 "
                                  "AND 400 AND model = 'code-davinci-002'"));

        RationaleFilter none;
        none.task = "no_such_task";
        QVERIFY(scanAll(db, none).empty());
        none = {};
        none.split = "dev";
        QVERIFY(scanAll(db, none).empty());
    }

    void searchUsesFts5AndMarksMatches()
    {
        auto& db = m_ws->db();
        RationaleFilter f;
        f.search = "tomorrow AND yesterday";
        const auto ids = scanAll(db, f);
        QVERIFY(!ids.empty());
        QCOMPARE(
            int64_t(ids.size()),
            test::scalar(db, "SELECT count(*) FROM rationale_fts WHERE rationale_fts MATCH 'tomorrow AND yesterday'"));
        store::RationaleBrowser browser(db, f, {});
        const auto rows = browser.rows({ids.begin(), ids.begin() + std::min<size_t>(ids.size(), 50)});
        QCOMPARE(rows.size(), std::min<size_t>(ids.size(), 50));
        for (size_t k = 0; k < rows.size(); ++k) {
            QCOMPARE(rows[k].id, ids[k]);
            const std::string& s = rows[k].snippet;
            const auto open = s.find(store::kMatchStart), close = s.find(store::kMatchEnd);
            QVERIFY2(open != std::string::npos && close > open, s.c_str());
            const std::string match = s.substr(open + 1, close - open - 1);
            const QString m = QString::fromStdString(match).toLower();
            QVERIFY2(m == "tomorrow" || m == "yesterday", match.c_str());
        }

        // Search combined with a filter and a sort.
        f.correctness = RationaleFilter::Correctness::Wrong;
        const auto wrongLeap = scanAll(db, f, {store::BrowseColumn::Length, true});
        QCOMPARE(int64_t(wrongLeap.size()),
                 test::scalar(db, "SELECT count(*) FROM rationale_fts JOIN rationales r ON r.id = rationale_fts.rowid "
                                  "WHERE rationale_fts MATCH 'tomorrow AND yesterday' AND r.correct = 0"));

        // A query FTS5 cannot parse names the problem.
        f.search = "\"unbalanced";
        try {
            scanAll(db, f);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("syntax error") || QString(e.what()).contains("unterminated"),
                     e.what());
        }
    }

    void sortOrdersAndRowsFollowIds()
    {
        auto& db = m_ws->db();
        const store::BrowseSort byLength{store::BrowseColumn::Length, true};
        const auto ids = scanAll(db, {}, byLength);
        store::RationaleBrowser browser(db, {}, byLength);
        // The page in the middle of the order, read by id, comes back in that order.
        const std::vector<int64_t> middle(ids.begin() + 5000, ids.begin() + 5256);
        const auto rows = browser.rows(middle);
        QCOMPARE(rows.size(), size_t(256));
        for (size_t k = 1; k < rows.size(); ++k) {
            QVERIFY(rows[k - 1].length >= rows[k].length);
            if (rows[k - 1].length == rows[k].length)
                QVERIFY(rows[k - 1].id > rows[k].id);
        }
        const auto first = browser.rows({ids.front()});
        QCOMPARE(first.front().length, test::scalar(db, "SELECT max(length(text)) FROM rationales"));
        QCOMPARE(first.front().task, std::string("date_mmddyyyy"));
        QCOMPARE(first.front().split, std::string("test"));
        QVERIFY(first.front().snippet.size() <= 400);

        const store::BrowseSort byInstance{store::BrowseColumn::Instance, false};
        const auto byInst = browser.rows({});
        QVERIFY(byInst.empty());
        const auto instIds = scanAll(db, {}, byInstance);
        const auto firstRows =
            store::RationaleBrowser(db, {}, byInstance).rows({instIds.begin(), instIds.begin() + 100});
        for (size_t k = 1; k < firstRows.size(); ++k)
            QVERIFY(firstRows[k - 1].instance <= firstRows[k].instance);
    }

    void aggregatesSummariseTheFilter()
    {
        auto& db = m_ws->db();
        const auto a = store::RationaleBrowser(db, {}, {}).aggregates();
        QVERIFY(a.has_value());
        QCOMPARE(a->teacherAccuracy.size(), size_t(1));
        QCOMPARE(a->teacherAccuracy[0].teacherRationales, test::scalar(db, "SELECT count(*) FROM rationales"));
        QCOMPARE(a->teacherAccuracy[0].teacherCorrect,
                 test::scalar(db, "SELECT count(*) FROM rationales WHERE correct = 1"));
        QCOMPARE(int64_t(a->lengths.size()), test::scalar(db, "SELECT count(*) FROM rationales"));
        QVERIFY(std::is_sorted(a->lengths.begin(), a->lengths.end()));
        QCOMPARE(int64_t(a->samplesPerInstance.size()), test::scalar(db, "SELECT count(*) FROM instances"));
        for (int64_t n : a->samplesPerInstance)
            QCOMPARE(n, int64_t(40)); // the set's 40 samples per question
        for (double agreement : a->agreementPerInstance)
            QVERIFY(agreement > 0 && agreement <= 1);
        QVERIFY(!store::RationaleBrowser(db, {}, {}).aggregates([] { return true; }));
    }

    void instanceStatistics()
    {
        auto& db = m_ws->db();
        const int64_t id = test::scalar(db, "SELECT min(id) FROM instances");
        const auto instance = store::RationaleRepository(db).instance(id);
        QVERIFY(instance);
        QCOMPARE(instance->first.extId, std::string("date-0"));
        QCOMPARE(instance->second.size(), size_t(40));
        const auto stats = store::sampleStats(instance->second);
        QCOMPARE(stats.samples, int64_t(40));
        QCOMPARE(
            stats.distinctRationales,
            test::scalar(db, "SELECT count(DISTINCT text) FROM rationales WHERE instance_id = " + std::to_string(id)));
        int64_t sum = 0;
        for (size_t k = 0; k < stats.answers.size(); ++k) {
            sum += stats.answers[k].second;
            if (k)
                QVERIFY(stats.answers[k - 1].second >= stats.answers[k].second);
        }
        QCOMPARE(sum, int64_t(40));
        QCOMPARE(stats.answers.front().first, std::string("05/01/2021"));
        QVERIFY(!store::RationaleRepository(db).instance(-5));
    }

    void notesAndTagsAreStoredAndFilterable()
    {
        auto& db = m_ws->db();
        store::AnnotationRepository notes(db);
        const int64_t instance = test::scalar(db, "SELECT max(id) FROM instances");
        const int64_t rationale =
            test::scalar(db, "SELECT min(id) FROM rationales WHERE instance_id = " + std::to_string(instance));
        notes.set(store::AnnotationTarget::Rationale, rationale, {"  off by one day ", {"arith-slip", " wrong ", ""}});
        QCOMPARE(notes.get(store::AnnotationTarget::Rationale, rationale),
                 (store::Annotation{"off by one day", {"arith-slip", "wrong"}}));
        notes.set(store::AnnotationTarget::Instance, instance, {"ambiguous question", {"ambiguous"}});
        QCOMPARE(notes.allTags(), (std::vector<std::string>{"ambiguous", "arith-slip", "wrong"}));
        QCOMPARE(notes.ofInstanceRationales(instance).size(), size_t(1));

        RationaleFilter tagged;
        tagged.tag = "wrong";
        QCOMPARE(scanAll(db, tagged), std::vector<int64_t>{rationale});
        tagged.tag = "ambiguous"; // an instance tag selects all of its rationales
        QCOMPARE(int64_t(scanAll(db, tagged).size()), int64_t(40));

        // Clearing removes the note and the tags.
        notes.set(store::AnnotationTarget::Rationale, rationale, {"", {}});
        QCOMPARE(notes.get(store::AnnotationTarget::Rationale, rationale), store::Annotation{});
        QVERIFY_THROWS_EXCEPTION(Error, notes.set(store::AnnotationTarget::Instance, 987654321, {"x", {}}));
        QCOMPARE(store::parseTags(" b, a ,,b"), (std::vector<std::string>{"a", "b"}));
    }
};

QTEST_GUILESS_MAIN(TestRationaleBrowser)
#include "TestRationaleBrowser.moc"
