#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cotlab::cli {

// Each command prints its result on stdout, messages on stderr, and returns the exit code.
struct ImportArgs {
    std::vector<std::string> files;
    std::string format = "auto";
    std::optional<std::string> task;
    std::optional<std::string> splits;
    std::optional<std::string> split;
    std::optional<std::string> teacher;
    std::optional<std::string> fields;
    bool keepGood = false;     // import the valid records, list the refused ones
    std::string refusedReport; // where that list goes (default: beside the workspace)
};
int runImport(const std::string& workspace, const ImportArgs& args);

struct ExportArgs {
    std::string format = "jsonl";
    std::string out;
    std::optional<std::string> task;
};
int runExport(const std::string& workspace, const ExportArgs& args);

int runStats(const std::string& workspace, bool json);
int runVersion();

} // namespace cotlab::cli
