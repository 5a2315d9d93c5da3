#include "review/ReviewPlots.h"

#include "common/FormWidgets.h"
#include "common/PlotFrame.h"
#include "common/QCustomPlotInclude.h"

#include <optional>

namespace cotlab::ui {

namespace {

struct Series {
    explicit Series(QString name_) : name(std::move(name_)) {}
    QString name;
    QVector<double> value, low, high; // per group; low/high empty: no interval
};

// Bars per group (criterion), one per series, side by side, with interval whiskers where given.
void groupedBars(QCustomPlot* plot, const QStringList& groups, const std::vector<Series>& series, double bottom,
                 double top)
{
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int g = 0; g < groups.size(); ++g)
        ticker->addTick(g + 1, groups[g]);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setRange(0.4, groups.size() + 0.6);
    plot->yAxis->setRange(bottom, top);
    auto* group = new QCPBarsGroup(plot);
    const double width = 0.8 / double(std::max<size_t>(series.size(), 1));
    for (size_t s = 0; s < series.size(); ++s) {
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(series[s].name);
        bars->setWidth(width);
        bars->setBrush(seriesColor(int(s)));
        bars->setPen(QPen(seriesColor(int(s)).darker(130)));
        QVector<double> x;
        for (int g = 0; g < groups.size(); ++g)
            x << g + 1;
        bars->setData(x, series[s].value);
        bars->setBarsGroup(group);
        if (!series[s].low.isEmpty()) {
            auto* errors = new QCPErrorBars(plot->xAxis, plot->yAxis);
            errors->removeFromLegend();
            errors->setDataPlottable(bars);
            QVector<double> minus, plus;
            for (int g = 0; g < series[s].value.size(); ++g) {
                minus << series[s].value[g] - series[s].low[g];
                plus << series[s].high[g] - series[s].value[g];
            }
            errors->setData(minus, plus);
            errors->setPen(QPen(QColor(40, 40, 40), 1.2));
        }
    }
    showLegendBelow(plot);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot->replot();
}

} // namespace

void plotStudyResults(QCustomPlot* plot, const review::StudyReport& report)
{
    const bool pairwise = report.spec.mode == review::Mode::Pairwise;
    resetPlot(plot, pairwise ? QObject::tr("Which rationale annotators preferred (share of items, 95% CI)")
                             : QObject::tr("Mean rating per source (95% CI)"));
    if (pairwise) {
        plot->yAxis->setLabel(QObject::tr("share of items (%)"));
        if (report.preferences.empty() || report.preferences.front().aWins.n == 0)
            return plotNotice(plot, QObject::tr("No labels yet"));
        QStringList groups;
        std::vector<Series> series{
            Series(QString::fromStdString(report.spec.sources[0].label()) + QObject::tr(" preferred")),
            Series(QObject::tr("tie")),
            Series(QString::fromStdString(report.spec.sources[1].label()) + QObject::tr(" preferred"))};
        for (const auto& p : report.preferences) {
            groups << QString::fromStdString(p.criterion);
            int s = 0;
            for (const review::MeanInterval* m : {&p.aWins, &p.ties, &p.bWins}) {
                series[size_t(s)].value << 100 * m->mean;
                series[size_t(s)].low << 100 * m->low;
                series[size_t(s)].high << 100 * m->high;
                ++s;
            }
        }
        return groupedBars(plot, groups, series, 0, 110);
    }
    plot->yAxis->setLabel(QObject::tr("mean rating (binary: share of yes; Likert: 1-5)"));
    bool any = false;
    QStringList groups;
    std::vector<Series> series;
    for (const auto& source : report.spec.sources)
        series.emplace_back(QString::fromStdString(source.label()));
    double top = 1.1;
    for (const auto& r : report.ratings) {
        const QString criterion = QString::fromStdString(r.criterion);
        if (!groups.contains(criterion))
            groups << criterion;
        for (size_t s = 0; s < report.spec.sources.size(); ++s)
            if (report.spec.sources[s].label() == r.source) {
                series[s].value << r.rating.mean;
                series[s].low << r.rating.low;
                series[s].high << r.rating.high;
            }
        any |= r.rating.n > 0;
        if (r.rating.high > 1.05)
            top = 5.5;
    }
    if (!any)
        return plotNotice(plot, QObject::tr("No labels yet"));
    groupedBars(plot, groups, series, 0, top);
}

void plotStudyAgreement(QCustomPlot* plot, const review::StudyReport& report)
{
    resetPlot(plot, QObject::tr("Agreement between annotators per criterion (no bar: undefined, one answer only)"));
    plot->yAxis->setLabel(QObject::tr("kappa / alpha"));
    if (report.annotators.size() < 2)
        return plotNotice(plot, QObject::tr("Agreement needs two or more annotators"));
    QStringList groups;
    std::vector<Series> series{Series(QObject::tr("Fleiss' kappa")),
                               Series(QObject::tr("Krippendorff's alpha (nominal)")),
                               Series(QObject::tr("Krippendorff's alpha (ordinal)"))};
    double bottom = 0;
    for (const auto& a : report.agreement) {
        groups << QString::fromStdString(a.criterion);
        int s = 0;
        for (const std::optional<double>* v : {&a.fleiss, &a.alphaNominal, &a.alphaOrdinal}) {
            series[size_t(s++)].value << v->value_or(qQNaN()); // undefined: no bar, not a bar at 0
            bottom = std::min(bottom, v->value_or(0));
        }
    }
    groupedBars(plot, groups, series, std::min(-0.1, bottom - 0.1), 1.15);
}

} // namespace cotlab::ui
