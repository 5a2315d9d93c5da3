#include "browse/BrowsePlots.h"

#include "common/FormWidgets.h"
#include "common/PlotFrame.h"
#include "common/QCustomPlotInclude.h"

#include <algorithm>
#include <cmath>

namespace cotlab::ui {

namespace {

void reset(QCustomPlot* plot, const QString& title, const QString& xLabel, const QString& yLabel)
{
    resetPlot(plot, title);
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
}

bool showEmpty(QCustomPlot* plot, bool empty)
{
    if (empty)
        plotNotice(plot, QObject::tr("No rows match the filter"));
    return empty;
}

// Bars of a histogram whose bin k covers [low + k*width, low + (k+1)*width).
void histogramBars(QCustomPlot* plot, const std::vector<double>& counts, double low, double width, int colour)
{
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setWidth(width);
    bars->setPen(QPen(seriesColor(colour).darker(130)));
    bars->setBrush(seriesColor(colour));
    QVector<double> x, y;
    double top = 0;
    for (size_t k = 0; k < counts.size(); ++k) {
        x << low + (double(k) + 0.5) * width;
        y << counts[k];
        top = std::max(top, counts[k]);
    }
    bars->setData(x, y);
    plot->xAxis->setRange(low, low + width * double(counts.size()));
    plot->yAxis->setRange(0, std::max(1.0, top * 1.08));
    useCountTicks(plot->yAxis); // rationales per bin
}

} // namespace

std::vector<double> histogram(const std::vector<double>& values, double low, double high, int bins)
{
    std::vector<double> counts(size_t(std::max(1, bins)), 0.0);
    const double width = (high - low) / double(counts.size());
    for (double v : values) {
        if (v < low || v > high || width <= 0)
            continue;
        const auto k = std::min(counts.size() - 1, size_t((v - low) / width));
        counts[k] += 1;
    }
    return counts;
}

void plotTeacherAccuracy(QCustomPlot* plot, const std::vector<store::RationaleBrowser::Aggregates::TaskAccuracy>& tasks)
{
    reset(plot, QObject::tr("Teacher accuracy per task"), QString(), QObject::tr("% correct"));
    if (showEmpty(plot, tasks.empty()))
        return;
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setWidth(0.6);
    bars->setPen(QPen(seriesColor(0).darker(130)));
    bars->setBrush(seriesColor(0));
    QVector<double> x, y;
    QVector<QString> labels;
    for (const auto& t : tasks) {
        x << x.size() + 1;
        const double accuracy = t.teacherJudged ? 100.0 * double(t.teacherCorrect) / double(t.teacherJudged) : 0;
        y << accuracy;
        labels << QString::fromStdString(t.task);
        auto* value = new QCPItemText(plot);
        value->position->setCoords(x.back(), accuracy);
        value->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        // A task without gold answers has nothing to judge its rationales by: no bar, and the label says why.
        value->setText(
            t.teacherJudged
                ? QString("%1% of %2").arg(accuracy, 0, 'f', 1).arg(QLocale().toString(qint64(t.teacherJudged)))
                : QObject::tr("no gold: %1 not judged").arg(QLocale().toString(qint64(t.teacherRationales))));
    }
    bars->setData(x, y);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTicks(x, labels);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(tasks.size() > 3 ? 25 : 0);
    plot->xAxis->setRange(0.4, double(tasks.size()) + 0.6);
    plot->yAxis->setRange(0, 118); // room for the label above a bar at 100%
    plot->replot();
}

void plotLengthHistogram(QCustomPlot* plot, const std::vector<int64_t>& lengths)
{
    reset(plot, QObject::tr("Rationale length"), QObject::tr("characters"), QObject::tr("rationales"));
    if (showEmpty(plot, lengths.empty()))
        return;
    // Up to the 99.5th percentile, so that a few very long rationales do not squeeze the rest into one bar.
    const double high = double(lengths[std::min(lengths.size() - 1, size_t(double(lengths.size()) * 0.995))]) + 1;
    const double low = double(lengths.front());
    std::vector<double> values(lengths.begin(), lengths.end());
    const int bins = 40;
    histogramBars(plot, histogram(values, low, high, bins), low, (high - low) / bins, 1);
    plot->replot();
}

void plotSamplesPerInstance(QCustomPlot* plot, const std::vector<int64_t>& samples)
{
    reset(plot, QObject::tr("Samples per instance"), QObject::tr("rationales of the instance"),
          QObject::tr("instances"));
    if (showEmpty(plot, samples.empty()))
        return;
    const int64_t most = *std::max_element(samples.begin(), samples.end());
    std::vector<double> values(samples.begin(), samples.end());
    // One bin per count up to 60, wider bins beyond.
    const int bins = int(std::min<int64_t>(most, 60));
    histogramBars(plot, histogram(values, 0.5, double(most) + 0.5, bins), 0.5, double(most) / bins, 2);
    plot->replot();
}

void plotAgreement(QCustomPlot* plot, const std::vector<double>& agreement)
{
    reset(plot, QObject::tr("Answer agreement per instance"),
          QObject::tr("share of an instance's samples giving its most common answer"), QObject::tr("instances"));
    if (showEmpty(plot, agreement.empty()))
        return;
    histogramBars(plot, histogram(agreement, 0, 1, 20), 0, 0.05, 3);
    plot->replot();
}

} // namespace cotlab::ui
