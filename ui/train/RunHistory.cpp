#include "train/RunHistory.h"

#include "common/FormWidgets.h"
#include "train/RunRecipe.h"

#include <QDateTime>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

enum Column { Id, Name, Status, Steps, LastLoss, Method, Started };

QString steps(int64_t step, int64_t total)
{
    return QString("%1 / %2").arg(step).arg(total);
}

// A recorded JSON object as "name: value" lines, names in words ("max_length" -> "max length"), nested objects
// indented under their name; lists joined by commas.
QString readableSettings(const QJsonObject& object, int depth = 1)
{
    auto valueText = [](const QJsonValue& v) -> QString {
        if (v.isBool())
            return v.toBool() ? QObject::tr("yes") : QObject::tr("no");
        if (v.isDouble())
            return QString::number(v.toDouble(), 'g', 8);
        if (v.isString())
            return v.toString().isEmpty() ? QObject::tr("(none)") : v.toString();
        if (v.isArray()) {
            QStringList items;
            for (const QJsonValue& item : v.toArray())
                items << (item.isDouble() ? QString::number(item.toDouble(), 'g', 8) : item.toVariant().toString());
            return items.isEmpty() ? QObject::tr("(none)") : items.join(", ");
        }
        return v.isNull() ? QObject::tr("(none)") : QString();
    };
    QString out;
    const QString indent(depth * 2, ' ');
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == "template_definition")
            continue; // the prompt format's Jinja templates: its name ("template") says which it is
        const QString name = QString(it.key()).replace('_', ' ');
        if (it.value().isObject())
            out += indent + name + ":\n" + readableSettings(it.value().toObject(), depth + 1);
        else
            out += indent + name + ": " + valueText(it.value()) + "\n";
    }
    return out;
}

QString readableSettings(const std::string& json)
{
    return readableSettings(QJsonDocument::fromJson(QByteArray::fromStdString(json)).object());
}

} // namespace

RunHistory::RunHistory(QWidget* parent)
    : QWidget(parent), m_table(new QTableWidget(0, 7)), m_details(new QPlainTextEdit)
{
    m_table->setObjectName("history");
    m_table->setHorizontalHeaderLabels(
        {tr("Run"), tr("Name"), tr("Status"), tr("Steps"), tr("Last loss"), tr("Method"), tr("Started")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("Select one run to see its recipe and curves, several to overlay their losses"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("The selected run's configuration and recipe"));
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &RunHistory::selectionChanged);
}

void RunHistory::setRuns(const std::vector<RunRow>& runs, const QList<qint64>& select)
{
    {
        const QSignalBlocker block(m_table);
        m_table->setRowCount(0);
        for (const auto& [r, lastLoss] : runs) {
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            auto* id = new QTableWidgetItem(QString::number(r.id));
            id->setData(Qt::UserRole, qint64(r.id));
            m_table->setItem(row, Id, id);
            m_table->setItem(row, Name, new QTableWidgetItem(QString::fromStdString(r.name)));
            m_table->setItem(row, Status, new QTableWidgetItem(QString::fromStdString(r.status)));
            m_table->setItem(row, Steps, new QTableWidgetItem(steps(r.step, r.totalSteps)));
            m_table->setItem(row, LastLoss,
                             new QTableWidgetItem(lastLoss ? QString::number(*lastLoss, 'f', 4) : QString("–")));
            const auto recipe = train::RunRecipe::fromJson(r.recipeJson);
            m_workers[r.id] = int(recipe.worldSize);
            QString method = QString::fromStdString(recipe.method);
            if (recipe.worldSize > 1)
                method += tr(", %1 processes").arg(recipe.worldSize);
            m_table->setItem(row, Method, new QTableWidgetItem(method));
            m_table->setItem(row, Started, new QTableWidgetItem(localTime(r.createdAt)));
            if (r.message)
                for (int c = 0; c < m_table->columnCount(); ++c)
                    m_table->item(row, c)->setToolTip(QString::fromStdString(*r.message));
        }
        m_table->resizeColumnsToContents();
    }
    this->select(select);
}

QList<qint64> RunHistory::selectedRuns() const
{
    QList<qint64> ids;
    if (m_table->selectionModel())
        for (const auto& index : m_table->selectionModel()->selectedRows())
            ids << m_table->item(index.row(), Id)->data(Qt::UserRole).toLongLong();
    return ids;
}

void RunHistory::select(const QList<qint64>& runIds)
{
    {
        const QSignalBlocker block(m_table);
        m_table->clearSelection();
        for (int row = 0; row < m_table->rowCount(); ++row)
            if (runIds.contains(m_table->item(row, Id)->data(Qt::UserRole).toLongLong()))
                m_table->selectionModel()->select(m_table->model()->index(row, 0),
                                                  QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    Q_EMIT selectionChanged();
}

QString RunHistory::selectedStatus() const
{
    const auto rows = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList();
    return rows.size() == 1 ? m_table->item(rows.front().row(), Status)->text() : QString();
}

void RunHistory::showStep(qint64 runId, qint64 step, qint64 totalSteps, double loss)
{
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (m_table->item(row, Id)->data(Qt::UserRole).toLongLong() == runId) {
            m_table->item(row, Steps)->setText(steps(step, totalSteps));
            m_table->item(row, LastLoss)->setText(QString::number(loss, 'f', 4));
            m_table->resizeColumnToContents(Steps);
        }
}

void RunHistory::showDetails(const std::vector<store::RunRecord>& runs)
{
    QString details;
    for (const auto& run : runs) {
        details += QString("Run %1 — %2 (%3)\n")
                       .arg(run.id)
                       .arg(QString::fromStdString(run.name), QString::fromStdString(run.status));
        if (run.message)
            details += QString::fromStdString(*run.message) + "\n";
        details += tr("Data and student:\n") + readableSettings(run.recipeJson);
        details += tr("Optimisation:\n") + readableSettings(run.configJson) + "\n";
    }
    m_details->setPlainText(details);
}

} // namespace cotlab::ui
