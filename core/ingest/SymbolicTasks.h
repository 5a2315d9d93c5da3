#pragma once

// Fine-tune-CoT's symbolic reasoning tasks as generated data (Kojima et al. 2022; Ho et al. 2023): last letter
// concatenation and coin flip, each instance with a rule-written step-by-step rationale, in the rationale
// interchange format. Training on few items and testing on more is the length-generalisation experiment.
#include <cstdint>
#include <ostream>
#include <string>

namespace cotlab::ingest {

struct SymbolicTaskOptions {
    std::string task = "last_letter_concatenation"; // or "coin_flip"
    int64_t count = 1000;                           // instances
    int items = 2;                                  // names to concatenate, or people who may flip the coin
    std::string split = "train";
    uint64_t seed = 0; // the same options always give the same file
    std::string name;  // the task's name in the file (default: task), e.g. to keep it apart from real data
};

// Writes one JSONL line per instance (task, split, id, answer_kind, question, gold, rationale, answer,
// teacher "rule-based", source). Ids encode split, items and seed, so train and test files never collide.
void writeSymbolicTask(const SymbolicTaskOptions& options, std::ostream& out);

} // namespace cotlab::ingest
