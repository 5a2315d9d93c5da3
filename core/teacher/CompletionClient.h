#pragma once

// A client for OpenAI-compatible completion endpoints (vLLM, llama.cpp server, text-generation-inference, Ollama,
// hosted APIs, cotlab-cli serve): POST {base}/v1/completions or {base}/v1/chat/completions with n samples,
// temperature, top-p, max tokens, stop strings and token log-probabilities. Failures a server recovers from (429,
// 5xx, timeouts, cut connections, malformed JSON) are retried with exponential back-off, honouring Retry-After;
// what still fails becomes an Error naming the endpoint and the reason. The API key is sent in a header and never
// appears in a message. One client per thread (a libcurl easy handle).
#include "util/Clock.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::teacher {

struct Endpoint {
    std::string baseUrl; // e.g. http://localhost:8000 (with or without /v1)
    std::string model;
    bool chat = false;  // /v1/chat/completions instead of /v1/completions
    std::string apiKey; // in memory only: from the environment (apiKeyFromEnvironment), never stored
    double timeoutSeconds = 120;
};

// The key in the named environment variable ("" when unset).
std::string apiKeyFromEnvironment(const std::string& variable);
// The key the system keychain (Secret Service, through libsecret's secret-tool) holds for an endpoint, stored with
// `secret-tool store --label "CoTLab teacher key" service cotlab endpoint URL`; "" when there is none or no
// secret-tool.
std::string apiKeyFromKeychain(const std::string& endpointUrl);
// The environment variable's key when set, else the keychain's.
std::string findApiKey(const std::string& variable, const std::string& endpointUrl);

struct SamplingParams {
    int n = 1;
    double temperature = 0.7;
    double topP = 1.0;
    int maxTokens = 256;
    std::vector<std::string> stop;
    bool logprobs = true;
    std::optional<uint64_t> seed;
    // Server side: the prompt is a chat template's text, which writes its special tokens itself (tokenised without
    // an added BOS).
    bool templated = false;
};

struct Completion {
    std::string text;
    std::string reasoning; // a reasoning server's reasoning_content (DeepSeek, vLLM, SGLang), else ""
    std::string finishReason;
    std::optional<double> logprob; // sum of the token log-probabilities, when the server gave them
    std::optional<int64_t> tokens; // completion tokens, when known
};

struct Usage {
    int64_t requests = 0, retries = 0;
    int64_t promptTokens = 0, completionTokens = 0;
};

struct RetryPolicy {
    int maxAttempts = 6;
    std::chrono::milliseconds baseDelay{500};
    std::chrono::milliseconds maxDelay{30000};
};

class CompletionClient {
public:
    // The clock times the waits between attempts (a ManualClock in tests).
    CompletionClient(Endpoint endpoint, RetryPolicy retry = {}, Clock& clock = Clock::steady());
    ~CompletionClient();
    CompletionClient(const CompletionClient&) = delete;
    CompletionClient& operator=(const CompletionClient&) = delete;

    // n completions of one prompt (chat endpoints: the prompt is the user message). Retries as above; the
    // callback, when set, hears each retry's reason. Throws Error once attempts run out or on a client error (4xx
    // other than 408/429).
    std::vector<Completion> complete(const std::string& prompt, const SamplingParams& params);
    const Usage& usage() const { return m_usage; }
    void onRetry(std::function<void(const std::string& reason)> callback) { m_onRetry = std::move(callback); }
    // Stops waiting between retries and fails the request being made (from another thread).
    void cancel();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    Endpoint m_endpoint;
    RetryPolicy m_retry;
    Clock& m_clock;
    Usage m_usage;
    std::function<void(const std::string&)> m_onRetry;
};

// The wait before attempt `attempt + 1` after attempt `attempt` failed: exponential back-off from the policy's base
// delay up to its maximum, or the server's Retry-After (seconds) when that is longer.
std::chrono::milliseconds retryDelay(const RetryPolicy& policy, int attempt, const std::string& retryAfter);

// The request body a completion call sends (for tests and the prompt preview).
std::string requestBody(const Endpoint& endpoint, const std::string& prompt, const SamplingParams& params);
// The completions of a response body; throws Error (a std::runtime_error) when it is not a completions response.
std::vector<Completion> parseResponse(const std::string& body, Usage* usage = nullptr);

} // namespace cotlab::teacher
