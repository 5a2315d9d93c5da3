#pragma once

// How the student trains: full fine-tuning or LoRA adapters (rank, alpha, dropout, target modules, rsLoRA) on a
// frozen base held in fp32, bf16 or fp16, and activation checkpointing. Part of the Train page's form.
#include "train/TrainConfig.h"

#include <QGroupBox>
#include <QString>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace cotlab::ui {

class TrainMethodBox : public QGroupBox {
    Q_OBJECT

public:
    explicit TrainMethodBox(QWidget* parent = nullptr);

    // Sets the method fields of a run's config: lora, basePrecision, activationCheckpointing.
    void apply(train::TrainConfig& config) const;
    // Why the settings cannot train ("" when they can): a LoRA setting out of range, no target modules.
    QString problem() const;

Q_SIGNALS:
    void changed();

private:
    void updateEnabled();
    std::vector<std::string> targets() const;

    QComboBox* m_method;
    QSpinBox* m_rank;
    QDoubleSpinBox* m_alpha;
    QDoubleSpinBox* m_dropout;
    QComboBox* m_targets;
    QCheckBox* m_rsLora;
    QComboBox* m_basePrecision;
    QCheckBox* m_checkpointing;
};

} // namespace cotlab::ui
