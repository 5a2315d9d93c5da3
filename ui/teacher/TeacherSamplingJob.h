#pragma once

// Runs one teacher sampling job (core/teacher) on a worker thread; each stored batch becomes a queued progressed
// signal; stop ends it after the requests in flight (what is stored stays; starting again tops up the rest).
#include "async/BackgroundJob.h"
#include "teacher/SamplingJob.h"

#include <QStringList>

namespace cotlab::ui {

class TeacherSamplingJob : public BackgroundJob {
    Q_OBJECT

public:
    explicit TeacherSamplingJob(QObject* parent = nullptr) : BackgroundJob(parent) {}
    ~TeacherSamplingJob() override;
    bool start(const teacher::SamplingRequest& request); // false while one runs

Q_SIGNALS:
    void progressed(qint64 stored, qint64 needed, qint64 requests, qint64 retries, qint64 failed, double seconds,
                    const QStringList& errors);
};

} // namespace cotlab::ui
