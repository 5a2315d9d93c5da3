#include "train/TrainingJob.h"

#include "train/TrainingRun.h"
#include "train/WorkerProcesses.h"

#include <QCoreApplication>
#include <QDir>
#include <limits>

namespace cotlab::ui {

TrainingJob::TrainingJob(QObject* parent) : BackgroundJob(parent)
{
    qRegisterMetaType<StepUpdate>();
}

TrainingJob::~TrainingJob()
{
    stop(); // before the base class goes: the worker's progress callback emits this object's signal
    waitForIdle();
}

namespace {

// "status\nmessage" from a finished run.
QString describe(const train::RunOutcome& o)
{
    if (o.status == "finished")
        return QStringLiteral("finished\nRun %1 finished; the student is in %2")
            .arg(o.runId)
            .arg(QString::fromStdString(o.finalFolder));
    return QStringLiteral("stopped\nRun %1 stopped at its checkpoint; Resume continues from there.").arg(o.runId);
}

} // namespace

train::RunProgress TrainingJob::progressSignal()
{
    return [this](int64_t runId, const train::StepMetrics& m) {
        Q_EMIT stepped(StepUpdate{runId, m.step, m.totalSteps, m.epoch, m.loss, m.learningRate, m.gradNorm,
                                  m.tokensPerSecond, m.paddedTokensPerSecond,
                                  m.devLoss.value_or(std::numeric_limits<double>::quiet_NaN())});
    };
}

QString TrainingJob::cliPath()
{
    const QString configured = qEnvironmentVariable("COTLAB_CLI");
    return configured.isEmpty() ? QDir(QCoreApplication::applicationDirPath()).filePath("cotlab-cli") : configured;
}

bool TrainingJob::start(const train::TrainingRequest& request, int processes)
{
    const train::WorkerLaunch workers{cliPath().toStdString(), processes};
    return launch([progress = progressSignal(), request, workers](const jobs::StopToken& stop) {
        return describe(workers.workers > 1 ? train::startRunWithWorkers(workers, request, progress, &stop)
                                            : train::startRun(request, progress, &stop));
    });
}

bool TrainingJob::resume(const QString& workspace, qint64 runId, int processes)
{
    const std::string path = workspace.toStdString();
    const train::WorkerLaunch workers{cliPath().toStdString(), processes};
    return launch([progress = progressSignal(), path, runId, workers](const jobs::StopToken& stop) {
        return describe(workers.workers > 1 ? train::resumeRunWithWorkers(workers, path, runId, progress, &stop)
                                            : train::resumeRun(path, runId, progress, &stop));
    });
}

} // namespace cotlab::ui
