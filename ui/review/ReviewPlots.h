#pragma once

// The Review page's plots: a study's results (pairwise: how often each source was preferred, and ties; single: the
// mean rating of each source) and its agreement per criterion, as grouped bars with their 95% intervals.
#include "review/Study.h"

class QCustomPlot;

namespace cotlab::ui {

void plotStudyResults(QCustomPlot* plot, const review::StudyReport& report);
void plotStudyAgreement(QCustomPlot* plot, const review::StudyReport& report);

} // namespace cotlab::ui
