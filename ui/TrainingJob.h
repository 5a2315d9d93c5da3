#pragma once

// Runs one training run (core/train's TrainingRun) on a worker thread, so the window stays responsive:
// each optimizer step becomes a queued signal; stop asks the run to checkpoint and end after its step.
#include "jobs/Progress.h"

#include <QObject>
#include <QString>
#include <memory>

#include "train/TrainingRun.h"

namespace cotlab::ui {

struct StepUpdate {
    qint64 runId = 0;
    qint64 step = 0;
    qint64 totalSteps = 0;
    double epoch = 0;
    double loss = 0;
    double learningRate = 0;
    double gradNorm = 0;
    double tokensPerSecond = 0;
    double devLoss = 0; // NaN on steps without a dev-set measurement
};

class TrainingJob : public QObject {
    Q_OBJECT

public:
    explicit TrainingJob(QObject* parent = nullptr);
    ~TrainingJob() override;

    bool running() const { return m_running; }
    // Starts a new run, or resumes run resumeRunId (>0) of workspace; false while one runs.
    bool start(const train::TrainingRequest& request);
    bool resume(const QString& workspace, qint64 runId);
    void stop();
    void waitForIdle(); // blocks until the worker has checkpointed and ended (closing the window)

Q_SIGNALS:
    void stepped(const cotlab::ui::StepUpdate& update);
    void finished(bool ok, const QString& status, const QString& message);

private:
    bool launch(std::function<QString(const jobs::StopToken&)> work);
    train::RunProgress progressSignal(); // each step as the stepped signal (queued to the GUI thread)

    std::shared_ptr<jobs::StopToken> m_stop;
    bool m_running = false;
};

} // namespace cotlab::ui

Q_DECLARE_METATYPE(cotlab::ui::StepUpdate)
