#pragma once

#include "ingest/InterchangeRecord.h"
#include "jobs/Progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cotlab::ingest {

class RecordSink;

// Streams a rationale interchange JSONL file into a sink. Blank lines are skipped; anything else that is
// not a valid record is an Error naming the file and line.
class InterchangeImporter {
public:
    // Returns the number of records read.
    static int64_t run(const std::string& path, RecordSink& sink, const jobs::ProgressSink& progress,
                       const jobs::StopToken* stop);
};

} // namespace cotlab::ingest
