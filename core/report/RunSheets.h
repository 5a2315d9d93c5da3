#pragma once

// A training run's curves as a spreadsheet: one row per recorded step, one column per metric the run recorded
// (loss, dev_loss, learning_rate, tokens_per_second, ...), an empty cell where a step has no value of a metric
// (the dev loss is measured every few steps). One sheet, so that CSV writes exactly the file asked for.
#include "report/Spreadsheet.h"

#include <cstdint>

namespace cotlab::store {
class Database;
}

namespace cotlab::report {

// Error naming the run when the workspace has none of that id.
Sheet runCurvesSheet(store::Database& db, int64_t runId);

} // namespace cotlab::report
