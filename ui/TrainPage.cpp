#include "TrainPage.h"

#include "FormWidgets.h"
#include "QCustomPlotInclude.h"
#include "TrainingJob.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "train/TrainingRun.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTime>
#include <QVBoxLayout>
#include <cmath>

namespace cotlab::ui {

namespace {

QCustomPlot* plot(const QString& title, const QString& yLabel)
{
    auto* p = new QCustomPlot;
    p->setMinimumHeight(150);
    p->plotLayout()->insertRow(0);
    p->plotLayout()->addElement(0, 0, new QCPTextElement(p, title, QFont()));
    p->xAxis->setLabel(QObject::tr("step"));
    p->yAxis->setLabel(yLabel);
    return p;
}

// Exponential moving average, as TensorBoard smooths loss curves.
QVector<double> smooth(const QVector<double>& v, double weight = 0.9)
{
    QVector<double> out;
    double s = 0;
    for (int i = 0; i < v.size(); ++i) {
        s = i == 0 ? v[i] : weight * s + (1 - weight) * v[i];
        out.push_back(s);
    }
    return out;
}

} // namespace

TrainPage::TrainPage(QWidget* parent) : QWidget(parent), m_job(new TrainingJob(this))
{
    m_lossPlot = plot(tr("Training loss (per target token)"), tr("loss"));
    m_lossPlot->setObjectName("lossPlot");
    m_lrPlot = plot(tr("Learning rate"), tr("lr"));
    m_speedPlot = plot(tr("Throughput"), tr("tokens/s"));
    m_lossPlot->legend->setFont(QFont(font().family(), 8));
    connect(m_lossPlot, &QCustomPlot::beforeReplot, this, [this] { // no empty legend box before a run is shown
        m_lossPlot->legend->setVisible(m_lossPlot->legend->itemCount() > 0);
    });

    m_progress = new QProgressBar;
    m_progress->setObjectName("progress");
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status = new QLabel(tr("No run in progress."));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_history = new QTableWidget(0, 6);
    m_history->setObjectName("history");
    m_history->setHorizontalHeaderLabels(
        {tr("Run"), tr("Name"), tr("Status"), tr("Steps"), tr("Last loss"), tr("Started")});
    m_history->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_history->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_history->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_history->verticalHeader()->hide();
    m_history->horizontalHeader()->setStretchLastSection(true);
    m_history->setToolTip(tr("Select one run to see its recipe and curves, several to overlay their losses"));
    m_details = new QPlainTextEdit;
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("The selected run's configuration and recipe"));

    auto* charts = new QSplitter(Qt::Vertical);
    charts->addWidget(m_lossPlot);
    auto* small = new QSplitter(Qt::Horizontal);
    small->addWidget(m_lrPlot);
    small->addWidget(m_speedPlot);
    charts->addWidget(small);
    charts->setStretchFactor(0, 3);
    charts->setStretchFactor(1, 2);

    auto* historyBox = new QSplitter(Qt::Horizontal);
    historyBox->addWidget(m_history);
    historyBox->addWidget(m_details);
    historyBox->setStretchFactor(0, 3);
    historyBox->setStretchFactor(1, 2);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_progress);
    rightLayout->addWidget(m_status);
    auto* rightSplit = new QSplitter(Qt::Vertical);
    rightSplit->addWidget(charts);
    rightSplit->addWidget(historyBox);
    rightSplit->setStretchFactor(0, 3);
    rightSplit->setStretchFactor(1, 2);
    rightLayout->addWidget(rightSplit, 1);

    auto* scroll = new QScrollArea;
    scroll->setWidget(buildForm());
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(340);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(scroll);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_job, &TrainingJob::stepped, this, &TrainPage::onStep);
    connect(m_job, &TrainingJob::finished, this, &TrainPage::onFinished);
    connect(m_history, &QTableWidget::itemSelectionChanged, this, &TrainPage::showSelectedRuns);
    updateButtons();
}

QWidget* TrainPage::buildForm()
{
    auto* form = new QWidget;
    auto* outer = new QVBoxLayout(form);

    auto* student = new QGroupBox(tr("Student"));
    auto* sf = new QFormLayout(student);
    m_model = new QLineEdit;
    m_model->setObjectName("model");
    m_model->setPlaceholderText(tr("Hugging Face folder or llama2.c .bin"));
    m_tokenizer = new QLineEdit;
    m_tokenizer->setObjectName("tokenizer");
    m_tokenizer->setPlaceholderText(tr("the model folder's own"));
    m_device = new QComboBox;
    m_device->addItems({"auto", "cpu", "cuda:0", "cuda:1"});
    sf->addRow(tr("Model"), pathField(m_model, true, this));
    sf->addRow(tr("Tokenizer"), pathField(m_tokenizer, false, this));
    m_precision = new QComboBox;
    m_precision->setObjectName("precision");
    m_precision->addItem(tr("fp32"), "fp32");
    m_precision->addItem(tr("bf16 mixed precision"), "bf16");
    m_precision->addItem(tr("fp16 mixed precision (CUDA)"), "fp16");
    m_precision->setToolTip(tr("Mixed precision computes matrix products in bf16 or fp16 under autocast and keeps "
                               "float32 weights and optimizer state; fp16 adds dynamic loss scaling and needs CUDA. "
                               "bf16 suits recent GPUs and CPUs with bf16 instructions (docs/training.md)"));
    sf->addRow(tr("Device"), m_device);
    sf->addRow(tr("Precision"), m_precision);

    auto* data = new QGroupBox(tr("Data"));
    auto* df = new QFormLayout(data);
    m_task = new QComboBox;
    m_task->setObjectName("task");
    m_split = new QComboBox;
    m_split->setObjectName("split");
    m_split->addItems({"train", "dev", "test"});
    m_template = new QComboBox;
    m_template->addItem(tr("Chain of thought"), "cot");
    m_template->addItem(tr("Label only (no-CoT baseline)"), "label");
    m_template->addItem(tr("Socratic sub-questions"), "socratic");
    m_template->addItem(tr("Step-by-step (two tasks)"), "step-by-step");
    m_template->setToolTip(tr("Chain of thought: rationale, then the answer. Label only: the answer alone. Socratic: "
                              "sub-questions and their answers. Step-by-step: answer and rationale learned as two "
                              "tasks (docs/training.md)"));
    m_correctOnly = new QCheckBox(tr("Only rationales with the right answer"));
    m_correctOnly->setChecked(true);
    m_samples = spinBox(0, 1000, 0);
    m_samples->setSpecialValueText(tr("all"));
    m_questions = spinBox(0, 100000000, 0);
    m_questions->setObjectName("questions");
    m_questions->setSpecialValueText(tr("all"));
    m_questions->setToolTip(tr("Train on at most this many questions, drawn at random (a corpus-size learning curve)"));
    m_maxLength = spinBox(16, 32768, 512);
    m_maxLength->setObjectName("maxLength");
    df->addRow(tr("Task"), m_task);
    df->addRow(tr("Split"), m_split);
    df->addRow(tr("Template"), m_template);
    df->addRow(QString(), m_correctOnly);
    df->addRow(tr("Rationales per question"), m_samples);
    df->addRow(tr("Questions"), m_questions);
    df->addRow(tr("Max tokens per example"), m_maxLength);
    m_devSplit = new QComboBox;
    m_devSplit->setObjectName("devSplit");
    m_devSplit->addItem(tr("none"), QString());
    m_devSplit->addItem("dev", "dev");
    m_devSplit->addItem("test", "test");
    m_devSplit->setToolTip(tr("Held-out examples whose loss is measured as training goes (the dev loss curve)"));
    m_evalEvery = spinBox(0, 1000000, 50);
    m_evalEvery->setObjectName("evalEvery");
    m_evalEvery->setSpecialValueText(tr("at the end"));
    m_evalEvery->setSuffix(tr(" steps"));
    df->addRow(tr("Dev loss on"), m_devSplit);
    df->addRow(tr("Dev loss every"), m_evalEvery);

    auto* hp = new QGroupBox(tr("Optimisation"));
    auto* hf = new QFormLayout(hp);
    m_epochs = spinBox(1, 1000, 3);
    m_steps = spinBox(0, 10000000, 0);
    m_steps->setObjectName("steps");
    m_steps->setSpecialValueText(tr("from epochs"));
    m_batch = spinBox(1, 4096, 8);
    m_batch->setObjectName("batch");
    m_accum = spinBox(1, 1024, 1);
    m_lr = new QLineEdit("1e-4");
    m_lr->setObjectName("lr");
    auto* lrValidator = new QDoubleValidator(1e-9, 10.0, 9, m_lr);
    lrValidator->setNotation(QDoubleValidator::ScientificNotation);
    m_lr->setValidator(lrValidator);
    m_warmup = spinBox(0, 1000000, 10);
    m_warmup->setObjectName("warmup");
    m_schedule = new QComboBox;
    m_schedule->addItems({"cosine", "linear", "constant"});
    m_clip = new QDoubleSpinBox;
    m_clip->setRange(0, 1000);
    m_clip->setValue(1.0);
    m_clip->setSpecialValueText(tr("off"));
    m_seed = spinBox(0, 1 << 30, 0);
    m_checkpointEvery = spinBox(0, 1000000, 100);
    m_checkpointEvery->setSpecialValueText(tr("at the end"));
    hf->addRow(tr("Epochs"), m_epochs);
    hf->addRow(tr("Steps"), m_steps);
    hf->addRow(tr("Batch size"), m_batch);
    hf->addRow(tr("Gradient accumulation"), m_accum);
    hf->addRow(tr("Learning rate (AdamW)"), m_lr);
    hf->addRow(tr("Warm-up steps"), m_warmup);
    hf->addRow(tr("Schedule"), m_schedule);
    hf->addRow(tr("Gradient clip"), m_clip);
    hf->addRow(tr("Seed"), m_seed);
    hf->addRow(tr("Checkpoint every"), m_checkpointEvery);

    auto* out = new QGroupBox(tr("Output"));
    auto* of = new QFormLayout(out);
    m_output = new QLineEdit;
    m_output->setObjectName("output");
    of->addRow(tr("Folder"), pathField(m_output, true, this));

    const JobControls controls = jobControls(tr("Start"));
    m_startButton = controls.start;
    m_stopButton = controls.stop;
    m_resumeButton = controls.resume;
    m_message = controls.message;
    connect(m_startButton, &QPushButton::clicked, this, &TrainPage::start);
    connect(m_stopButton, &QPushButton::clicked, this, &TrainPage::stopTraining);
    connect(m_resumeButton, &QPushButton::clicked, this, &TrainPage::resumeSelected);

    outer->addWidget(student);
    outer->addWidget(data);
    outer->addWidget(hp);
    outer->addWidget(out);
    outer->addLayout(controls.buttons);
    outer->addWidget(m_message);
    outer->addStretch(1);
    return form;
}

void TrainPage::setWorkspace(const QString& path, const QStringList& tasks)
{
    m_workspace = path;
    const QString current = m_task->currentText();
    m_task->clear();
    m_task->addItems(tasks);
    if (tasks.contains(current))
        m_task->setCurrentText(current);
    const QFileInfo info(path);
    if (m_output->text().isEmpty() || !m_job->running())
        m_output->setText(QDir(info.absolutePath())
                              .filePath(info.completeBaseName() + "-runs/run-" +
                                        QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss")));
    if (!path.isEmpty()) {
        store::Workspace ws(path.toStdString());
        store::RunRepository(ws.db()).markInterrupted();
    }
    refreshHistory();
}

void TrainPage::setModelPath(const QString& path, const QString& tokenizer)
{
    m_model->setText(path);
    m_tokenizer->setText(tokenizer);
}

void TrainPage::showMessage(const QString& text, bool error)
{
    showMessageIn(m_message, text, error);
}

void TrainPage::clearCharts()
{
    for (auto* p : {m_lossPlot, m_lrPlot, m_speedPlot})
        p->clearGraphs();
}

void TrainPage::start()
{
    if (m_workspace.isEmpty())
        return showMessage(tr("Open a workspace first."), true);
    if (m_model->text().trimmed().isEmpty() || !QFileInfo::exists(m_model->text().trimmed()))
        return showMessage(tr("Model: choose an existing Hugging Face model folder or llama2.c .bin file."), true);
    if (m_task->currentText().isEmpty())
        return showMessage(tr("Task: the workspace has no tasks; import rationales first."), true);
    bool ok = false;
    const double lr = m_lr->text().toDouble(&ok);
    if (!ok || lr <= 0)
        return showMessage(tr("Learning rate: enter a positive number such as 1e-4."), true);
    const QString output = m_output->text().trimmed();
    if (output.isEmpty())
        return showMessage(tr("Output folder: choose where checkpoints and the trained model go."), true);
    if (QFileInfo::exists(output + "/checkpoint"))
        return showMessage(tr("Output folder %1 already holds a run; choose another or resume that run.").arg(output),
                           true);
    train::TrainingRequest r;
    r.workspace = m_workspace.toStdString();
    r.name = QFileInfo(output).fileName().toStdString();
    r.modelPath = m_model->text().trimmed().toStdString();
    if (!m_tokenizer->text().trimmed().isEmpty())
        r.tokenizerPath = m_tokenizer->text().trimmed().toStdString();
    r.selection.task = m_task->currentText().toStdString();
    r.selection.split = m_split->currentText().toStdString();
    r.selection.format = train::targetFormatFromName(m_template->currentData().toString().toStdString());
    r.selection.correctOnly = m_correctOnly->isChecked();
    r.selection.samplesPerInstance = m_samples->value();
    r.selection.questions = m_questions->value();
    r.maxLength = m_maxLength->value();
    r.device = m_device->currentText().toStdString();
    r.config.precision = m_precision->currentData().toString().toStdString();
    r.config.learningRate = lr;
    r.config.epochs = m_epochs->value();
    r.config.maxSteps = m_steps->value();
    r.config.batchSize = m_batch->value();
    r.config.gradAccumulation = m_accum->value();
    r.config.warmupSteps = m_warmup->value();
    r.config.schedule = m_schedule->currentText().toStdString();
    r.config.clipNorm = m_clip->value();
    r.config.seed = uint64_t(m_seed->value());
    r.config.checkpointEvery = m_checkpointEvery->value();
    r.devSplit = m_devSplit->currentData().toString().toStdString();
    r.config.evalEvery = m_evalEvery->value();
    r.config.runDir = output.toStdString();
    m_liveRun = 0;
    clearCharts();
    if (m_job->start(r)) {
        showMessage(tr("Loading the model and tokenising the examples…"), false);
        m_status->setText(tr("Starting…"));
        m_progress->setRange(0, 0);
    }
    updateButtons();
}

void TrainPage::stopTraining()
{
    m_job->stop();
    showMessage(tr("Stopping after the current step; writing a checkpoint…"), false);
}

void TrainPage::resumeSelected()
{
    const auto rows = m_history->selectionModel()->selectedRows();
    if (rows.size() != 1)
        return showMessage(tr("Select one stopped or failed run to resume."), true);
    const qint64 runId = m_history->item(rows.front().row(), 0)->data(Qt::UserRole).toLongLong();
    m_liveRun = 0;
    clearCharts();
    if (m_job->resume(m_workspace, runId)) {
        showMessage(tr("Resuming run %1 from its checkpoint…").arg(runId), false);
        m_progress->setRange(0, 0);
    }
    updateButtons();
}

void TrainPage::onStep(const StepUpdate& u)
{
    // The first step of this job shows the run's stored steps (all of them for a resumed run); later steps
    // are appended live.
    const bool first = m_liveRun != u.runId;
    if (first) {
        m_liveRun = u.runId;
        m_lastStepMs = 0;
        refreshHistory();
        selectRuns({u.runId});
        showMessage(tr("Training run %1.").arg(u.runId), false);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_lastStepMs > 0) {
        const double secs = double(now - m_lastStepMs) / 1000.0;
        m_secondsPerStep = m_secondsPerStep == 0 ? secs : 0.9 * m_secondsPerStep + 0.1 * secs;
    }
    m_lastStepMs = now;
    m_progress->setRange(0, int(u.totalSteps));
    m_progress->setValue(int(u.step));
    for (int row = 0; row < m_history->rowCount(); ++row)
        if (m_history->item(row, 0)->data(Qt::UserRole).toLongLong() == u.runId) {
            m_history->item(row, 3)->setText(QString("%1 / %2").arg(u.step).arg(u.totalSteps));
            m_history->item(row, 4)->setText(QString::number(u.loss, 'f', 4));
            m_history->resizeColumnToContents(3);
        }
    const double eta = m_secondsPerStep * double(u.totalSteps - u.step);
    m_status->setText(tr("Run %1 · step %2 of %3 · epoch %4 · loss %5 · %6 tokens/s · ETA %7")
                          .arg(u.runId)
                          .arg(u.step)
                          .arg(u.totalSteps)
                          .arg(u.epoch, 0, 'f', 2)
                          .arg(u.loss, 0, 'f', 4)
                          .arg(u.tokensPerSecond, 0, 'f', 0)
                          .arg(m_secondsPerStep > 0 ? QTime(0, 0).addSecs(int(eta)).toString("hh:mm:ss") : "…"));
    if (!first && m_lossPlot->graphCount() >= 2 && m_lrPlot->graphCount() >= 1) {
        m_smoothed = m_lossPlot->graph(0)->dataCount() == 0 ? u.loss : 0.9 * m_smoothed + 0.1 * u.loss;
        m_lossPlot->graph(0)->addData(double(u.step), u.loss);
        m_lossPlot->graph(1)->addData(double(u.step), m_smoothed);
        m_lrPlot->graph(0)->addData(double(u.step), u.learningRate);
        m_speedPlot->graph(0)->addData(double(u.step), u.tokensPerSecond);
        if (!std::isnan(u.devLoss) && m_lossPlot->graphCount() >= 3) {
            m_lossPlot->graph(2)->addData(double(u.step), u.devLoss);
            m_lossPlot->graph(2)->addToLegend(); // no-op when already there
        }
        for (auto* p : {m_lossPlot, m_lrPlot, m_speedPlot}) {
            p->rescaleAxes();
            p->replot(QCustomPlot::rpQueuedReplot);
        }
    }
}

void TrainPage::onFinished(bool ok, const QString& status, const QString& message)
{
    Q_UNUSED(status);
    m_progress->setRange(0, 1);
    m_progress->setValue(ok && status == "finished" ? 1 : 0);
    m_status->setText(ok ? message : tr("Run failed."));
    showMessage(message, !ok);
    refreshHistory();
    if (m_liveRun)
        selectRuns({m_liveRun});
    updateButtons();
    Q_EMIT runFinished(status, message);
}

void TrainPage::refreshHistory()
{
    const auto selected = m_history->selectionModel()->selectedRows();
    QList<qint64> keep;
    for (const auto& index : selected)
        keep << m_history->item(index.row(), 0)->data(Qt::UserRole).toLongLong();
    m_history->setRowCount(0);
    if (m_workspace.isEmpty())
        return;
    store::Workspace ws(m_workspace.toStdString());
    store::RunRepository runs(ws.db());
    const QSignalBlocker block(m_history);
    for (const auto& r : runs.list()) {
        const int row = m_history->rowCount();
        m_history->insertRow(row);
        const auto loss = runs.metric(r.id, "loss");
        auto* id = new QTableWidgetItem(QString::number(r.id));
        id->setData(Qt::UserRole, qint64(r.id));
        m_history->setItem(row, 0, id);
        m_history->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(r.name)));
        m_history->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(r.status)));
        m_history->setItem(row, 3, new QTableWidgetItem(QString("%1 / %2").arg(r.step).arg(r.totalSteps)));
        m_history->setItem(row, 4,
                           new QTableWidgetItem(loss.empty() ? "–" : QString::number(loss.back().second, 'f', 4)));
        m_history->setItem(row, 5, new QTableWidgetItem(QString::fromStdString(r.createdAt).replace('T', ' ')));
        if (r.message)
            for (int c = 0; c < m_history->columnCount(); ++c)
                m_history->item(row, c)->setToolTip(QString::fromStdString(*r.message));
    }
    m_history->resizeColumnsToContents();
    selectRuns(keep);
}

void TrainPage::selectRuns(const QList<qint64>& runIds)
{
    {
        const QSignalBlocker block(m_history);
        m_history->clearSelection();
        for (int row = 0; row < m_history->rowCount(); ++row)
            if (runIds.contains(m_history->item(row, 0)->data(Qt::UserRole).toLongLong()))
                m_history->selectionModel()->select(m_history->model()->index(row, 0),
                                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    showSelectedRuns();
}

void TrainPage::showSelectedRuns()
{
    clearCharts();
    const auto rows = m_history->selectionModel()->selectedRows();
    if (m_workspace.isEmpty() || rows.isEmpty()) {
        m_details->clear();
        for (auto* p : {m_lossPlot, m_lrPlot, m_speedPlot})
            p->replot();
        updateButtons();
        return;
    }
    store::Workspace ws(m_workspace.toStdString());
    store::RunRepository runs(ws.db());
    QString details;
    auto toVectors = [](const std::vector<std::pair<int64_t, double>>& points, QVector<double>& x, QVector<double>& y) {
        for (const auto& [s, v] : points) {
            x << double(s);
            y << v;
        }
    };
    const bool single = rows.size() == 1;
    int colorIndex = 0;
    for (const auto& index : rows) {
        const qint64 runId = m_history->item(index.row(), 0)->data(Qt::UserRole).toLongLong();
        const auto run = runs.find(runId);
        if (!run)
            continue;
        QVector<double> x, y;
        toVectors(runs.metric(runId, "loss"), x, y);
        const QColor color = seriesColor(colorIndex++);
        const QString name = QString("run %1 %2").arg(runId).arg(QString::fromStdString(run->name));
        if (single) {
            auto* raw = m_lossPlot->addGraph();
            raw->setData(x, y);
            raw->setPen(QPen(QColor(160, 160, 160)));
            raw->setName(tr("loss"));
            m_smoothed = y.isEmpty() ? 0 : smooth(y).back();
        }
        auto* smoothed = m_lossPlot->addGraph();
        smoothed->setData(x, smooth(y));
        smoothed->setPen(QPen(color, 2));
        smoothed->setName(single ? tr("smoothed") : name);
        QVector<double> dx, dy;
        toVectors(runs.metric(runId, "dev_loss"), dx, dy);
        if (single || !dx.isEmpty()) { // in a single run's view graph 2 is the dev loss, filled live
            auto* dev = m_lossPlot->addGraph();
            dev->setData(dx, dy);
            dev->setPen(QPen(single ? QColor(214, 39, 40) : color, 1.5, Qt::DashLine));
            dev->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
            dev->setName(single ? tr("dev loss") : name + tr(" (dev)"));
            if (single && dx.isEmpty())
                dev->removeFromLegend();
        }
        QVector<double> lx, ly, sx, sy;
        toVectors(runs.metric(runId, "learning_rate"), lx, ly);
        toVectors(runs.metric(runId, "tokens_per_second"), sx, sy);
        auto* lr = m_lrPlot->addGraph();
        lr->setData(lx, ly);
        lr->setPen(QPen(color, 1.5));
        auto* speed = m_speedPlot->addGraph();
        speed->setData(sx, sy);
        speed->setPen(QPen(color, 1.5));
        const auto config = QJsonDocument::fromJson(QByteArray::fromStdString(run->configJson));
        const auto recipe = QJsonDocument::fromJson(QByteArray::fromStdString(run->recipeJson));
        details += QString("Run %1 — %2 (%3)\n")
                       .arg(runId)
                       .arg(QString::fromStdString(run->name), QString::fromStdString(run->status));
        if (run->message)
            details += QString::fromStdString(*run->message) + "\n";
        details += tr("Recipe: ") + QString::fromUtf8(recipe.toJson(QJsonDocument::Indented));
        details += tr("Config: ") + QString::fromUtf8(config.toJson(QJsonDocument::Indented)) + "\n";
    }
    m_details->setPlainText(details);
    for (auto* p : {m_lossPlot, m_lrPlot, m_speedPlot}) {
        p->rescaleAxes();
        p->replot();
    }
    updateButtons();
}

void TrainPage::updateButtons()
{
    const bool running = m_job->running();
    m_startButton->setEnabled(!running);
    m_stopButton->setEnabled(running);
    const auto rows = m_history->selectionModel() ? m_history->selectionModel()->selectedRows() : QModelIndexList();
    bool resumable = false;
    if (rows.size() == 1) {
        const QString status = m_history->item(rows.front().row(), 2)->text();
        resumable = status == "stopped" || status == "failed";
    }
    m_resumeButton->setEnabled(!running && resumable);
}

} // namespace cotlab::ui
