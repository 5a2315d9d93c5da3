#include "async/BackgroundJob.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QThread>
#include <QtConcurrent>

namespace cotlab::ui {

BackgroundJob::~BackgroundJob()
{
    stop();
    waitForIdle();
}

bool BackgroundJob::launch(Work work)
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

void BackgroundJob::stop()
{
    if (m_stop)
        m_stop->requestStop();
}

void BackgroundJob::waitForIdle()
{
    while (m_running) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
}

} // namespace cotlab::ui
