#pragma once

// Evaluations of students and their per-instance predictions (db/migrations/0003_evaluations.sql).
#include "stats/Proportions.h"
#include "store/Records.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace cotlab::store {

class Database;

struct EvaluationRecord {
    int64_t id = 0;
    std::string name;
    std::optional<int64_t> runId;
    std::string modelPath;
    std::string task;
    std::string split;
    std::string configJson;
    std::string status; // running, stopped, finished, failed
    std::optional<std::string> message;
    int64_t items = 0;
    int64_t done = 0;
    int64_t correct = 0;
    // correct of done with its 95% Wilson interval (recomputed from the counts when read; none before the first
    // stored batch).
    std::optional<stats::Proportion> accuracy;
    std::string createdAt;
    std::string updatedAt;
};

// One instance's outcome: the prediction and the generated rationales (one per sample).
struct EvaluationItem {
    int64_t instanceId = 0;
    std::string prediction;
    bool correct = false;
    std::optional<std::string> votesJson;
    std::vector<RationaleRecord> samples; // source kind 'student', sample index = position
};

// One evaluated question beside its gold answer and the teacher's first rationale for it (the per-instance view).
struct EvaluatedInstance {
    int64_t instanceId = 0;
    std::string extId;
    std::string question;
    std::optional<std::string> choicesJson;
    std::string gold;
    std::string prediction;
    bool correct = false;
    std::optional<std::string> votesJson;
    std::string studentRationale; // the first sample's text
    // The teacher's rationale with the lowest sample index (any teacher model), when the question has one.
    std::optional<std::string> teacherModel, teacherRationale, teacherAnswer;
    std::optional<bool> teacherCorrect;
};

// A contrast question of an evaluation and the question it perturbs ("original": the original's id in the same
// task, in the instance's or one of its rationales' meta).
struct ContrastPair {
    int64_t contrastInstance = 0;
    bool contrastCorrect = false;
    std::optional<int64_t> originalInstance; // none: no original named, or none with that id
    std::optional<bool> originalCorrect;     // from the latest other evaluation of the same student covering it
};

class EvaluationRepository {
public:
    explicit EvaluationRepository(Database& db) : m_db(db) {}
    // Returns the new id; the task must exist.
    int64_t create(const EvaluationRecord& evaluation);
    // Stores a batch of outcomes and the evaluation's running totals (accuracy and its interval) in one
    // transaction: a stopped evaluation keeps every finished batch. Rationales already stored (same instance,
    // model, sample and text) are reused. Returns (correct, done) after the batch.
    std::pair<int64_t, int64_t> addItems(int64_t evaluationId, const std::vector<EvaluationItem>& items);
    void finish(int64_t evaluationId, const std::string& status, const std::optional<std::string>& message);
    void setStatus(int64_t evaluationId, const std::string& status);
    std::vector<EvaluationRecord> list(); // newest first
    std::optional<EvaluationRecord> find(int64_t evaluationId);
    std::unordered_set<int64_t> evaluatedInstances(int64_t evaluationId);
    // The evaluated questions in instance order, with the teacher's first rationale for each.
    std::vector<EvaluatedInstance> evaluatedInstanceDetails(int64_t evaluationId);
    // The evaluation's questions with their originals, in instance order.
    std::vector<ContrastPair> contrastPairs(int64_t evaluationId);
    // (correct, with a teacher rationale) of the teacher's first rationale on the evaluated questions.
    std::pair<int64_t, int64_t> teacherTally(int64_t evaluationId);
    // (correct, done) recounted from the stored items.
    std::pair<int64_t, int64_t> tally(int64_t evaluationId);
    // Evaluated questions whose (first sample's) generation ran to maxNewTokens tokens: cut short, most likely.
    int64_t countAtTokenLimit(int64_t evaluationId, int64_t maxNewTokens);

private:
    Database& m_db;
};

} // namespace cotlab::store
