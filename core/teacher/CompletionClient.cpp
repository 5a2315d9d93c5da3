#include "teacher/CompletionClient.h"

#include "ingest/OpenAiResponse.h"
#include "util/Error.h"

#include <atomic>
#include <cstdlib>
#include <curl/curl.h>
#include <fcntl.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace cotlab::teacher {

using nlohmann::json;

std::string apiKeyFromEnvironment(const std::string& variable)
{
    const char* value = variable.empty() ? nullptr : std::getenv(variable.c_str());
    return value ? value : "";
}

std::string apiKeyFromKeychain(const std::string& endpointUrl)
{
    int out[2];
    if (pipe(out) != 0)
        return {};
    const pid_t child = fork();
    if (child < 0) {
        close(out[0]);
        close(out[1]);
        return {};
    }
    if (child == 0) {
        dup2(out[1], STDOUT_FILENO);
        const int devNull = open("/dev/null", O_WRONLY);
        if (devNull >= 0)
            dup2(devNull, STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        // Arguments as a vector (no shell): the URL is passed as is.
        execlp("secret-tool", "secret-tool", "lookup", "service", "cotlab", "endpoint", endpointUrl.c_str(),
               static_cast<char*>(nullptr));
        _exit(127);
    }
    close(out[1]);
    std::string key;
    char buffer[256];
    ssize_t n = 0;
    while ((n = read(out[0], buffer, sizeof buffer)) > 0)
        key.append(buffer, size_t(n));
    close(out[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return {};
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
        key.pop_back();
    return key;
}

std::string findApiKey(const std::string& variable, const std::string& endpointUrl)
{
    std::string key = apiKeyFromEnvironment(variable);
    return key.empty() ? apiKeyFromKeychain(endpointUrl) : key;
}

std::string requestBody(const Endpoint& endpoint, const std::string& prompt, const SamplingParams& params)
{
    json body{{"model", endpoint.model},
              {"n", params.n},
              {"temperature", params.temperature},
              {"top_p", params.topP},
              {"max_tokens", params.maxTokens}};
    if (!params.stop.empty())
        body["stop"] = params.stop;
    if (params.seed)
        body["seed"] = *params.seed;
    if (endpoint.chat) {
        body["messages"] = json::array({{{"role", "user"}, {"content", prompt}}});
        if (params.logprobs)
            body["logprobs"] = true;
    } else {
        body["prompt"] = prompt;
        if (params.logprobs)
            body["logprobs"] = 1;
    }
    return body.dump();
}

std::vector<Completion> parseResponse(const std::string& text, Usage* usage)
{
    const json body = json::parse(text, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        throw Error("the response is not JSON: " + text.substr(0, 120));
    if (!body.contains("choices") || !body["choices"].is_array())
        throw Error("the response has no \"choices\": " + text.substr(0, 120));
    ingest::ResponseBody read;
    try {
        read = ingest::readResponseBody(body);
    } catch (const std::invalid_argument& e) {
        throw Error(std::string("the response has a field of the wrong type: ") + e.what());
    }
    std::vector<Completion> out;
    for (ingest::ResponseChoice& c : read.choices)
        out.push_back({std::move(c.text), std::move(c.reasoning), std::move(c.finishReason), c.logprob, c.tokens});
    if (usage) {
        usage->promptTokens += read.promptTokens.value_or(0);
        usage->completionTokens += read.completionTokens.value_or(0);
    }
    return out;
}

namespace {

std::once_flag curlInit;

size_t appendBody(char* data, size_t size, size_t count, void* target)
{
    static_cast<std::string*>(target)->append(data, size * count);
    return size * count;
}

size_t readHeader(char* data, size_t size, size_t count, void* target)
{
    std::string line(data, size * count);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& ch : name)
            ch = char(std::tolower(static_cast<unsigned char>(ch)));
        if (name == "retry-after") {
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            value.erase(value.find_last_not_of(" \t\r\n") + 1);
            *static_cast<std::string*>(target) = value;
        }
    }
    return size * count;
}

std::string endpointPath(const Endpoint& endpoint)
{
    std::string base = endpoint.baseUrl;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    const bool hasV1 = base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0;
    return base + (hasV1 ? "" : "/v1") + (endpoint.chat ? "/chat/completions" : "/completions");
}

} // namespace

std::chrono::milliseconds retryDelay(const RetryPolicy& policy, int attempt, const std::string& retryAfter)
{
    auto delay = std::min(policy.maxDelay, policy.baseDelay * (1 << std::min(attempt - 1, 16)));
    if (!retryAfter.empty()) {
        char* end = nullptr;
        const double seconds = std::strtod(retryAfter.c_str(), &end);
        if (end != retryAfter.c_str() && seconds >= 0)
            delay = std::max(delay, std::chrono::milliseconds(int64_t(seconds * 1000)));
    }
    return delay;
}

struct CompletionClient::Impl {
    CURL* curl = nullptr;
    std::atomic<bool> cancelled{false};
};

CompletionClient::CompletionClient(Endpoint endpoint, RetryPolicy retry, Clock& clock)
    : m_impl(std::make_unique<Impl>()), m_endpoint(std::move(endpoint)), m_retry(retry), m_clock(clock)
{
    std::call_once(curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    m_impl->curl = curl_easy_init();
    if (!m_impl->curl)
        throw Error("cannot start an HTTP client (libcurl)");
}

CompletionClient::~CompletionClient()
{
    curl_easy_cleanup(m_impl->curl);
}

void CompletionClient::cancel()
{
    m_impl->cancelled = true;
}

std::vector<Completion> CompletionClient::complete(const std::string& prompt, const SamplingParams& params)
{
    const std::string url = endpointPath(m_endpoint);
    const std::string body = requestBody(m_endpoint, prompt, params);
    std::string lastError;
    for (int attempt = 1; attempt <= m_retry.maxAttempts; ++attempt) {
        if (m_impl->cancelled)
            throw Error("stopped");
        CURL* curl = m_impl->curl;
        curl_easy_reset(curl);
        std::string response, retryAfter;
        curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
        std::string auth;
        if (!m_endpoint.apiKey.empty()) {
            auth = "Authorization: Bearer " + m_endpoint.apiKey;
            headers = curl_slist_append(headers, auth.c_str());
        }
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, long(body.size()));
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, readHeader);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &retryAfter);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(m_endpoint.timeoutSeconds * 1000));
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        const CURLcode code = curl_easy_perform(curl);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(headers);
        ++m_usage.requests;

        bool retryable = true;
        if (code != CURLE_OK) {
            lastError = std::string(curl_easy_strerror(code));
            if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL)
                retryable = false;
        } else if (status == 200) {
            try {
                return parseResponse(response, &m_usage);
            } catch (const std::exception& e) {
                lastError = e.what();
            }
        } else {
            lastError = "HTTP " + std::to_string(status) + ": " + response.substr(0, 200);
            retryable = status == 408 || status == 429 || status >= 500;
        }
        if (!retryable)
            throw Error(url + ": " + lastError);
        if (attempt == m_retry.maxAttempts)
            break;
        const auto delay = retryDelay(m_retry, attempt, retryAfter);
        ++m_usage.retries;
        if (m_onRetry)
            m_onRetry(lastError + " (retrying in " + std::to_string(delay.count()) + " ms)");
        constexpr auto kCancelCheck = std::chrono::milliseconds(20);
        for (auto waited = std::chrono::milliseconds(0); waited < delay && !m_impl->cancelled; waited += kCancelCheck)
            m_clock.sleepFor(std::min(kCancelCheck, delay - waited));
    }
    throw Error(url + ": gave up after " + std::to_string(m_retry.maxAttempts) + " attempts; last error: " + lastError);
}

} // namespace cotlab::teacher
