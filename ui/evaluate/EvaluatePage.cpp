#include "evaluate/EvaluatePage.h"

#include "async/PostThen.h"
#include "common/FailureDialog.h"
#include "common/FormWidgets.h"
#include "common/PlotFiles.h"
#include "evaluate/EvaluateForm.h"
#include "evaluate/EvaluationCharts.h"
#include "evaluate/EvaluationJob.h"
#include "evaluate/EvaluationQuestions.h"
#include "evaluate/EvaluationResults.h"
#include "report/EvaluationSheets.h"
#include "store/Database.h"
#include "store/RunRepository.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

QString percent(double fraction)
{
    return QString::number(100 * fraction, 'f', 1);
}

// The plots' view of an evaluation with results.
EvaluationPoint pointOf(const EvaluationRow& row)
{
    const auto& e = row.record;
    EvaluationPoint p;
    p.id = e.id;
    p.name = QString::fromStdString(e.name);
    p.task = QString::fromStdString(e.task);
    p.split = QString::fromStdString(e.split);
    p.format = QString::fromStdString(row.config.format ? row.config.format->name() : std::string("cot"));
    p.accuracy = e.accuracy->estimate;
    p.low = e.accuracy->low;
    p.high = e.accuracy->high;
    p.n = e.done;
    if (row.recipe) {
        p.questions = double(row.recipe->instancesUsed);
        p.examples = double(row.recipe->examples);
        if (row.recipe->samplesPerInstance > 0)
            p.samplesPerInstance = double(row.recipe->samplesPerInstance);
    }
    if (row.teacherN > 0) {
        const auto t = stats::wilson(row.teacherCorrect, row.teacherN);
        p.teacherAccuracy = t.estimate;
        p.teacherLow = t.low;
        p.teacherHigh = t.high;
        p.teacherN = row.teacherN;
    }
    return p;
}

QString contrastText(const eval::ContrastReport& report)
{
    if (report.questions <= report.unlinked)
        return {};
    const auto& d = report.difference;
    QString text = d.n == 0 ? QObject::tr("Contrast questions: none paired yet.")
                            : QObject::tr("Contrast questions against their originals (%1 pairs): originals %2%, "
                                          "contrast %3%, difference %4.")
                                  .arg(d.n)
                                  .arg(percent(d.firstAccuracy), percent(d.secondAccuracy),
                                       QString::fromStdString(stats::describe(d)));
    if (report.originalsNotEvaluated > 0)
        text += QObject::tr(" Originals without a result for this student: %1 (evaluate it on their split).")
                    .arg(report.originalsNotEvaluated);
    if (report.unlinked > 0)
        text += QObject::tr(" Questions naming no original in the workspace: %1.").arg(report.unlinked);
    return text;
}

} // namespace

EvaluatePage::EvaluatePage(QWidget* parent)
    : QWidget(parent), m_job(new EvaluationJob(this)), m_form(new EvaluateForm), m_results(new EvaluationResults),
      m_questions(new EvaluationQuestions), m_progress(new QProgressBar),
      m_status(new QLabel(tr("No evaluation in progress.")))
{
    m_progress->setObjectName("progress");
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status->setObjectName("status");
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_progress);
    rightLayout->addWidget(m_status);
    auto* rightSplit = new QSplitter(Qt::Vertical);
    rightSplit->addWidget(m_results);
    m_views = new EvaluationCharts([this] { return dialogFolder(m_workspace); },
                                   [this](const QString& message, bool error) { showMessage(message, error); });
    m_views->insertTab(0, m_questions, tr("Questions"));
    m_views->setCurrentIndex(0);
    rightSplit->addWidget(m_views);
    rightSplit->setStretchFactor(0, 2);
    rightSplit->setStretchFactor(1, 3);
    rightLayout->addWidget(rightSplit, 1);

    auto* scroll = formScrollArea(m_form); // the buttons and the message stay in view below
    auto* left = new QWidget;
    left->setMinimumWidth(330);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(scroll, 1);
    leftLayout->addWidget(buildControls());
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_job, &EvaluationJob::progressed, this, &EvaluatePage::onProgress);
    connect(m_job, &EvaluationJob::finished, this, &EvaluatePage::onFinished);
    connect(m_results, &EvaluationResults::selectionChanged, this, &EvaluatePage::showSelection);
    connect(m_results, &EvaluationResults::browseRequested, this, &EvaluatePage::browseRationales);
    connect(m_results, &EvaluationResults::exportRequested, this, [this](qint64 id) {
        if (id == 0)
            return showMessage(tr("Select one evaluation to export."), true);
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Evaluation"), dialogFolder(m_workspace) + QString("/evaluation-%1.xlsx").arg(id),
            tr("Spreadsheets (*.xlsx *.csv);;Excel workbook (*.xlsx);;CSV (*.csv)"));
        if (!path.isEmpty())
            exportEvaluation(id, path);
    });
    connect(m_questions, &EvaluationQuestions::countChanged, this, [this](int shown, int total) {
        m_views->setTabText(0, total == 0 ? tr("Questions") : tr("Questions (%1 of %2)").arg(shown).arg(total));
    });
    replot();
    updateButtons();
}

EvaluatePage::~EvaluatePage()
{
    m_store.cancelAll();
}

QWidget* EvaluatePage::buildControls()
{
    const JobControls controls = jobControls(tr("Evaluate"));
    m_startButton = controls.start;
    m_stopButton = controls.stop;
    m_resumeButton = controls.resume;
    m_message = controls.message;
    connect(m_startButton, &QPushButton::clicked, this, &EvaluatePage::start);
    connect(m_stopButton, &QPushButton::clicked, this, &EvaluatePage::stopEvaluation);
    connect(m_resumeButton, &QPushButton::clicked, this, &EvaluatePage::resumeSelected);
    return controls.widget;
}

void EvaluatePage::exportEvaluation(qint64 evaluationId, const QString& path)
{
    postThen(
        m_store, this,
        [evaluationId, path](store::Database& db) {
            const auto files = report::writeSheets(path.toStdString(), report::evaluationSheets(db, evaluationId));
            return files.size() == 1 ? tr("Wrote %1.").arg(path)
                                     : tr("Wrote %1 CSV files beside %2.").arg(files.size()).arg(path);
        },
        [this](const QString& text) {
            showMessage(text, false);
            Q_EMIT exported(text, false);
        },
        [this](const QString& e) {
            showMessage(e, true);
            Q_EMIT exported(e, true);
        });
}

void EvaluatePage::setWorkspace(const QString& path, const QStringList& tasks)
{
    if (path != m_workspace) {
        m_store.cancelAll();
        m_store.setWorkspace(path.toStdString());
        m_form->forgetRuns();
    }
    m_workspace = path;
    m_form->setTasks(tasks);
    refreshResults();
}

void EvaluatePage::setModelPath(const QString& path, const QString& tokenizer)
{
    m_form->setModelPath(path, tokenizer);
}

void EvaluatePage::showMessage(const QString& text, bool error)
{
    showMessageIn(m_message, text, error);
}

void EvaluatePage::start()
{
    QString problem;
    const auto request = m_form->request(m_workspace, &problem);
    if (!request)
        return showMessage(problem, true);
    m_liveEvaluation = 0;
    if (m_job->start(*request)) {
        showMessage(tr("Loading the student…"), false);
        m_status->setText(tr("Starting…"));
        m_progress->setRange(0, 0);
    }
    updateButtons();
}

void EvaluatePage::stopEvaluation()
{
    m_job->stop();
    showMessage(tr("Stopping after the batch being generated…"), false);
}

void EvaluatePage::resumeSelected()
{
    const auto ids = m_results->selectedIds();
    if (ids.size() != 1)
        return showMessage(tr("Select one stopped or failed evaluation to resume."), true);
    m_liveEvaluation = 0;
    if (m_job->resume(m_workspace, ids.front())) {
        showMessage(tr("Resuming evaluation %1…").arg(ids.front()), false);
        m_progress->setRange(0, 0);
    }
    updateButtons();
}

void EvaluatePage::onProgress(qint64 evaluationId, qint64 done, qint64 items, qint64 correct)
{
    if (m_liveEvaluation != evaluationId) {
        m_liveEvaluation = evaluationId;
        refreshResults(QList<qint64>{evaluationId});
        showMessage(tr("Evaluating (evaluation %1).").arg(evaluationId), false);
    }
    m_progress->setRange(0, int(items));
    m_progress->setValue(int(done));
    if (done == 0)
        return m_status->setText(tr("Evaluation %1 · 0 of %2 questions").arg(evaluationId).arg(items));
    const auto interval = stats::wilson(correct, done);
    m_status->setText(tr("Evaluation %1 · %2 of %3 questions · accuracy so far %4% (95% Wilson CI %5–%6)")
                          .arg(evaluationId)
                          .arg(done)
                          .arg(items)
                          .arg(percent(interval.estimate), percent(interval.low), percent(interval.high)));
    m_results->showProgress(evaluationId, done, accuracyText(interval.estimate, interval.low, interval.high));
}

void EvaluatePage::onFinished(bool ok, const QString& status, const QString& message)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(ok && status == "finished" ? 1 : 0);
    m_status->setText(ok ? message : tr("Evaluation failed."));
    showMessage(message, !ok);
    if (!ok)
        showFailureDialog(this, tr("The evaluation failed"), message);
    if (m_liveEvaluation)
        refreshResults(QList<qint64>{m_liveEvaluation});
    else
        refreshResults();
    updateButtons();
    Q_EMIT evaluationFinished(status, message);
}

void EvaluatePage::refreshResults(std::optional<QList<qint64>> select)
{
    refreshRuns();
    if (m_workspace.isEmpty()) {
        m_points.clear();
        return m_results->setRows({}, {});
    }
    postThen(
        m_store, this, [](store::Database& db) { return readEvaluationRows(db); },
        [this, select](const std::vector<EvaluationRow>& rows) {
            m_points.clear();
            for (const auto& row : rows)
                if (row.record.done > 0 && row.record.accuracy)
                    m_points << pointOf(row);
            QList<qint64> chosen = select.value_or(m_results->selectedIds());
            if (chosen.isEmpty() && !rows.empty()) // the page's first look: the newest evaluation's questions
                chosen << rows.front().record.id;
            m_results->setRows(rows, chosen);
        },
        [this](const QString& e) { showMessage(e, true); });
}

void EvaluatePage::refreshRuns()
{
    if (m_workspace.isEmpty())
        return m_form->setRuns({});
    postThen(
        m_store, this,
        [](store::Database& db) {
            std::vector<TrainedRun> finished;
            for (const auto& r : store::RunRepository(db).list())
                if (r.status == "finished")
                    finished.push_back({r.id, QString::fromStdString(r.name),
                                        QString::fromStdString(train::RunRecipe::fromJson(r.recipeJson).task)});
            return finished;
        },
        [this](const std::vector<TrainedRun>& runs) { m_form->setRuns(runs); },
        [this](const QString& e) { showMessage(e, true); });
}

void EvaluatePage::selectEvaluations(const QList<qint64>& ids)
{
    m_results->select(ids);
}

void EvaluatePage::showSelection()
{
    replot();
    updateButtons();
    const auto ids = m_results->selectedIds();
    const quint64 request = ++m_selectionRequest;
    if (ids.size() == 2 && !m_workspace.isEmpty())
        return comparePair(ids[0], ids[1], request);
    if (ids.size() != 1 || m_workspace.isEmpty()) {
        m_questions->setItems({});
        m_results->setContrast({});
        m_shownRequest = request;
        Q_EMIT resultsShown();
        return;
    }
    struct Selection {
        std::vector<store::EvaluatedInstance> items;
        eval::ContrastReport contrast;
    };
    postThen(
        m_store, this,
        [id = ids.front(), workspace = m_workspace.toStdString()](store::Database& db) {
            return Selection{store::EvaluationRepository(db).evaluatedInstanceDetails(id),
                             eval::compareWithOriginals(workspace, id)};
        },
        [this, request](Selection selection) {
            if (request != m_selectionRequest)
                return;
            m_questions->setItems(std::move(selection.items));
            m_results->setContrast(contrastText(selection.contrast));
            m_shownRequest = request;
            Q_EMIT resultsShown();
        },
        [this, request](const QString& e) {
            if (request == m_selectionRequest)
                m_shownRequest = request;
            showMessage(e, true);
        });
}

// Two evaluations selected: the same questions compared (McNemar's exact test, Newcombe's interval).
void EvaluatePage::comparePair(qint64 first, qint64 second, quint64 request)
{
    m_questions->setItems({});
    postThen(
        m_store, this,
        [first, second, workspace = m_workspace.toStdString()](store::Database&) {
            return eval::compareEvaluations(workspace, first, second);
        },
        [this, request, first, second](const stats::PairedComparison& c) {
            if (request != m_selectionRequest)
                return;
            m_results->setContrast(tr("Evaluation %1 against %2 on the %3 questions both answered: %4% and %5% right; "
                                      "difference %6. Right only in %1: %7; only in %2: %8.")
                                       .arg(second)
                                       .arg(first)
                                       .arg(c.n)
                                       .arg(percent(c.secondAccuracy), percent(c.firstAccuracy),
                                            QString::fromStdString(stats::describe(c)))
                                       .arg(c.onlySecond)
                                       .arg(c.onlyFirst));
            m_shownRequest = request;
            Q_EMIT resultsShown();
        },
        [this, request](const QString& e) {
            if (request != m_selectionRequest)
                return;
            m_results->setContrast(e);
            m_shownRequest = request;
            Q_EMIT resultsShown();
        });
}

void EvaluatePage::replot()
{
    m_views->show(m_points, m_results->selectedIds());
}

QCustomPlot* EvaluatePage::plot(const QString& name) const
{
    return m_views->plot(name);
}

QTabWidget* EvaluatePage::views() const
{
    return m_views;
}

bool EvaluatePage::savePlotTo(const QString& name, const QString& path) const
{
    return savePlot(plot(name), path);
}

void EvaluatePage::updateButtons()
{
    const bool running = m_job->running();
    m_startButton->setEnabled(!running);
    m_stopButton->setEnabled(running);
    const QString status = m_results->selectedStatus();
    m_resumeButton->setEnabled(!running && (status == "stopped" || status == "failed"));
}

} // namespace cotlab::ui
