#pragma once

// The Train page's settings: the student, the data (task, split, template, which rationales), the optimisation
// and the output folder; it turns them into a training request, or names the first field that is wrong.
#include "store/CorpusRepository.h"
#include "train/TrainingRun.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace cotlab::ui {

class MemoryPlanView;
class ModelPicker;
class PromptFormatPicker;
class TrainMethodBox;

class TrainForm : public QWidget {
    Q_OBJECT

public:
    explicit TrainForm(QWidget* parent = nullptr);

    // Keeps the chosen task when it is still there; at first, the task of the last run started from this form.
    void setTasks(const QStringList& tasks);
    // Teacher rationales of each task's train questions: when training would read none of the chosen task's (the
    // split is train), the task with the most is chosen instead, so that a first Start does not fail.
    void preferTrainableTask(const QMap<QString, qint64>& trainTeacherRationales);
    // The workspace's saved corpora, offered as the data instead of a task and split; keeps the chosen one while it
    // is still there.
    void setCorpora(const std::vector<store::CorpusInfo>& corpora);
    // Trains on a saved corpus (of those set), all of its tasks; false when there is none of that name.
    bool chooseCorpus(const QString& name);
    QString corpus() const; // '' : a task and split
    // Keeps the settings (all but the output folder) for the next time the app starts, and for this workspace.
    void remember(const QString& workspace) const;
    // The settings last used on this workspace, when a run was started on it (else those of the last run).
    void restoreFor(const QString& workspace);
    void setModelPath(const QString& path, const QString& tokenizer);
    QString output() const;
    void setOutput(const QString& folder);
    // What the run would train on (student, data, format) for the token preview, or nothing and `problem` saying
    // which field to change.
    std::optional<train::TrainingRequest> dataRequest(const QString& workspace, QString* problem) const;
    // The request for a new run of `workspace`, or nothing and `problem` saying which field to change.
    std::optional<train::TrainingRequest> request(const QString& workspace, QString* problem) const;
    int processes() const; // data-parallel worker processes (1: this one)
    // The settings as they stand, unchecked (the memory plan reads them as the user edits).
    train::TrainingRequest draft(const QString& workspace) const;

Q_SIGNALS:
    void settingsChanged();
    void previewRequested(); // Preview Tokens was pressed

private:
    QWidget* studentBox();
    QWidget* dataBox();
    QWidget* optimisationBox();
    QWidget* outputBox();
    void updateMemoryPlan();
    // With a corpus the task list starts with "all of the corpus's tasks", and split, correctness and sources are
    // the corpus recipe's business.
    void followDataSource();
    QString chosenTask() const; // '' : all of the corpus's tasks

    ModelPicker* m_student;
    QSpinBox* m_processes;
    QComboBox* m_precision;
    QComboBox* m_corpus;
    QLabel* m_corpusSummary;
    QLabel* m_sourcesLabel;
    QComboBox* m_task;
    QComboBox* m_split;
    PromptFormatPicker* m_template;
    QCheckBox* m_correctOnly;
    QCheckBox* m_humanSources;
    QCheckBox* m_studentSources;
    QSpinBox* m_samples;
    QSpinBox* m_questions;
    QSpinBox* m_maxLength;
    QCheckBox* m_packing;
    QComboBox* m_devSplit;
    QSpinBox* m_evalEvery;
    QSpinBox* m_epochs;
    QSpinBox* m_steps;
    QSpinBox* m_batch;
    QSpinBox* m_accum;
    QLineEdit* m_lr;
    QSpinBox* m_warmup;
    QComboBox* m_schedule;
    QDoubleSpinBox* m_clip;
    QSpinBox* m_seed;
    QSpinBox* m_checkpointEvery;
    QLineEdit* m_output;
    TrainMethodBox* m_method;
    MemoryPlanView* m_memoryPlan;
    QString m_preferredTask;   // of the last run started, until tasks are listed
    QString m_preferredCorpus; // of the last run started on this workspace, until its corpora are listed
};

} // namespace cotlab::ui
