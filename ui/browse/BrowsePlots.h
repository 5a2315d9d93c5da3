#pragma once

// The Browse page's plots of the rows that match its filter (QCustomPlot): teacher accuracy per task, the
// rationale length histogram, samples per instance and answer agreement per instance.
#include "store/RationaleBrowser.h"

class QCustomPlot;

namespace cotlab::ui {

void plotTeacherAccuracy(QCustomPlot* plot,
                         const std::vector<store::RationaleBrowser::Aggregates::TaskAccuracy>& tasks);
void plotLengthHistogram(QCustomPlot* plot, const std::vector<int64_t>& lengths);
void plotSamplesPerInstance(QCustomPlot* plot, const std::vector<int64_t>& samples);
void plotAgreement(QCustomPlot* plot, const std::vector<double>& agreement);

// Histogram bins of values in [low, high): `bins` counts; a value at high goes to the last bin.
std::vector<double> histogram(const std::vector<double>& values, double low, double high, int bins);

} // namespace cotlab::ui
