#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cotlab::cli {

struct ReviewArgs {
    std::string name;
    std::string mode = "pairwise";
    std::vector<std::string> sources;
    std::vector<std::string> tasks;
    std::string split;
    int64_t size = 50;
    uint64_t seed = 0;
    std::vector<std::string> stratify; // task, correctness
    bool hideGold = false;
    std::string criteria; // JSON file
    std::string out;
    bool blank = false;
    std::string annotator;
    std::vector<std::string> files; // import
    bool json = false;
};

int runReviewCreate(const std::string& workspace, const ReviewArgs& args);
int runReviewList(const std::string& workspace, bool json);
// The full study as XLSX or CSV, or (--blank) an annotator's label sheet.
int runReviewExport(const std::string& workspace, const ReviewArgs& args);
int runReviewImport(const std::string& workspace, const ReviewArgs& args);
int runReviewStats(const std::string& workspace, const ReviewArgs& args);
int runReviewDelete(const std::string& workspace, const ReviewArgs& args);
// An evaluation as XLSX or CSV sheets.
int runEvalExport(const std::string& workspace, int64_t evaluationId, const std::string& out);

} // namespace cotlab::cli
