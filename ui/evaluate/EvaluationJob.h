#pragma once

// Runs one evaluation (core/eval) on a worker thread: each stored batch becomes a queued progressed signal;
// stop ends it after the batch being generated (what is stored stays, Resume continues from there).
#include "async/BackgroundJob.h"
#include "eval/Evaluation.h"

namespace cotlab::ui {

class EvaluationJob : public BackgroundJob {
    Q_OBJECT

public:
    explicit EvaluationJob(QObject* parent = nullptr) : BackgroundJob(parent) {}
    ~EvaluationJob() override;

    bool start(const eval::EvaluationRequest& request); // false while one runs
    bool resume(const QString& workspace, qint64 evaluationId);

Q_SIGNALS:
    void progressed(qint64 evaluationId, qint64 done, qint64 items, qint64 correct);

private:
    eval::EvaluationProgress progressSignal();
};

} // namespace cotlab::ui
