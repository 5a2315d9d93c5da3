#pragma once

#include <string>

namespace cotlab::cli {

struct CorpusArgs {
    std::string recipe; // build: the recipe file
    std::string name;
    bool replace = false;
    bool json = false;
    std::string out; // export
    std::string shape = "prompt-completion";
    std::string templateName = "cot";
    std::string newName; // rename
};

// Builds a corpus from a recipe file and saves it; prints the counts after each step.
int runCorpusBuild(const std::string& workspace, const CorpusArgs& args);
int runCorpusList(const std::string& workspace, bool json);
// The recipe and the per-step counts of one corpus.
int runCorpusShow(const std::string& workspace, const CorpusArgs& args);
int runCorpusExport(const std::string& workspace, const CorpusArgs& args);
int runCorpusRename(const std::string& workspace, const CorpusArgs& args);
int runCorpusDelete(const std::string& workspace, const CorpusArgs& args);

} // namespace cotlab::cli
