#pragma once

// The Export page: every export in one place. A list of kinds (training corpus, rationales, evaluation, study,
// student model, training curves; ExportForms.h), the chosen kind's options, where to write (suggested beside the
// workspace), and Export with a progress bar and Cancel on the page; the workspace's choices are read on the page's
// store thread whenever the page is shown.
#include "async/WorkspaceThread.h"

#include <QWidget>
#include <utility>
#include <vector>

class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace cotlab::ui {

class ExportForm;
class JobRunner;

class ExportPage : public QWidget {
    Q_OBJECT

public:
    enum Kind { Corpus, Rationales, Evaluation, Study, Student, Curves };
    explicit ExportPage(QWidget* parent = nullptr);
    ~ExportPage() override;

    void setWorkspace(const QString& path);
    void showKind(Kind kind);
    void refreshChoices();
    void setTarget(const QString& path);
    QString target() const;
    void exportNow();
    void cancel();
    bool busy() const;
    QString message() const;

Q_SIGNALS:
    void choicesShown();
    void exported(bool ok, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    ExportForm* currentForm() const;
    void suggestTarget();
    void chooseTarget();
    void onProgress(const QString& stage, quint64 done, quint64 total);
    void onFinished(bool ok, const QString& message);
    void showMessage(const QString& text, bool error);

    QString m_workspace;
    WorkspaceThread m_store;
    std::vector<ExportForm*> m_forms;
    QListWidget* m_kinds;
    QLabel* m_title;
    QLabel* m_description;
    QStackedWidget* m_options;
    QLineEdit* m_target;
    QPushButton* m_export;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_message;
    QListWidget* m_log; // what was written, newest first
    JobRunner* m_jobs;
    std::pair<QString, QString> m_running; // the running export's kind and target
    bool m_targetEdited = false;           // the user typed or chose a target: suggestions no longer replace it
};

} // namespace cotlab::ui
