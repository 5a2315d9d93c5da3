#pragma once

// The Browse page's table: every rationale of a workspace that matches a filter, a million rows or more, with a
// data() that never waits on SQL. A scan on one worker thread walks the matching rows in sort order and sends
// their ids in chunks: the first 256 at once, so the first rows show while the rest are still counted; rows are
// appended as chunks arrive. Rows are read by id in pages of 256 on a second worker thread when a view first
// asks for them (data() answers with a placeholder meanwhile); the most recently used pages stay cached. A new
// filter or sort starts a new generation: answers for an older one are dropped, its scan is interrupted.
#include "async/WorkspaceThread.h"
#include "store/RationaleBrowser.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <atomic>
#include <vector>

namespace cotlab::ui {

class RationaleTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        Task,
        Split,
        Instance,
        Source,
        Model,
        Sample,
        Answer,
        Gold,
        Correct,
        Length,
        LogProb,
        Rationale,
        ColumnCount
    };
    enum Role {
        RationaleIdRole = Qt::UserRole + 1,
        InstanceIdRole,
        SnippetRole, // the rationale's start or search snippet, matches between store::kMatchStart / kMatchEnd
        LoadedRole,  // false while the row's page is on its way
    };
    static constexpr int kPageSize = 256;

    explicit RationaleTableModel(QObject* parent = nullptr);
    ~RationaleTableModel() override;

    // Shows the workspace's rationales (no filter); "" shows nothing.
    void setWorkspace(const QString& path);
    QString workspace() const { return m_path; }
    void setFilter(const store::RationaleFilter& filter);
    const store::RationaleFilter& filter() const { return m_filter; }
    // Re-reads the rows (after an import or an evaluation added some).
    void refresh();

    // A row as the table shows it, converted to display text on the worker thread so that painting, which asks
    // for a dozen roles of every visible cell, neither converts nor allocates.
    struct TableRow {
        store::BrowseRow data;
        QString text[ColumnCount]; // Qt::DisplayRole
        QString snippet;           // SnippetRole
        QString plain;             // the snippet without match marks (tool tip)
    };

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    void multiData(const QModelIndex& index, QModelRoleDataSpan roleDataSpan) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    bool counting() const { return m_counting; }
    // The row's data when its page is loaded.
    const store::BrowseRow* rowAt(int row) const;
    qint64 rationaleId(int row) const { return row >= 0 && size_t(row) < m_ids.size() ? m_ids[size_t(row)] : 0; }

Q_SIGNALS:
    // The number of matching rows known so far; `final` once the scan has finished.
    void countChanged(qint64 rows, bool final);
    // The first page of a new query is in (for the time-to-first-rows benchmark, milliseconds since the query).
    void firstRowsLoaded(double milliseconds);
    void queryFailed(const QString& message);

private:
    void restart();
    void requestPage(int page) const;
    void onIds(quint64 generation, std::vector<int64_t> ids);
    void onScanFinished(quint64 generation, qint64 total);
    void onPage(quint64 generation, int page, std::vector<TableRow> rows);
    const TableRow* tableRowAt(int row) const;
    QVariant value(const TableRow* row, int rowIndex, int column, int role) const;

    QString m_path;
    store::RationaleFilter m_filter;
    store::BrowseSort m_sort;
    quint64 m_generation = 0;
    std::atomic<quint64> m_latest{0}; // m_generation, for the scan thread
    bool m_counting = false;
    bool m_firstRowsReported = false;
    QElapsedTimer m_queryClock;
    std::vector<int64_t> m_ids;
    // Cached pages (most recently used last) and pages on their way; mutable: data() asks for pages.
    mutable QHash<int, std::vector<TableRow>> m_pages;
    mutable QList<int> m_recent;
    mutable QHash<int, bool> m_requested;
    mutable WorkspaceThread m_pager;
    WorkspaceThread m_scanner;
};

} // namespace cotlab::ui
