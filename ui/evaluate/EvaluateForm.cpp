#include "evaluate/EvaluateForm.h"

#include "common/FormWidgets.h"
#include "common/ModelPicker.h"
#include "common/PromptFormatPicker.h"
#include "util/Error.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

namespace cotlab::ui {

EvaluateForm::EvaluateForm(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(studentBox());
    layout->addWidget(questionsBox());
    layout->addWidget(decodingBox());
    layout->addStretch(1);
}

QWidget* EvaluateForm::studentBox()
{
    auto* box = new QGroupBox(tr("Student"));
    auto* layout = new QVBoxLayout(box);
    m_run = new QComboBox;
    m_run->setObjectName("run");
    m_run->setToolTip(tr("A finished training run of this workspace, or a model folder of your own"));
    m_student = new ModelPicker;
    m_student->form()->insertRow(0, tr("Trained run"), m_run);
    layout->addWidget(m_student);
    connect(m_run, &QComboBox::currentIndexChanged, this, [this] {
        const bool fromRun = m_run->currentData().toLongLong() > 0;
        m_student->setPathsEnabled(!fromRun);
        const QString task = m_run->currentData(Qt::UserRole + 1).toString();
        if (fromRun && m_task->findText(task) >= 0)
            m_task->setCurrentText(task);
    });
    setRuns({});
    forgetRuns();
    return box;
}

QWidget* EvaluateForm::questionsBox()
{
    auto* box = new QGroupBox(tr("Questions"));
    auto* form = new QFormLayout(box);
    m_task = new QComboBox;
    m_task->setObjectName("task");
    m_split = new QComboBox;
    m_split->setObjectName("split");
    m_split->addItems({"test", "dev", "train", "contrast"});
    m_template = new PromptFormatPicker("template", tr("As the run was trained"));
    m_limit = spinBox(0, 100000000, 0);
    m_limit->setObjectName("limit");
    m_limit->setSpecialValueText(tr("all"));
    m_limit->setToolTip(tr("Evaluate only the split's first N questions"));
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Split"), m_split);
    form->addRow(tr("Student writes"), m_template);
    form->addRow(tr("Questions"), m_limit);
    return box;
}

QWidget* EvaluateForm::decodingBox()
{
    auto* box = new QGroupBox(tr("Decoding"));
    auto* form = new QFormLayout(box);
    m_samples = spinBox(1, 256, 1);
    m_samples->setObjectName("samples");
    m_samples->setToolTip(tr("1: greedy. More: sampled rationales whose answers vote (self-consistency)"));
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0.05, 2.0);
    m_temperature->setSingleStep(0.05);
    m_temperature->setValue(0.7);
    m_temperature->setEnabled(false);
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
    form->addRow(tr("Samples per question"), m_samples);
    form->addRow(tr("Temperature"), m_temperature);
    form->addRow(tr("Max new tokens"), m_maxNewTokens);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Seed"), m_seed);
    connect(m_samples, &QSpinBox::valueChanged, this, [this](int samples) { m_temperature->setEnabled(samples > 1); });
    return box;
}

void EvaluateForm::setTasks(const QStringList& tasks)
{
    const QString current = m_task->currentText();
    m_task->clear();
    m_task->addItems(tasks);
    if (tasks.contains(current))
        m_task->setCurrentText(current);
}

void EvaluateForm::setRuns(const std::vector<TrainedRun>& runs)
{
    qint64 current = m_run->currentData().toLongLong();
    // A run that finished since the runs were last listed is what the user will evaluate next: it is chosen.
    qint64 newest = 0;
    for (const auto& r : runs)
        newest = std::max<qint64>(newest, r.id);
    const bool chooseNewest = m_newestListedRun >= 0 && newest > m_newestListedRun;
    if (chooseNewest)
        current = newest;
    m_newestListedRun = newest;
    {
        const QSignalBlocker block(m_run);
        m_run->clear();
        m_run->addItem(tr("none: the model below"), qint64(0));
        for (const auto& r : runs) {
            m_run->addItem(tr("run %1 · %2").arg(r.id).arg(r.name), r.id);
            m_run->setItemData(m_run->count() - 1, r.task, Qt::UserRole + 1);
        }
        const int index = m_run->findData(current);
        m_run->setCurrentIndex(index >= 0 ? index : 0);
    }
    m_student->setPathsEnabled(m_run->currentIndex() == 0);
    if (const QString task = m_run->currentData(Qt::UserRole + 1).toString();
        chooseNewest && m_task->findText(task) >= 0)
        m_task->setCurrentText(task);
}

void EvaluateForm::setModelPath(const QString& path, const QString& tokenizer)
{
    m_student->setPaths(path, tokenizer);
}

std::optional<eval::EvaluationRequest> EvaluateForm::request(const QString& workspace, QString* problem) const
{
    auto refuse = [problem](const QString& text) {
        *problem = text;
        return std::nullopt;
    };
    if (workspace.isEmpty())
        return refuse(tr("Open a workspace first."));
    eval::EvaluationRequest r;
    r.workspace = workspace.toStdString();
    if (const qint64 runId = m_run->currentData().toLongLong(); runId > 0) {
        r.runId = runId;
    } else {
        if (!m_student->problem().isEmpty())
            return refuse(tr("Student: choose a finished run, or an existing Hugging Face model folder or llama2.c "
                             ".bin file."));
        r.modelPath = m_student->modelPath().toStdString();
        r.tokenizerPath = m_student->tokenizerPath();
    }
    if (m_task->currentText().isEmpty())
        return refuse(tr("Task: the workspace has no tasks; import a dataset first."));
    r.task = m_task->currentText().toStdString();
    r.split = m_split->currentText().toStdString();
    try {
        r.format = m_template->format();
    } catch (const Error& e) {
        return refuse(tr("Student writes: %1").arg(QString::fromStdString(e.what())));
    }
    r.samples = m_samples->value();
    r.temperature = m_temperature->value();
    r.seed = uint64_t(m_seed->value());
    r.maxNewTokens = m_maxNewTokens->value();
    r.batchSize = m_batch->value();
    r.limit = m_limit->value();
    r.device = m_student->device();
    return r;
}

} // namespace cotlab::ui
