#pragma once

// The Review page: human evaluation studies of the workspace. The overview lists the studies; for the selected one
// it shows each annotator's progress, the results (pairwise: how often each source was preferred and ties; single:
// mean ratings) and the agreement per criterion (Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha), as
// tables and plots, and exports the study as XLSX or CSV, blank label sheets for annotators outside CoTLab, and
// imports their filled sheets. "Start Labelling" opens the labelling screen (LabelingView) for an annotator at
// their resume point; each label is stored on the page's store thread the moment it is given.
#include "WorkspaceThread.h"
#include "review/Study.h"

#include <QStringList>
#include <QWidget>
#include <atomic>
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
    void createStudy(const review::StudySpec& spec);
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
    QTableWidget* resultsTable() const { return m_results; }
    QTableWidget* agreementTable() const { return m_agreement; }
    QTableWidget* annotatorTable() const { return m_annotators; }
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
    void post(WorkspaceThread::Task task, bool urgent = false);
    QWidget* buildOverview();

    QString m_workspace;
    QStringList m_tasks;
    QStringList m_sources, m_sourceDescriptions;
    WorkspaceThread m_store;
    std::atomic<int> m_pendingLabels{0};
    QStackedWidget* m_stack;
    QListWidget* m_studies;
    QLabel* m_title;
    QComboBox* m_annotator;
    QPushButton* m_start;
    QTableWidget* m_annotators;
    QTableWidget* m_results;
    QTableWidget* m_agreement;
    QCustomPlot* m_resultsPlot;
    QCustomPlot* m_agreementPlot;
    QLabel* m_message;
    LabelingView* m_labeling;
    QList<QWidget*> m_needsStudy; // enabled only when a study is selected
};

} // namespace cotlab::ui
