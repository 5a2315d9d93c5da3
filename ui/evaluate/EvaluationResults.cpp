#include "evaluate/EvaluationResults.h"

#include "common/FormWidgets.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

enum Column { Id, Student, Run, TrainedOn, Task, Split, Decoding, Accuracy, N, Status };

QString percent(double fraction)
{
    return QString::number(100 * fraction, 'f', 1);
}

// What the student was trained on, from its run's recipe (its task named when it is not the evaluated one).
QString recipeOf(const std::optional<train::RunRecipe>& recipe, const std::string& evaluatedTask)
{
    if (!recipe)
        return QObject::tr("–");
    return QObject::tr("%1%2 · %3 questions · %4 examples%5")
        .arg(recipe->task == evaluatedTask ? QString() : QString::fromStdString(recipe->task) + " ",
             QString::fromStdString(recipe->templateName))
        .arg(recipe->instancesUsed)
        .arg(recipe->examples)
        .arg(recipe->samplesPerInstance > 0 ? QObject::tr(" · ≤%1 per question").arg(recipe->samplesPerInstance)
                                            : QString());
}

QTableWidgetItem* cell(const QString& text, const QVariant& data = {})
{
    auto* item = new QTableWidgetItem(text);
    if (data.isValid())
        item->setData(Qt::UserRole, data);
    return item;
}

} // namespace

QString decodingOf(const eval::EvaluationRequest& config)
{
    const QString name = QString::fromStdString(config.format ? config.format->title() : std::string("CoT"));
    if (config.samples <= 1)
        return name + QObject::tr(" · greedy");
    return name +
           QObject::tr(" · %1 samples, T %2, majority vote").arg(config.samples).arg(config.temperature, 0, 'g', 3);
}

QString accuracyText(double accuracy, double low, double high)
{
    return QObject::tr("%1 (%2–%3)").arg(percent(accuracy), percent(low), percent(high));
}

EvaluationResults::EvaluationResults(QWidget* parent)
    : QWidget(parent),
      m_table(readOnlyTable({tr("ID"), tr("Student"), tr("Run"), tr("Trained on"), tr("Task"), tr("Split"),
                             tr("Decoding"), tr("Accuracy % (95% Wilson CI)"), tr("n"), tr("Status")},
                            "results")),
      m_contrast(new QLabel)
{
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setToolTip(tr("Select one evaluation to see its questions; select several to compare them in the plots"));
    m_contrast->setObjectName("contrast");
    m_contrast->setWordWrap(true);
    m_contrast->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_contrast->hide();
    auto* browse = new QPushButton(tr("Show Rationales in &Browse"));
    browse->setObjectName("browseRationales");
    browse->setToolTip(tr("The selected student's generated rationales on the Browse page (source student, model "
                          "the student's name)"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const auto rows = m_table->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            Q_EMIT browseRequested(m_table->item(rows.first().row(), Student)->text());
    });
    auto* exportSheet = new QPushButton(tr("Export &Spreadsheet…"));
    exportSheet->setObjectName("exportEvaluation");
    exportSheet->setToolTip(tr("The selected evaluation as XLSX or CSV: Summary, Items (student and teacher side by "
                               "side), Labels and Agreement of the human evaluation studies that judged it"));
    connect(exportSheet, &QPushButton::clicked, this, [this] {
        const auto ids = selectedIds();
        Q_EMIT exportRequested(ids.size() == 1 ? ids.front() : 0);
    });
    auto* row = new QHBoxLayout;
    row->addWidget(m_contrast, 1);
    row->addWidget(browse, 0, Qt::AlignTop);
    row->addWidget(exportSheet, 0, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addLayout(row);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &EvaluationResults::selectionChanged);
}

void EvaluationResults::setRows(const std::vector<EvaluationRow>& rows, const QList<qint64>& select)
{
    {
        const QSignalBlocker block(m_table);
        m_table->setRowCount(0);
        for (const auto& r : rows) {
            const auto& e = r.record;
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            m_table->setItem(row, Id, cell(QString::number(e.id), qint64(e.id)));
            m_table->setItem(row, Student, cell(QString::fromStdString(e.name)));
            m_table->setItem(row, Run, cell(e.runId ? QString::number(*e.runId) : tr("–")));
            m_table->setItem(row, TrainedOn, cell(recipeOf(r.recipe, e.task)));
            m_table->setItem(row, Task, cell(QString::fromStdString(e.task)));
            m_table->setItem(row, Split, cell(QString::fromStdString(e.split)));
            m_table->setItem(row, Decoding, cell(decodingOf(r.config)));
            m_table->setItem(
                row, Accuracy,
                cell(e.accuracy ? accuracyText(e.accuracy->estimate, e.accuracy->low, e.accuracy->high) : tr("–")));
            m_table->setItem(
                row, N,
                cell(e.done == e.items ? QString::number(e.done) : QString("%1 / %2").arg(e.done).arg(e.items)));
            const QString status = QString::fromStdString(e.status);
            m_table->setItem(
                row, Status,
                cell(r.cutAtLimit == 0
                         ? status
                         : tr("%1 · %2 cut at %3 tokens").arg(status).arg(r.cutAtLimit).arg(r.config.maxNewTokens)));
            const QString tip = QString::fromStdString(e.modelPath) +
                                (e.message ? "\n" + QString::fromStdString(*e.message) : QString());
            for (int c = 0; c < m_table->columnCount(); ++c)
                m_table->item(row, c)->setToolTip(tip);
        }
        m_table->resizeColumnsToContents();
    }
    this->select(select);
}

QList<qint64> EvaluationResults::selectedIds() const
{
    QList<qint64> ids;
    if (m_table->selectionModel())
        for (const auto& index : m_table->selectionModel()->selectedRows())
            ids << m_table->item(index.row(), Id)->data(Qt::UserRole).toLongLong();
    return ids;
}

void EvaluationResults::select(const QList<qint64>& ids)
{
    {
        const QSignalBlocker block(m_table);
        m_table->clearSelection();
        for (int row = 0; row < m_table->rowCount(); ++row)
            if (ids.contains(m_table->item(row, Id)->data(Qt::UserRole).toLongLong()))
                m_table->selectionModel()->select(m_table->model()->index(row, 0),
                                                  QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    Q_EMIT selectionChanged();
}

QString EvaluationResults::selectedStatus() const
{
    const auto rows = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList();
    return rows.size() == 1 ? m_table->item(rows.front().row(), Status)->text() : QString();
}

void EvaluationResults::showProgress(qint64 evaluationId, qint64 done, const QString& accuracy)
{
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (m_table->item(row, Id)->data(Qt::UserRole).toLongLong() == evaluationId) {
            m_table->item(row, Accuracy)->setText(accuracy);
            m_table->item(row, N)->setText(QString::number(done));
        }
}

void EvaluationResults::setContrast(const QString& text)
{
    m_contrast->setText(text);
    m_contrast->setVisible(!text.isEmpty());
}

} // namespace cotlab::ui
