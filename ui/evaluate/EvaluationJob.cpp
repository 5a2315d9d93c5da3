#include "evaluate/EvaluationJob.h"

namespace cotlab::ui {

EvaluationJob::~EvaluationJob()
{
    stop(); // before the base class goes: the worker's progress callback emits this object's signal
    waitForIdle();
}

namespace {

// "status\nmessage" from an ended evaluation.
QString describe(const eval::EvaluationOutcome& o)
{
    const QString figures = QStringLiteral("%1 of %2 questions, %3 right (%4%, 95% Wilson CI %5–%6)")
                                .arg(o.done)
                                .arg(o.items)
                                .arg(o.correct)
                                .arg(100 * o.accuracy.estimate, 0, 'f', 1)
                                .arg(100 * o.accuracy.low, 0, 'f', 1)
                                .arg(100 * o.accuracy.high, 0, 'f', 1);
    QString cut;
    for (const std::string& note : {eval::tokenLimitNote(o), eval::withoutGoldNote(o)})
        if (!note.empty())
            cut += " " + QString::fromStdString(note) + ".";
    if (o.status == "finished")
        return QStringLiteral("finished\nEvaluation %1 finished: %2.%3").arg(o.evaluationId).arg(figures, cut);
    return QStringLiteral("stopped\nEvaluation %1 stopped after %2; Resume continues from there.%3")
        .arg(o.evaluationId)
        .arg(figures, cut);
}

} // namespace

eval::EvaluationProgress EvaluationJob::progressSignal()
{
    return [this](int64_t id, int64_t done, int64_t items, int64_t correct) {
        Q_EMIT progressed(id, done, items, correct);
    };
}

bool EvaluationJob::start(const eval::EvaluationRequest& request)
{
    return launch([progress = progressSignal(), request](const jobs::StopToken& stop) {
        return describe(eval::startEvaluation(request, progress, &stop));
    });
}

bool EvaluationJob::resume(const QString& workspace, qint64 evaluationId)
{
    const std::string path = workspace.toStdString();
    return launch([progress = progressSignal(), path, evaluationId](const jobs::StopToken& stop) {
        return describe(eval::resumeEvaluation(path, evaluationId, progress, &stop));
    });
}

} // namespace cotlab::ui
