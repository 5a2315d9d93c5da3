#pragma once

// The Review page: human evaluation studies of the workspace. The overview lists the studies; for the selected one
// it shows each annotator's progress, the results (pairwise: how often each source was preferred and ties; single:
// mean ratings) and the agreement per criterion (Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha), as
// tables and plots, and exports the study as XLSX or CSV, blank label sheets for annotators outside CoTLab, and
// imports their filled sheets. "Start Labelling" opens the labelling screen (LabelingView) for an annotator at
// their resume point; each label is stored on the page's store thread the moment it is given.
#include "async/WorkspaceThread.h"
#include "review/Study.h"

#include <QStringList>
#include <QWidget>
#include <atomic>
#include <functional>
#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QTableWidget;

namespace cotlab::ui {

class LabelingView;
class StudyResults;

class ReviewPage : public QWidget {
    Q_OBJECT

public:
    explicit ReviewPage(QWidget* parent = nullptr);
    ~ReviewPage() override;

    void setWorkspace(const QString& path, const QStringList& tasks);
    void refresh(); // the studies and the workspace's rationale sources
    QStringList studyNames() const;
    void selectStudy(const QString& name);
    QString currentStudy() const;
    void openNewStudyDialog();
    // Creates the study in the background; `done` hears "" when it was created, else the reason it was not.
    void createStudy(const review::StudySpec& spec, std::function<void(const QString&)> done = {});
    void deleteStudy(const QString& name);
    void startLabelling(const QString& annotator);
    void showOverview();
    // The selected study as a spreadsheet (.xlsx, or .csv files per sheet).
    void exportStudy(const QString& path);
    void exportBlankSheet(const QString& path, const QString& annotator);
    void importSheets(const QStringList& paths, const QString& annotator = {});

    LabelingView* labelingView() const { return m_labeling; }
    bool isLabelling() const;
    QCustomPlot* plot(const QString& name) const; // "results" or "agreement"
    QTableWidget* resultsTable() const;
    QTableWidget* agreementTable() const;
    QTableWidget* annotatorTable() const;
    QString message() const;
    int pendingLabels() const { return m_pendingLabels.load(); }

Q_SIGNALS:
    void studiesChanged();
    void reportShown();
    void sessionStarted();
    void labelStored();
    void exported();
    void imported();
    void failed(const QString& message);

private:
    void showReport(const review::StudyReport& report);
    void loadReport();
    void showMessage(const QString& text, bool error);
    void fail(const QString& message); // shown, and emitted as failed
    // Store work on the page's thread; an urgent task (a label) goes before the queued ones.
    template <class Task, class OnResult> void post(Task task, OnResult onResult, bool urgent = false);
    QWidget* buildOverview();
    QWidget* buildActions();
    void connectLabelling();

    QString m_workspace;
    QStringList m_tasks;
    review::StudySources m_sources;
    WorkspaceThread m_store;
    std::atomic<int> m_pendingLabels{0};
    QStackedWidget* m_stack;
    QListWidget* m_studies;
    QComboBox* m_annotator;
    QPushButton* m_start;
    StudyResults* m_report;
    QLabel* m_message;
    LabelingView* m_labeling;
    QList<QWidget*> m_needsStudy; // enabled only when a study is selected
};

} // namespace cotlab::ui
