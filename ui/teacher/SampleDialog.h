#pragma once

// The dialog that samples teacher rationales from an OpenAI-compatible endpoint (File > Sample from Teacher):
// endpoint, model and the environment variable holding its API key (the key is never shown or stored); tasks,
// split and how many instances; samples per instance to reach; the prompt template with a live preview of the
// exact prompt of the first instance in scope; sampling settings, concurrency and rate limits; an estimate of
// requests and tokens; Start, Stop (starting again tops up what is missing), progress, rate and errors.
#include "async/WorkspaceThread.h"
#include "store/Records.h"
#include "teacher/SamplingPlan.h"

#include <QDialog>
#include <QStringList>
#include <functional>
#include <map>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLayout;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace cotlab::ui {

class TeacherSamplingJob;

class SampleDialog : public QDialog {
    Q_OBJECT

public:
    SampleDialog(const QString& workspace, const QStringList& tasks, QWidget* parent = nullptr);
    ~SampleDialog() override;

    // The request as filled in, without the API key (start() looks it up); an Error names what is missing.
    teacher::SamplingRequest request() const;
    void setEndpoint(const QString& url, const QString& model);
    void setTasks(const QStringList& tasks);
    void setSamples(int perInstance, int limit);
    QString preview() const;
    QString estimate() const;
    TeacherSamplingJob* job() const { return m_job; }
    // Starts sampling: refused without prices for a hosted endpoint; above the spending limits only after the
    // confirmation says yes.
    void start();
    void setSpendingLimits(const teacher::SpendingLimits& limits) { m_limits = limits; }
    // The question asked before a large plan is sent (a message box; tests answer it themselves).
    void setConfirmation(std::function<bool(const QString&)> confirm) { m_confirm = std::move(confirm); }
    void setTasksInView(const QStringList& tasks); // checked, so the dialog starts on what is being looked at

Q_SIGNALS:
    void previewUpdated();
    void estimated();
    void sampled(); // a run ended (finished, stopped or failed)

private:
    teacher::PromptTemplate promptTemplate() const;
    void send(teacher::SamplingRequest request);
    QWidget* endpointBox();
    QWidget* scopeBox(const QStringList& tasks);
    QWidget* promptBox();
    QLayout* statusColumn();
    void connectChanges();
    void updatePreview();
    void updateEstimate();
    void loadExamples();
    QStringList selectedTasks() const;

    QString m_workspace;
    WorkspaceThread m_store;
    std::map<QString, store::InstanceRecord> m_examples; // the first instance per "task|split" and per "task|"
    TeacherSamplingJob* m_job;
    QLineEdit* m_url;
    QLineEdit* m_model;
    QCheckBox* m_chat;
    QLineEdit* m_keyEnv;
    QLabel* m_keyStatus;
    QListWidget* m_tasks;
    QComboBox* m_split;
    QSpinBox* m_limit;
    QSpinBox* m_samples;
    QComboBox* m_template;
    QLineEdit* m_trigger;
    QPlainTextEdit* m_custom;
    QCheckBox* m_answerCall;
    QDoubleSpinBox* m_temperature;
    QDoubleSpinBox* m_topP;
    QSpinBox* m_maxTokens;
    QLineEdit* m_stop;
    QSpinBox* m_perRequest;
    QSpinBox* m_concurrency;
    QSpinBox* m_rpm;
    QSpinBox* m_tpm;
    QDoubleSpinBox* m_pricePrompt;
    QDoubleSpinBox* m_priceCompletion;
    QCheckBox* m_free;
    teacher::SpendingLimits m_limits;
    std::function<bool(const QString&)> m_confirm;
    QPlainTextEdit* m_preview;
    QLabel* m_estimate;
    QProgressBar* m_progress;
    QLabel* m_rate;
    QPlainTextEdit* m_errors;
    QPushButton* m_start;
    QPushButton* m_stopButton;
    QLabel* m_message;
    QTimer* m_estimateDelay;
};

} // namespace cotlab::ui
