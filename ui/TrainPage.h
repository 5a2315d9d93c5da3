#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

class QCheckBox;
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

namespace cotlab::ui {

class TrainingJob;
struct StepUpdate;

// The Train page: a form for the student, the data and the hyper-parameters; Start, Stop and Resume; live
// loss (raw and smoothed), learning-rate and throughput charts with a progress bar and ETA; the run history,
// where selecting runs shows their recipe and overlays their loss curves. Training runs on a worker thread.
class TrainPage : public QWidget {
    Q_OBJECT

public:
    explicit TrainPage(QWidget* parent = nullptr);

    void setWorkspace(const QString& path, const QStringList& tasks);
    void setModelPath(const QString& path, const QString& tokenizer = {});
    TrainingJob* job() const { return m_job; }
    void start();
    void stopTraining();
    void resumeSelected();
    void refreshHistory();
    void selectRuns(const QList<qint64>& runIds);

Q_SIGNALS:
    void runFinished(const QString& status, const QString& message);

private:
    void onStep(const StepUpdate& u);
    void onFinished(bool ok, const QString& status, const QString& message);
    void showSelectedRuns();
    void clearCharts();
    void updateButtons();
    void showMessage(const QString& text, bool error);
    QWidget* buildForm();

    QString m_workspace;
    TrainingJob* m_job;
    QLineEdit* m_model;
    QLineEdit* m_tokenizer;
    QComboBox* m_task;
    QComboBox* m_split;
    QComboBox* m_template;
    QCheckBox* m_correctOnly;
    QSpinBox* m_samples;
    QSpinBox* m_questions;
    QSpinBox* m_epochs;
    QSpinBox* m_steps;
    QSpinBox* m_batch;
    QSpinBox* m_accum;
    QLineEdit* m_lr;
    QSpinBox* m_warmup;
    QComboBox* m_schedule;
    QDoubleSpinBox* m_clip;
    QSpinBox* m_seed;
    QSpinBox* m_maxLength;
    QComboBox* m_devSplit;
    QSpinBox* m_evalEvery;
    QSpinBox* m_checkpointEvery;
    QComboBox* m_device;
    QComboBox* m_precision;
    QLineEdit* m_output;
    QPushButton* m_startButton;
    QPushButton* m_stopButton;
    QPushButton* m_resumeButton;
    QLabel* m_message;
    QProgressBar* m_progress;
    QLabel* m_status;
    QCustomPlot* m_lossPlot;
    QCustomPlot* m_lrPlot;
    QCustomPlot* m_speedPlot;
    QTableWidget* m_history;
    QPlainTextEdit* m_details;
    qint64 m_liveRun = 0;
    double m_smoothed = 0;
    double m_secondsPerStep = 0;
    qint64 m_lastStepMs = 0;
};

} // namespace cotlab::ui
