#pragma once

#include "EvaluationPlots.h"
#include "WorkspaceThread.h"
#include "store/EvaluationRepository.h"

#include <QString>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;

namespace cotlab::ui {

class EvaluationJob;

// The Evaluate page: a form to evaluate a trained run's student (or any model folder) on a task's split with
// greedy or self-consistency decoding; Start, Stop, Resume; a results table of every evaluation (student, its
// run's recipe, decoding, accuracy with its 95% interval); the selected evaluation's questions with student,
// teacher and gold side by side and filters; plots of the selected (or all finished) evaluations, saved as PNG
// or PDF. The evaluation runs on a worker thread.
class EvaluatePage : public QWidget {
    Q_OBJECT

public:
    explicit EvaluatePage(QWidget* parent = nullptr);

    void setWorkspace(const QString& path, const QStringList& tasks);
    void setModelPath(const QString& path, const QString& tokenizer = {});
    EvaluationJob* job() const { return m_job; }
    void start();
    void stopEvaluation();
    void resumeSelected();
    void refreshResults();
    void selectEvaluations(const QList<qint64>& ids);
    QCustomPlot* plot(const QString& name) const; // "accuracy", "curve" or "cot"
    QTabWidget* views() const { return m_views; }
    bool savePlotTo(const QString& name, const QString& path) const;
    // Writes an evaluation as a spreadsheet (.xlsx, or .csv files per sheet) on a worker; `exported` follows.
    void exportEvaluation(qint64 evaluationId, const QString& path);

Q_SIGNALS:
    void evaluationFinished(const QString& status, const QString& message);
    // The user asked to see a student's generated rationales (the model name they are stored under).
    void browseRationales(const QString& model);
    void exported(const QString& message, bool error);

private:
    void onProgress(qint64 evaluationId, qint64 done, qint64 items, qint64 correct);
    void onFinished(bool ok, const QString& status, const QString& message);
    void refreshRuns();
    void showSelection();
    void showQuestions(qint64 evaluationId);
    void applyQuestionFilter();
    void showQuestionDetails();
    void replot();
    void updateButtons();
    void showMessage(const QString& text, bool error);
    QList<qint64> selectedIds() const;
    QWidget* buildForm();
    QWidget* plotTab(QCustomPlot* plot, const QString& name, QWidget* extra = nullptr);

    QString m_workspace;
    WorkspaceThread m_store; // spreadsheet exports
    EvaluationJob* m_job;
    QComboBox* m_run;
    QLineEdit* m_model;
    QLineEdit* m_tokenizer;
    QComboBox* m_device;
    QComboBox* m_task;
    QComboBox* m_split;
    QComboBox* m_template;
    QSpinBox* m_limit;
    QSpinBox* m_samples;
    QDoubleSpinBox* m_temperature;
    QSpinBox* m_maxNewTokens;
    QSpinBox* m_batch;
    QSpinBox* m_seed;
    QPushButton* m_startButton;
    QPushButton* m_stopButton;
    QPushButton* m_resumeButton;
    QLabel* m_message;
    QProgressBar* m_progress;
    QLabel* m_status;
    QTableWidget* m_results;
    QLabel* m_contrast;
    QTabWidget* m_views;
    QComboBox* m_filter;
    QTableWidget* m_questions;
    QPlainTextEdit* m_questionDetails;
    QCustomPlot* m_accuracyPlot;
    QCustomPlot* m_curvePlot;
    QCustomPlot* m_cotPlot;
    QComboBox* m_curveAxis;
    QVector<EvaluationPoint> m_points;             // what the plots show
    std::vector<store::EvaluatedInstance> m_items; // the questions of the evaluation shown
    qint64 m_liveEvaluation = 0;
    qint64 m_questionsOf = 0;
};

} // namespace cotlab::ui
