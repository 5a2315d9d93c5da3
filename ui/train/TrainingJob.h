#pragma once

// Runs one training run (core/train's TrainingRun) on a worker thread, so the window stays responsive:
// each optimizer step becomes a queued signal; stop asks the run to checkpoint and end after its step.
#include "async/BackgroundJob.h"
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
    double tokensPerSecond = 0;       // without padding
    double paddedTokensPerSecond = 0; // padding included
    double devLoss = 0;               // NaN on steps without a dev-set measurement
};

class TrainingJob : public BackgroundJob {
    Q_OBJECT

public:
    explicit TrainingJob(QObject* parent = nullptr);
    ~TrainingJob() override;

    // Starts a new run, or resumes run runId of workspace; false while one runs. With processes > 1 the run is
    // trained by that many data-parallel cotlab-cli workers (train/WorkerProcesses), followed through the workspace.
    bool start(const train::TrainingRequest& request, int processes = 1);
    bool resume(const QString& workspace, qint64 runId, int processes = 1);
    // The cotlab-cli that starts workers: $COTLAB_CLI, else the one next to this program.
    static QString cliPath();

Q_SIGNALS:
    void stepped(const cotlab::ui::StepUpdate& update);

private:
    train::RunProgress progressSignal(); // each step as the stepped signal (queued to the GUI thread)
};

} // namespace cotlab::ui

Q_DECLARE_METATYPE(cotlab::ui::StepUpdate)
