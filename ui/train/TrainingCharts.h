#pragma once

// The Train page's charts: training loss (raw and smoothed, with the dev loss), learning rate and throughput.
// One run is shown in full and grows live; several runs are overlaid by their smoothed losses.
#include "store/RunRepository.h"

#include <QWidget>
#include <vector>

class QCustomPlot;

namespace cotlab::ui {

struct StepUpdate;

// A run's stored curves, as the store returns them.
struct RunCurves {
    store::RunRecord run;
    std::vector<std::pair<int64_t, double>> loss, devLoss, learningRate, tokensPerSecond;
};

class TrainingCharts : public QWidget {
    Q_OBJECT

public:
    explicit TrainingCharts(QWidget* parent = nullptr);

    void clear();
    void show(const std::vector<RunCurves>& runs);
    // Adds a live step to the single run shown (nothing when runs are overlaid or none is shown).
    void addStep(const StepUpdate& update);

private:
    void replot(bool queued);

    QCustomPlot* m_loss;
    QCustomPlot* m_learningRate;
    QCustomPlot* m_speed;
    double m_smoothed = 0;
};

} // namespace cotlab::ui
