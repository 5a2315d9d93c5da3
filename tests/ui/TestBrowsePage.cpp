// The Browse page in the real main window, offscreen, on the demo workspace: filter, search, select a row and see
// its instance, tag a rationale (saved at once, then a filter value), plots, keyboard shortcuts, and the import
// dialog refusing a malformed file. With COTLAB_SCREENSHOT_DIR set it also writes docs/screenshots/browse-*.png.
#include "MainWindow.h"
#include "browse/BrowsePage.h"
#include "browse/InstanceView.h"
#include "browse/RationaleTableModel.h"
#include "import/FieldMappingDialog.h"
#include "import/ImportDialog.h"
#include "store/Workspace.h"
#include "support/Screenshots.h"
#include "support/TestSupport.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QtTest>
#include <nlohmann/json.hpp>

using namespace cotlab;
using ui::RationaleTableModel;

namespace {

qint64 finalCount(RationaleTableModel* model)
{
    QElapsedTimer clock;
    clock.start();
    while ((model->counting() || model->rowCount() == 0) && clock.elapsed() < 20000)
        QTest::qWait(10);
    QTest::qWait(20); // the last count signal
    return model->rowCount();
}

void choose(QWidget* page, const char* combo, const QString& text)
{
    auto* box = page->findChild<QComboBox*>(combo);
    QVERIFY2(box, combo);
    const int k = box->findText(text);
    QVERIFY2(k >= 0, qPrintable(text));
    box->setCurrentIndex(k);
}

} // namespace

class TestBrowsePage : public QObject {
    Q_OBJECT

    std::unique_ptr<ui::MainWindow> m_window;
    QString m_demo;

    ui::BrowsePage* page() { return m_window->browsePage(); }
    qint64 count(const std::string& sql)
    {
        store::Workspace ws(m_demo.toStdString());
        return test::scalar(ws.db(), sql);
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("COTLAB_NO_DIALOGS", "1");
        qputenv("COTLAB_DEMO_DIR", COTLAB_SOURCE_DIR "/resources/demo");
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("CoTLabTest");
        QCoreApplication::setApplicationName("CoTLabBrowseTest");
        m_demo = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/demo.cotlab";
        for (const char* suffix : {"", "-wal", "-shm"})
            QFile::remove(m_demo + suffix);
        m_window = std::make_unique<ui::MainWindow>();
        m_window->resize(1500, 900);
        m_window->show();
        QSignalSpy loaded(m_window.get(), &ui::MainWindow::workspaceLoaded);
        m_window->openDemoWorkspace();
        QVERIFY(loaded.wait(120000));
        m_window->showBrowsePage();
    }

    void cleanupTestCase()
    {
        m_window.reset();
        for (const char* suffix : {"", "-wal", "-shm"})
            QFile::remove(m_demo + suffix);
    }

    void showsEveryRationaleAndFilters()
    {
        QAbstractItemModelTester tester(page()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(finalCount(page()->model()), count("SELECT count(*) FROM rationales"));
        const qint64 date40 = count("SELECT count(*) FROM rationales r JOIN instances i ON i.id = r.instance_id "
                                    "JOIN tasks t ON t.id = i.task_id WHERE t.name = 'date_mmddyyyy'");
        QVERIFY(date40 > 1000);
        choose(page(), "task", "date_mmddyyyy");
        QCOMPARE(finalCount(page()->model()), date40);
        choose(page(), "correct", "wrong");
        QCOMPARE(finalCount(page()->model()),
                 count("SELECT count(*) FROM rationales r JOIN instances i ON i.id = r.instance_id JOIN tasks t ON "
                       "t.id = i.task_id WHERE t.name = 'date_mmddyyyy' AND r.correct = 0"));
        QVERIFY(page()->findChild<QLabel*>("count")->text().contains("rationale"));
        choose(page(), "correct", "(any)");
        QCOMPARE(finalCount(page()->model()), date40);
    }

    void searchSelectAndTag()
    {
        // Ctrl+F puts the cursor in the search field from anywhere in the window.
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        auto* search = page()->findChild<QLineEdit*>("search");
        QTRY_COMPARE(QApplication::focusWidget(), search);
        QTest::keyClicks(search, "birthday");
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(finalCount(page()->model()),
                 count("SELECT count(*) FROM rationale_fts JOIN rationales r ON r.id = rationale_fts.rowid JOIN "
                       "instances i ON i.id = r.instance_id JOIN tasks t ON t.id = i.task_id WHERE rationale_fts "
                       "MATCH 'birthday' AND t.name = 'date_mmddyyyy'"));

        // The first row, chosen by keyboard, shows its instance with all 40 samples and the matches highlighted.
        QSignalSpy shown(page(), &ui::BrowsePage::instanceShown);
        auto* table = page()->table();
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Down);
        QVERIFY(shown.wait(10000));
        ui::InstanceView* view = page()->instanceView();
        const QString header = view->findChild<QTextBrowser*>("instanceHeader")->toPlainText();
        QVERIFY2(header.contains("40 samples") && header.contains("birthday", Qt::CaseInsensitive), qPrintable(header));
        const QString html = view->rationalesHtml();
        QVERIFY(html.contains("#ffe066")); // a highlighted match
        QCOMPARE(view->selectedRationale(), page()->model()->rationaleId(table->currentIndex().row()));
        QVERIFY(test::screenshot(*m_window, "browse-page.png"));

        // Side by side shows the same rationales in columns.
        view->setSideBySide(true);
        QVERIFY(view->rationalesHtml().contains("✓") || view->rationalesHtml().contains("✗"));
        QVERIFY(test::screenshot(*m_window, "browse-side-by-side.png"));
        view->setSideBySide(false);

        // Tag the selected rationale: saved at once, then offered as a filter.
        QSignalSpy saved(page(), &ui::BrowsePage::annotationSaved);
        auto* tags = view->findChild<QLineEdit*>("rationaleTags");
        auto* note = view->findChild<QLineEdit*>("rationaleNote");
        QVERIFY(tags->isEnabled());
        note->setFocus();
        QTest::keyClicks(note, "uses the wrong year");
        QTest::keyClick(note, Qt::Key_Return);
        QVERIFY(saved.wait(5000));
        tags->setFocus();
        QTest::keyClicks(tags, "year-slip, check");
        QTest::keyClick(tags, Qt::Key_Return);
        QVERIFY(saved.wait(5000));
        const qint64 id = view->selectedRationale();
        QCOMPARE(count("SELECT count(*) FROM rationale_tags WHERE rationale_id = " + std::to_string(id)), qint64(2));
        store::Workspace ws(m_demo.toStdString());
        QCOMPARE(test::textOf(ws.db(), "SELECT note FROM rationale_notes WHERE rationale_id = " + std::to_string(id)),
                 std::string("uses the wrong year"));
        auto* tagBox = page()->findChild<QComboBox*>("tag");
        QTRY_VERIFY(tagBox->findText("year-slip") > 0);
        page()->clearFilters();
        choose(page(), "tag", "year-slip");
        QCOMPARE(finalCount(page()->model()), qint64(1));
        QCOMPARE(page()->model()->rationaleId(0), id);

        // An instance note, too.
        auto* instanceNote = view->findChild<QLineEdit*>("instanceNote");
        instanceNote->setFocus();
        QTest::keyClicks(instanceNote, "two plausible readings");
        QTest::keyClick(instanceNote, Qt::Key_Return);
        QVERIFY(saved.wait(5000));
        QCOMPARE(count("SELECT count(*) FROM instance_notes WHERE note = 'two plausible readings'"), qint64(1));
        page()->clearFilters();
    }

    void aBadSearchSaysWhyAndKeepsWorking()
    {
        auto* search = page()->findChild<QLineEdit*>("search");
        search->setText("\"unclosed");
        QTest::keyClick(search, Qt::Key_Return);
        auto* message = page()->findChild<QLabel*>("message");
        QTRY_VERIFY(message->isVisible() && message->text().contains("unterminated string"));
        search->setText("yesterday");
        QTest::keyClick(search, Qt::Key_Return);
        QVERIFY(finalCount(page()->model()) > 0);
        QVERIFY(!message->isVisible());
        page()->clearFilters();
    }

    void plotsOfTheFilter()
    {
        choose(page(), "task", "date_mmddyyyy");
        QSignalSpy updated(page(), &ui::BrowsePage::plotsUpdated);
        QTest::keyClick(m_window.get(), Qt::Key_P, Qt::ControlModifier);
        QVERIFY(updated.count() || updated.wait(20000));
        QVERIFY(page()->plotsCurrent());
        test::TempDir dir;
        for (const char* name : {"teacher-accuracy", "lengths", "samples", "agreement"}) {
            const QString png = QString::fromStdString(dir.path(name)) + ".png";
            QVERIFY(page()->savePlotTo(name, png));
            QVERIFY(QFileInfo(png).size() > 5000);
        }
        QVERIFY(page()->savePlotTo("lengths", QString::fromStdString(dir.path("lengths.pdf"))));
        QTRY_VERIFY(page()->model()->data(page()->model()->index(0, 0), RationaleTableModel::LoadedRole).toBool());
        QVERIFY(test::screenshot(*m_window, "browse-plots.png"));
        page()->findChild<QTabWidget*>("detailTabs")->setCurrentIndex(0);
        page()->clearFilters();
    }

    void importDialogRefusesAMalformedFile()
    {
        test::TempDir dir;
        const qint64 before = count("SELECT count(*) FROM rationales");
        nlohmann::json good = {{"task", "toy"},           {"id", "q1"},
                               {"question", "2+2?"},      {"gold", "4"},
                               {"answer_kind", "number"}, {"rationale", "2+2 is 4. So the answer is 4."}};
        std::string text = good.dump() + "\n";
        good["id"] = "q2";
        text += good.dump() + "\n";
        text += "{\"task\": \"toy\", \"id\": \"q3\", \"question\": \n"; // line 3 is cut off
        const std::string file = test::writeFile(dir.path("broken.jsonl"), text);
        ui::ImportDialog* dialog = m_window->openImportDialog({QString::fromStdString(file)});
        dialog->show();
        QCOMPARE(dialog->detectedFormat(), QString("interchange"));
        QTableWidget* preview = dialog->preview();
        QCOMPARE(preview->rowCount(), 3);
        QCOMPARE(preview->item(1, 2)->text(), QString("q2"));
        QVERIFY(preview->item(2, 7)->text().contains("line 3"));
        QCOMPARE(preview->item(0, 7)->text(), QString()); // the good lines are not flagged
        QCOMPARE(preview->item(0, 0)->text(), QString("line 1"));
        QSignalSpy finished(dialog, &ui::ImportDialog::finished);
        QVERIFY(dialog->startImport());
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY2(dialog->errorText().contains("broken.jsonl") && dialog->errorText().contains(":3"),
                 qPrintable(dialog->errorText()));
        QVERIFY(dialog->errorText().contains("Nothing was imported"));
        QCOMPARE(count("SELECT count(*) FROM rationales"), before);
        QVERIFY(test::screenshot(*dialog, "import-dialog-error.png"));
        dialog->close();
        delete dialog;

        // A pretty-printed benchmark JSON file is previewed as its records, with nothing flagged.
        ui::ImportDialog* bench =
            m_window->openImportDialog({QString::fromStdString(test::sharedPath("data/datasets/multiarith.json"))});
        bench->resize(1200, 600);
        bench->show();
        QCOMPARE(bench->detectedFormat(), QString("benchmark"));
        QTableWidget* rows = bench->preview();
        QCOMPARE(rows->rowCount(), 20);
        for (int r = 0; r < rows->rowCount(); ++r)
            QCOMPARE(rows->item(r, 7)->text(), QString());
        QCOMPARE(rows->item(0, 0)->text(), QString("element 1"));
        QCOMPARE(rows->item(0, 4)->text(), QString("39"));
        QVERIFY(test::screenshot(*bench, "import-dialog-benchmark.png"));
        bench->close();
        delete bench;
    }

    void publishedThoughtSourceFileImportsFromTheDialog()
    {
        // A ThoughtSource JSON document: detected, its items previewed as they will be stored (the gold the label
        // of the answer's choice), imported; every format the core reads can be chosen by hand.
        ui::ImportDialog* dialog = m_window->openImportDialog(
            {QString::fromStdString(test::testDataPath("published/thoughtsource/gpt-4_zhou-01.json"))});
        dialog->resize(1300, 600);
        dialog->show();
        QCOMPARE(dialog->detectedFormat(), QString("thoughtsource"));
        auto* formats = dialog->findChild<QComboBox*>("formatOverride");
        for (const char* name : {"thoughtsource", "finetune_cot", "faithful_cot", "scotd_pool", "fields"})
            QVERIFY2(formats->findText(name) > 0, name);
        QTableWidget* preview = dialog->preview();
        QVERIFY(preview->rowCount() >= 10);
        QCOMPARE(preview->item(0, 0)->text(), QString("commonsense_qa.validation[0]"));
        QCOMPARE(preview->item(0, 1)->text(), QString("commonsense_qa"));
        QCOMPARE(preview->item(0, 4)->text(), QString("C"));
        QVERIFY2(preview->item(2, 6)->text().startsWith("A) Cars do cost money"),
                 qPrintable(preview->item(2, 6)->text()));
        for (int r = 0; r < preview->rowCount(); ++r)
            QCOMPARE(preview->item(r, 7)->text(), QString());
        QVERIFY(test::screenshot(*dialog, "import-dialog-thoughtsource.png"));
        QSignalSpy finished(dialog, &ui::ImportDialog::finished);
        QVERIFY(dialog->startImport());
        QVERIFY(finished.wait(10000));
        QVERIFY2(finished.first().first().toBool(), qPrintable(dialog->errorText()));
        dialog->close();
        delete dialog;
        QTRY_VERIFY(page()->findChild<QComboBox*>("task")->findText("med_qa") > 0);

        // Predictions that join stored questions: the preview says the workspace has none of them yet.
        ui::ImportDialog* joined = m_window->openImportDialog({QString::fromStdString(
            test::testDataPath("published/faithful_cot/output_dir/GSM8K/test/code002_COT/predictions.jsonl"))});
        QCOMPARE(joined->detectedFormat(), QString("faithful_cot"));
        QVERIFY2(joined->preview()->item(0, 7)->text().contains("(GSM8K, 0) is not in the workspace"),
                 qPrintable(joined->preview()->item(0, 7)->text()));
        joined->close();
        delete joined;
    }

    void fieldsArePickedFromTheFirstRecord()
    {
        // A JSONL in s1K's shape: Pick Fields offers its first record's fields, suggests what each is by its name,
        // and the mapping chosen fills the Fields box and the preview.
        test::TempDir dir;
        const std::string s1 = test::writeFile(
            dir.path("s1K.jsonl"),
            "{\"solution\": \"18\", \"question\": \"What is 3 * 6?\", \"cot_type\": \"math\", "
            "\"thinking_trajectories\": [\"Three sixes: 6 + 6 + 6 = 18.\"], \"attempt\": \"The product is "
            "\\\\boxed{18}.\"}\n");
        ui::ImportDialog* dialog = m_window->openImportDialog({QString::fromStdString(s1)});
        dialog->resize(1300, 600);
        dialog->show();
        ui::FieldMappingDialog* pick = dialog->pickFields();
        QVERIFY(pick);
        QCOMPARE(pick->box("question")->currentText(), QString("question"));
        QCOMPARE(pick->box("gold")->currentText(), QString("solution"));
        QCOMPARE(pick->box("thinking")->currentText(), QString("thinking_trajectories[0]"));
        QCOMPARE(pick->box("rationale")->currentText(), QString("attempt"));
        QCOMPARE(pick->box("id")->currentText(), QString("(none)"));
        QCOMPARE(pick->box("split")->count(), 6); // (none) and the five fields
        QVERIFY(test::screenshot(*pick, "import-dialog-pick-fields.png"));
        // Without a question the mapping cannot be taken.
        auto* ok = pick->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        pick->box("question")->setCurrentIndex(0);
        QVERIFY(!ok->isEnabled());
        pick->box("question")->setCurrentIndex(pick->box("question")->findText("question"));
        QVERIFY(ok->isEnabled());
        ok->click();
        QCOMPARE(dialog->fields()->text(),
                 QString("question=question,gold=solution,rationale=attempt,thinking=thinking_trajectories[0]"));
        QTableWidget* preview = dialog->preview();
        QCOMPARE(preview->rowCount(), 1);
        QCOMPARE(preview->item(0, 4)->text(), QString("18"));
        QCOMPARE(preview->item(0, 5)->text(), QString("Three sixes: 6 + 6 + 6 = 18."));
        QCOMPARE(preview->item(0, 6)->text(), QString("The product is \\boxed{18}."));
        dialog->close();
        delete dialog;
    }

    void reasoningTracesShowTheirThinkingFolded()
    {
        // A conversation file with R1-style traces: the preview shows each trace's thinking and answer part apart.
        ui::ImportDialog* dialog =
            m_window->openImportDialog({QString::fromStdString(test::testDataPath("traces/r1_messages.jsonl"))});
        dialog->resize(1300, 600);
        dialog->show();
        QCOMPARE(dialog->detectedFormat(), QString("chat"));
        QTableWidget* preview = dialog->preview();
        QCOMPARE(preview->rowCount(), 3);
        QVERIFY2(preview->item(0, 5)->text().startsWith("James runs 3 sprints"),
                 qPrintable(preview->item(0, 5)->text()));
        QCOMPARE(preview->item(0, 6)->text(), QString("He runs 3 * 3 = 9 sprints of 60 meters: 540 meters a week."));
        QCOMPARE(preview->item(2, 6)->text(), QString()); // cut off while thinking
        QVERIFY(test::screenshot(*dialog, "import-dialog-traces.png"));
        QSignalSpy finished(dialog, &ui::ImportDialog::finished);
        QVERIFY(dialog->startImport());
        QVERIFY(finished.wait(10000));
        QVERIFY2(finished.first().first().toBool(), qPrintable(dialog->errorText()));
        dialog->close();
        delete dialog;

        // A search in the thinking finds the trace and shows it with its thinking unfolded.
        page()->clearFilters();
        QTRY_VERIFY(page()->findChild<QComboBox*>("task")->findText("r1_messages") > 0);
        auto* search = page()->findChild<QLineEdit*>("search");
        search->setText("thinking: session");
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(finalCount(page()->model()), qint64(1));
        QSignalSpy shown(page(), &ui::BrowsePage::instanceShown);
        page()->table()->setFocus();
        QTest::keyClick(page()->table(), Qt::Key_Down);
        QVERIFY(shown.wait(10000));
        ui::InstanceView* view = page()->instanceView();
        QString html = view->rationalesHtml();
        QVERIFY2(html.contains("Thinking") && html.contains("that is one"), qPrintable(html));

        // Without the search the thinking is folded: its line, then the answer part; a click unfolds it.
        page()->clearFilters();
        choose(page(), "task", "r1_messages");
        QCOMPARE(finalCount(page()->model()), qint64(3));
        page()->table()->setFocus();
        page()->table()->selectRow(1);
        QTRY_VERIFY(view->selectedRationale() == page()->model()->rationaleId(1));
        html = view->rationalesHtml();
        QVERIFY2(html.contains("Thinking") && html.contains("final meal") && !html.contains("Morning 15"),
                 qPrintable(html));
        QVERIFY(test::screenshot(*m_window, "browse-thinking-folded.png"));
        auto* cards = view->findChild<QTextBrowser*>("rationales");
        Q_EMIT cards->anchorClicked(QUrl(QString("thinking:%1").arg(view->selectedRationale())));
        QVERIFY(view->rationalesHtml().contains("Morning 15"));
        QVERIFY(test::screenshot(*m_window, "browse-thinking.png"));
        Q_EMIT cards->anchorClicked(QUrl(QString("thinking:%1").arg(view->selectedRationale())));
        QVERIFY(!view->rationalesHtml().contains("Morning 15"));
        page()->clearFilters();
    }
};

QTEST_MAIN(TestBrowsePage)
#include "TestBrowsePage.moc"
