#pragma once

#include "ingest/RecordSink.h"
#include "jobs/Progress.h"

#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::ingest {

enum class ImportFormat {
    Auto,
    Interchange,           // rationale interchange JSONL
    Benchmark,             // Fine-tune-CoT benchmark JSON: [{question, answer[, rationale|reasoning]}]
    CommonsenseQaOfficial, // {id, question: {stem, choices}, answerKey} per line
    Chat,                  // conversation JSONL: {messages: [{role, content}]} or ShareGPT {conversations: [...]}
    OpenAiBatch,           // OpenAI Batch API output: {custom_id, response: {status_code, body}, error} per line
    Fields,                // JSONL of any shape, read through ImportOptions::fields (ingest/FieldMapping.h)
    ThoughtSource,         // ThoughtSource JSON: {dataset: {split: [{question, ..., generated_cot: [...]}]}}
    FineTuneCot,           // Fine-tune-CoT CompletionDataset JSON: {metadata, data: {sample_index: [completions]}}
    FaithfulCot,           // Faithful-CoT predictions.jsonl: {id, answer, completion, completions} per line
    ScotdPool,             // SCoTD data-pool JSON: {pool_id: [{prompt, response, score, index, rationale}]}
};

std::string_view toString(ImportFormat format);
std::optional<ImportFormat> importFormatFromString(std::string_view name);
// "auto, interchange, benchmark, ...": the names importFormatFromString takes.
std::string importFormatNames();
// Every format a file can be read as (Auto left out), in the order the CLI and the Import dialog list them.
std::vector<ImportFormat> importFormats();
// The one line that turns a Parquet file (how Hugging Face datasets are often published) into JSONL beside it.
std::string parquetToJsonlCommand(const std::string& path);

struct ImportOptions {
    ImportFormat format = ImportFormat::Auto;
    std::optional<std::string> task;       // benchmark and conversation files: task (default: from the file name);
                                           // batch output: the task custom_id is an id of (default: "<task>/<id>")
    std::optional<std::string> splitsFile; // benchmark and Fine-tune-CoT completion files: Fine-tune-CoT split indices
    std::optional<std::string> split;      // CommonsenseQA files: split (default: from the file name); conversation
                                           // files: the split of lines that name none (default: train)
    std::optional<std::string> teacher;    // conversation and batch files: the model where the file names none
    // "question=problem,gold=answer,...": which field is what (FieldMapping); given, it implies format Fields.
    std::optional<std::string> fields;
    // When no other connection has the workspace open, write with a rollback journal instead of the WAL (see
    // store::BulkLoadMode): faster, but a reader that opens the workspace meanwhile waits for the commit. The
    // GUI turns it off: its pages open connections while an import runs.
    bool rollbackJournalWhenAlone = true;
    // Off (the default): a file is imported whole or not at all. On: invalid records are left out and listed in
    // the report (file, line, reason); the valid ones are imported.
    bool keepGoodRecords = false;
};

// Writes the refused records of imports as CSV (file, line or element, reason) for a person to read and fix.
void writeRefusedReport(const std::string& path, const std::vector<ImportReport>& reports);

// Imports one file in one transaction: either everything in it is added, or (on an error, which names the
// file and line, or on a stop request) the workspace is left as it was.
class Importer {
public:
    static ImportFormat detectFormat(const std::string& path);
    // The first records of the file as an import with these options would read them (instances and rationales
    // with their answers, choices and splits as given by the file), or why each would be refused; nothing is
    // stored. A file that cannot be read at all gives one record with the reason.
    // With a workspace, records that join stored questions (batch output, Faithful-CoT predictions, SCoTD pools) show
    // the question, gold and split they would join, or are flagged when the workspace has no such instance.
    static std::vector<PreviewRecord> preview(const std::string& path, const ImportOptions& options, size_t maxRecords,
                                              store::Database* workspace = nullptr);
    static ImportReport importFile(store::Database& db, const std::string& path, const ImportOptions& options = {},
                                   const jobs::ProgressSink& progress = {}, const jobs::StopToken* stop = nullptr);

private:
    static std::vector<PreviewRecord> previewRecords(const std::string& path, const ImportOptions& options,
                                                     size_t maxRecords);
};

} // namespace cotlab::ingest
