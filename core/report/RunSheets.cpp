#include "report/RunSheets.h"

#include "store/RunRepository.h"
#include "util/Error.h"

#include <map>

namespace cotlab::report {

Sheet runCurvesSheet(store::Database& db, int64_t runId)
{
    store::RunRepository runs(db);
    if (!runs.find(runId))
        throw Error("no training run " + std::to_string(runId) + " in the workspace (cotlab-cli runs)");
    const auto names = runs.metricNames(runId);
    Sheet sheet;
    sheet.name = "Curves";
    sheet.columns.emplace_back("step", 8);
    std::map<int64_t, std::vector<Cell>> byStep;
    for (size_t k = 0; k < names.size(); ++k) {
        sheet.columns.emplace_back(names[k], 16, false, "0.000000");
        for (const auto& [step, value] : runs.metric(runId, names[k])) {
            auto& row = byStep[step];
            if (row.empty()) {
                row.resize(names.size() + 1);
                row[0] = step;
            }
            row[k + 1] = value;
        }
    }
    for (auto& [step, row] : byStep)
        sheet.rows.push_back(std::move(row));
    return sheet;
}

} // namespace cotlab::report
