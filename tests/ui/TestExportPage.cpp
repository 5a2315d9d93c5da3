// The Export page driven as a user would, on a real workspace (generated coin flips, the real stories260K student
// fine-tuned on them, fully and with LoRA, an evaluation of it and a blind study): each of the six kinds writes
// its file or folder, and what was written is read back. With COTLAB_SCREENSHOT_DIR set it saves
// export-page.png and export-page-written.png there.
#include "corpus/CorpusBuilder.h"
#include "corpus/Recipe.h"
#include "eval/Evaluation.h"
#include "export/ExportPage.h"
#include "ingest/Importer.h"
#include "report/Spreadsheet.h"
#include "review/Study.h"
#include "store/CorpusRepository.h"
#include "store/Workspace.h"
#include "support/Screenshots.h"
#include "support/TestSupport.h"
#include "train/TrainingRun.h"

#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace cotlab;

namespace {
int lines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    int n = 0;
    while (!f.readLine().isEmpty())
        ++n;
    return n;
}
} // namespace

class TestExportPage : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    std::string m_ws;
    int64_t m_corpusRationales = 0;

    // Sets the kind's target, presses Export and waits for the outcome.
    static QString exportTo(ui::ExportPage& page, ui::ExportPage::Kind kind, const QString& target,
                            bool expectOk = true)
    {
        page.showKind(kind);
        page.setTarget(target);
        QSignalSpy done(&page, &ui::ExportPage::exported);
        QTest::mouseClick(page.findChild<QPushButton*>("export"), Qt::LeftButton);
        if (!page.busy())
            return page.message(); // refused before starting: the message says why
        if (!done.wait(120000))
            return "timed out";
        if (done.first().first().toBool() != expectOk)
            qWarning() << "export outcome:" << done.first().last().toString();
        return page.message();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::haveShared())
            return;
        m_ws = m_dir.path("w.cotlab");
        test::importCoinFlips(m_ws, m_dir.path(""), "train", 48, 2, 5);
        test::importCoinFlips(m_ws, m_dir.path(""), "test", 8, 2, 5);
        store::Workspace w(m_ws);
        const auto recipe = corpus::recipeFromJson(R"({"version": 1, "steps": [
            {"step": "correctness", "keep": "correct"}, {"step": "per_instance", "k": 1, "by": "random", "seed": 0}]})");
        const auto built = corpus::buildCorpus(w.db(), recipe);
        m_corpusRationales = int64_t(built.members.size());
        store::CorpusRepository(w.db()).save("flips one each", corpus::recipeToJson(recipe), built);
        auto fullRequest = test::coinFlipTraining(m_ws, m_dir.path("run-full"), 3);
        fullRequest.name = "run-full";
        const auto full = train::startRun(fullRequest, {}, nullptr);
        QCOMPARE(full.status, std::string("finished"));
        auto lora = test::coinFlipTraining(m_ws, m_dir.path("run-lora"), 2);
        lora.name = "run-lora";
        lora.config.lora = nn::LoraConfig{};
        lora.config.lora->rank = 4;
        QCOMPARE(train::startRun(lora, {}, nullptr).status, std::string("finished"));
        eval::EvaluationRequest e;
        e.workspace = m_ws;
        e.runId = full.runId;
        e.task = "coin_flip";
        e.maxNewTokens = 16;
        QCOMPARE(eval::startEvaluation(e, {}, nullptr).status, std::string("finished"));
        review::StudySpec study;
        study.name = "flip study";
        study.mode = review::Mode::Single;
        study.sources = {review::parseSource("teacher")};
        study.size = 5;
        review::createStudy(w.db(), study);
    }

    void writesEveryKind()
    {
        COTLAB_REQUIRE_SHARED();
        ui::ExportPage page;
        page.resize(1366, 768);
        page.show();
        QSignalSpy shown(&page, &ui::ExportPage::choicesShown);
        page.setWorkspace(QString::fromStdString(m_ws));
        QVERIFY(shown.wait(10000));
        // Suggested beside the workspace, named after the choice.
        page.showKind(ui::ExportPage::Corpus);
        QCOMPARE(page.target(), QString::fromStdString(m_dir.path("flips-one-each-cot.jsonl")));
        QVERIFY(test::screenshot(page, "export-page.png"));

        const QString out = QString::fromStdString(m_dir.path("out"));
        QDir().mkpath(out);
        // 1. The corpus as prompt-completion JSONL: one example per rationale.
        QVERIFY(exportTo(page, ui::ExportPage::Corpus, out + "/corpus.jsonl").contains("Wrote"));
        QCOMPARE(lines(out + "/corpus.jsonl"), int(m_corpusRationales));
        {
            QFile f(out + "/corpus.jsonl");
            QVERIFY(f.open(QIODevice::ReadOnly));
            const auto first = QJsonDocument::fromJson(f.readLine()).object();
            QVERIFY(first.value("prompt").toString().startsWith("Q: "));
            QVERIFY(first.value("completion").toString().contains("So the answer is"));
        }
        // 2. The rationales as interchange JSONL import into a new workspace as they were.
        QVERIFY(exportTo(page, ui::ExportPage::Rationales, out + "/all.jsonl").contains("Exported"));
        {
            store::Workspace copy(m_dir.path("copy.cotlab"));
            ingest::Importer::importFile(copy.db(), (out + "/all.jsonl").toStdString());
            store::Workspace original(m_ws);
            const char* count = "SELECT COUNT(*) FROM rationales";
            QCOMPARE(test::scalar(copy.db(), count), test::scalar(original.db(), count));
        }
        // 3. The evaluation workbook: one item row per test question.
        QVERIFY(exportTo(page, ui::ExportPage::Evaluation, out + "/eval.xlsx").contains("Wrote"));
        QCOMPARE(report::readXlsx((out + "/eval.xlsx").toStdString(), "Items").size(), size_t(8 + 1));
        // 4. A blank label sheet needs an annotator; with one it has a row per item.
        page.showKind(ui::ExportPage::Study);
        auto* sheet = page.findChild<QComboBox*>("exportStudySheet");
        sheet->setCurrentIndex(sheet->findData("blank"));
        QVERIFY(exportTo(page, ui::ExportPage::Study, out + "/labels.csv").contains("enter a name"));
        page.findChild<QComboBox*>("exportAnnotator")->setCurrentText("ada");
        QVERIFY(exportTo(page, ui::ExportPage::Study, out + "/labels.csv").contains("Wrote"));
        QCOMPARE(report::readCsv((out + "/labels.csv").toStdString()).size(), size_t(5 + 1));
        // 5. Students: the full run as a Hugging Face folder; it has no adapter; the LoRA run's adapter.
        page.showKind(ui::ExportPage::Student);
        auto* run = page.findChild<QComboBox*>("exportRun");
        QCOMPARE(run->count(), 2);
        run->setCurrentIndex(run->findText("run-full", Qt::MatchEndsWith));
        QVERIFY(exportTo(page, ui::ExportPage::Student, out + "/student-hf").contains("Hugging Face llama folder"));
        QVERIFY(QFile::exists(out + "/student-hf/model.safetensors"));
        {
            QFile config(out + "/student-hf/config.json");
            QVERIFY(config.open(QIODevice::ReadOnly));
            QCOMPARE(QJsonDocument::fromJson(config.readAll()).object().value("model_type").toString(),
                     QString("llama"));
        }
        auto* as = page.findChild<QComboBox*>("exportStudentAs");
        as->setCurrentIndex(as->findData("adapter"));
        QVERIFY(exportTo(page, ui::ExportPage::Student, out + "/adapter", false).contains("not a LoRA adapter"));
        QVERIFY(!QFile::exists(out + "/adapter"));
        run->setCurrentIndex(run->findText("run-lora", Qt::MatchEndsWith));
        QVERIFY(exportTo(page, ui::ExportPage::Student, out + "/adapter").contains("PEFT adapter"));
        QVERIFY(QFile::exists(out + "/adapter/adapter_config.json"));
        QVERIFY(QFile::exists(out + "/adapter/adapter_model.safetensors"));
        // A folder that holds files is refused: nothing is overwritten.
        QVERIFY(exportTo(page, ui::ExportPage::Student, out + "/adapter", false).contains("not empty"));
        // 6. The full run's curves: one row per step, a column per metric.
        page.showKind(ui::ExportPage::Curves);
        auto* curvesRun = page.findChild<QComboBox*>("exportCurvesRun");
        curvesRun->setCurrentIndex(curvesRun->findText("run-full", Qt::MatchContains));
        QVERIFY(exportTo(page, ui::ExportPage::Curves, out + "/curves.csv").contains("Wrote"));
        const auto curves = report::readCsv((out + "/curves.csv").toStdString());
        QCOMPARE(curves.size(), size_t(3 + 1));
        QCOMPARE(curves[0][0], std::string("step"));
        QVERIFY(std::find(curves[0].begin(), curves[0].end(), "loss") != curves[0].end());
        QCOMPARE(curves[3][0], std::string("3"));
        QCOMPARE(page.findChild<QListWidget*>("exportLog")->count(), 7); // the successful ones, newest first
        QVERIFY(test::screenshot(page, "export-page-written.png"));
    }
};

QTEST_MAIN(TestExportPage)
#include "TestExportPage.moc"
