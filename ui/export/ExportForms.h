#pragma once

// The Export page's kinds of export, one form each: what it writes, its options (chosen from what the workspace
// holds), where it suggests writing, and the job that writes it with core's writers (the same ones cotlab-cli
// uses). docs/export.md lists them with their formats.
#include "async/JobRunner.h"
#include "store/CorpusRepository.h"
#include "store/EvaluationRepository.h"
#include "store/ReviewRepository.h"
#include "store/RunRepository.h"

#include <QString>
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QFormLayout;

namespace cotlab::store {
class Database;
}

namespace cotlab::ui {

// What the forms choose from, read from the workspace in one go on the page's store thread.
struct ExportChoices {
    std::vector<std::string> tasks;
    std::vector<store::CorpusInfo> corpora;
    std::vector<store::EvaluationRecord> evaluations;
    struct Study {
        store::StudyRecord record;
        std::vector<std::string> annotators;
    };
    std::vector<Study> studies;
    std::vector<store::RunRecord> runs;
    static ExportChoices read(store::Database& db);
};

class ExportForm : public QWidget {
    Q_OBJECT

public:
    enum class Target { File, Folder };
    explicit ExportForm(QWidget* parent = nullptr);
    virtual QString title() const = 0;
    virtual QString description() const = 0;
    virtual Target target() const { return Target::File; }
    virtual QString fileFilter() const { return {}; } // for a file target: the save dialog's filter
    // The file or folder name suggested beside the workspace for the current choices ('' : nothing to export yet).
    virtual QString suggestedName() const = 0;
    virtual void setChoices(const ExportChoices& choices) = 0;
    // The job writing to `path` for the workspace, or nothing and `problem` saying which option to change.
    virtual std::optional<JobRunner::Job> job(const QString& workspace, const QString& path,
                                              QString* problem) const = 0;

Q_SIGNALS:
    void choiceChanged(); // the suggested name may have changed

protected:
    QFormLayout* form() const { return m_form; }
    QComboBox* addCombo(const QString& label, const QString& objectName);

private:
    QFormLayout* m_form;
};

// All six, in the page's order: training corpus, rationales, evaluation, study, student model, training curves.
std::vector<ExportForm*> makeExportForms();

} // namespace cotlab::ui
