// Import benchmark: builds an interchange file of N rationales (default 1,000,000) from the real teacher files
// in ../shared (SCoTD-like: 30 samples per instance, instances cycling over the real ones, texts taken in
// turn from each real instance's samples) and imports it into a fresh workspace with the FTS index built.
// Prints rationales per second and peak resident memory.
//
//   bench_import [--rationales N] [--samples-per-instance K] [--keep FILE] [--write-only FILE] [--store-only]
//
// --store-only times the store's share alone: the same lines (one per question), already parsed and prepared,
// written through ImportWriter inside one import transaction as the import writes them (instance rows, rationale
// rows, the full-text index), with no reading, parsing or instance checks. It is the floor the writing thread
// cannot go under while every line needs its own instance, rationale and index entry on one connection.
#include "ingest/Importer.h"
#include "ingest/RecordSink.h"
#include "store/ImportWriter.h"
#include "store/StatsRepository.h"
#include "store/Workspace.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/resource.h>
#include <vector>

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

long peakRssMiB()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

struct RealInstance {
    json base;                         // instance fields
    std::vector<json> rationaleFields; // rationale fields of each real sample
};

std::vector<RealInstance> loadReal(const fs::path& shared)
{
    std::vector<RealInstance> out;
    std::map<std::string, size_t> index;
    const char* files[] = {"data/teacher/codex-least-to-most-40x/date_mmddyyyy.jsonl",
                           "data/teacher/palm-few-shot-cot/commonsense_qa.jsonl",
                           "data/teacher/zero-shot-cot-davinci002/commonsense_qa.jsonl",
                           "data/teacher/zero-shot-cot-davinci002/strategy_qa.jsonl",
                           "data/teacher/zero-shot-cot-davinci002/multiarith.jsonl",
                           "data/teacher/zero-shot-cot-davinci002/last_letter_concatenation.jsonl",
                           "data/teacher/zero-shot-cot-davinci002/coin_flip.jsonl",
                           "data/teacher/zero-shot-cot-davinci002/date_understanding.jsonl"};
    for (const char* f : files) {
        std::ifstream in(shared / f);
        if (!in)
            throw std::runtime_error(std::string("cannot read ") + (shared / f).string());
        std::string line;
        while (std::getline(in, line)) {
            json r = json::parse(line);
            const std::string key = r["task"].get<std::string>() + "/" + r["id"].get<std::string>();
            json rat;
            for (const char* k :
                 {"rationale", "answer_sentence", "answer", "stop", "teacher", "prompt", "decoding", "source"})
                if (r.contains(k))
                    rat[k] = r[k];
            for (const char* k : {"rationale", "answer_sentence", "answer", "stop", "teacher", "prompt", "decoding",
                                  "source", "sample"})
                r.erase(k);
            auto [it, fresh] = index.emplace(key, out.size());
            if (fresh)
                out.push_back({r, {}});
            out[it->second].rationaleFields.push_back(std::move(rat));
        }
    }
    return out;
}

// The real instances' first samples as the import prepares them (answers extracted, text hashed).
std::vector<cotlab::ingest::PreparedRecord> preparedLines(const std::vector<RealInstance>& real)
{
    std::vector<cotlab::ingest::PreparedRecord> out;
    for (const RealInstance& r : real) {
        json line = r.base;
        for (auto it = r.rationaleFields.front().begin(); it != r.rationaleFields.front().end(); ++it)
            line[it.key()] = it.value();
        cotlab::ingest::PreparedRecord& p = out.emplace_back();
        p.record = cotlab::ingest::InterchangeRecord::parse(line.dump());
        cotlab::ingest::RecordSink::prepare(p);
    }
    return out;
}

// --store-only: one new instance, rationale and index entry per line, written as the import writes them.
int storeOnly(const std::vector<RealInstance>& real, long long total, const fs::path& workspace)
{
    const auto prepared = preparedLines(real);
    std::vector<std::optional<std::string>> choicesJson;
    for (const auto& p : prepared)
        choicesJson.push_back(p.record.hasChoices ? std::optional(cotlab::answers::choicesToJson(p.record.choices))
                                                  : std::nullopt);
    const auto t0 = std::chrono::steady_clock::now();
    int64_t added = 0;
    double commitSecs = 0;
    {
        cotlab::store::Workspace ws(workspace.string());
        cotlab::store::BulkLoadMode bulk(ws.db(), true);
        cotlab::store::Transaction tx(ws.db());
        cotlab::store::ImportWriter writer(ws.db(), "bench", "interchange");
        for (long long k = 0; k < total; ++k) {
            const size_t at = size_t(k) % prepared.size();
            const cotlab::ingest::PreparedRecord& p = prepared[at];
            cotlab::store::InstanceRecord in;
            in.extId = p.record.id + "~" + std::to_string(size_t(k) / prepared.size());
            in.split = p.record.split;
            in.question = p.record.question;
            in.choicesJson = choicesJson[at];
            in.gold = p.record.gold;
            in.answerKind = p.kind;
            const int64_t id = writer.insertInstance(writer.taskId(p.record.task, p.kind), std::move(in));
            writer.addRationale(id, *p.rationale); // queued by reference: the prepared records outlive the flush
        }
        added = writer.rationalesAdded();
        writer.finish(total, total);
        const auto committing = std::chrono::steady_clock::now();
        tx.commit();
        commitSecs = std::chrono::duration<double>(std::chrono::steady_clock::now() - committing).count();
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("store only: %lld instances and rationales in %.2f s = %.0f lines/s (%.2f us per line), FTS5 index "
                "built\n",
                (long long)added, secs, double(added) / secs, secs / double(total) * 1e6);
    std::printf("of which the commit (the file written and synced): %.2f s\n", commitSecs);
    std::printf("peak RSS: %ld MiB\n", peakRssMiB());
    return added == total ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    long long total = 1000000;
    int perInstance = 30;
    std::string keep;
    std::string writeOnly;
    bool onlyStore = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--rationales") && i + 1 < argc)
            total = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--samples-per-instance") && i + 1 < argc)
            perInstance = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--keep") && i + 1 < argc)
            keep = argv[++i];
        else if (!std::strcmp(argv[i], "--write-only") && i + 1 < argc)
            writeOnly = argv[++i];
        else if (!std::strcmp(argv[i], "--store-only"))
            onlyStore = true;
        else {
            std::fprintf(stderr,
                         "usage: %s [--rationales N] [--samples-per-instance K] [--keep FILE] [--write-only FILE] "
                         "[--store-only]\n",
                         argv[0]);
            return 2;
        }
    }
    const fs::path shared = COTLAB_SHARED_DIR;
    const fs::path dir = fs::temp_directory_path() / ("cotlab-bench-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const fs::path jsonl = writeOnly.empty() ? dir / "rationales.jsonl" : fs::path(writeOnly);
    const fs::path workspace = keep.empty() ? dir / "bench.cotlab" : fs::path(keep);
    fs::remove(workspace);

    const auto real = loadReal(shared);
    if (onlyStore) {
        const int rc = storeOnly(real, total, workspace);
        fs::remove_all(dir);
        return rc;
    }
    {
        std::ofstream out(jsonl, std::ios::binary);
        for (long long k = 0; k < total; ++k) {
            const long long inst = k / perInstance;
            const int sample = int(k % perInstance);
            const RealInstance& r = real[size_t(inst) % real.size()];
            json line = r.base;
            line["id"] = r.base["id"].get<std::string>() + "~" + std::to_string(size_t(inst) / real.size());
            const json& rat = r.rationaleFields[size_t(sample) % r.rationaleFields.size()];
            for (auto it = rat.begin(); it != rat.end(); ++it)
                line[it.key()] = it.value();
            line["sample"] = sample;
            out << line.dump() << '\n';
        }
    }
    if (!writeOnly.empty()) {
        fs::remove_all(dir);
        std::printf("wrote %s\n", writeOnly.c_str());
        return 0;
    }
    const double mb = double(fs::file_size(jsonl)) / 1e6;
    const long rssBefore = peakRssMiB();
    std::printf("file: %lld rationales, %lld instances, %.0f MB, from %zu real instances\n", total,
                (total + perInstance - 1) / perInstance, mb, real.size());

    const auto t0 = std::chrono::steady_clock::now();
    long long added = 0;
    {
        cotlab::store::Workspace ws(workspace.string());
        const auto report = cotlab::ingest::Importer::importFile(ws.db(), jsonl.string());
        added = report.rationalesAdded;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("import: %lld rationales in %.2f s = %.0f rationales/s (%.1f MB/s), FTS5 index built\n", added, secs,
                double(added) / secs, mb / secs);
    std::printf("peak RSS: %ld MiB (%ld MiB before the import: building the file)\n", peakRssMiB(), rssBefore);
    std::printf("workspace: %.0f MB\n", double(fs::file_size(workspace)) / 1e6);
    fs::remove(jsonl);
    if (keep.empty())
        fs::remove_all(dir);
    return added == total ? 0 : 1;
}
