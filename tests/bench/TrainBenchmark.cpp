// Training throughput (tokens/s, prompt and target tokens, no padding): stories260K (llama2.c checkpoint from
// ../shared; batch 8 x 256 tokens) and a GPT-2-small-shaped model (random weights; batch 4 x 128 tokens),
// full steps (forward, loss on the second half of each sequence, backward, clipping, AdamW) through
// cotlab::train::Trainer. Compare with train_reference.py (the same steps in PyTorch eager):
//   build/tests/bench/bench_train [--threads N] [--model stories260K|gpt2] [--steps N] [--precision fp32|bf16]
//   /usr/bin/python3 tests/bench/train_reference.py [--threads N] [--only stories260K|gpt2] [--steps N] [--bf16]
// tests/bench/train_compare.sh alternates the two and prints medians and their ratio.
// Data-parallel (c10d, Gloo): start it as workers, each with the batch above, and it adds the seconds per step spent
// in all-reduce (gradients, loss, stop flag) against the whole step:
//   torchrun --no-python --nproc-per-node 2 build/tests/bench/bench_train --model gpt2 --threads 1
#include "nn/CpuThreads.h"
#include "nn/Gpt2.h"
#include "nn/Llama2cLoader.h"
#include "train/DataParallel.h"
#include "train/Trainer.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

static void run(const char* name, std::shared_ptr<cotlab::nn::CausalLm> model, int64_t batch, int64_t length,
                int64_t steps, int threads, const std::string& precision)
{
    std::shared_ptr<cotlab::train::DataParallel> dp;
    if (const auto world = cotlab::train::DistributedEnv::fromEnvironment())
        dp = std::make_shared<cotlab::train::DataParallel>(*world);
    const int64_t workers = dp ? dp->worldSize() : 1;
    std::mt19937 rng(0);
    std::uniform_int_distribution<int32_t> token(3, int32_t(model->vocabSize()) - 1);
    std::vector<cotlab::train::TokenizedExample> examples(size_t(batch * workers * (steps + 2)));
    for (auto& e : examples) {
        e.ids.resize(size_t(length));
        for (auto& id : e.ids)
            id = token(rng);
        e.promptLength = int32_t(length / 2);
    }
    const auto set = cotlab::train::TrainingSet::fromTokens(std::move(examples));
    cotlab::train::TrainConfig c;
    c.learningRate = 1e-4;
    c.batchSize = batch;
    c.maxSteps = steps + 2;
    c.schedule = "constant";
    c.precision = precision;
    cotlab::train::Trainer trainer(model, set, c, 0, dp);
    double tokens = 0, seconds = 0, communication = 0, before = 0;
    trainer.run([&](const cotlab::train::StepMetrics& m) {
        const double inCollectives = dp ? dp->secondsInCollectives() : 0.0;
        if (m.step > 2) { // the first two steps warm up allocators and the optimizer state
            tokens += double(batch * workers * length);
            seconds += double(batch * workers * length) / m.tokensPerSecond;
            communication += inCollectives - before;
        }
        before = inCollectives;
    });
    if (dp && dp->rank() != 0)
        return;
    if (dp)
        std::printf("cotlab  %s %lld workers: all-reduce %.3f s of %.3f s per step (%.0f%%)\n", name,
                    (long long)workers, communication / double(steps), seconds / double(steps),
                    100.0 * communication / seconds);
    std::printf("cotlab  %s train batch %lld x %lld: %8.1f tokens/s (%lld steps after 2 warm-up, %d threads, %s%s)\n",
                name, (long long)(batch * workers), (long long)length, tokens / seconds, (long long)steps, threads,
                precision.c_str(), dp ? ", all workers" : "");
}

int main(int argc, char** argv)
{
    int threads = 1;
    std::string which = "all", precision = "fp32";
    int64_t steps = 0; // 0: 20 steps for stories260K, 5 for GPT-2 small
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--model") && i + 1 < argc)
            which = argv[++i];
        else if (!std::strcmp(argv[i], "--precision") && i + 1 < argc)
            precision = argv[++i];
        else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
            steps = std::atoll(argv[++i]);
    }
    cotlab::nn::setCpuThreads(threads);
    if (which == "all" || which == "stories260K") {
        auto llama =
            cotlab::nn::Llama2cLoader::load(std::string(COTLAB_SHARED_DIR) + "/models/stories260K/stories260K.bin");
        run("stories260K", llama.ptr(), 8, 256, steps > 0 ? steps : 20, threads, precision);
    }
    if (which == "all" || which == "gpt2") {
        torch::manual_seed(0);
        run("gpt2-small ", std::make_shared<cotlab::nn::Gpt2Impl>(cotlab::nn::Gpt2Config{}), 4, 128,
            steps > 0 ? steps : 5, threads, precision);
    }
    return 0;
}
