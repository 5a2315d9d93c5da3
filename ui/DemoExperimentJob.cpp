#include "DemoExperimentJob.h"

#include "ingest/DemoBuilder.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace cotlab::ui {

DemoExperimentJob::~DemoExperimentJob()
{
    stop(); // before the base class goes: the worker's progress callback emits this object's signals
    waitForIdle();
}

QString DemoExperimentJob::demoModel(QString* tokenizer)
{
    const QString folder = QString::fromStdString(ingest::DemoBuilder::findDemoData(
                               QCoreApplication::applicationFilePath().toStdString())) +
                           "/models/stories260K";
    if (!QFileInfo::exists(folder + "/stories260K.bin"))
        return {};
    *tokenizer = folder + "/tok512.bin";
    return folder + "/stories260K.bin";
}

bool DemoExperimentJob::start(const train::DemoExperimentOptions& options)
{
    return launch([this, options](const jobs::StopToken& stop) {
        auto stage = std::make_shared<std::string>();
        const jobs::ProgressSink sink = [this, stage](const jobs::Progress& p) {
            if (!stage->empty() && *stage != p.stage)
                Q_EMIT stageDone();
            *stage = p.stage;
            Q_EMIT progressed(QString::fromStdString(p.stage), p.done, p.total);
        };
        const auto outcome = train::runDemoExperiment(options, sink, &stop);
        if (outcome.stopped)
            return tr("stopped\nThe demo experiment stopped; what it finished is kept, and Run Demo Experiment "
                      "continues from there.");
        QStringList results;
        for (const auto& s : outcome.students)
            results << tr("%1 %2/%3").arg(QString::fromStdString(s.student)).arg(s.correct).arg(s.done);
        return tr("finished\nThe demo experiment finished: %1. See the Train, Evaluate and Review pages.")
            .arg(results.join(", "));
    });
}

} // namespace cotlab::ui
