#include "corpus/RecipeSchema.h"

namespace cotlab::corpus {

const FieldSchema* StepSchema::field(std::string_view wanted) const
{
    for (const auto& f : fields)
        if (f.name == wanted)
            return &f;
    return nullptr;
}

// A declarative table: one entry per step, one line per field.
const std::vector<StepSchema>& recipeSchema()
{
    using T = FieldType;
    static const std::vector<StepSchema> kSchema = {
        {"scope",
         "keeps the rationales of the chosen tasks, splits, sources and models",
         false,
         {{"tasks", T::StringList, "task names; empty: every task"},
          {"splits", T::StringList, "train, dev, test, contrast; empty: every split"},
          {"sources", T::StringList, "teacher, student, human; empty: every source"},
          {"models", T::StringList, "model names; empty: every model"}}},
        {"correctness",
         "keeps rationales by their stored right/wrong mark (never judged ones only with 'all')",
         false,
         {{"keep", T::Choice, "which rationales stay", kKeepNames}}},
        {"clean",
         "cuts each rationale at the first stop string and drops what is left empty or unanswered",
         false,
         {{"stop", T::StringList, "cut at the first of these strings (\\n for a line break)"},
          {"drop_empty", T::Boolean, "drop rationales left empty by the cut"},
          {"drop_unanswered", T::Boolean, "drop rationales with no final answer left (truncated ones)"}}},
        {"dedupe",
         "keeps the first of each group of duplicate rationales of an instance",
         false,
         {{"mode", T::Choice, "exact: identical text; near: similar word trigrams", kDedupeModeNames},
          {"threshold", T::Number, "near: trigram Jaccard similarity that counts as a duplicate", {}, 0, 1}}},
        {"length",
         "keeps rationales whose length in characters is within the bounds",
         false,
         {{"min", T::OptionalInteger, "characters at least; empty: no bound", {}, 0},
          {"max", T::OptionalInteger, "characters at most; empty: no bound", {}, 0}}},
        {"match",
         "keeps rationales that contain a text (or, with exclude, those that do not)",
         false,
         {{"pattern", T::Text, "text (or regular expression) to look for, case-insensitive"},
          {"regex", T::Boolean, "read the pattern as an ECMAScript regular expression"},
          {"exclude", T::Boolean, "drop the rationales that match instead"}}},
        {"per_instance",
         "keeps at most k rationales of each instance: at random, the most likely, or the most diverse",
         false,
         {{"by", T::Choice, "how the k are chosen", kPerInstanceByNames},
          {"k", T::Integer, "rationales kept per instance", {}, 1},
          {"seed", T::Integer, "random: seed of the draw", {}, 0},
          {"likelihood", T::Choice, "likelihood: per-token mean or total log-probability", kLikelihoodNames},
          {"model", T::Text, "likelihood: a local model that scores the rationales; empty: imported log-probs"},
          {"tokenizer", T::Text, "likelihood: the scoring model's tokenizer; empty: the model folder's own"}}},
        {"open_endedness",
         "keeps the share of instances whose rationales disagree most on the answer",
         true,
         {{"measure", T::Choice, "entropy of the answers, or the number of distinct answers", kOpenEndednessNames},
          {"keep_share", T::Number, "share of the instances kept", {}, 0, 1}}},
        {"min_correct",
         "keeps instances with at least this many correct rationales left",
         true,
         {{"count", T::Integer, "correct rationales an instance needs", {}, 0}}},
        {"instance_share",
         "keeps a seeded random share of the instances (smaller shares are subsets of larger ones)",
         true,
         {{"share", T::Number, "share of the instances kept", {}, 0, 1},
          {"seed", T::Integer, "seed of the draw", {}, 0}}},
    };
    return kSchema;
}

const StepSchema* findStepSchema(std::string_view name)
{
    for (const auto& s : recipeSchema())
        if (s.name == name)
            return &s;
    return nullptr;
}

} // namespace cotlab::corpus
