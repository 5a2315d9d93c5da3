#pragma once

#include "jobs/Progress.h"

#include <cstdint>
#include <optional>
#include <string>

namespace cotlab::store {
class Database;
}

namespace cotlab::ingest {

struct ExportReport {
    int64_t lines = 0;
    int64_t instances = 0;
    int64_t rationales = 0;
};

// Writes the workspace (or one task) as rationale interchange JSONL such that importing the file into an
// empty workspace gives the same store. Each rationale line carries the final `answer` and a boolean
// `correct`; an instance without rationales, or with instance-level meta, gets a line without `rationale`.
// The file is written under a temporary name and renamed when complete.
class InterchangeExporter {
public:
    static ExportReport exportJsonl(store::Database& db, const std::string& outPath,
                                    const std::optional<std::string>& task = std::nullopt,
                                    const jobs::ProgressSink& progress = {}, const jobs::StopToken* stop = nullptr);
};

} // namespace cotlab::ingest
