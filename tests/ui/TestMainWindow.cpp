// The real main window, offscreen: open a workspace, see its tasks and counts; build and open the demo.
#include "MainWindow.h"
#include "WorkspaceSummary.h"
#include "async/JobRunner.h"
#include "ingest/Importer.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QListWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
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
        }
        ui::MainWindow window;
        QAbstractItemModelTester tester(window.summary(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.show();
        QSignalSpy loaded(&window, &ui::MainWindow::workspaceLoaded);
        window.openWorkspace(QString::fromStdString(path));
        QVERIFY(loaded.wait(10000));
        QCOMPARE(window.summary()->rowCount(), 3);
        QCOMPARE(window.summary()->item(0, 0)->text(), QString("toy_choice"));
        QCOMPARE(window.summary()->item(0, 2)->data(Qt::UserRole).toLongLong(), 1);
        QVERIFY(window.summary()->item(0, 6)->text().startsWith("50.0%"));
        bool sawCounts = false;
        for (auto* label : window.statusBar()->findChildren<QLabel*>())
            sawCounts |= label->text().contains("3 tasks") && label->text().contains("6 teacher rationales");
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
        QCOMPARE(window.summary()->item(generated, 2)->data(Qt::UserRole).toLongLong(), 3 * 800 + 200);
        const int csqa = int(tasks.indexOf("commonsense_qa"));
        QCOMPARE(window.summary()->item(csqa, 4)->data(Qt::UserRole).toLongLong(), 1221 + 2000);
        const int date40 = int(tasks.indexOf("date_mmddyyyy"));
        QCOMPARE(window.summary()->item(date40, 5)->text(), QString("40.00"));
        QFile::remove(demo);
    }
};

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
