// cotlab-cli: the command-line front end over cotlab_core (no Qt; builds on headless GPU servers).
#include "Commands.h"
#include "jobs/Progress.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    CLI::App app{"CoTLab command line: import, inspect and export chain-of-thought rationale workspaces"};
    app.require_subcommand(1);
    std::string workspace;
    app.add_option("-w,--workspace", workspace, "Workspace file (*.cotlab); created if missing")
        ->envname("COTLAB_WORKSPACE");

    cotlab::cli::ImportArgs importArgs;
    auto* import = app.add_subcommand("import", "Import files (rationale interchange JSONL, benchmark JSON, "
                                                "CommonsenseQA JSONL); one transaction per file");
    import->add_option("files", importArgs.files, "Files to import")->required()->check(CLI::ExistingFile);
    import->add_option("--format", importArgs.format, "auto, interchange, benchmark or commonsense_qa")
        ->capture_default_str();
    import->add_option("--task", importArgs.task, "Task name (benchmark and CommonsenseQA files)");
    import->add_option("--splits", importArgs.splits, "Fine-tune-CoT split file for a benchmark file")
        ->check(CLI::ExistingFile);
    import->add_option("--split", importArgs.split, "Split for a CommonsenseQA file (train, dev, test)");

    cotlab::cli::ExportArgs exportArgs;
    auto* exportCmd = app.add_subcommand("export", "Export the workspace as rationale interchange JSONL");
    exportCmd->add_option("--format", exportArgs.format, "jsonl")->capture_default_str();
    exportCmd->add_option("--out", exportArgs.out, "Output file")->required();
    exportCmd->add_option("--task", exportArgs.task, "Only this task");

    bool json = false;
    auto* stats = app.add_subcommand("stats", "Per task: instances, rationales, rationales per instance, teacher "
                                              "accuracy");
    stats->add_flag("--json", json, "Print one JSON object");

    app.add_subcommand("version", "Versions of CoTLab, SQLite and libtorch");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }

    try {
        if (app.got_subcommand("version"))
            return cotlab::cli::runVersion();
        if (workspace.empty())
            throw cotlab::Error("no workspace: pass --workspace FILE (or set COTLAB_WORKSPACE)");
        if (app.got_subcommand(import))
            return cotlab::cli::runImport(workspace, importArgs);
        if (app.got_subcommand(exportCmd))
            return cotlab::cli::runExport(workspace, exportArgs);
        if (app.got_subcommand(stats))
            return cotlab::cli::runStats(workspace, json);
    } catch (const cotlab::jobs::Cancelled&) {
        std::fprintf(stderr, "cancelled; the workspace is as it was before this file\n");
        return 130;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
