#pragma once

// The Evaluate page: the settings (EvaluateForm) with Start, Stop and Resume always in view; every evaluation of
// the workspace (EvaluationResults); the selected evaluation's questions with student, teacher and gold side by
// side (EvaluationQuestions); plots of the selected (or all finished) evaluations, saved as PNG or PDF. The
// evaluation runs on a worker thread (EvaluationJob); the page reads the store on its WorkspaceThread.
#include "async/WorkspaceThread.h"
#include "evaluate/EvaluationPlots.h"

#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>

class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;

namespace cotlab::ui {

class EvaluateForm;
class EvaluationCharts;
class EvaluationJob;
class EvaluationQuestions;
class EvaluationResults;

class EvaluatePage : public QWidget {
    Q_OBJECT

public:
    explicit EvaluatePage(QWidget* parent = nullptr);
    ~EvaluatePage() override;

    void setWorkspace(const QString& path, const QStringList& tasks);
    void setModelPath(const QString& path, const QString& tokenizer = {});
    EvaluationJob* job() const { return m_job; }
    void start();
    void stopEvaluation();
    void resumeSelected();
    // Re-reads the evaluations (and the runs the form offers); then selects `select`, or keeps the selection.
    void refreshResults(std::optional<QList<qint64>> select = std::nullopt);
    void selectEvaluations(const QList<qint64>& ids);
    // True while the selected evaluations' questions and comparison are still being read.
    bool selectionPending() const { return m_shownRequest != m_selectionRequest; }
    QCustomPlot* plot(const QString& name) const; // "accuracy", "curve" or "cot"
    QTabWidget* views() const;
    bool savePlotTo(const QString& name, const QString& path) const;
    // Writes an evaluation as a spreadsheet (.xlsx, or .csv files per sheet) on a worker; `exported` follows.
    void exportEvaluation(qint64 evaluationId, const QString& path);

Q_SIGNALS:
    void evaluationFinished(const QString& status, const QString& message);
    // The user asked to see a student's generated rationales (the model name they are stored under).
    void browseRationales(const QString& model);
    void exported(const QString& message, bool error);
    void resultsShown(); // the evaluation list, and the selected one's questions, are on screen

private:
    QWidget* buildControls();
    void onProgress(qint64 evaluationId, qint64 done, qint64 items, qint64 correct);
    void onFinished(bool ok, const QString& status, const QString& message);
    void refreshRuns();
    void showSelection();
    void comparePair(qint64 first, qint64 second, quint64 request);
    void replot();
    void updateButtons();
    void showMessage(const QString& text, bool error);

    QString m_workspace;
    WorkspaceThread m_store;
    EvaluationJob* m_job;
    EvaluateForm* m_form;
    EvaluationResults* m_results;
    EvaluationQuestions* m_questions;
    QPushButton* m_startButton;
    QPushButton* m_stopButton;
    QPushButton* m_resumeButton;
    QLabel* m_message;
    QProgressBar* m_progress;
    QLabel* m_status;
    EvaluationCharts* m_views;         // the questions, then the plots
    QVector<EvaluationPoint> m_points; // what the plots show
    qint64 m_liveEvaluation = 0;
    quint64 m_selectionRequest = 0; // the latest read for the selection; older answers are dropped
    quint64 m_shownRequest = 0;     // the read whose answer is on screen
};

} // namespace cotlab::ui
