#include "browse/RationaleTableModel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace cotlab::ui {

namespace {

constexpr int kCachedPages = 64;
constexpr int kPageTask = 1;
constexpr size_t kMaxQueuedPages = 6; // while scrolling fast, pages scrolled past are dropped

store::BrowseColumn sortColumnOf(int column)
{
    using C = RationaleTableModel;
    using B = store::BrowseColumn;
    switch (column) {
    case C::Task:
        return B::Task;
    case C::Split:
        return B::Split;
    case C::Instance:
        return B::Instance;
    case C::Source:
        return B::Source;
    case C::Model:
        return B::Model;
    case C::Sample:
        return B::Sample;
    case C::Answer:
        return B::Answer;
    case C::Gold:
        return B::Gold;
    case C::Correct:
        return B::Correct;
    case C::Length:
        return B::Length;
    case C::LogProb:
        return B::LogProb;
    default:
        return B::Id;
    }
}

QString plainSnippet(const std::string& snippet)
{
    QString s = QString::fromStdString(snippet);
    s.remove(QChar(store::kMatchStart));
    s.remove(QChar(store::kMatchEnd));
    return s;
}

std::vector<RationaleTableModel::TableRow> toTableRows(std::vector<store::BrowseRow>&& rows)
{
    std::vector<RationaleTableModel::TableRow> out(rows.size());
    for (size_t k = 0; k < rows.size(); ++k) {
        auto& t = out[k];
        t.data = std::move(rows[k]);
        const store::BrowseRow& r = t.data;
        using C = RationaleTableModel;
        t.text[C::Task] = QString::fromStdString(r.task);
        t.text[C::Split] = QString::fromStdString(r.split);
        t.text[C::Instance] = QString::fromStdString(r.instance);
        t.text[C::Source] = QString::fromStdString(r.source);
        t.text[C::Model] = QString::fromStdString(r.model);
        t.text[C::Sample] = QString::number(r.sample);
        t.text[C::Answer] = r.answer ? QString::fromStdString(*r.answer) : QString();
        t.text[C::Gold] = QString::fromStdString(r.gold);
        t.text[C::Correct] = !r.correct ? QString() : *r.correct ? QObject::tr("✓ yes") : QObject::tr("✗ no");
        t.text[C::Length] = QString::number(r.length);
        t.text[C::LogProb] = r.logprob ? QString::number(*r.logprob, 'f', 2) : QString();
        t.snippet = QString::fromStdString(r.snippet);
        t.plain = plainSnippet(r.snippet);
        t.text[C::Rationale] = t.plain.left(200).simplified(); // the delegate paints the snippet itself
    }
    return out;
}

} // namespace

RationaleTableModel::RationaleTableModel(QObject* parent) : QAbstractTableModel(parent) {}

RationaleTableModel::~RationaleTableModel()
{
    m_scanner.cancelAll();
    m_pager.cancelAll();
}

void RationaleTableModel::setWorkspace(const QString& path)
{
    m_path = path;
    m_scanner.setWorkspace(path.toStdString());
    m_pager.setWorkspace(path.toStdString());
    m_filter = {};
    restart();
}

void RationaleTableModel::setFilter(const store::RationaleFilter& filter)
{
    m_filter = filter;
    restart();
}

void RationaleTableModel::refresh()
{
    restart();
}

void RationaleTableModel::sort(int column, Qt::SortOrder order)
{
    const store::BrowseSort sort{sortColumnOf(column), order == Qt::DescendingOrder};
    if (sort == m_sort)
        return;
    m_sort = sort;
    restart();
}

void RationaleTableModel::restart()
{
    const quint64 generation = ++m_generation;
    m_scanner.cancelAll();
    beginResetModel();
    m_ids.clear();
    m_pages.clear();
    m_recent.clear();
    m_requested.clear();
    endResetModel();
    m_firstRowsReported = false;
    m_queryClock.start();
    if (m_path.isEmpty()) {
        m_counting = false;
        Q_EMIT countChanged(0, true);
        return;
    }
    m_counting = true;
    Q_EMIT countChanged(0, false);
    const store::RationaleFilter filter = m_filter;
    const store::BrowseSort sort = m_sort;
    m_latest = generation;
    auto failed = [this, generation](const std::string& message) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, m = QString::fromStdString(message)] {
                if (generation != m_generation)
                    return; // an older query, interrupted on purpose
                m_counting = false;
                Q_EMIT countChanged(qint64(m_ids.size()), true);
                Q_EMIT queryFailed(m);
            },
            Qt::QueuedConnection);
    };
    m_scanner.post(
        [this, generation, filter, sort](store::Database& db) {
            store::RationaleBrowser browser(db, filter, sort);
            const auto total = browser.scan(kPageSize, 16384, [&](std::vector<int64_t>&& ids) {
                if (m_latest != generation)
                    return false; // a newer query: stop at this chunk
                QMetaObject::invokeMethod(
                    this, [this, generation, ids = std::move(ids)]() mutable { onIds(generation, std::move(ids)); },
                    Qt::QueuedConnection);
                return true;
            });
            if (total)
                QMetaObject::invokeMethod(
                    this, [this, generation, n = *total] { onScanFinished(generation, n); }, Qt::QueuedConnection);
        },
        taskOptions(std::move(failed)));
}

void RationaleTableModel::onIds(quint64 generation, std::vector<int64_t> ids)
{
    if (generation != m_generation || ids.empty())
        return;
    const int first = int(m_ids.size());
    beginInsertRows({}, first, first + int(ids.size()) - 1);
    m_ids.insert(m_ids.end(), ids.begin(), ids.end());
    endInsertRows();
    if (first == 0)
        requestPage(0);
    Q_EMIT countChanged(qint64(m_ids.size()), false);
}

void RationaleTableModel::onScanFinished(quint64 generation, qint64 total)
{
    if (generation != m_generation)
        return;
    m_counting = false;
    Q_EMIT countChanged(total, true);
}

void RationaleTableModel::requestPage(int page) const
{
    if (m_requested.contains(page))
        return;
    m_requested.insert(page, true);
    const size_t begin = size_t(page) * kPageSize;
    const size_t end = std::min(m_ids.size(), begin + kPageSize);
    std::vector<int64_t> ids(m_ids.begin() + long(begin), m_ids.begin() + long(end));
    const quint64 generation = m_generation;
    const store::RationaleFilter filter = m_filter;
    auto* self = const_cast<RationaleTableModel*>(this);
    WorkspaceThread::Options options;
    options.urgent = true; // the page a view shows now goes before pages it scrolled past
    options.kind = kPageTask;
    options.maxQueued = kMaxQueuedPages;
    options.dropped = [self, generation, page] {
        QMetaObject::invokeMethod(
            self,
            [self, generation, page] {
                if (generation == self->m_generation)
                    self->m_requested.remove(page);
            },
            Qt::QueuedConnection);
    };
    options.failed = [self, generation, page](const std::string& message) {
        QMetaObject::invokeMethod(
            self,
            [self, generation, page, m = QString::fromStdString(message)] {
                if (generation != self->m_generation)
                    return;
                self->m_requested.remove(page);
                Q_EMIT self->queryFailed(m);
            },
            Qt::QueuedConnection);
    };
    m_pager.post(
        [self, generation, page, ids = std::move(ids), filter](store::Database& db) {
            auto rows = toTableRows(store::RationaleBrowser(db, filter, {}).rows(ids));
            QMetaObject::invokeMethod(
                self,
                [self, generation, page, rows = std::move(rows)]() mutable {
                    self->onPage(generation, page, std::move(rows));
                },
                Qt::QueuedConnection);
        },
        std::move(options));
}

void RationaleTableModel::onPage(quint64 generation, int page, std::vector<TableRow> rows)
{
    if (generation != m_generation)
        return;
    m_requested.remove(page);
    // Rows deleted since the scan are missing from the page: keep it aligned with the ids.
    const size_t begin = size_t(page) * kPageSize;
    const size_t end = std::min(m_ids.size(), begin + kPageSize);
    if (rows.size() != end - begin) {
        std::vector<TableRow> aligned(end - begin);
        size_t r = 0;
        for (size_t k = begin; k < end; ++k)
            if (r < rows.size() && rows[r].data.id == m_ids[k]) {
                aligned[k - begin] = std::move(rows[r++]);
            } else {
                aligned[k - begin].data.id = m_ids[k];
                aligned[k - begin].text[Rationale] = aligned[k - begin].plain = tr("(deleted since the list was read)");
            }
        rows = std::move(aligned);
    }
    m_pages.insert(page, std::move(rows));
    m_recent.removeAll(page);
    m_recent.append(page);
    while (m_recent.size() > kCachedPages)
        m_pages.remove(m_recent.takeFirst());
    Q_EMIT dataChanged(index(int(begin), 0), index(int(end) - 1, ColumnCount - 1));
    if (!m_firstRowsReported) {
        m_firstRowsReported = true;
        Q_EMIT firstRowsLoaded(double(m_queryClock.nsecsElapsed()) / 1e6);
    }
}

const RationaleTableModel::TableRow* RationaleTableModel::tableRowAt(int row) const
{
    if (row < 0 || size_t(row) >= m_ids.size())
        return nullptr;
    const int page = row / kPageSize;
    const auto it = m_pages.constFind(page);
    if (it == m_pages.constEnd()) {
        requestPage(page);
        return nullptr;
    }
    const size_t k = size_t(row % kPageSize);
    return k < it->size() ? &(*it)[k] : nullptr;
}

const store::BrowseRow* RationaleTableModel::rowAt(int row) const
{
    const TableRow* t = tableRowAt(row);
    return t ? &t->data : nullptr;
}

int RationaleTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int RationaleTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RationaleTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    return value(tableRowAt(index.row()), index.row(), index.column(), role);
}

void RationaleTableModel::multiData(const QModelIndex& index, QModelRoleDataSpan roleDataSpan) const
{
    const TableRow* row = index.isValid() && index.row() < rowCount() ? tableRowAt(index.row()) : nullptr;
    for (QModelRoleData& roleData : roleDataSpan)
        roleData.setData(index.isValid() && index.row() < rowCount()
                             ? value(row, index.row(), index.column(), roleData.role())
                             : QVariant());
}

QVariant RationaleTableModel::value(const TableRow* row, int rowIndex, int column, int role) const
{
    if (role == RationaleIdRole)
        return QVariant::fromValue(qint64(m_ids[size_t(rowIndex)]));
    if (role == LoadedRole)
        return row != nullptr;
    if (!row)
        return role == Qt::DisplayRole && column == Task ? QVariant(QStringLiteral("…")) : QVariant();
    switch (role) {
    case Qt::DisplayRole:
        return column >= 0 && column < ColumnCount ? row->text[column] : QVariant();
    case InstanceIdRole:
        return QVariant::fromValue(qint64(row->data.instanceId));
    case SnippetRole:
        return row->snippet;
    case Qt::ToolTipRole:
        return column == Rationale ? QVariant(row->plain) : QVariant();
    case Qt::TextAlignmentRole:
        if (column == Sample || column == Length || column == LogProb)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (column == Correct && row->data.correct)
            return QBrush(*row->data.correct ? QColor(30, 130, 60) : QColor(190, 40, 40));
        break;
    }
    return {};
}

QVariant RationaleTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
    if (role == Qt::ToolTipRole && section == Length)
        return tr("Characters of the rationale");
    if (role == Qt::ToolTipRole && section == LogProb)
        return tr("Sum of the rationale's token log-probabilities under the model that wrote it, when known");
    if (role != Qt::DisplayRole)
        return {};
    static const char* names[] = {QT_TR_NOOP("Task"),   QT_TR_NOOP("Split"),    QT_TR_NOOP("Instance"),
                                  QT_TR_NOOP("Source"), QT_TR_NOOP("Model"),    QT_TR_NOOP("Sample"),
                                  QT_TR_NOOP("Answer"), QT_TR_NOOP("Gold"),     QT_TR_NOOP("Correct"),
                                  QT_TR_NOOP("Length"), QT_TR_NOOP("Log-prob"), QT_TR_NOOP("Rationale")};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace cotlab::ui
