#include "ServeCommand.h"

#include "CommandLine.h"
#include "Interrupt.h"
#include "gen/TextGeneration.h"
#include "nn/ModelLoader.h"
#include "nn/ModelShape.h"
#include "nn/Placement.h"
#include "teacher/CompletionServer.h"
#include "teacher/RequestBatcher.h"
#include "text/ChatTemplate.h"
#include "text/Tokenizer.h"
#include "util/Error.h"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

namespace cotlab::cli {

namespace {

// The texts of a batch of requests from one padded generation on the model, with CoTLab's own per-token
// log-probabilities of what is returned.
class ModelGenerator {
public:
    ModelGenerator(nn::CausalLm& model, text::Tokenizer& tokenizer) : m_model(model), m_tokenizer(tokenizer) {}

    std::vector<std::vector<teacher::GeneratedText>> operator()(const std::vector<std::string>& prompts,
                                                                const std::vector<int>& samples,
                                                                const teacher::SamplingParams& p, uint64_t seed)
    {
        gen::GenerationOptions options;
        options.decoding.maxNewTokens = p.maxTokens;
        options.decoding.greedy = p.temperature == 0;
        options.decoding.temperature = p.temperature > 0 ? p.temperature : 1.0;
        options.decoding.topP = p.topP;
        options.decoding.seed = seed;
        options.stopStrings = p.stop;
        options.templatedPrompts = p.templated; // a chat template's text writes its own BOS
        std::vector<std::string> sequences;
        for (size_t k = 0; k < prompts.size(); ++k)
            sequences.insert(sequences.end(), size_t(samples[k]), prompts[k]);
        const auto generations = gen::generate(m_model, m_tokenizer, sequences, options);
        std::vector<std::vector<teacher::GeneratedText>> out(prompts.size());
        size_t next = 0;
        for (size_t k = 0; k < prompts.size(); ++k)
            for (int s = 0; s < samples[k]; ++s)
                out[k].push_back(describe(prompts[k], generations[next++], p.logprobs));
        return out;
    }

private:
    teacher::GeneratedText describe(const std::string& prompt, const gen::Generation& g, bool logprobs)
    {
        teacher::GeneratedText t;
        t.text = g.text;
        t.finishReason = g.finish == gen::FinishReason::Length ? "length" : "stop";
        if (g.text.empty())
            return t;
        // The log-probabilities of the text returned, as CoTLab's scoring computes them.
        const auto scored = gen::scoreText(m_model, m_tokenizer, prompt, g.text);
        t.promptTokens = int64_t(scored.prompt.size());
        int32_t previous = scored.prompt.empty() ? 0 : scored.prompt.back();
        for (int32_t token : scored.continuation) {
            t.tokens.push_back(m_tokenizer.decodeAfter({previous}, {token}));
            previous = token;
        }
        if (logprobs)
            t.tokenLogprobs = scored.logprobs;
        return t;
    }

    nn::CausalLm& m_model;
    text::Tokenizer& m_tokenizer;
};

} // namespace

int runServe(const ServeArgs& args)
{
    auto loaded = nn::loadModelAndTokenizer(args.model, args.tokenizer, {.adapter = args.adapter});
    nn::place(*loaded.model, nn::resolvePlacement(args.device, args.precision));
    const std::string name = args.name.empty() ? std::filesystem::path(args.model).filename().string() : args.name;
    teacher::RequestBatcher batcher(ModelGenerator(*loaded.model, *loaded.tokenizer));
    teacher::CompletionServer server(
        name, [&](const std::string& prompt, const teacher::SamplingParams& p) { return batcher.submit(prompt, p); });
    // Chat requests in the model's own chat template, as the student was trained and evaluated with it.
    std::optional<text::ChatTemplate> chat =
        text::ChatTemplate::fromFolder(nn::tokenizerPathOf(args.model, args.tokenizer, args.adapter));
    if (chat) {
        server.setChatTemplate(
            [&chat](const nlohmann::json& messages) {
                std::vector<text::ChatMessage> turns;
                for (const auto& m : messages)
                    turns.push_back({m.at("role").get<std::string>(), m.at("content").get<std::string>()});
                return chat->render(turns, true);
            },
            chat->eosToken().empty() ? std::vector<std::string>{} : std::vector<std::string>{chat->eosToken()});
    }
    const int port = server.bind(args.host, args.port);
    std::printf("serving %s on http://%s:%d/v1 (completions, chat/completions, models); Ctrl-C stops\n", name.c_str(),
                args.host.c_str(), port);
    std::printf(chat ? "chat requests in the model's chat template (%s)\n"
                     : "chat requests: the model has no chat template; messages' contents are joined by newlines%s\n",
                chat ? chat->origin().c_str() : "");
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

void addServeCommand(CommandLine& cli)
{
    auto sv = std::make_shared<ServeArgs>();
    auto* serve = cli.add("serve",
                          "An OpenAI-compatible completions server over a local model (/v1/completions, "
                          "/v1/chat/completions, /v1/models; docs/teacher.md)",
                          [sv] { return runServe(*sv); });
    serve->add_option("--model", sv->model, kModelHelp)->required();
    serve->add_option("--tokenizer", sv->tokenizer, kTokenizerHelp);
    serve->add_option("--adapter", sv->adapter, kAdapterHelp);
    serve->add_option("--name", sv->name, "Model name the server answers to (default: the file or folder name)");
    serve->add_option("--host", sv->host, "Address to listen on")->capture_default_str();
    serve->add_option("--port", sv->port, "Port (0: any free port, printed)")->capture_default_str();
    serve->add_option("--device", sv->device, kDeviceHelp)->capture_default_str();
    serve->add_option("--precision", sv->precision, "fp32, bf16, fp16 (CUDA only) or auto")->capture_default_str();
}

} // namespace cotlab::cli
