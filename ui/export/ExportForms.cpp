#include "export/ExportForms.h"

#include "common/PromptFormatPicker.h"
#include "ingest/InterchangeExporter.h"
#include "report/EvaluationSheets.h"
#include "report/RunSheets.h"
#include "report/StudySheets.h"
#include "store/StatsRepository.h"
#include "store/Workspace.h"
#include "train/ExampleExport.h"
#include "train/StudentExport.h"
#include "util/Error.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>

namespace cotlab::ui {

ExportChoices ExportChoices::read(store::Database& db)
{
    ExportChoices c;
    for (const auto& t : store::StatsRepository(db).perTask())
        c.tasks.push_back(t.task);
    c.corpora = store::CorpusRepository(db).list();
    c.evaluations = store::EvaluationRepository(db).list();
    store::ReviewRepository reviews(db);
    for (auto& s : reviews.list()) {
        Study study{std::move(s), {}};
        for (const auto& a : reviews.annotators(study.record.id))
            study.annotators.push_back(a.name);
        c.studies.push_back(std::move(study));
    }
    c.runs = store::RunRepository(db).list();
    return c;
}

ExportForm::ExportForm(QWidget* parent) : QWidget(parent), m_form(new QFormLayout(this))
{
    m_form->setContentsMargins(0, 0, 0, 0);
}

QComboBox* ExportForm::addCombo(const QString& label, const QString& objectName)
{
    auto* combo = new QComboBox;
    combo->setObjectName(objectName);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(24);
    m_form->addRow(label, combo);
    connect(combo, &QComboBox::currentIndexChanged, this, &ExportForm::choiceChanged);
    return combo;
}

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

// A file name made of a label the user chose (a corpus or study name): characters file systems refuse become '-'.
QString fileStem(QString name)
{
    static const QString refused = QStringLiteral("/\\:*?\"<>|");
    for (QChar& c : name)
        if (refused.contains(c) || c.isSpace())
            c = '-';
    return name;
}

// Keeps the chosen item (by its data) while refilling a combo.
template <class Fill> void refill(QComboBox* combo, Fill fill)
{
    const QVariant current = combo->currentData();
    const QSignalBlocker blocker(combo);
    combo->clear();
    fill();
    combo->setCurrentIndex(std::max(0, combo->findData(current)));
}

QString wrote(const std::vector<std::string>& files)
{
    QStringList names;
    for (const auto& f : files)
        names << qs(f);
    return QObject::tr("Wrote %1").arg(names.join(", "));
}

std::optional<JobRunner::Job> refuse(QString* problem, const QString& text)
{
    *problem = text;
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------------------

class CorpusExportForm : public ExportForm {
public:
    CorpusExportForm()
    {
        m_corpus = addCombo(tr("Corpus"), "exportCorpus");
        m_template = new PromptFormatPicker("exportTemplate");
        form()->addRow(tr("Prompt format"), m_template);
        connect(m_template, &PromptFormatPicker::changed, this, &ExportForm::choiceChanged);
        m_shape = addCombo(tr("Shape"), "exportShape");
        m_shape->addItem(tr("Prompt-completion ({\"prompt\", \"completion\"})"), "prompt-completion");
        m_shape->addItem(tr("Chat messages ({\"messages\": [user, assistant]})"), "chat");
    }
    QString title() const override { return tr("Training corpus"); }
    QString description() const override
    {
        return tr("A saved corpus as training JSONL, with the trainer's own templates: other tools (TRL, Axolotl, "
                  "LLaMA-Factory) then train on exactly the text CoTLab's runs see.");
    }
    QString fileFilter() const override { return tr("JSON Lines (*.jsonl)"); }
    QString suggestedName() const override
    {
        if (m_corpus->currentData().toString().isEmpty())
            return {};
        return fileStem(m_corpus->currentData().toString()) + "-" + m_template->formatName() +
               (m_shape->currentData() == "chat" ? "-chat" : "") + ".jsonl";
    }
    void setChoices(const ExportChoices& choices) override
    {
        refill(m_corpus, [&] {
            for (const auto& c : choices.corpora)
                m_corpus->addItem(
                    tr("%1 (%L2 rationales of %L3 questions)").arg(qs(c.name)).arg(c.rationales).arg(c.instances),
                    qs(c.name));
        });
    }
    std::optional<JobRunner::Job> job(const QString& workspace, const QString& path, QString* problem) const override
    {
        if (m_corpus->count() == 0)
            return refuse(problem, tr("Corpus: the workspace has no saved corpus; build one on the Corpus page."));
        train::TrainingSelection selection;
        selection.corpus = m_corpus->currentData().toString().toStdString();
        selection.task.clear();
        try {
            selection.format = m_template->format().value_or(train::defaultPromptFormat());
        } catch (const Error& e) {
            return refuse(problem, tr("Prompt format: %1").arg(QString::fromStdString(e.what())));
        }
        const auto shape = train::exportShapeFromName(m_shape->currentData().toString().toStdString());
        return [ws = workspace.toStdString(), out = path.toStdString(), selection, shape](const jobs::ProgressSink&,
                                                                                          const jobs::StopToken&) {
            store::Workspace w(ws);
            const auto counts = train::exportExamples(w.db(), selection, out, shape);
            return tr("Wrote %L1 examples of %L2 questions to %3")
                .arg(counts.examples)
                .arg(counts.instances)
                .arg(qs(out));
        };
    }

private:
    QComboBox* m_corpus;
    PromptFormatPicker* m_template;
    QComboBox* m_shape;
};

// ---------------------------------------------------------------------------------------------------------------

class RationalesExportForm : public ExportForm {
public:
    RationalesExportForm() { m_task = addCombo(tr("Task"), "exportTask"); }
    QString title() const override { return tr("Rationales (interchange JSONL)"); }
    QString description() const override
    {
        return tr("Questions, gold answers and every rationale with its source, model, answer, correctness, scores "
                  "and tags, in CoTLab's interchange format (docs/formats.md): another workspace imports it as it "
                  "is.");
    }
    QString fileFilter() const override { return tr("Rationale interchange JSONL (*.jsonl)"); }
    QString suggestedName() const override
    {
        const QString task = m_task->currentData().toString();
        return (task.isEmpty() ? tr("rationales") : fileStem(task) + "-rationales") + ".jsonl";
    }
    void setChoices(const ExportChoices& choices) override
    {
        refill(m_task, [&] {
            m_task->addItem(tr("all tasks"), QString());
            for (const auto& t : choices.tasks)
                m_task->addItem(qs(t), qs(t));
        });
    }
    std::optional<JobRunner::Job> job(const QString& workspace, const QString& path, QString*) const override
    {
        std::optional<std::string> task;
        if (const QString t = m_task->currentData().toString(); !t.isEmpty())
            task = t.toStdString();
        return [ws = workspace.toStdString(), out = path.toStdString(), task](const jobs::ProgressSink& progress,
                                                                              const jobs::StopToken& stop) {
            store::Workspace w(ws);
            const auto r = ingest::InterchangeExporter::exportJsonl(w.db(), out, task, progress, &stop);
            return tr("Exported %L1 rationales to %2").arg(r.rationales).arg(qs(out));
        };
    }

private:
    QComboBox* m_task;
};

// ---------------------------------------------------------------------------------------------------------------

class EvaluationExportForm : public ExportForm {
public:
    EvaluationExportForm()
    {
        m_evaluation = addCombo(tr("Evaluation"), "exportEvaluation");
        m_format = addCombo(tr("Format"), "exportEvaluationFormat");
        m_format->addItem(tr("XLSX workbook"), "xlsx");
        m_format->addItem(tr("CSV, one file per sheet"), "csv");
    }
    QString title() const override { return tr("Evaluation spreadsheet"); }
    QString description() const override
    {
        return tr("An evaluation as a workbook: Summary (student, task, decoding, accuracy with its 95% interval, "
                  "the teacher's accuracy on the same questions), Items (each question with gold, prediction and "
                  "rationale beside the teacher's), and Labels and Agreement when a study judged its rationales.");
    }
    QString fileFilter() const override
    {
        return m_format->currentData() == "csv" ? tr("CSV (*.csv)") : tr("Excel workbook (*.xlsx)");
    }
    QString suggestedName() const override
    {
        if (m_evaluation->count() == 0)
            return {};
        return QString("evaluation-%1.%2")
            .arg(m_evaluation->currentData().toLongLong())
            .arg(m_format->currentData().toString());
    }
    void setChoices(const ExportChoices& choices) override
    {
        refill(m_evaluation, [&] {
            for (const auto& e : choices.evaluations)
                m_evaluation->addItem(
                    tr("%1 · %2 %3 · %4 (%5)")
                        .arg(e.id)
                        .arg(qs(e.task), qs(e.split), qs(e.name))
                        .arg(e.accuracy ? QString::number(100 * e.accuracy->estimate, 'f', 1) + "%" : qs(e.status)),
                    qlonglong(e.id));
        });
    }
    std::optional<JobRunner::Job> job(const QString& workspace, const QString& path, QString* problem) const override
    {
        if (m_evaluation->count() == 0)
            return refuse(problem, tr("Evaluation: the workspace has none yet; evaluate a student on the Evaluate "
                                      "page."));
        const int64_t id = m_evaluation->currentData().toLongLong();
        return [ws = workspace.toStdString(), out = path.toStdString(), id](const jobs::ProgressSink&,
                                                                            const jobs::StopToken&) {
            store::Workspace w(ws);
            return wrote(report::writeSheets(out, report::evaluationSheets(w.db(), id)));
        };
    }

private:
    QComboBox* m_evaluation;
    QComboBox* m_format;
};

// ---------------------------------------------------------------------------------------------------------------

class StudyExportForm : public ExportForm {
public:
    StudyExportForm()
    {
        m_study = addCombo(tr("Study"), "exportStudy");
        m_what = addCombo(tr("Sheet"), "exportStudySheet");
        m_what->addItem(tr("Results: Summary, Items, Labels, Agreement"), "results");
        m_what->addItem(tr("Blank label sheet for an annotator"), "blank");
        m_annotator = new QComboBox;
        m_annotator->setObjectName("exportAnnotator");
        m_annotator->setEditable(true);
        m_annotator->setToolTip(tr("The annotator the sheet is for: one who labelled already, or a new name"));
        form()->addRow(tr("Annotator"), m_annotator);
        connect(m_what, &QComboBox::currentIndexChanged, this, [this] { m_annotator->setEnabled(blank()); });
        connect(m_annotator, &QComboBox::currentTextChanged, this, &ExportForm::choiceChanged);
        connect(m_study, &QComboBox::currentIndexChanged, this, &StudyExportForm::listAnnotators);
        m_annotator->setEnabled(false);
    }
    QString title() const override { return tr("Human evaluation study"); }
    QString description() const override
    {
        return tr("A blind study's results (labels per item, agreement between annotators), or a blank label sheet "
                  "that an annotator fills in a spreadsheet program and the Review page imports back.");
    }
    QString fileFilter() const override { return tr("Excel workbook (*.xlsx);;CSV (*.csv)"); }
    QString suggestedName() const override
    {
        if (m_study->count() == 0)
            return {};
        const QString stem = fileStem(m_study->currentData(Qt::UserRole + 1).toString());
        if (!blank())
            return stem + "-results.xlsx";
        const QString who = m_annotator->currentText().trimmed();
        return stem + "-labels" + (who.isEmpty() ? QString() : "-" + fileStem(who)) + ".xlsx";
    }
    void setChoices(const ExportChoices& choices) override
    {
        m_annotators.clear();
        refill(m_study, [&] {
            for (const auto& s : choices.studies) {
                m_study->addItem(tr("%1 (%2, %L3 items)").arg(qs(s.record.name), qs(s.record.mode)).arg(s.record.items),
                                 qlonglong(s.record.id));
                m_study->setItemData(m_study->count() - 1, qs(s.record.name), Qt::UserRole + 1);
                QStringList names;
                for (const auto& a : s.annotators)
                    names << qs(a);
                m_annotators[s.record.id] = names;
            }
        });
        listAnnotators();
    }
    std::optional<JobRunner::Job> job(const QString& workspace, const QString& path, QString* problem) const override
    {
        if (m_study->count() == 0)
            return refuse(problem, tr("Study: the workspace has none yet; create one on the Review page."));
        const int64_t id = m_study->currentData().toLongLong();
        const std::string annotator = m_annotator->currentText().trimmed().toStdString();
        if (blank() && annotator.empty())
            return refuse(problem, tr("Annotator: a blank label sheet is for one annotator; enter a name."));
        return [ws = workspace.toStdString(), out = path.toStdString(), id, annotator,
                blank = blank()](const jobs::ProgressSink&, const jobs::StopToken&) {
            store::Workspace w(ws);
            return wrote(report::writeSheets(out, blank ? std::vector{report::blankLabelSheet(w.db(), id, annotator)}
                                                        : report::studySheets(w.db(), id)));
        };
    }

private:
    bool blank() const { return m_what->currentData() == "blank"; }
    void listAnnotators()
    {
        const QString typed = m_annotator->currentText();
        const QSignalBlocker blocker(m_annotator);
        m_annotator->clear();
        m_annotator->addItems(m_annotators.value(m_study->currentData().toLongLong()));
        m_annotator->setCurrentText(typed);
        Q_EMIT choiceChanged();
    }
    QComboBox* m_study;
    QComboBox* m_what;
    QComboBox* m_annotator;
    QMap<qint64, QStringList> m_annotators;
};

// ---------------------------------------------------------------------------------------------------------------

// The folder a finished run left its student in (final/), or '' when it has none.
QString finalFolder(const store::RunRecord& run)
{
    const QString folder = qs(run.outputDir) + "/final";
    return QFileInfo::exists(folder) ? folder : QString();
}

class StudentExportForm : public ExportForm {
public:
    StudentExportForm()
    {
        m_run = addCombo(tr("Run"), "exportRun");
        m_as = addCombo(tr("As"), "exportStudentAs");
        m_as->addItem(tr("Hugging Face folder (a LoRA adapter merged into its base)"), "hf");
        m_as->addItem(tr("PEFT adapter folder (LoRA runs)"), "adapter");
    }
    QString title() const override { return tr("Student model"); }
    QString description() const override
    {
        return tr("A trained student for other tools: a Hugging Face folder (config.json, model.safetensors, the "
                  "tokenizer) that transformers, vLLM and llama.cpp's converter read, or a LoRA run's PEFT adapter "
                  "(adapter_config.json, adapter_model.safetensors) that PEFT loads onto its base.");
    }
    Target target() const override { return Target::Folder; }
    QString suggestedName() const override
    {
        if (m_run->count() == 0)
            return {};
        return fileStem(m_run->currentData(Qt::UserRole + 1).toString()) +
               (m_as->currentData() == "adapter" ? "-adapter" : "-hf");
    }
    void setChoices(const ExportChoices& choices) override
    {
        refill(m_run, [&] {
            for (const auto& r : choices.runs) {
                const QString folder = finalFolder(r);
                if (folder.isEmpty())
                    continue; // a run that has not finished has no student to export yet
                m_run->addItem(tr("%1 · %2").arg(r.id).arg(qs(r.name)), folder);
                m_run->setItemData(m_run->count() - 1, qs(r.name), Qt::UserRole + 1);
            }
        });
    }
    std::optional<JobRunner::Job> job(const QString&, const QString& path, QString* problem) const override
    {
        if (m_run->count() == 0)
            return refuse(problem, tr("Run: no run has finished yet; a student is exported once its run finished."));
        const std::string model = m_run->currentData().toString().toStdString();
        const auto kind =
            m_as->currentData() == "adapter" ? train::StudentExportKind::Adapter : train::StudentExportKind::HfFolder;
        return [model, out = path.toStdString(), kind](const jobs::ProgressSink&, const jobs::StopToken&) {
            return tr("Wrote %1").arg(qs(train::exportStudent(model, out, kind)));
        };
    }

private:
    QComboBox* m_run;
    QComboBox* m_as;
};

// ---------------------------------------------------------------------------------------------------------------

class CurvesExportForm : public ExportForm {
public:
    CurvesExportForm()
    {
        m_run = addCombo(tr("Run"), "exportCurvesRun");
        m_format = addCombo(tr("Format"), "exportCurvesFormat");
        m_format->addItem(tr("CSV"), "csv");
        m_format->addItem(tr("XLSX workbook"), "xlsx");
    }
    QString title() const override { return tr("Training curves"); }
    QString description() const override
    {
        return tr("A run's curves, one row per step and one column per metric it recorded (training loss, dev "
                  "loss, learning rate, throughput), for plots of your own.");
    }
    QString fileFilter() const override
    {
        return m_format->currentData() == "csv" ? tr("CSV (*.csv)") : tr("Excel workbook (*.xlsx)");
    }
    QString suggestedName() const override
    {
        if (m_run->count() == 0)
            return {};
        return fileStem(m_run->currentData(Qt::UserRole + 1).toString()) + "-curves." +
               m_format->currentData().toString();
    }
    void setChoices(const ExportChoices& choices) override
    {
        refill(m_run, [&] {
            for (const auto& r : choices.runs) {
                m_run->addItem(tr("%1 · %2 (%3, step %4)").arg(r.id).arg(qs(r.name), qs(r.status)).arg(r.step),
                               qlonglong(r.id));
                m_run->setItemData(m_run->count() - 1, qs(r.name), Qt::UserRole + 1);
            }
        });
    }
    std::optional<JobRunner::Job> job(const QString& workspace, const QString& path, QString* problem) const override
    {
        if (m_run->count() == 0)
            return refuse(problem, tr("Run: the workspace has no training run yet."));
        const int64_t id = m_run->currentData().toLongLong();
        return [ws = workspace.toStdString(), out = path.toStdString(), id](const jobs::ProgressSink&,
                                                                            const jobs::StopToken&) {
            store::Workspace w(ws);
            return wrote(report::writeSheets(out, {report::runCurvesSheet(w.db(), id)}));
        };
    }

private:
    QComboBox* m_run;
    QComboBox* m_format;
};

} // namespace

std::vector<ExportForm*> makeExportForms()
{
    return {new CorpusExportForm, new RationalesExportForm, new EvaluationExportForm,
            new StudyExportForm,  new StudentExportForm,    new CurvesExportForm};
}

} // namespace cotlab::ui
