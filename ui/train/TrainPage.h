#pragma once

// The Train page: the settings form (TrainForm); Start, Stop and Resume with the run's status and messages, always
// in view; live loss, learning-rate and throughput charts (TrainingCharts) with a progress bar and ETA; the run
// history (RunHistory), where selecting runs shows their recipe and overlays their curves. Training runs on a
// worker thread (TrainingJob); the page reads the store on its WorkspaceThread.
#include "async/WorkspaceThread.h"

#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <vector>

class QLabel;
class QProgressBar;
class QScrollArea;
class QPushButton;

namespace cotlab::ui {

class RunHistory;
class TrainForm;
class TrainingCharts;
class TrainingJob;
class TokenPreviewDialog;
struct StepUpdate;

class TrainPage : public QWidget {
    Q_OBJECT

public:
    explicit TrainPage(QWidget* parent = nullptr);
    ~TrainPage() override;

    void setWorkspace(const QString& path, const QStringList& tasks);
    void setModelPath(const QString& path, const QString& tokenizer = {});
    TrainingJob* job() const { return m_job; }
    void start();
    void stopTraining();
    // Preview Tokens: the examples of the form's settings tokenised as the run will, in a dialog.
    void previewTokens();
    void resumeSelected();
    // Re-reads the runs; then selects `select`, or keeps the selection.
    void refreshHistory(std::optional<QList<qint64>> select = std::nullopt);
    void selectRuns(const QList<qint64>& runIds);
    // Re-reads the saved corpora offered as data (the Corpus page saved, renamed or deleted one).
    void refreshCorpora();
    // Fills the data in with a saved corpus (all of its tasks), as the Corpus page's "Train on This Corpus" asks.
    void trainOnCorpus(const QString& name);

Q_SIGNALS:
    void runFinished(const QString& status, const QString& message);
    void historyShown(); // the run list and the selected runs' curves are on screen
    void corporaShown(); // the saved corpora are listed under Data

private:
    QWidget* buildControls();
    void onStep(const StepUpdate& u);
    void onFinished(bool ok, const QString& status, const QString& message);
    void showSelectedRuns();
    QString newRunFolder() const; // beside the workspace, named by the time
    void updateButtons();
    void showMessage(const QString& text, bool error);

    QString m_workspace;
    WorkspaceThread m_store;
    TrainingJob* m_job;
    TrainForm* m_form;
    TokenPreviewDialog* m_preview = nullptr;
    QScrollArea* m_formScroll;
    TrainingCharts* m_charts;
    RunHistory* m_history;
    QPushButton* m_startButton;
    QPushButton* m_stopButton;
    QPushButton* m_resumeButton;
    QLabel* m_message;
    QProgressBar* m_progress;
    QLabel* m_status;
    qint64 m_liveRun = 0;
    QString m_corpusToChoose;            // asked for before the corpora were read
    quint64 m_curvesRequest = 0;         // the latest request for curves; older answers are dropped
    bool m_liveCurvesPending = false;    // the live run's stored curves are being read
    std::vector<StepUpdate> m_heldSteps; // live steps that arrived meanwhile
    double m_secondsPerStep = 0;
    qint64 m_lastStepMs = 0;
};

} // namespace cotlab::ui
