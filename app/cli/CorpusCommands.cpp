#include "CorpusCommands.h"

#include "CommandLine.h"
#include "Interrupt.h"
#include "TerminalProgress.h"
#include "corpus/CorpusBuilder.h"
#include "corpus/CorpusComparison.h"
#include "store/CorpusRepository.h"
#include "store/Workspace.h"
#include "train/ExampleExport.h"
#include "util/Error.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cotlab::cli {

namespace {

void printSteps(const std::vector<store::CorpusStepCounts>& steps)
{
    std::printf("%-16s %10s %12s %9s %11s\n", "after", "instances", "rationales", "accuracy", "mean chars");
    for (const auto& s : steps)
        std::printf("%-16s %10lld %12lld %8.1f%% %11.0f\n", s.step.c_str(), (long long)s.instances,
                    (long long)s.rationales, 100.0 * s.accuracy(), s.meanLength());
}

store::CorpusInfo findCorpus(store::CorpusRepository& corpora, const std::string& name, const std::string& workspace)
{
    auto info = corpora.find(name);
    if (!info)
        throw Error("no corpus named '" + name + "' in " + workspace + " (cotlab-cli corpus list)");
    return *info;
}

} // namespace

int runCorpusBuild(const std::string& workspace, const CorpusArgs& args)
{
    std::ifstream in(args.recipe);
    if (!in)
        throw Error(args.recipe + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    corpus::Recipe recipe;
    try {
        recipe = corpus::recipeFromJson(text.str());
    } catch (const Error& e) {
        throw Error(args.recipe + ": " + e.what());
    }
    store::Workspace ws(workspace);
    TerminalProgress progress;
    const auto start = std::chrono::steady_clock::now();
    const auto built = corpus::buildCorpus(ws.db(), recipe, progress.sink(), &stopOnInterrupt());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.finish();
    store::CorpusRepository(ws.db()).save(args.name, corpus::recipeToJson(recipe), built, args.replace);
    printSteps(built.steps);
    std::printf("corpus '%s': %lld rationales of %lld instances (built in %.2f s)\n", args.name.c_str(),
                (long long)built.steps.back().rationales, (long long)built.steps.back().instances, seconds);
    return 0;
}

int runCorpusList(const std::string& workspace, bool json)
{
    store::Workspace ws(workspace);
    const auto corpora = store::CorpusRepository(ws.db()).list();
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& c : corpora)
            out.push_back({{"name", c.name},
                           {"instances", c.instances},
                           {"rationales", c.rationales},
                           {"created_at", c.createdAt},
                           {"recipe", nlohmann::json::parse(c.recipeJson)}});
        std::printf("%s\n", nlohmann::json{{"corpora", out}}.dump(2).c_str());
        return 0;
    }
    std::printf("%-28s %10s %12s  %s\n", "corpus", "instances", "rationales", "created");
    for (const auto& c : corpora)
        std::printf("%-28s %10lld %12lld  %s\n", c.name.c_str(), (long long)c.instances, (long long)c.rationales,
                    c.createdAt.c_str());
    return 0;
}

int runCorpusShow(const std::string& workspace, const CorpusArgs& args)
{
    store::Workspace ws(workspace);
    store::CorpusRepository corpora(ws.db());
    const auto info = findCorpus(corpora, args.name, workspace);
    std::printf("corpus '%s' (%s)\n%s\n", info.name.c_str(), info.createdAt.c_str(), info.recipeJson.c_str());
    printSteps(info.steps);
    // What the recipe selects from today's store, beside what was saved.
    const auto drift =
        corpus::driftOf(corpora, info.id, corpus::buildCorpus(ws.db(), corpus::recipeFromJson(info.recipeJson)));
    std::printf("%s%s\n", drift.differs() ? "note: " : "", drift.describe(info.name).c_str());
    const auto runs = corpora.runsTrainedOn(info.name);
    for (int64_t run : runs)
        std::printf("run %lld trained on it\n", (long long)run);
    return 0;
}

int runCorpusExport(const std::string& workspace, const CorpusArgs& args)
{
    store::Workspace ws(workspace);
    store::CorpusRepository corpora(ws.db());
    findCorpus(corpora, args.name, workspace);
    train::TrainingSelection selection;
    selection.corpus = args.name;
    selection.task.clear();
    selection.format = train::findPromptFormat(args.templateName);
    const auto counts = train::exportExamples(ws.db(), selection, args.out, train::exportShapeFromName(args.shape));
    std::printf("%s: %lld %s examples of %lld instances (template %s)\n", args.out.c_str(), (long long)counts.examples,
                args.shape.c_str(), (long long)counts.instances, args.templateName.c_str());
    return 0;
}

int runCorpusRename(const std::string& workspace, const CorpusArgs& args)
{
    store::Workspace ws(workspace);
    store::CorpusRepository(ws.db()).rename(args.name, args.newName);
    std::printf("corpus '%s' is now '%s'\n", args.name.c_str(), args.newName.c_str());
    return 0;
}

int runCorpusDelete(const std::string& workspace, const CorpusArgs& args)
{
    store::Workspace ws(workspace);
    store::CorpusRepository corpora(ws.db());
    findCorpus(corpora, args.name, workspace);
    corpora.remove(args.name);
    std::printf("corpus '%s' deleted (its rationales stay in the workspace)\n", args.name.c_str());
    return 0;
}

void addCorpusCommands(CommandLine& cli)
{
    auto co = std::make_shared<CorpusArgs>();
    auto* corpusCmd = cli.group("corpus", "Training corpora built from recipes (docs/corpus.md)");
    auto* corpusBuild = cli.add(
        "build", "Build a corpus from a recipe file and save it",
        [&cli, co] { return runCorpusBuild(cli.workspace(), *co); }, corpusCmd);
    corpusBuild->add_option("--recipe", co->recipe, "Recipe (JSON, docs/corpus.md)")
        ->required()
        ->check(CLI::ExistingFile);
    corpusBuild->add_option("--name", co->name, "Name to save it under")->required();
    corpusBuild->add_flag("--replace", co->replace, "Replace a corpus of that name");
    auto* corpusList = cli.add(
        "list", "Corpora of the workspace, newest first",
        [&cli, co] { return runCorpusList(cli.workspace(), co->json); }, corpusCmd);
    corpusList->add_flag("--json", co->json, "Print one JSON object with the recipes");
    auto* corpusShow = cli.add(
        "show", "A corpus's recipe and what is left after each step",
        [&cli, co] { return runCorpusShow(cli.workspace(), *co); }, corpusCmd);
    corpusShow->add_option("name", co->name, "Corpus")->required();
    auto* corpusExport = cli.add(
        "export", "Write a corpus as training JSONL in a prompt format",
        [&cli, co] { return runCorpusExport(cli.workspace(), *co); }, corpusCmd);
    corpusExport->add_option("name", co->name, "Corpus")->required();
    corpusExport->add_option("--out", co->out, "JSONL file to write")->required();
    corpusExport->add_option("--shape", co->shape, "prompt-completion or chat")->capture_default_str();
    corpusExport->add_option("--template", co->templateName, kPromptFormatHelp)->capture_default_str();
    auto* corpusRename = cli.add(
        "rename", "Rename a corpus", [&cli, co] { return runCorpusRename(cli.workspace(), *co); }, corpusCmd);
    corpusRename->add_option("name", co->name, "Corpus")->required();
    corpusRename->add_option("new-name", co->newName, "New name")->required();
    auto* corpusDelete = cli.add(
        "delete", "Delete a corpus (not its rationales)", [&cli, co] { return runCorpusDelete(cli.workspace(), *co); },
        corpusCmd);
    corpusDelete->add_option("name", co->name, "Corpus")->required();
}

} // namespace cotlab::cli
