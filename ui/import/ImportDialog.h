#pragma once

// File > Import: choose files, see each one's detected format and first records as the import would read them
// (records it would refuse are flagged with their line or element and the reason before anything is imported;
// the format and task chosen in the dialog apply), then import them on a worker thread with a
// progress bar and Cancel. Each file is one transaction: a file with a malformed record imports nothing, and
// the dialog shows the file, line and reason.
#include "ingest/Importer.h"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace cotlab::ui {

class FieldMappingDialog;
class JobRunner;

class ImportDialog : public QDialog {
    Q_OBJECT

public:
    ImportDialog(const QString& workspace, QWidget* parent = nullptr);

    void addFiles(const QStringList& files);
    QStringList files() const;
    // Starts the import (what the Import button does); false when there is nothing to import or one runs.
    bool startImport();
    bool importing() const;
    QString errorText() const;
    QString resultText() const;
    QString refusedReport() const { return m_reportPath; } // "" when nothing was refused
    QTableWidget* preview() const { return m_preview; }
    QLineEdit* fields() const { return m_fields; }
    // "Pick Fields…": the field-mapping form for the selected file's first record, opened (and returned, for a
    // test to fill) without waiting; accepting it writes the mapping into the Fields box.
    FieldMappingDialog* pickFields();
    QString detectedFormat() const;

    // The first records as the import would read them (ingest::Importer::preview), or why each would be refused.
    struct PreviewLine {
        QString place;                                                  // "line 12", "element 3"
        QString task, id, question, answer, thinking, rationale, error; // rationale: its answer part when split
    };
    // With a workspace, the records that join stored questions show them (or that there are none).
    static QList<PreviewLine> previewLines(const QString& path, const ingest::ImportOptions& options, int maxRecords,
                                           const QString& workspace = {});

Q_SIGNALS:
    // After an import that added something (also when a later file failed).
    void imported();
    void finished(bool ok);

protected:
    void reject() override;

private:
    void chooseFiles();
    void showPreview();
    ingest::ImportOptions chosenOptions() const; // the format and task chosen in the dialog
    void onFinished(bool ok, const QString& message);
    void updateButtons();
    QString reportPathFor() const;

    QString m_workspace;
    QListWidget* m_files;
    QLabel* m_format;
    QTableWidget* m_preview;
    QComboBox* m_formatOverride;
    QLineEdit* m_task;
    QLineEdit* m_teacher;
    QLineEdit* m_fields;
    QPushButton* m_pickFields;
    QCheckBox* m_keepGood;
    QPushButton* m_openReport;
    QString m_reportPath; // the refused records of the last import, when there were any
    QProgressBar* m_progress;
    QLabel* m_status;
    QPlainTextEdit* m_error;
    QPushButton* m_import;
    QPushButton* m_cancel;
    QPushButton* m_add;
    QPushButton* m_remove;
    QDialogButtonBox* m_buttons;
    JobRunner* m_job;
    bool m_addedSomething = false;
};

} // namespace cotlab::ui
