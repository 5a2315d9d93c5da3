#include "ModelCommands.h"

#include "gen/GreedyDecoder.h"
#include "nn/HfLlama.h"
#include "nn/Llama2cLoader.h"
#include "text/Llama2cTokenizer.h"
#include "util/Error.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace cotlab::cli {

namespace {

struct Loaded {
    nn::Llama model{nullptr};
    std::optional<text::Llama2cTokenizer> tokenizer;
};

Loaded load(const ModelArgs& args)
{
    std::error_code ec;
    const bool folder = std::filesystem::is_directory(args.model, ec);
    if (!folder && !std::filesystem::exists(args.model, ec))
        throw Error(args.model + ": no such model file or folder");
    if (!args.tokenizer)
        throw Error("--tokenizer FILE (a llama2.c tokenizer.bin) is required: reading tokenizer.json from model "
                    "folders is not built yet");
    Loaded l;
    l.model = folder ? nn::HfLlama::load(args.model) : nn::Llama2cLoader::load(args.model);
    l.tokenizer = text::Llama2cTokenizer::fromFile(*args.tokenizer, int32_t(l.model->config().vocabSize));
    return l;
}

} // namespace

int runGenerate(const GenerateArgs& args)
{
    if (args.maxNewTokens <= 0)
        throw Error("--max-new-tokens must be positive");
    if (!args.greedy && (args.temperature <= 0.0 || args.topP <= 0.0 || args.topP > 1.0))
        throw Error("--temperature must be > 0 and --top-p in (0, 1]; use --greedy for greedy decoding");
    Loaded l = load(args);
    const auto prompt = l.tokenizer->encode(args.prompt, true);
    gen::DecodingOptions o;
    o.maxNewTokens = args.maxNewTokens;
    o.greedy = args.greedy;
    o.temperature = args.temperature;
    o.topP = args.topP;
    o.seed = args.seed;
    o.stopToken = text::Llama2cTokenizer::kEos;
    const auto ids = gen::decode(*l.model, prompt, o);
    int32_t previous = prompt.back();
    std::string out;
    for (int32_t id : ids) {
        if (id == text::Llama2cTokenizer::kEos || id == text::Llama2cTokenizer::kBos)
            break;
        out += l.tokenizer->piece(previous, id);
        previous = id;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fputc('\n', stdout);
    return 0;
}

int runConvert(const ConvertArgs& args)
{
    auto model = nn::Llama2cLoader::load(args.model);
    nn::HfLlama::save(model, args.out);
    std::printf("%s: config.json and model.safetensors (Hugging Face Llama layout)\n", args.out.c_str());
    return 0;
}

int runScore(const ScoreArgs& args)
{
    Loaded l = load(args);
    // Tokenise prompt and continuation together (what the model would see), then split at the prompt's end.
    const auto promptIds = l.tokenizer->encode(args.prompt, true);
    const auto all = l.tokenizer->encode(args.prompt + args.continuation, true);
    size_t common = 0;
    while (common < promptIds.size() && common < all.size() && promptIds[common] == all[common])
        ++common;
    if (common == 0)
        common = 1; // keep BOS as the prompt
    const std::vector<int32_t> prompt(all.begin(), all.begin() + std::ptrdiff_t(common));
    const std::vector<int32_t> continuation(all.begin() + std::ptrdiff_t(common), all.end());
    if (continuation.empty())
        throw Error("--continuation is empty after tokenisation");
    const auto logprobs = gen::scoreContinuation(*l.model, prompt, continuation);
    double total = 0;
    for (double v : logprobs)
        total += v;
    if (!args.json) {
        std::printf("%.6f\n", total);
        return 0;
    }
    nlohmann::ordered_json j;
    j["total_logprob"] = total;
    j["tokens"] = nlohmann::ordered_json::array();
    int32_t previous = prompt.back();
    for (size_t i = 0; i < continuation.size(); ++i) {
        j["tokens"].push_back({{"id", continuation[i]},
                               {"text", l.tokenizer->piece(previous, continuation[i])},
                               {"logprob", logprobs[i]}});
        previous = continuation[i];
    }
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
}

} // namespace cotlab::cli
