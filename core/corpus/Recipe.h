#pragma once

// A corpus recipe: the steps that turn the store's rationales into a training corpus, applied in order (SCoTD's
// selection strategies and Fine-tune-CoT's filters; docs/corpus.md defines each). Saved as versioned JSON:
//
//   {"version": 1, "sources": ["teacher"], "steps": [
//     {"step": "scope", "tasks": ["date_mmddyyyy"], "splits": ["train", "test"], "sources": ["teacher"]},
//     {"step": "correctness", "keep": "correct"},
//     {"step": "clean", "stop": ["\nQ:"], "drop_empty": true, "drop_unanswered": true},
//     {"step": "dedupe", "mode": "near", "threshold": 0.8},
//     {"step": "length", "min": 50, "max": 2000},
//     {"step": "match", "pattern": "so the answer is", "regex": false, "exclude": false},
//     {"step": "per_instance", "k": 4, "by": "random", "seed": 1},
//     {"step": "open_endedness", "keep_share": 0.5, "measure": "entropy"},
//     {"step": "min_correct", "count": 2},
//     {"step": "instance_share", "share": 0.25, "seed": 7}]}
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cotlab::corpus {

struct ScopeStep {
    std::vector<std::string> tasks, splits, sources, models; // empty: any
};
struct CorrectnessStep {
    enum class Keep { Correct, All, Incorrect } keep = Keep::Correct;
};
struct CleanStep {
    std::vector<std::string> stop; // cut each rationale at the first of these
    bool dropEmpty = true;         // nothing left after the cut (whitespace only)
    bool dropUnanswered = false;   // no final answer found in what is left (a truncated rationale)
};
struct DedupeStep {
    enum class Mode { Exact, Near } mode = Mode::Exact;
    double threshold = 0.8; // near: word-trigram Jaccard similarity at or above this is a duplicate
};
struct LengthStep {
    std::optional<int64_t> min, max; // characters, inclusive
};
struct MatchStep {
    std::string pattern;
    bool regex = false;   // ECMAScript regex, case-insensitive; else a case-insensitive substring
    bool exclude = false; // drop the rationales that match instead of keeping them
};
struct PerInstanceStep {
    enum class By { Random, Likelihood, Diversity } by = By::Random;
    int64_t k = 1;
    uint64_t seed = 0;       // random
    bool meanLogProb = true; // likelihood: mean per token (needs token counts) or total log-probability
    // likelihood: a local model (Hugging Face folder or llama2.c checkpoint) that scores each rationale after the
    // trainer's prompt for its question; empty: the log-probabilities imported with the rationales.
    std::string model;
    std::string tokenizer; // default: the model folder's own
};
struct OpenEndednessStep {
    enum class Measure { Entropy, DistinctAnswers } measure = Measure::Entropy;
    double keepShare = 0.5; // of the instances still in, the most open-ended share
};
struct MinCorrectStep {
    int64_t count = 1;
};
struct InstanceShareStep {
    double share = 1.0;
    uint64_t seed = 0;
};

using Step = std::variant<ScopeStep, CorrectnessStep, CleanStep, DedupeStep, LengthStep, MatchStep, PerInstanceStep,
                          OpenEndednessStep, MinCorrectStep, InstanceShareStep>;

struct Recipe {
    static constexpr int kVersion = 1;
    // Whose rationales the recipe starts from: the teacher's unless it opts in to students' (an evaluated
    // student's outputs) or humans'. Written as "sources" in the recipe's JSON; a recipe without it is teacher-only.
    std::vector<std::string> sources{"teacher"};
    std::vector<Step> steps;
    bool includes(const std::string& sourceKind) const;
};

// Throws Error naming the step (by number and kind) and the field that is wrong.
Recipe recipeFromJson(const std::string& json);
std::string recipeToJson(const Recipe& recipe);
std::string stepName(const Step& step); // "scope", "per_instance", ...
// True for the steps that keep or drop whole instances (decided after every instance has been read).
bool isInstanceStep(const Step& step);

} // namespace cotlab::corpus
