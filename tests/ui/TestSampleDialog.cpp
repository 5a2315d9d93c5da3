// The Sample from Teacher dialog against `cotlab-cli serve` (the shared stories260K on localhost): the exact prompt
// previewed, the estimate of requests, a run that stores the samples, and the estimate after it. With
// COTLAB_SCREENSHOT_DIR set it writes docs/screenshots/sample-dialog.png.
#include "ingest/Importer.h"
#include "store/Workspace.h"
#include "support/Screenshots.h"
#include "support/TestSupport.h"
#include "teacher/SampleDialog.h"
#include "teacher/TeacherSamplingJob.h"

#include <QCheckBox>
#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

using namespace cotlab;

class TestSampleDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void previewEstimateAndSample()
    {
        COTLAB_REQUIRE_SHARED();
        test::ServeProcess server;
        QVERIFY2(!server.url.empty(), "cotlab-cli serve did not start");
        test::TempDir dir;
        const std::string ws = dir.path("sample.cotlab");
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(),
                                         test::sharedPath("data/teacher/zero-shot-cot-davinci002/multiarith.jsonl"));
        }
        ui::SampleDialog dialog(QString::fromStdString(ws), {"multiarith"});
        dialog.show();
        QSignalSpy preview(&dialog, &ui::SampleDialog::previewUpdated);
        QSignalSpy estimated(&dialog, &ui::SampleDialog::estimated);
        dialog.setEndpoint(QString::fromStdString(server.url), "stories260K");
        dialog.setSamples(3, 4);
        QVERIFY(QTest::qWaitFor([&] { return dialog.preview().contains("Let's think step by step."); }, 10000));
        {
            store::Workspace w(ws);
            const QString question =
                QString::fromStdString(test::textOf(w.db(), "SELECT question FROM instances ORDER BY id LIMIT 1"));
            QVERIFY2(dialog.preview().startsWith("Q: " + question + "\nA: Let's think step by step."),
                     qPrintable(dialog.preview()));
        }
        QVERIFY(dialog.preview().contains("Therefore, the answer (arabic numerals) is"));
        QVERIFY(QTest::qWaitFor([&] { return dialog.estimate().contains("4 instances, 12 samples"); }, 10000));
        QVERIFY2(dialog.estimate().contains("16 requests (12 of them answer calls)"), qPrintable(dialog.estimate()));

        QSignalSpy sampled(&dialog, &ui::SampleDialog::sampled);
        dialog.start();
        QVERIFY(sampled.wait(120000));
        store::Workspace w(ws);
        QCOMPARE(
            test::scalar(w.db(), "SELECT count(*) FROM rationales WHERE model = 'stories260K' AND logprob IS NOT NULL"),
            int64_t(12));
        QVERIFY(QTest::qWaitFor([&] { return dialog.estimate().contains("0 samples still missing"); }, 10000));
        QApplication::processEvents();
        QVERIFY(test::screenshot(dialog, "sample-dialog.png"));
    }

    // Opened on the task in view with small defaults; the exact prompt shows before a model is named; a hosted
    // endpoint needs prices; a plan above the limits is sent only after a yes.
    void guardsAgainstSurpriseBills()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("guard.cotlab");
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(),
                                         test::sharedPath("data/teacher/zero-shot-cot-davinci002/multiarith.jsonl"));
            ingest::Importer::importFile(w.db(),
                                         test::sharedPath("data/teacher/zero-shot-cot-davinci002/coin_flip.jsonl"));
        }
        ui::SampleDialog dialog(QString::fromStdString(ws), {"coin_flip", "multiarith"});
        dialog.setTasksInView({"multiarith"});
        dialog.setEndpoint("https://api.example.com/v1", "");
        QVERIFY(QTest::qWaitFor([&] { return dialog.preview().startsWith("Q: "); }, 10000)); // no model yet
        QSignalSpy estimated(&dialog, &ui::SampleDialog::estimated);
        dialog.setEndpoint("https://api.example.com/v1", "gpt-teacher");
        // The defaults: the task in view, 20 instances, 5 samples each: 100 samples.
        QVERIFY(QTest::qWaitFor([&] { return dialog.estimate().contains("20 instances, 100 samples"); }, 10000));
        auto* message = dialog.findChild<QLabel*>("message");
        dialog.start();
        QVERIFY2(message->text().contains("price"), qPrintable(message->text()));
        QVERIFY(!dialog.job()->running());

        // Priced, and above a limit of 50 requests: the question is asked, and "no" sends nothing.
        dialog.findChild<QCheckBox*>("free")->setChecked(true);
        dialog.setSpendingLimits({50, 5.0});
        QString asked;
        dialog.setConfirmation([&](const QString& question) {
            asked = question;
            return false;
        });
        dialog.start();
        QTRY_VERIFY(!asked.isEmpty());
        QVERIFY2(asked.contains("more than the limit of 50 requests"), qPrintable(asked));
        QVERIFY(!dialog.job()->running());
        QTRY_VERIFY(message->text().contains("Nothing was sent"));
    }
};

QTEST_MAIN(TestSampleDialog)
#include "TestSampleDialog.moc"
