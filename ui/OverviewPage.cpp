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
    : QWidget(parent), m_summary(summary), m_header(new QLabel), m_next(new QLabel), m_table(new QTableView),
      m_plot(new QCustomPlot)
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
    m_next->setObjectName("nextSteps");
    m_next->setWordWrap(true);
    m_next->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    connect(m_next, &QLabel::linkActivated, this, &OverviewPage::linkChosen);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(m_next);
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
            tasks.push_back({t.task, t.teacherRationales, t.teacherCorrect, t.teacherJudged});
    plotTeacherAccuracy(m_plot, tasks);
}

void OverviewPage::showNextSteps(bool demo, bool hasRuns)
{
    QString text = tr("<b>What to do next</b> &nbsp; ");
    if (demo && !hasRuns)
        text += tr("<a href='action:demo-experiment'>Run the demo experiment</a> (a few minutes on a laptop CPU): "
                   "the bundled student learns the generated last-letter task with chain of thought and with labels "
                   "only, is evaluated, and a small blind study is set up, so that every page shows real results. "
                   "Or go step by step: ");
    text += tr("<a href='page:browse'>browse</a> the teacher's rationales &rarr; build a training "
               "<a href='page:corpus'>corpus</a> &rarr; <a href='page:train'>train</a> a student &rarr; "
               "<a href='page:evaluate'>evaluate</a> it against the teacher &rarr; judge its rationales in a blind "
               "<a href='page:review'>study</a> &rarr; <a href='page:export'>export</a>. "
               "New data: <a href='action:import'>import files</a> or "
               "<a href='action:sample'>sample from a teacher</a>. Help &gt; User Guide explains each page.");
    m_next->setText(text);
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
