#pragma once

// The demo's experiment (core/train/DemoExperiment) on a worker thread: each stage and how far it is become
// queued signals (the main window's status bar shows them, and the pages refresh when a stage ends); stop asks
// the running stage to checkpoint and end, and the next start continues from there.
#include "async/BackgroundJob.h"
#include "train/DemoExperiment.h"

namespace cotlab::ui {

class DemoExperimentJob : public BackgroundJob {
    Q_OBJECT

public:
    explicit DemoExperimentJob(QObject* parent = nullptr) : BackgroundJob(parent) {}
    ~DemoExperimentJob() override;

    bool start(const train::DemoExperimentOptions& options);
    // The bundled student (stories260K) beside the demo data, or '' when the demo data has no model.
    static QString demoModel(QString* tokenizer);

Q_SIGNALS:
    void progressed(const QString& stage, quint64 done, quint64 total);
    void stageDone(); // a run, evaluation or the study was recorded: the pages have something new
};

} // namespace cotlab::ui
