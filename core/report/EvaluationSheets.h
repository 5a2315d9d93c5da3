#pragma once

// An evaluation of a student as spreadsheets: Summary (student, model, task, split, decoding, accuracy with its 95%
// interval, the teacher's accuracy on the same questions), Items (each question with gold, the student's
// prediction and rationale, and the teacher's first rationale), Labels and Agreement (what human evaluation
// studies said of this student's rationales, when any judged them).
#include "report/Spreadsheet.h"

#include <cstdint>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::report {

std::vector<Sheet> evaluationSheets(store::Database& db, int64_t evaluationId);

} // namespace cotlab::report
