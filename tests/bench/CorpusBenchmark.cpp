// Corpus benchmark: builds corpora from a large workspace (one million rationales made from the real shared files
// by `bench_import --keep FILE`) with the recipes SCoTD compares, and prints the time of each build (reading the
// store and applying the steps; saving is not included) and the peak resident memory.
//
//   bench_corpus --workspace FILE
#include "corpus/CorpusBuilder.h"
#include "store/Workspace.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/resource.h>

using namespace cotlab;

int main(int argc, char** argv)
{
    std::string workspace;
    for (int i = 1; i + 1 < argc; ++i)
        if (!std::strcmp(argv[i], "--workspace"))
            workspace = argv[i + 1];
    if (workspace.empty()) {
        std::fprintf(stderr, "usage: %s --workspace FILE   (make FILE with: bench_import --keep FILE)\n", argv[0]);
        return 2;
    }
    store::Workspace ws(workspace);
    const std::pair<const char*, const char*> recipes[] = {
        {"random k=4", R"([{"step": "per_instance", "k": 4, "by": "random", "seed": 1}])"},
        {"correct, exact dedupe, diversity k=4",
         R"([{"step": "correctness", "keep": "correct"}, {"step": "dedupe", "mode": "exact"},
             {"step": "per_instance", "k": 4, "by": "diversity"}])"},
        {"near dedupe 0.8, open-endedness 50%",
         R"([{"step": "dedupe", "mode": "near", "threshold": 0.8}, {"step": "open_endedness", "keep_share": 0.5}])"},
    };
    for (const auto& [name, steps] : recipes) {
        const auto recipe = corpus::recipeFromJson(std::string(R"({"version": 1, "steps": )") + steps + "}");
        const auto start = std::chrono::steady_clock::now();
        const auto built = corpus::buildCorpus(ws.db(), recipe);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("%-40s %8lld of %lld rationales kept, %6lld instances: %.2f s\n", name,
                    (long long)built.steps.back().rationales, (long long)built.steps.front().rationales,
                    (long long)built.steps.back().instances, seconds);
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("peak RSS: %ld MiB\n", ru.ru_maxrss / 1024);
    return 0;
}
