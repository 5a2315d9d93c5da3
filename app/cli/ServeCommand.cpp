#include "ServeCommand.h"

#include "Interrupt.h"
#include "gen/TextGeneration.h"
#include "nn/ModelLoader.h"
#include "nn/Placement.h"
#include "teacher/CompletionServer.h"
#include "text/Tokenizer.h"
#include "util/Error.h"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace cotlab::cli {

int runServe(const ServeArgs& args)
{
    auto loaded = nn::loadModelAndTokenizer(args.model, args.tokenizer);
    nn::place(*loaded.model, nn::resolvePlacement(args.device, args.precision));
    const std::string name =
        args.name.empty() ? std::filesystem::path(args.model).filename().string() : args.name;
    nn::CausalLm& model = *loaded.model;
    text::Tokenizer& tokenizer = *loaded.tokenizer;
    std::atomic<uint64_t> requestSeed{0};

    teacher::CompletionServer server(name, [&](const std::string& prompt, const teacher::SamplingParams& p) {
        gen::GenerationOptions options;
        options.decoding.maxNewTokens = p.maxTokens;
        options.decoding.greedy = p.temperature == 0;
        options.decoding.temperature = p.temperature > 0 ? p.temperature : 1.0;
        options.decoding.topP = p.topP;
        options.decoding.seed = p.seed ? *p.seed : requestSeed++; // unseeded requests differ from each other
        options.stopStrings = p.stop;
        const auto generations = gen::generate(model, tokenizer, std::vector<std::string>(size_t(p.n), prompt), options);
        std::vector<teacher::GeneratedText> out;
        for (const auto& g : generations) {
            teacher::GeneratedText t;
            t.text = g.text;
            t.finishReason = g.finish == gen::FinishReason::Length ? "length" : "stop";
            if (!g.text.empty()) {
                // The log-probabilities of the text returned, as CoTLab's scoring computes them.
                const auto scored = gen::scoreText(model, tokenizer, prompt, g.text);
                t.promptTokens = int64_t(scored.prompt.size());
                int32_t previous = scored.prompt.empty() ? 0 : scored.prompt.back();
                for (size_t i = 0; i < scored.continuation.size(); ++i) {
                    t.tokens.push_back(tokenizer.decodeAfter({previous}, {scored.continuation[i]}));
                    previous = scored.continuation[i];
                }
                if (p.logprobs)
                    t.tokenLogprobs = scored.logprobs;
            }
            out.push_back(std::move(t));
        }
        return out;
    });
    const int port = server.bind(args.host, args.port);
    std::printf("serving %s on http://%s:%d/v1 (completions, chat/completions, models); Ctrl-C stops\n", name.c_str(),
                args.host.c_str(), port);
    std::fflush(stdout);
    std::atomic<bool> listening{true};
    const jobs::StopToken& interrupt = stopOnInterrupt();
    std::thread stopper([&] {
        while (listening && !interrupt.stopRequested())
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        server.stop();
    });
    server.listen();
    listening = false;
    stopper.join();
    std::printf("stopped after %lld requests\n", (long long)server.requests());
    return 0;
}

} // namespace cotlab::cli
