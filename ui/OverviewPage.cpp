#include "OverviewPage.h"

#include "WorkspaceSummary.h"
#include "browse/BrowsePlots.h"
#include "common/QCustomPlotInclude.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace cotlab::ui {

OverviewPage::OverviewPage(WorkspaceSummary* summary, QWidget* parent)
    : QWidget(parent), m_summary(summary), m_header(new QLabel), m_table(new QTableView), m_plot(new QCustomPlot)
{
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setText(tr("No workspace open. File > Open Workspace, or File > Open Demo Workspace."));
    QFont headerFont = m_header->font();
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.15);
    m_header->setFont(headerFont);
    m_table->setObjectName("overviewTasks");
    m_table->setModel(m_summary);
    m_table->setSortingEnabled(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_plot->setMinimumHeight(220);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_table);
    splitter->addWidget(m_plot);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(splitter, 1);
}

void OverviewPage::showWorkspace(const QString& path)
{
    m_header->setText(tr("Workspace <b>%1</b> &nbsp; <span style='color:gray'>%2</span>")
                          .arg(QFileInfo(path).fileName().toHtmlEscaped(), path.toHtmlEscaped()));
}

void OverviewPage::showSummary()
{
    m_table->resizeColumnsToContents();
    std::vector<store::RationaleBrowser::Aggregates::TaskAccuracy> tasks;
    for (const auto& t : m_summary->stats())
        if (t.teacherRationales)
            tasks.push_back({t.task, t.teacherRationales, t.teacherCorrect});
    plotTeacherAccuracy(m_plot, tasks);
}

QStringList OverviewPage::selectedTasks() const
{
    QStringList tasks;
    if (!m_table->selectionModel())
        return tasks;
    for (const QModelIndex& row : m_table->selectionModel()->selectedRows())
        if (size_t(row.row()) < m_summary->stats().size())
            tasks << QString::fromStdString(m_summary->stats()[size_t(row.row())].task);
    return tasks;
}

} // namespace cotlab::ui
