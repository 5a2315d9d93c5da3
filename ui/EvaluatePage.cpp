#include "EvaluatePage.h"

#include "EvaluationJob.h"
#include "FormWidgets.h"
#include "PlotFiles.h"
#include "QCustomPlotInclude.h"
#include "eval/Accuracy.h"
#include "report/EvaluationSheets.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

QJsonObject parseObject(const std::string& text)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

QString percent(double fraction)
{
    return QString::number(100 * fraction, 'f', 1);
}

// "greedy" or "5 samples, T 0.7, majority vote", with the template.
QString decodingOf(const QJsonObject& config)
{
    const int samples = config.value("samples").toInt(1);
    const QString name = config.value("template").toString();
    const QString format = name == "label"          ? QObject::tr("label only")
                           : name == "socratic"     ? QObject::tr("Socratic")
                           : name == "step-by-step" ? QObject::tr("step-by-step")
                                                    : QObject::tr("CoT");
    if (samples <= 1)
        return format + QObject::tr(" · greedy");
    return format + QObject::tr(" · %1 samples, T %2, majority vote")
                        .arg(samples)
                        .arg(config.value("temperature").toDouble(), 0, 'g', 3);
}

// What the student was trained on, from its run's recipe (its task named when it is not the evaluated one).
QString recipeOf(const QJsonObject& recipe, const QString& evaluatedTask)
{
    if (recipe.isEmpty())
        return QObject::tr("–");
    const int perQuestion = recipe.value("samples_per_instance").toInt();
    const QString task = recipe.value("task").toString();
    return QObject::tr("%1%2 · %3 questions · %4 examples%5")
        .arg(task == evaluatedTask ? QString() : task + " ", recipe.value("template").toString())
        .arg(recipe.value("instances_used").toInteger())
        .arg(recipe.value("examples").toInteger())
        .arg(perQuestion > 0 ? QObject::tr(" · ≤%1 per question").arg(perQuestion) : QString());
}

enum Filter {
    All,
    StudentWrong,
    StudentRight,
    StudentWrongTeacherRight,
    StudentRightTeacherWrong,
    BothWrong,
    NoAnswer
};

bool passes(const store::EvaluatedInstance& i, int filter)
{
    const bool teacherRight = i.teacherCorrect.value_or(false);
    const bool teacherWrong = i.teacherCorrect.has_value() && !*i.teacherCorrect;
    switch (filter) {
    case StudentWrong:
        return !i.correct;
    case StudentRight:
        return i.correct;
    case StudentWrongTeacherRight:
        return !i.correct && teacherRight;
    case StudentRightTeacherWrong:
        return i.correct && teacherWrong;
    case BothWrong:
        return !i.correct && teacherWrong;
    case NoAnswer:
        return i.prediction.empty();
    default:
        return true;
    }
}

QTableWidgetItem* cell(const QString& text, const QVariant& data = {})
{
    auto* item = new QTableWidgetItem(text);
    if (data.isValid())
        item->setData(Qt::UserRole, data);
    return item;
}

} // namespace

EvaluatePage::EvaluatePage(QWidget* parent) : QWidget(parent), m_job(new EvaluationJob(this))
{
    m_progress = new QProgressBar;
    m_progress->setObjectName("progress");
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status = new QLabel(tr("No evaluation in progress."));
    m_status->setObjectName("status");
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_results = readOnlyTable({tr("ID"), tr("Student"), tr("Run"), tr("Trained on"), tr("Task"), tr("Split"),
                               tr("Decoding"), tr("Accuracy % (95% CI)"), tr("n"), tr("Status")},
                              "results");
    m_results->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_results->setToolTip(
        tr("Select one evaluation to see its questions; select several to compare them in the plots"));

    m_contrast = new QLabel;
    m_contrast->setObjectName("contrast");
    m_contrast->setWordWrap(true);
    m_contrast->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_contrast->hide();

    m_filter = new QComboBox;
    m_filter->setObjectName("filter");
    m_filter->addItem(tr("All questions"), All);
    m_filter->addItem(tr("Student wrong"), StudentWrong);
    m_filter->addItem(tr("Student right"), StudentRight);
    m_filter->addItem(tr("Student wrong, teacher right"), StudentWrongTeacherRight);
    m_filter->addItem(tr("Student right, teacher wrong"), StudentRightTeacherWrong);
    m_filter->addItem(tr("Both wrong"), BothWrong);
    m_filter->addItem(tr("Student gave no answer"), NoAnswer);
    m_questions = readOnlyTable(
        {tr("Question id"), tr("Question"), tr("Gold"), tr("Student"), tr(""), tr("Teacher"), tr("")}, {});
    m_questions->setObjectName("questions");
    m_questions->setSelectionMode(QAbstractItemView::SingleSelection);
    m_questions->setWordWrap(false);
    m_questionDetails = new QPlainTextEdit;
    m_questionDetails->setReadOnly(true);
    m_questionDetails->setPlaceholderText(tr("The selected question with the student's and the teacher's rationale"));
    auto* questionsTab = new QWidget;
    auto* ql = new QVBoxLayout(questionsTab);
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Show")));
    filterRow->addWidget(m_filter);
    filterRow->addStretch(1);
    ql->addLayout(filterRow);
    auto* qsplit = new QSplitter(Qt::Horizontal);
    qsplit->addWidget(m_questions);
    qsplit->addWidget(m_questionDetails);
    qsplit->setStretchFactor(0, 3);
    qsplit->setStretchFactor(1, 2);
    qsplit->setSizes({700, 420});
    ql->addWidget(qsplit, 1);

    m_accuracyPlot = new QCustomPlot;
    m_accuracyPlot->setObjectName("accuracyPlot");
    m_curvePlot = new QCustomPlot;
    m_curvePlot->setObjectName("curvePlot");
    m_cotPlot = new QCustomPlot;
    m_cotPlot->setObjectName("cotPlot");
    for (auto* p : {m_accuracyPlot, m_curvePlot, m_cotPlot}) {
        p->setMinimumHeight(220);
        p->legend->setFont(QFont(font().family(), 8));
    }
    m_curveAxis = new QComboBox;
    m_curveAxis->setObjectName("curveAxis");
    m_curveAxis->addItem(tr("training questions"), int(CurveAxis::Questions));
    m_curveAxis->addItem(tr("training examples"), int(CurveAxis::Examples));
    m_curveAxis->addItem(tr("rationales per question"), int(CurveAxis::SamplesPerInstance));

    m_views = new QTabWidget;
    m_views->setObjectName("views");
    m_views->addTab(questionsTab, tr("Questions"));
    m_views->addTab(plotTab(m_accuracyPlot, "accuracy"), tr("Accuracy per student"));
    m_views->addTab(plotTab(m_curvePlot, "learning-curve", m_curveAxis), tr("Learning curve"));
    m_views->addTab(plotTab(m_cotPlot, "with-without-cot"), tr("With and without CoT"));

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_progress);
    rightLayout->addWidget(m_status);
    auto* rightSplit = new QSplitter(Qt::Vertical);
    auto* resultsBox = new QWidget;
    auto* resultsLayout = new QVBoxLayout(resultsBox);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    resultsLayout->addWidget(m_results, 1);
    auto* resultsRow = new QHBoxLayout;
    resultsRow->addWidget(m_contrast, 1);
    auto* browse = new QPushButton(tr("Show Rationales in &Browse"));
    browse->setObjectName("browseRationales");
    browse->setToolTip(tr("The selected student's generated rationales on the Browse page (source student, model "
                          "the student's name)"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const auto rows = m_results->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            Q_EMIT browseRationales(m_results->item(rows.first().row(), 1)->text());
    });
    resultsRow->addWidget(browse, 0, Qt::AlignTop);
    auto* exportSheet = new QPushButton(tr("Export &Spreadsheet…"));
    exportSheet->setObjectName("exportEvaluation");
    exportSheet->setToolTip(tr("The selected evaluation as XLSX or CSV: Summary, Items (student and teacher side by "
                               "side), Labels and Agreement of the human evaluation studies that judged it"));
    connect(exportSheet, &QPushButton::clicked, this, [this] {
        const auto ids = selectedIds();
        if (ids.size() != 1)
            return showMessage(tr("Select one evaluation to export."), true);
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Evaluation"),
            QFileInfo(m_workspace).absolutePath() + QString("/evaluation-%1.xlsx").arg(ids.front()),
            tr("Spreadsheets (*.xlsx *.csv);;Excel workbook (*.xlsx);;CSV (*.csv)"));
        if (!path.isEmpty())
            exportEvaluation(ids.front(), path);
    });
    resultsRow->addWidget(exportSheet, 0, Qt::AlignTop);
    resultsLayout->addLayout(resultsRow);
    rightSplit->addWidget(resultsBox);
    rightSplit->addWidget(m_views);
    rightSplit->setStretchFactor(0, 2);
    rightSplit->setStretchFactor(1, 3);
    rightLayout->addWidget(rightSplit, 1);

    auto* scroll = new QScrollArea;
    scroll->setWidget(buildForm());
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(330);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(scroll);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_job, &EvaluationJob::progressed, this, &EvaluatePage::onProgress);
    connect(m_job, &EvaluationJob::finished, this, &EvaluatePage::onFinished);
    connect(m_results, &QTableWidget::itemSelectionChanged, this, &EvaluatePage::showSelection);
    connect(m_filter, &QComboBox::currentIndexChanged, this, &EvaluatePage::applyQuestionFilter);
    connect(m_questions, &QTableWidget::itemSelectionChanged, this, &EvaluatePage::showQuestionDetails);
    connect(m_curveAxis, &QComboBox::currentIndexChanged, this, &EvaluatePage::replot);
    replot();
    updateButtons();
}

QWidget* EvaluatePage::plotTab(QCustomPlot* plot, const QString& name, QWidget* extra)
{
    auto* tab = new QWidget;
    auto* l = new QVBoxLayout(tab);
    auto* row = new QHBoxLayout;
    if (extra) {
        row->addWidget(new QLabel(tr("Against")));
        row->addWidget(extra);
    }
    row->addStretch(1);
    auto* save = savePlotButton(
        plot, name, [this] { return QFileInfo(m_workspace).absolutePath(); },
        [this](const QString& message, bool error) { showMessage(message, error); });
    row->addWidget(save);
    l->addLayout(row);
    l->addWidget(plot, 1);
    return tab;
}

QWidget* EvaluatePage::buildForm()
{
    auto* form = new QWidget;
    auto* outer = new QVBoxLayout(form);

    auto* student = new QGroupBox(tr("Student"));
    auto* sf = new QFormLayout(student);
    m_run = new QComboBox;
    m_run->setObjectName("run");
    m_run->setToolTip(tr("A finished training run of this workspace, or a model folder of your own"));
    m_model = new QLineEdit;
    m_model->setObjectName("model");
    m_model->setPlaceholderText(tr("Hugging Face folder or llama2.c .bin"));
    m_tokenizer = new QLineEdit;
    m_tokenizer->setObjectName("tokenizer");
    m_tokenizer->setPlaceholderText(tr("the model folder's own"));
    m_device = new QComboBox;
    m_device->addItems({"auto", "cpu", "cuda:0", "cuda:1"});
    sf->addRow(tr("Trained run"), m_run);
    sf->addRow(tr("or model"), pathField(m_model, true, this));
    sf->addRow(tr("Tokenizer"), pathField(m_tokenizer, false, this));
    sf->addRow(tr("Device"), m_device);
    connect(m_run, &QComboBox::currentIndexChanged, this, [this] {
        const bool fromRun = m_run->currentData().toLongLong() > 0;
        m_model->setEnabled(!fromRun);
        m_tokenizer->setEnabled(!fromRun);
        const QString task = m_run->currentData(Qt::UserRole + 1).toString();
        if (fromRun && m_task->findText(task) >= 0)
            m_task->setCurrentText(task);
    });

    auto* data = new QGroupBox(tr("Questions"));
    auto* df = new QFormLayout(data);
    m_task = new QComboBox;
    m_task->setObjectName("task");
    m_split = new QComboBox;
    m_split->setObjectName("split");
    m_split->addItems({"test", "dev", "train", "contrast"});
    m_template = new QComboBox;
    m_template->setObjectName("template");
    m_template->addItem(tr("As the run was trained"), QString());
    m_template->addItem(tr("Chain of thought"), "cot");
    m_template->addItem(tr("Label only"), "label");
    m_template->addItem(tr("Socratic sub-questions"), "socratic");
    m_template->addItem(tr("Step-by-step ([label] prompt)"), "step-by-step");
    m_limit = spinBox(0, 100000000, 0);
    m_limit->setObjectName("limit");
    m_limit->setSpecialValueText(tr("all"));
    m_limit->setToolTip(tr("Evaluate only the split's first N questions"));
    df->addRow(tr("Task"), m_task);
    df->addRow(tr("Split"), m_split);
    df->addRow(tr("Student writes"), m_template);
    df->addRow(tr("Questions"), m_limit);

    auto* decoding = new QGroupBox(tr("Decoding"));
    auto* decf = new QFormLayout(decoding);
    m_samples = spinBox(1, 256, 1);
    m_samples->setObjectName("samples");
    m_samples->setToolTip(tr("1: greedy. More: sampled rationales whose answers vote (self-consistency)"));
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0.05, 2.0);
    m_temperature->setSingleStep(0.05);
    m_temperature->setValue(0.7);
    m_maxNewTokens = spinBox(0, 4096, 0);
    m_maxNewTokens->setObjectName("maxNewTokens");
    m_maxNewTokens->setSpecialValueText(tr("auto (CoT: 256+, label: 16)"));
    m_maxNewTokens->setToolTip(tr("Tokens per answer at most. Auto: 16 for label-only students; for chain of thought "
                                  "256, or more when the teacher's rationales on these questions are longer. "
                                  "Generations that reach the limit are counted in the Status column."));
    m_batch = spinBox(0, 1024, 0);
    m_batch->setObjectName("batch");
    m_batch->setSpecialValueText(tr("auto"));
    m_batch->setToolTip(tr("Sequences generated together; auto fits the model's KV cache in memory"));
    m_seed = spinBox(0, 1 << 30, 0);
    decf->addRow(tr("Samples per question"), m_samples);
    decf->addRow(tr("Temperature"), m_temperature);
    decf->addRow(tr("Max new tokens"), m_maxNewTokens);
    decf->addRow(tr("Batch size"), m_batch);
    decf->addRow(tr("Seed"), m_seed);
    connect(m_samples, &QSpinBox::valueChanged, this, [this](int samples) { m_temperature->setEnabled(samples > 1); });
    m_temperature->setEnabled(false);

    const JobControls controls = jobControls(tr("Evaluate"));
    m_startButton = controls.start;
    m_stopButton = controls.stop;
    m_resumeButton = controls.resume;
    m_message = controls.message;
    connect(m_startButton, &QPushButton::clicked, this, &EvaluatePage::start);
    connect(m_stopButton, &QPushButton::clicked, this, &EvaluatePage::stopEvaluation);
    connect(m_resumeButton, &QPushButton::clicked, this, &EvaluatePage::resumeSelected);

    outer->addWidget(student);
    outer->addWidget(data);
    outer->addWidget(decoding);
    outer->addLayout(controls.buttons);
    outer->addWidget(m_message);
    outer->addStretch(1);
    return form;
}

void EvaluatePage::exportEvaluation(qint64 evaluationId, const QString& path)
{
    auto fail = [this](const std::string& e) {
        QMetaObject::invokeMethod(
            this,
            [this, m = QString::fromStdString(e)] {
                showMessage(m, true);
                Q_EMIT exported(m, true);
            },
            Qt::QueuedConnection);
    };
    m_store.post(
        [this, evaluationId, path](store::Database& db) {
            const auto files = report::writeSheets(path.toStdString(), report::evaluationSheets(db, evaluationId));
            const QString text = files.size() == 1 ? tr("Wrote %1.").arg(path)
                                                   : tr("Wrote %1 CSV files beside %2.").arg(files.size()).arg(path);
            QMetaObject::invokeMethod(
                this,
                [this, text] {
                    showMessage(text, false);
                    Q_EMIT exported(text, false);
                },
                Qt::QueuedConnection);
        },
        taskOptions(fail));
}

void EvaluatePage::setWorkspace(const QString& path, const QStringList& tasks)
{
    if (path != m_workspace)
        m_store.setWorkspace(path.toStdString());
    m_workspace = path;
    const QString current = m_task->currentText();
    m_task->clear();
    m_task->addItems(tasks);
    if (tasks.contains(current))
        m_task->setCurrentText(current);
    refreshRuns();
    refreshResults();
}

void EvaluatePage::setModelPath(const QString& path, const QString& tokenizer)
{
    m_model->setText(path);
    m_tokenizer->setText(tokenizer);
}

void EvaluatePage::refreshRuns()
{
    const qint64 current = m_run->currentData().toLongLong();
    const QSignalBlocker block(m_run);
    m_run->clear();
    m_run->addItem(tr("none: the model below"), qint64(0));
    if (!m_workspace.isEmpty()) {
        store::Workspace ws(m_workspace.toStdString());
        for (const auto& r : store::RunRepository(ws.db()).list()) {
            if (r.status != "finished")
                continue;
            m_run->addItem(tr("run %1 · %2").arg(r.id).arg(QString::fromStdString(r.name)), qint64(r.id));
            m_run->setItemData(m_run->count() - 1, parseObject(r.recipeJson).value("task").toString(),
                               Qt::UserRole + 1);
        }
    }
    const int index = m_run->findData(current);
    m_run->setCurrentIndex(index >= 0 ? index : 0);
    m_model->setEnabled(m_run->currentIndex() == 0);
    m_tokenizer->setEnabled(m_run->currentIndex() == 0);
}

void EvaluatePage::showMessage(const QString& text, bool error)
{
    showMessageIn(m_message, text, error);
}

void EvaluatePage::start()
{
    if (m_workspace.isEmpty())
        return showMessage(tr("Open a workspace first."), true);
    eval::EvaluationRequest r;
    r.workspace = m_workspace.toStdString();
    const qint64 runId = m_run->currentData().toLongLong();
    if (runId > 0) {
        r.runId = runId;
    } else {
        const QString model = m_model->text().trimmed();
        if (model.isEmpty() || !QFileInfo::exists(model))
            return showMessage(
                tr("Student: choose a finished run, or an existing Hugging Face model folder or llama2.c .bin file."),
                true);
        r.modelPath = model.toStdString();
        if (!m_tokenizer->text().trimmed().isEmpty())
            r.tokenizerPath = m_tokenizer->text().trimmed().toStdString();
    }
    if (m_task->currentText().isEmpty())
        return showMessage(tr("Task: the workspace has no tasks; import a dataset first."), true);
    r.task = m_task->currentText().toStdString();
    r.split = m_split->currentText().toStdString();
    if (const QString format = m_template->currentData().toString(); !format.isEmpty())
        r.format = train::targetFormatFromName(format.toStdString());
    r.samples = m_samples->value();
    r.temperature = m_temperature->value();
    r.seed = uint64_t(m_seed->value());
    r.maxNewTokens = m_maxNewTokens->value();
    r.batchSize = m_batch->value();
    r.limit = m_limit->value();
    r.device = m_device->currentText().toStdString();
    m_liveEvaluation = 0;
    if (m_job->start(r)) {
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
    const auto ids = selectedIds();
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
        refreshResults();
        selectEvaluations({evaluationId});
        showMessage(tr("Evaluating (evaluation %1).").arg(evaluationId), false);
    }
    m_progress->setRange(0, int(items));
    m_progress->setValue(int(done));
    const auto interval = eval::accuracyWithInterval(correct, done);
    m_status->setText(tr("Evaluation %1 · %2 of %3 questions · accuracy so far %4% (95% CI %5–%6)")
                          .arg(evaluationId)
                          .arg(done)
                          .arg(items)
                          .arg(percent(interval.accuracy), percent(interval.low), percent(interval.high)));
    for (int row = 0; row < m_results->rowCount(); ++row)
        if (m_results->item(row, 0)->data(Qt::UserRole).toLongLong() == evaluationId) {
            m_results->item(row, 7)->setText(
                tr("%1 (%2–%3)").arg(percent(interval.accuracy), percent(interval.low), percent(interval.high)));
            m_results->item(row, 8)->setText(QString::number(done));
        }
}

void EvaluatePage::onFinished(bool ok, const QString& status, const QString& message)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(ok && status == "finished" ? 1 : 0);
    m_status->setText(ok ? message : tr("Evaluation failed."));
    showMessage(message, !ok);
    refreshResults();
    if (m_liveEvaluation)
        selectEvaluations({m_liveEvaluation});
    updateButtons();
    Q_EMIT evaluationFinished(status, message);
}

QList<qint64> EvaluatePage::selectedIds() const
{
    QList<qint64> ids;
    if (!m_results->selectionModel())
        return ids;
    for (const auto& index : m_results->selectionModel()->selectedRows())
        ids << m_results->item(index.row(), 0)->data(Qt::UserRole).toLongLong();
    return ids;
}

void EvaluatePage::refreshResults()
{
    const auto keep = selectedIds();
    m_results->setRowCount(0);
    m_points.clear();
    if (m_workspace.isEmpty()) {
        showSelection();
        return;
    }
    store::Workspace ws(m_workspace.toStdString());
    store::EvaluationRepository evals(ws.db());
    store::RunRepository runs(ws.db());
    {
        const QSignalBlocker block(m_results);
        for (const auto& e : evals.list()) {
            const int row = m_results->rowCount();
            m_results->insertRow(row);
            const QJsonObject config = parseObject(e.configJson);
            QJsonObject recipe;
            if (e.runId)
                if (const auto run = runs.find(*e.runId))
                    recipe = parseObject(run->recipeJson);
            const QString accuracy =
                e.accuracy ? tr("%1 (%2–%3)")
                                 .arg(percent(*e.accuracy), percent(e.ciLow.value_or(0)), percent(e.ciHigh.value_or(0)))
                           : tr("–");
            m_results->setItem(row, 0, cell(QString::number(e.id), qint64(e.id)));
            m_results->setItem(row, 1, cell(QString::fromStdString(e.name)));
            m_results->setItem(row, 2, cell(e.runId ? QString::number(*e.runId) : tr("–")));
            m_results->setItem(row, 3, cell(recipeOf(recipe, QString::fromStdString(e.task))));
            m_results->setItem(row, 4, cell(QString::fromStdString(e.task)));
            m_results->setItem(row, 5, cell(QString::fromStdString(e.split)));
            m_results->setItem(row, 6, cell(decodingOf(config)));
            m_results->setItem(row, 7, cell(accuracy));
            m_results->setItem(
                row, 8,
                cell(e.done == e.items ? QString::number(e.done) : QString("%1 / %2").arg(e.done).arg(e.items)));
            // Generations cut at the token limit score as wrong answers: the status says how many there are.
            const qint64 limit = config.value("max_new_tokens").toInteger();
            const int64_t cut = limit > 0 ? evals.countAtTokenLimit(e.id, limit) : 0;
            m_results->setItem(
                row, 9,
                cell(cut == 0
                         ? QString::fromStdString(e.status)
                         : tr("%1 · %2 cut at %3 tokens").arg(QString::fromStdString(e.status)).arg(cut).arg(limit)));
            const QString tip = QString::fromStdString(e.modelPath) +
                                (e.message ? "\n" + QString::fromStdString(*e.message) : QString());
            for (int c = 0; c < m_results->columnCount(); ++c)
                m_results->item(row, c)->setToolTip(tip);
            if (e.done == 0 || !e.accuracy)
                continue;
            EvaluationPoint p;
            p.id = e.id;
            p.name = QString::fromStdString(e.name);
            p.task = QString::fromStdString(e.task);
            p.split = QString::fromStdString(e.split);
            p.format = config.value("template").toString();
            p.accuracy = *e.accuracy;
            p.low = e.ciLow.value_or(0);
            p.high = e.ciHigh.value_or(0);
            p.n = e.done;
            if (!recipe.isEmpty()) {
                p.questions = recipe.value("instances_used").toDouble();
                p.examples = recipe.value("examples").toDouble();
                if (const int k = recipe.value("samples_per_instance").toInt(); k > 0)
                    p.samplesPerInstance = k;
            }
            const auto [teacherCorrect, teacherN] = evals.teacherTally(e.id);
            if (teacherN > 0) {
                const auto t = eval::accuracyWithInterval(teacherCorrect, teacherN);
                p.teacherAccuracy = t.accuracy;
                p.teacherLow = t.low;
                p.teacherHigh = t.high;
                p.teacherN = teacherN;
            }
            m_points << p;
        }
    }
    m_results->resizeColumnsToContents();
    selectEvaluations(keep);
}

void EvaluatePage::selectEvaluations(const QList<qint64>& ids)
{
    {
        const QSignalBlocker block(m_results);
        m_results->clearSelection();
        for (int row = 0; row < m_results->rowCount(); ++row)
            if (ids.contains(m_results->item(row, 0)->data(Qt::UserRole).toLongLong()))
                m_results->selectionModel()->select(m_results->model()->index(row, 0),
                                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    showSelection();
}

void EvaluatePage::showSelection()
{
    const auto ids = selectedIds();
    showQuestions(ids.size() == 1 ? ids.front() : 0);
    m_contrast->hide();
    if (ids.size() == 1 && !m_workspace.isEmpty()) {
        const auto report = eval::compareWithOriginals(m_workspace.toStdString(), ids.front());
        if (report.questions > report.unlinked) {
            const auto& d = report.difference;
            QString text = d.pairs == 0 ? tr("Contrast questions: none paired yet.")
                                        : tr("Contrast questions against their originals (%1 pairs): originals %2%, "
                                             "contrast %3%, difference %4 points (95% CI %5 to %6).")
                                              .arg(d.pairs)
                                              .arg(percent(d.original), percent(d.contrast))
                                              .arg(100 * d.difference, 0, 'f', 1)
                                              .arg(100 * d.low, 0, 'f', 1)
                                              .arg(100 * d.high, 0, 'f', 1);
            if (report.originalsNotEvaluated > 0)
                text += tr(" Originals without a result for this student: %1 (evaluate it on their split).")
                            .arg(report.originalsNotEvaluated);
            if (report.unlinked > 0)
                text += tr(" Questions naming no original in the workspace: %1.").arg(report.unlinked);
            m_contrast->setText(text);
            m_contrast->show();
        }
    }
    replot();
    updateButtons();
}

void EvaluatePage::replot()
{
    // The selected evaluations, or every one with results when none (or one) is selected.
    const auto ids = selectedIds();
    QVector<EvaluationPoint> shown;
    for (const auto& p : m_points)
        if (ids.size() < 2 || ids.contains(p.id))
            shown << p;
    plotAccuracyPerStudent(m_accuracyPlot, shown);
    plotLearningCurve(m_curvePlot, shown, CurveAxis(m_curveAxis->currentData().toInt()));
    plotWithAndWithoutCot(m_cotPlot, shown);
}

void EvaluatePage::showQuestions(qint64 evaluationId)
{
    if (evaluationId != m_questionsOf || evaluationId == m_liveEvaluation) {
        m_items.clear();
        if (evaluationId > 0 && !m_workspace.isEmpty()) {
            store::Workspace ws(m_workspace.toStdString());
            m_items = store::EvaluationRepository(ws.db()).evaluatedInstanceDetails(evaluationId);
        }
        m_questionsOf = evaluationId;
    }
    applyQuestionFilter();
}

void EvaluatePage::applyQuestionFilter()
{
    const int filter = m_filter->currentData().toInt();
    const QSignalBlocker block(m_questions);
    m_questions->setRowCount(0);
    const QString right = QStringLiteral("✓"), wrong = QStringLiteral("✗");
    int shown = 0;
    for (size_t k = 0; k < m_items.size(); ++k) {
        const auto& i = m_items[k];
        if (!passes(i, filter))
            continue;
        const int row = m_questions->rowCount();
        m_questions->insertRow(row);
        QString question = QString::fromStdString(i.question).simplified();
        if (question.size() > 140)
            question = question.left(140) + "…";
        m_questions->setItem(row, 0, cell(QString::fromStdString(i.extId), qulonglong(k)));
        m_questions->setItem(row, 1, cell(question));
        m_questions->setItem(row, 2, cell(QString::fromStdString(i.gold)));
        m_questions->setItem(row, 3, cell(i.prediction.empty() ? tr("(none)") : QString::fromStdString(i.prediction)));
        m_questions->setItem(row, 4, cell(i.correct ? right : wrong));
        m_questions->item(row, 4)->setForeground(i.correct ? QColor(30, 130, 40) : QColor(190, 30, 30));
        m_questions->setItem(row, 5, cell(i.teacherAnswer ? QString::fromStdString(*i.teacherAnswer) : tr("–")));
        m_questions->setItem(row, 6, cell(!i.teacherCorrect ? QString() : *i.teacherCorrect ? right : wrong));
        if (i.teacherCorrect)
            m_questions->item(row, 6)->setForeground(*i.teacherCorrect ? QColor(30, 130, 40) : QColor(190, 30, 30));
        ++shown;
    }
    m_questions->resizeColumnsToContents();
    m_questions->setColumnWidth(1, std::min(m_questions->columnWidth(1), 300));
    m_views->setTabText(0,
                        m_items.empty() ? tr("Questions") : tr("Questions (%1 of %2)").arg(shown).arg(m_items.size()));
    m_questionDetails->clear();
}

void EvaluatePage::showQuestionDetails()
{
    const auto rows = m_questions->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return m_questionDetails->clear();
    const size_t k = m_questions->item(rows.front().row(), 0)->data(Qt::UserRole).toULongLong();
    if (k >= m_items.size())
        return;
    const auto& i = m_items[k];
    QString text = tr("Question %1\n%2\n").arg(QString::fromStdString(i.extId), QString::fromStdString(i.question));
    if (i.choicesJson) {
        for (const auto& c : QJsonDocument::fromJson(QByteArray::fromStdString(*i.choicesJson)).array())
            text +=
                QString("(%1) %2  ").arg(c.toObject().value("label").toString(), c.toObject().value("text").toString());
        text += "\n";
    }
    text += tr("Gold: %1\n\n").arg(QString::fromStdString(i.gold));
    text += tr("Student — %1 (%2)\n%3\n")
                .arg(i.prediction.empty() ? tr("no answer") : QString::fromStdString(i.prediction),
                     i.correct ? tr("right") : tr("wrong"), QString::fromStdString(i.studentRationale));
    if (i.votesJson)
        text += tr("Votes: %1\n").arg(QString::fromStdString(*i.votesJson));
    if (i.teacherRationale)
        text += tr("\nTeacher %1 — %2 (%3)\n%4\n")
                    .arg(QString::fromStdString(i.teacherModel.value_or("")),
                         QString::fromStdString(i.teacherAnswer.value_or("no answer")),
                         i.teacherCorrect.value_or(false) ? tr("right") : tr("wrong"),
                         QString::fromStdString(*i.teacherRationale));
    else
        text += tr("\nNo teacher rationale for this question.\n");
    m_questionDetails->setPlainText(text);
}

QCustomPlot* EvaluatePage::plot(const QString& name) const
{
    if (name == "accuracy")
        return m_accuracyPlot;
    if (name == "curve")
        return m_curvePlot;
    return m_cotPlot;
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
    bool resumable = false;
    const auto rows = m_results->selectionModel() ? m_results->selectionModel()->selectedRows() : QModelIndexList();
    if (rows.size() == 1) {
        const QString status = m_results->item(rows.front().row(), 9)->text();
        resumable = status == "stopped" || status == "failed";
    }
    m_resumeButton->setEnabled(!running && resumable);
}

} // namespace cotlab::ui
