#pragma once

#include "store/StatsRepository.h"

#include <QStandardItemModel>
#include <vector>

namespace cotlab::ui {

// Per-task counts of a workspace as a table model, computed on a worker thread with its own connection.
// A reload that is overtaken by a newer one is dropped.
class WorkspaceSummary : public QStandardItemModel {
    Q_OBJECT

public:
    explicit WorkspaceSummary(QObject* parent = nullptr);
    void reload(const QString& workspacePath);
    const std::vector<store::TaskStats>& stats() const { return m_stats; }

Q_SIGNALS:
    void loaded(qint64 tasks, qint64 instances, qint64 teacherRationales, qint64 otherRationales);
    void failed(const QString& message);

private:
    void apply(const std::vector<store::TaskStats>& stats);

    std::vector<store::TaskStats> m_stats;
    quint64 m_generation = 0;
};

} // namespace cotlab::ui
