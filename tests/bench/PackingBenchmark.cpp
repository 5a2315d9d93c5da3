// Packing against length-bucketed padding: useful (non-padding) tokens per second of whole training steps (forward,
// loss, backward, clipping, AdamW) through cotlab::train::Trainer, on
//   cqa:  the real PaLM CommonsenseQA few-shot CoT rationales (../shared, train split, cot format) tokenised by
//         stories260K's tokenizer and trained on stories260K (max length 512);
//   long: a long-trace set, lengths drawn log-uniformly between 100 and 4,000 tokens (random ids, the first 15% the
//         prompt), on a Llama-shaped model of 4,096 positions (dim 128, 2 layers, 4 heads, random weights).
// Padded: batches of B examples from the trainer's length-sorted windows (padding to each batch's longest); packed:
// best-fit-decreasing rows of the max length, R a step, with B chosen so that both carry the same real tokens a step
// on average (attention is computed per example in a packed row). The same examples, steps after two warm-up steps
// timed, the two ways alternated twice:
//   build/tests/bench/bench_packing [--set cqa|long|all] [--examples N] [--steps N] [--threads N]
#include "ingest/Importer.h"
#include "nn/CpuThreads.h"
#include "nn/Llama.h"
#include "nn/Llama2cLoader.h"
#include "store/Workspace.h"
#include "text/Tokenizer.h"
#include "train/Trainer.h"
#include "train/TrainingRun.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

using namespace cotlab;
namespace fs = std::filesystem;

namespace {

struct Measured {
    double usefulPerSecond = 0, paddedPerSecond = 0, padding = 0;
    int64_t steps = 0;
};

Measured measure(const std::function<std::shared_ptr<nn::CausalLm>()>& makeModel, train::TrainingSet set, int64_t batch,
                 int64_t steps)
{
    train::TrainConfig c;
    c.learningRate = 1e-4;
    c.schedule = "constant";
    c.batchSize = batch;
    c.maxSteps = steps + 2;
    torch::manual_seed(0);
    train::Trainer trainer(makeModel(), set, c, 0);
    double tokens = 0, positions = 0, seconds = 0;
    Measured m;
    auto last = std::chrono::steady_clock::now();
    int64_t before = 0;
    trainer.run([&](const train::StepMetrics& s) {
        const auto now = std::chrono::steady_clock::now();
        const double stepTokens = double(s.tokens - before);
        if (s.step > 2) { // the first two steps warm up allocators and the optimizer state
            tokens += stepTokens;
            positions += stepTokens * s.paddedTokensPerSecond / s.tokensPerSecond;
            seconds += std::chrono::duration<double>(now - last).count();
            ++m.steps;
        }
        before = s.tokens;
        last = now;
    });
    m.usefulPerSecond = tokens / seconds;
    m.paddedPerSecond = positions / seconds;
    m.padding = 1.0 - tokens / positions;
    return m;
}

void compare(const char* name, const std::function<std::shared_ptr<nn::CausalLm>()>& makeModel,
             const std::vector<train::TokenizedExample>& examples, int64_t maxLength, int64_t rowsPerStep,
             int64_t steps, int threads)
{
    double mean = 0;
    int64_t longest = 0;
    for (const auto& e : examples) {
        mean += double(e.ids.size()) / double(examples.size());
        longest = std::max<int64_t>(longest, int64_t(e.ids.size()));
    }
    const auto batch = std::max<int64_t>(1, int64_t(std::lround(double(rowsPerStep * maxLength) / mean)));
    auto packedSet = train::TrainingSet::fromTokens(examples);
    packedSet.pack(maxLength);
    std::printf("%s: %zu examples, mean %.0f tokens, longest %lld; max length %lld; %zu packed rows; %d threads\n",
                name, examples.size(), mean, (long long)longest, (long long)maxLength, packedSet.rows().size(),
                threads);
    // Twice each, alternating, so that neither way always runs in the machine's first (or warmer) state.
    double paddedSum = 0, packedSum = 0;
    for (int round = 0; round < 2; ++round) {
        const auto padded = measure(makeModel, train::TrainingSet::fromTokens(examples), batch, steps);
        std::printf("  padded  batch %3lld examples: %8.0f useful tokens/s, %8.0f with padding (%4.1f%% padding), "
                    "%lld steps\n",
                    (long long)batch, padded.usefulPerSecond, padded.paddedPerSecond, 100 * padded.padding,
                    (long long)padded.steps);
        const auto packed = measure(makeModel, packedSet, rowsPerStep, steps);
        std::printf("  packed  batch %3lld rows:     %8.0f useful tokens/s, %8.0f with padding (%4.1f%% padding), "
                    "%lld steps\n",
                    (long long)rowsPerStep, packed.usefulPerSecond, packed.paddedPerSecond, 100 * packed.padding,
                    (long long)packed.steps);
        std::fflush(stdout);
        paddedSum += padded.usefulPerSecond;
        packedSum += packed.usefulPerSecond;
    }
    std::printf("  packed / padded useful tokens/s (means of the two rounds): %.2fx\n", packedSum / paddedSum);
    std::fflush(stdout);
}

std::vector<train::TokenizedExample> commonsenseQa(size_t count, const text::Tokenizer& tokenizer)
{
    const fs::path dir = fs::temp_directory_path() / ("bench_packing_" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::vector<train::Example> examples;
    {
        store::Workspace ws((dir / "w.cotlab").string());
        ingest::Importer::importFile(ws.db(), std::string(COTLAB_SHARED_DIR) +
                                                  "/data/teacher/palm-few-shot-cot/commonsense_qa.jsonl");
        train::TrainingSelection selection;
        selection.task = "commonsense_qa";
        examples = train::collectExamples(ws.db(), selection);
    }
    fs::remove_all(dir);
    std::mt19937 rng(0);
    std::shuffle(examples.begin(), examples.end(), rng);
    examples.resize(std::min(examples.size(), count));
    return train::TrainingSet::build(examples, tokenizer, 512).examples();
}

std::vector<train::TokenizedExample> longTraces(size_t count, int64_t vocab)
{
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> logLength(std::log(100.0), std::log(4000.0));
    std::uniform_int_distribution<int32_t> token(3, int32_t(vocab) - 1);
    std::vector<train::TokenizedExample> out(count);
    for (auto& e : out) {
        e.ids.resize(size_t(std::lround(std::exp(logLength(rng)))));
        for (auto& id : e.ids)
            id = token(rng);
        e.promptLength = e.promptTokens = int32_t(e.ids.size() * 15 / 100);
    }
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    std::string which = "all";
    int threads = 2;
    int64_t examples = 0, steps = 0;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--set") && i + 1 < argc)
            which = argv[++i];
        else if (!std::strcmp(argv[i], "--examples") && i + 1 < argc)
            examples = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
            steps = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_packing [--set cqa|long|all] [--examples N] [--steps N] "
                                 "[--threads N]\n");
            return 2;
        }
    }
    nn::setCpuThreads(threads);
    if (which == "all" || which == "cqa") {
        const std::string folder = std::string(COTLAB_SHARED_DIR) + "/models/stories260K";
        const auto tokenizer = text::loadTokenizer(folder + "/tok512.bin", 512);
        const auto set = commonsenseQa(size_t(examples > 0 ? examples : 2000), *tokenizer);
        compare(
            "PaLM CommonsenseQA rationales, stories260K",
            [&] { return nn::Llama2cLoader::load(folder + "/stories260K.bin").ptr(); }, set, 512, 4,
            steps > 0 ? steps : 20, threads);
    }
    if (which == "all" || which == "long") {
        nn::LlamaConfig c;
        c.dim = 128, c.hiddenDim = 344, c.nLayers = 2, c.nHeads = 4, c.nKvHeads = 4, c.vocabSize = 512;
        c.maxSeqLen = 4096;
        compare(
            "long traces (100-4,000 tokens, log-uniform), Llama dim 128 x 2 layers",
            [&] { return std::make_shared<nn::LlamaImpl>(c); }, longTraces(size_t(examples > 0 ? examples : 200), 512),
            4096, 1, steps > 0 ? steps : 12, threads);
    }
    return 0;
}
