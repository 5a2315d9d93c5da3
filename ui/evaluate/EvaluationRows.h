#pragma once

// An evaluation as the Evaluate page lists it, read on the page's store thread: the stored record with its
// settings, the recipe of the run that trained the student, the generations cut at the token limit and the
// teacher's tally on the same questions.
#include "eval/Evaluation.h"
#include "store/EvaluationRepository.h"
#include "train/RunRecipe.h"

#include <optional>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::ui {

struct EvaluationRow {
    store::EvaluationRecord record;
    eval::EvaluationRequest config;
    std::optional<train::RunRecipe> recipe;
    int64_t cutAtLimit = 0;
    int64_t teacherCorrect = 0, teacherN = 0;
};

std::vector<EvaluationRow> readEvaluationRows(store::Database& db);

} // namespace cotlab::ui
