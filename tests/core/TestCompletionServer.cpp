// cotlab-cli serve's HTTP side as OpenAI's clients use it, over a generator that answers in known tokens: streamed
// completions and chat (server-sent events, deltas, finish reasons, usage, [DONE]), a list of prompts, and requests
// that are refused with the reason (an empty messages list, token-id prompts), and chat requests laid out with the
// model's chat template.
#include "support/TestSupport.h"
#include "teacher/CompletionServer.h"
#include "text/ChatTemplate.h"

#include <QtTest>
#include <fstream>
#include <httplib.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

using namespace cotlab;
using nlohmann::json;

namespace {

// "<prompt> says hi <k>" in three tokens, for each of n samples.
std::vector<teacher::GeneratedText> answer(const std::string& prompt, const teacher::SamplingParams& params)
{
    std::vector<teacher::GeneratedText> out;
    for (int k = 0; k < params.n; ++k)
        out.push_back({prompt + " says hi " + std::to_string(k),
                       "stop",
                       {prompt, " says hi", " " + std::to_string(k)},
                       {},
                       int64_t(prompt.size())});
    return out;
}

// The JSON objects of a server-sent event stream, and whether it ended with [DONE].
std::vector<json> events(const std::string& body, bool* done)
{
    std::vector<json> out;
    *done = false;
    size_t start = 0;
    while (start < body.size()) {
        const size_t end = body.find("\n\n", start);
        const std::string event = body.substr(start, end - start);
        start = end == std::string::npos ? body.size() : end + 2;
        if (event.rfind("data: ", 0) != 0)
            continue;
        const std::string data = event.substr(6);
        if (data == "[DONE]")
            *done = true;
        else
            out.push_back(json::parse(data));
    }
    return out;
}

} // namespace

class TestCompletionServer : public QObject {
    Q_OBJECT

    std::unique_ptr<teacher::CompletionServer> m_server;
    std::thread m_thread;
    int m_port = 0;

    httplib::Result post(const std::string& path, const json& body)
    {
        httplib::Client client("127.0.0.1", m_port);
        return client.Post(path, body.dump(), "application/json");
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<teacher::CompletionServer>("tiny", answer);
        m_port = m_server->bind("127.0.0.1", 0);
        m_thread = std::thread([this] { m_server->listen(); });
    }

    void cleanupTestCase()
    {
        m_server->stop();
        m_thread.join();
    }

    void streamedCompletions()
    {
        const auto r = post("/v1/completions", {{"model", "tiny"},
                                                {"prompt", "Bob"},
                                                {"n", 2},
                                                {"stream", true},
                                                {"stream_options", {{"include_usage", true}}}});
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QVERIFY(r->get_header_value("Content-Type").rfind("text/event-stream", 0) == 0);
        bool done = false;
        const auto chunks = events(r->body, &done);
        QVERIFY(done);
        std::map<int, std::string> texts, finish;
        for (const auto& c : chunks) {
            QCOMPARE(c["object"].get<std::string>(), std::string("text_completion"));
            for (const auto& choice : c["choices"]) {
                texts[choice["index"]] += choice["text"].get<std::string>();
                if (!choice["finish_reason"].is_null())
                    finish[choice["index"]] = choice["finish_reason"];
            }
        }
        QCOMPARE(texts[0], std::string("Bob says hi 0"));
        QCOMPARE(texts[1], std::string("Bob says hi 1"));
        QCOMPARE(finish[0], std::string("stop"));
        QCOMPARE(chunks.size(), size_t(2 * 4 + 1)); // three pieces and a finish per choice, then usage
        QCOMPARE(chunks.back()["choices"].size(), size_t(0));
        QCOMPARE(chunks.back()["usage"]["completion_tokens"].get<int>(), 6);
        QCOMPARE(chunks.back()["usage"]["prompt_tokens"].get<int>(), 3);
    }

    void streamedChat()
    {
        const auto r = post(
            "/v1/chat/completions",
            {{"model", "tiny"}, {"messages", json::array({{{"role", "user"}, {"content", "Ann"}}})}, {"stream", true}});
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        bool done = false;
        const auto chunks = events(r->body, &done);
        QVERIFY(done);
        QCOMPARE(chunks.front()["object"].get<std::string>(), std::string("chat.completion.chunk"));
        QCOMPARE(chunks.front()["choices"][0]["delta"]["role"].get<std::string>(), std::string("assistant"));
        std::string content;
        for (const auto& c : chunks)
            content += c["choices"][0]["delta"].value("content", "");
        QCOMPARE(content, std::string("Ann says hi 0"));
        QCOMPARE(chunks.back()["choices"][0]["finish_reason"].get<std::string>(), std::string("stop"));
        QVERIFY(!chunks.back().contains("usage")); // only when stream_options asks for it
    }

    // A list of prompts: n choices per prompt, in prompt order (index = prompt * n + sample).
    void listOfPrompts()
    {
        const auto r = post("/v1/completions", {{"model", "tiny"}, {"prompt", {"Al", "Cy"}}, {"n", 2}});
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        const auto body = json::parse(r->body);
        QCOMPARE(body["choices"].size(), size_t(4));
        const std::vector<std::string> expected{"Al says hi 0", "Al says hi 1", "Cy says hi 0", "Cy says hi 1"};
        for (size_t i = 0; i < 4; ++i) {
            QCOMPARE(body["choices"][i]["index"].get<size_t>(), i);
            QCOMPARE(body["choices"][i]["text"].get<std::string>(), expected[i]);
        }
        QCOMPARE(body["usage"]["prompt_tokens"].get<int>(), 4);
    }

    void badRequestsSayWhy()
    {
        auto r = post("/v1/chat/completions", {{"model", "tiny"}, {"messages", json::array()}});
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QVERIFY2(r->body.find("non-empty list") != std::string::npos, r->body.c_str());
        r = post("/v1/completions", {{"model", "tiny"}, {"prompt", {1, 2, 3}}});
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QVERIFY2(r->body.find("token ids are not supported") != std::string::npos, r->body.c_str());
        r = post("/v1/completions", {{"model", "tiny"}, {"prompt", json::array()}});
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        r = post("/v1/chat/completions", {{"model", "tiny"}, {"messages", json::array({{{"role", "user"}}})}});
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QVERIFY2(r->body.find("string \\\"content\\\"") != std::string::npos, r->body.c_str());
    }

    // With the model's chat template (SmolLM2's, tests/data/chat-templates), a chat request reaches the generator as
    // the template renders it, generation prompt included, marked templated and stopping at the end of turn too;
    // completions are left as they are, and a message without a role is refused.
    void chatRequestsInTheModelsTemplate()
    {
        std::ifstream file(test::testDataPath("chat-templates/smollm2.json"));
        const auto fixture = json::parse(file);
        const text::ChatTemplate chat(fixture.at("chat_template").get<std::string>(), "", "<|im_end|>", "smollm2");
        std::mutex seenMutex;
        std::vector<std::pair<std::string, teacher::SamplingParams>> seen;
        teacher::CompletionServer server("chatty", [&](const std::string& prompt, const teacher::SamplingParams& p) {
            {
                const std::lock_guard lock(seenMutex);
                seen.emplace_back(prompt, p);
            }
            return answer("ok", p);
        });
        server.setChatTemplate(
            [&chat](const json& messages) {
                std::vector<text::ChatMessage> turns;
                for (const auto& m : messages)
                    turns.push_back({m.at("role"), m.at("content")});
                return chat.render(turns, true);
            },
            {"<|im_end|>"});
        const int port = server.bind("127.0.0.1", 0);
        std::thread listening([&] { server.listen(); });
        httplib::Client client("127.0.0.1", port);
        const json messages =
            json::array({{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", "Is 7 odd?"}}});
        auto r = client.Post("/v1/chat/completions",
                             json{{"model", "chatty"}, {"messages", messages}, {"stop", {"\n\n"}}}.dump(),
                             "application/json");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        r = client.Post("/v1/completions", json{{"model", "chatty"}, {"prompt", "Q: Is 7 odd?"}}.dump(),
                        "application/json");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        r = client.Post("/v1/chat/completions",
                        json{{"model", "chatty"}, {"messages", json::array({{{"content", "no role"}}})}}.dump(),
                        "application/json");
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QVERIFY2(r->body.find("role") != std::string::npos, r->body.c_str());
        server.stop();
        listening.join();
        QCOMPARE(seen.size(), size_t(2));
        QCOMPARE(seen[0].first, std::string("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nIs 7 "
                                            "odd?<|im_end|>\n<|im_start|>assistant\n"));
        QVERIFY(seen[0].second.templated);
        QCOMPARE(seen[0].second.stop, (std::vector<std::string>{"\n\n", "<|im_end|>"}));
        QCOMPARE(seen[1].first, std::string("Q: Is 7 odd?"));
        QVERIFY(!seen[1].second.templated);
        QVERIFY(seen[1].second.stop.empty());
    }
};

QTEST_GUILESS_MAIN(TestCompletionServer)
#include "TestCompletionServer.moc"
