#include "Commands.h"

#include "CommandLine.h"
#include "TerminalProgress.h"
#include "ingest/Importer.h"
#include "ingest/InterchangeExporter.h"
#include "ingest/SymbolicTasks.h"
#include "nn/TorchInfo.h"
#include "stats/Proportions.h"
#include "store/StatsRepository.h"
#include "store/Workspace.h"
#include "util/Error.h"
#include "util/Version.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

namespace cotlab::cli {

int runImport(const std::string& workspace, const ImportArgs& args)
{
    store::Workspace ws(workspace);
    ingest::ImportOptions options;
    const auto format = ingest::importFormatFromString(args.format);
    if (!format)
        throw Error("--format " + args.format + ": expected " + ingest::importFormatNames());
    options.format = *format;
    options.task = args.task;
    options.splitsFile = args.splits;
    options.split = args.split;
    options.teacher = args.teacher;
    options.fields = args.fields;
    options.keepGoodRecords = args.keepGood;
    std::vector<ingest::ImportReport> reports;
    for (const std::string& file : args.files) {
        TerminalProgress bar;
        const auto t0 = std::chrono::steady_clock::now();
        const ingest::ImportReport r = ingest::Importer::importFile(ws.db(), file, options, bar.sink());
        bar.finish();
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (const auto& w : r.warnings)
            std::fprintf(stderr, "warning: %s\n", w.c_str());
        std::printf("%s: %s, %lld records: %lld instances and %lld rationales added, %lld rationales already "
                    "stored (%.2f s)\n",
                    file.c_str(), r.format.c_str(), static_cast<long long>(r.lines),
                    static_cast<long long>(r.instancesAdded), static_cast<long long>(r.rationalesAdded),
                    static_cast<long long>(r.rationalesAlreadyStored), secs);
        if (r.refusedCount > 0)
            std::printf("%s: %lld records refused (first: %s: %s)\n", file.c_str(),
                        static_cast<long long>(r.refusedCount), r.refused.front().where.c_str(),
                        r.refused.front().reason.c_str());
        reports.push_back(r);
    }
    const bool refused = std::any_of(reports.begin(), reports.end(), [](const auto& r) { return r.refusedCount > 0; });
    if (refused) {
        const std::string out = args.refusedReport.empty() ? workspace + ".refused.csv" : args.refusedReport;
        ingest::writeRefusedReport(out, reports);
        std::printf("the refused records, with their line and reason: %s\n", out.c_str());
    }
    return 0;
}

int runExport(const std::string& workspace, const ExportArgs& args)
{
    if (args.format != "jsonl")
        throw Error("--format " + args.format + ": only 'jsonl' (rationale interchange) is supported");
    store::Workspace ws(workspace);
    TerminalProgress bar;
    const auto r = ingest::InterchangeExporter::exportJsonl(ws.db(), args.out, args.task, bar.sink());
    bar.finish();
    if (args.task && r.instances == 0)
        throw Error("--task " + *args.task + ": no such task in " + workspace);
    std::printf("%s: %lld lines (%lld instances, %lld rationales)\n", args.out.c_str(), static_cast<long long>(r.lines),
                static_cast<long long>(r.instances), static_cast<long long>(r.rationales));
    return 0;
}

int runStats(const std::string& workspace, bool json)
{
    store::Workspace ws(workspace);
    store::StatsRepository repo(ws.db());
    const auto stats = repo.perTask();
    if (json) {
        nlohmann::ordered_json out;
        out["workspace"] = workspace;
        out["tasks"] = nlohmann::ordered_json::array();
        for (const auto& s : stats) {
            nlohmann::ordered_json t;
            t["task"] = s.task;
            t["answer_kind"] = s.answerKind;
            t["instances"] = s.instances;
            t["rationales"] = s.rationales; // every source
            t["teacher_rationales"] = s.teacherRationales;
            t["teacher_rationales_per_instance"] = s.teacherPerInstance();
            t["student_rationales"] = s.studentRationales;
            t["human_rationales"] = s.humanRationales;
            t["teacher_correct"] = s.teacherCorrect;
            t["teacher_judged"] = s.teacherJudged; // with a gold answer to judge by
            t["teacher_accuracy"] = s.teacherJudged ? nlohmann::ordered_json(s.teacherAccuracy()) : nullptr;
            if (s.teacherJudged) {
                const auto a = stats::wilson(s.teacherCorrect, s.teacherJudged);
                t["teacher_accuracy_ci"] = {{"low", a.low}, {"high", a.high}, {"method", "Wilson"}};
            }
            t["splits"] = {{"train", s.trainInstances},
                           {"dev", s.devInstances},
                           {"test", s.testInstances},
                           {"contrast", s.contrastInstances}};
            out["tasks"].push_back(std::move(t));
        }
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::printf("%-28s %-7s %10s %9s %9s %8s %7s  %s\n", "task", "kind", "instances", "teacher", "per inst", "student",
                "human", "teacher accuracy [95% Wilson CI]");
    for (const auto& s : stats) {
        const std::string acc = s.teacherJudged ? stats::describe(stats::wilson(s.teacherCorrect, s.teacherJudged))
                                : s.teacherRationales ? std::string("not judged (no gold answers)")
                                                      : std::string("-");
        std::printf("%-28s %-7s %10lld %9lld %9.2f %8lld %7lld  %s\n", s.task.c_str(), s.answerKind.c_str(),
                    static_cast<long long>(s.instances), static_cast<long long>(s.teacherRationales),
                    s.teacherPerInstance(), static_cast<long long>(s.studentRationales),
                    static_cast<long long>(s.humanRationales), acc.c_str());
    }
    if (stats.empty())
        std::printf("(no tasks yet: cotlab-cli --workspace %s import FILE...)\n", workspace.c_str());
    return 0;
}

int runVersion()
{
    const auto torch = nn::TorchInfo::query();
    std::printf("cotlab-cli %s\nSQLite %s\nlibtorch %s%s%s\n", cotlabVersion().c_str(), sqliteVersion().c_str(),
                torch.version.c_str(), torch.cudaAvailable ? ", CUDA devices: " : ", CPU only",
                torch.cudaAvailable ? std::to_string(torch.cudaDevices).c_str() : "");
    if (!torch.blas.empty())
        std::printf("BLAS %s\n", torch.blas.c_str());
    if (torch.blasThreads > 0)
        std::printf("CPU threads: libtorch %d, OpenBLAS %d\n", torch.cpuThreads, torch.blasThreads);
    return 0;
}

namespace {

int runMakeTask(const ingest::SymbolicTaskOptions& sym, const std::string& out)
{
    std::ofstream file(out, std::ios::binary);
    if (!file)
        throw Error(out + ": cannot write");
    ingest::writeSymbolicTask(sym, file);
    if (!file.flush())
        throw Error(out + ": write failed (disk full?)");
    std::printf("%s: %lld %s instances with %d items (%s)\n", out.c_str(), (long long)sym.count, sym.task.c_str(),
                sym.items, sym.split.c_str());
    return 0;
}

} // namespace

void addStoreCommands(CommandLine& cli)
{
    auto importArgs = std::make_shared<ImportArgs>();
    auto* import = cli.add("import",
                           "Import files (rationale interchange JSONL, benchmark JSON, CommonsenseQA JSONL, "
                           "conversation JSONL, OpenAI Batch output, ThoughtSource JSON, Fine-tune-CoT completions, "
                           "Faithful-CoT predictions; docs/formats.md); one transaction per file",
                           [&cli, importArgs] { return runImport(cli.workspace(), *importArgs); });
    import->add_option("files", importArgs->files, "Files to import")->required()->check(CLI::ExistingFile);
    import->add_option("--format", importArgs->format, ingest::importFormatNames())->capture_default_str();
    import->add_option("--task", importArgs->task,
                       "Task name (default: from the file, or its name); for OpenAI Batch output and Faithful-CoT "
                       "predictions, the task whose instance ids the file's ids are");
    import->add_option("--splits", importArgs->splits, "Fine-tune-CoT split file for a benchmark or completion file")
        ->check(CLI::ExistingFile);
    import->add_option("--split", importArgs->split,
                       "Split for a CommonsenseQA file, or for the lines of a conversation file that name none "
                       "(train, dev, test)");
    import->add_option("--teacher", importArgs->teacher,
                       "Model that wrote the file's rationales, where the file names none");
    import->add_option("--fields", importArgs->fields,
                       "Which field of a JSONL file of its own shape is what: question=PATH[,gold=,id=,split=,"
                       "model=,rationale=,thinking=] (paths: keys joined by '.', list positions as [n]; s1K: "
                       "question=question,thinking=thinking_trajectories[0],rationale=attempt)");
    import->add_flag("--keep-good-lines", importArgs->keepGood,
                     "Import the valid records of a file and list the invalid ones (default: all or nothing)");
    import->add_option("--refused-report", importArgs->refusedReport,
                       "CSV of the refused records (default: WORKSPACE.refused.csv)");

    auto exportArgs = std::make_shared<ExportArgs>();
    auto* exportCommand = cli.add("export", "Export the workspace as rationale interchange JSONL",
                                  [&cli, exportArgs] { return runExport(cli.workspace(), *exportArgs); });
    exportCommand->add_option("--format", exportArgs->format, "jsonl")->capture_default_str();
    exportCommand->add_option("--out", exportArgs->out, "Output file")->required();
    exportCommand->add_option("--task", exportArgs->task, "Only this task");

    auto json = std::make_shared<bool>(false);
    cli.add("stats", "Per task: instances, rationales, rationales per instance, teacher accuracy",
            [&cli, json] { return runStats(cli.workspace(), *json); })
        ->add_flag("--json", *json, "Print one JSON object");

    auto sym = std::make_shared<ingest::SymbolicTaskOptions>();
    auto out = std::make_shared<std::string>();
    auto* makeTask = cli.add("make-task",
                             "Write a generated symbolic task (last letter concatenation, "
                             "coin flip) with step-by-step rationales as interchange JSONL",
                             [sym, out] { return runMakeTask(*sym, *out); });
    makeTask->add_option("--task", sym->task, "last_letter_concatenation or coin_flip")->capture_default_str();
    makeTask->add_option("--count", sym->count, "Instances")->capture_default_str();
    makeTask->add_option("--items", sym->items, "Names (or coin flippers) per instance")->capture_default_str();
    makeTask->add_option("--split", sym->split, "train, dev or test")->capture_default_str();
    makeTask->add_option("--seed", sym->seed, "Seed")->capture_default_str();
    makeTask->add_option("--name", sym->name, "Task name in the file (default: --task)");
    makeTask->add_option("--out", *out, "Output file")->required();

    cli.add("version", "Versions of CoTLab, SQLite and libtorch", [] { return runVersion(); });
}

} // namespace cotlab::cli
