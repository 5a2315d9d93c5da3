// The Train page driven as a user would: a run on real rationales (MultiArith, text-davinci-002) with the real
// stories260K student, live progress while the event loop stays responsive, Stop, Resume, and two runs
// overlaid; the memory plan of a 7B-shaped student and a LoRA run whose final/ is a PEFT adapter. With
// COTLAB_SCREENSHOT_DIR set it saves train-page-running.png, train-page-overlay.png and train-page-lora.png there.
#include "common/PromptFormatPicker.h"
#include "common/QCustomPlotInclude.h"
#include "ingest/Importer.h"
#include "ingest/SymbolicTasks.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "support/Screenshots.h"
#include "support/TestSupport.h"
#include "train/DistributedEnv.h"
#include "train/TokenPreviewDialog.h"
#include "train/TrainPage.h"
#include "train/TrainingJob.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QWheelEvent>
#include <QtTest>
#include <fstream>

using namespace cotlab;

class TestTrainPage : public QObject {
    Q_OBJECT

    // The real stories260K student with its tokenizer.
    static void useStories260K(ui::TrainPage& page)
    {
        page.setModelPath(QString::fromStdString(test::sharedPath("models/stories260K/stories260K.bin")),
                          QString::fromStdString(test::sharedPath("models/stories260K/tok512.bin")));
    }

    // A workspace with text-davinci-002's MultiArith rationales.
    static std::string multiarithWorkspace(const test::TempDir& dir)
    {
        const std::string ws = dir.path("w.cotlab");
        store::Workspace w(ws);
        ingest::Importer::importFile(w.db(),
                                     test::sharedPath("data/teacher/zero-shot-cot-davinci002/multiarith.jsonl"));
        return ws;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the remembered settings go to a test folder
        QCoreApplication::setApplicationName("CoTLabTrainPageTest");
    }

    void init() { QSettings().clear(); } // each test starts as a first start of the app

    // A newcomer's first Start works: of a workspace whose first task has no train rationales, the page chooses the
    // task whose train questions have teacher rationales; the next start of the app opens with the settings of the
    // last run started.
    void startsOnATrainableTaskAndRemembersItsSettings()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        test::importCoinFlips(ws, dir.path(""), "test", 8, 2, 5); // coin_flip: test questions only
        {
            ingest::SymbolicTaskOptions o;
            o.task = "last_letter_concatenation";
            o.split = "train";
            o.count = 16;
            o.items = 2;
            std::ofstream out(dir.path("letters.jsonl"));
            ingest::writeSymbolicTask(o, out);
        }
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(), dir.path("letters.jsonl"));
        }
        const QStringList tasks{"coin_flip", "last_letter_concatenation"};
        {
            ui::TrainPage page;
            page.resize(1400, 900);
            page.show();
            page.setWorkspace(QString::fromStdString(ws), tasks);
            auto* task = page.findChild<QComboBox*>("task");
            QTRY_COMPARE(task->currentText(), QString("last_letter_concatenation"));
            QVERIFY(test::screenshot(page, "train-page-first-start.png")); // charts without placeholder scales
            useStories260K(page);
            page.findChild<QSpinBox*>("steps")->setValue(2);
            page.findChild<QSpinBox*>("batch")->setValue(3);
            page.findChild<QSpinBox*>("maxLength")->setValue(96);
            page.findChild<QLineEdit*>("output")->setText(QString::fromStdString(dir.path("run")));
            page.start();
            QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 120000);
            store::Workspace w(ws);
            const auto runs = store::RunRepository(w.db()).list();
            QCOMPARE(runs.size(), size_t(1));
            QCOMPARE(runs[0].status, std::string("finished"));
        }
        ui::TrainPage again; // the app started again
        again.setWorkspace(QString::fromStdString(ws), tasks);
        QCOMPARE(again.findChild<QComboBox*>("task")->currentText(), QString("last_letter_concatenation"));
        QCOMPARE(again.findChild<QSpinBox*>("batch")->value(), 3);
        QCOMPARE(again.findChild<QSpinBox*>("steps")->value(), 2);
        QVERIFY(again.findChild<QLineEdit*>("model")->text().endsWith("stories260K.bin"));
        QVERIFY(again.findChild<QLineEdit*>("output")->text() != QString::fromStdString(dir.path("run")));
    }

    // The prompt format comes from the built-ins (described below the list) or a file of one's own, which stays
    // listed at the next start; a run records the format it trained with.
    void promptFormatsFromTheListOrAFile()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = multiarithWorkspace(dir);
        const std::string mine = test::writeFile(
            dir.path("mine.json"),
            R"({"name": "mine", "title": "My layout", "description": "Question, then the rationale.", "source": "a test",
                "examples": [{"prompt": "Question: {{ question }}\nAnswer:", "target": " {{ rationale }}"}]})");
        const std::string bad = test::writeFile(dir.path("bad.json"),
                                                R"({"name": "bad", "description": "d", "source": "s", "examples": 3})");
        {
            ui::TrainPage page;
            page.resize(1366, 768);
            page.show();
            page.setWorkspace(QString::fromStdString(ws), {"multiarith"});
            QTRY_COMPARE(page.findChild<QComboBox*>("task")->currentText(), QString("multiarith"));
            auto* picker = page.findChild<ui::PromptFormatPicker*>();
            QVERIFY(picker);
            QVERIFY(picker->combo()->count() >= 8);
            QCOMPARE(picker->combo()->currentData().toString(), QString("cot"));
            picker->choose("scotd");
            QCOMPARE(picker->combo()->currentText(), QString("SCoTD"));
            QVERIFY(page.findChild<QLabel*>("templateAbout")->text().contains("Li et al."));
            QString problem;
            QVERIFY(!picker->openFile(QString::fromStdString(bad), &problem));
            QVERIFY2(problem.contains(QString::fromStdString(bad) + ": examples: expected a list"),
                     qPrintable(problem));
            QCOMPARE(picker->combo()->currentData().toString(), QString("scotd")); // a bad file changes nothing
            page.findChild<QScrollArea*>()->ensureWidgetVisible(picker, 0, 120);
            QVERIFY(test::screenshot(page, "train-page-prompt-format.png"));

            useStories260K(page);
            page.findChild<QComboBox*>("split")->setCurrentText("test"); // the rationales are of MultiArith's test set
            page.findChild<QSpinBox*>("steps")->setValue(2);
            page.findChild<QSpinBox*>("batch")->setValue(2);
            page.findChild<QLineEdit*>("output")->setText(QString::fromStdString(dir.path("run")));
            page.start();
            QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 120000);
            store::Workspace w(ws);
            const auto runs = store::RunRepository(w.db()).list();
            QVERIFY2(runs.size() == 1, qPrintable(page.findChild<QLabel*>("message")->text()));
            QCOMPARE(runs[0].status, std::string("finished"));
            QVERIFY2(runs[0].recipeJson.find("\"template\":\"scotd\"") != std::string::npos,
                     runs[0].recipeJson.c_str());

            QVERIFY(picker->openFile(QString::fromStdString(mine), &problem));
            QCOMPARE(picker->combo()->currentText(), QString("My layout (mine.json)"));
            QCOMPARE(picker->format()->name(), std::string("mine"));
        }
        ui::TrainPage again; // the next start lists the file opened before
        const auto* combo = again.findChild<ui::PromptFormatPicker*>()->combo();
        QVERIFY(combo->findData(QString::fromStdString(mine)) >= 0);
        QVERIFY(combo->findData(QString::fromStdString(bad)) < 0);
    }

    // Preview Tokens: the MultiArith examples tokenised as the run will, their lengths against the max length (some
    // cut at 128 tokens), and an example token by token with the loss on the target alone.
    void previewTokensShowsLengthsAndTheLossMask()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = multiarithWorkspace(dir);
        ui::TrainPage page;
        page.resize(1366, 768);
        page.show();
        page.setWorkspace(QString::fromStdString(ws), {"multiarith"});
        QTRY_COMPARE(page.findChild<QComboBox*>("task")->currentText(), QString("multiarith"));
        page.findChild<QPushButton*>("previewTokens")->click(); // no student yet: said, nothing opens
        QVERIFY2(page.findChild<QLabel*>("message")->text().startsWith("Model:"),
                 qPrintable(page.findChild<QLabel*>("message")->text()));
        useStories260K(page);
        page.findChild<QComboBox*>("split")->setCurrentText("test");
        page.findChild<QSpinBox*>("maxLength")->setValue(128);
        page.findChild<QPushButton*>("previewTokens")->click();
        ui::TokenPreviewDialog* dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = page.findChild<ui::TokenPreviewDialog*>()) && dialog->isVisible(), 60000);
        const QString summary = dialog->findChild<QLabel*>("lengthSummary")->text();
        QVERIFY2(summary.contains("examples<br/>prompt tokens: mean") && summary.contains("max length 128: ") &&
                     summary.contains(" cut (the end of their target is lost)"),
                 qPrintable(summary));
        auto* plot = dialog->findChild<QCustomPlot*>("lengthHistogram");
        QCOMPARE(plot->plottableCount(), 3); // prompt, target and total
        // The first example: its tokens shown, those of the target on green.
        const QString html = dialog->findChild<QTextBrowser*>("tokens")->toHtml();
        QVERIFY2(html.contains("#d6f3dd") && html.contains("#ececec"), qPrintable(html.left(400)));
        dialog->findChild<QCheckBox*>("showIds")->setChecked(true);
        QVERIFY(dialog->findChild<QTextBrowser*>("tokens")->toHtml().contains("vertical-align:sub"));
        dialog->findChild<QSpinBox*>("example")->setValue(2);
        QVERIFY(dialog->findChild<QTextBrowser*>("tokens")->toPlainText().size() > 20);
        dialog->findChild<QCheckBox*>("showIds")->setChecked(false);
        QVERIFY(test::screenshot(*dialog, "train-page-token-preview.png"));
    }

    // Each workspace has its own settings: the page opens a workspace with those of the last run started on it.
    void remembersSettingsPerWorkspace()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string a = dir.path("a.cotlab"), b = dir.path("b.cotlab");
        test::importCoinFlips(a, dir.path(""), "train", 16, 2, 1);
        test::importCoinFlips(b, dir.path(""), "train", 16, 2, 2);
        ui::TrainPage page;
        const auto runOn = [&](const std::string& ws, int batch, const char* out) {
            page.setWorkspace(QString::fromStdString(ws), {"coin_flip"});
            useStories260K(page);
            page.findChild<QSpinBox*>("steps")->setValue(1);
            page.findChild<QSpinBox*>("batch")->setValue(batch);
            page.findChild<QSpinBox*>("maxLength")->setValue(96);
            page.findChild<QLineEdit*>("output")->setText(QString::fromStdString(dir.path(out)));
            page.start();
            QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 120000);
        };
        runOn(a, 3, "run-a");
        runOn(b, 5, "run-b");
        ui::TrainPage again; // the app started again
        again.setWorkspace(QString::fromStdString(a), {"coin_flip"});
        QCOMPARE(again.findChild<QSpinBox*>("batch")->value(), 3);
        again.setWorkspace(QString::fromStdString(b), {"coin_flip"});
        QCOMPARE(again.findChild<QSpinBox*>("batch")->value(), 5);
        const std::string c = dir.path("c.cotlab"); // never trained on: the last run's settings
        test::importCoinFlips(c, dir.path(""), "train", 4, 2, 3);
        again.setWorkspace(QString::fromStdString(c), {"coin_flip"});
        QCOMPARE(again.findChild<QSpinBox*>("batch")->value(), 5);
    }

    void trainStopResumeAndOverlay()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = multiarithWorkspace(dir);
        ui::TrainPage page;
        page.resize(1400, 900);
        page.show();
        page.setWorkspace(QString::fromStdString(ws), {"multiarith"});
        useStories260K(page);
        page.findChild<QComboBox*>("split")->setCurrentText("test");
        page.findChild<QSpinBox*>("steps")->setValue(40);
        page.findChild<QSpinBox*>("batch")->setValue(8);
        page.findChild<QSpinBox*>("warmup")->setValue(2);
        page.findChild<QSpinBox*>("maxLength")->setValue(160);
        page.findChild<QLineEdit*>("lr")->setText("2e-3");
        page.findChild<QLineEdit*>("output")->setText(QString::fromStdString(dir.path("run-a")));

        // The event loop keeps turning while the model trains on the worker thread.
        qint64 longestGap = 0;
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0;
        QTimer tick;
        QObject::connect(&tick, &QTimer::timeout, [&] {
            longestGap = std::max(longestGap, clock.elapsed() - last);
            last = clock.elapsed();
        });
        tick.start(20);
        QTest::mouseClick(page.findChild<QPushButton*>("start"), Qt::LeftButton);
        QVERIFY(page.job()->running());
        auto* progress = page.findChild<QProgressBar*>("progress");
        QTRY_VERIFY_WITH_TIMEOUT(progress->value() >= 12, 120000);
        qInfo() << "longest gap between GUI timer ticks while training:" << longestGap << "ms";
        QVERIFY(longestGap < 1000);
        QVERIFY(test::screenshot(page, "train-page-running.png"));

        QTest::mouseClick(page.findChild<QPushButton*>("stop"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 60000);
        auto* history = page.findChild<QTableWidget*>("history");
        QTRY_COMPARE(history->rowCount(), 1); // the history is read on the page's store thread
        QTRY_COMPARE(history->item(0, 2)->text(), QString("stopped"));

        history->selectRow(0);
        QVERIFY(page.findChild<QPushButton*>("resume")->isEnabled());
        QTest::mouseClick(page.findChild<QPushButton*>("resume"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 120000);
        QTRY_COMPARE(history->item(0, 2)->text(), QString("finished"));
        QCOMPARE(history->item(0, 3)->text(), QString("40 / 40"));

        // A second run with another learning rate in bf16 mixed precision, then both overlaid.
        page.findChild<QLineEdit*>("lr")->setText("5e-4");
        auto* precision = page.findChild<QComboBox*>("precision");
        precision->setCurrentIndex(precision->findData("bf16"));
        page.findChild<QLineEdit*>("output")->setText(QString::fromStdString(dir.path("run-b")));
        QTest::mouseClick(page.findChild<QPushButton*>("start"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 120000);
        QTRY_COMPARE(history->rowCount(), 2);
        QTRY_COMPARE(history->item(1, 2)->text(), QString("finished"));
        {
            store::Workspace w(ws);
            const auto run = store::RunRepository(w.db()).find(2);
            QVERIFY(run);
            QVERIFY2(run->configJson.find("\"precision\":\"bf16\"") != std::string::npos, run->configJson.c_str());
        }
        page.selectRuns({1, 2});
        auto* loss = page.findChild<QCustomPlot*>("lossPlot");
        QTRY_COMPARE(loss->graphCount(), 2);
        QCOMPARE(loss->graph(0)->dataCount(), 40);
        QCOMPARE(loss->graph(1)->dataCount(), 40);
        QVERIFY(test::screenshot(page, "train-page-overlay.png"));

        // A finished run leaves a new output folder for the next Start; starting into a folder that holds a run is
        // refused with the reason.
        auto* output = page.findChild<QLineEdit*>("output");
        QVERIFY(output->text() != QString::fromStdString(dir.path("run-b")));
        output->setText(QString::fromStdString(dir.path("run-b")));
        QTest::mouseClick(page.findChild<QPushButton*>("start"), Qt::LeftButton);
        QVERIFY(!page.job()->running());
        QVERIFY(page.findChild<QLabel*>("message")->text().contains("already holds a run"));
    }

    // The plan follows the settings: a 7B-shaped student does not fit in full fine-tuning (16 bytes per parameter
    // before activations), the page names settings that would; LoRA trains a fraction of the parameters; a LoRA
    // run trains, shows its method and leaves a PEFT adapter in final/.
    void memoryPlanAndLoraRun()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = multiarithWorkspace(dir);
        const std::string big = dir.path("llama-7b");
        std::filesystem::create_directories(big);
        test::writeFile(big + "/config.json",
                        R"({"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
                            "num_attention_heads": 32, "intermediate_size": 11008, "vocab_size": 32000,
                            "max_position_embeddings": 4096})");
        ui::TrainPage page;
        page.resize(1400, 900);
        page.show();
        page.setWorkspace(QString::fromStdString(ws), {"multiarith"});
        page.setModelPath(QString::fromStdString(big));
        auto* plan = page.findChild<QLabel*>("memoryPlan");
        QVERIFY2(plan->text().contains("does not fit") || plan->text().contains("free memory is unknown"),
                 qPrintable(plan->text()));
        QVERIFY2(plan->text().contains("6,738,415,616 trained parameters"), qPrintable(plan->text()));
        if (plan->text().contains("does not fit"))
            QVERIFY2(plan->text().contains("Would fit") || plan->text().contains("does not fit"),
                     qPrintable(plan->text()));
        auto* method = page.findChild<QComboBox*>("method");
        method->setCurrentIndex(method->findData("lora"));
        // PEFT's default for Llama: q_proj and v_proj, r 16: 32 layers x 2 x 16 x (4096 + 4096).
        QVERIFY2(plan->text().contains("8,388,608 trained parameters"), qPrintable(plan->text()));

        useStories260K(page);
        page.findChild<QComboBox*>("loraTargets")->setCurrentText("all-linear");
        page.findChild<QCheckBox*>("checkpointing")->setChecked(true);
        page.findChild<QComboBox*>("split")->setCurrentText("test");
        page.findChild<QSpinBox*>("steps")->setValue(6);
        page.findChild<QSpinBox*>("batch")->setValue(4);
        page.findChild<QSpinBox*>("maxLength")->setValue(160);
        page.findChild<QLineEdit*>("lr")->setText("1e-3");
        page.findChild<QLineEdit*>("output")->setText(QString::fromStdString(dir.path("lora-run")));
        QVERIFY2(plan->text().contains("Planned peak"), qPrintable(plan->text()));
        QTest::mouseClick(page.findChild<QPushButton*>("start"), Qt::LeftButton);
        QVERIFY2(page.job()->running(), qPrintable(page.findChild<QLabel*>("message")->text()));
        QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 120000);
        auto* history = page.findChild<QTableWidget*>("history");
        QTRY_COMPARE(history->rowCount(), 1);
        QTRY_COMPARE(history->item(0, 2)->text(), QString("finished"));
        QVERIFY2(history->item(0, 5)->text().startsWith("LoRA r 16, alpha 32"),
                 qPrintable(history->item(0, 5)->text()));
        QVERIFY2(history->item(0, 5)->text().contains("checkpointing"), qPrintable(history->item(0, 5)->text()));
        QVERIFY(std::filesystem::exists(dir.path("lora-run/final/adapter_config.json")));
        QVERIFY(std::filesystem::exists(dir.path("lora-run/final/adapter_model.safetensors")));
        history->selectRow(0);
        QVERIFY(test::screenshot(page, "train-page-lora.png"));
    }

    // The mouse wheel over a spin box the user has not clicked scrolls the settings instead of changing the value.
    void wheelScrollsTheFormNotTheSettings()
    {
        ui::TrainPage page;
        page.resize(1400, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* batch = page.findChild<QSpinBox*>("batch");
        QScrollArea* area = nullptr;
        for (QWidget* w = batch; w && !area; w = w->parentWidget())
            area = qobject_cast<QScrollArea*>(w);
        QVERIFY(area);
        const int value = batch->value(), position = area->verticalScrollBar()->value();
        const QPointF inside(5, 5);
        QWheelEvent wheel(inside, batch->mapToGlobal(inside), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(batch, &wheel);
        QCOMPARE(batch->value(), value);
        QVERIFY(area->verticalScrollBar()->value() > position);
        batch->setFocus(); // once clicked or tabbed into, the wheel is the spin box's
        QWheelEvent focused(inside, batch->mapToGlobal(inside), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                            Qt::NoScrollPhase, false);
        QApplication::sendEvent(batch, &focused);
        QCOMPARE(batch->value(), value + 1);
    }

    // Processes 2: the page starts two data-parallel cotlab-cli workers, shows their steps live from the workspace,
    // and records one run of two processes.
    void twoProcessesFromThePage()
    {
        COTLAB_REQUIRE_SHARED();
        if (!train::dataParallelAvailable())
            QSKIP("this build has no Gloo backend (libgloo-dev)");
        qputenv("COTLAB_CLI", COTLAB_CLI_PATH);
        test::TempDir dir;
        const std::string ws = multiarithWorkspace(dir);
        ui::TrainPage page;
        page.resize(1400, 900);
        page.show();
        page.setWorkspace(QString::fromStdString(ws), {"multiarith"});
        useStories260K(page);
        page.findChild<QSpinBox*>("processes")->setValue(2);
        page.findChild<QComboBox*>("split")->setCurrentText("test");
        page.findChild<QSpinBox*>("steps")->setValue(10);
        page.findChild<QSpinBox*>("batch")->setValue(4);
        page.findChild<QSpinBox*>("maxLength")->setValue(160);
        page.findChild<QLineEdit*>("output")->setText(QString::fromStdString(dir.path("two")));
        QTest::mouseClick(page.findChild<QPushButton*>("start"), Qt::LeftButton);
        QVERIFY2(page.job()->running(), qPrintable(page.findChild<QLabel*>("message")->text()));
        auto* progress = page.findChild<QProgressBar*>("progress");
        QTRY_VERIFY_WITH_TIMEOUT(progress->value() >= 3, 120000); // steps arrive live
        QTRY_VERIFY_WITH_TIMEOUT(!page.job()->running(), 120000);
        auto* history = page.findChild<QTableWidget*>("history");
        QTRY_COMPARE(history->rowCount(), 1);
        QTRY_COMPARE(history->item(0, 2)->text(), QString("finished"));
        QVERIFY2(history->item(0, 5)->text().endsWith(", 2 processes"), qPrintable(history->item(0, 5)->text()));
        QCOMPARE(history->item(0, 3)->text(), QString("10 / 10"));
        QVERIFY(std::filesystem::exists(dir.path("two/final/model.safetensors")));
    }
};

QTEST_MAIN(TestTrainPage)
#include "TestTrainPage.moc"
