#include "teacher/CompletionServer.h"

#include "util/Error.h"

#include <atomic>
#include <chrono>
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace cotlab::teacher {

using nlohmann::json;

struct CompletionServer::Impl {
    std::string model;
    Generator generator;
    httplib::Server server;
    std::atomic<int64_t> requests{0};
};

namespace {

void error(httplib::Response& res, int status, const std::string& message)
{
    res.status = status;
    res.set_content(json{{"error", {{"message", message}, {"type", "invalid_request_error"}}}}.dump(),
                    "application/json");
}

SamplingParams paramsOf(const json& body)
{
    SamplingParams p;
    p.n = body.value("n", 1);
    p.temperature = body.value("temperature", 1.0);
    p.topP = body.value("top_p", 1.0);
    p.maxTokens = body.value("max_tokens", 16);
    if (body.contains("stop")) {
        if (body["stop"].is_string())
            p.stop = {body["stop"].get<std::string>()};
        else if (body["stop"].is_array())
            for (const auto& s : body["stop"])
                if (s.is_string())
                    p.stop.push_back(s.get<std::string>());
    }
    const json logprobs = body.value("logprobs", json());
    p.logprobs = (logprobs.is_number() && logprobs.get<int>() >= 0) || (logprobs.is_boolean() && logprobs.get<bool>());
    if (body.contains("seed") && body["seed"].is_number_integer())
        p.seed = body["seed"].get<uint64_t>();
    if (p.n < 1 || p.n > 128)
        throw std::invalid_argument("n must be between 1 and 128");
    if (p.maxTokens < 1 || p.maxTokens > 4096)
        throw std::invalid_argument("max_tokens must be between 1 and 4096");
    if (p.temperature < 0 || p.topP <= 0 || p.topP > 1)
        throw std::invalid_argument("temperature must be >= 0 and top_p in (0, 1]");
    return p;
}

// The prompt of a completions request, or of a chat request's messages; invalid_argument when there is none.
std::string promptOf(const json& body, bool chat)
{
    if (chat) {
        if (!body.contains("messages") || !body["messages"].is_array())
            throw std::invalid_argument("\"messages\" is missing");
        std::string prompt;
        for (const auto& m : body["messages"])
            prompt += m.value("content", "") + "\n";
        if (!prompt.empty())
            prompt.pop_back();
        return prompt;
    }
    if (body.contains("prompt") && body["prompt"].is_string())
        return body["prompt"].get<std::string>();
    if (body.contains("prompt") && body["prompt"].is_array() && body["prompt"].size() == 1 &&
        body["prompt"][0].is_string())
        return body["prompt"][0].get<std::string>();
    throw std::invalid_argument("\"prompt\" must be a string (one prompt per request)");
}

// The OpenAI-shaped answer: one choice per generated text, log-probabilities when asked for, usage.
json responseOf(const std::vector<GeneratedText>& generated, const SamplingParams& params, bool chat,
                const std::string& model, int64_t id)
{
    json choices = json::array();
    int64_t completionTokens = 0;
    const int64_t promptTokens = generated.empty() ? 0 : generated.front().promptTokens;
    for (size_t i = 0; i < generated.size(); ++i) {
        const auto& g = generated[i];
        completionTokens += int64_t(g.tokens.size());
        json logprobs = nullptr;
        if (params.logprobs && chat) {
            json content = json::array();
            for (size_t t = 0; t < g.tokens.size() && t < g.tokenLogprobs.size(); ++t)
                content.push_back({{"token", g.tokens[t]}, {"logprob", g.tokenLogprobs[t]}});
            logprobs = {{"content", content}};
        } else if (params.logprobs) {
            logprobs = {{"tokens", g.tokens}, {"token_logprobs", g.tokenLogprobs}};
        }
        json choice{{"index", i}, {"finish_reason", g.finishReason}, {"logprobs", logprobs}};
        if (chat)
            choice["message"] = {{"role", "assistant"}, {"content", g.text}};
        else
            choice["text"] = g.text;
        choices.push_back(std::move(choice));
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return json{{"id", "cotlab-" + std::to_string(id)},
                {"object", chat ? "chat.completion" : "text_completion"},
                {"created", now},
                {"model", model},
                {"choices", choices},
                {"usage",
                 {{"prompt_tokens", promptTokens},
                  {"completion_tokens", completionTokens},
                  {"total_tokens", promptTokens + completionTokens}}}};
}

} // namespace

CompletionServer::CompletionServer(std::string model, Generator generator) : m_impl(std::make_unique<Impl>())
{
    m_impl->model = std::move(model);
    m_impl->generator = std::move(generator);
    Impl* self = m_impl.get();
    auto handle = [self](bool chat) {
        return [self, chat](const httplib::Request& req, httplib::Response& res) {
            const int64_t id = ++self->requests;
            const json body = json::parse(req.body, nullptr, false);
            if (body.is_discarded() || !body.is_object())
                return error(res, 400, "the request body is not a JSON object");
            std::string prompt;
            SamplingParams params;
            try {
                prompt = promptOf(body, chat);
                params = paramsOf(body);
            } catch (const std::exception& e) {
                return error(res, 400, e.what());
            }
            std::vector<GeneratedText> generated;
            try {
                generated = self->generator(prompt, params);
            } catch (const std::exception& e) {
                return error(res, 500, e.what());
            }
            res.set_content(responseOf(generated, params, chat, self->model, id)
                                .dump(-1, ' ', false, json::error_handler_t::replace),
                            "application/json");
        };
    };
    // Enough request threads for clients with many requests in flight (the generator batches them).
    m_impl->server.new_task_queue = [] { return new httplib::ThreadPool(64); };
    m_impl->server.Post("/v1/completions", handle(false));
    m_impl->server.Post("/v1/chat/completions", handle(true));
    m_impl->server.Get("/v1/models", [self](const httplib::Request&, httplib::Response& res) {
        res.set_content(
            json{{"object", "list"}, {"data", {{{"id", self->model}, {"object", "model"}, {"owned_by", "cotlab"}}}}}
                .dump(),
            "application/json");
    });
}

CompletionServer::~CompletionServer()
{
    stop();
}

int CompletionServer::bind(const std::string& host, int port)
{
    if (port == 0) {
        const int bound = m_impl->server.bind_to_any_port(host);
        if (bound <= 0)
            throw Error("cannot listen on " + host + ": no free port");
        return bound;
    }
    if (!m_impl->server.bind_to_port(host, port))
        throw Error("cannot listen on " + host + ":" + std::to_string(port) + " (in use, or not allowed)");
    return port;
}

void CompletionServer::listen()
{
    m_impl->server.listen_after_bind();
}

void CompletionServer::stop()
{
    m_impl->server.stop();
}

int64_t CompletionServer::requests() const
{
    return m_impl->requests.load();
}

} // namespace cotlab::teacher
