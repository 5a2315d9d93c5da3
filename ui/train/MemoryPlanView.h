#pragma once

// The Train page's memory plan: what the run's settings will need at their peak (weights, gradients, optimizer
// state, activations, logits) against what the device has available, in red with the settings that would fit
// when it does not. Recomputed from config.json as settings change (train::planMemory; no model is loaded).
#include "train/TrainingRun.h"

#include <QLabel>

namespace cotlab::ui {

class MemoryPlanView : public QLabel {
    Q_OBJECT

public:
    explicit MemoryPlanView(QWidget* parent = nullptr);

    // The plan of a draft request (its model path, device, method, batch size and max length), for `processes`
    // data-parallel workers (on the CPU they share this machine's memory; on CUDA each has its own GPU).
    void showPlan(const train::TrainingRequest& draft, int processes = 1);
    bool fits() const { return m_fits; }

private:
    bool m_fits = true;
};

} // namespace cotlab::ui
