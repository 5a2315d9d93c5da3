#include "evaluate/EvaluationRows.h"

#include "store/Database.h"
#include "store/RunRepository.h"

namespace cotlab::ui {

std::vector<EvaluationRow> readEvaluationRows(store::Database& db)
{
    store::EvaluationRepository evals(db);
    store::RunRepository runs(db);
    std::vector<EvaluationRow> rows;
    for (auto& e : evals.list()) {
        EvaluationRow row;
        row.config = eval::configFromJson(e.configJson, db.path());
        if (e.runId)
            if (const auto run = runs.find(*e.runId))
                row.recipe = train::RunRecipe::fromJson(run->recipeJson);
        // Generations cut at the token limit score as wrong answers: the status says how many there are.
        if (row.config.maxNewTokens > 0)
            row.cutAtLimit = evals.countAtTokenLimit(e.id, row.config.maxNewTokens);
        std::tie(row.teacherCorrect, row.teacherN) = evals.teacherTally(e.id);
        row.record = std::move(e);
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace cotlab::ui
