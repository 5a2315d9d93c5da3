#pragma once

// One evaluation of a student end to end, the same for the GUI (on a worker thread) and cotlab-cli eval: the
// instances of a task's split, batched KV-cached generation, answer extraction, every generated rationale stored
// as a student rationale, accuracy with its interval. Resumable: each batch is committed with its outcomes, and a
// resumed evaluation generates only the instances not yet stored. No torch in this header.
#include "jobs/Progress.h"
#include "stats/Proportions.h"
#include "train/PromptFormat.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace cotlab::eval {

struct EvaluationRequest {
    std::string workspace;        // the *.cotlab file; opened here (each thread has its own connection)
    std::string name;             // the student's name in the store; default: the run's name or the model's folder
    std::optional<int64_t> runId; // evaluate this finished run's model (its final folder) ...
    std::string modelPath;        // ... or this model (HF folder or llama2.c .bin)
    std::optional<std::string> tokenizerPath;
    std::string adapterPath; // a LoRA adapter folder applied to modelPath ('' : none; a run's adapter is its final/)
    std::string task;
    std::string split = "test";
    std::optional<train::PromptFormat> format; // what the student was trained to write; default: the run's
    int64_t samples = 1;                       // 1: greedy; more: sampled with temperature, answers majority-voted
    double temperature = 0.7;
    double topP = 1.0;
    uint64_t seed = 0;
    int64_t maxNewTokens = 0; // 0: the format's max_new_tokens (16 for label only), else automaticCotTokenBudget
    int64_t batchSize = 0;    // sequences generated together (0: chosen automatically, automaticBatchSize)
    int64_t limit = 0;        // evaluate only the first N instances of the split (0: all)
    std::string device = "auto";
    std::string precision = "auto";
};

// Chain of thought's automatic token budget: 256, or more when the evaluated questions' teacher rationales are
// longer (the longest one's tokens + 25% + 16), so that a student writing as much as its teacher is not cut short;
// at most 'room', what the model's context leaves after the longest prompt (a generation cut there is then
// counted as reaching the limit).
int64_t automaticCotTokenBudget(int64_t longestTeacherRationaleTokens, int64_t room);

// What the automatic batch size depends on.
struct BatchSizeInputs {
    int64_t cachedValuesPerToken = 0; // the model's KV cache per token and sequence
    int64_t vocabSize = 0;
    int64_t longestPrompt = 0; // tokens
    int64_t maxNewTokens = 0;
    int64_t bytesPerValue = 4; // 4 for float32, 2 for bf16/fp16
    bool cuda = false;
    int64_t memoryBytes = 0; // the machine's RAM (CPU) or the GPU's memory; 0: unknown
};

// As many sequences as fit a memory budget: each needs its KV cache for prompt + new tokens and one row of logits
// (decoding runs the output head on the last position only). The budget is an eighth of the memory (2 GiB when
// unknown) on a CPU and half of it (8 GiB when unknown) on a GPU. At most 64 on a CPU, where doubling to 128 gained
// 8% (docs/benchmarks.md) and doubles the wait for Stop, and 256 on a GPU; at least 1.
int64_t automaticBatchSize(const BatchSizeInputs& in);

struct EvaluationOutcome {
    int64_t evaluationId = 0;
    std::string status; // finished or stopped (failures throw after recording 'failed')
    int64_t items = 0, done = 0, correct = 0;
    stats::Proportion accuracy;  // correct of done, with its 95% Wilson interval
    int64_t batchSize = 0;       // sequences per batch (the chosen one when automatic)
    int64_t generatedTokens = 0; // by this call (not counting instances stored before a resume)
    int64_t atTokenLimit = 0;    // questions whose generation reached maxNewTokens (cut short: raise the limit)
    int64_t maxNewTokens = 0;    // the limit used
    int64_t withoutGold = 0;     // questions of the split left out: no gold answer to score against
    double seconds = 0;          // this call's generation time, model loading excluded
};

// "N of M generations reached the limit of L new tokens ..." when any did (a rationale cut there scores as a wrong
// answer), else empty: the stored evaluation's message, the CLI and the Evaluate page all say it in these words.
std::string tokenLimitNote(const EvaluationOutcome& outcome);
// "N questions of the split have no gold answer and were left out" when any were (a trace set imported without
// gold beside a benchmark), else empty; said by the stored evaluation's message, the CLI and the Evaluate page.
std::string withoutGoldNote(const EvaluationOutcome& outcome);

// Once when the evaluation is recorded (so a caller can show it before its first batch), then after each stored
// batch: instances evaluated so far, of how many, and how many were right.
using EvaluationProgress = std::function<void(int64_t evaluationId, int64_t done, int64_t items, int64_t correct)>;

// The settings an evaluation records (the `config` column), and the request they describe (for a resume or a page).
std::string configToJson(const EvaluationRequest& request, const train::PromptFormat& format, int64_t maxNewTokens);
EvaluationRequest configFromJson(const std::string& json, const std::string& workspace);

// Checks of the request (unknown task, empty split, unfinished run, bad model) throw before anything is recorded.
EvaluationOutcome startEvaluation(const EvaluationRequest& request, const EvaluationProgress& progress,
                                  const jobs::StopToken* stop);

// Continues a stopped evaluation with its recorded settings; it ends with the same predictions as an
// uninterrupted one.
EvaluationOutcome resumeEvaluation(const std::string& workspace, int64_t evaluationId,
                                   const EvaluationProgress& progress, const jobs::StopToken* stop);

} // namespace cotlab::eval

namespace cotlab::eval {

// A contrast evaluation beside the same student's evaluation of the originals. Contrast questions (split
// 'contrast', or any split) name the question they perturb with an "original" field: its id in the same task, at
// the top level of an interchange line (kept in meta) or inside meta. The originals' results come from the latest
// other evaluation of the same student name that covers them.
struct ContrastReport {
    int64_t questions = 0;              // evaluated in this evaluation
    int64_t unlinked = 0;               // naming no original, or one not in the workspace
    int64_t originalsNotEvaluated = 0;  // linked, but the student has no result on the original
    stats::PairedComparison difference; // original (first) vs contrast (second), over the pairs with both results
};
ContrastReport compareWithOriginals(const std::string& workspace, int64_t evaluationId);

// Two evaluations on the same questions (two students, or one student two ways): McNemar's exact test and
// Newcombe's interval for the difference in accuracy (second - first), over the questions both evaluated.
// Throws Error when they share no question.
stats::PairedComparison compareEvaluations(const std::string& workspace, int64_t first, int64_t second);

} // namespace cotlab::eval
