// The Review page on a real student and teacher (stories260K's greedy rationales beside text-davinci-002's on
// CommonsenseQA test questions): a blind pairwise study created, labelled by three annotators with the keyboard
// only, resumed, reported with agreement, exported and a filled sheet imported. With COTLAB_SCREENSHOT_DIR set it
// writes docs/screenshots/review-*.png.
#include "report/Spreadsheet.h"
#include "review/LabelingView.h"
#include "review/NewStudyDialog.h"
#include "review/ReviewPage.h"
#include "store/ReviewRepository.h"
#include "store/Workspace.h"
#include "support/Screenshots.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QtTest>
#include <filesystem>

using namespace cotlab;

namespace {

// Labels every criterion of the shown item with one key each: the teacher's side for 'better' (key 1 when the
// teacher, B, is on the left), and for the other criteria the key the pattern gives.
void labelItem(ui::LabelingView& view, const std::function<int(size_t criterion, bool teacherLeft)>& key)
{
    const auto& session = view.session();
    const bool teacherLeft = session.bOnLeft[size_t(view.currentItem())];
    for (size_t c = 0; c < session.spec.criteria.size(); ++c)
        QTest::keyClick(&view, Qt::Key(Qt::Key_1 + key(c, teacherLeft)));
}

bool waitForStored(ui::ReviewPage& page)
{
    return QTest::qWaitFor([&] { return page.pendingLabels() == 0; }, 10000);
}

} // namespace

class TestReviewPage : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    std::string m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        COTLAB_REQUIRE_SHARED();
        m_ws = m_dir.path("review.cotlab");
        test::importStudentAndTeacher(m_ws, 40);
    }

    void newStudyDialogOffersTheWorkspaceSources()
    {
        // The workspace's sources as the page reads them: a teacher on 1,221 questions, the student on 40 of them,
        // and a second teacher that shares none with the student, which B does not offer.
        review::StudySources sources;
        sources.sources = {{"teacher", "text-davinci-002"}, {"student", "stories260K"}, {"teacher", "other"}};
        sources.instances = {1221, 40, 30};
        sources.shared = {{1221, 40, 0}, {40, 40, 0}, {0, 0, 30}};
        ui::NewStudyDialog dialog(sources, {"commonsense_qa"});
        auto* sourceB = dialog.findChild<QComboBox*>("sourceB");
        QCOMPARE(sourceB->count(), 1);
        QVERIFY(sourceB->itemText(0).contains("40 questions shared"));
        dialog.show();
        try {
            (void)dialog.spec();
            QFAIL("a study without a name");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("name"));
        }
        dialog.setName("from the dialog");
        QApplication::processEvents();
        QVERIFY(test::screenshot(dialog, "review-new-study.png"));
        const auto spec = dialog.spec();
        QCOMPARE(spec.sources.size(), size_t(2));
        QCOMPARE(spec.sources[0].label(), std::string("student:stories260K")); // a student first, a teacher second
        QCOMPARE(spec.sources[1].label(), std::string("teacher:text-davinci-002"));
        QCOMPARE(spec.criteria.size(), size_t(5));
        dialog.setMode(review::Mode::Single);
        QCOMPARE(dialog.spec().criteria.front().scale, review::Scale::Binary);
        QCOMPARE(dialog.spec().sources.size(), size_t(1));
    }

    // A refused study (a name already taken) is reported inside the dialog, which keeps what was typed.
    void newStudyErrorsStayInTheDialog()
    {
        ui::ReviewPage page;
        QSignalSpy studies(&page, &ui::ReviewPage::studiesChanged);
        page.setWorkspace(QString::fromStdString(m_ws), {"commonsense_qa"});
        QVERIFY(studies.wait(10000));
        review::StudySources sources;
        sources.sources = {{"student", "stories260K"}, {"teacher", "text-davinci-002"}};
        sources.instances = {40, 1221};
        sources.shared = {{40, 40}, {40, 1221}};
        ui::NewStudyDialog dialog(sources, {"commonsense_qa"});
        dialog.setName("twice");
        dialog.setSize(4);
        QString outcome = "pending";
        auto create = [&] {
            outcome = "pending";
            page.createStudy(dialog.spec(), [&](const QString& error) {
                outcome = error;
                if (!error.isEmpty())
                    dialog.showError(error);
            });
        };
        create();
        QTRY_COMPARE(outcome, QString());
        create(); // the same name again
        QTRY_VERIFY(outcome != "pending");
        QVERIFY2(outcome.contains("already exists"), qPrintable(outcome));
        QVERIFY(dialog.findChild<QLabel*>("error")->text().contains("already exists"));
        QCOMPARE(dialog.findChild<QLineEdit*>("name")->text(), QString("twice"));
        QVERIFY(!page.message().contains("already exists")); // not on the page
        QTRY_VERIFY(page.studyNames().contains("twice"));
        page.deleteStudy("twice");
        QTRY_VERIFY(!page.studyNames().contains("twice"));
    }

    void labelBlindPairsWithTheKeyboard()
    {
        ui::ReviewPage page;
        page.resize(1500, 900);
        page.show();
        QSignalSpy studies(&page, &ui::ReviewPage::studiesChanged);
        QSignalSpy reports(&page, &ui::ReviewPage::reportShown);
        page.setWorkspace(QString::fromStdString(m_ws), {"commonsense_qa"});
        QVERIFY(studies.wait(10000));
        QVERIFY(page.studyNames().isEmpty());

        review::StudySpec spec;
        spec.name = "CSQA student vs teacher";
        spec.sources = {review::parseSource("student:stories260K"), review::parseSource("teacher:text-davinci-002")};
        spec.size = 24;
        spec.seed = 5;
        page.createStudy(spec);
        QVERIFY(QTest::qWaitFor([&] { return page.currentStudy() == "CSQA student vs teacher"; }, 10000));
        QVERIFY(reports.wait(10000) || reports.count() > 0);

        // Ann labels: one keystroke per criterion, and the next item follows the last criterion by itself.
        QSignalSpy sessions(&page, &ui::ReviewPage::sessionStarted);
        page.startLabelling("ann");
        QVERIFY(sessions.wait(10000));
        QVERIFY(page.isLabelling());
        ui::LabelingView& view = *page.labelingView();
        QCOMPARE(view.currentItem(), 0);
        const auto& session = view.session();
        QCOMPARE(session.items.size(), size_t(24));
        // Blind: the sides follow ann's randomisation and no model name is on the screen.
        for (int i = 0; i < 3; ++i) {
            view.showItem(i);
            const auto& item = session.items[size_t(i)];
            const QString teacher = QString::fromStdString(review::shownRationale(*item.b)).simplified();
            QCOMPARE(view.leftText().simplified() == teacher, bool(session.bOnLeft[size_t(i)]));
            for (const QString& shown : {view.leftText(), view.rightText(), view.questionText()}) {
                QVERIFY(!shown.contains("stories260K"));
                QVERIFY(!shown.contains("davinci"));
            }
        }
        view.showItem(0);
        const auto grab = [&](const char* name) {
            QApplication::processEvents();
            QVERIFY(test::screenshot(page, name));
        };
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(view.currentItem(), i);
            labelItem(view, [](size_t c, bool teacherLeft) { return c == 0 ? 2 : (teacherLeft ? 0 : 1); });
        }
        QCOMPARE(view.currentItem(), 3);
        QTest::keyClick(&view, Qt::Key_2); // the first criterion of item 4 (item index 3): "right"
        QCOMPARE(view.currentCriterion(), 1);
        QCOMPARE(view.chosenOption(0), 1);
        grab("review-labelling.png");
        QTest::keyClick(&view, Qt::Key_Up);
        QTest::keyClick(&view, Qt::Key_3); // changes its mind: tie
        QCOMPARE(view.chosenOption(0), 2);
        QVERIFY(waitForStored(page));
        {
            store::Workspace w(m_ws);
            store::ReviewRepository repo(w.db());
            const auto study = review::findStudy(w.db(), spec.name);
            const auto labels = repo.labels(study.id);
            QCOMPARE(labels.size(), size_t(3 * 5 + 1));
            // "better" on the teacher's side is stored as B whichever side it was on.
            for (const auto& l : labels)
                if (l.criterion == "better")
                    QCOMPARE(l.value, std::string("b"));
            QCOMPARE(labels.back().value, std::string("tie"));
        }

        // Back to the overview and in again: ann resumes where she stopped.
        QTest::keyClick(&view, Qt::Key_Escape);
        QVERIFY(!page.isLabelling());
        page.startLabelling("ann");
        QVERIFY(sessions.wait(10000));
        QCOMPARE(page.labelingView()->currentItem(), 3);
        QCOMPARE(page.labelingView()->chosenOption(0), 2);
        for (int i = 3; i < 24; ++i)
            labelItem(view,
                      [i](size_t c, bool teacherLeft) { return c == 0 && i % 5 == 0 ? 2 : (teacherLeft ? 0 : 1); });
        QVERIFY(waitForStored(page));
        QCOMPARE(view.completeItems(), 24);

        // Ben and Cy mostly agree; Cy calls some fluency comparisons a tie and prefers the student once.
        for (const char* name : {"ben", "cy"}) {
            QTest::keyClick(&view, Qt::Key_Escape);
            page.startLabelling(name);
            QVERIFY(sessions.wait(10000));
            const bool cy = std::string(name) == "cy";
            for (int i = 0; i < 24; ++i)
                labelItem(view, [i, cy](size_t c, bool teacherLeft) {
                    if (cy && c == 0 && i % 3 == 0)
                        return 2;
                    if (cy && c == 4 && i == 7)
                        return teacherLeft ? 1 : 0;
                    return teacherLeft ? 0 : 1;
                });
            QVERIFY(waitForStored(page));
        }
        QTest::keyClick(&view, Qt::Key_Escape);
        QVERIFY(reports.wait(10000));
        QTableWidget* agreement = page.agreementTable();
        QCOMPARE(agreement->rowCount(), 5);
        QCOMPARE(agreement->item(0, 0)->text(), QString("fluent"));
        QVERIFY2(agreement->item(0, 3)->text() != "n/a", qPrintable(agreement->item(0, 3)->text()));
        QVERIFY2(agreement->item(2, 2)->text() == "100.0%", qPrintable(agreement->item(2, 2)->text())); // factual
        QCOMPARE(page.annotatorTable()->rowCount(), 3);
        QCOMPARE(page.annotatorTable()->item(0, 1)->text(), QString("24 of 24"));
        QTableWidget* results = page.resultsTable();
        QCOMPARE(results->rowCount(), 5);
        QVERIFY2(results->item(4, 3)->text().startsWith("98.6%"), qPrintable(results->item(4, 3)->text()));
        grab("review-overview.png");
        page.findChild<QTabWidget*>("reviewTabs")->setCurrentIndex(1);
        grab("review-agreement.png");

        // The study as a workbook, and a blank sheet for an outside annotator filled in and imported back.
        QSignalSpy exported(&page, &ui::ReviewPage::exported);
        const QString xlsx = QString::fromStdString(m_dir.path("study.xlsx"));
        page.exportStudy(xlsx);
        QVERIFY(exported.wait(10000));
        QVERIFY(std::filesystem::file_size(xlsx.toStdString()) > 5000);
        QCOMPARE(report::readXlsx(xlsx.toStdString(), "Labels").size(), size_t(3 * 24 * 5 + 1));
        const QString blank = QString::fromStdString(m_dir.path("dee.csv"));
        page.exportBlankSheet(blank, "dee");
        QVERIFY(exported.wait(10000));
        auto table = report::readCsv(blank.toStdString());
        QCOMPARE(table.size(), size_t(25));
        const size_t better = std::find_if(table[0].begin(), table[0].end(),
                                           [](const std::string& h) { return h.rfind("better", 0) == 0; }) -
                              table[0].begin();
        std::string filled = "item,annotator,better\n";
        for (size_t r = 1; r < table.size(); ++r)
            filled += table[r][0] + ",dee,tie\n";
        QVERIFY(better < table[0].size());
        QSignalSpy imported(&page, &ui::ReviewPage::imported);
        page.importSheets({QString::fromStdString(test::writeFile(m_dir.path("dee-filled.csv"), filled))});
        QVERIFY(imported.wait(10000));
        QVERIFY2(page.message().contains("24 labels"), qPrintable(page.message()));
        QVERIFY(reports.wait(10000));
        QCOMPARE(page.annotatorTable()->rowCount(), 4);

        // A bad sheet is refused with its row, and nothing of it is stored.
        QSignalSpy failed(&page, &ui::ReviewPage::failed);
        page.importSheets(
            {QString::fromStdString(test::writeFile(m_dir.path("bad.csv"), "item,annotator,better\n5,eve,maybe\n"))});
        QVERIFY(failed.wait(10000));
        QVERIFY2(page.message().contains("row 2"), qPrintable(page.message()));
    }
};

QTEST_MAIN(TestReviewPage)
#include "TestReviewPage.moc"
