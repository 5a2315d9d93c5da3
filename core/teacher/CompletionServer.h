#pragma once

// An OpenAI-compatible completions server (cpp-httplib) over any generator: POST /v1/completions (a prompt or a
// list of prompts) and /v1/chat/completions (n, temperature (0: greedy), top_p, max_tokens, stop, logprobs, seed,
// stream with stream_options.include_usage), GET /v1/models.
// cotlab-cli serve backs it with CoTLab's own model engine, so a local checkpoint can be sampled by CoTLab and
// by other tools. Requests are answered on the server's threads, and the generator is called from them
// concurrently: it must be thread-safe (cotlab-cli serve's batches concurrent requests into one generation).
#include "teacher/CompletionClient.h"

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace cotlab::teacher {

struct GeneratedText {
    std::string text;
    std::string finishReason; // stop or length
    std::vector<std::string> tokens;
    std::vector<double> tokenLogprobs; // empty when not asked for
    int64_t promptTokens = 0;          // the prompt's length in tokens (reported as usage)
};
// What a POST to /v1/completions (chat false) or /v1/chat/completions asks for.
struct ServeRequest {
    std::vector<std::string> prompts; // each gets params.n samples
    SamplingParams params;
    bool stream = false, includeUsage = false;
};
// A chat request's messages (a JSON list of {role, content}) as the model's prompt: its chat template rendered with
// the generation prompt. Throws std::invalid_argument or Error saying what is wrong with the messages.
using ChatFormatter = std::function<std::string(const nlohmann::json& messages)>;

// Reads a request body; throws std::invalid_argument saying what is wrong (answered with status 400). Fuzzed.
// A chat request's messages become one prompt: laid out by chatFormatter (the prompt is then templated), or
// without one their contents joined by newlines.
ServeRequest parseServeRequest(const std::string& body, bool chat, const ChatFormatter* chatFormatter = nullptr);

using Generator = std::function<std::vector<GeneratedText>(const std::string& prompt, const SamplingParams& params)>;

class CompletionServer {
public:
    CompletionServer(std::string model, Generator generator);
    ~CompletionServer();
    // Binds to host:port (0: any free port); returns the port. Throws Error when it cannot.
    int bind(const std::string& host, int port);
    // Chat requests laid out with the model's chat template, generation also stopping at these strings (the
    // template's end of turn). Before listen().
    void setChatTemplate(ChatFormatter formatter, std::vector<std::string> stop);
    void listen(); // serves until stop()
    void stop();
    int64_t requests() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace cotlab::teacher
