#pragma once

// Builds a corpus from a recipe: reads the workspace's instances with their rationales once (only the tasks a
// leading scope step names), applies the rationale steps to each instance in recipe order, records what each
// instance-level step measures at its place, and decides those steps over all instances at the end.
#include "corpus/Recipe.h"
#include "jobs/Progress.h"

#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::corpus {

struct CorpusMember {
    int64_t rationaleId = 0;
    int64_t instanceId = 0;
    std::optional<std::string> text; // the text a clean step cut, when it differs from the stored one
};

// What is left after a step (after step 0: the rationales the recipe starts from, every one in the store).
struct StepCounts {
    std::string step;
    int64_t instances = 0; // with at least one rationale left
    int64_t rationales = 0;
    int64_t judged = 0; // with a correct/wrong mark
    int64_t correct = 0;
    int64_t characters = 0;
    double accuracy() const { return judged ? double(correct) / double(judged) : 0.0; }
    double meanLength() const { return rationales ? double(characters) / double(rationales) : 0.0; }
};

struct BuiltCorpus {
    std::vector<CorpusMember> members; // by instance, then the order the steps left them in
    std::vector<StepCounts> steps;     // "store", then one per recipe step
    // Per recipe step, the rationales it removed (of the instances still in at that step); an instance step
    // removes all that were left of the instances it drops.
    std::vector<std::vector<int64_t>> removed;
};

BuiltCorpus buildCorpus(store::Database& db, const Recipe& recipe, const jobs::ProgressSink& progress = {},
                        const jobs::StopToken* stop = nullptr);

} // namespace cotlab::corpus
