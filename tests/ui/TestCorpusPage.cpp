// The Corpus page on the real 40-samples date set: a recipe built step by step with its live preview, saved, its
// members equal to a command-line build of the same recipe, compared with a second corpus. With COTLAB_SCREENSHOT_DIR
// set it writes docs/screenshots/corpus-*.png.
#include "corpus/CorpusBuilder.h"
#include "corpus/CorpusPage.h"
#include "ingest/Importer.h"
#include "store/CorpusRepository.h"
#include "store/Workspace.h"
#include "support/Screenshots.h"
#include "support/TestSupport.h"

#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QSignalSpy>
#include <QTableWidget>
#include <QToolButton>
#include <QtTest>

using namespace cotlab;

class TestCorpusPage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qputenv("COTLAB_NO_DIALOGS", "1"); } // questions are answered by the test

    void buildPreviewSaveAndCompare()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string path = dir.path("corpus.cotlab");
        test::importDate40(path);
        ui::CorpusPage page;
        page.resize(1500, 850);
        page.show();
        QSignalSpy preview(&page, &ui::CorpusPage::previewUpdated);
        page.setWorkspace(QString::fromStdString(path));
        QVERIFY(preview.wait(20000));
        // The default recipe: correct ones, then 4 per instance.
        QTableWidget* table = page.previewTable();
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->item(0, 2)->text(), QLocale().toString(359 * 40));

        // Add an exact dedupe after the correctness step and edit the cap to 2 by diversity.
        page.findChild<QListWidget*>("steps")->setCurrentRow(0);
        page.addStep("dedupe");
        QVERIFY(preview.wait(20000));
        QCOMPARE(table->rowCount(), 4);
        QCOMPARE(table->item(2, 0)->text(), QString("2. dedupe"));
        QVERIFY(page.setStepField(2, "k", "2"));
        QVERIFY(page.setStepField(2, "by", "diversity"));
        QVERIFY(!page.setStepField(2, "by", "alphabetical")); // refused, with the reason shown
        QVERIFY2(page.message().contains("must be one of random, likelihood, diversity"), qPrintable(page.message()));
        QVERIFY(preview.wait(20000));
        const qint64 kept = QLocale().toLongLong(table->item(3, 2)->text());
        QVERIFY(kept > 0 && kept <= 2 * 359);
        // What the dedupe step removed: the duplicates, listed with their text.
        QSignalSpy removed(&page, &ui::CorpusPage::removedShown);
        page.showRemoved(2);
        QVERIFY(removed.wait(10000));
        QVERIFY2(page.removedText().contains("Step 2 removed " + table->item(2, 3)->text() + " rationales"),
                 qPrintable(page.removedText().left(200)));
        QVERIFY(page.removedText().contains("date-"));
        QVERIFY(test::screenshot(page, "corpus-page.png"));

        // Saved, its members are those of the same recipe built directly.
        QSignalSpy changed(&page, &ui::CorpusPage::corporaChanged);
        page.saveAs("date-div2", false);
        QVERIFY(changed.wait(20000));
        QCOMPARE(page.corpusNames(), QStringList{"date-div2"});
        {
            store::Workspace ws(path);
            store::CorpusRepository corpora(ws.db());
            const auto info = corpora.find("date-div2");
            QVERIFY(info);
            const auto rebuilt = corpus::buildCorpus(ws.db(), corpus::recipeFromJson(info->recipeJson));
            QCOMPARE(info->rationales, qint64(rebuilt.members.size()));
            QCOMPARE(info->rationales, kept);
        }
        // A second corpus (random 2 per instance) and the comparison.
        QVERIFY(page.setStepField(2, "by", "random"));
        page.saveAs("date-rand2", false);
        QVERIFY(changed.wait(20000));
        QSignalSpy compared(&page, &ui::CorpusPage::compared);
        page.compare("date-div2", "date-rand2");
        QVERIFY(compared.wait(20000));
        QTableWidget* comparison = page.comparisonTable();
        QCOMPARE(comparison->item(1, 0)->text(), QString("Rationales"));
        QCOMPARE(QLocale().toLongLong(comparison->item(1, 1)->text()), kept);
        QVERIFY(comparison->item(6, 1)->text().size() > 0); // rationales in both
        QVERIFY(test::screenshot(page, "corpus-compare.png"));

        // Exported as chat JSONL, one example per rationale.
        QSignalSpy exported(&page, &ui::CorpusPage::exported);
        const QString out = QString::fromStdString(dir.path("div2.jsonl"));
        page.exportCorpus("date-div2", out, true);
        QVERIFY(exported.wait(20000));
        QCOMPARE(exported.first().first().toBool(), true);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto lines = file.readAll().trimmed().split('\n');
        QCOMPARE(qint64(lines.size()), kept);
        QVERIFY(lines.first().contains("\"messages\""));

        // The same name again asks to replace or rename (the message says so with dialogs off); replacing saves
        // the recipe now edited under that name.
        page.saveAs("date-div2", false);
        QTRY_VERIFY_WITH_TIMEOUT(page.message().contains("exists: replace it, or save under another name"), 20000);
        page.saveAs("date-div2", true);
        QVERIFY(changed.wait(20000));
        store::Workspace ws(path);
        QVERIFY(store::CorpusRepository(ws.db()).find("date-div2")->recipeJson.find("random") != std::string::npos);
    }

    // Pickers for what a field accepts: a choice from a list, true/false, the workspace's tasks; a task the
    // workspace lacks is warned of, and a recipe that leaves nothing is not saved.
    void pickersWarningsAndNoEmptyCorpus()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string path = dir.path("corpus.cotlab");
        test::importDate40(path);
        ui::CorpusPage page;
        page.resize(1500, 850);
        page.show();
        QSignalSpy preview(&page, &ui::CorpusPage::previewUpdated);
        page.setWorkspace(QString::fromStdString(path));
        page.setTasks({"date_mmddyyyy"});
        QVERIFY(preview.wait(20000));
        auto* steps = page.findChild<QListWidget*>("steps");
        steps->setCurrentRow(0); // correctness: keep is a choice
        auto* keep = page.findChild<QComboBox*>("pick-keep");
        QVERIFY(keep);
        QCOMPARE(keep->count(), 3);
        keep->setCurrentText("all");
        QVERIFY(page.recipeJson().contains("\"keep\":\"all\""));
        QVERIFY(page.findChild<QLabel*>("stepDescription")->text().contains("correctness"));

        // A scope step's tasks from the workspace's list.
        steps->setCurrentRow(-1);
        page.addStep("scope");
        QVERIFY(preview.wait(20000));
        auto* tasks = page.findChild<QToolButton*>("pick-tasks");
        QVERIFY(tasks);
        QCOMPARE(tasks->text(), QString("all"));
        QCOMPARE(tasks->menu()->actions().size(), 1);
        tasks->menu()->actions().first()->trigger();
        QVERIFY2(page.recipeJson().contains("\"tasks\":[\"date_mmddyyyy\"]"), qPrintable(page.recipeJson()));
        QVERIFY(test::screenshot(page, "corpus-pickers.png"));

        // A task the workspace lacks: warned of; the preview empties; saving is refused with the step named.
        QVERIFY(page.setStepField(0, "tasks", "date_understanding"));
        QVERIFY2(page.message().contains("names task 'date_understanding'"), qPrintable(page.message()));
        QTRY_VERIFY_WITH_TIMEOUT(page.message() == "The corpus would be empty: the workspace holds no rationales "
                                                   "of the recipe's sources and tasks to start from.",
                                 20000);
        page.saveAs("nothing", false);
        QTRY_VERIFY_WITH_TIMEOUT(page.message().startsWith("Not saved: the recipe leaves no rationales"), 20000);
        // A step that removes the rest is named.
        QVERIFY(page.setStepField(0, "tasks", "date_mmddyyyy"));
        steps->setCurrentRow(2);
        page.addStep("match"); // after per_instance: keep rationales that contain an impossible text
        QVERIFY(page.setStepField(3, "pattern", "no rationale says this 7f3a"));
        QTRY_VERIFY_WITH_TIMEOUT(page.message() == "The corpus would be empty: step 4 (match) removes the last "
                                                   "rationales.",
                                 20000);
        store::Workspace ws(path);
        QVERIFY(store::CorpusRepository(ws.db()).list().empty());
    }
};

QTEST_MAIN(TestCorpusPage)
#include "TestCorpusPage.moc"
