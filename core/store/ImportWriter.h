#pragma once

#include "store/Database.h"
#include "store/Records.h"

#include <optional>
#include <string>
#include <unordered_map>

namespace cotlab::store {

// The store side of an import: inserts tasks, instances and rationales inside the caller's transaction,
// and logs the import. Rationales already stored (same instance, model, sample index and text) are skipped.
class ImportWriter {
public:
    ImportWriter(Database& db, const std::string& path, const std::string& format);

    // The task's id, created with this answer kind if new.
    int64_t taskId(const std::string& name, const std::string& answerKind);
    int64_t importId() const { return m_importId; }
    std::optional<InstanceRecord> findInstance(int64_t taskId, const std::string& extId);
    int64_t insertInstance(int64_t taskId, const InstanceRecord& instance);
    // Adds meta to a stored instance that has none (a dataset row imported after its rationales).
    void fillInstanceMeta(int64_t instanceId, const std::string& metaJson);
    // True if the rationale was new.
    bool insertRationale(int64_t instanceId, const RationaleRecord& rationale);

    // Rationales this import added to the instance so far (for sample positions after a cache eviction).
    int64_t rationalesAddedTo(int64_t instanceId);

    // Indexes the remaining new rationales for full-text search, records counts in the import log (or drops
    // the log row when the import added nothing) and clears the bulk-import flag.
    void finish(int64_t lines, int64_t instancesAdded, int64_t rationalesAdded);

private:
    void indexPending();

    static constexpr int64_t kIndexBatch = 16384;
    Database& m_db;
    int64_t m_importId = 0;
    int64_t m_indexedUpTo = 0; // rationale ids above this are not yet in rationale_fts
    int64_t m_lastInserted = 0;
    int64_t m_pending = 0;
    std::unordered_map<std::string, int64_t> m_taskIds;
    Statement m_findTask;
    Statement m_insertTask;
    Statement m_findInstance;
    Statement m_insertInstance;
    Statement m_fillMeta;
    Statement m_insertRationale;
    Statement m_indexRange;
    Statement m_countAdded;
};

} // namespace cotlab::store
