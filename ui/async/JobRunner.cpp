#include "async/JobRunner.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QProgressDialog>
#include <QtConcurrent>
#include <exception>

namespace cotlab::ui {

JobRunner::JobRunner(QWidget* dialogParent) : QObject(dialogParent), m_dialogParent(dialogParent)
{
    connect(this, &JobRunner::progressed, this, &JobRunner::onProgress, Qt::QueuedConnection);
}

JobRunner::~JobRunner()
{
    cancel();
    waitForIdle();
}

bool JobRunner::start(const QString& title, Job job)
{
    if (m_busy)
        return false;
    m_busy = true;
    m_stop = std::make_shared<jobs::StopToken>();
    if (m_dialogParent) {
        m_dialog = new QProgressDialog(title, tr("Cancel"), 0, 1000, m_dialogParent);
        m_dialog->setWindowTitle(title);
        m_dialog->setMinimumDuration(300);
        m_dialog->setAutoClose(false);
        m_dialog->setAutoReset(false);
        m_dialog->setValue(0);
        connect(m_dialog, &QProgressDialog::canceled, this, &JobRunner::cancel);
    }
    auto stop = m_stop;
    auto* watcher = new QFutureWatcher<std::pair<bool, QString>>(this);
    connect(watcher, &QFutureWatcher<std::pair<bool, QString>>::finished, this, [this, watcher] {
        const auto [ok, message] = watcher->result();
        watcher->deleteLater();
        onFinished(ok, message);
    });
    watcher->setFuture(QtConcurrent::run([this, job = std::move(job), stop]() -> std::pair<bool, QString> {
        const jobs::ProgressSink sink = [this](const jobs::Progress& p) {
            Q_EMIT progressed(QString::fromStdString(p.stage), p.done, p.total);
        };
        try {
            return {true, job(sink, *stop)};
        } catch (const jobs::Cancelled&) {
            return {false, tr("Cancelled; the workspace is as it was before.")};
        } catch (const std::exception& e) {
            return {false, QString::fromStdString(e.what())};
        }
    }));
    return true;
}

void JobRunner::cancel()
{
    if (m_stop)
        m_stop->requestStop();
}

void JobRunner::waitForIdle()
{
    while (m_busy)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
}

void JobRunner::onProgress(const QString& stage, quint64 done, quint64 total)
{
    if (!m_dialog)
        return;
    m_dialog->setLabelText(stage);
    m_dialog->setValue(total ? int(1000.0 * double(done) / double(total)) : 0);
}

void JobRunner::onFinished(bool ok, const QString& message)
{
    m_busy = false;
    if (m_dialog) {
        m_dialog->deleteLater();
        m_dialog = nullptr;
    }
    Q_EMIT finished(ok, message);
}

} // namespace cotlab::ui
