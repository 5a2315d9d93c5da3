#pragma once

#include "store/Database.h"
#include "store/Records.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace cotlab::store {

// The store side of an import: inserts tasks, instances and rationales inside the caller's transaction,
// and logs the import. Rationales already stored (same instance, model, sample index and text) are skipped.
//
// Built for bulk loads: rationales are queued by reference and inserted kRowsPerInsert at a time by one
// multi-row INSERT. The full-text insert trigger is dropped for the transaction and each new row is indexed
// by a single-row INSERT into rationale_fts from the queued text instead. FTS5 writes the terms it holds in
// memory as an index segment whenever a statement with a statement journal ends, which a trigger's insert is
// part of (so row-by-row indexing through the trigger made one tiny segment per statement and merged them
// again and again); a plain single-row INSERT has no statement journal, so the terms of the whole import
// accumulate up to FTS5's 'hashsize' and are written as a few large segments, and the rows are never read
// back. finish() creates the trigger again; without finish() the caller's rollback restores it.
class ImportWriter {
public:
    // Requires an open transaction on db.
    ImportWriter(Database& db, const std::string& path, const std::string& format);

    // The task's id, created with this answer kind if new.
    int64_t taskId(const std::string& name, const std::string& answerKind);
    int64_t importId() const { return m_importId; }
    std::optional<InstanceRecord> findInstance(int64_t taskId, const std::string& extId);
    // Queues the instance (written kRowsPerInsert at a time, and before any lookup or rationale) and returns the id
    // it will have: inside the import's transaction no other connection writes, so ids are handed out from the
    // largest stored one.
    int64_t insertInstance(int64_t taskId, InstanceRecord&& instance);
    // True when this import created the task: its only instances are the ones this import added.
    bool isNewTask(int64_t taskId) const { return m_newTasks.count(taskId) > 0; }
    // Adds meta to a stored instance that has none (a dataset row imported after its rationales).
    void fillInstanceMeta(int64_t instanceId, const std::string& metaJson);
    // Queues the rationale; it is stored unless an identical one is (see rationalesAdded()). The record is
    // bound without a copy: it must stay alive and unchanged until the next flush().
    void addRationale(int64_t instanceId, const RationaleRecord& rationale);
    // Stores the queued rationales.
    void flush();

    // Rationales this import added to the instance so far (for sample positions after a cache eviction).
    int64_t rationalesAddedTo(int64_t instanceId);
    // Rationales stored by this writer so far; the rest of those given to addRationale were already stored.
    int64_t rationalesAdded();

    // Stores what is queued, indexes the new rationales for full-text search, restores the insert trigger and
    // records counts in the import log (or drops the log row when the import added nothing).
    void finish(int64_t lines, int64_t instancesAdded);

    static constexpr size_t kRowsPerInsert = 32;

private:
    void insertQueued(Statement& statement, size_t first, size_t rows);
    void flushInstances();
    void indexText(int64_t id, std::string_view text);

    Database& m_db;
    std::string m_triggerSql; // the FTS insert trigger, dropped while this writer is open
    int64_t m_importId = 0;
    int64_t m_added = 0;
    std::vector<std::pair<int64_t, const RationaleRecord*>> m_queue;
    std::unordered_map<std::string, int64_t> m_taskIds;
    std::unordered_set<int64_t> m_newTasks;
    std::vector<std::pair<int64_t, InstanceRecord>> m_instanceQueue; // task id and instance
    int64_t m_nextInstanceId = 1;
    Statement m_findTask;
    Statement m_insertTask;
    Statement m_findInstance;
    Statement m_insertInstance;
    Statement m_insertInstances; // kRowsPerInsert rows
    Statement m_fillMeta;
    Statement m_insertRationale;
    Statement m_insertRationales; // kRowsPerInsert rows
    Statement m_indexText;        // one row into rationale_fts
    Statement m_readTexts;        // new rows of a partly ignored multi-row INSERT, to index them
    Statement m_countAdded;
};

} // namespace cotlab::store
