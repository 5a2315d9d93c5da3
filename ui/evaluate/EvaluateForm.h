#pragma once

// The Evaluate page's settings: the student (a finished run of this workspace, or any model), the questions (task,
// split, how many, what the student writes) and the decoding (greedy or self-consistency, token budget, batch size,
// seed); it turns them into an evaluation request, or names the first field that is wrong.
#include "eval/Evaluation.h"

#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace cotlab::ui {

class ModelPicker;
class PromptFormatPicker;

// A finished run the form offers as a student.
struct TrainedRun {
    qint64 id = 0;
    QString name;
    QString task; // what it was trained on
};

class EvaluateForm : public QWidget {
    Q_OBJECT

public:
    explicit EvaluateForm(QWidget* parent = nullptr);

    void setTasks(const QStringList& tasks);
    // Keeps the chosen run when it is still there, but chooses a run that finished since the last listing.
    void setRuns(const std::vector<TrainedRun>& runs);
    void forgetRuns() { m_newestListedRun = -1; } // another workspace: its runs are not new
    void setModelPath(const QString& path, const QString& tokenizer);
    std::optional<eval::EvaluationRequest> request(const QString& workspace, QString* problem) const;

private:
    QWidget* studentBox();
    QWidget* questionsBox();
    QWidget* decodingBox();

    QComboBox* m_run;
    qint64 m_newestListedRun = -1; // the newest run when runs were last listed; -1 before the first listing
    ModelPicker* m_student;
    QComboBox* m_task;
    QComboBox* m_split;
    PromptFormatPicker* m_template;
    QSpinBox* m_limit;
    QSpinBox* m_samples;
    QDoubleSpinBox* m_temperature;
    QSpinBox* m_maxNewTokens;
    QSpinBox* m_batch;
    QSpinBox* m_seed;
};

} // namespace cotlab::ui
