#include "corpus/CorpusComparisonView.h"

#include "common/FormWidgets.h"
#include "common/PlotFrame.h"
#include "common/QCustomPlotInclude.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

// Two bar series side by side: how many instances have 1, 2, ... rationales in corpus A and in corpus B.
void plotComparison(QCustomPlot* plot, const QString& a, const QString& b,
                    const std::map<int64_t, std::pair<int64_t, int64_t>>& histogram)
{
    resetPlot(plot, QObject::tr("Rationales per instance"));
    plot->xAxis->setLabel(QObject::tr("rationales of the instance"));
    plot->yAxis->setLabel(QObject::tr("instances"));
    if (histogram.empty()) {
        plotNotice(plot, QObject::tr("Both corpora are empty"));
        return;
    }
    QVector<double> x, ya, yb;
    double top = 0;
    for (const auto& [n, counts] : histogram) {
        x << double(n);
        ya << double(counts.first);
        yb << double(counts.second);
        top = std::max({top, double(counts.first), double(counts.second)});
    }
    auto* group = new QCPBarsGroup(plot);
    int colour = 0;
    for (const auto& [name, values] : {std::pair{a, ya}, std::pair{b, yb}}) {
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(name);
        bars->setWidth(0.35);
        bars->setBrush(seriesColor(colour));
        bars->setPen(QPen(seriesColor(colour++).darker(130)));
        bars->setData(x, values);
        bars->setBarsGroup(group);
    }
    plot->xAxis->setRange(x.front() - 0.7, x.back() + 0.7);
    plot->yAxis->setRange(0, top * 1.15);
    showLegendBelow(plot);
    plot->replot();
}

QString perInstance(const store::CorpusInfo& c)
{
    return QString::number(double(c.rationales) / double(std::max<int64_t>(1, c.instances)), 'f', 2);
}

QString share(int64_t part, int64_t whole)
{
    return QString::number(100.0 * double(part) / double(std::max<int64_t>(1, whole)), 'f', 1) + "%";
}

} // namespace

CorpusComparisonView::CorpusComparisonView(QWidget* parent)
    : QWidget(parent), m_a(new QComboBox), m_b(new QComboBox),
      m_table(readOnlyTable({tr("Measure"), tr("A"), tr("B")}, "comparison")), m_plot(new QCustomPlot)
{
    m_a->setObjectName("compareA");
    m_b->setObjectName("compareB");
    m_plot->setObjectName("comparisonPlot");
    m_plot->setMinimumHeight(180);
    resetPlot(m_plot, tr("Rationales per instance"));
    plotNotice(m_plot, tr("Choose two saved corpora and Compare: their rationales per instance appear here"));
    auto* compare = new QPushButton(tr("Co&mpare"));
    compare->setObjectName("compare");
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel("A"));
    row->addWidget(m_a, 1);
    row->addWidget(new QLabel("B"));
    row->addWidget(m_b, 1);
    row->addWidget(compare);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Compare two corpora:")));
    layout->addLayout(row);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_plot, 1);
    connect(compare, &QPushButton::clicked, this,
            [this] { Q_EMIT compareRequested(m_a->currentText(), m_b->currentText()); });
}

void CorpusComparisonView::setNames(const QStringList& names)
{
    for (QComboBox* box : {m_a, m_b}) {
        const QString current = box->currentText();
        box->clear();
        box->addItems(names);
        box->setCurrentIndex(std::max(0, box->findText(current)));
    }
    if (m_b->count() > 1 && m_b->currentIndex() == m_a->currentIndex())
        m_b->setCurrentIndex(1);
}

void CorpusComparisonView::choose(const QString& a, const QString& b)
{
    m_a->setCurrentIndex(std::max(0, m_a->findText(a)));
    m_b->setCurrentIndex(std::max(0, m_b->findText(b)));
}

void CorpusComparisonView::show(const corpus::CorpusComparison& c)
{
    const QString a = QString::fromStdString(c.a.name), b = QString::fromStdString(c.b.name);
    const auto& lastA = c.a.steps.back();
    const auto& lastB = c.b.steps.back();
    const QList<QStringList> rows = {
        {tr("Instances"), QLocale().toString(c.a.instances), QLocale().toString(c.b.instances)},
        {tr("Rationales"), QLocale().toString(c.a.rationales), QLocale().toString(c.b.rationales)},
        {tr("Rationales per instance"), perInstance(c.a), perInstance(c.b)},
        {tr("Accuracy"), QString::number(100.0 * lastA.accuracy(), 'f', 1) + "%",
         QString::number(100.0 * lastB.accuracy(), 'f', 1) + "%"},
        {tr("Mean characters"), QString::number(lastA.meanLength(), 'f', 0),
         QString::number(lastB.meanLength(), 'f', 0)},
        {tr("Steps"), QString::number(c.a.steps.size() - 1), QString::number(c.b.steps.size() - 1)},
        {tr("Rationales in both"), QLocale().toString(c.sharedRationales), QLocale().toString(c.sharedRationales)},
        {tr("Share of its rationales also in the other"), share(c.sharedRationales, c.a.rationales),
         share(c.sharedRationales, c.b.rationales)},
        {tr("Instances in both"), QLocale().toString(c.sharedInstances), QLocale().toString(c.sharedInstances)},
    };
    plotComparison(m_plot, a, b, c.perInstance);
    m_table->setRowCount(0);
    m_table->setHorizontalHeaderLabels({tr("Measure"), a, b});
    for (const auto& row : rows) {
        const int r = m_table->rowCount();
        m_table->insertRow(r);
        for (int col = 0; col < 3; ++col) {
            auto* item = new QTableWidgetItem(row[col]);
            if (col > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(r, col, item);
        }
    }
    m_table->resizeColumnsToContents();
}

} // namespace cotlab::ui
