#include "corpus/CorpusPreview.h"

#include "browse/BrowsePlots.h"
#include "common/QCustomPlotInclude.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <map>

namespace cotlab::ui {

namespace {

QTableWidgetItem* number(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

CorpusPreview::CorpusPreview(QWidget* parent)
    : QWidget(parent), m_status(new QLabel), m_drift(new QLabel),
      m_saveRebuild(new QPushButton(tr("Save Rebuild As…"))), m_table(new QTableWidget(0, 6)), m_plot(new QCustomPlot),
      m_removed(new QTextBrowser), m_tabs(new QTabWidget)
{
    m_status->setObjectName("previewStatus");
    m_table->setObjectName("preview");
    m_table->setHorizontalHeaderLabels(
        {tr("After step"), tr("Instances"), tr("Rationales"), tr("Removed"), tr("Accuracy"), tr("Mean chars")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_plot->setMinimumHeight(200);
    m_removed->setObjectName("removed");
    m_tabs->addTab(m_plot, tr("Rationales per instance"));
    m_tabs->addTab(m_removed, tr("Removed by the selected step"));
    auto* box = new QGroupBox(tr("Preview: what is left after each step"));
    auto* boxLayout = new QVBoxLayout(box);
    boxLayout->addWidget(m_status);
    m_drift->setObjectName("drift");
    m_drift->setWordWrap(true);
    m_saveRebuild->setObjectName("saveRebuild");
    m_saveRebuild->setToolTip(tr("Save what the recipe selects from today's store as a new corpus; the saved corpus "
                                 "keeps its rationales"));
    auto* driftRow = new QHBoxLayout;
    driftRow->addWidget(m_drift, 1);
    driftRow->addWidget(m_saveRebuild, 0, Qt::AlignTop);
    boxLayout->addLayout(driftRow);
    showDrift({}, false);
    connect(m_saveRebuild, &QPushButton::clicked, this, &CorpusPreview::saveRebuildRequested);
    boxLayout->addWidget(m_table, 1);
    boxLayout->addWidget(m_tabs, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(box);
    connect(m_table, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row > 0)
            Q_EMIT stepChosen(row);
    });
}

void CorpusPreview::setStatus(const QString& text)
{
    m_status->setText(text);
}

void CorpusPreview::showDrift(const QString& text, bool differs)
{
    m_drift->setText(text);
    m_drift->setVisible(!text.isEmpty());
    m_drift->setStyleSheet(differs ? "color: #8a5a00;" : QString());
    m_saveRebuild->setVisible(differs);
}

void CorpusPreview::show(const store::BuiltCorpus& built, const QStringList& sources)
{
    m_removedIds = built.removed;
    m_removed->setHtml("<p style='color:gray'>" + tr("Select a step in the table to see what it removed.") + "</p>");
    const QSignalBlocker block(m_table);
    m_table->setRowCount(0);
    for (size_t k = 0; k < built.steps.size(); ++k) {
        const auto& s = built.steps[k];
        const int r = m_table->rowCount();
        m_table->insertRow(r);
        const QString name = k == 0 ? tr("(the store: %1)").arg(sources.join(", "))
                                    : QString("%1. %2").arg(k).arg(QString::fromStdString(s.step));
        m_table->setItem(r, 0, number(name));
        m_table->item(r, 0)->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        m_table->setItem(r, 1, number(QLocale().toString(s.instances)));
        m_table->setItem(r, 2, number(QLocale().toString(s.rationales)));
        m_table->setItem(r, 3,
                         number(k == 0 ? QString() : QLocale().toString(built.steps[k - 1].rationales - s.rationales)));
        m_table->setItem(r, 4, number(s.judged ? QString::number(100.0 * s.accuracy(), 'f', 1) + "%" : QString()));
        m_table->setItem(r, 5, number(QString::number(s.meanLength(), 'f', 0)));
    }
    m_table->resizeColumnsToContents();
    std::map<int64_t, int64_t> perInstance;
    for (const auto& m : built.members)
        ++perInstance[m.instanceId];
    std::vector<int64_t> counts;
    for (const auto& [id, n] : perInstance)
        counts.push_back(n);
    plotSamplesPerInstance(m_plot, counts);
    setStatus(
        tr("%1 rationales of %2 instances would be in the corpus.")
            .arg(QLocale().toString(built.steps.back().rationales), QLocale().toString(built.steps.back().instances)));
}

const std::vector<int64_t>* CorpusPreview::removedBy(int step) const
{
    return step >= 1 && size_t(step) <= m_removedIds.size() ? &m_removedIds[size_t(step - 1)] : nullptr;
}

void CorpusPreview::showRemoved(int step, const QString& html)
{
    m_tabs->setCurrentWidget(m_removed);
    {
        const QSignalBlocker block(m_table);
        m_table->selectRow(step);
    }
    m_removed->setHtml(html);
}

QString CorpusPreview::removedText() const
{
    return m_removed->toPlainText();
}

} // namespace cotlab::ui
