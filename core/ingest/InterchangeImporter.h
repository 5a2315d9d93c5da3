#pragma once

#include "ingest/InterchangeRecord.h"
#include "jobs/Progress.h"

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::ingest {

class RecordSink;

// A line that holds no record by its source's own account (a request the API reports as failed): listed with the
// refused records, and the import goes on even when it is all or nothing.
class FailedRequest : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// The records of one line of a JSONL format, appended to 'out'; std::invalid_argument with the reason (the
// caller names the file and line). Called on the reader thread.
using LineParser = std::function<void(std::string_view line, std::vector<InterchangeRecord>& out)>;

// Streams a JSONL file into a sink: a reader thread reads, parses and prepares the records (answers extracted),
// the calling thread stores them. Blank lines are skipped; anything else that is not valid is an Error naming the
// file and line (or, keeping good records, refused).
class InterchangeImporter {
public:
    // Returns the number of records read.
    static int64_t runLines(const std::string& path, const LineParser& parse, RecordSink& sink,
                            const jobs::ProgressSink& progress, const jobs::StopToken* stop);
};

} // namespace cotlab::ingest
