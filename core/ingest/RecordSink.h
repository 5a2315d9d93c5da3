#pragma once

#include "answers/AnswerExtractor.h"
#include "ingest/InterchangeRecord.h"
#include "store/ImportWriter.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cotlab::ingest {

// A record the import left out because it was invalid (only with ImportOptions::keepGoodRecords).
struct RefusedRecord {
    std::string where; // "file:line", or "file: element N"
    std::string reason;
};

struct ImportReport {
    std::string path;
    std::string format;
    int64_t lines = 0;
    int64_t instancesAdded = 0;
    int64_t rationalesAdded = 0;
    int64_t rationalesAlreadyStored = 0;
    std::vector<std::string> warnings;
    std::vector<RefusedRecord> refused; // the first kMaxRefusedListed of them
    int64_t refusedCount = 0;
    static constexpr size_t kMaxRefusedListed = 100000;
};

// A record with the work that needs no database already done (on a reader thread): the rationale cut at its
// stop strings, hashed, and its answer extracted and compared under the record's own answer kind and choices.
struct PreparedRecord {
    InterchangeRecord record;
    int64_t line = 0;  // 1-based line in the file; 0 when the record is not from a line format
    std::string where; // how errors name the record when line is 0 ("file: element 12")
    std::string kind;  // answer kind the rationale fields were computed with
    std::optional<store::RationaleRecord> rationale; // sampleIndex still to be set
    // Instance comparison keys, computed off the writing thread.
    uint64_t questionHash = 0;
    std::string choicesKey;      // labels lower-cased
    std::string choicesExactKey; // as given
};

// Where every importer puts its records: resolves each record's instance (checking it against earlier lines
// of the file and against the workspace) and writes through ImportWriter, inside the importer's single
// transaction. Memory is bounded: past kMaxTrackedInstances the per-instance cache is dropped and the
// workspace itself answers (instances of this import included).
class RecordSink {
public:
    static constexpr size_t kMaxTrackedInstances = 65536;

    RecordSink(store::Database& db, std::string path, std::string format);

    // Thread-safe and free of database access.
    static void prepare(PreparedRecord& record);

    // The record's rationale is stored by reference: keep the record alive and unchanged until flush().
    void add(PreparedRecord& record, const std::string& path);
    // Convenience for formats read on the writing thread; 'where' names the record in errors. Keeps a copy.
    void add(const InterchangeRecord& record, const std::string& where);
    // Stores what add() queued; records given to add(PreparedRecord&) may be reused or freed afterwards.
    void flush();

    // Keeping good records: an invalid record is refused (listed in the report) and the import goes on.
    void setKeepGoodRecords(bool keep) { m_keepGood = keep; }
    bool keepsGoodRecords() const { return m_keepGood; }
    void refuse(const std::string& where, const std::string& reason);
    // add() that refuses the record instead of throwing, when keeping good records; false when refused.
    bool tryAdd(PreparedRecord& record, const std::string& path);
    bool tryAdd(const InterchangeRecord& record, const std::string& where);

    void finish(int64_t lines);
    ImportReport& report() { return m_report; } // counts of rationales are final after finish()

private:
    struct SeenInstance {
        int64_t instanceId = 0;
        bool fromWorkspace = false; // stored before this import
        int64_t firstLine = 0;      // the line of this file that first named it (line formats)
        std::string firstWhere;     // where it was first named, for formats without lines
        std::string split;
        uint64_t questionHash = 0;
        std::optional<std::string> goldNormalized; // made when a line gives the gold in other words (goldKeyOf)
        std::string choicesKey;                    // labels lower-cased
        std::string choicesExactKey;               // as stored
        std::string kind;
        int64_t nextSample = 0;
        std::string gold;
        std::vector<answers::Choice> choices;
        // Shared by instances of one kind and choices. An instance this import adds gets it when a later line needs
        // it (extractorOf): one trace per question never does, and choice tasks would build one per question.
        std::shared_ptr<const answers::AnswerExtractor> extractor;
    };

    // 'where' is only called to name the record in an error. Moves the question out of a record that adds its
    // instance.
    SeenInstance& resolve(PreparedRecord& record, const std::function<std::string()>& where);
    // The extractor for a kind and choices, shared: most tasks have one kind and no choices.
    std::shared_ptr<const answers::AnswerExtractor> extractorFor(const std::string& kind,
                                                                 const std::vector<answers::Choice>& choices,
                                                                 const std::string& choicesExactKey);
    const answers::AnswerExtractor& extractorOf(SeenInstance& s);
    const std::string& goldKeyOf(SeenInstance& s);
    std::string firstNamed(const SeenInstance& s) const;
    // Instances dropped from m_seen, as a Bloom filter (fixed size, allocated at the first eviction): a key it has
    // never held, of a task this import created, names a new instance without asking the workspace.
    void rememberEvicted();
    bool mayHaveBeenEvicted(const std::string& key) const;

    store::ImportWriter m_writer;
    ImportReport m_report;
    int64_t m_rationalesGiven = 0;       // rationales handed to the writer, stored or already there
    std::deque<PreparedRecord> m_copies; // records of add(const InterchangeRecord&) until they are stored
    std::unordered_map<std::string, SeenInstance> m_seen;
    std::unordered_map<std::string, std::shared_ptr<const answers::AnswerExtractor>> m_extractors;
    std::vector<uint64_t> m_evicted; // Bloom filter bits; empty until the first eviction
    std::string m_key;               // task and id of the line being resolved
    bool m_keepGood = false;
};

// Comparison key of a choices list; labels lower-cased unless exact.
std::string choicesKey(const std::vector<answers::Choice>& choices, bool exact = false);

} // namespace cotlab::ingest
