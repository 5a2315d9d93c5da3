#pragma once

// One long core job on a worker thread whose progress a page shows itself (training, evaluation), unlike
// JobRunner's modal progress dialog: stop() sets the job's stop token, finished() arrives on the GUI thread.
#include "jobs/Progress.h"

#include <QObject>
#include <QString>
#include <functional>
#include <memory>

namespace cotlab::ui {

class BackgroundJob : public QObject {
    Q_OBJECT

public:
    // Returns "status\nmessage"; an exception ends the job with status "failed" and the exception's text.
    using Work = std::function<QString(const jobs::StopToken&)>;

    explicit BackgroundJob(QObject* parent = nullptr) : QObject(parent) {}
    ~BackgroundJob() override; // stops the job and waits for it

    bool running() const { return m_running; }
    void stop();
    void waitForIdle(); // blocks (processing events) until the worker has ended

Q_SIGNALS:
    void finished(bool ok, const QString& status, const QString& message);

protected:
    bool launch(Work work); // false (nothing started) while a job runs

private:
    std::shared_ptr<jobs::StopToken> m_stop;
    bool m_running = false;
};

} // namespace cotlab::ui
