#pragma once

#include "train/TrainingRun.h"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace cotlab::cli {

struct TrainArgs {
    train::TrainingRequest request;
    std::string templateName = "cot";
    bool allRationales = false; // also incorrect ones
    int64_t resumeRun = 0;
    int64_t logEvery = 10;
    bool lora = false; // train LoRA adapters (with loraConfig) instead of every weight
    nn::LoraConfig loraConfig;
    bool dryRun = false;     // print the memory plan and stop
    std::string requestFile; // a whole request as JSON (the Train page's workers), instead of the options
    int nproc = 1;           // data-parallel workers started on this machine (each takes batchSize examples a step)
};
// Trains (or resumes) and prints a progress line every logEvery steps; Ctrl-C stops after the current step
// with a checkpoint.
int runTrain(const std::string& workspace, TrainArgs args);
// The workspace's runs, newest first (or as JSON).
int runRuns(const std::string& workspace, bool json);

// The options that say what a run trains on (student, tokenizer, task or corpus, format, which rationales, max
// length), shared by train and tokenize; completeDataOptions turns the parsed ones into the request's selection.
void addDataOptions(CLI::App* command, TrainArgs& args);
void completeDataOptions(TrainArgs& args);

} // namespace cotlab::cli
