#pragma once

#include "train/DemoExperiment.h"

#include <QMainWindow>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <optional>

class QLabel;

namespace cotlab::ui {

class BrowsePage;
class CorpusPage;
class EvaluatePage;
class DemoExperimentJob;
class ExportPage;
class HelpBrowser;
class ReviewPage;
class SampleDialog;
class JobRunner;
class TrainPage;
class OverviewPage;
class WorkspaceSummary;

// The workspace window: pages Overview (the workspace's tasks with their counts and teacher accuracy), Browse,
// Corpus, Train, Evaluate, Review and Export (Review and Export say what they will hold until their work lands); File
// menu with new, open, recent and demo workspaces, import and export; a status bar with the workspace's counts. Window
// layout, the page on show and recent workspaces are remembered.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Opens a workspace (created if missing). Loading runs in the background.
    void openWorkspace(const QString& path);
    // Builds the demo workspace on first use (in the background), then opens it; the first time, offers the demo
    // experiment.
    void openDemoWorkspace();
    // Starts the demo experiment (core/train/DemoExperiment) on the open demo workspace as a background job whose
    // stage and progress the status bar shows; false, with the reason shown, when it cannot start.
    bool startDemoExperiment(std::optional<train::DemoExperimentOptions> options = std::nullopt);
    DemoExperimentJob* demoJob() const { return m_demoJob; }
    void showUserGuide(); // Help > User Guide (F1)
    ExportPage* exportPage() const { return m_export; }
    QString workspacePath() const { return m_path; }
    WorkspaceSummary* summary() const { return m_summary; }
    JobRunner* jobs() const { return m_jobs; }
    TrainPage* trainPage() const { return m_train; }
    EvaluatePage* evaluatePage() const { return m_evaluate; }
    ReviewPage* reviewPage() const { return m_review; }
    BrowsePage* browsePage() const { return m_browse; }
    CorpusPage* corpusPage() const { return m_corpus; }
    void showTrainPage();
    void showEvaluatePage();
    void showBrowsePage();
    // The import dialog (modeless while a test drives it); files are preselected.
    class ImportDialog* openImportDialog(const QStringList& files = {});
    QStringList recentWorkspaces() const;

Q_SIGNALS:
    void workspaceLoaded();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void addPage(QWidget* page, const QString& title);
    void refreshAfterChange();
    void importFiles();
    void sampleFromTeacher();
    void showExportPage();
    void newWorkspace();
    void chooseWorkspace();
    void about();
    void onLinkChosen(const QString& link);
    void buildDemoStatus();
    QString demoWorkspacePath() const;
    void onLoaded(qint64 tasks, qint64 instances, qint64 teacherRationales, qint64 otherRationales);
    QStringList taskNames() const;
    QStringList tasksInView() const; // the Browse page's task filter, or the Overview's selected tasks
    void showError(const QString& title, const QString& message);

    QString m_path;
    WorkspaceSummary* m_summary;
    JobRunner* m_jobs;
    OverviewPage* m_overview;
    QLabel* m_counts;
    BrowsePage* m_browse;
    CorpusPage* m_corpus;
    TrainPage* m_train;
    EvaluatePage* m_evaluate;
    ReviewPage* m_review;
    ExportPage* m_export;
    QPointer<SampleDialog> m_sampleDialog;
    QPointer<HelpBrowser> m_help;
    DemoExperimentJob* m_demoJob;
    QWidget* m_demoStatus; // the experiment's stage, progress bar and Stop, in the status bar while it runs
    bool m_offerDemoExperiment = false; // the demo workspace was just built: offer its experiment once loaded
    class QTabWidget* m_pages;
    class QMenu* m_recentMenu = nullptr;
    class QMenu* m_goMenu = nullptr;
};

} // namespace cotlab::ui
