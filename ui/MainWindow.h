#pragma once

#include <QMainWindow>
#include <QString>
#include <QStringList>

class QCustomPlot;
class QLabel;
class QTableView;

namespace cotlab::ui {

class EvaluatePage;
class JobRunner;
class TrainPage;
class WorkspaceSummary;

// The workspace window: an Overview page (the workspace's tasks with their counts and teacher accuracy), the
// Train page and the Evaluate page. The Browse, Corpus, Review and Export pages come with later work.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Opens a workspace (created if missing). Loading runs in the background.
    void openWorkspace(const QString& path);
    // Builds the demo workspace on first use (in the background), then opens it.
    void openDemoWorkspace();
    QString workspacePath() const { return m_path; }
    WorkspaceSummary* summary() const { return m_summary; }
    JobRunner* jobs() const { return m_jobs; }
    TrainPage* trainPage() const { return m_train; }
    EvaluatePage* evaluatePage() const { return m_evaluate; }
    void showTrainPage();
    void showEvaluatePage();

Q_SIGNALS:
    void workspaceLoaded();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void importFiles();
    void exportJsonl();
    void newWorkspace();
    void chooseWorkspace();
    void about();
    void onLoaded(qint64 tasks, qint64 instances, qint64 rationales);
    void updatePlot();
    QStringList taskNames() const;
    void showError(const QString& title, const QString& message);

    QString m_path;
    WorkspaceSummary* m_summary;
    JobRunner* m_jobs;
    QTableView* m_table;
    QCustomPlot* m_plot;
    QLabel* m_header;
    QLabel* m_counts;
    TrainPage* m_train;
    EvaluatePage* m_evaluate;
    class QTabWidget* m_pages;
};

} // namespace cotlab::ui
