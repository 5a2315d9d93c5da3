#include "ModelCommands.h"

#include "gen/GreedyDecoder.h"
#include "nn/Gpt2.h"
#include "nn/HfFolder.h"
#include "nn/HfLlama.h"
#include "nn/Llama2cLoader.h"
#include "text/ByteLevelBpe.h"
#include "text/Llama2cTokenizer.h"
#include "util/Error.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

namespace cotlab::cli {

namespace {

// A model with the tokenizer that goes with it.
struct Loaded {
    std::shared_ptr<nn::CausalLm> model;
    std::function<std::vector<int32_t>(const std::string&)> encode;          // the prompt as the model sees it
    std::function<std::string(const std::vector<int32_t>&, int32_t)> decode; // tokens after a given token
    int32_t eos = -1;
};

std::string modelType(const std::string& folder)
{
    return nn::HfFolder::readConfig(folder).value("model_type", "");
}

Loaded load(const ModelArgs& args)
{
    std::error_code ec;
    const bool folder = std::filesystem::is_directory(args.model, ec);
    if (!folder && !std::filesystem::exists(args.model, ec))
        throw Error(args.model + ": no such model file or folder");
    Loaded l;
    if (folder && modelType(args.model) == "gpt2") {
        l.model = nn::Gpt2Impl::loadHf(args.model);
        const auto dir = std::filesystem::path(args.model);
        if (!std::filesystem::exists(dir / "vocab.json") || !std::filesystem::exists(dir / "merges.txt"))
            throw Error(args.model + ": a GPT-2 folder needs vocab.json and merges.txt (tokenizer.json alone is not "
                                     "read yet)");
        auto bpe = std::make_shared<text::ByteLevelBpe>(
            text::ByteLevelBpe::fromFiles((dir / "vocab.json").string(), (dir / "merges.txt").string()));
        l.encode = [bpe](const std::string& t) { return bpe->encode(t); };
        l.decode = [bpe](const std::vector<int32_t>& ids, int32_t) { return bpe->decode(ids); };
        l.eos = 50256;
        return l;
    }
    if (!args.tokenizer)
        throw Error("--tokenizer FILE (a llama2.c tokenizer.bin) is required for llama2.c checkpoints and Llama "
                    "folders: reading tokenizer.json from model folders is not built yet");
    auto llama = folder ? nn::HfLlama::load(args.model) : nn::Llama2cLoader::load(args.model);
    auto tok = std::make_shared<text::Llama2cTokenizer>(
        text::Llama2cTokenizer::fromFile(*args.tokenizer, int32_t(llama->config().vocabSize)));
    l.model = llama.ptr();
    l.encode = [tok](const std::string& t) { return tok->encode(t, true); };
    l.decode = [tok](const std::vector<int32_t>& ids, int32_t previous) {
        std::string out;
        for (int32_t id : ids) {
            if (id == text::Llama2cTokenizer::kBos || id == text::Llama2cTokenizer::kEos)
                break;
            out += tok->piece(previous, id);
            previous = id;
        }
        return out;
    };
    l.eos = text::Llama2cTokenizer::kEos;
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
    const auto prompt = l.encode(args.prompt);
    if (prompt.empty())
        throw Error("--prompt is empty; this model has no BOS token to start from");
    gen::DecodingOptions o;
    o.maxNewTokens = args.maxNewTokens;
    o.greedy = args.greedy;
    o.temperature = args.temperature;
    o.topP = args.topP;
    o.seed = args.seed;
    o.stopToken = l.eos;
    auto ids = gen::decode(*l.model, prompt, o);
    if (!ids.empty() && ids.back() == l.eos)
        ids.pop_back();
    const std::string out = l.decode(ids, prompt.back());
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
    const auto promptIds = l.encode(args.prompt);
    const auto all = l.encode(args.prompt + args.continuation);
    size_t common = 0;
    while (common < promptIds.size() && common < all.size() && promptIds[common] == all[common])
        ++common;
    if (common == 0)
        throw Error("--prompt is empty; this model has no BOS token to condition on");
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
        j["tokens"].push_back(
            {{"id", continuation[i]}, {"text", l.decode({continuation[i]}, previous)}, {"logprob", logprobs[i]}});
        previous = continuation[i];
    }
    // A byte-level token can hold part of a UTF-8 character: replace what is not valid text.
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
}

} // namespace cotlab::cli
