#include "TrainingJob.h"

#include "train/TrainingRun.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QThread>
#include <QtConcurrent>
#include <limits>

namespace cotlab::ui {

TrainingJob::TrainingJob(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<StepUpdate>();
}

TrainingJob::~TrainingJob()
{
    stop();
    waitForIdle();
}

bool TrainingJob::launch(std::function<QString(const jobs::StopToken&)> work)
{
    if (m_running)
        return false;
    m_running = true;
    m_stop = std::make_shared<jobs::StopToken>();
    auto stop = m_stop;
    using Result = std::pair<bool, QString>;
    auto* watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcher<Result>::finished, this, [this, watcher] {
        const auto [ok, text] = watcher->result();
        watcher->deleteLater();
        m_running = false;
        const QString status = ok ? text.section('\n', 0, 0) : QStringLiteral("failed");
        Q_EMIT finished(ok, status, ok ? text.section('\n', 1) : text);
    });
    watcher->setFuture(QtConcurrent::run([work = std::move(work), stop]() -> Result {
        try {
            return {true, work(*stop)};
        } catch (const std::exception& e) {
            return {false, QString::fromStdString(e.what())};
        }
    }));
    return true;
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
                                  m.tokensPerSecond, m.devLoss.value_or(std::numeric_limits<double>::quiet_NaN())});
    };
}

bool TrainingJob::start(const train::TrainingRequest& request)
{
    return launch([progress = progressSignal(), request](const jobs::StopToken& stop) {
        return describe(train::startRun(request, progress, &stop));
    });
}

bool TrainingJob::resume(const QString& workspace, qint64 runId)
{
    const std::string path = workspace.toStdString();
    return launch([progress = progressSignal(), path, runId](const jobs::StopToken& stop) {
        return describe(train::resumeRun(path, runId, progress, &stop));
    });
}

void TrainingJob::stop()
{
    if (m_stop)
        m_stop->requestStop();
}

void TrainingJob::waitForIdle()
{
    while (m_running) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
}

} // namespace cotlab::ui
