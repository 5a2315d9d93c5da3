// The Evaluate page driven as a user would: students trained here (stories260K on generated coin-flip questions
// with chain-of-thought and label-only templates, two corpus sizes) evaluated from the form on a worker thread,
// stopped and resumed, the results table beside the store, the per-question view and its filters, the three
// plots and saving them. With COTLAB_SCREENSHOT_DIR set it saves evaluate-page*.png there; with
// COTLAB_EVALUATE_WORKSPACE also set, it shows that workspace's evaluations (an experiment's) and saves
// experiment-*.png (the screenshots in docs/experiments.md).
#include "browse/BrowsePage.h"
#include "browse/RationaleTableModel.h"
#include "common/QCustomPlotInclude.h"
#include "eval/Evaluation.h"
#include "evaluate/EvaluatePage.h"
#include "evaluate/EvaluationJob.h"
#include "store/EvaluationRepository.h"
#include "store/RationaleRepository.h"
#include "store/Workspace.h"
#include "support/Screenshots.h"
#include "support/TestSupport.h"
#include "train/TrainingRun.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

using namespace cotlab;

namespace {

int64_t trainStudent(const std::string& ws, const std::string& runDir, const std::string& format, int64_t questions)
{
    auto t = test::coinFlipTraining(ws, runDir, 8);
    t.name = std::filesystem::path(runDir).filename().string();
    t.selection.format = train::findPromptFormat(format);
    t.selection.questions = questions;
    const auto run = train::startRun(t, {}, nullptr);
    if (run.status != "finished")
        throw std::runtime_error("training did not finish");
    return run.runId;
}

int rowsShown(QTableWidget* t)
{
    return t->rowCount();
}

} // namespace

class TestEvaluatePage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void evaluateCompareAndPlot()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "train", 64, 2, 5);
        test::importCoinFlips(ws, dir.path(""), "test", 24, 2, 6);
        {
            // A question of the test split without a gold answer: left out, and the page's message says so.
            store::Workspace w(ws);
            w.db().exec("INSERT INTO instances (task_id, ext_id, split, question, gold, answer_kind) SELECT task_id, "
                        "'no-gold', split, question, '', answer_kind FROM instances WHERE split = 'test' LIMIT 1");
        }
        const int64_t cotSmall = trainStudent(ws, dir.path("cot-16"), "cot", 16);
        const int64_t cot = trainStudent(ws, dir.path("cot-64"), "cot", 64);
        const int64_t label = trainStudent(ws, dir.path("label-64"), "label", 64);

        ui::EvaluatePage page;
        page.resize(1500, 950);
        page.show();
        page.setWorkspace(QString::fromStdString(ws), {"coin_flip"});
        auto* runCombo = page.findChild<QComboBox*>("run");
        QTRY_COMPARE(runCombo->count(), 4); // "none" and the three finished runs (read on the page's store thread)
        auto* results = page.findChild<QTableWidget*>("results");
        QCOMPARE(results->rowCount(), 0);
        page.findChild<QSpinBox*>("maxNewTokens")->setValue(40);
        page.findChild<QSpinBox*>("batch")->setValue(8);

        // Evaluate each student from the form; the label-only one is stopped and resumed. Stop is pressed in the same
        // turn of the event loop as Start, so the job sees it before its first batch on any machine (waiting for a
        // progress value first raced: on a fast machine the 24 short label generations finished before the click).
        int64_t lastCut = -1; // generations of the last evaluation that reached the token limit
        int evaluations = 0;
        auto evaluate = [&](int64_t runId, bool stopEarly) {
            ++evaluations;
            runCombo->setCurrentIndex(runCombo->findData(qint64(runId)));
            QCOMPARE(page.findChild<QComboBox*>("task")->currentText(), QString("coin_flip"));
            QTest::mouseClick(page.findChild<QPushButton*>("start"), Qt::LeftButton);
            QVERIFY(page.job()->running());
            if (stopEarly) {
                QTest::mouseClick(page.findChild<QPushButton*>("stop"), Qt::LeftButton);
                QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 120000);
                QTRY_COMPARE(results->rowCount(), evaluations);
                QTRY_COMPARE(results->item(0, 9)->text(), QString("stopped"));
                QVERIFY(page.findChild<QPushButton*>("resume")->isEnabled());
                QTest::mouseClick(page.findChild<QPushButton*>("resume"), Qt::LeftButton);
                QVERIFY(page.job()->running());
            }
            QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 120000);
            QTRY_COMPARE(results->rowCount(), evaluations);
            QTRY_VERIFY(results->item(0, 9)->text().startsWith("finished"));
            // Rationales cut at the 40-token limit are counted in the page's message.
            const QString status = page.findChild<QLabel*>("status")->text();
            store::Workspace w(ws);
            const int64_t cut = store::EvaluationRepository(w.db()).countAtTokenLimit(
                results->item(0, 0)->data(Qt::UserRole).toLongLong(), 40);
            QVERIFY2(status.contains(QString("%1 of 24 generations reached the limit of 40 new tokens").arg(cut)) ==
                         (cut > 0),
                     qPrintable(status));
            QCOMPARE(results->item(0, 9)->text(),
                     cut > 0 ? QString("finished · %1 cut at 40 tokens").arg(cut) : QString("finished"));
            QVERIFY2(status.contains("1 question of the split has no gold answer and was left out (not scored)"),
                     qPrintable(status));
            lastCut = cut;
        };
        evaluate(cotSmall, false);
        evaluate(cot, false);
        QVERIFY(lastCut > 0); // two-person coin-flip rationales are longer than 40 tokens
        evaluate(label, true);
        QCOMPARE(lastCut, int64_t(0));
        QCOMPARE(results->rowCount(), 3);

        store::Workspace w(ws);
        store::EvaluationRepository evals(w.db());
        const auto stored = evals.list(); // newest first, like the table
        QCOMPARE(stored.size(), size_t(3));
        for (int row = 0; row < 3; ++row) {
            const auto& e = stored[size_t(row)];
            QCOMPARE(e.done, int64_t(24));
            QCOMPARE(results->item(row, 8)->text(), QString("24"));
            QVERIFY2(results->item(row, 7)->text().startsWith(QString::number(100.0 * e.accuracy->estimate, 'f', 1)),
                     qPrintable(results->item(row, 7)->text()));
        }
        QCOMPARE(results->item(0, 3)->text(), QString("label · 64 questions · 64 examples"));
        QCOMPARE(results->item(2, 3)->text(), QString("cot · 16 questions · 16 examples"));
        QVERIFY(results->item(0, 6)->text().startsWith("Label only · greedy"));

        // The generated rationales are student rationales of that student, one per question.
        int64_t studentRationales = 0;
        store::RationaleRepository(w.db()).forEachInstance(
            std::string("coin_flip"), [&](const store::InstanceRecord&, const std::vector<store::RationaleRecord>& rs) {
                for (const auto& r : rs)
                    studentRationales += r.sourceKind == "student" && r.model == "cot-64";
                return true;
            });
        QCOMPARE(studentRationales, int64_t(24));

        // ... and the Browse page shows them when the evaluation's button asks for it.
        ui::BrowsePage browse;
        browse.setWorkspace(QString::fromStdString(ws));
        connect(&page, &ui::EvaluatePage::browseRationales, &browse,
                [&](const QString& model) { browse.showRationalesOf("student", model); });
        results->selectRow(1);
        QCOMPARE(results->item(1, 1)->text(), QString("cot-64"));
        QTest::mouseClick(page.findChild<QPushButton*>("browseRationales"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!browse.model()->counting() && browse.model()->rowCount() == 24, 10000);
        QCOMPARE(browse.filter().sourceKind, std::optional<std::string>("student"));
        QCOMPARE(browse.filter().model, std::optional<std::string>("cot-64"));
        QTRY_COMPARE(browse.model()->data(browse.model()->index(0, ui::RationaleTableModel::Model)).toString(),
                     QString("cot-64"));

        // One evaluation selected: its questions, filtered.
        page.selectEvaluations({stored[1].id});
        auto* questions = page.findChild<QTableWidget*>("questions");
        QTRY_VERIFY(!page.selectionPending() && rowsShown(questions) == 24);
        auto* filter = page.findChild<QComboBox*>("filter");
        filter->setCurrentIndex(filter->findText("Student wrong"));
        QCOMPARE(int64_t(rowsShown(questions)), stored[1].done - stored[1].correct);
        filter->setCurrentIndex(filter->findText("Student wrong, teacher right"));
        // The generated questions' rule-written rationales are all right, so every student error is one.
        QCOMPARE(int64_t(rowsShown(questions)), stored[1].done - stored[1].correct);
        filter->setCurrentIndex(filter->findText("Student right"));
        QCOMPARE(int64_t(rowsShown(questions)), stored[1].correct);
        filter->setCurrentIndex(0);
        questions->selectRow(0);
        QVERIFY(test::screenshot(page, "evaluate-page.png"));

        // All three selected: the plots compare them.
        page.selectEvaluations({stored[0].id, stored[1].id, stored[2].id});
        auto* accuracy = page.plot("accuracy");
        QCOMPARE(accuracy->plottableCount(), 4); // student bars, teacher bars and their error bars
        auto* studentBars = qobject_cast<QCPBars*>(accuracy->plottable(0));
        QVERIFY(studentBars);
        QCOMPARE(studentBars->dataCount(), 3);
        auto* curve = page.plot("curve");
        QCOMPARE(curve->graphCount(), 2); // CoT (16 and 64 questions) and label only (64)
        QCOMPARE(curve->graph(0)->dataCount() + curve->graph(1)->dataCount(), 3);
        auto* cotPlot = page.plot("cot");
        auto* cotBars = qobject_cast<QCPBars*>(cotPlot->plottable(0));
        QVERIFY(cotBars);
        QCOMPARE(cotBars->dataCount(), 1);
        QCOMPARE(cotBars->data()->at(0)->value, 100.0 * stored[1].accuracy->estimate); // the latest CoT student
        // Two selected: the same questions compared, with McNemar's test.
        QSignalSpy compared(&page, &ui::EvaluatePage::resultsShown);
        page.selectEvaluations({stored[1].id, stored[2].id});
        QTRY_VERIFY(compared.count() > 0 && !page.selectionPending());
        const QString pair = page.findChild<QLabel*>("contrast")->text();
        QVERIFY2(pair.contains("on the 24 questions both answered") && pair.contains("McNemar exact p ="),
                 qPrintable(pair));
        page.selectEvaluations({stored[0].id, stored[1].id, stored[2].id});
        page.views()->setCurrentIndex(1);
        QVERIFY(test::screenshot(page, "evaluate-accuracy.png"));
        page.views()->setCurrentIndex(2);
        QVERIFY(test::screenshot(page, "evaluate-learning-curve.png"));
        page.views()->setCurrentIndex(3);
        QVERIFY(test::screenshot(page, "evaluate-with-without-cot.png"));

        // Saving: PNG and PDF files; a folder that does not exist is refused.
        const QString png = QString::fromStdString(dir.path("curve.png"));
        const QString pdf = QString::fromStdString(dir.path("cot.pdf"));
        QVERIFY(page.savePlotTo("curve", png));
        QVERIFY(page.savePlotTo("cot", pdf));
        QFile pngFile(png), pdfFile(pdf);
        QVERIFY(pngFile.open(QIODevice::ReadOnly));
        QCOMPARE(pngFile.read(4), QByteArray("\x89PNG"));
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QCOMPARE(pdfFile.read(5), QByteArray("%PDF-"));
        QVERIFY(!page.savePlotTo("curve", QString::fromStdString(dir.path("missing/curve.png"))));
    }

    // A contrast evaluation selected: the comparison with the same student's originals shows under the results.
    void contrastComparisonIsShown()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "train", 32, 2, 5);
        test::importCoinFlips(ws, dir.path(""), "test", 8, 2, 6);
        QCOMPARE(test::importCoinFlipContrast(ws, dir.path("")), int64_t(8));
        const int64_t run = trainStudent(ws, dir.path("student"), "cot", 0);
        eval::EvaluationRequest r;
        r.workspace = ws;
        r.runId = run;
        r.task = "coin_flip";
        r.maxNewTokens = 24;
        const auto original = eval::startEvaluation(r, {}, nullptr);
        r.split = "contrast";
        const auto contrast = eval::startEvaluation(r, {}, nullptr);

        ui::EvaluatePage page;
        page.setWorkspace(QString::fromStdString(ws), {"coin_flip"});
        auto* label = page.findChild<QLabel*>("contrast");
        QTRY_COMPARE(page.findChild<QTableWidget*>("results")->rowCount(), 2);
        QSignalSpy shown(&page, &ui::EvaluatePage::resultsShown);
        page.selectEvaluations({original.evaluationId});
        QTRY_COMPARE(shown.count(), 1);
        QVERIFY(label->isHidden()); // the originals name no original themselves
        page.selectEvaluations({contrast.evaluationId});
        QTRY_VERIFY(!label->isHidden());
        const auto report = eval::compareWithOriginals(ws, contrast.evaluationId);
        QCOMPARE(report.difference.n, int64_t(8));
        QVERIFY2(label->text().contains("(8 pairs)"), qPrintable(label->text()));
        QVERIFY(label->text().contains(
            QString("difference %1").arg(QString::fromStdString(stats::describe(report.difference)))));
        QVERIFY(label->text().contains("Questions naming no original in the workspace: 1."));
    }

    void experimentScreenshots()
    {
        const QString workspace = qEnvironmentVariable("COTLAB_EVALUATE_WORKSPACE");
        if (workspace.isEmpty() || qEnvironmentVariableIsEmpty("COTLAB_SCREENSHOT_DIR"))
            QSKIP("COTLAB_EVALUATE_WORKSPACE and COTLAB_SCREENSHOT_DIR not set");
        QStringList tasks;
        {
            store::Workspace w(workspace.toStdString());
            for (const auto& e : store::EvaluationRepository(w.db()).list())
                if (!tasks.contains(QString::fromStdString(e.task)))
                    tasks << QString::fromStdString(e.task);
        }
        ui::EvaluatePage page;
        page.resize(1500, 950);
        page.show();
        page.setWorkspace(workspace, tasks);
        auto* results = page.findChild<QTableWidget*>("results");
        QTRY_VERIFY(results->rowCount() > 0);
        int shown = 0; // the newest chain-of-thought evaluation, when there is one
        for (int row = results->rowCount() - 1; row >= 0; --row)
            if (results->item(row, 6)->text().startsWith("CoT"))
                shown = row;
        page.selectEvaluations({results->item(shown, 0)->data(Qt::UserRole).toLongLong()});
        QTRY_VERIFY(page.findChild<QTableWidget*>("questions")->rowCount() > 0);
        page.findChild<QComboBox*>("filter")->setCurrentIndex(1);
        page.findChild<QTableWidget*>("questions")->selectRow(1);
        QVERIFY(test::screenshot(page, "experiment-evaluate-page.png"));
        QList<qint64> all;
        for (int row = 0; row < results->rowCount(); ++row)
            all << results->item(row, 0)->data(Qt::UserRole).toLongLong();
        page.selectEvaluations(all);
        for (int tab = 1; tab <= 3; ++tab) {
            page.views()->setCurrentIndex(tab);
            QVERIFY(test::screenshot(page, qPrintable(QString("experiment-plot-%1.png").arg(tab))));
        }
        const QString dir = qEnvironmentVariable("COTLAB_SCREENSHOT_DIR");
        QVERIFY(page.savePlotTo("curve", dir + "/experiment-learning-curve.png"));
        QVERIFY(page.savePlotTo("cot", dir + "/experiment-with-without-cot.png"));
    }

    // Right after a run finishes, Evaluate offers that run (not "none: the model below"), with its task.
    void aNewlyFinishedRunIsChosen()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "train", 16, 2, 5);
        ui::EvaluatePage page;
        page.setWorkspace(QString::fromStdString(ws), {"addsub", "coin_flip"});
        auto* runCombo = page.findChild<QComboBox*>("run");
        auto* task = page.findChild<QComboBox*>("task");
        task->setCurrentText("addsub");
        QTRY_COMPARE(runCombo->count(), 1);
        QCOMPARE(runCombo->currentData().toLongLong(), qint64(0));
        const int64_t run = trainStudent(ws, dir.path("cot-16"), "cot", 16);
        page.setWorkspace(QString::fromStdString(ws), {"addsub", "coin_flip"}); // what the main window does then
        QTRY_COMPARE(runCombo->currentData().toLongLong(), qint64(run));
        QCOMPARE(task->currentText(), QString("coin_flip"));
        QVERIFY(!page.findChild<QLineEdit*>("model")->isEnabled());
        // The same workspace opened afresh: its runs are not new, and the choice is the user's.
        ui::EvaluatePage fresh;
        fresh.setWorkspace(QString::fromStdString(ws), {"coin_flip"});
        auto* freshRuns = fresh.findChild<QComboBox*>("run");
        QTRY_COMPARE(freshRuns->count(), 2);
        QCOMPARE(freshRuns->currentData().toLongLong(), qint64(0));
    }

    void badInputIsExplained()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "train", 8, 2, 5);
        ui::EvaluatePage page;
        page.setWorkspace(QString::fromStdString(ws), {"coin_flip"});
        auto* message = page.findChild<QLabel*>("message");
        page.setModelPath(QString::fromStdString(dir.path("no-such-model")));
        page.start();
        QVERIFY(!page.job()->running());
        QVERIFY(message->text().contains("Student:"));
        // A real model but a split without questions: the job reports it and nothing is recorded.
        page.setModelPath(QString::fromStdString(test::sharedPath("models/stories260K/stories260K.bin")),
                          QString::fromStdString(test::sharedPath("models/stories260K/tok512.bin")));
        page.findChild<QComboBox*>("split")->setCurrentText("dev");
        page.start();
        QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 60000);
        QVERIFY2(message->text().contains("no dev instances"), qPrintable(message->text()));
        QCOMPARE(page.findChild<QTableWidget*>("results")->rowCount(), 0);
        QTRY_VERIFY(page.findChild<QMessageBox*>("failureDialog"));
        delete page.findChild<QMessageBox*>("failureDialog");

        // Model folders from the internet, damaged in each way TestBadModels checks in core: each run ends in a
        // dialog that names the file and what is wrong, and nothing is recorded.
        const std::string tokenizer = test::sharedPath("models/stories260K/tok512.bin");
        int copies = 0;
        auto damaged = [&](const std::function<void(const std::string& folder)>& damage) {
            const std::string folder = dir.path("damaged-" + std::to_string(++copies));
            std::filesystem::copy(test::testDataPath("gpt2-tiny"), folder);
            damage(folder);
            return folder;
        };
        auto setHeaderLength = [](const std::string& file, uint64_t length) {
            std::fstream(file, std::ios::in | std::ios::out | std::ios::binary)
                .write(reinterpret_cast<const char*>(&length), 8);
        };
        const std::vector<std::pair<std::string, QStringList>> cases{
            {damaged([](const std::string& f) {
                 auto config = nlohmann::json::parse(std::ifstream(f + "/config.json"));
                 config["n_head"] = 0;
                 test::writeFile(f + "/config.json", config.dump());
             }),
             {"config.json", "'n_head' is 0"}},
            {damaged([](const std::string& f) {
                 std::filesystem::resize_file(f + "/model.safetensors",
                                              std::filesystem::file_size(f + "/model.safetensors") / 2);
             }),
             {"model.safetensors", "truncated download?"}},
            {damaged([&](const std::string& f) { setHeaderLength(f + "/model.safetensors", uint64_t(1) << 60); }),
             {"model.safetensors", "bad header length"}},
        };
        page.findChild<QComboBox*>("split")->setCurrentText("train");
        for (const auto& [folder, expected] : cases) {
            page.setModelPath(QString::fromStdString(folder), QString::fromStdString(tokenizer));
            page.start();
            QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 60000);
            QMessageBox* dialog = nullptr;
            QTRY_VERIFY((dialog = page.findChild<QMessageBox*>("failureDialog")));
            for (const QString& fragment : expected)
                QVERIFY2(dialog->informativeText().contains(fragment), qPrintable(dialog->informativeText()));
            if (&folder == &cases.front().first)
                QVERIFY(test::screenshot(*dialog, "damaged-model-dialog.png"));
            delete dialog;
            QCOMPARE(page.findChild<QTableWidget*>("results")->rowCount(), 0); // nothing recorded
        }
    }
};

QTEST_MAIN(TestEvaluatePage)
#include "TestEvaluatePage.moc"
