#include "review/StudyResults.h"

#include "common/FormWidgets.h"
#include "common/PlotFiles.h"
#include "common/QCustomPlotInclude.h"
#include "review/ReviewPlots.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

void setRow(QTableWidget* t, int row, const QStringList& cells)
{
    for (int c = 0; c < cells.size(); ++c)
        t->setItem(row, c, new QTableWidgetItem(cells[c]));
}

QString percentWithInterval(const review::MeanInterval& m)
{
    if (m.n == 0)
        return QObject::tr("– (no labels yet)");
    return QString("%1% [%2, %3] (n = %4)")
        .arg(100 * m.mean, 0, 'f', 1)
        .arg(100 * m.low, 0, 'f', 1)
        .arg(100 * m.high, 0, 'f', 1)
        .arg(m.n);
}

QString number(const std::optional<double>& value)
{
    return value ? QString::number(*value, 'f', 3) : QObject::tr("n/a");
}

QString joined(const std::vector<std::string>& parts)
{
    QStringList out;
    for (const auto& p : parts)
        out << fromStd(p);
    return out.join(", ");
}

} // namespace

StudyResults::StudyResults(std::function<QString()> folder, std::function<void(const QString&, bool)> report,
                           QWidget* parent)
    : QWidget(parent), m_title(new QLabel),
      m_annotators(
          readOnlyTable({tr("Annotator"), tr("Complete items"), tr("Labels"), tr("Resumes at item")}, "annotators")),
      m_results(
          readOnlyTable({tr("Criterion"), tr("A preferred"), tr("Tie"), tr("B preferred"), tr("Items")}, "results")),
      m_agreement(readOnlyTable({tr("Criterion"), tr("Items"), tr("Observed agreement"), tr("Fleiss' kappa"),
                                 tr("Krippendorff's alpha (nominal)"), tr("Krippendorff's alpha (ordinal)"),
                                 tr("Cohen's kappa per pair")},
                                "agreement")),
      m_resultsPlot(new QCustomPlot), m_agreementPlot(new QCustomPlot)
{
    m_title->setObjectName("studyTitle");
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::RichText);
    for (QCustomPlot* p : {m_resultsPlot, m_agreementPlot})
        p->setMinimumHeight(240);
    m_resultsPlot->setObjectName("resultsPlot");
    m_agreementPlot->setObjectName("agreementPlot");
    auto tab = [&](QTableWidget* t, QCustomPlot* p, const QString& name) {
        auto* split = new QSplitter(Qt::Vertical);
        split->addWidget(t);
        auto* plotBox = new QWidget;
        auto* plotLayout = new QVBoxLayout(plotBox);
        plotLayout->setContentsMargins(0, 0, 0, 0);
        plotLayout->addWidget(p, 1);
        auto* row = new QHBoxLayout;
        row->addStretch();
        row->addWidget(savePlotButton(p, name, folder, report));
        plotLayout->addLayout(row);
        split->addWidget(plotBox);
        split->setStretchFactor(1, 2);
        return split;
    };
    auto* tabs = new QTabWidget;
    tabs->setObjectName("reviewTabs");
    tabs->addTab(tab(m_results, m_resultsPlot, "study-results"), tr("Results"));
    tabs->addTab(tab(m_agreement, m_agreementPlot, "study-agreement"), tr("Agreement"));
    tabs->addTab(m_annotators, tr("Annotators"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(tabs, 1);
}

void StudyResults::clear(bool noStudies)
{
    m_title->setText(!noStudies ? QString()
                                : tr("<h3>No studies yet</h3><p>A study asks people to judge rationales: a student's "
                                     "against the teacher's, blind, or one at a time on criteria such as fluency and "
                                     "factual correctness. Press <b>New Study…</b> to sample one.</p>"));
    m_results->setRowCount(0);
    m_agreement->setRowCount(0);
    m_annotators->setRowCount(0);
}

void StudyResults::show(const review::StudyReport& report)
{
    showTitle(report);
    m_annotators->setRowCount(int(report.annotators.size()));
    for (int i = 0; i < int(report.annotators.size()); ++i) {
        const auto& a = report.annotators[size_t(i)];
        setRow(m_annotators, i,
               {fromStd(a.name), QString("%1 of %2").arg(a.complete).arg(report.items), QString::number(a.labels),
                QString::number(a.position + 1)});
    }
    showResults(report);
    showAgreement(report);
    plotStudyResults(m_resultsPlot, report);
    plotStudyAgreement(m_agreementPlot, report);
}

void StudyResults::showTitle(const review::StudyReport& report)
{
    const auto& spec = report.spec;
    const bool pairwise = spec.mode == review::Mode::Pairwise;
    QStringList sources;
    for (size_t s = 0; s < spec.sources.size(); ++s)
        sources << (pairwise ? QString(s == 0 ? "A: " : "B: ") : QString()) + fromStd(spec.sources[s].label());
    QStringList criteria;
    for (const auto& c : spec.criteria)
        criteria << fromStd(c.key) + " (" + review::scaleName(c.scale) + ")";
    m_title->setText(tr("<h3 style='margin:0'>%1</h3><p style='margin:2px 0'>%2 · %3 · %4 items from %5%6%7 · seed %8%9"
                        "</p><p style='margin:2px 0;color:gray'>Criteria: %10</p>")
                         .arg(fromStd(report.study.name).toHtmlEscaped(),
                              pairwise ? tr("blind pairwise") : tr("one rationale at a time"),
                              sources.join(pairwise ? " vs " : ", ").toHtmlEscaped())
                         .arg(report.items)
                         .arg(spec.tasks.empty() ? tr("all tasks") : joined(spec.tasks),
                              spec.split.empty() ? QString() : tr(", split %1").arg(fromStd(spec.split)),
                              spec.stratifyByTask || spec.stratifyByCorrectness ? tr(", stratified") : QString())
                         .arg(spec.seed)
                         .arg(spec.hideGold ? tr(" · gold hidden") : QString(), criteria.join(", ")));
}

void StudyResults::showResults(const review::StudyReport& report)
{
    const auto& spec = report.spec;
    if (spec.mode == review::Mode::Pairwise) {
        m_results->setColumnCount(5);
        m_results->setHorizontalHeaderLabels(
            {tr("Criterion"), fromStd(spec.sources[0].label()) + tr(" preferred [95% Wilson CI]"),
             tr("Tie [95% Wilson CI]"), fromStd(spec.sources[1].label()) + tr(" preferred [95% Wilson CI]"),
             tr("Items labelled")});
        m_results->setRowCount(int(report.preferences.size()));
        for (int i = 0; i < int(report.preferences.size()); ++i) {
            const auto& p = report.preferences[size_t(i)];
            setRow(m_results, i,
                   {fromStd(p.criterion), percentWithInterval(p.aWins), percentWithInterval(p.ties),
                    percentWithInterval(p.bWins), QString::number(p.aWins.n)});
        }
    } else {
        m_results->setColumnCount(4);
        m_results->setHorizontalHeaderLabels(
            {tr("Criterion"), tr("Source"), tr("Mean [95% CI, method]"), tr("Items labelled")});
        m_results->setRowCount(int(report.ratings.size()));
        for (int i = 0; i < int(report.ratings.size()); ++i) {
            const auto& r = report.ratings[size_t(i)];
            setRow(m_results, i,
                   {fromStd(r.criterion), fromStd(r.source),
                    QString("%1 [%2, %3], %4")
                        .arg(r.rating.mean, 0, 'f', 2)
                        .arg(r.rating.low, 0, 'f', 2)
                        .arg(r.rating.high, 0, 'f', 2)
                        .arg(fromStd(r.rating.method)),
                    QString::number(r.rating.n)});
        }
    }
    m_results->resizeColumnsToContents();
}

void StudyResults::showAgreement(const review::StudyReport& report)
{
    m_agreement->setRowCount(int(report.agreement.size()));
    for (int i = 0; i < int(report.agreement.size()); ++i) {
        const auto& a = report.agreement[size_t(i)];
        QStringList pairs;
        for (const auto& p : a.cohen)
            pairs << QString("%1/%2 %3").arg(fromStd(p.first), fromStd(p.second), number(p.kappa));
        setRow(m_agreement, i,
               {fromStd(a.criterion), QString::number(a.items),
                a.observed ? QString("%1%").arg(100 * *a.observed, 0, 'f', 1) : tr("n/a"), number(a.fleiss),
                number(a.alphaNominal), number(a.alphaOrdinal),
                pairs.isEmpty() ? tr("needs two annotators") : pairs.join("; ")});
    }
    m_agreement->resizeColumnsToContents();
}

QCustomPlot* StudyResults::plot(const QString& name) const
{
    return name == "agreement" ? m_agreementPlot : m_resultsPlot;
}

} // namespace cotlab::ui
