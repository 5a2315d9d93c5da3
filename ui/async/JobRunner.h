#pragma once

#include "jobs/Progress.h"

#include <QObject>
#include <QString>
#include <functional>
#include <memory>

class QWidget;
class QProgressDialog;

namespace cotlab::ui {

// Runs one core job at a time on a worker thread: progress callbacks become queued signals and drive a
// progress dialog whose Cancel sets the job's stop token. The GUI thread never waits on the job.
class JobRunner : public QObject {
    Q_OBJECT

public:
    using Job = std::function<QString(const jobs::ProgressSink&, const jobs::StopToken&)>;

    explicit JobRunner(QWidget* dialogParent);
    ~JobRunner() override;

    bool busy() const { return m_busy; }
    // Starts 'job'; false (and nothing started) while another job runs. The job's return value is its summary.
    bool start(const QString& title, Job job);
    void cancel();
    // Blocks until the running job has stopped (used when the window closes).
    void waitForIdle();

Q_SIGNALS:
    void progressed(const QString& stage, quint64 done, quint64 total);
    void finished(bool ok, const QString& message);

private:
    void onProgress(const QString& stage, quint64 done, quint64 total);
    void onFinished(bool ok, const QString& message);

    QWidget* m_dialogParent;
    QProgressDialog* m_dialog = nullptr;
    std::shared_ptr<jobs::StopToken> m_stop;
    bool m_busy = false;
};

} // namespace cotlab::ui
