#pragma once

// What a training run was trained on, as recorded with the run: the data selection and what it gave (instances,
// examples, tokens). The run's `recipe` column holds it as JSON; pages and reports read it through this struct.
#include <cstdint>
#include <string>
#include <vector>

namespace cotlab::train {

struct RunRecipe {
    std::string task;
    std::string split;
    std::string templateName;       // the prompt format's name: cot, label, scotd, ... or a file's format
    std::string templateDefinition; // its definition (JSON text) as trained with; '' in runs before formats were data
    std::string chatTemplate;       // a chat format's: the template's origin, its reasoning handling ('' : none)
    bool correctOnly = true;
    std::vector<std::string> sources; // whose rationales (empty: the corpus's recipe says)
    int64_t samplesPerInstance = 0;   // 0: all
    int64_t questions = 0;            // the draw asked for (0: all)
    std::string corpus;               // a saved corpus, when the run trained on one
    int64_t instances = 0;            // of the task and split
    int64_t instancesUsed = 0;        // that gave at least one example
    int64_t examples = 0;
    int64_t targetTokens = 0;
    int64_t skippedTooLong = 0;
    std::string devSplit;
    int64_t devExamples = 0;
    int64_t truncated = 0;
    std::string packing; // "N examples in R rows of L tokens, P% padding" when packed ('' : one example per row)
    std::string device;
    std::string precision;
    std::string method;          // "full", or "LoRA r 16, alpha 32, ..., bf16 base"; ", checkpointing" when on
    int64_t worldSize = 1;       // data-parallel workers (torchrun, srun, --nproc); 1: one process
    std::string backend;         // their torch.distributed backend: gloo, nccl ('' : one process)
    int64_t plannedMemoryMb = 0; // the memory plan's peak (0: not planned); the run's peak_memory_mb metric beside it

    std::string toJson() const;
    // Missing fields keep their defaults (older runs recorded fewer); text that is not a JSON object gives all
    // defaults.
    static RunRecipe fromJson(const std::string& json);
};

} // namespace cotlab::train
