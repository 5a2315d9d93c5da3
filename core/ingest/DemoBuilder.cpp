#include "ingest/DemoBuilder.h"

#include "ingest/Importer.h"
#include "ingest/SymbolicTasks.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace cotlab::ingest {

namespace fs = std::filesystem;

std::string DemoBuilder::findDemoData(const std::string& executablePath)
{
    std::error_code ec;
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("COTLAB_DEMO_DIR"))
        candidates.emplace_back(env);
    const fs::path exeDir = fs::absolute(executablePath, ec).parent_path();
    candidates.push_back(exeDir / "../share/cotlab/demo");
    candidates.emplace_back(COTLAB_SOURCE_DEMO_DIR);
    for (const auto& c : candidates)
        if (fs::is_directory(c / "teacher", ec))
            return fs::weakly_canonical(c, ec).string();
    return {};
}

std::vector<std::string> DemoBuilder::demoFiles(const std::string& demoDir)
{
    std::vector<std::string> files;
    for (const char* sub : {"datasets", "teacher"}) {
        std::error_code ec;
        std::vector<std::string> here;
        for (const auto& e : fs::directory_iterator(fs::path(demoDir) / sub, ec))
            if (e.is_regular_file() && (e.path().extension() == ".json" || e.path().extension() == ".jsonl"))
                here.push_back(e.path().string());
        std::sort(here.begin(), here.end());
        files.insert(files.end(), here.begin(), here.end());
    }
    return files;
}

std::vector<SymbolicTaskOptions> DemoBuilder::demoSymbolicTasks()
{
    std::vector<SymbolicTaskOptions> out;
    // Named apart from the zero-shot-CoT teacher's real last-letter and coin-flip questions in the demo.
    for (const auto& [task, name] : {std::pair{"last_letter_concatenation", "last_letters_generated"},
                                     std::pair{"coin_flip", "coin_flip_generated"}}) {
        for (int items = 1; items <= 3; ++items)
            out.push_back({task, 800, items, "train", 1, name});
        out.push_back({task, 100, 3, "dev", 3, name}); // held out, as long as the longest trained questions
        out.push_back({task, 200, 4, "test", 2, name});
    }
    return out;
}

bool DemoBuilder::ensure(const std::string& workspacePath, const std::string& demoDir,
                         const jobs::ProgressSink& progress, const jobs::StopToken* stop)
{
    std::error_code ec;
    if (fs::exists(workspacePath, ec))
        return false;
    if (demoDir.empty())
        throw Error("the demo data (resources/demo) was not found; set COTLAB_DEMO_DIR to its folder");
    const auto files = demoFiles(demoDir);
    if (files.empty())
        throw Error(demoDir + ": no demo files");
    fs::create_directories(fs::path(workspacePath).parent_path(), ec);
    const std::string building = workspacePath + ".building";
    for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(building + suffix, ec);
    {
        store::Workspace ws(building);
        for (size_t i = 0; i < files.size(); ++i) {
            ImportOptions options;
            const std::string name = fs::path(files[i]).filename().string();
            jobs::ProgressSink perFile;
            if (progress)
                perFile = [&, i](const jobs::Progress& p) {
                    const double frac = p.total ? double(p.done) / double(p.total) : 0.0;
                    progress({"Building the demo workspace: " + name, uint64_t((double(i) + frac) * 1000.0),
                              uint64_t(files.size() * 1000)});
                };
            Importer::importFile(ws.db(), files[i], options, perFile, stop);
        }
        // The CPU distillation experiment's tasks (docs/experiments.md): training questions with 1 to 3 items,
        // held-out test questions with 4, written by CoTLab's generator.
        for (const auto& options : demoSymbolicTasks()) {
            const fs::path file = fs::path(workspacePath).parent_path() /
                                  (options.task + "-" + options.split + "-" + std::to_string(options.items) + ".jsonl");
            {
                std::ofstream out(file, std::ios::binary);
                writeSymbolicTask(options, out);
                if (!out.flush())
                    throw Error(file.string() + ": cannot write (disk full?)");
            }
            Importer::importFile(ws.db(), file.string(), ImportOptions{}, {}, stop);
            fs::remove(file, ec);
        }
        ws.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    // A -wal or -shm left beside a demo that was deleted (while the app had it open, or after a crash) belongs to
    // that old file: SQLite would replay its pages into the new one.
    for (const char* suffix : {"-wal", "-shm"})
        fs::remove(workspacePath + suffix, ec);
    fs::rename(building, workspacePath, ec);
    if (ec)
        throw Error(workspacePath + ": cannot move the built demo into place: " + ec.message());
    for (const char* suffix : {"-wal", "-shm"})
        fs::remove(building + suffix, ec);
    return true;
}

} // namespace cotlab::ingest
