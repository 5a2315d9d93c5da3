#include "store/EvaluationRepository.h"

#include "stats/Proportions.h"
#include "store/Database.h"
#include "util/Error.h"
#include "util/Text.h"

namespace cotlab::store {

namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

// The id of the teacher's first rationale (lowest sample index) for the evaluation item e's question.
constexpr const char* kTeacherFirstRationale =
    "(SELECT id FROM rationales WHERE instance_id = e.instance_id AND source_kind = 'teacher' "
    "ORDER BY sample_index, id LIMIT 1)";

constexpr const char* kColumns =
    "e.id, e.name, e.run_id, e.model_path, t.name, e.split, e.config, e.status, e.message, e.items, e.done, "
    "e.correct, e.accuracy, e.ci_low, e.ci_high, e.created_at, e.updated_at";

EvaluationRecord readEvaluation(Statement& s)
{
    EvaluationRecord e;
    e.id = s.int64(0);
    e.name = s.string(1);
    e.runId = s.optInt64(2);
    e.modelPath = s.string(3);
    e.task = s.string(4);
    e.split = s.string(5);
    e.configJson = s.string(6);
    e.status = s.string(7);
    e.message = s.optString(8);
    e.items = s.int64(9);
    e.done = s.int64(10);
    e.correct = s.int64(11);
    if (e.done > 0) // the stored ci columns may hold an older method's interval: the counts decide
        e.accuracy = stats::wilson(e.correct, e.done);
    e.createdAt = s.string(15);
    e.updatedAt = s.string(16);
    return e;
}

} // namespace

int64_t EvaluationRepository::create(const EvaluationRecord& e)
{
    Statement task(m_db, "SELECT id FROM tasks WHERE name = ?");
    task.bind(1, e.task);
    if (!task.step())
        throw Error("no task '" + e.task + "' in " + m_db.path());
    const int64_t taskId = task.int64(0);
    task.reset();
    Statement s(m_db, std::string("INSERT INTO evaluations (name, run_id, model_path, task_id, split, config, status, "
                                  "items, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ") +
                          kNow + ", " + kNow + ")");
    s.bind(1, e.name).bind(2, e.runId).bind(3, e.modelPath).bind(4, taskId).bind(5, e.split);
    s.bind(6, e.configJson).bind(7, e.status).bind(8, e.items);
    s.exec();
    return m_db.lastInsertRowId();
}

std::pair<int64_t, int64_t> EvaluationRepository::addItems(int64_t evaluationId,
                                                           const std::vector<EvaluationItem>& items)
{
    Transaction tx(m_db);
    Statement insertRationale(
        m_db, "INSERT OR IGNORE INTO rationales (instance_id, source_kind, model, sample_index, text, text_hash, "
              "answer, extracted_answer, correct, token_count, prompt, decoding, temperature, provenance) "
              "VALUES (?, 'student', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Statement findRationale(m_db, "SELECT id FROM rationales WHERE instance_id = ? AND model = ? AND "
                                  "sample_index = ? AND text_hash = ?");
    Statement insertItem(m_db, "INSERT OR REPLACE INTO evaluation_items (evaluation_id, instance_id, prediction, "
                               "correct, votes, rationale_id) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& item : items) {
        std::optional<int64_t> firstRationale;
        for (const auto& r : item.samples) {
            const auto hash = int64_t(text::fnv1a64(r.text));
            insertRationale.bind(1, item.instanceId).bind(2, r.model).bind(3, r.sampleIndex).bind(4, r.text);
            insertRationale.bind(5, hash).bind(6, r.answer).bind(7, r.extractedAnswer).bind(8, r.correct);
            insertRationale.bind(9, r.tokenCount).bind(10, r.prompt).bind(11, r.decoding).bind(12, r.temperature);
            insertRationale.bind(13, r.provenance);
            insertRationale.exec();
            if (firstRationale)
                continue;
            if (m_db.changes() > 0) {
                firstRationale = m_db.lastInsertRowId();
            } else {
                findRationale.bind(1, item.instanceId).bind(2, r.model).bind(3, r.sampleIndex).bind(4, hash);
                if (findRationale.step())
                    firstRationale = findRationale.int64(0);
                findRationale.reset();
            }
        }
        insertItem.bind(1, evaluationId).bind(2, item.instanceId).bind(3, item.prediction);
        insertItem.bind(4, int64_t(item.correct ? 1 : 0)).bind(5, item.votesJson).bind(6, firstRationale);
        insertItem.exec();
    }
    const auto [correct, done] = tally(evaluationId);
    const auto interval = stats::wilson(correct, done);
    Statement update(m_db, std::string("UPDATE evaluations SET done = ?, correct = ?, accuracy = ?, ci_low = ?, "
                                       "ci_high = ?, status = 'running', message = NULL, updated_at = ") +
                               kNow + " WHERE id = ?");
    update.bind(1, done).bind(2, correct);
    if (done > 0)
        update.bind(3, interval.estimate).bind(4, interval.low).bind(5, interval.high);
    update.bind(6, evaluationId).exec();
    tx.commit();
    return {correct, done};
}

void EvaluationRepository::finish(int64_t evaluationId, const std::string& status,
                                  const std::optional<std::string>& message)
{
    Statement s(m_db,
                std::string("UPDATE evaluations SET status = ?, message = ?, updated_at = ") + kNow + " WHERE id = ?");
    s.bind(1, status).bind(2, message).bind(3, evaluationId).exec();
}

void EvaluationRepository::setStatus(int64_t evaluationId, const std::string& status)
{
    finish(evaluationId, status, std::nullopt);
}

std::vector<EvaluationRecord> EvaluationRepository::list()
{
    std::vector<EvaluationRecord> out;
    Statement s(m_db, std::string("SELECT ") + kColumns +
                          " FROM evaluations e JOIN tasks t ON t.id = e.task_id ORDER BY e.id DESC");
    while (s.step())
        out.push_back(readEvaluation(s));
    return out;
}

std::optional<EvaluationRecord> EvaluationRepository::find(int64_t evaluationId)
{
    Statement s(m_db, std::string("SELECT ") + kColumns +
                          " FROM evaluations e JOIN tasks t ON t.id = e.task_id WHERE e.id = ?");
    s.bind(1, evaluationId);
    if (!s.step())
        return std::nullopt;
    return readEvaluation(s);
}

std::unordered_set<int64_t> EvaluationRepository::evaluatedInstances(int64_t evaluationId)
{
    std::unordered_set<int64_t> out;
    Statement s(m_db, "SELECT instance_id FROM evaluation_items WHERE evaluation_id = ?");
    s.bind(1, evaluationId);
    while (s.step())
        out.insert(s.int64(0));
    return out;
}

std::vector<EvaluatedInstance> EvaluationRepository::evaluatedInstanceDetails(int64_t evaluationId)
{
    std::vector<EvaluatedInstance> out;
    Statement s(m_db, std::string("SELECT i.id, i.ext_id, i.question, i.choices, i.gold, e.prediction, e.correct, "
                                  "e.votes, COALESCE(r.text, ''), t.model, t.text, t.answer, t.correct "
                                  "FROM evaluation_items e JOIN instances i ON i.id = e.instance_id "
                                  "LEFT JOIN rationales r ON r.id = e.rationale_id "
                                  "LEFT JOIN rationales t ON t.id = ") +
                          kTeacherFirstRationale + " WHERE e.evaluation_id = ? ORDER BY i.id");
    s.bind(1, evaluationId);
    while (s.step()) {
        EvaluatedInstance e;
        e.instanceId = s.int64(0);
        e.extId = s.string(1);
        e.question = s.string(2);
        e.choicesJson = s.optString(3);
        e.gold = s.string(4);
        e.prediction = s.string(5);
        e.correct = s.int64(6) == 1;
        e.votesJson = s.optString(7);
        e.studentRationale = s.string(8);
        e.teacherModel = s.optString(9);
        e.teacherRationale = s.optString(10);
        e.teacherAnswer = s.optString(11);
        if (const auto c = s.optInt64(12))
            e.teacherCorrect = *c == 1;
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<ContrastPair> EvaluationRepository::contrastPairs(int64_t evaluationId)
{
    std::vector<ContrastPair> out;
    Statement s(m_db,
                "WITH linked AS (SELECT c.instance_id, c.correct, ci.task_id, ce.name, ce.id AS evaluation_id, "
                "  COALESCE(json_extract(ci.meta, '$.original'), (SELECT json_extract(r.meta, '$.original') "
                "    FROM rationales r WHERE r.instance_id = ci.id AND json_extract(r.meta, '$.original') IS NOT NULL "
                "    ORDER BY r.id LIMIT 1)) AS original "
                "  FROM evaluation_items c JOIN evaluations ce ON ce.id = c.evaluation_id "
                "  JOIN instances ci ON ci.id = c.instance_id WHERE c.evaluation_id = ?) "
                "SELECT l.instance_id, l.correct, o.id, (SELECT oi.correct FROM evaluation_items oi "
                "    JOIN evaluations oe ON oe.id = oi.evaluation_id WHERE oi.instance_id = o.id AND oe.name = l.name "
                "    AND oe.id != l.evaluation_id ORDER BY oe.id DESC LIMIT 1) "
                "FROM linked l LEFT JOIN instances o ON o.task_id = l.task_id AND o.ext_id = CAST(l.original AS TEXT) "
                "ORDER BY l.instance_id");
    s.bind(1, evaluationId);
    while (s.step()) {
        ContrastPair p;
        p.contrastInstance = s.int64(0);
        p.contrastCorrect = s.int64(1) == 1;
        p.originalInstance = s.optInt64(2);
        if (const auto c = s.optInt64(3))
            p.originalCorrect = *c == 1;
        out.push_back(p);
    }
    return out;
}

std::pair<int64_t, int64_t> EvaluationRepository::teacherTally(int64_t evaluationId)
{
    Statement s(m_db, std::string("SELECT COALESCE(SUM(t.correct = 1), 0), COUNT(t.id) FROM evaluation_items e "
                                  "JOIN rationales t ON t.id = ") +
                          kTeacherFirstRationale + " WHERE e.evaluation_id = ?");
    s.bind(1, evaluationId);
    s.step();
    return {s.int64(0), s.int64(1)};
}

std::pair<int64_t, int64_t> EvaluationRepository::tally(int64_t evaluationId)
{
    Statement s(m_db, "SELECT COALESCE(SUM(correct), 0), COUNT(*) FROM evaluation_items WHERE evaluation_id = ?");
    s.bind(1, evaluationId);
    s.step();
    return {s.int64(0), s.int64(1)};
}

int64_t EvaluationRepository::countAtTokenLimit(int64_t evaluationId, int64_t maxNewTokens)
{
    Statement s(m_db, "SELECT COUNT(*) FROM evaluation_items e JOIN rationales r ON r.id = e.rationale_id "
                      "WHERE e.evaluation_id = ? AND r.token_count >= ?");
    s.bind(1, evaluationId);
    s.bind(2, maxNewTokens);
    s.step();
    return s.int64(0);
}

} // namespace cotlab::store
