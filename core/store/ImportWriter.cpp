#include "store/ImportWriter.h"

#include "text/ReasoningParts.h"
#include "util/Error.h"

namespace cotlab::store {

namespace {

constexpr const char* kRationaleColumns =
    "INSERT OR IGNORE INTO rationales (instance_id, source_kind, model, sample_index, text, text_tail, text_hash, "
    "stop, answer_sentence, answer, extracted_answer, correct, token_count, logprob, prompt, decoding, temperature, "
    "provenance, meta, import_id) VALUES ";
constexpr int kRationaleParams = 20;
// OR IGNORE: a statement that cannot abort half-way needs no statement journal, which SQLite otherwise opens for
// every insert into a table with indexes. The writer looked every instance up first and the readers checked split
// and kind, so a row left out is a bug, said as such (flushInstances).
constexpr const char* kInstanceColumns = "INSERT OR IGNORE INTO instances (id, task_id, ext_id, split, question, "
                                         "choices, gold, answer_kind, meta, import_id) VALUES ";
constexpr int kInstanceParams = 10;

// The multi-row INSERT for `rows` rows of `params` values: (?1, ..., ?n), (?n+1, ...), ...
std::string multiRowInsertSql(const char* columns, int params, size_t rows)
{
    std::string sql = columns;
    for (size_t r = 0; r < rows; ++r) {
        sql += r == 0 ? "(" : ", (";
        for (int c = 0; c < params; ++c) {
            if (c > 0)
                sql += ", ";
            sql += '?';
            sql += std::to_string(r * size_t(params) + size_t(c) + 1);
        }
        sql += ')';
    }
    return sql;
}

// Drops the FTS insert trigger for the caller's transaction and returns its definition.
std::string suspendFtsTrigger(Database& db)
{
    if (!db.inTransaction())
        throw Error(db.path() + ": an import must run inside a transaction");
    Statement st(db, "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'rationales_fts_insert'");
    if (!st.step())
        throw Error(db.path() + ": workspace has no full-text insert trigger (rationales_fts_insert)");
    std::string sql = st.string(0);
    st.reset();
    db.exec("DROP TRIGGER rationales_fts_insert");
    return sql;
}

} // namespace

ImportWriter::ImportWriter(Database& db, const std::string& path, const std::string& format)
    : m_db(db), m_triggerSql(suspendFtsTrigger(db)), m_findTask(db, "SELECT id FROM tasks WHERE name = ?1"),
      m_insertTask(db, "INSERT INTO tasks (name, answer_kind) VALUES (?1, ?2)"),
      m_findInstance(db, "SELECT i.id, i.split, i.question, i.choices, i.gold, i.answer_kind, i.meta, "
                         "coalesce(i.import_id, 0) "
                         "FROM instances i WHERE i.task_id = ?1 AND i.ext_id = ?2"),
      m_insertInstance(db, multiRowInsertSql(kInstanceColumns, kInstanceParams, 1)),
      m_insertInstances(db, multiRowInsertSql(kInstanceColumns, kInstanceParams, kRowsPerInsert)),
      m_fillMeta(db, "UPDATE instances SET meta = ?2 WHERE id = ?1 AND meta IS NULL"),
      m_insertRationale(db, multiRowInsertSql(kRationaleColumns, kRationaleParams, 1)),
      m_insertRationales(db, multiRowInsertSql(kRationaleColumns, kRationaleParams, kRowsPerInsert)),
      m_indexText(db, "INSERT INTO rationale_fts (rowid, thinking, answer) VALUES (?1, ?2, ?3)"),
      m_readTexts(db, "SELECT id, text FROM rationales WHERE id > ?1 AND id <= ?2 ORDER BY id"),
      m_countAdded(db, "SELECT count(*) FROM rationales WHERE instance_id = ?1 AND import_id = ?2")
{
    m_queue.reserve(kRowsPerInsert);
    m_instanceQueue.reserve(kRowsPerInsert); // never grows past: the rows are bound without copies
    Statement maxId(db, "SELECT coalesce(max(id), 0) FROM instances");
    maxId.step();
    m_nextInstanceId = maxId.int64(0) + 1;
    Statement st(db, "INSERT INTO imports (path, format, lines, instances, rationales) VALUES (?1, ?2, 0, 0, 0)");
    st.bind(1, path).bind(2, format).exec();
    m_importId = db.lastInsertRowId();
}

int64_t ImportWriter::taskId(const std::string& name, const std::string& answerKind)
{
    if (auto it = m_taskIds.find(name); it != m_taskIds.end())
        return it->second;
    int64_t id;
    m_findTask.bind(1, name);
    if (m_findTask.step()) {
        id = m_findTask.int64(0);
        m_findTask.reset();
    } else {
        m_findTask.reset();
        m_insertTask.bind(1, name).bind(2, answerKind).exec();
        id = m_db.lastInsertRowId();
        m_newTasks.insert(id);
    }
    m_taskIds.emplace(name, id);
    return id;
}

std::optional<InstanceRecord> ImportWriter::findInstance(int64_t taskId, const std::string& extId)
{
    flushInstances(); // the lookup sees the queued rows
    m_findInstance.bind(1, taskId).bind(2, extId);
    std::optional<InstanceRecord> found;
    if (m_findInstance.step()) {
        InstanceRecord r;
        r.id = m_findInstance.int64(0);
        r.extId = extId;
        r.split = m_findInstance.string(1);
        r.question = m_findInstance.string(2);
        r.choicesJson = m_findInstance.optString(3);
        r.gold = m_findInstance.string(4);
        r.answerKind = m_findInstance.string(5);
        r.metaJson = m_findInstance.optString(6);
        r.importId = m_findInstance.int64(7);
        found = std::move(r);
    }
    m_findInstance.reset();
    return found;
}

int64_t ImportWriter::insertInstance(int64_t taskId, InstanceRecord&& r)
{
    r.id = m_nextInstanceId++;
    m_instanceQueue.emplace_back(taskId, std::move(r));
    const int64_t id = m_instanceQueue.back().second.id;
    if (m_instanceQueue.size() == kRowsPerInsert)
        flushInstances();
    return id;
}

void ImportWriter::flushInstances()
{
    if (m_instanceQueue.empty())
        return;
    Statement& st = m_instanceQueue.size() == kRowsPerInsert ? m_insertInstances : m_insertInstance;
    const size_t rowsPerStatement = m_instanceQueue.size() == kRowsPerInsert ? kRowsPerInsert : 1;
    for (size_t first = 0; first < m_instanceQueue.size(); first += rowsPerStatement) {
        for (size_t k = 0; k < rowsPerStatement; ++k) {
            const auto& [taskId, r] = m_instanceQueue[first + k];
            const int p = int(k) * kInstanceParams;
            st.bind(p + 1, r.id)
                .bind(p + 2, taskId)
                .bindStatic(p + 3, r.extId)
                .bindStatic(p + 4, r.split)
                .bindStatic(p + 5, r.question)
                .bindStatic(p + 6, r.choicesJson)
                .bindStatic(p + 7, r.gold)
                .bindStatic(p + 8, r.answerKind)
                .bindStatic(p + 9, r.metaJson)
                .bind(p + 10, m_importId);
        }
        st.exec();
        if (size_t(m_db.changes()) != rowsPerStatement) {
            const InstanceRecord& r = m_instanceQueue[first].second;
            throw Error(m_db.path() + ": instances from (" + r.extId +
                        ") on were not all stored: one breaks a "
                        "constraint of the instances table (split, answer kind, or an id already taken)");
        }
    }
    m_instanceQueue.clear();
}

void ImportWriter::fillInstanceMeta(int64_t instanceId, const std::string& metaJson)
{
    flushInstances();
    m_fillMeta.bind(1, instanceId).bind(2, metaJson).exec();
}

void ImportWriter::addRationale(int64_t instanceId, const RationaleRecord& rationale)
{
    m_queue.emplace_back(instanceId, &rationale);
    if (m_queue.size() == kRowsPerInsert)
        flush();
}

void ImportWriter::flush()
{
    flushInstances(); // the rationales' instances first
    if (m_queue.size() == kRowsPerInsert) {
        insertQueued(m_insertRationales, 0, kRowsPerInsert);
    } else {
        for (size_t i = 0; i < m_queue.size(); ++i)
            insertQueued(m_insertRationale, i, 1);
    }
    m_queue.clear();
}

void ImportWriter::insertQueued(Statement& st, size_t first, size_t rows)
{
    // The queued records outlive step() and reset(): bind their strings without copies.
    for (size_t k = 0; k < rows; ++k) {
        const auto& [instanceId, record] = m_queue[first + k];
        const RationaleRecord& r = *record;
        const int p = int(k) * kRationaleParams;
        st.bind(p + 1, instanceId)
            .bindStatic(p + 2, r.sourceKind)
            .bindStatic(p + 3, r.model)
            .bind(p + 4, r.sampleIndex)
            .bindStatic(p + 5, r.text)
            .bindStatic(p + 6, r.textTail)
            .bind(p + 7, static_cast<int64_t>(r.textHash))
            .bindStatic(p + 8, r.stopJson)
            .bindStatic(p + 9, r.answerSentence)
            .bindStatic(p + 10, r.answer)
            .bindStatic(p + 11, r.extractedAnswer)
            .bind(p + 12, r.correct)
            .bind(p + 13, r.tokenCount)
            .bind(p + 14, r.logprob)
            .bindStatic(p + 15, r.prompt)
            .bindStatic(p + 16, r.decoding)
            .bind(p + 17, r.temperature)
            .bindStatic(p + 18, r.provenance)
            .bindStatic(p + 19, r.metaJson)
            .bind(p + 20, m_importId);
    }
    st.step();
    st.reset();
    const int added = m_db.changes();
    if (added == 0)
        return;
    m_added += added;
    // New rows get consecutive ids ending at the last one (ignored rows take none).
    const int64_t last = m_db.lastInsertRowId();
    if (size_t(added) == rows) {
        for (size_t k = 0; k < rows; ++k)
            indexText(last - int64_t(rows - 1 - k), m_queue[first + k].second->text);
        return;
    }
    // Some rows were already stored: which ones were added only the table knows.
    m_readTexts.bind(1, last - added).bind(2, last);
    while (m_readTexts.step())
        indexText(m_readTexts.int64(0), m_readTexts.text(1));
    m_readTexts.reset();
}

void ImportWriter::indexText(int64_t id, std::string_view text)
{
    const text::SearchColumns columns = text::searchColumns(text);
    m_indexText.bind(1, id);
    if (columns.thinking)
        m_indexText.bindStatic(2, *columns.thinking);
    else
        m_indexText.bindNull(2);
    m_indexText.bindStatic(3, columns.answer).exec();
}

int64_t ImportWriter::rationalesAdded()
{
    flush();
    return m_added;
}

int64_t ImportWriter::rationalesAddedTo(int64_t instanceId)
{
    flush();
    m_countAdded.bind(1, instanceId).bind(2, m_importId);
    m_countAdded.step();
    const int64_t n = m_countAdded.int64(0);
    m_countAdded.reset();
    return n;
}

void ImportWriter::finish(int64_t lines, int64_t instancesAdded)
{
    flush();
    m_db.exec(m_triggerSql);
    const int64_t rationalesAdded = m_added;
    if (instancesAdded == 0 && rationalesAdded == 0) {
        Statement(m_db, "DELETE FROM imports WHERE id = ?1").bind(1, m_importId).exec();
        return;
    }
    Statement(m_db, "UPDATE imports SET lines = ?2, instances = ?3, rationales = ?4 WHERE id = ?1")
        .bind(1, m_importId)
        .bind(2, lines)
        .bind(3, instancesAdded)
        .bind(4, rationalesAdded)
        .exec();
}

} // namespace cotlab::store
