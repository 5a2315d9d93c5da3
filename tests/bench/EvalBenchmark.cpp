// Evaluation throughput: a GPT-2-small-shaped student (124M parameters, random weights, GPT-2's tokenizer) on
// CommonsenseQA questions (the official dev file from ../shared, 5 answer choices per prompt) through the real
// evaluation (prompts, batched KV-cached generation, answer extraction, every rationale stored), with the batch
// size chosen automatically, against the same evaluation one question at a time.
//   build/tests/bench/bench_eval [--items 500] [--single-items 50] [--new-tokens 32] [--threads N]
//                                [--compare-batches 16,32,64,128 --compare-items 256]
// --compare-batches evaluates the first --compare-items questions at each of those fixed batch sizes (the data
// behind the automatic batch size's CPU cap).
// Random weights rarely write a stop string, so nearly every question generates --new-tokens tokens: the work per
// question is fixed. One at a time runs on the first --single-items questions (a full 500 would take ~10 min).
#include "eval/Evaluation.h"
#include "ingest/Importer.h"
#include "nn/CpuThreads.h"
#include "nn/Gpt2.h"
#include "store/Workspace.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace fs = std::filesystem;
using namespace cotlab;

static eval::EvaluationOutcome evaluate(const std::string& ws, const std::string& model, int64_t items, int64_t batch,
                                        int64_t newTokens, const std::string& name)
{
    eval::EvaluationRequest r;
    r.workspace = ws;
    r.modelPath = model;
    r.name = name;
    r.task = "commonsense_qa";
    r.split = "test";
    r.limit = items;
    r.batchSize = batch;
    r.maxNewTokens = newTokens;
    r.device = "cpu";
    const auto out = eval::startEvaluation(r, {}, nullptr);
    std::printf("%-22s %4lld questions  batch %3lld  %7.1f s  %6.2f questions/s  %7.1f generated tokens/s\n",
                name.c_str(), (long long)out.done, (long long)out.batchSize, out.seconds,
                double(out.done) / out.seconds, double(out.generatedTokens) / out.seconds);
    std::fflush(stdout);
    return out;
}

int main(int argc, char** argv)
{
    int64_t items = 500, singleItems = 50, newTokens = 32, compareItems = 256;
    std::vector<int64_t> compareBatches;
    int threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const int64_t v = std::atoll(argv[i + 1]);
        if (a == "--items")
            items = v;
        else if (a == "--single-items")
            singleItems = v;
        else if (a == "--new-tokens")
            newTokens = v;
        else if (a == "--compare-items")
            compareItems = v;
        else if (a == "--threads")
            threads = int(v);
        else if (a == "--compare-batches")
            for (const char* p = argv[i + 1]; *p;) {
                compareBatches.push_back(std::atoll(p));
                while (*p && *p != ',')
                    ++p;
                if (*p == ',')
                    ++p;
            }
    }
    if (threads > 0)
        cotlab::nn::setCpuThreads(threads);
    const fs::path dir = fs::temp_directory_path() / ("cotlab-bench-eval-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const std::string shared = COTLAB_SHARED_DIR;
    const std::string model = (dir / "gpt2-small-random").string();
    {
        torch::manual_seed(0);
        nn::Gpt2 gpt2(nn::Gpt2Config{}); // GPT-2 small's shape, random weights
        gpt2->saveHf(model);
        fs::copy_file(shared + "/tokenizers/gpt2/encoder.json", model + "/vocab.json");
        fs::copy_file(shared + "/tokenizers/gpt2/vocab.bpe", model + "/merges.txt");
    }
    const std::string ws = (dir / "bench.cotlab").string();
    {
        store::Workspace w(ws);
        ingest::Importer::importFile(w.db(), shared + "/data/commonsense_qa_official/dev_rand_split.jsonl");
    }
    std::printf("GPT-2 small shape (random weights), CommonsenseQA dev questions, %lld new tokens, %d threads\n",
                (long long)newTokens, torch::get_num_threads());
    if (!compareBatches.empty()) {
        for (const int64_t b : compareBatches)
            evaluate(ws, model, compareItems, b, newTokens, "batch " + std::to_string(b));
    } else {
        const auto batched = evaluate(ws, model, items, 0, newTokens, "automatic batch size");
        const auto single = evaluate(ws, model, singleItems, 1, newTokens, "one at a time");
        std::printf("speed-up of the automatic batch over one at a time: %.1fx (questions/s)\n",
                    (double(batched.done) / batched.seconds) / (double(single.done) / single.seconds));
    }
    fs::remove_all(dir);
    return 0;
}
