#include "teacher/CompletionServer.h"

#include "util/Error.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace cotlab::teacher {

using nlohmann::json;

struct CompletionServer::Impl {
    std::string model;
    Generator generator;
    ChatFormatter chatFormatter; // the model's chat template, when it has one
    std::vector<std::string> chatStop;
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

// The prompts of a request: a completions request's prompt (a string or a list of strings; each gets n samples),
// or a chat request's messages joined; invalid_argument saying what is wrong otherwise.
std::vector<std::string> promptsOf(const json& body, bool chat, const ChatFormatter* chatFormatter)
{
    if (chat) {
        if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
            throw std::invalid_argument("\"messages\" must be a non-empty list of {\"role\", \"content\"}");
        std::string prompt;
        for (const auto& m : body["messages"]) {
            if (!m.is_object() || !m.contains("content") || !m["content"].is_string())
                throw std::invalid_argument("every message needs a string \"content\"");
            if (chatFormatter && (!m.contains("role") || !m["role"].is_string()))
                throw std::invalid_argument("every message needs a string \"role\" (system, user or assistant)");
            prompt += m["content"].get<std::string>() + "\n";
        }
        if (chatFormatter) {
            try {
                return {(*chatFormatter)(body["messages"])};
            } catch (const std::invalid_argument&) {
                throw;
            } catch (const std::exception& e) { // the template raised (an unsupported role, an order it refuses)
                throw std::invalid_argument(std::string("the model's chat template refused the messages: ") + e.what());
            }
        }
        prompt.pop_back();
        return {prompt};
    }
    if (body.contains("prompt") && body["prompt"].is_string())
        return {body["prompt"].get<std::string>()};
    if (body.contains("prompt") && body["prompt"].is_array() && !body["prompt"].empty()) {
        std::vector<std::string> prompts;
        for (const auto& p : body["prompt"]) {
            if (!p.is_string())
                throw std::invalid_argument("\"prompt\" must be a string or a list of strings (token ids are not "
                                            "supported: send the text)");
            prompts.push_back(p.get<std::string>());
        }
        return prompts;
    }
    throw std::invalid_argument("\"prompt\" must be a string or a non-empty list of strings");
}

} // namespace

ServeRequest parseServeRequest(const std::string& text, bool chat, const ChatFormatter* chatFormatter)
{
    const json body = json::parse(text, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        throw std::invalid_argument("the request body is not a JSON object");
    ServeRequest r;
    try {
        r.prompts = promptsOf(body, chat, chatFormatter);
        r.params = paramsOf(body);
        r.params.templated = chat && chatFormatter;
        r.stream = body.contains("stream") && body["stream"].is_boolean() && body["stream"].get<bool>();
        const json options = body.value("stream_options", json::object());
        r.includeUsage = options.is_object() && options.value("include_usage", false);
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("a field has the wrong type: ") + e.what());
    }
    return r;
}

namespace {

// Each prompt's tokens once (its n samples all report them).
int64_t usagePromptTokens(const std::vector<GeneratedText>& generated, const SamplingParams& params)
{
    int64_t tokens = 0;
    for (size_t i = 0; i < generated.size(); i += size_t(std::max(1, params.n)))
        tokens += generated[i].promptTokens;
    return tokens;
}

int64_t secondsNow()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The text in the pieces it is streamed in: its tokens when they spell it exactly, else the whole text.
std::vector<std::string> streamedPieces(const GeneratedText& g)
{
    std::string joined;
    for (const auto& t : g.tokens)
        joined += t;
    if (!g.tokens.empty() && joined == g.text)
        return g.tokens;
    return {g.text};
}

// The answer as server-sent events, as OpenAI streams it: chunks of text (completions) or deltas (chat, the role
// first), each choice's finish_reason in its last chunk, usage when stream_options.include_usage, then [DONE]. The
// chunks are sent once the generation is done (the batcher generates whole sequences).
std::string streamOf(const std::vector<GeneratedText>& generated, const SamplingParams& params, bool chat,
                     const std::string& model, int64_t id, bool includeUsage)
{
    const json head{{"id", "cotlab-" + std::to_string(id)},
                    {"object", chat ? "chat.completion.chunk" : "text_completion"},
                    {"created", secondsNow()},
                    {"model", model}};
    std::string events;
    auto send = [&](json choices, const json& usage = nullptr) {
        json chunk = head;
        chunk["choices"] = std::move(choices);
        if (includeUsage)
            chunk["usage"] = usage;
        events += "data: " + chunk.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
    };
    int64_t completionTokens = 0;
    for (size_t i = 0; i < generated.size(); ++i) {
        const auto& g = generated[i];
        completionTokens += int64_t(g.tokens.size());
        if (chat)
            send(json::array({{{"index", i},
                               {"delta", {{"role", "assistant"}, {"content", ""}}},
                               {"logprobs", nullptr},
                               {"finish_reason", nullptr}}}));
        for (const auto& piece : streamedPieces(g)) {
            json choice{{"index", i}, {"logprobs", nullptr}, {"finish_reason", nullptr}};
            if (chat)
                choice["delta"] = {{"content", piece}};
            else
                choice["text"] = piece;
            send(json::array({choice}));
        }
        json last{{"index", i}, {"logprobs", nullptr}, {"finish_reason", g.finishReason}};
        if (chat)
            last["delta"] = json::object();
        else
            last["text"] = "";
        send(json::array({last}));
    }
    if (includeUsage) {
        const int64_t promptTokens = usagePromptTokens(generated, params);
        send(json::array(), {{"prompt_tokens", promptTokens},
                             {"completion_tokens", completionTokens},
                             {"total_tokens", promptTokens + completionTokens}});
    }
    return events + "data: [DONE]\n\n";
}

// The OpenAI-shaped answer: one choice per generated text, log-probabilities when asked for, usage.
json responseOf(const std::vector<GeneratedText>& generated, const SamplingParams& params, bool chat,
                const std::string& model, int64_t id)
{
    json choices = json::array();
    int64_t completionTokens = 0;
    const int64_t promptTokens = usagePromptTokens(generated, params);
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
    return json{{"id", "cotlab-" + std::to_string(id)},
                {"object", chat ? "chat.completion" : "text_completion"},
                {"created", secondsNow()},
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
            ServeRequest request;
            try {
                request = parseServeRequest(req.body, chat, self->chatFormatter ? &self->chatFormatter : nullptr);
                if (request.params.templated)
                    for (const auto& stop : self->chatStop)
                        if (std::find(request.params.stop.begin(), request.params.stop.end(), stop) ==
                            request.params.stop.end())
                            request.params.stop.push_back(stop);
            } catch (const std::exception& e) {
                return error(res, 400, e.what());
            }
            const auto& [prompts, params, stream, includeUsage] = request;
            std::vector<GeneratedText> generated;
            try {
                // Several prompts go to the generator together, so that its batcher can run them as one batch;
                // their choices follow in prompt order, n per prompt (index = prompt * n + sample), as OpenAI's do.
                std::vector<std::future<std::vector<GeneratedText>>> parts;
                for (const auto& prompt : prompts)
                    parts.push_back(std::async(std::launch::async, self->generator, prompt, params));
                for (auto& part : parts)
                    for (auto& g : part.get())
                        generated.push_back(std::move(g));
            } catch (const std::exception& e) {
                return error(res, 500, e.what());
            }
            if (stream)
                return res.set_content(streamOf(generated, params, chat, self->model, id, includeUsage),
                                       "text/event-stream");
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

void CompletionServer::setChatTemplate(ChatFormatter formatter, std::vector<std::string> stop)
{
    m_impl->chatFormatter = std::move(formatter);
    m_impl->chatStop = std::move(stop);
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
