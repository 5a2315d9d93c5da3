#include "ingest/Importer.h"

#include "ingest/BenchmarkImporter.h"
#include "ingest/CommonsenseQaImporter.h"
#include "ingest/InterchangeImporter.h"
#include "store/Database.h"
#include "util/Error.h"
#include "util/LineReader.h"
#include "util/Text.h"

#include <cstdio>
#include <filesystem>
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
    }
    return "auto";
}

std::optional<ImportFormat> importFormatFromString(std::string_view name)
{
    for (ImportFormat f :
         {ImportFormat::Auto, ImportFormat::Interchange, ImportFormat::Benchmark, ImportFormat::CommonsenseQaOfficial})
        if (toString(f) == name)
            return f;
    return std::nullopt;
}

ImportFormat Importer::detectFormat(const std::string& path)
{
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
    throw Error(path + ": unrecognised format: expected rationale interchange JSONL, a benchmark JSON array or "
                       "CommonsenseQA JSONL");
}

ImportReport Importer::importFile(store::Database& db, const std::string& path, const ImportOptions& options,
                                  const jobs::ProgressSink& progress, const jobs::StopToken* stop)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw Error(path + ": no such file");
    const ImportFormat format = options.format == ImportFormat::Auto ? detectFormat(path) : options.format;

    store::BulkLoadMode bulk(db, options.rollbackJournalWhenAlone);
    store::Transaction tx(db);
    RecordSink sink(db, path, std::string(toString(format)));
    int64_t records = 0;
    switch (format) {
    case ImportFormat::Interchange:
        records = InterchangeImporter::run(path, sink, progress, stop);
        break;
    case ImportFormat::Benchmark:
        records = BenchmarkImporter::run(path, options, sink, progress, stop);
        break;
    case ImportFormat::CommonsenseQaOfficial:
        records = CommonsenseQaImporter::run(path, options, sink, progress, stop);
        break;
    case ImportFormat::Auto:
        break;
    }
    if (records == 0)
        throw Error(path + ": file holds no records");
    sink.finish(records);
    tx.commit();
    return sink.report();
}

} // namespace cotlab::ingest
