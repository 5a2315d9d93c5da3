#include "ServeCommand.h"

#include "Interrupt.h"
#include "gen/TextGeneration.h"
#include "nn/ModelLoader.h"
#include "nn/Placement.h"
#include "teacher/CompletionServer.h"
#include "text/Tokenizer.h"
#include "util/Error.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

namespace cotlab::cli {

namespace {

// Serves concurrent requests from one generation thread: requests that arrive while a batch is generated wait,
// and those with the same decoding settings then go together into one padded batch (up to kMaxBatch sequences),
// so more requests in flight give more samples per second. A request with its own seed is generated alone.
class Batcher {
public:
    static constexpr int kMaxBatch = 64;

    Batcher(nn::CausalLm& model, text::Tokenizer& tokenizer) : m_model(model), m_tokenizer(tokenizer)
    {
        m_thread = std::thread([this] { loop(); });
    }
    ~Batcher()
    {
        {
            std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

    std::vector<teacher::GeneratedText> submit(const std::string& prompt, const teacher::SamplingParams& params)
    {
        Pending pending{prompt, params, {}};
        auto result = pending.done.get_future();
        {
            std::lock_guard lock(m_mutex);
            m_queue.push_back(&pending);
        }
        m_wake.notify_one();
        return result.get();
    }

private:
    struct Pending {
        std::string prompt;
        teacher::SamplingParams params;
        std::promise<std::vector<teacher::GeneratedText>> done;
    };

    static bool sameDecoding(const teacher::SamplingParams& a, const teacher::SamplingParams& b)
    {
        return !a.seed && !b.seed && a.temperature == b.temperature && a.topP == b.topP && a.maxTokens == b.maxTokens &&
               a.stop == b.stop;
    }

    void loop()
    {
        for (;;) {
            std::vector<Pending*> batch;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [&] { return m_quit || !m_queue.empty(); });
                if (m_quit && m_queue.empty())
                    return;
                Pending* first = m_queue.front();
                m_queue.pop_front();
                batch.push_back(first);
                int sequences = first->params.n;
                for (auto it = m_queue.begin(); it != m_queue.end();) {
                    if (sequences + (*it)->params.n <= kMaxBatch && sameDecoding(first->params, (*it)->params)) {
                        sequences += (*it)->params.n;
                        batch.push_back(*it);
                        it = m_queue.erase(it);
                    } else {
                        ++it;
                    }
                }
            }
            try {
                run(batch);
            } catch (...) {
                for (Pending* p : batch)
                    p->done.set_exception(std::current_exception());
            }
        }
    }

    void run(const std::vector<Pending*>& batch)
    {
        const teacher::SamplingParams& p = batch.front()->params;
        gen::GenerationOptions options;
        options.decoding.maxNewTokens = p.maxTokens;
        options.decoding.greedy = p.temperature == 0;
        options.decoding.temperature = p.temperature > 0 ? p.temperature : 1.0;
        options.decoding.topP = p.topP;
        options.decoding.seed = p.seed ? *p.seed : m_nextSeed++; // unseeded batches differ from each other
        options.stopStrings = p.stop;
        std::vector<std::string> prompts;
        for (const Pending* pending : batch)
            prompts.insert(prompts.end(), size_t(pending->params.n), pending->prompt);
        const auto generations = gen::generate(m_model, m_tokenizer, prompts, options);
        size_t next = 0;
        for (Pending* pending : batch) {
            std::vector<teacher::GeneratedText> out;
            for (int k = 0; k < pending->params.n; ++k)
                out.push_back(describe(pending->prompt, generations[next++], pending->params.logprobs));
            pending->done.set_value(std::move(out));
        }
    }

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
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Pending*> m_queue;
    bool m_quit = false;
    uint64_t m_nextSeed = 0;
    std::thread m_thread;
};

} // namespace

int runServe(const ServeArgs& args)
{
    auto loaded = nn::loadModelAndTokenizer(args.model, args.tokenizer);
    nn::place(*loaded.model, nn::resolvePlacement(args.device, args.precision));
    const std::string name = args.name.empty() ? std::filesystem::path(args.model).filename().string() : args.name;
    Batcher batcher(*loaded.model, *loaded.tokenizer);
    teacher::CompletionServer server(
        name, [&](const std::string& prompt, const teacher::SamplingParams& p) { return batcher.submit(prompt, p); });
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
