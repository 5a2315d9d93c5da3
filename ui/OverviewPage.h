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

private:
    WorkspaceSummary* m_summary;
    QLabel* m_header;
    QTableView* m_table;
    QCustomPlot* m_plot;
};

} // namespace cotlab::ui
