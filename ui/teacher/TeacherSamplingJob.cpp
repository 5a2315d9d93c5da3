#include "teacher/TeacherSamplingJob.h"

namespace cotlab::ui {

TeacherSamplingJob::~TeacherSamplingJob()
{
    stop(); // before the base class goes: the worker's progress callback emits this object's signal
    waitForIdle();
}

namespace {

QStringList errorsOf(const teacher::SamplingOutcome& o)
{
    QStringList out;
    for (const auto& e : o.errors)
        out << QString::fromStdString(e);
    return out;
}

} // namespace

bool TeacherSamplingJob::start(const teacher::SamplingRequest& request)
{
    return launch([this, request](const jobs::StopToken& stop) {
        const auto outcome = teacher::runSampling(
            request,
            [this](const teacher::SamplingOutcome& o) {
                Q_EMIT progressed(o.stored, o.needed, o.usage.requests, o.usage.retries, o.failedRequests, o.seconds,
                                  errorsOf(o));
            },
            &stop);
        Q_EMIT progressed(outcome.stored, outcome.needed, outcome.usage.requests, outcome.usage.retries,
                          outcome.failedRequests, outcome.seconds, errorsOf(outcome));
        const QString figures = QStringLiteral("%1 of %2 samples stored in %3 s (%4 requests, %5 retried, %6 failed; "
                                               "%7 prompt and %8 completion tokens)")
                                    .arg(outcome.stored)
                                    .arg(outcome.needed)
                                    .arg(outcome.seconds, 0, 'f', 1)
                                    .arg(outcome.usage.requests)
                                    .arg(outcome.usage.retries)
                                    .arg(outcome.failedRequests)
                                    .arg(outcome.usage.promptTokens)
                                    .arg(outcome.usage.completionTokens);
        const QString cost = request.pricePromptPerMillion > 0 || request.priceCompletionPerMillion > 0
                                 ? QStringLiteral(", cost $%1").arg(outcome.cost, 0, 'f', 4)
                                 : QString();
        if (outcome.stopped)
            return "stopped\nStopped: " + figures + cost + ". Start again to top up the rest.";
        if (outcome.failedRequests > 0)
            return "finished\nFinished with failures: " + figures + cost + ". Start again to retry what failed.";
        return "finished\nFinished: " + figures + cost + ".";
    });
}

} // namespace cotlab::ui
