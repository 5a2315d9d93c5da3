#include "train/TrainPage.h"

#include "async/PostThen.h"
#include "common/FailureDialog.h"
#include "common/FormWidgets.h"
#include "store/CorpusRepository.h"
#include "store/Database.h"
#include "store/RunRepository.h"
#include "store/StatsRepository.h"
#include "train/RunHistory.h"
#include "train/TokenPreviewDialog.h"
#include "train/TrainForm.h"
#include "train/TrainingCharts.h"
#include "train/TrainingJob.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTime>
#include <QVBoxLayout>

namespace cotlab::ui {

TrainPage::TrainPage(QWidget* parent)
    : QWidget(parent), m_job(new TrainingJob(this)), m_form(new TrainForm), m_charts(new TrainingCharts),
      m_history(new RunHistory), m_progress(new QProgressBar), m_status(new QLabel(tr("No run in progress.")))
{
    m_progress->setObjectName("progress");
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_progress);
    rightLayout->addWidget(m_status);
    auto* rightSplit = new QSplitter(Qt::Vertical);
    rightSplit->addWidget(m_charts);
    rightSplit->addWidget(m_history);
    rightSplit->setStretchFactor(0, 3);
    rightSplit->setStretchFactor(1, 2);
    rightLayout->addWidget(rightSplit, 1);

    // The settings scroll; the buttons and the message stay in view below them.
    auto* scroll = formScrollArea(m_form); // the buttons and the message stay in view below
    m_formScroll = scroll;
    auto* left = new QWidget;
    left->setMinimumWidth(340);
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

    connect(m_job, &TrainingJob::stepped, this, &TrainPage::onStep);
    connect(m_job, &TrainingJob::finished, this, &TrainPage::onFinished);
    connect(m_history, &RunHistory::selectionChanged, this, &TrainPage::showSelectedRuns);
    connect(m_form, &TrainForm::previewRequested, this, &TrainPage::previewTokens);
    updateButtons();
}

TrainPage::~TrainPage()
{
    m_store.cancelAll();
}

QWidget* TrainPage::buildControls()
{
    const JobControls controls = jobControls(tr("Start"));
    m_startButton = controls.start;
    m_stopButton = controls.stop;
    m_resumeButton = controls.resume;
    m_message = controls.message;
    connect(m_startButton, &QPushButton::clicked, this, &TrainPage::start);
    connect(m_stopButton, &QPushButton::clicked, this, &TrainPage::stopTraining);
    connect(m_resumeButton, &QPushButton::clicked, this, &TrainPage::resumeSelected);
    return controls.widget;
}

void TrainPage::setWorkspace(const QString& path, const QStringList& tasks)
{
    // A refresh of the same workspace (after an import, an evaluation, a stage of the demo experiment) keeps the
    // output folder the user typed and leaves runs in progress alone.
    const bool opened = path != m_workspace;
    if (opened) {
        m_store.cancelAll();
        m_store.setWorkspace(path.toStdString());
    }
    m_workspace = path;
    if (opened && !path.isEmpty() && !m_job->running())
        m_form->restoreFor(path);
    m_form->setTasks(tasks);
    if (!path.isEmpty())
        postThen(
            m_store, this,
            [](store::Database& db) {
                QMap<QString, qint64> trainRationales;
                for (const auto& t : store::StatsRepository(db).perTask())
                    trainRationales[QString::fromStdString(t.task)] = t.trainTeacherRationales;
                return trainRationales;
            },
            [this](const QMap<QString, qint64>& counts) { m_form->preferTrainableTask(counts); },
            [this](const QString& e) { showMessage(e, true); });
    if (m_form->output().isEmpty() || (opened && !m_job->running()))
        m_form->setOutput(newRunFolder());
    if (opened && !path.isEmpty() && !m_job->running()) // runs left 'running' by a program that ended mid-run
        postThen(
            m_store, this, [](store::Database& db) { store::RunRepository(db).markInterrupted(); }, [] {},
            [this](const QString& e) { showMessage(e, true); });
    refreshHistory();
    refreshCorpora();
}

void TrainPage::refreshCorpora()
{
    if (m_workspace.isEmpty())
        return;
    postThen(
        m_store, this, [](store::Database& db) { return store::CorpusRepository(db).list(); },
        [this](const std::vector<store::CorpusInfo>& corpora) {
            m_form->setCorpora(corpora);
            if (const QString name = std::exchange(m_corpusToChoose, QString()); !name.isEmpty()) {
                if (m_form->chooseCorpus(name)) {
                    // The Data box at the top of the column, so that the choice is seen.
                    if (auto* data = m_form->findChild<QWidget*>("dataBox"))
                        m_formScroll->verticalScrollBar()->setValue(data->y());
                    showMessage(tr("Data: corpus '%1'. Choose the student and press Start.").arg(name), false);
                } else
                    showMessage(tr("Corpus '%1' is no longer in the workspace.").arg(name), true);
            }
            Q_EMIT corporaShown();
        },
        [this](const QString& e) { showMessage(e, true); });
}

void TrainPage::trainOnCorpus(const QString& name)
{
    m_corpusToChoose = name;
    refreshCorpora();
}

void TrainPage::setModelPath(const QString& path, const QString& tokenizer)
{
    m_form->setModelPath(path, tokenizer);
}

void TrainPage::showMessage(const QString& text, bool error)
{
    showMessageIn(m_message, text, error);
}

void TrainPage::start()
{
    QString problem;
    const auto request = m_form->request(m_workspace, &problem);
    if (!request)
        return showMessage(problem, true);
    const int processes = m_form->processes();
    if (processes > 1 && !QFileInfo(TrainingJob::cliPath()).isExecutable())
        return showMessage(tr("Processes: %1 workers are started by cotlab-cli, which is not at %2 (install it next to "
                              "cotlab, or set COTLAB_CLI).")
                               .arg(processes)
                               .arg(TrainingJob::cliPath()),
                           true);
    m_liveRun = 0;
    m_charts->clear();
    m_form->remember(m_workspace);
    if (m_job->start(*request, processes)) {
        showMessage(tr("Loading the model and tokenising the examples…"), false);
        m_status->setText(tr("Starting…"));
        m_progress->setRange(0, 0);
    }
    updateButtons();
}

void TrainPage::previewTokens()
{
    QString problem;
    const auto request = m_form->dataRequest(m_workspace, &problem);
    if (!request)
        return showMessage(problem, true);
    showMessage(tr("Tokenising the examples as training will…"), false);
    // The examples are read and tokenised on the workspace's thread; the dialog shows them when ready.
    postThen(
        m_store, this,
        [request = *request](store::Database& db) {
            return std::make_shared<train::TrainingPreview>(train::previewTraining(db, request));
        },
        [this](const std::shared_ptr<train::TrainingPreview>& preview) {
            showMessage(
                tr("Preview: %1 examples, up to %2 tokens.").arg(preview->tokenized.size()).arg(preview->total.max()),
                false);
            if (!m_preview)
                m_preview = new TokenPreviewDialog(this);
            m_preview->setPreview(std::move(*preview));
            m_preview->show();
            m_preview->raise();
        },
        [this](const QString& e) { showMessage(tr("Preview: %1").arg(e), true); });
}

void TrainPage::stopTraining()
{
    m_job->stop();
    showMessage(tr("Stopping after the current step; writing a checkpoint…"), false);
}

void TrainPage::resumeSelected()
{
    const auto runs = m_history->selectedRuns();
    if (runs.size() != 1)
        return showMessage(tr("Select one stopped or failed run to resume."), true);
    m_liveRun = 0;
    m_charts->clear();
    if (m_job->resume(m_workspace, runs.front(), m_history->workersOf(runs.front()))) {
        showMessage(tr("Resuming run %1 from its checkpoint…").arg(runs.front()), false);
        m_progress->setRange(0, 0);
    }
    updateButtons();
}

void TrainPage::onStep(const StepUpdate& u)
{
    // The first step of this job shows the run's stored steps (all of them for a resumed run); later steps are
    // appended live, or held while those stored steps are being read.
    if (m_liveRun != u.runId) {
        m_liveRun = u.runId;
        m_lastStepMs = 0;
        refreshHistory(QList<qint64>{u.runId});
        showMessage(tr("Training run %1.").arg(u.runId), false);
    } else if (m_liveCurvesPending) {
        m_heldSteps.push_back(u);
    } else {
        m_charts->addStep(u);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_lastStepMs > 0) {
        const double secs = double(now - m_lastStepMs) / 1000.0;
        m_secondsPerStep = m_secondsPerStep == 0 ? secs : 0.9 * m_secondsPerStep + 0.1 * secs;
    }
    m_lastStepMs = now;
    m_progress->setRange(0, int(u.totalSteps));
    m_progress->setValue(int(u.step));
    m_history->showStep(u.runId, u.step, u.totalSteps, u.loss);
    const double eta = m_secondsPerStep * double(u.totalSteps - u.step);
    m_status->setText(tr("Run %1 · step %2 of %3 · epoch %4 · loss %5 · %6 tokens/s (%7 with padding) · ETA %8")
                          .arg(u.runId)
                          .arg(u.step)
                          .arg(u.totalSteps)
                          .arg(u.epoch, 0, 'f', 2)
                          .arg(u.loss, 0, 'f', 4)
                          .arg(u.tokensPerSecond, 0, 'f', 0)
                          .arg(u.paddedTokensPerSecond, 0, 'f', 0)
                          .arg(m_secondsPerStep > 0 ? QTime(0, 0).addSecs(int(eta)).toString("hh:mm:ss") : "…"));
}

QString TrainPage::newRunFolder() const
{
    const QFileInfo info(m_workspace);
    return QDir(info.absolutePath())
        .filePath(info.completeBaseName() + "-runs/run-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss"));
}

void TrainPage::onFinished(bool ok, const QString& status, const QString& message)
{
    if (ok) // the folder now holds this run: the next Start goes to a new one
        m_form->setOutput(newRunFolder());
    m_progress->setRange(0, 1);
    m_progress->setValue(ok && status == "finished" ? 1 : 0);
    m_status->setText(ok ? message : tr("Run failed."));
    showMessage(message, !ok);
    if (!ok)
        showFailureDialog(this, tr("The training run failed"), message);
    if (m_liveRun)
        refreshHistory(QList<qint64>{m_liveRun});
    else
        refreshHistory();
    updateButtons();
    Q_EMIT runFinished(status, message);
}

void TrainPage::refreshHistory(std::optional<QList<qint64>> select)
{
    if (m_workspace.isEmpty())
        return m_history->setRuns({}, {});
    postThen(
        m_store, this,
        [](store::Database& db) {
            store::RunRepository runs(db);
            std::vector<RunRow> rows;
            for (auto& r : runs.list()) {
                const auto loss = runs.metric(r.id, "loss");
                rows.push_back({std::move(r), loss.empty() ? std::nullopt : std::optional(loss.back().second)});
            }
            return rows;
        },
        [this, select, request = m_curvesRequest](const std::vector<RunRow>& rows) {
            // A selection made while the history was read wins over the one asked for before.
            const bool reselected = request != m_curvesRequest;
            QList<qint64> chosen = select && !reselected ? *select : m_history->selectedRuns();
            // Nothing chosen yet (the page's first look at a workspace): the newest runs' curves, overlaid.
            if (chosen.isEmpty())
                for (size_t k = 0; k < std::min<size_t>(rows.size(), 4); ++k)
                    chosen << rows[k].run.id;
            m_history->setRuns(rows, chosen);
        },
        [this](const QString& e) { showMessage(e, true); });
}

void TrainPage::selectRuns(const QList<qint64>& runIds)
{
    m_history->select(runIds);
}

void TrainPage::showSelectedRuns()
{
    updateButtons();
    const QList<qint64> ids = m_history->selectedRuns();
    const quint64 request = ++m_curvesRequest;
    // Live steps of the run being trained wait while its stored curves are read, then follow them.
    m_liveCurvesPending = m_job->running() && ids == QList<qint64>{m_liveRun};
    m_heldSteps.clear();
    if (m_workspace.isEmpty() || ids.isEmpty()) {
        m_charts->clear();
        m_history->showDetails({});
        Q_EMIT historyShown();
        return;
    }
    postThen(
        m_store, this,
        [ids](store::Database& db) {
            store::RunRepository runs(db);
            std::vector<RunCurves> curves;
            for (qint64 id : ids)
                if (auto run = runs.find(id))
                    curves.push_back({std::move(*run), runs.metric(id, "loss"), runs.metric(id, "dev_loss"),
                                      runs.metric(id, "learning_rate"), runs.metric(id, "tokens_per_second")});
            return curves;
        },
        [this, request](const std::vector<RunCurves>& curves) {
            if (request != m_curvesRequest)
                return;
            m_charts->show(curves);
            std::vector<store::RunRecord> records;
            for (const auto& c : curves)
                records.push_back(c.run);
            m_history->showDetails(records);
            if (m_liveCurvesPending && curves.size() == 1) {
                const int64_t stored = curves.front().loss.empty() ? 0 : curves.front().loss.back().first;
                for (const auto& held : m_heldSteps)
                    if (held.step > stored)
                        m_charts->addStep(held);
                m_heldSteps.clear();
                m_liveCurvesPending = false;
            }
            Q_EMIT historyShown();
        },
        [this](const QString& e) { showMessage(e, true); });
}

void TrainPage::updateButtons()
{
    const bool running = m_job->running();
    m_startButton->setEnabled(!running);
    m_stopButton->setEnabled(running);
    const QString status = m_history->selectedStatus();
    m_resumeButton->setEnabled(!running && (status == "stopped" || status == "failed"));
}

} // namespace cotlab::ui
