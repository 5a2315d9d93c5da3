// Greedy decoding throughput with the KV cache, batch 1 and 32: stories260K (llama2.c checkpoint from
// ../shared, 256 new tokens from BOS) and a GPT-2-small-shaped model with random weights (64 new tokens).
// Compare with decode_reference.py (the same loops in PyTorch eager):
//   build/tests/bench/bench_decode [--threads N]
//   /usr/bin/python3 tests/bench/decode_reference.py [--threads N]
#include "gen/Decoding.h"
#include "nn/CpuThreads.h"
#include "nn/Gpt2.h"
#include "nn/Llama2cLoader.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

static void run(const char* name, cotlab::nn::CausalLm& model, int64_t steps, int threads)
{
    for (int batch : {1, 32}) {
        std::vector<std::vector<int32_t>> prompts(size_t(batch), std::vector<int32_t>{1});
        cotlab::gen::DecodingOptions o;
        o.maxNewTokens = 8;
        cotlab::gen::decodeBatch(model, prompts, o); // warm-up
        o.maxNewTokens = steps;
        double best = 1e9;
        for (int rep = 0; rep < 3; ++rep) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto out = cotlab::gen::decodeBatch(model, prompts, o);
            best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            if (out[0].size() != size_t(steps))
                std::exit(1);
        }
        std::printf("cotlab  %s batch %2d: %8.1f tokens/s (%lld steps, best of 3, %d threads)\n", name, batch,
                    double(batch * steps) / best, static_cast<long long>(steps), threads);
    }
}

int main(int argc, char** argv)
{
    int threads = 1;
    for (int i = 1; i < argc; ++i)
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
    cotlab::nn::setCpuThreads(threads);
    auto llama =
        cotlab::nn::Llama2cLoader::load(std::string(COTLAB_SHARED_DIR) + "/models/stories260K/stories260K.bin");
    run("stories260K", *llama, 256, threads);
    torch::manual_seed(0);
    cotlab::nn::Gpt2 gpt2(cotlab::nn::Gpt2Config{}); // GPT-2 small's shape (124M parameters), random weights
    gpt2->eval();
    run("gpt2-small ", *gpt2, 64, threads);
    return 0;
}
