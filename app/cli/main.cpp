// cotlab-cli: the command-line front end over cotlab_core (no Qt; builds on headless GPU servers). Each command
// group registers its sub-commands (CommandLine.h); main parses, runs the chosen one and turns failures into a
// message on stderr and a non-zero exit code.
#include "CommandLine.h"
#include "jobs/Progress.h"
#include "nn/CpuThreads.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    cotlab::nn::setCpuThreads(); // libtorch's default threads; OpenBLAS's pool kept from competing
    CLI::App app{"CoTLab command line: import, inspect and export chain-of-thought rationale workspaces"};
    app.require_subcommand(1);
    cotlab::cli::CommandLine cli(app);
    app.add_option("-w,--workspace", cli.workspaceOption(), "Workspace file (*.cotlab); created if missing")
        ->envname("COTLAB_WORKSPACE");
    cotlab::cli::addStoreCommands(cli);
    cotlab::cli::addModelCommands(cli);
    cotlab::cli::addTrainCommands(cli);
    cotlab::cli::addEvalCommands(cli);
    cotlab::cli::addCorpusCommands(cli);
    cotlab::cli::addServeCommand(cli);
    cotlab::cli::addSampleCommand(cli);
    cotlab::cli::addReviewCommands(cli);
    cotlab::cli::addFormatCommands(cli);
    cotlab::cli::addTokenizeCommand(cli);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        return cli.runChosen();
    } catch (const cotlab::jobs::Cancelled&) {
        std::fprintf(stderr, "cancelled; the workspace is as it was before this file\n");
        return 130;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
