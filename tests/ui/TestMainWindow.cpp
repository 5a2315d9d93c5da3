// The real main window, offscreen: open a workspace, see its tasks and counts; build and open the demo.
#include "DemoExperimentJob.h"
#include "MainWindow.h"
#include "WorkspaceSummary.h"
#include "async/JobRunner.h"
#include "corpus/CorpusPage.h"
#include "evaluate/EvaluatePage.h"
#include "export/ExportPage.h"
#include "ingest/Importer.h"
#include "report/Spreadsheet.h"
#include "review/ReviewPage.h"
#include "review/Study.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "support/Screenshots.h"
#include "support/TestSupport.h"
#include "train/RunRecipe.h"
#include "train/TrainPage.h"
#include "train/TrainingJob.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QtTest>

using namespace cotlab;

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("COTLAB_NO_DIALOGS", "1");
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("CoTLabTest");
        QCoreApplication::setApplicationName("CoTLabTest");
    }

    void showsTasksAndCounts()
    {
        test::TempDir dir;
        const std::string path = dir.path("w.cotlab");
        {
            store::Workspace ws(path);
            ingest::Importer::importFile(ws.db(), test::testDataPath("interchange/mixed.jsonl"));
            ingest::ImportOptions traces; // reasoning traces published without gold answers
            traces.task = "traces";
            ingest::Importer::importFile(ws.db(), test::testDataPath("traces/openthoughts_sharegpt.jsonl"), traces);
        }
        ui::MainWindow window;
        QAbstractItemModelTester tester(window.summary(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.show();
        QSignalSpy loaded(&window, &ui::MainWindow::workspaceLoaded);
        window.openWorkspace(QString::fromStdString(path));
        QVERIFY(loaded.wait(10000));
        QCOMPARE(window.summary()->rowCount(), 4);
        QCOMPARE(window.summary()->item(0, 0)->text(), QString("toy_choice"));
        QCOMPARE(window.summary()->item(0, 2)->data(Qt::UserRole).toLongLong(), 1);
        QVERIFY(window.summary()->item(0, 6)->text().startsWith("50.0%"));
        // Without gold answers nothing is judged: no accuracy, and no 0%.
        QCOMPARE(window.summary()->item(3, 0)->text(), QString("traces"));
        QCOMPARE(window.summary()->item(3, 6)->text(), QString("not judged (no gold answers)"));
        QVERIFY(test::screenshot(window, "overview-not-judged.png"));
        bool sawCounts = false;
        for (auto* label : window.statusBar()->findChildren<QLabel*>())
            sawCounts |= label->text().contains("4 tasks") && label->text().contains("9 teacher rationales");
        QVERIFY(sawCounts);
        QVERIFY(window.windowTitle().contains("w.cotlab"));

        // Sample from Teacher starts on the task selected on the Overview, not on every task.
        window.findChild<QTabWidget*>()->setCurrentIndex(0);
        window.findChild<QTableView*>("overviewTasks")->selectRow(1);
        const QString selected = window.summary()->item(1, 0)->text();
        for (auto* action : window.findChildren<QAction*>())
            if (action->text() == "&Sample from Teacher...")
                action->trigger();
        auto* tasks = window.findChild<QListWidget*>("tasks");
        QVERIFY(tasks);
        QStringList checked;
        for (int i = 0; i < tasks->count(); ++i)
            if (tasks->item(i)->checkState() == Qt::Checked)
                checked << tasks->item(i)->text();
        QCOMPARE(checked, QStringList{selected});
    }

    void reportsABrokenWorkspaceWithoutCrashing()
    {
        test::TempDir dir;
        const std::string path = test::writeFile(dir.path("broken.cotlab"), "not a database at all\n");
        ui::MainWindow window;
        QSignalSpy failed(window.summary(), &ui::WorkspaceSummary::failed);
        window.openWorkspace(QString::fromStdString(path));
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.first().first().toString().contains("not a CoTLab workspace"));
        QVERIFY(window.statusBar()->currentMessage().contains("not a CoTLab workspace"));
    }

    // The design card's path in the GUI: a corpus saved on the Corpus page, "Train on This Corpus" opens the Train
    // page with it as the data, the run trains on the corpus's rationales (MultiArith, text-davinci-002, one per
    // question) and records it; the Evaluate page offers that run first and evaluates it; the Review page sets up
    // a blind study of its rationales against the teacher's; the Export page writes the evaluation, the study and
    // the student, and what was written is read back.
    void corpusTrainEvaluateReviewExport()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string path = dir.path("w.cotlab");
        {
            store::Workspace ws(path);
            ingest::Importer::importFile(ws.db(),
                                         test::sharedPath("data/teacher/zero-shot-cot-davinci002/multiarith.jsonl"));
        }
        ui::MainWindow window;
        window.resize(1366, 768);
        window.show();
        QSignalSpy loaded(&window, &ui::MainWindow::workspaceLoaded);
        window.openWorkspace(QString::fromStdString(path));
        QVERIFY(loaded.wait(10000));

        auto* corpusPage = window.findChild<ui::CorpusPage*>();
        QSignalSpy saved(corpusPage, &ui::CorpusPage::corporaChanged);
        QVERIFY(corpusPage->setRecipeJson(R"({"version": 1, "steps": [{"step": "correctness", "keep": "correct"},
            {"step": "per_instance", "k": 1, "by": "random", "seed": 0}]})"));
        corpusPage->saveAs("multiarith-one-each", false);
        QVERIFY(saved.wait(60000));
        auto* corpora = corpusPage->findChild<QListWidget*>("corpora");
        QTRY_COMPARE(corpora->count(), 1);
        corpora->setCurrentRow(0);

        auto* trainPage = window.findChild<ui::TrainPage*>();
        QSignalSpy corporaShown(trainPage, &ui::TrainPage::corporaShown);
        QTest::mouseClick(corpusPage->findChild<QPushButton*>("trainOnCorpus"), Qt::LeftButton);
        QCOMPARE(window.findChild<QTabWidget*>()->currentWidget(), trainPage);
        QTRY_COMPARE(trainPage->findChild<QComboBox*>("corpus")->currentData().toString(),
                     QString("multiarith-one-each"));
        QCOMPARE(trainPage->findChild<QComboBox*>("task")->currentText(), QString("all of the corpus's tasks"));
        QVERIFY(!trainPage->findChild<QComboBox*>("split")->isEnabled()); // the corpus's recipe decides
        QVERIFY(trainPage->findChild<QLabel*>("corpusSummary")->text().contains("rationales of"));
        QVERIFY(test::screenshot(window, "train-page-corpus.png"));

        trainPage->setModelPath(QString::fromStdString(test::sharedPath("models/stories260K/stories260K.bin")),
                                QString::fromStdString(test::sharedPath("models/stories260K/tok512.bin")));
        trainPage->findChild<QSpinBox*>("steps")->setValue(2);
        trainPage->findChild<QSpinBox*>("batch")->setValue(2);
        trainPage->findChild<QSpinBox*>("maxLength")->setValue(96);
        trainPage->findChild<QComboBox*>("devSplit")->setCurrentIndex(0); // none
        trainPage->findChild<QLineEdit*>("output")->setText(QString::fromStdString(dir.path("run")));
        QSignalSpy finished(trainPage, &ui::TrainPage::runFinished);
        trainPage->start();
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().toString(), QString("finished"));
        {
            store::Workspace ws(path);
            const auto run = store::RunRepository(ws.db()).find(1);
            QVERIFY(run);
            const auto recipe = train::RunRecipe::fromJson(run->recipeJson);
            QCOMPARE(recipe.corpus, std::string("multiarith-one-each"));
            QVERIFY2(recipe.sources.empty(), run->recipeJson.c_str()); // the corpus's recipe says whose
        }
        auto* evaluatePage = window.findChild<ui::EvaluatePage*>();
        QTRY_COMPARE(evaluatePage->findChild<QComboBox*>("run")->currentData().toLongLong(), qint64(1));

        // Evaluate the run on 4 test questions.
        evaluatePage->findChild<QComboBox*>("split")->setCurrentText("test");
        evaluatePage->findChild<QSpinBox*>("limit")->setValue(4);
        evaluatePage->findChild<QSpinBox*>("maxNewTokens")->setValue(24);
        QSignalSpy evaluated(evaluatePage, &ui::EvaluatePage::evaluationFinished);
        evaluatePage->start();
        QVERIFY(evaluated.wait(120000));
        QCOMPARE(evaluated.first().first().toString(), QString("finished"));

        // A blind study of the student's rationales against the teacher's.
        auto* reviewPage = window.reviewPage();
        review::StudySpec spec;
        spec.name = "run vs teacher";
        spec.sources = {review::parseSource("student:run"), review::parseSource("teacher")};
        spec.size = 3;
        QString studyProblem = "pending";
        reviewPage->createStudy(spec, [&studyProblem](const QString& problem) { studyProblem = problem; });
        QTRY_COMPARE_WITH_TIMEOUT(studyProblem, QString(), 20000);
        QTRY_VERIFY(reviewPage->studyNames().contains("run vs teacher"));

        // The Export page writes the evaluation, the study and the student.
        auto* exportPage = window.exportPage();
        window.findChild<QTabWidget*>()->setCurrentWidget(exportPage); // shown: it reads the workspace's choices
        const QString out = QString::fromStdString(dir.path(""));
        const auto write = [exportPage](ui::ExportPage::Kind kind, const QString& target) {
            QSignalSpy done(exportPage, &ui::ExportPage::exported);
            exportPage->showKind(kind);
            exportPage->setTarget(target);
            exportPage->exportNow();
            return done.wait(60000) && done.first().first().toBool();
        };
        QTRY_VERIFY(exportPage->findChild<QComboBox*>("exportEvaluation")->count() == 1 &&
                    exportPage->findChild<QComboBox*>("exportStudy")->count() == 1);
        QVERIFY2(write(ui::ExportPage::Evaluation, out + "/evaluation.xlsx"), qPrintable(exportPage->message()));
        QCOMPARE(report::readXlsx((out + "/evaluation.xlsx").toStdString(), "Items").size(), size_t(4 + 1));
        QVERIFY2(write(ui::ExportPage::Study, out + "/study.xlsx"), qPrintable(exportPage->message()));
        QCOMPARE(report::readXlsx((out + "/study.xlsx").toStdString(), "Items").size(), size_t(3 + 1));
        QVERIFY2(write(ui::ExportPage::Student, out + "/student"), qPrintable(exportPage->message()));
        QVERIFY(QFile::exists(out + "/student/config.json"));
        QVERIFY(QFile::exists(out + "/student/model.safetensors"));
    }

    // Help > User Guide shows the shipped guide and follows its links to the other pages; Help > Keyboard
    // Shortcuts lists the menus' shortcuts.
    void userGuideAndShortcuts()
    {
        ui::MainWindow window;
        window.show();
        window.showUserGuide();
        auto* guide = window.findChild<QTextBrowser*>("helpText");
        QVERIFY(guide);
        QVERIFY2(guide->toPlainText().contains("CoTLab user guide"), qPrintable(guide->toPlainText().left(200)));
        guide->setSource(QUrl("training.md")); // what a click on the Train page's link does
        QVERIFY(guide->toPlainText().contains("Training students"));
        QVERIFY(guide->isBackwardAvailable());
        for (auto* action : window.findChildren<QAction*>())
            if (action->text() == "&Keyboard Shortcuts")
                action->trigger();
        auto* shortcuts = window.findChild<QTableWidget*>("shortcuts");
        QVERIFY(shortcuts);
        QStringList rows;
        for (int r = 0; r < shortcuts->rowCount(); ++r)
            rows << shortcuts->item(r, 1)->text() + " = " + shortcuts->item(r, 2)->text();
        QVERIFY2(rows.contains("Export = Ctrl+E"), qPrintable(rows.join("; ")));
        QVERIFY(rows.contains("Import Files = Ctrl+I"));
        QVERIFY(rows.contains("User Guide = F1"));
    }

    void buildsAndOpensTheDemoWorkspace()
    {
        qputenv("COTLAB_DEMO_DIR", COTLAB_SOURCE_DIR "/resources/demo");
        const QString demo = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/demo.cotlab";
        QFile::remove(demo);
        ui::MainWindow window;
        window.show();
        QSignalSpy loaded(&window, &ui::MainWindow::workspaceLoaded);
        window.openDemoWorkspace();
        QVERIFY(window.jobs()->busy());
        QVERIFY(loaded.wait(120000));
        QVERIFY(QFile::exists(demo));
        QStringList tasks;
        for (int r = 0; r < window.summary()->rowCount(); ++r)
            tasks << window.summary()->item(r, 0)->text();
        QCOMPARE(tasks, (QStringList{"coin_flip", "coin_flip_generated", "commonsense_qa", "date_mmddyyyy",
                                     "date_understanding", "last_letter_concatenation", "last_letters_generated",
                                     "multiarith", "strategy_qa", "svamp"}));
        const int generated = int(tasks.indexOf("last_letters_generated"));
        QCOMPARE(window.summary()->item(generated, 2)->data(Qt::UserRole).toLongLong(),
                 3 * 800 + 100 + 200); // train, dev, test
        const int csqa = int(tasks.indexOf("commonsense_qa"));
        QCOMPARE(window.summary()->item(csqa, 4)->data(Qt::UserRole).toLongLong(), 1221 + 2000);
        const int date40 = int(tasks.indexOf("date_mmddyyyy"));
        QCOMPARE(window.summary()->item(date40, 5)->text(), QString("40.00"));
        QFile::remove(demo);
    }

    // The demo experiment from the window (few steps here; 300 in the app): it fills the Train, Evaluate and
    // Review pages while the window stays usable, and the Overview then drops its offer. With COTLAB_SCREENSHOT_DIR
    // set, every page is saved at 1366x768 and 1920x1080 (demo-<page>-<width>.png); with COTLAB_DEMO_FULL set it
    // runs the app's own settings (300 steps a run, about 8 minutes on 2 cores) for docs/screenshots.
    void demoExperimentFillsEveryPage()
    {
        COTLAB_REQUIRE_SHARED();
        qputenv("COTLAB_DEMO_DIR", COTLAB_SOURCE_DIR "/resources/demo");
        const QString demo = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/demo.cotlab";
        const auto removeDemo = [&demo] {
            for (const char* suffix : {"", "-wal", "-shm"})
                QFile::remove(demo + suffix);
            QDir(QFileInfo(demo).absolutePath() + "/demo-runs").removeRecursively();
        };
        removeDemo(); // a failed earlier run may have left it
        {
            ui::MainWindow window;
            window.resize(1366, 768);
            window.show();
            QSignalSpy loaded(&window, &ui::MainWindow::workspaceLoaded);
            window.openDemoWorkspace();
            QVERIFY(loaded.wait(120000));
            auto* tabs = window.findChild<QTabWidget*>();
            QCOMPARE(tabs->currentIndex(), 0); // the Overview first, with the offer
            QVERIFY(window.findChild<QLabel*>("nextSteps")->text().contains("action:demo-experiment"));

            train::DemoExperimentOptions small;
            small.modelPath = test::sharedPath("models/stories260K/stories260K.bin");
            small.tokenizerPath = test::sharedPath("models/stories260K/tok512.bin");
            const bool full = qEnvironmentVariableIsSet("COTLAB_DEMO_FULL"); // the app's own settings, for docs/
            if (!full) {
                small.steps = 4;
                small.curveQuestions = {200};
                small.evaluationQuestions = 6;
                small.studyItems = 4;
            }
            QSignalSpy finished(window.demoJob(), &ui::BackgroundJob::finished);
            QVERIFY(window.startDemoExperiment(small));
            QVERIFY(window.findChild<QProgressBar*>("demoProgress")->isVisible());
            QVERIFY(finished.wait(full ? 3600000 : 300000));
            QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));
            QCOMPARE(finished.first().at(1).toString(), QString("finished"));
            QVERIFY(!window.findChild<QProgressBar*>("demoProgress")->isVisible());

            auto* history = window.trainPage()->findChild<QTableWidget*>("history");
            const int students = full ? 4 : 3;
            QTRY_COMPARE(history->rowCount(), students);
            auto* results = window.evaluatePage()->findChild<QTableWidget*>("results");
            QTRY_COMPARE(results->rowCount(), students);
            auto* studies = window.reviewPage()->findChild<QListWidget*>("studies");
            QTRY_COMPARE(studies->count(), 1);
            QVERIFY(studies->item(0)->text().contains("demo: CoT student vs teacher"));
            QTRY_VERIFY(!window.findChild<QLabel*>("nextSteps")->text().contains("action:demo-experiment"));

            for (const QSize size : {QSize(1366, 768), QSize(1920, 1080)}) {
                window.resize(size);
                for (int page = 0; page < tabs->count(); ++page) {
                    tabs->setCurrentIndex(page);
                    QTest::qWait(200); // the page's store reads and plots
                    QVERIFY(test::screenshot(
                        window, QString("demo-%1-%2.png").arg(tabs->tabText(page).toLower()).arg(size.width())));
                }
            }
        }
        removeDemo(); // after the window and its connections are gone
    }
};

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
