#include "ModelCommands.h"

#include "CommandLine.h"
#include "gen/TextGeneration.h"
#include "nn/Lora.h"
#include "nn/ModelLoader.h"
#include "nn/Placement.h"
#include "text/Tokenizer.h"
#include "util/Error.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

namespace cotlab::cli {

int runGenerate(const GenerateArgs& args)
{
    if (args.maxNewTokens <= 0)
        throw Error("--max-new-tokens must be positive");
    if (!args.greedy && (args.temperature <= 0.0 || args.topP <= 0.0 || args.topP > 1.0))
        throw Error("--temperature must be > 0 and --top-p in (0, 1]; use --greedy for greedy decoding");
    auto l = nn::loadModelAndTokenizer(args.model, args.tokenizer, {.adapter = args.adapter});
    nn::place(*l.model, nn::resolvePlacement(args.device, args.precision));
    gen::GenerationOptions o;
    o.decoding.maxNewTokens = args.maxNewTokens;
    o.decoding.greedy = args.greedy;
    o.decoding.temperature = args.temperature;
    o.decoding.topP = args.topP;
    o.decoding.seed = args.seed;
    o.stopStrings = args.stop;
    const auto out = gen::generate(*l.model, *l.tokenizer, {args.prompt}, o).front();
    std::fwrite(out.text.data(), 1, out.text.size(), stdout);
    std::fputc('\n', stdout);
    return 0;
}

int runConvert(const ConvertArgs& args)
{
    const std::string family = nn::saveAsHfFolder(args.model, args.tokenizer, args.adapter, args.out);
    std::printf("%s: config.json, model.safetensors and the tokenizer (Hugging Face %s layout)\n", args.out.c_str(),
                family.c_str());
    return 0;
}

int runMerge(const MergeArgs& args)
{
    const int64_t changed = nn::mergeAdapterFolder(args.model, args.adapter, args.out);
    std::printf("%s: %lld weights of %s updated by the adapter, written in the base's dtype with its config and "
                "tokenizer\n",
                args.out.c_str(), static_cast<long long>(changed), args.model.c_str());
    return 0;
}

int runScore(const ScoreArgs& args)
{
    auto l = nn::loadModelAndTokenizer(args.model, args.tokenizer, {.adapter = args.adapter});
    nn::place(*l.model, nn::resolvePlacement(args.device, args.precision));
    const auto scored = gen::scoreText(*l.model, *l.tokenizer, args.prompt, args.continuation);
    const auto& prompt = scored.prompt;
    const auto& continuation = scored.continuation;
    const auto& logprobs = scored.logprobs;
    const double total = scored.total();
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
                               {"text", l.tokenizer->decodeAfter({previous}, {continuation[i]})},
                               {"logprob", logprobs[i]}});
        previous = continuation[i];
    }
    // A byte-level token can hold part of a UTF-8 character: replace what is not valid text.
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
}

void addModelCommands(CommandLine& cli)
{
    auto gen = std::make_shared<GenerateArgs>();
    auto* generate = cli.add("generate", "Generate a continuation of a prompt; prints only the continuation",
                             [gen] { return runGenerate(*gen); });
    generate->add_option("--model", gen->model, kModelHelp)->required();
    generate->add_option("--tokenizer", gen->tokenizer, kTokenizerHelp);
    generate->add_option("--adapter", gen->adapter, kAdapterHelp);
    generate->add_option("--prompt", gen->prompt, "Prompt text")->required();
    generate->add_option("--max-new-tokens", gen->maxNewTokens, "Tokens to generate at most")->capture_default_str();
    generate->add_flag("--greedy", gen->greedy, "Greedy decoding (default: sampling)");
    generate->add_option("--temperature", gen->temperature, "Sampling temperature")->capture_default_str();
    generate->add_option("--top-p", gen->topP, "Nucleus sampling mass")->capture_default_str();
    generate->add_option("--seed", gen->seed, "Sampling seed")->capture_default_str();
    generate->add_option("--stop", gen->stop, "Stop string (repeatable): output ends before it");
    generate->add_option("--device", gen->device, kDeviceHelp)->capture_default_str();
    generate->add_option("--precision", gen->precision, kPrecisionHelp)->capture_default_str();

    auto sc = std::make_shared<ScoreArgs>();
    auto* score =
        cli.add("score", "Total log-probability of a continuation given a prompt", [sc] { return runScore(*sc); });
    score->add_option("--model", sc->model, kModelHelp)->required();
    score->add_option("--tokenizer", sc->tokenizer, kTokenizerHelp);
    score->add_option("--adapter", sc->adapter, kAdapterHelp);
    score->add_option("--prompt", sc->prompt, "Prompt text")->required();
    score->add_option("--continuation", sc->continuation, "Continuation text")->required();
    score->add_flag("--json", sc->json, "Print per-token log-probabilities as JSON");
    score->add_option("--device", sc->device, kDeviceHelp)->capture_default_str();
    score->add_option("--precision", sc->precision, kPrecisionHelp)->capture_default_str();

    auto conv = std::make_shared<ConvertArgs>();
    auto* convert = cli.add("convert",
                            "Write a model as a Hugging Face folder (config.json, model.safetensors, tokenizer "
                            "files), e.g. a llama2.c checkpoint",
                            [conv] { return runConvert(*conv); });
    convert->add_option("--model", conv->model, kModelHelp)->required();
    convert->add_option("--tokenizer", conv->tokenizer, kTokenizerHelp);
    convert->add_option("--adapter", conv->adapter, kAdapterHelp);
    convert->add_option("--out", conv->out, "Folder to write")->required();

    auto mg = std::make_shared<MergeArgs>();
    auto* merge = cli.add("merge",
                          "Merge a LoRA adapter into its base: a full Hugging Face folder in the base's dtype "
                          "(for transformers, vLLM, llama.cpp's converter), written one tensor at a time",
                          [mg] { return runMerge(*mg); });
    merge->add_option("--model", mg->model, "The base model's Hugging Face folder")->required();
    merge->add_option("--adapter", mg->adapter, kAdapterHelp)->required();
    merge->add_option("--out", mg->out, "Folder to write")->required();
}

} // namespace cotlab::cli
