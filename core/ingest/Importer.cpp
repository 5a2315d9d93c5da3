#include "ingest/Importer.h"

#include "ingest/BenchmarkImporter.h"
#include "ingest/ChatImporter.h"
#include "ingest/CommonsenseQaImporter.h"
#include "ingest/FaithfulCotImporter.h"
#include "ingest/FieldMapping.h"
#include "ingest/FineTuneCotImporter.h"
#include "ingest/InterchangeImporter.h"
#include "ingest/JsonDocument.h"
#include "ingest/OpenAiBatchImporter.h"
#include "ingest/ScotdPoolImporter.h"
#include "ingest/ThoughtSourceImporter.h"
#include "store/Database.h"
#include "util/Error.h"
#include "util/LineReader.h"
#include "util/Text.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cotlab::ingest {

std::string_view toString(ImportFormat format)
{
    switch (format) {
    case ImportFormat::Auto:
        return "auto";
    case ImportFormat::Interchange:
        return "interchange";
    case ImportFormat::Benchmark:
        return "benchmark";
    case ImportFormat::CommonsenseQaOfficial:
        return "commonsense_qa";
    case ImportFormat::Chat:
        return "chat";
    case ImportFormat::OpenAiBatch:
        return "openai_batch";
    case ImportFormat::Fields:
        return "fields";
    case ImportFormat::ThoughtSource:
        return "thoughtsource";
    case ImportFormat::FineTuneCot:
        return "finetune_cot";
    case ImportFormat::FaithfulCot:
        return "faithful_cot";
    case ImportFormat::ScotdPool:
        return "scotd_pool";
    }
    return "auto";
}

namespace {
constexpr ImportFormat kFormats[] = {
    ImportFormat::Auto,        ImportFormat::Interchange, ImportFormat::Benchmark, ImportFormat::CommonsenseQaOfficial,
    ImportFormat::Chat,        ImportFormat::OpenAiBatch, ImportFormat::Fields,    ImportFormat::ThoughtSource,
    ImportFormat::FineTuneCot, ImportFormat::FaithfulCot, ImportFormat::ScotdPool};
}

std::optional<ImportFormat> importFormatFromString(std::string_view name)
{
    for (ImportFormat f : kFormats)
        if (toString(f) == name)
            return f;
    return std::nullopt;
}

std::vector<ImportFormat> importFormats()
{
    return {std::begin(kFormats) + 1, std::end(kFormats)};
}

std::string importFormatNames()
{
    std::string out;
    for (size_t k = 0; k < std::size(kFormats); ++k)
        out += std::string(k == 0                         ? ""
                           : k + 1 == std::size(kFormats) ? " or "
                                                          : ", ") +
               std::string(toString(kFormats[k]));
    return out;
}

std::string parquetToJsonlCommand(const std::string& path)
{
    std::string out = path;
    if (out.size() > 8 && out.ends_with(".parquet"))
        out.resize(out.size() - 8);
    out += ".jsonl";
    return "python3 -c \"import pandas; pandas.read_parquet('" + path + "').to_json('" + out +
           "', orient='records', lines=True, force_ascii=False)\"";
}

namespace {

LineDefaults lineDefaults(const std::string& path, const ImportOptions& options)
{
    return {options.task.value_or(std::filesystem::path(path).stem().string()), options.split.value_or("train"),
            options.teacher.value_or(""), std::filesystem::path(path).filename().string()};
}

BatchLineOptions batchLineOptions(const std::string& path, const ImportOptions& options)
{
    return {options.task, options.teacher.value_or(""), std::filesystem::path(path).filename().string()};
}

FieldMapping fieldMappingOf(const ImportOptions& options)
{
    if (!options.fields)
        throw Error("the fields format reads a field mapping: give it (cotlab-cli import --fields "
                    "question=...,gold=...; the Import dialog's Fields)");
    return FieldMapping::parse(*options.fields);
}

// How a line of a JSONL format becomes records: one table for the import and its preview. nullopt for the formats
// read otherwise (benchmark JSON arrays, CommonsenseQA's lines, which take their split from the file name).
std::optional<LineParser> lineParserOf(ImportFormat format, const std::string& path, const ImportOptions& options)
{
    switch (format) {
    case ImportFormat::Interchange:
        return LineParser([](std::string_view line, std::vector<InterchangeRecord>& out) {
            out.push_back(InterchangeRecord::parse(line));
        });
    case ImportFormat::Chat:
        return LineParser(
            [defaults = lineDefaults(path, options)](std::string_view line, std::vector<InterchangeRecord>& out) {
                ChatImporter::parseLine(line, defaults, out);
            });
    case ImportFormat::Fields:
        return LineParser([mapping = fieldMappingOf(options), defaults = lineDefaults(path, options)](
                              std::string_view line, std::vector<InterchangeRecord>& out) {
            parseMappedLine(line, mapping, defaults, out);
        });
    case ImportFormat::OpenAiBatch:
        return LineParser(
            [batch = batchLineOptions(path, options)](std::string_view line, std::vector<InterchangeRecord>& out) {
                OpenAiBatchImporter::parseLine(line, batch, out);
            });
    case ImportFormat::FaithfulCot: {
        FaithfulCotLineOptions faithful = FaithfulCotImporter::optionsFromPath(path);
        if (options.task)
            faithful.task = *options.task;
        if (options.teacher)
            faithful.teacher = *options.teacher;
        return LineParser([faithful](std::string_view line, std::vector<InterchangeRecord>& out) {
            FaithfulCotImporter::parseLine(line, faithful, out);
        });
    }
    case ImportFormat::Auto:
    case ImportFormat::Benchmark:
    case ImportFormat::CommonsenseQaOfficial:
    case ImportFormat::ThoughtSource:
    case ImportFormat::FineTuneCot:
    case ImportFormat::ScotdPool:
        break;
    }
    return std::nullopt;
}

// Reads a JSON document format's elements into a DocumentSink; std::invalid_argument for a document that is not of
// the format (the caller names the file).
using DocumentReader = std::function<void(const DocumentSink&)>;

// How a JSON document format is read: one table for the import and its preview; nullopt for the other formats.
std::optional<DocumentReader> documentReaderOf(ImportFormat format, const std::string& path,
                                               const ImportOptions& options)
{
    const std::string fileName = std::filesystem::path(path).filename().string();
    // A reader of the file's stream, opened when the import or preview runs.
    auto streamed = [&path](std::function<void(std::istream&, const DocumentSink&)> readStream) {
        return DocumentReader([path, readStream = std::move(readStream)](const DocumentSink& sink) {
            std::ifstream in(path, std::ios::binary);
            if (!in)
                throw std::invalid_argument("cannot open the file");
            readStream(in, sink);
        });
    };
    if (format == ImportFormat::ThoughtSource)
        return streamed([task = options.task, fileName](std::istream& in, const DocumentSink& sink) {
            ThoughtSourceImporter::read(in, task, fileName, sink);
        });
    if (format == ImportFormat::ScotdPool)
        return streamed(
            [task = options.task, teacher = options.teacher, fileName](std::istream& in, const DocumentSink& sink) {
                ScotdPoolImporter::read(in, task, teacher, fileName, sink);
            });
    if (format == ImportFormat::FineTuneCot) {
        FineTuneCotImporter::Options o{options.task, options.teacher, {}, fileName};
        if (options.splitsFile)
            o.splits = BenchmarkImporter::readSplitFile(*options.splitsFile);
        return DocumentReader(
            [path, o = std::move(o)](const DocumentSink& sink) { FineTuneCotImporter::read(path, o, sink); });
    }
    return std::nullopt;
}

// Stores a document's records: each element's, or (an element refused) the import stops naming it, or, keeping good
// records, it is listed and left out. Returns the number of elements read and not refused.
int64_t runDocument(const std::string& path, const DocumentReader& readDocument, RecordSink& sink,
                    const jobs::ProgressSink& progress, const jobs::StopToken* stop)
{
    int64_t elements = 0, read = 0;
    try {
        readDocument([&](const std::string& place, std::vector<InterchangeRecord>& records, const std::string& error) {
            const std::string where = path + ": " + place;
            if (!error.empty()) {
                if (!sink.keepsGoodRecords())
                    throw Error(where + ": " + error);
                sink.refuse(where, error);
            } else {
                bool added = true;
                for (const InterchangeRecord& r : records)
                    added = sink.tryAdd(r, where) && added;
                elements += added;
            }
            if ((++read & 255) == 0) {
                if (stop && stop->stopRequested())
                    throw jobs::Cancelled();
                if (progress)
                    progress({"Importing " + path + " (" + std::to_string(read) + " records)", 0, 0});
            }
        });
    } catch (const std::invalid_argument& e) {
        throw Error(path + ": " + e.what());
    }
    return elements;
}

ImportFormat formatOf(const std::string& path, const ImportOptions& options)
{
    if (options.format != ImportFormat::Auto)
        return options.format;
    return options.fields ? ImportFormat::Fields : Importer::detectFormat(path);
}

// The first records of a document as its import would read them.
std::vector<PreviewRecord> previewDocument(const DocumentReader& read, size_t maxRecords)
{
    std::vector<PreviewRecord> out;
    struct Enough {};
    try {
        read([&](const std::string& place, std::vector<InterchangeRecord>& records, const std::string& error) {
            if (!error.empty())
                out.push_back({place, std::nullopt, place + ": " + error});
            for (InterchangeRecord& r : records)
                out.push_back({place, std::move(r), {}});
            if (out.size() >= maxRecords)
                throw Enough{};
        });
    } catch (const Enough&) {
    } catch (const std::invalid_argument& e) {
        out.push_back({"", std::nullopt, e.what()});
    }
    return out;
}

} // namespace

ImportFormat Importer::detectFormat(const std::string& path)
{
    {
        // Hugging Face datasets often come as Parquet; Debian ships no C++ reader for it (no Arrow).
        char magic[4] = {};
        std::ifstream in(path, std::ios::binary);
        if (in.read(magic, 4) && std::string_view(magic, 4) == "PAR1")
            throw Error(path +
                        ": a Parquet file; CoTLab reads JSONL (Debian has no Parquet reader for C++). "
                        "Convert it with: " +
                        parquetToJsonlCommand(path));
    }
    if (const JsonDocumentSniff sniff = sniffJsonDocument(path); !sniff.firstElement.is_null()) {
        if (ThoughtSourceImporter::isThoughtSource(sniff))
            return ImportFormat::ThoughtSource;
        if (FineTuneCotImporter::isCompletionDataset(sniff))
            return ImportFormat::FineTuneCot;
        if (ScotdPoolImporter::isDataPool(sniff))
            return ImportFormat::ScotdPool;
    }
    LineReader reader(path);
    std::string_view line;
    while (reader.next(line)) {
        const std::string_view t = text::trim(line);
        if (t.empty())
            continue;
        if (t.front() == '[')
            return ImportFormat::Benchmark;
        if (t.front() != '{')
            break;
        const auto obj = nlohmann::json::parse(t.begin(), t.end(), nullptr, false);
        if (!obj.is_object()) {
            // A pretty-printed JSON document or a broken first line: let the line importer report it.
            return ImportFormat::Interchange;
        }
        if (obj.contains("answerKey") || (obj.contains("question") && obj["question"].is_object()))
            return ImportFormat::CommonsenseQaOfficial;
        if (ChatImporter::isConversation(obj))
            return ImportFormat::Chat;
        if (OpenAiBatchImporter::isBatchOutput(obj))
            return ImportFormat::OpenAiBatch;
        if (FaithfulCotImporter::isPredictionsLine(obj))
            return ImportFormat::FaithfulCot;
        if (obj.contains("question") && obj.contains("answer") && !obj.contains("task"))
            throw Error(path + ": looks like a single benchmark record; benchmark files are a JSON array");
        return ImportFormat::Interchange;
    }
    if (reader.lineNumber() == 0 || reader.bytesRead() == 0)
        throw Error(path + ": file is empty");
    bool onlyBlank = true;
    {
        LineReader again(path);
        while (again.next(line))
            if (!text::trim(line).empty())
                onlyBlank = false;
    }
    if (onlyBlank)
        throw Error(path + ": file holds no records (only blank lines)");
    throw Error(path +
                ": unrecognised format: expected rationale interchange JSONL, a benchmark JSON array, "
                "CommonsenseQA JSONL, conversation JSONL (messages or conversations), OpenAI Batch output, "
                "ThoughtSource JSON, a Fine-tune-CoT completion file, Faithful-CoT predictions or a SCoTD data pool");
}

ImportReport Importer::importFile(store::Database& db, const std::string& path, const ImportOptions& options,
                                  const jobs::ProgressSink& progress, const jobs::StopToken* stop)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw Error(path + ": no such file");
    const ImportFormat format = formatOf(path, options);

    store::BulkLoadMode bulk(db, options.rollbackJournalWhenAlone);
    store::Transaction tx(db);
    RecordSink sink(db, path, std::string(toString(format)));
    sink.setKeepGoodRecords(options.keepGoodRecords);
    int64_t records = 0;
    if (const auto parse = lineParserOf(format, path, options))
        records = InterchangeImporter::runLines(path, *parse, sink, progress, stop);
    else if (const auto read = documentReaderOf(format, path, options))
        records = runDocument(path, *read, sink, progress, stop);
    else if (format == ImportFormat::Benchmark)
        records = BenchmarkImporter::run(path, options, sink, progress, stop);
    else if (format == ImportFormat::CommonsenseQaOfficial)
        records = CommonsenseQaImporter::run(path, options, sink, progress, stop);
    if (records == 0 && sink.report().refusedCount > 0)
        throw Error(path + ": every record was refused (" + std::to_string(sink.report().refusedCount) +
                    "); the first: " + sink.report().refused.front().where + ": " +
                    sink.report().refused.front().reason);
    if (records == 0)
        throw Error(path + ": file holds no records");
    sink.finish(records);
    tx.commit();
    return sink.report();
}

namespace {

// The stored instance a joined record names, filled in (or the record flagged) for the preview.
void joinForPreview(store::Database& db, std::vector<PreviewRecord>& records)
{
    store::Statement find(db, "SELECT i.question, i.gold, i.split FROM instances i JOIN tasks t ON t.id = i.task_id "
                              "WHERE t.name = ?1 AND i.ext_id = ?2");
    for (PreviewRecord& p : records) {
        if (!p.record || !p.record->joinStored)
            continue;
        InterchangeRecord& r = *p.record;
        find.reset();
        find.bind(1, r.task).bind(2, r.id);
        if (find.step()) {
            r.question = find.string(0);
            r.gold = find.string(1);
            r.split = find.string(2);
        } else {
            p.error = p.place + ": (" + r.task + ", " + r.id +
                      ") is not in the workspace: import its questions first (this format holds none)";
        }
    }
}

} // namespace

std::vector<PreviewRecord> Importer::preview(const std::string& path, const ImportOptions& options, size_t maxRecords,
                                             store::Database* workspace)
{
    std::vector<PreviewRecord> out = previewRecords(path, options, maxRecords);
    if (workspace) {
        try {
            joinForPreview(*workspace, out);
        } catch (const Error&) { // a workspace that cannot be read: the preview without the join
        }
    }
    return out;
}

std::vector<PreviewRecord> Importer::previewRecords(const std::string& path, const ImportOptions& options,
                                                    size_t maxRecords)
{
    std::vector<PreviewRecord> out;
    try {
        const ImportFormat format = formatOf(path, options);
        if (format == ImportFormat::Benchmark)
            return BenchmarkImporter::preview(path, options, maxRecords);
        if (const auto read = documentReaderOf(format, path, options))
            return previewDocument(*read, maxRecords);
        const std::string split = options.split.value_or(CommonsenseQaImporter::splitFromPath(path));
        const std::string task = options.task.value_or("commonsense_qa");
        const auto parse = lineParserOf(format, path, options); // every other line format
        LineReader reader(path, LineReader::kDefaultMaxLineBytes, /*requireUtf8=*/true);
        std::string_view line;
        while (out.size() < maxRecords && reader.next(line)) {
            if (text::trim(line).empty())
                continue;
            PreviewRecord p;
            p.place = "line " + std::to_string(reader.lineNumber());
            try {
                if (parse) {
                    std::vector<InterchangeRecord> records;
                    (*parse)(line, records);
                    p.record = std::move(records.front()); // batch output: the first sample
                } else {
                    p.record = CommonsenseQaImporter::readLine(line, p.place, task, split);
                }
            } catch (const std::invalid_argument& e) {
                p.error = p.place + ": " + e.what();
            } catch (const Error& e) {
                p.error = e.what();
            }
            out.push_back(std::move(p));
        }
    } catch (const Error& e) { // unreadable, undetectable, or a line that is not UTF-8
        out.push_back({"", std::nullopt, e.what()});
    }
    return out;
}

void writeRefusedReport(const std::string& path, const std::vector<ImportReport>& reports)
{
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw Error(path + ": cannot write the report of refused records");
    auto quoted = [](const std::string& text) {
        std::string q = "\"";
        for (char c : text)
            q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    };
    out << "file,record,reason\n";
    for (const auto& report : reports)
        for (const auto& r : report.refused) {
            // where is "file:line" or "file: element N": the record is what follows the file's name
            std::string record = r.where.substr(std::min(r.where.size(), report.path.size()));
            while (!record.empty() && (record.front() == ':' || record.front() == ' '))
                record.erase(record.begin());
            out << quoted(report.path) << ',' << quoted(record) << ',' << quoted(r.reason) << '\n';
        }
    if (!out.flush())
        throw Error(path + ": write failed (disk full?)");
}

} // namespace cotlab::ingest
