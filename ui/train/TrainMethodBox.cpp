#include "train/TrainMethodBox.h"

#include "common/FormWidgets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>

namespace cotlab::ui {

TrainMethodBox::TrainMethodBox(QWidget* parent) : QGroupBox(tr("Method"), parent)
{
    m_method = new QComboBox;
    m_method->setObjectName("method");
    m_method->addItem(tr("Full fine-tuning"), "full");
    m_method->addItem(tr("LoRA adapters (base frozen)"), "lora");
    m_method->setToolTip(tr("Full fine-tuning trains every weight and needs about 16 bytes per parameter before "
                            "activations; LoRA trains small low-rank adapters on a frozen base and saves a PEFT "
                            "adapter folder (docs/training.md)"));
    m_rank = spinBox(1, 1024, 16);
    m_rank->setObjectName("loraRank");
    m_alpha = new QDoubleSpinBox;
    m_alpha->setObjectName("loraAlpha");
    m_alpha->setRange(0, 4096);
    m_alpha->setValue(32);
    m_dropout = new QDoubleSpinBox;
    m_dropout->setObjectName("loraDropout");
    m_dropout->setRange(0, 0.9);
    m_dropout->setSingleStep(0.05);
    m_dropout->setValue(0.05);
    m_targets = new QComboBox;
    m_targets->setObjectName("loraTargets");
    m_targets->setEditable(true);
    m_targets->addItem(tr("PEFT's default for the model"));
    m_targets->addItem("all-linear");
    m_targets->addItem("q_proj, k_proj, v_proj, o_proj");
    m_targets->setToolTip(tr("Module names as PEFT's target_modules: PEFT's default (GPT-2: c_attn; OPT, Llama, "
                             "Qwen2: q_proj, v_proj), all-linear (every linear layer but the head), or names "
                             "separated by commas"));
    m_rsLora = new QCheckBox(tr("rsLoRA scaling (alpha / √r)"));
    m_basePrecision = new QComboBox;
    m_basePrecision->setObjectName("basePrecision");
    m_basePrecision->addItem("fp32", "fp32");
    m_basePrecision->addItem(tr("bf16 (CUDA, CPUs with bf16)"), "bf16");
    m_basePrecision->addItem(tr("fp16 (CUDA)"), "fp16");
    m_basePrecision->setToolTip(tr("The frozen base's weights: bf16 halves their memory; the adapters and their "
                                   "optimizer state stay in float32"));
    m_checkpointing = new QCheckBox(tr("Activation checkpointing"));
    m_checkpointing->setObjectName("checkpointing");
    m_checkpointing->setToolTip(tr("Keep only each block's input and recompute the block in the backward pass: "
                                   "activation memory of one block instead of all, for about a third more time"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("Method"), m_method);
    form->addRow(tr("LoRA rank"), m_rank);
    form->addRow(tr("LoRA alpha"), m_alpha);
    form->addRow(tr("LoRA dropout"), m_dropout);
    form->addRow(tr("Target modules"), m_targets);
    form->addRow(QString(), m_rsLora);
    form->addRow(tr("Base precision"), m_basePrecision);
    form->addRow(QString(), m_checkpointing);
    for (auto* box : {m_method, m_targets, m_basePrecision})
        connect(box, &QComboBox::currentIndexChanged, this, &TrainMethodBox::changed);
    connect(m_targets, &QComboBox::editTextChanged, this, &TrainMethodBox::changed);
    connect(m_rank, &QSpinBox::valueChanged, this, &TrainMethodBox::changed);
    for (auto* box : {m_alpha, m_dropout})
        connect(box, &QDoubleSpinBox::valueChanged, this, &TrainMethodBox::changed);
    for (auto* box : {m_rsLora, m_checkpointing})
        connect(box, &QCheckBox::toggled, this, &TrainMethodBox::changed);
    connect(m_method, &QComboBox::currentIndexChanged, this, &TrainMethodBox::updateEnabled);
    updateEnabled();
}

void TrainMethodBox::updateEnabled()
{
    const bool lora = m_method->currentData().toString() == "lora";
    for (QWidget* w : std::initializer_list<QWidget*>{m_rank, m_alpha, m_dropout, m_targets, m_rsLora, m_basePrecision})
        w->setEnabled(lora);
    if (!lora)
        m_basePrecision->setCurrentIndex(0); // full fine-tuning trains float32 weights
}

std::vector<std::string> TrainMethodBox::targets() const
{
    const QString text = m_targets->currentText().trimmed();
    if (text == m_targets->itemText(0) || text.isEmpty())
        return {};
    std::vector<std::string> names;
    for (const QString& name : text.split(QRegularExpression("[,\\s]+"), Qt::SkipEmptyParts))
        names.push_back(name.toStdString());
    return names;
}

void TrainMethodBox::apply(train::TrainConfig& c) const
{
    c.activationCheckpointing = m_checkpointing->isChecked();
    c.basePrecision = m_basePrecision->currentData().toString().toStdString();
    c.lora.reset();
    if (m_method->currentData().toString() != "lora")
        return;
    nn::LoraConfig lora;
    lora.rank = m_rank->value();
    lora.alpha = m_alpha->value();
    lora.dropout = m_dropout->value();
    lora.targets = targets();
    lora.rsLora = m_rsLora->isChecked();
    c.lora = lora;
}

QString TrainMethodBox::problem() const
{
    train::TrainConfig c;
    apply(c);
    return c.lora ? QString::fromStdString(c.lora->problem()) : QString();
}

} // namespace cotlab::ui
