#include "train/TrainForm.h"

#include "common/FormWidgets.h"
#include "common/ModelPicker.h"
#include "common/PromptFormatPicker.h"
#include "train/MemoryPlanView.h"
#include "train/TrainMethodBox.h"
#include "util/Error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {
constexpr const char* kSettingsGroup = "train";

// The settings group of one workspace's Train page (paths make poor setting keys: hashed).
QString workspaceGroup(const QString& workspace)
{
    const QByteArray path = QFileInfo(workspace).absoluteFilePath().toUtf8();
    return "trainByWorkspace/" + QCryptographicHash::hash(path, QCryptographicHash::Sha1).toHex().left(16);
}
} // namespace

TrainForm::TrainForm(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(studentBox());
    m_method = new TrainMethodBox;
    layout->addWidget(m_method);
    auto* memory = new QGroupBox(tr("Memory"));
    m_memoryPlan = new MemoryPlanView;
    (new QVBoxLayout(memory))->addWidget(m_memoryPlan);
    layout->addWidget(memory);
    layout->addWidget(dataBox());
    layout->addWidget(optimisationBox());
    layout->addWidget(outputBox());
    layout->addStretch(1);
    connect(m_student, &ModelPicker::changed, this, &TrainForm::settingsChanged);
    connect(m_method, &TrainMethodBox::changed, this, &TrainForm::settingsChanged);
    connect(m_precision, &QComboBox::currentIndexChanged, this, &TrainForm::settingsChanged);
    for (auto* spin : {m_batch, m_maxLength, m_processes})
        connect(spin, &QSpinBox::valueChanged, this, &TrainForm::settingsChanged);
    connect(this, &TrainForm::settingsChanged, this, &TrainForm::updateMemoryPlan);
    restoreFormSettings(this, kSettingsGroup, {"output", "task", "corpus"});
    m_preferredTask = QSettings().value(QString(kSettingsGroup) + "/task").toString();
    updateMemoryPlan();
}

void TrainForm::remember(const QString& workspace) const
{
    saveFormSettings(this, kSettingsGroup, {"output", "corpus"});
    saveFormSettings(this, workspaceGroup(workspace), {"output"});
}

void TrainForm::restoreFor(const QString& workspace)
{
    const QString group = workspaceGroup(workspace);
    QSettings settings;
    if (!settings.childGroups().contains("trainByWorkspace") || !settings.value(group + "/task").isValid())
        return; // no run was started on it from this page: the last settings stay
    restoreFormSettings(this, group, {"output", "task", "corpus"});
    m_preferredTask = settings.value(group + "/task").toString();
    m_preferredCorpus = settings.value(group + "/corpus").toString();
    m_task->clear(); // the tasks of the workspace are listed next, with the preferred one chosen
}

void TrainForm::updateMemoryPlan()
{
    m_memoryPlan->showPlan(draft(QString()), m_processes->value());
}

QWidget* TrainForm::studentBox()
{
    auto* box = new QGroupBox(tr("Student"));
    auto* layout = new QVBoxLayout(box);
    m_student = new ModelPicker;
    layout->addWidget(m_student);
    m_precision = new QComboBox;
    m_precision->setObjectName("precision");
    m_precision->addItem(tr("fp32"), "fp32");
    m_precision->addItem(tr("bf16 mixed precision"), "bf16");
    m_precision->addItem(tr("fp16 mixed precision (CUDA)"), "fp16");
    m_precision->setToolTip(tr("Mixed precision computes matrix products in bf16 or fp16 under autocast and keeps "
                               "float32 weights and optimizer state; fp16 adds dynamic loss scaling and needs CUDA. "
                               "bf16 suits recent GPUs and CPUs with bf16 instructions (docs/training.md)"));
    m_student->form()->addRow(tr("Precision"), m_precision);
    m_processes = spinBox(1, 64, 1);
    m_processes->setObjectName("processes");
    m_processes->setToolTip(tr("Data-parallel worker processes on this machine (torch.distributed, Gloo): each takes "
                               "the batch size's examples a step, so the global batch is this many times larger. "
                               "On CUDA each worker takes its own GPU. Several machines: torchrun or srun with "
                               "cotlab-cli (docs/training.md)"));
    m_student->form()->addRow(tr("Processes"), m_processes);
    return box;
}

QWidget* TrainForm::dataBox()
{
    auto* box = new QGroupBox(tr("Data"));
    box->setObjectName("dataBox");
    auto* form = new QFormLayout(box);
    m_corpus = new QComboBox;
    m_corpus->setObjectName("corpus");
    m_corpus->addItem(tr("none: a task and split below"), QString());
    m_corpus->setToolTip(tr("A corpus saved on the Corpus page: its rationales (as its recipe selected and cleaned "
                            "them) instead of the teacher rationales of a task and split"));
    m_corpusSummary = new QLabel;
    m_corpusSummary->setObjectName("corpusSummary");
    m_corpusSummary->setWordWrap(true);
    m_corpusSummary->setVisible(false);
    connect(m_corpus, &QComboBox::currentIndexChanged, this, &TrainForm::followDataSource);
    m_task = new QComboBox;
    m_task->setObjectName("task");
    m_split = new QComboBox;
    m_split->setObjectName("split");
    m_split->addItems({"train", "dev", "test"});
    m_template = new PromptFormatPicker("template");
    m_correctOnly = new QCheckBox(tr("Only rationales with the right answer"));
    m_correctOnly->setObjectName("correctOnly");
    m_correctOnly->setChecked(true);
    // The teacher's rationales always; human-written and students' ones only when asked for.
    m_humanSources = new QCheckBox(tr("Also human-written rationales"));
    m_humanSources->setObjectName("humanSources");
    m_humanSources->setToolTip(tr("Rationales that came with the dataset (GSM8K's solutions, StrategyQA's facts)"));
    m_studentSources = new QCheckBox(tr("Also students' rationales"));
    m_studentSources->setObjectName("studentSources");
    m_studentSources->setToolTip(tr("An evaluated student's own outputs: training on them distils a student from a "
                                    "student, not from the teacher"));
    connect(m_studentSources, &QCheckBox::toggled, this,
            [this](bool on) { m_studentSources->setStyleSheet(on ? "color: #b00020;" : QString()); });
    m_samples = spinBox(0, 1000, 0);
    m_samples->setObjectName("samples");
    m_samples->setSpecialValueText(tr("all"));
    m_questions = spinBox(0, 100000000, 0);
    m_questions->setObjectName("questions");
    m_questions->setSpecialValueText(tr("all"));
    m_questions->setToolTip(tr("Train on at most this many questions, drawn at random (a corpus-size learning curve)"));
    m_maxLength = spinBox(16, 32768, 512);
    m_maxLength->setObjectName("maxLength");
    m_packing = new QCheckBox(tr("Pack examples into rows of the max length"));
    m_packing->setObjectName("packing");
    m_packing->setToolTip(tr("Best-fit-decreasing packing: several examples share a row, each attending only to "
                             "itself with positions restarting, so mixed-length traces train without padding. The "
                             "batch size then counts rows."));
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
    form->addRow(tr("Corpus"), m_corpus);
    form->addRow(QString(), m_corpusSummary);
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Split"), m_split);
    form->addRow(tr("Prompt format"), m_template);
    form->addRow(QString(), m_correctOnly);
    m_sourcesLabel = new QLabel(tr("the teacher"));
    form->addRow(tr("Rationales of"), m_sourcesLabel);
    form->addRow(QString(), m_humanSources);
    form->addRow(QString(), m_studentSources);
    form->addRow(tr("Rationales per question"), m_samples);
    form->addRow(tr("Questions"), m_questions);
    form->addRow(tr("Max tokens per example"), m_maxLength);
    form->addRow(QString(), m_packing);
    auto* preview = new QPushButton(tr("Preview Tokens…"));
    preview->setObjectName("previewTokens");
    preview->setToolTip(tr("What the student will see: the examples tokenised as training tokenises them, which "
                           "tokens the loss covers, and their lengths against the max length"));
    connect(preview, &QPushButton::clicked, this, &TrainForm::previewRequested);
    form->addRow(QString(), preview);
    form->addRow(tr("Dev loss on"), m_devSplit);
    form->addRow(tr("Dev loss every"), m_evalEvery);
    return box;
}

QWidget* TrainForm::optimisationBox()
{
    auto* box = new QGroupBox(tr("Optimisation"));
    auto* form = new QFormLayout(box);
    m_epochs = spinBox(1, 1000, 3);
    m_epochs->setObjectName("epochs");
    m_steps = spinBox(0, 10000000, 0);
    m_steps->setObjectName("steps");
    m_steps->setSpecialValueText(tr("from epochs"));
    m_batch = spinBox(1, 4096, 8);
    m_batch->setObjectName("batch");
    m_accum = spinBox(1, 1024, 1);
    m_accum->setObjectName("accum");
    m_lr = new QLineEdit("1e-4");
    m_lr->setObjectName("lr");
    auto* lrValidator = new QDoubleValidator(1e-9, 10.0, 9, m_lr);
    lrValidator->setNotation(QDoubleValidator::ScientificNotation);
    m_lr->setValidator(lrValidator);
    m_warmup = spinBox(0, 1000000, 10);
    m_warmup->setObjectName("warmup");
    m_schedule = new QComboBox;
    m_schedule->setObjectName("schedule");
    m_schedule->addItems({"cosine", "linear", "constant"});
    m_clip = new QDoubleSpinBox;
    m_clip->setObjectName("clip");
    m_clip->setRange(0, 1000);
    m_clip->setValue(1.0);
    m_clip->setSpecialValueText(tr("off"));
    m_seed = spinBox(0, 1 << 30, 0);
    m_seed->setObjectName("seed");
    m_checkpointEvery = spinBox(0, 1000000, 100);
    m_checkpointEvery->setObjectName("checkpointEvery");
    m_checkpointEvery->setSpecialValueText(tr("at the end"));
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Gradient accumulation"), m_accum);
    form->addRow(tr("Learning rate (AdamW)"), m_lr);
    form->addRow(tr("Warm-up steps"), m_warmup);
    form->addRow(tr("Schedule"), m_schedule);
    form->addRow(tr("Gradient clip"), m_clip);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Checkpoint every"), m_checkpointEvery);
    return box;
}

QWidget* TrainForm::outputBox()
{
    auto* box = new QGroupBox(tr("Output"));
    auto* form = new QFormLayout(box);
    m_output = new QLineEdit;
    m_output->setObjectName("output");
    form->addRow(tr("Folder"), pathField(m_output, true, this));
    return box;
}

void TrainForm::setTasks(const QStringList& tasks)
{
    const QString current = m_task->currentText().isEmpty() ? m_preferredTask : m_task->currentText();
    const bool allOfCorpus = !corpus().isEmpty() && chosenTask().isEmpty();
    m_task->clear();
    m_task->addItems(tasks);
    if (tasks.contains(current))
        m_task->setCurrentText(current);
    followDataSource();
    if (allOfCorpus)
        m_task->setCurrentIndex(0);
}

namespace {
constexpr const char* kAllTasksOfCorpus = "\x01all"; // the task item's data that stands for every task of the corpus

QString corpusSummary(const store::CorpusInfo& c)
{
    QStringList steps;
    for (const auto& s : c.steps)
        steps << QObject::tr("%1 %L2").arg(QString::fromStdString(s.step)).arg(s.rationales);
    return QObject::tr("%L1 rationales of %L2 questions, saved %3. Rationales left after each recipe step: %4")
        .arg(c.rationales)
        .arg(c.instances)
        .arg(localTime(c.createdAt), steps.join(QString::fromUtf8(" \u2192 ")));
}
} // namespace

void TrainForm::setCorpora(const std::vector<store::CorpusInfo>& corpora)
{
    const QString current = corpus();
    const QSignalBlocker blocker(m_corpus);
    while (m_corpus->count() > 1)
        m_corpus->removeItem(1);
    for (const auto& c : corpora) {
        const QString name = QString::fromStdString(c.name);
        m_corpus->addItem(name, name);
        m_corpus->setItemData(m_corpus->count() - 1, corpusSummary(c), Qt::ToolTipRole);
    }
    const QString wanted = current.isEmpty() ? std::exchange(m_preferredCorpus, QString()) : current;
    m_corpus->setCurrentIndex(std::max(0, m_corpus->findData(wanted)));
    followDataSource();
}

bool TrainForm::chooseCorpus(const QString& name)
{
    const int index = m_corpus->findData(name);
    if (index <= 0)
        return false;
    m_corpus->setCurrentIndex(index);
    followDataSource();
    m_task->setCurrentIndex(0);
    return true;
}

QString TrainForm::corpus() const
{
    return m_corpus->currentData().toString();
}

QString TrainForm::chosenTask() const
{
    return m_task->currentData().toString() == kAllTasksOfCorpus ? QString() : m_task->currentText();
}

void TrainForm::followDataSource()
{
    const bool fromCorpus = !corpus().isEmpty();
    const bool listed = m_task->count() > 0 && m_task->itemData(0).toString() == kAllTasksOfCorpus;
    if (fromCorpus && !listed)
        m_task->insertItem(0, tr("all of the corpus's tasks"), QString(kAllTasksOfCorpus));
    else if (!fromCorpus && listed)
        m_task->removeItem(0);
    m_corpusSummary->setVisible(fromCorpus);
    m_sourcesLabel->setText(fromCorpus ? tr("those the corpus holds") : tr("the teacher"));
    m_corpusSummary->setText(m_corpus->currentData(Qt::ToolTipRole).toString());
    const QString corpusDecides = fromCorpus ? tr("The corpus's recipe decides this") : QString();
    for (QWidget* w : std::initializer_list<QWidget*>{m_split, m_correctOnly, m_humanSources, m_studentSources}) {
        if (!w->property("ownToolTip").isValid())
            w->setProperty("ownToolTip", w->toolTip());
        w->setEnabled(!fromCorpus);
        w->setToolTip(corpusDecides.isEmpty() ? w->property("ownToolTip").toString() : corpusDecides);
    }
    Q_EMIT settingsChanged();
}

void TrainForm::preferTrainableTask(const QMap<QString, qint64>& trainTeacherRationales)
{
    for (int i = 0; i < m_task->count(); ++i)
        m_task->setItemData(
            i, tr("Teacher rationales of train questions: %L1").arg(trainTeacherRationales.value(m_task->itemText(i))),
            Qt::ToolTipRole);
    if (!corpus().isEmpty() || m_split->currentText() != "train" ||
        trainTeacherRationales.value(m_task->currentText()) > 0)
        return;
    QString best;
    for (auto it = trainTeacherRationales.begin(); it != trainTeacherRationales.end(); ++it)
        if (it.value() > trainTeacherRationales.value(best) && m_task->findText(it.key()) >= 0)
            best = it.key();
    if (!best.isEmpty())
        m_task->setCurrentText(best);
}

void TrainForm::setModelPath(const QString& path, const QString& tokenizer)
{
    m_student->setPaths(path, tokenizer);
}

int TrainForm::processes() const
{
    return m_processes->value();
}

QString TrainForm::output() const
{
    return m_output->text().trimmed();
}

void TrainForm::setOutput(const QString& folder)
{
    m_output->setText(folder);
}

std::optional<train::TrainingRequest> TrainForm::dataRequest(const QString& workspace, QString* problem) const
{
    auto refuse = [problem](const QString& text) {
        *problem = text;
        return std::nullopt;
    };
    if (workspace.isEmpty())
        return refuse(tr("Open a workspace first."));
    if (const QString p = m_student->problem(); !p.isEmpty())
        return refuse(tr("Model: %1").arg(p));
    if (m_task->currentText().isEmpty())
        return refuse(tr("Task: the workspace has no tasks; import rationales first."));
    try {
        m_template->format();
    } catch (const Error& e) {
        return refuse(tr("Prompt format: %1").arg(QString::fromStdString(e.what())));
    }
    return draft(workspace);
}

std::optional<train::TrainingRequest> TrainForm::request(const QString& workspace, QString* problem) const
{
    auto refuse = [problem](const QString& text) {
        *problem = text;
        return std::nullopt;
    };
    if (!dataRequest(workspace, problem))
        return std::nullopt;
    if (!m_devSplit->currentData().toString().isEmpty() && chosenTask().isEmpty())
        return refuse(tr("Dev loss: it is measured on one task's %1 questions; choose that task under Task, or set "
                         "Dev loss on to none.")
                          .arg(m_devSplit->currentData().toString()));
    bool ok = false;
    const double lr = m_lr->text().toDouble(&ok);
    if (!ok || lr <= 0)
        return refuse(tr("Learning rate: enter a positive number such as 1e-4."));
    const QString folder = output();
    if (folder.isEmpty())
        return refuse(tr("Output folder: choose where checkpoints and the trained model go."));
    if (QFileInfo::exists(folder + "/checkpoint"))
        return refuse(tr("Output folder %1 already holds a run; choose another or resume that run.").arg(folder));
    if (const QString p = m_method->problem(); !p.isEmpty())
        return refuse(tr("Method: %1").arg(p));
    return draft(workspace);
}

train::TrainingRequest TrainForm::draft(const QString& workspace) const
{
    const QString folder = output();
    train::TrainingRequest r;
    r.workspace = workspace.toStdString();
    r.name = QFileInfo(folder).fileName().toStdString();
    r.modelPath = m_student->modelPath().toStdString();
    r.tokenizerPath = m_student->tokenizerPath();
    r.device = m_student->device();
    r.selection.task = chosenTask().toStdString();
    r.selection.corpus = corpus().toStdString();
    r.selection.split = m_split->currentText().toStdString();
    try {
        r.selection.format = m_template->format().value_or(train::defaultPromptFormat());
    } catch (const Error&) {
        // An unreadable format file: request() refuses it; a draft (the memory plan) does not depend on it.
    }
    r.selection.correctOnly = m_correctOnly->isChecked();
    r.selection.sources = {"teacher"};
    if (m_humanSources->isChecked())
        r.selection.sources.push_back("human");
    if (m_studentSources->isChecked())
        r.selection.sources.push_back("student");
    r.selection.samplesPerInstance = m_samples->value();
    r.selection.questions = m_questions->value();
    r.maxLength = m_maxLength->value();
    r.packing = m_packing->isChecked();
    r.devSplit = m_devSplit->currentData().toString().toStdString();
    train::TrainConfig& c = r.config;
    m_method->apply(c);
    c.precision = m_precision->currentData().toString().toStdString();
    c.learningRate = m_lr->text().toDouble();
    c.epochs = m_epochs->value();
    c.maxSteps = m_steps->value();
    c.batchSize = m_batch->value();
    c.gradAccumulation = m_accum->value();
    c.warmupSteps = m_warmup->value();
    c.schedule = m_schedule->currentText().toStdString();
    c.clipNorm = m_clip->value();
    c.seed = uint64_t(m_seed->value());
    c.checkpointEvery = m_checkpointEvery->value();
    c.evalEvery = m_evalEvery->value();
    c.runDir = folder.toStdString();
    return r;
}

} // namespace cotlab::ui
