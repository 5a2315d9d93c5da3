#pragma once

// The Overview page: which workspace is open, its tasks with their counts and teacher accuracy (WorkspaceSummary),
// and a plot of the teacher's accuracy per task.
#include <QStringList>
#include <QWidget>

class QCustomPlot;
class QLabel;
class QTableView;

namespace cotlab::ui {

class WorkspaceSummary;

class OverviewPage : public QWidget {
    Q_OBJECT

public:
    explicit OverviewPage(WorkspaceSummary* summary, QWidget* parent = nullptr);

    void showWorkspace(const QString& path);
    void showSummary();                // after the summary has loaded
    QStringList selectedTasks() const; // the tasks of the selected rows
    // What to do next, with links to the pages; `demo`: the demo workspace, whose experiment can fill every page.
    void showNextSteps(bool demo, bool hasRuns);

Q_SIGNALS:
    void linkChosen(const QString& link); // "page:train", "action:demo-experiment", ...

private:
    WorkspaceSummary* m_summary;
    QLabel* m_header;
    QLabel* m_next;
    QTableView* m_table;
    QCustomPlot* m_plot;
};

} // namespace cotlab::ui
