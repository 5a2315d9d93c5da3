#pragma once

// Builds a corpus from a recipe: reads the workspace's instances with their rationales once (only the tasks a
// leading scope step names), applies the rationale steps to each instance in recipe order, records what each
// instance-level step measures at its place, and decides those steps over all instances at the end.
#include "corpus/Recipe.h"
#include "jobs/Progress.h"
#include "store/CorpusRepository.h"

#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::corpus {

store::BuiltCorpus buildCorpus(store::Database& db, const Recipe& recipe, const jobs::ProgressSink& progress = {},
                               const jobs::StopToken* stop = nullptr);

} // namespace cotlab::corpus
