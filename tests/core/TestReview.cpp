// Human evaluation studies on a real student and a real teacher: the pretrained stories260K's greedy rationales on
// CommonsenseQA test questions beside text-davinci-002's zero-shot-CoT rationales for the same questions.
#include "report/Spreadsheet.h"
#include "report/StudySheets.h"
#include "review/Study.h"
#include "store/ReviewRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QProcess>
#include <QStandardPaths>
#include <QtTest>
#include <csignal>
#include <filesystem>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace cotlab;

namespace {

constexpr int64_t kStudentQuestions = 40;

review::StudySpec pairwiseSpec(const std::string& name, int64_t size, uint64_t seed)
{
    review::StudySpec spec;
    spec.name = name;
    spec.mode = review::Mode::Pairwise;
    spec.sources = {review::parseSource(std::string("student:") + test::kStoriesStudent),
                    review::parseSource("teacher:text-davinci-002")};
    spec.size = size;
    spec.seed = seed;
    return spec;
}

std::string allText(const report::Sheet& sheet)
{
    std::string out;
    for (const auto& c : sheet.columns)
        out += c.header + "\n";
    for (const auto& row : sheet.rows)
        for (const auto& cell : row)
            out += report::cellText(cell) + "\n";
    return out;
}

// Runs LibreOffice headless on a file; returns its output folder's files. Skips when LibreOffice is missing.
QString libreOffice()
{
    for (const char* name : {"soffice", "libreoffice"}) {
        const QString path = QStandardPaths::findExecutable(name);
        if (!path.isEmpty())
            return path;
    }
    return {};
}

bool convert(const QString& office, const std::string& file, const QString& format, const std::string& outDir,
             const std::string& profile)
{
    QProcess p;
    p.start(office, {"-env:UserInstallation=file://" + QString::fromStdString(profile), "--headless", "--convert-to",
                     format, "--outdir", QString::fromStdString(outDir), QString::fromStdString(file)});
    return p.waitForFinished(180000) && p.exitCode() == 0;
}

std::vector<std::vector<std::string>> asText(const report::Sheet& sheet)
{
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> header;
    for (const auto& c : sheet.columns)
        header.push_back(c.header);
    out.push_back(header);
    for (const auto& row : sheet.rows) {
        std::vector<std::string> cells;
        for (const auto& cell : row)
            cells.push_back(report::cellText(cell));
        while (!cells.empty() && cells.back().empty())
            cells.pop_back();
        out.push_back(cells);
    }
    return out;
}

std::vector<std::vector<std::string>> trimmed(report::Table table)
{
    for (auto& row : table)
        while (!row.empty() && row.back().empty())
            row.pop_back();
    return table;
}

} // namespace

class TestReview : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    std::string m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        COTLAB_REQUIRE_SHARED();
        m_ws = m_dir.path("review.cotlab");
        test::importStudentAndTeacher(m_ws, kStudentQuestions);
        store::Workspace w(m_ws);
        QCOMPARE(test::scalar(w.db(), "SELECT count(DISTINCT instance_id) FROM rationales WHERE source_kind = "
                                      "'student'"),
                 kStudentQuestions);
    }

    void pairwiseStudySamplesSeededAndStratified()
    {
        store::Workspace w(m_ws);
        auto spec = pairwiseSpec("seeded", 30, 7);
        const int64_t id = review::createStudy(w.db(), spec);
        store::ReviewRepository repo(w.db());
        const auto details = repo.itemDetails(id);
        QCOMPARE(details.size(), size_t(30));
        std::set<int64_t> instances;
        for (const auto& d : details) {
            QVERIFY(d.b.has_value());
            QCOMPARE(d.a.sourceKind, std::string("student"));
            QCOMPARE(d.a.model, std::string(test::kStoriesStudent));
            QCOMPARE(d.b->model, std::string("text-davinci-002"));
            QVERIFY(instances.insert(d.item.instanceId).second);
        }
        // The same seed draws the same instances in the same order; another seed does not.
        const int64_t again = review::createStudy(w.db(), [&] {
            auto s = spec;
            s.name = "seeded again";
            return s;
        }());
        const int64_t other = review::createStudy(w.db(), [&] {
            auto s = spec;
            s.name = "other seed";
            s.seed = 8;
            return s;
        }());
        auto instancesOf = [&](int64_t study) {
            std::vector<int64_t> out;
            for (const auto& item : repo.items(study))
                out.push_back(item.instanceId);
            return out;
        };
        QCOMPARE(instancesOf(again), instancesOf(id));
        QVERIFY(instancesOf(other) != instancesOf(id));

        // Asking for more than there is takes every instance with both rationales.
        const int64_t all = review::createStudy(w.db(), pairwiseSpec("everything", 1000, 1));
        QCOMPARE(int64_t(repo.items(all).size()), kStudentQuestions);

        // Stratified by the correctness of source A (here the teacher, right on some questions and wrong on
        // others): equal shares per stratum, as far as each stratum reaches.
        auto stratified = pairwiseSpec("stratified", 16, 3);
        std::swap(stratified.sources[0], stratified.sources[1]);
        stratified.stratifyByCorrectness = true;
        std::map<std::string, int> strata;
        for (const auto& item : repo.items(review::createStudy(w.db(), stratified)))
            ++strata[item.stratum];
        QVERIFY(strata.count("correct") && strata.count("wrong"));
        const int smallest = std::min(strata["correct"], strata["wrong"]);
        QCOMPARE(strata["correct"] + strata["wrong"] + strata["not judged"], 16);
        QVERIFY2(smallest >= 5, QByteArray::number(smallest)); // not 16 x the teacher's usual (mostly right)
    }

    void badSpecsSayWhy()
    {
        store::Workspace w(m_ws);
        auto expectError = [&](review::StudySpec spec, const char* needle) {
            try {
                review::createStudy(w.db(), spec);
                QFAIL("the study was created");
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains(needle), e.what());
            }
        };
        expectError(pairwiseSpec("seeded", 10, 1), "already exists");
        auto spec = pairwiseSpec("nobody", 10, 1);
        spec.sources[0] = review::parseSource("student:never-evaluated");
        expectError(spec, "evaluate the student first");
        spec = pairwiseSpec("three", 10, 1);
        spec.sources.push_back(review::parseSource("teacher"));
        expectError(spec, "exactly two sources");
        spec = pairwiseSpec("single with preference", 10, 1);
        spec.mode = review::Mode::Single;
        spec.criteria = review::defaultCriteria(review::Mode::Pairwise);
        expectError(spec, "one rationale at a time");
        QVERIFY_THROWS_EXCEPTION(Error, review::parseSource("teachr"));
        QVERIFY_THROWS_EXCEPTION(Error, review::criteriaFromJson("[{\"key\": \"x\", \"scale\": \"stars\"}]"));
        QVERIFY(!store::ReviewRepository(w.db()).find("nobody"));
    }

    void sidesAreBalancedPerAnnotatorAndHidden()
    {
        // Exactly half of an annotator's items show B on the left, a different half for each annotator, and over
        // many annotators every item is shown both ways about equally often.
        std::vector<int64_t> ids;
        for (int64_t i = 1; i <= 200; ++i)
            ids.push_back(i * 7);
        std::vector<int> bLeftCount(ids.size(), 0);
        std::set<std::vector<bool>> patterns;
        for (int a = 0; a < 400; ++a) {
            const auto sides = review::leftIsB(ids, 3, "annotator " + std::to_string(a));
            QCOMPARE(std::count(sides.begin(), sides.end(), true), long(ids.size() / 2));
            for (size_t i = 0; i < ids.size(); ++i)
                bLeftCount[i] += sides[i];
            patterns.insert(sides);
        }
        QCOMPARE(patterns.size(), size_t(400));
        for (int count : bLeftCount)
            QVERIFY2(count > 140 && count < 260, QByteArray::number(count)); // 200 +- 4.3 standard deviations
        QCOMPARE(review::leftIsB({5}, 0, "x"), std::vector<bool>{false});    // odd counts: floor(n/2)

        // A preference key maps to A or B through the item's sides; tie is tie.
        QCOMPARE(review::valueForOption(review::Scale::Preference, 0, false), std::string("a"));
        QCOMPARE(review::valueForOption(review::Scale::Preference, 0, true), std::string("b"));
        QCOMPARE(review::valueForOption(review::Scale::Preference, 2, true), std::string("tie"));
        QCOMPARE(review::optionForValue(review::Scale::Preference, "a", true), 1);

        // The blank sheet for an annotator names no model and shows each pair as that annotator's sides.
        store::Workspace w(m_ws);
        const auto study = review::findStudy(w.db(), "seeded");
        const report::Sheet sheet = report::blankLabelSheet(w.db(), study.id, "carol");
        const std::string text = allText(sheet);
        QVERIFY(text.find(test::kStoriesStudent) == std::string::npos);
        QVERIFY(text.find("davinci") == std::string::npos);
        QVERIFY(text.find("student") == std::string::npos && text.find("teacher") == std::string::npos);
        store::ReviewRepository repo(w.db());
        const auto details = repo.itemDetails(study.id);
        std::vector<int64_t> itemIds;
        for (const auto& d : details)
            itemIds.push_back(d.item.id);
        const auto sides = review::leftIsB(itemIds, 7, "carol");
        int leftColumn = -1;
        for (size_t c = 0; c < sheet.columns.size(); ++c)
            if (sheet.columns[c].header == "left rationale")
                leftColumn = int(c);
        QVERIFY(leftColumn >= 0);
        for (size_t i = 0; i < details.size(); ++i)
            QCOMPARE(report::cellText(sheet.rows[i][size_t(leftColumn)]),
                     review::shownRationale(sides[i] ? *details[i].b : details[i].a));
    }

    void aLabelSurvivesTheProcessBeingKilled()
    {
        const auto item = [&] {
            store::Workspace w(m_ws);
            return store::ReviewRepository(w.db()).items(review::findStudy(w.db(), "seeded").id).front().id;
        }();
        const pid_t child = fork();
        if (child == 0) {
            // The child gives one label and is killed at once: no destructor, no close, no checkpoint.
            store::Workspace w(m_ws);
            store::ReviewRepository repo(w.db());
            const auto who = repo.annotator(review::findStudy(w.db(), "seeded").id, "killed");
            repo.setLabel(item, who.id, "fluent", "b");
            raise(SIGKILL);
            _exit(0);
        }
        int status = 0;
        QCOMPARE(waitpid(child, &status, 0), child);
        QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        store::Workspace w(m_ws);
        const auto labels = store::ReviewRepository(w.db()).labels(review::findStudy(w.db(), "seeded").id);
        QCOMPARE(labels.size(), size_t(1));
        QCOMPARE(labels[0].annotator, std::string("killed"));
        QCOMPARE(labels[0].value, std::string("b"));
        QCOMPARE(labels[0].itemId, item);
    }

    void reportComputesAgreementAndPreferences()
    {
        store::Workspace w(m_ws);
        auto spec = pairwiseSpec("report", 20, 11);
        const int64_t id = review::createStudy(w.db(), spec);
        store::ReviewRepository repo(w.db());
        const auto items = repo.items(id);
        // Three annotators: the teacher (B) is better on 15 items for everyone; on the last 5, ann disagrees.
        const std::vector<std::string> names{"ann", "ben", "cy"};
        for (size_t a = 0; a < names.size(); ++a) {
            const auto who = repo.annotator(id, names[a]);
            for (size_t i = 0; i < items.size(); ++i) {
                const bool disagree = a == 0 && i >= 15;
                repo.setLabel(items[i].id, who.id, "better", disagree ? "a" : "b");
                repo.setLabel(items[i].id, who.id, "fluent", i % 4 == 0 ? "tie" : "b");
            }
        }
        const review::StudyReport report = review::studyReport(w.db(), id);
        QCOMPARE(report.items, int64_t(20));
        QCOMPARE(report.annotators.size(), size_t(3));
        QCOMPARE(report.annotators[0].labels, int64_t(40));
        QCOMPARE(report.annotators[0].complete, int64_t(0)); // three criteria never labelled
        const auto& better = *std::find_if(report.agreement.begin(), report.agreement.end(),
                                           [](const auto& a) { return a.criterion == "better"; });
        QCOMPARE(better.items, int64_t(20));
        QCOMPARE(better.fleissItems, int64_t(20));
        // Counts per item: 15 x (b:3), 5 x (a:1, b:2) -> Fleiss by hand: P = (15 + 5/3)/20, pe = (5/60)^2 +
        // (55/60)^2.
        const double observed = (15.0 + 5.0 / 3.0) / 20.0;
        const double chance = (5.0 / 60) * (5.0 / 60) + (55.0 / 60) * (55.0 / 60);
        QVERIFY(std::abs(better.fleiss.value() - (observed - chance) / (1 - chance)) < 1e-12);
        QVERIFY(std::abs(better.observed.value() - observed) < 1e-12); // same pairs-agreeing share as Fleiss' P
        QCOMPARE(better.cohen.size(), size_t(3));
        QVERIFY(!better.cohen[2].kappa); // ben and cy always chose b: kappa is undefined, not 1
        QVERIFY(better.alphaNominal.has_value() && better.alphaOrdinal.has_value());
        const auto& preference = *std::find_if(report.preferences.begin(), report.preferences.end(),
                                               [](const auto& p) { return p.criterion == "better"; });
        QCOMPARE(preference.bWins.n, int64_t(20));
        QVERIFY(std::abs(preference.bWins.mean - (15.0 + 5.0 * 2 / 3) / 20) < 1e-12);
        QVERIFY(std::abs(preference.aWins.mean - (5.0 / 3) / 20) < 1e-12);
        QCOMPARE(preference.ties.mean, 0.0);
        QVERIFY(preference.bWins.low < preference.bWins.mean && preference.bWins.high <= 1.0);
        const auto json = review::reportToJson(report);
        QVERIFY(json.find("\"fleiss_kappa\"") != std::string::npos);
    }

    void xlsxConvertedByLibreOfficeGivesBackItemsAndLabels()
    {
        const QString office = libreOffice();
        if (office.isEmpty())
            QSKIP("LibreOffice is not installed (packaging/setup-debian.sh installs libreoffice-calc-nogui)");
        store::Workspace w(m_ws);
        const auto study = review::findStudy(w.db(), "report");
        const auto sheets = report::studySheets(w.db(), study.id);
        QCOMPARE(sheets.size(), size_t(5));
        const std::string xlsx = m_dir.path("report.xlsx");
        report::writeXlsx(xlsx, sheets);
        const std::string out = m_dir.path("csv");
        std::filesystem::create_directories(out);
        // Token 12 = -1: every sheet to its own file, report-<Sheet>.csv (LibreOffice 7.2 and later).
        QVERIFY(convert(office, xlsx, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                        out, m_dir.path("lo-profile")));
        const auto items = trimmed(report::readCsv(out + "/report-Items.csv"));
        const auto labels = trimmed(report::readCsv(out + "/report-Labels.csv"));
        QCOMPARE(items, asText(sheets[1]));
        QCOMPARE(labels, asText(sheets[2]));
        // ... and they are the store's: every item's rationales and every label.
        store::ReviewRepository repo(w.db());
        const auto details = repo.itemDetails(study.id);
        QCOMPARE(items.size(), details.size() + 1);
        for (size_t i = 0; i < details.size(); ++i) {
            QCOMPARE(items[i + 1][0], std::to_string(details[i].item.id));
            QCOMPARE(items[i + 1][8], details[i].a.text);
            QCOMPARE(items[i + 1][12], details[i].b->text);
        }
        const auto stored = repo.labels(study.id);
        QCOMPARE(labels.size(), stored.size() + 1);
        for (size_t i = 0; i < stored.size(); ++i) {
            QCOMPARE(labels[i + 1][0], std::to_string(stored[i].itemId));
            QCOMPARE(labels[i + 1][1], stored[i].annotator);
            QCOMPARE(labels[i + 1][2], stored[i].criterion);
            QCOMPARE(labels[i + 1][3], stored[i].value);
        }
    }

    void filledSheetsImportBack()
    {
        store::Workspace w(m_ws);
        const auto study = review::findStudy(w.db(), "report");
        store::ReviewRepository repo(w.db());
        // Dee fills in a blank sheet outside CoTLab: "left" on every 'better' and a comment on the first item.
        report::Sheet sheet = report::blankLabelSheet(w.db(), study.id, "dee");
        size_t betterColumn = 0, commentColumn = 0;
        for (size_t c = 0; c < sheet.columns.size(); ++c) {
            if (sheet.columns[c].header.rfind("better ", 0) == 0)
                betterColumn = c;
            if (sheet.columns[c].header == "comment")
                commentColumn = c;
        }
        QVERIFY(betterColumn > 0 && commentColumn > 0);
        for (auto& row : sheet.rows)
            row[betterColumn] = std::string(" Left ");
        sheet.rows[0][commentColumn] = std::string("both ramble, the left one less");
        const std::string csv = m_dir.path("dee.csv");
        report::writeCsv(csv, sheet);
        const auto imported = report::importLabelSheet(w.db(), study.id, csv);
        QCOMPARE(imported.rows, int64_t(20));
        QCOMPARE(imported.labels, int64_t(20));
        QCOMPARE(imported.comments, int64_t(1));
        // "left" is stored as A or B, whichever dee saw on the left.
        std::vector<int64_t> ids;
        for (const auto& item : repo.items(study.id))
            ids.push_back(item.id);
        const auto sides = review::leftIsB(ids, 11, "dee");
        std::map<int64_t, std::string> dee;
        for (const auto& l : repo.labels(study.id))
            if (l.annotator == "dee")
                dee[l.itemId] = l.value;
        QCOMPARE(dee.size(), size_t(20));
        for (size_t i = 0; i < ids.size(); ++i)
            QCOMPARE(dee[ids[i]], std::string(sides[i] ? "b" : "a"));
        QCOMPARE(repo.comments(study.id).front().comment, std::string("both ramble, the left one less"));

        // The same sheet saved as XLSX by another program (LibreOffice) imports too.
        const QString office = libreOffice();
        if (!office.isEmpty()) {
            for (auto& row : sheet.rows)
                row[betterColumn] = std::string("tie");
            report::writeCsv(csv, sheet);
            QVERIFY(convert(office, csv, "xlsx", m_dir.path(""), m_dir.path("lo-profile")));
            const auto fromXlsx = report::importLabelSheet(w.db(), study.id, m_dir.path("dee.xlsx"));
            QCOMPARE(fromXlsx.labels, int64_t(20));
            for (const auto& l : repo.labels(study.id))
                if (l.annotator == "dee")
                    QCOMPARE(l.value, std::string("tie"));
        }
    }

    void badSheetsImportNothingAndSayWhere()
    {
        store::Workspace w(m_ws);
        const auto study = review::findStudy(w.db(), "report");
        store::ReviewRepository repo(w.db());
        const size_t before = repo.labels(study.id).size();
        const auto firstItem = repo.items(study.id).front().id;
        const std::string path =
            test::writeFile(m_dir.path("bad.csv"), "item,annotator,fluent,better\n" + std::to_string(firstItem) +
                                                       ",eve,left,right\n999999,eve,left,\n" +
                                                       std::to_string(firstItem) + ",eve,maybe,tie\n");
        try {
            report::importLabelSheet(w.db(), study.id, path);
            QFAIL("the sheet was imported");
        } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("row 3: item 999999 is not in study 'report'"), e.what());
            QVERIFY2(message.contains("row 4, column fluent: 'maybe' is not one of left, right, tie"), e.what());
        }
        QCOMPARE(repo.labels(study.id).size(), before);
        QVERIFY_THROWS_EXCEPTION(
            Error, report::importLabelSheet(w.db(), study.id, test::writeFile(m_dir.path("nohead.csv"), "a,b\n")));
        QVERIFY_THROWS_EXCEPTION(Error, report::readXlsx(test::writeFile(m_dir.path("fake.xlsx"), "not a zip")));
    }
};

QTEST_GUILESS_MAIN(TestReview)
#include "TestReview.moc"
