#include "common/PlotFrame.h"

#include "common/QCustomPlotInclude.h"

namespace cotlab::ui {

void resetPlot(QCustomPlot* plot, const QString& title)
{
    plot->clearPlottables();
    plot->clearItems();
    if (plot->plotLayout()->rowCount() < 2 || !qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) {
        plot->plotLayout()->insertRow(0);
        plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, QFont()));
    } else {
        static_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))->setText(title);
    }
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        axis->setNumberFormat("gbd"); // QCustomPlot's defaults
        axis->setNumberPrecision(6);
    }
    plot->xAxis->setScaleType(QCPAxis::stLinear);
    plot->xAxis->setTickLabelRotation(0);
    plot->xAxis->setLabel(QString());
    plot->yAxis->setLabel(QString());
    showAxisScales(plot, true);
    plot->legend->setVisible(false);
}

void showLegendBelow(QCustomPlot* plot)
{
    if (plot->legend->layout() == plot->axisRect()->insetLayout()) {
        plot->axisRect()->insetLayout()->take(plot->legend);
        plot->plotLayout()->addElement(plot->plotLayout()->rowCount(), 0, plot->legend);
        plot->plotLayout()->setRowStretchFactor(plot->plotLayout()->rowCount() - 1, 0.001);
        plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
        plot->legend->setBorderPen(Qt::NoPen);
        plot->legend->setMargins(QMargins(4, 2, 4, 2));
    }
    plot->legend->setVisible(true);
}

void useCountTicks(QCPAxis* axis)
{
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples); // 1, 2, 3, ... or 10, 20, ...: never 2.5
    ticker->setTickCount(6);
    axis->setTicker(ticker);
    axis->setNumberFormat("f");
    axis->setNumberPrecision(0);
}

void showAxisScales(QCustomPlot* plot, bool shown)
{
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setTicks(shown);
        axis->setTickLabels(shown);
    }
    plot->xAxis->grid()->setVisible(shown);
    plot->yAxis->grid()->setVisible(shown);
}

void plotNotice(QCustomPlot* plot, const QString& text)
{
    showAxisScales(plot, false); // no 0-5 placeholder scale behind a plot without data
    auto* label = new QCPItemText(plot);
    label->position->setType(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(0.5, 0.5);
    label->setText(text);
    label->setColor(QColor(110, 110, 110));
    plot->replot();
}

} // namespace cotlab::ui
