#pragma once

// A human evaluation study (after SCoTD's human evaluation): which rationales to judge, how (one at a time on
// criteria, or two side by side, blind, left/right randomised per annotator), on which criteria and scales, and
// the report of its labels: agreement per criterion and student-vs-teacher results with bootstrap intervals.
#include "review/Agreement.h"
#include "store/ReviewRepository.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::review {

enum class Mode { Single, Pairwise };
// binary: yes/no; likert5: 1..5; preference: a/tie/b (which of the pair is better, in terms of the item's A and B).
enum class Scale { Binary, Likert5, Preference };

struct Criterion {
    std::string key;      // short column name, e.g. "fluent"
    std::string question; // what the annotator is asked
    Scale scale = Scale::Binary;
};

// A source of rationales: teacher, student or human, optionally one model ("" = any model of that kind).
struct Source {
    std::string kind = "teacher";
    std::string model;
    std::string label() const { return model.empty() ? kind : kind + ":" + model; }
};

struct StudySpec {
    std::string name;
    Mode mode = Mode::Pairwise;
    std::vector<Source> sources;    // pairwise: exactly two (A, B); single: one or more
    std::vector<std::string> tasks; // empty: every task
    std::string split;              // empty: any split
    int64_t size = 50;              // instances to sample
    uint64_t seed = 0;
    bool stratifyByTask = false;        // equal shares per task ...
    bool stratifyByCorrectness = false; // ... and/or per correctness of source A's rationale
    bool hideGold = false;              // annotators do not see the gold answer
    std::vector<Criterion> criteria;    // empty: defaultCriteria(mode)
};

const char* modeName(Mode mode);
Mode parseMode(const std::string& text); // "single" or "pairwise"; throws Error
const char* scaleName(Scale scale);      // binary, likert5, preference
Scale parseScale(const std::string& text);
// The values a scale stores, in its order (preference: a, tie, b, so A better < tie < B better).
const std::vector<std::string>& scaleValues(Scale scale);
// What the annotator picks from, in key order (1, 2, ...). For a preference the options are sides of the screen
// (left, right, tie), mapped to A/B per item and annotator.
std::vector<std::string> scaleOptions(Scale scale);
Source parseSource(const std::string& text); // "teacher", "teacher:MODEL", "student:NAME", "human[:NAME]"

// SCoTD-style questions: fluent and grammatical, relevant to the question, factually correct, supports the answer
// it ends with; binary for one rationale, preferences (plus which is better overall) for a pair.
std::vector<Criterion> defaultCriteria(Mode mode);

std::string specToJson(const StudySpec& spec);
// The spec stored with a study (name and mode come from the study's row). Throws Error on bad JSON.
StudySpec specFromJson(const std::string& name, const std::string& mode, const std::string& json);
// Criteria from a JSON array of {"key", "question", "scale"}; throws Error naming what is wrong.
std::vector<Criterion> criteriaFromJson(const std::string& json);

// Samples the instances (seeded; with equal shares per stratum when asked: strata take turns until the size is
// reached or they run out), picks one rationale per instance and source at random (seeded), orders the items at
// random and stores the study. Throws Error when the spec is invalid or no instance has rationales from every source.
int64_t createStudy(store::Database& db, StudySpec spec);

// Which items show B on the left for an annotator: a seeded random half (exactly floor(n/2) of the n items), a
// different half for each annotator name.
std::vector<bool> leftIsB(const std::vector<int64_t>& itemIds, uint64_t seed, const std::string& annotator);

// A rationale as annotators read it: its text, then its answer sentence when the source kept that apart (zero-shot
// CoT's "Therefore, among A through E, the answer is ...").
std::string shownRationale(const store::StudyRationale& rationale);

// The stored value for option `option` (0-based, in scaleOptions order) of a scale, given the item's side order.
std::string valueForOption(Scale scale, int option, bool bOnLeft);
// The option index (0-based) a stored value shows as; -1 when the value is not on the scale.
int optionForValue(Scale scale, const std::string& value, bool bOnLeft);

struct AnnotatorProgress {
    std::string name;
    int64_t labels = 0;   // labels given
    int64_t complete = 0; // items with every criterion labelled
    int64_t position = 0; // where labelling resumes
};

struct PairKappa {
    std::string first, second;
    int64_t items = 0; // labelled by both
    std::optional<double> kappa;
};

struct CriterionAgreement {
    std::string criterion;
    int64_t items = 0; // labelled by two or more annotators
    // Share of agreeing annotator pairs per item, averaged over those items (raw agreement, no chance correction:
    // beside kappa it shows when a low kappa comes from one answer being given almost always).
    std::optional<double> observed;
    std::vector<PairKappa> cohen;
    int64_t fleissItems = 0; // labelled by every annotator (Fleiss' kappa needs the same number per item)
    std::optional<double> fleiss;
    std::optional<double> alphaNominal, alphaOrdinal;
};

// Pairwise: per item, the share of its annotators who preferred A, called a tie, preferred B; means over items
// with bootstrap intervals.
struct PreferenceResult {
    std::string criterion;
    MeanInterval aWins, ties, bWins;
};

// Single: the mean rating of each source's rationales (binary: share of yes; Likert: 1..5), per item averaged over
// annotators, with a bootstrap interval over items.
struct RatingResult {
    std::string criterion;
    std::string source;
    MeanInterval rating;
};

struct StudyReport {
    store::StudyRecord study;
    StudySpec spec;
    int64_t items = 0;
    std::vector<AnnotatorProgress> annotators;
    std::vector<CriterionAgreement> agreement;
    std::vector<PreferenceResult> preferences;
    std::vector<RatingResult> ratings;
};

StudyReport studyReport(store::Database& db, int64_t studyId);

// The sources a study can compare, and how many questions each pair shares (a pairwise study needs shared ones).
struct StudySources {
    std::vector<Source> sources;
    std::vector<int64_t> instances;           // each source's questions
    std::vector<std::vector<int64_t>> shared; // shared[i][j]
};
StudySources studySources(store::Database& db);
// The report as one JSON object (cotlab-cli review stats --json).
std::string reportToJson(const StudyReport& report);

// What an annotator needs to label a study: its items in order, which side B shows on for each, and the labels
// and comments the annotator already gave (they join the study here when new).
struct AnnotatorSession {
    store::StudyRecord study;
    StudySpec spec;
    store::AnnotatorRecord annotator;
    std::vector<store::StudyItemDetail> items;
    std::vector<bool> bOnLeft;
    std::map<std::pair<int64_t, std::string>, std::string> labels; // (item, criterion) -> value
    std::map<int64_t, std::string> comments;                       // item -> comment
};
AnnotatorSession openSession(store::Database& db, int64_t studyId, const std::string& annotator);

// A study's row and its parsed spec; an Error when there is no study with that id.
std::pair<store::StudyRecord, StudySpec> loadStudy(store::Database& db, int64_t studyId);

// The study of that name, or an Error listing the studies there are.
store::StudyRecord findStudy(store::Database& db, const std::string& name);

} // namespace cotlab::review
