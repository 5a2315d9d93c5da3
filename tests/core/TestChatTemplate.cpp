// Chat templates (text/ChatTemplate): the real templates of Qwen2.5, Qwen3, Llama 3.2 and SmolLM2 render every
// conversation of tests/data/chat-templates byte-identically to @huggingface/jinja (the engine transformers.js
// applies them with; make_chat_fixtures.mjs made the expected renders), including systems, several turns and
// <think> traces; what each template does with reasoning; chat formats laid out with them (the loss on the
// assistant's turn only, reasoning kept where a template drops it); where a folder's template is found; bad files.
#include "support/TestSupport.h"
#include "text/ChatTemplate.h"
#include "text/Tokenizer.h"
#include "train/ChatLayout.h"
#include "train/TrainingSet.h"
#include "util/Error.h"

#include <QtTest>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

using namespace cotlab;
using nlohmann::json;

namespace {

json readJson(const std::string& path)
{
    std::ifstream in(path);
    return json::parse(in);
}

text::ChatTemplate fixtureTemplate(const std::string& name)
{
    const auto t = readJson(test::testDataPath("chat-templates/" + name + ".json"));
    return text::ChatTemplate(t.at("chat_template"), t.at("bos_token"), t.at("eos_token"), name);
}

// DeepSeek-R1-distill's rule for assistant turns (keep what follows </think>) in a template of its own: the real
// file is not available here.
text::ChatTemplate r1StyleTemplate()
{
    return text::ChatTemplate(
        "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '<｜User｜>' + "
        "message['content'] }}{% elif message['role'] == 'assistant' %}{% set content = message['content'] %}{% if "
        "'</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}{{ '<｜Assistant｜>' + "
        "content + eos_token }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' "
        "}}{% endif %}",
        "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "r1-style");
}

std::vector<text::ChatMessage> messagesOf(const json& list)
{
    std::vector<text::ChatMessage> out;
    for (const auto& m : list)
        out.push_back({m.at("role"), m.at("content")});
    return out;
}

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

} // namespace

class TestChatTemplate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void realTemplatesRenderAsTheReference()
    {
        std::map<std::string, std::vector<text::ChatMessage>> conversations;
        for (const auto& c : readJson(test::testDataPath("chat-templates/conversations.json")))
            conversations[c.at("name")] = messagesOf(c.at("messages"));
        std::map<std::string, int> compared;
        for (const auto& e : readJson(test::testDataPath("chat-templates/expected.json"))) {
            const std::string name = e.at("template");
            const auto chat = fixtureTemplate(name);
            const std::string rendered = chat.render(conversations.at(e.at("conversation")),
                                                     e.at("add_generation_prompt"), {{"date_string", "26 Jul 2024"}});
            std::string expected = e.at("rendered");
            if (name == "qwen3" && e.at("conversation") == "whitespace and quotes") {
                // @huggingface/jinja 0.5.11 ignores the argument of str.lstrip: Qwen3's content.lstrip('\n') strips
                // the space of "\n hi" too. Python's str (jinja2, so transformers and TRL) and minja strip only the
                // newline; the expected text is corrected to Python's.
                const std::string theirs = "</think>\n\nhi  \n";
                QVERIFY(expected.find(theirs) != std::string::npos);
                expected.replace(expected.find(theirs), theirs.size(), "</think>\n\n hi  \n");
            }
            QVERIFY2(rendered == expected,
                     qPrintable(QString::fromStdString(name + " / " + e.at("conversation").get<std::string>() +
                                                       "\nours:   " + json(rendered).dump() +
                                                       "\ntheirs: " + json(expected).dump())));
            ++compared[name];
        }
        QCOMPARE(compared.size(), size_t(4));
        for (const auto& [name, n] : compared)
            QVERIFY2(n >= 8, name.c_str());
    }

    // Qwen3 keeps the reasoning of the last assistant turn only; DeepSeek-R1's distilled models keep none (their
    // template keeps what follows </think>: this one is that rule alone, the real file being unavailable here).
    void reasoningHandlingIsDetected()
    {
        QCOMPARE(fixtureTemplate("qwen3").reasoning(), text::ChatTemplate::Reasoning::DroppedBeforeLastUser);
        for (const char* kept : {"qwen2.5", "llama3.2", "smollm2"})
            QCOMPARE(fixtureTemplate(kept).reasoning(), text::ChatTemplate::Reasoning::Kept);
        const auto r1 = r1StyleTemplate();
        QCOMPARE(r1.reasoning(), text::ChatTemplate::Reasoning::Dropped);
        QCOMPARE(text::reasoningName(r1.reasoning()), std::string("dropped"));
    }

    // Llama 3's system header holds today's date through strftime_now, as transformers gives it.
    void strftimeNowIsToday()
    {
        const auto llama = fixtureTemplate("llama3.2");
        char today[32];
        const std::time_t now = std::time(nullptr);
        std::tm local{};
        localtime_r(&now, &local);
        std::strftime(today, sizeof today, "%d %b %Y", &local);
        const std::string rendered = llama.render({{"user", "Hi"}}, true);
        QVERIFY2(rendered.find(std::string("Today Date: ") + today) != std::string::npos, rendered.c_str());
        QVERIFY(rendered.starts_with("<|begin_of_text|>"));
        QVERIFY(rendered.ends_with("<|start_header_id|>assistant<|end_header_id|>\n\n"));
    }

    void aFolderTemplateIsFound()
    {
        test::TempDir dir;
        const std::string folder = dir.path("model");
        std::filesystem::create_directories(folder);
        QVERIFY(!text::ChatTemplate::fromFolder(folder)); // no template: none
        const auto qwen = readJson(test::testDataPath("chat-templates/qwen2.5.json"));
        writeText(folder + "/tokenizer_config.json", json{{"chat_template", qwen.at("chat_template")},
                                                          {"eos_token", {{"content", "<|im_end|>"}, {"special", true}}},
                                                          {"bos_token", nullptr}}
                                                         .dump());
        auto found = text::ChatTemplate::fromFolder(folder + "/tokenizer.json"); // a file names its folder
        QVERIFY(found);
        QCOMPARE(found->eosToken(), std::string("<|im_end|>"));
        QCOMPARE(found->origin(), folder + "/tokenizer_config.json");
        QVERIFY(found->render({{"user", "Hi"}}, true).ends_with("<|im_start|>assistant\n"));

        // A list of named templates: "default" is the chat template.
        writeText(folder + "/tokenizer_config.json",
                  json{{"chat_template",
                        {{{"name", "tool_use"}, {"template", "TOOLS"}}, {{"name", "default"}, {"template", "CHAT"}}}}}
                      .dump());
        QCOMPARE(text::ChatTemplate::fromFolder(folder)->render({}, false), std::string("CHAT"));
        // chat_template.jinja beside it wins.
        writeText(folder + "/chat_template.jinja", "{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}");
        QCOMPARE(text::ChatTemplate::fromFolder(folder)->render({{"user", "Hi"}}, false), std::string("[user]Hi"));
        QCOMPARE(text::ChatTemplate::fromFolder(folder)->origin(), folder + "/chat_template.jinja");
    }

    // A chat format's example laid out with each real template: the prompt is the template's conversation up to
    // its generation prompt, the target the rest of the full conversation, so prompt + target is exactly what the
    // template renders and the loss covers the assistant's turn (its end-of-turn token included) and nothing else.
    void chatLayoutMasksTheAssistantTurnOnly()
    {
        const std::string user = "What is 17 + 25?";
        const std::string assistant = "<think>\nFirst add the tens: 10 + 20 = 30.\n</think>\n\nThe answer is 42.";
        const std::map<std::string, std::string> expectedTarget{{"qwen2.5", assistant + "<|im_end|>\n"},
                                                                {"qwen3", assistant + "<|im_end|>\n"},
                                                                {"llama3.2", assistant + "<|eot_id|>"},
                                                                {"smollm2", assistant + "<|im_end|>\n"}};
        for (const auto& [name, target] : expectedTarget) {
            const auto chat = fixtureTemplate(name);
            std::vector<train::Example> examples{{user, assistant}, {"not a chat example", " plain"}};
            examples[0].chat = true;
            const auto counts = train::applyChatTemplate(examples, chat);
            QCOMPARE(counts.laidOut, int64_t(1));
            QCOMPARE(counts.reasoningRestored, int64_t(0));
            QVERIFY(examples[0].templated);
            QCOMPARE(examples[0].prompt, chat.render({{"user", user}}, true));
            QCOMPARE(examples[0].prompt + examples[0].target,
                     chat.render({{"user", user}, {"assistant", assistant}}, false));
            QCOMPARE(examples[0].target, target);
            QCOMPARE(examples[1].prompt, std::string("not a chat example")); // left as it was
            QVERIFY(!examples[1].templated);
        }
        // A system message (a format's "system") comes first.
        std::vector<train::Example> withSystem{{user, "The answer is 42."}};
        withSystem[0].chat = true;
        withSystem[0].system = "Answer briefly.";
        train::applyChatTemplate(withSystem, fixtureTemplate("qwen2.5"));
        QVERIFY(withSystem[0].prompt.starts_with("<|im_start|>system\nAnswer briefly.<|im_end|>\n<|im_start|>user\n"));
    }

    // A template that drops the reasoning of assistant turns would train the student on empty thoughts: the layout
    // keeps the <think> part in the target (after the "<think>\n" the generation prompt opens) and counts it.
    void chatLayoutKeepsReasoningATemplateDrops()
    {
        const auto r1 = r1StyleTemplate();
        std::vector<train::Example> examples{
            {"What is 17 + 25?", "<think>\n10 + 20 = 30, 7 + 5 = 12.\n</think>\n\n42."}};
        examples[0].chat = true;
        const auto counts = train::applyChatTemplate(examples, r1);
        QCOMPARE(counts.reasoningRestored, int64_t(1));
        QCOMPARE(examples[0].prompt,
                 std::string("<｜begin▁of▁sentence｜><｜User｜>What is 17 + 25?<｜Assistant｜><think>\n"));
        QCOMPARE(examples[0].target, std::string("10 + 20 = 30, 7 + 5 = 12.\n</think>\n\n42.<｜end▁of▁sentence｜>"));
        const std::string summary = train::chatLayoutSummary(r1, counts);
        QVERIFY2(summary.find("reasoning dropped") != std::string::npos &&
                     summary.find("kept in 1 targets") != std::string::npos,
                 summary.c_str());
    }

    // Tokenised, a laid-out example is its prompt's ids then its target's: no BOS added to the template's text
    // (which writes its own), no EOS after its end of turn, and the loss starts at the assistant's first token.
    void chatExamplesTokeniseWithoutAddedSpecialTokens()
    {
        COTLAB_REQUIRE_SHARED();
        const auto tokenizer = text::loadTokenizer(test::sharedPath("models/stories260K/tok512.bin"), 512);
        std::vector<train::Example> examples{{"What is 17 + 25?", "The answer is 42."}};
        examples[0].chat = true;
        train::applyChatTemplate(examples, fixtureTemplate("smollm2"));
        const auto set = train::TrainingSet::build(examples, *tokenizer, 4096);
        const auto& t = set.examples().at(0);
        const auto prompt = tokenizer->encodeTemplated(examples[0].prompt);
        QVERIFY(!prompt.empty() && prompt.front() != tokenizer->bosId());
        QCOMPARE(t.promptLength, int32_t(prompt.size()));
        const std::vector<int32_t> target(t.ids.begin() + t.promptLength, t.ids.end());
        QCOMPARE(tokenizer->decodeAfter(prompt, target), examples[0].target);
        QCOMPARE(t.ids, tokenizer->encodeTemplated(examples[0].prompt + examples[0].target)); // as the model reads it
        QVERIFY(t.ids.back() != tokenizer->eosId());
        // A chat example that was never laid out is refused.
        std::vector<train::Example> raw{{"q", "a"}};
        raw[0].chat = true;
        QVERIFY_THROWS_EXCEPTION(Error, train::TrainingSet::build(raw, *tokenizer, 64));
    }

    void badTemplatesAreNamed()
    {
        test::TempDir dir;
        const std::string folder = dir.path("model");
        std::filesystem::create_directories(folder);
        const auto expectError = [&](const std::string& config, const std::string& expected) {
            writeText(folder + "/tokenizer_config.json", config);
            try {
                text::ChatTemplate::fromFolder(folder);
                QFAIL(("accepted: " + config).c_str());
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(folder + "/tokenizer_config.json") == 0, e.what());
                QVERIFY2(std::string(e.what()).find(expected) != std::string::npos, e.what());
            }
        };
        expectError("{not json", "invalid JSON");
        expectError(R"({"chat_template": 5})", "chat_template: expected a string");
        expectError(R"({"chat_template": [{"name": "tool_use", "template": "x"}]})", "without one named \"default\"");
        expectError(R"({"chat_template": "{% for m in messages %}"})", "not a valid Jinja template");
        // A template that raises names itself and says why.
        writeText(folder + "/tokenizer_config.json",
                  json{{"chat_template", "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not "
                                         "supported') }}{% endif %}ok"}}
                      .dump());
        const auto strict = text::ChatTemplate::fromFolder(folder);
        QVERIFY(strict);
        QCOMPARE(strict->render({{"user", "Hi"}}, false), std::string("ok"));
        try {
            strict->render({{"system", "Be brief."}, {"user", "Hi"}}, false);
            QFAIL("a raising template rendered");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("System role not supported") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("tokenizer_config.json") != std::string::npos, e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestChatTemplate)
#include "TestChatTemplate.moc"
