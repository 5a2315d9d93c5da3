#pragma once

// The workspace's training runs in a table (run, name, status, steps, last loss, start) with the selected runs'
// configuration and recipe beside it. Selecting one run shows it; several are overlaid on the charts.
#include "store/RunRepository.h"

#include <QHash>
#include <QList>
#include <QWidget>
#include <vector>

class QPlainTextEdit;
class QTableWidget;

namespace cotlab::ui {

// A run as the history lists it.
struct RunRow {
    store::RunRecord run;
    std::optional<double> lastLoss;
};

class RunHistory : public QWidget {
    Q_OBJECT

public:
    explicit RunHistory(QWidget* parent = nullptr);

    void setRuns(const std::vector<RunRow>& runs, const QList<qint64>& select);
    QList<qint64> selectedRuns() const;
    void select(const QList<qint64>& runIds); // emits selectionChanged
    // The status of the one selected run ("" when not exactly one is selected).
    QString selectedStatus() const;
    // The data-parallel workers a run was trained by (1 for one process or an unknown run).
    int workersOf(qint64 runId) const { return m_workers.value(runId, 1); }
    void showStep(qint64 runId, qint64 step, qint64 totalSteps, double loss);
    void showDetails(const std::vector<store::RunRecord>& runs);

Q_SIGNALS:
    void selectionChanged();

private:
    QTableWidget* m_table;
    QPlainTextEdit* m_details;
    QHash<qint64, int> m_workers;
};

} // namespace cotlab::ui
