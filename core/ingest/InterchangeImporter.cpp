#include "ingest/InterchangeImporter.h"

#include "ingest/InterchangeRecord.h"
#include "ingest/RecordSink.h"
#include "util/BoundedQueue.h"
#include "util/Error.h"
#include "util/LineReader.h"
#include "util/Text.h"

#include <atomic>
#include <exception>
#include <pthread.h>
#include <stdexcept>
#include <thread>

namespace cotlab::ingest {

namespace {

constexpr size_t kBatchRecords = 512;
constexpr size_t kQueuedBatches = 8; // bounds memory: at most ~4k records in flight

struct Batch {
    std::vector<PreparedRecord> records;
    uint64_t bytesRead = 0;
    uint64_t fileSize = 0;
    std::exception_ptr error;           // the reader failed after the records above
    std::vector<RefusedRecord> refused; // lines left out (keeping good records)
    bool last = false;
};

// The next batch to fill: one the writer has finished with when there is one, so that its records are freed
// on this thread, which allocated them (glibc frees another thread's memory through that arena's lock, which
// made the two threads wait on each other), and its vector's room is used again.
Batch nextBatch(BoundedQueue<Batch>& done, uint64_t fileSize)
{
    Batch batch;
    if (std::optional<Batch> used = done.tryPop()) {
        batch.records = std::move(used->records);
        batch.records.clear();
        batch.refused = std::move(used->refused);
        batch.refused.clear();
    }
    batch.fileSize = fileSize;
    return batch;
}

// Reads, validates, parses and prepares records (answer extraction included) on its own thread, so that the
// writing thread only resolves instances and inserts. Batches come back through 'done' to be reused.
void readRecords(const std::string& path, const LineParser& parse, bool keepGood, BoundedQueue<Batch>& queue,
                 BoundedQueue<Batch>& done)
{
    pthread_setname_np(pthread_self(), "cotlab-reader");
    Batch batch;
    try {
        LineReader reader(path, LineReader::kDefaultMaxLineBytes, /*requireUtf8=*/true);
        batch.fileSize = reader.fileSize();
        std::string_view line;
        std::vector<InterchangeRecord> parsed;
        while (reader.next(line)) {
            const int64_t n = reader.lineNumber();
            if (text::trim(line).empty())
                continue;
            parsed.clear();
            try {
                parse(line, parsed);
            } catch (const FailedRequest& e) {
                batch.refused.push_back({path + ":" + std::to_string(n), e.what()});
                continue;
            } catch (const std::invalid_argument& e) {
                if (!keepGood)
                    throw Error(path + ":" + std::to_string(n) + ": " + e.what());
                batch.refused.push_back({path + ":" + std::to_string(n), e.what()});
                continue;
            }
            for (InterchangeRecord& record : parsed) {
                PreparedRecord& rec = batch.records.emplace_back();
                rec.line = n;
                rec.record = std::move(record);
                RecordSink::prepare(rec);
            }
            if (batch.records.size() >= kBatchRecords) {
                batch.bytesRead = reader.bytesRead();
                const uint64_t size = batch.fileSize;
                if (!queue.push(std::move(batch)))
                    return; // the writer gave up
                batch = nextBatch(done, size);
            }
        }
        batch.bytesRead = reader.bytesRead();
    } catch (...) {
        batch.error = std::current_exception();
    }
    batch.last = true;
    queue.push(std::move(batch));
}

} // namespace

int64_t InterchangeImporter::runLines(const std::string& path, const LineParser& parse, RecordSink& sink,
                                      const jobs::ProgressSink& progress, const jobs::StopToken* stop)
{
    BoundedQueue<Batch> queue(kQueuedBatches);
    BoundedQueue<Batch> done(kQueuedBatches);
    std::thread reader([&, keep = sink.keepsGoodRecords()] { readRecords(path, parse, keep, queue, done); });
    struct Joiner {
        BoundedQueue<Batch>& queue;
        std::thread& thread;
        ~Joiner()
        {
            queue.close();
            thread.join();
        }
    } joiner{queue, reader};

    int64_t records = 0;
    for (;;) {
        std::optional<Batch> batch = queue.pop();
        if (!batch)
            break;
        for (const auto& r : batch->refused)
            sink.refuse(r.where, r.reason);
        for (PreparedRecord& rec : batch->records)
            records += sink.tryAdd(rec, path);
        sink.flush(); // the batch's records are stored: they may go
        if (batch->error)
            std::rethrow_exception(batch->error);
        if (stop && stop->stopRequested())
            throw jobs::Cancelled();
        if (progress)
            progress({"Importing " + path, batch->bytesRead, batch->fileSize});
        if (batch->last)
            break;
        done.tryPush(*batch); // when full, the batch is freed here
    }
    return records;
}

} // namespace cotlab::ingest
