#pragma once

// What every plot of the pages starts from (QCustomPlot).
#include <QString>

class QCPAxis;
class QCustomPlot;

namespace cotlab::ui {

// Clears the plot's data and items and sets its title (kept in the first layout row); axes back to a linear
// scale with default ticks, no axis labels and no legend.
void resetPlot(QCustomPlot* plot, const QString& title);
// Ticks at whole numbers only (1, 2, 5, 10, ... apart), for axes that count (steps, rationales, questions).
void useCountTicks(QCPAxis* axis);
// Shows the legend in a row of its own below the axes (entries side by side), never over bars or points.
void showLegendBelow(QCustomPlot* plot);
// Shows or hides both axes' ticks, tick labels and grid (hidden while a plot has no data).
void showAxisScales(QCustomPlot* plot, bool shown);
// A grey notice in the middle of the plot ("No rows match the filter"), axis scales hidden, then replots.
void plotNotice(QCustomPlot* plot, const QString& text);

} // namespace cotlab::ui
