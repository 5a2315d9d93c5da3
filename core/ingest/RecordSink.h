#pragma once

#include "answers/AnswerExtractor.h"
#include "ingest/InterchangeRecord.h"
#include "store/ImportWriter.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace cotlab::ingest {

struct ImportReport {
    std::string path;
    std::string format;
    int64_t lines = 0;
    int64_t instancesAdded = 0;
    int64_t rationalesAdded = 0;
    int64_t rationalesAlreadyStored = 0;
    std::vector<std::string> warnings;
};

// Where every importer puts its records: resolves each record's instance (checking it against earlier lines
// of the file and against the workspace), cuts rationales at their stop strings, extracts and compares
// answers, and writes through ImportWriter. All inside the importer's single transaction.
class RecordSink {
public:
    RecordSink(store::Database& db, std::string path, std::string format);

    // 'where' names the record in errors: "file:line" for line formats, "file: element 12" for arrays.
    void add(const InterchangeRecord& record, const std::string& where);
    void finish(int64_t lines);
    ImportReport& report() { return m_report; }

private:
    struct SeenInstance {
        int64_t instanceId = 0;
        std::string firstWhere;
        std::string split;
        uint64_t questionHash = 0;
        std::string goldNormalized;
        std::string choicesKey;
        int64_t nextSample = 0;
        std::string gold;
        std::shared_ptr<answers::AnswerExtractor> extractor;
    };

    SeenInstance& resolve(const InterchangeRecord& record, const std::string& where);
    std::string inferKind(const InterchangeRecord& record) const;

    store::ImportWriter m_writer;
    ImportReport m_report;
    std::unordered_map<std::string, SeenInstance> m_seen;
};

// Canonical comparison key of a choices list: labels lower-cased, texts as given.
std::string choicesKey(const std::vector<answers::Choice>& choices);

} // namespace cotlab::ingest
