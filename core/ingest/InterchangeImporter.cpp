#include "ingest/InterchangeImporter.h"

#include "ingest/InterchangeRecord.h"
#include "ingest/RecordSink.h"
#include "util/Error.h"
#include "util/LineReader.h"
#include "util/Text.h"

#include <cstdio>
#include <stdexcept>

namespace cotlab::ingest {

int64_t InterchangeImporter::run(const std::string& path, RecordSink& sink, const jobs::ProgressSink& progress,
                                 const jobs::StopToken* stop)
{
    LineReader reader(path);
    std::string_view line;
    int64_t records = 0;
    while (reader.next(line)) {
        const int64_t n = reader.lineNumber();
        const std::string where = path + ":" + std::to_string(n);
        if (const size_t bad = text::firstInvalidUtf8(line); bad != std::string_view::npos) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(line[bad]));
            throw Error(where + ": byte " + std::to_string(bad + 1) + " (" + hex +
                        ") is not valid UTF-8; the file must be UTF-8 encoded");
        }
        if (text::trim(line).empty())
            continue;
        InterchangeRecord record;
        try {
            record = InterchangeRecord::parse(line);
        } catch (const std::invalid_argument& e) {
            throw Error(where + ": " + e.what());
        }
        sink.add(record, where);
        ++records;
        if ((records & 4095) == 0) {
            if (stop && stop->stopRequested())
                throw jobs::Cancelled();
            if (progress)
                progress({"Importing " + path, reader.bytesRead(), reader.fileSize()});
        }
    }
    if (progress)
        progress({"Importing " + path, reader.bytesRead(), reader.fileSize()});
    return records;
}

} // namespace cotlab::ingest
