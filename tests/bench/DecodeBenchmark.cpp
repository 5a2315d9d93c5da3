// Greedy decoding throughput of stories260K (llama2.c checkpoint from ../shared) with the KV cache, batch 1 and
// batch 32, 256 new tokens from BOS. Compare with decode_reference.py (the same loop in PyTorch eager):
//   build/tests/bench/bench_decode [--threads N]
//   /usr/bin/python3 tests/bench/decode_reference.py [--threads N]
#include "gen/GreedyDecoder.h"
#include "nn/Llama2cLoader.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv)
{
    int threads = 1;
    for (int i = 1; i < argc; ++i)
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
    torch::set_num_threads(threads);
    auto model =
        cotlab::nn::Llama2cLoader::load(std::string(COTLAB_SHARED_DIR) + "/models/stories260K/stories260K.bin");
    const int64_t steps = 256;
    for (int batch : {1, 32}) {
        std::vector<std::vector<int32_t>> prompts(size_t(batch), std::vector<int32_t>{1});
        cotlab::gen::greedyDecodeBatch(*model, prompts, 16); // warm-up
        double best = 1e9;
        for (int rep = 0; rep < 3; ++rep) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto out = cotlab::gen::greedyDecodeBatch(*model, prompts, steps);
            best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            if (out[0].size() != size_t(steps))
                return 1;
        }
        std::printf("cotlab  stories260K batch %2d: %8.0f tokens/s (%lld steps, best of 3, %d threads)\n", batch,
                    double(batch * steps) / best, static_cast<long long>(steps), threads);
    }
    return 0;
}
