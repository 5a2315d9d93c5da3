// Teacher sampling with the real client: against `cotlab-cli serve` running the shared stories260K model on
// localhost (samples stored with log-probabilities that match CoTLab's own scoring; a stopped job resumes without
// duplicates), and against a local test server that answers 429 with Retry-After, 500, slowly, by cutting the
// connection and with malformed JSON (every sample stored once, the errors readable). No API key reaches the
// workspace or the output.
#include "gen/TextGeneration.h"
#include "ingest/Importer.h"
#include "nn/ModelLoader.h"
#include "store/RationaleRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "teacher/SamplingJob.h"
#include "teacher/SamplingPlan.h"
#include "util/Clock.h"
#include "util/Error.h"

#include <QProcess>
#include <QtTest>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

using namespace cotlab;

namespace {

constexpr const char* kTeacherFile = "data/teacher/zero-shot-cot-davinci002/multiarith.jsonl";

std::string fileText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

teacher::SamplingRequest requestFor(const std::string& workspace, const std::string& url)
{
    teacher::SamplingRequest r;
    r.workspace = workspace;
    r.endpoint.baseUrl = url;
    r.endpoint.model = "stories260K";
    r.tasks = {"multiarith"};
    r.limit = 6;
    r.samplesPerInstance = 4;
    r.params.maxTokens = 24;
    r.params.temperature = 0.9;
    r.maxPerRequest = 3;
    r.concurrency = 3;
    r.retry.baseDelay = std::chrono::milliseconds(10);
    return r;
}

int64_t stored(const std::string& workspace, const std::string& model)
{
    store::Workspace w(workspace);
    return test::scalar(w.db(), "SELECT count(*) FROM rationales WHERE model = '" + model + "'");
}

} // namespace

class TestTeacherSampling : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { COTLAB_REQUIRE_SHARED(); }

    void samplesFromServeWithLogprobsAndResumes()
    {
        test::ServeProcess server;
        QVERIFY2(!server.url.empty(), "cotlab-cli serve did not start");
        test::TempDir dir;
        const std::string ws = dir.path("sample.cotlab");
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(), test::sharedPath(kTeacherFile));
        }
        // Stopped after the first stored batch ...
        jobs::StopToken stop;
        auto request = requestFor(ws, server.url);
        request.concurrency = 1;
        const auto first = teacher::runSampling(
            request, [&](const auto&) { stop.requestStop(); }, &stop);
        QVERIFY(first.stopped);
        QVERIFY(first.stored > 0 && first.stored < 24);
        QCOMPARE(stored(ws, "stories260K"), first.stored);
        // ... and resumed: exactly 4 per instance, sample indexes 0..3, nothing twice. The plan says beforehand
        // what the run will ask for.
        request.concurrency = 3;
        teacher::SamplingPlan plan;
        {
            store::Workspace w(ws);
            plan = teacher::planSampling(w.db(), request);
        }
        QCOMPARE(plan.instances.size(), size_t(6));
        QCOMPARE(plan.alreadyStored, first.stored);
        QCOMPARE(plan.missing, 24 - first.stored);
        QCOMPARE(plan.answerCalls, plan.missing); // zero-shot-CoT reads each answer with a second call
        QCOMPARE(plan.completionTokens, plan.missing * (24 + 32));
        QVERIFY(plan.promptTokens > 0);
        request.pricePromptPerMillion = 1;
        request.priceCompletionPerMillion = 2;
        QCOMPARE(plan.maxCost(request), (double(plan.promptTokens) + 2.0 * double(plan.completionTokens)) / 1e6);
        request.pricePromptPerMillion = request.priceCompletionPerMillion = 0;
        const auto second = teacher::runSampling(request, {}, nullptr);
        QCOMPARE(second.alreadyStored, first.stored);
        QCOMPARE(second.usage.requests, plan.callCount()); // nothing failed, nothing was retried
        QCOMPARE(second.usage.retries, int64_t(0));
        QCOMPARE(second.stored, 24 - first.stored);
        QVERIFY(second.errors.empty());
        store::Workspace w(ws);
        QCOMPARE(test::scalar(w.db(), "SELECT count(*) FROM rationales WHERE model = 'stories260K'"), int64_t(24));
        QCOMPARE(test::scalar(w.db(), "SELECT count(*) FROM (SELECT DISTINCT instance_id, sample_index FROM rationales "
                                      "WHERE model = 'stories260K')"),
                 int64_t(24));
        QCOMPARE(test::scalar(w.db(), "SELECT max(sample_index) FROM rationales WHERE model = 'stories260K'"),
                 int64_t(3));
        QCOMPARE(test::scalar(w.db(), "SELECT count(*) FROM rationales WHERE model = 'stories260K' AND "
                                      "answer_sentence LIKE 'Therefore, the answer (arabic numerals) is%'"),
                 int64_t(24));
        // Running it again asks for nothing.
        QCOMPARE(teacher::runSampling(request, {}, nullptr).needed, int64_t(0));

        // The stored log-probabilities are CoTLab's own scoring of the same text after the same prompt.
        auto model = nn::loadModelAndTokenizer(test::sharedPath("models/stories260K/stories260K.bin"),
                                               test::sharedPath("models/stories260K/tok512.bin"));
        store::RationaleRepository repo(w.db());
        int checked = 0;
        repo.forEachInstance(std::string("multiarith"), [&](const store::InstanceRecord& in, const auto& rationales) {
            for (const auto& r : rationales) {
                if (r.model != "stories260K" || r.text.empty())
                    continue;
                const auto scored =
                    gen::scoreText(*model.model, *model.tokenizer, teacher::buildPrompt(request.prompt, in), r.text);
                if (!r.logprob ||
                    std::abs(*r.logprob - scored.total()) > 1e-3 * std::max(1.0, std::abs(scored.total())))
                    return false;
                ++checked;
            }
            return true;
        });
        QVERIFY2(checked >= 20, QByteArray::number(checked));
    }

    void faultsAreRetriedAndEverySampleStoredOnce()
    {
        // A server that fails each prompt's first attempts in turn: 429 + Retry-After, 500, too slow, a cut
        // connection, malformed JSON; then answers.
        httplib::Server faulty;
        std::mutex mutex;
        std::map<std::string, int> attempts;
        std::atomic<int> withKey{0};
        faulty.Post("/v1/completions", [&](const httplib::Request& req, httplib::Response& res) {
            const auto body = nlohmann::json::parse(req.body);
            const std::string prompt = body["prompt"];
            if (req.get_header_value("Authorization") == "Bearer sk-test-secret-42")
                ++withKey;
            int attempt = 0;
            {
                std::lock_guard lock(mutex);
                attempt = attempts[prompt + std::to_string(body["n"].get<int>())]++;
            }
            switch (attempt) {
            case 0:
                res.status = 429;
                res.set_header("Retry-After", "1");
                res.set_content("{\"error\": \"rate limited\"}", "application/json");
                return;
            case 1:
                res.status = 500;
                res.set_content("internal error", "text/plain");
                return;
            case 2:
                std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // past the client's 1 s timeout
                break;
            case 3:
                res.set_content_provider(1000, "application/json", [](size_t, size_t, httplib::DataSink&) {
                    return false; // the connection is cut before any of the body
                });
                return;
            case 4:
                res.set_content("{\"choices\": [ {\"text\": ", "application/json");
                return;
            default:
                break;
            }
            nlohmann::json choices = nlohmann::json::array();
            for (int i = 0; i < body["n"].get<int>(); ++i)
                choices.push_back({{"index", i},
                                   {"text", " 3 + 4 = 7. The answer is 7."},
                                   {"finish_reason", "stop"},
                                   {"logprobs", {{"token_logprobs", {-0.5, -0.25}}}}});
            res.set_content(nlohmann::json{{"choices", choices}, {"usage", {{"completion_tokens", 2}}}}.dump(),
                            "application/json");
        });
        const int port = faulty.bind_to_any_port("127.0.0.1");
        std::thread serving([&] { faulty.listen_after_bind(); });
        struct Stop {
            httplib::Server& s;
            std::thread& t;
            ~Stop()
            {
                s.stop();
                t.join();
            }
        } stopServer{faulty, serving};

        test::TempDir dir;
        const std::string ws = dir.path("faults.cotlab");
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(), test::sharedPath(kTeacherFile));
        }
        auto request = requestFor(ws, "http://127.0.0.1:" + std::to_string(port));
        request.endpoint.model = "faulty-teacher";
        request.endpoint.timeoutSeconds = 1;
        request.endpoint.apiKey = "sk-test-secret-42";
        request.prompt.extractAnswer = false;
        request.limit = 4;
        request.samplesPerInstance = 2;
        request.maxPerRequest = 2;
        request.concurrency = 4;
        ManualClock clock; // the back-off waits move it forward instead of sleeping
        const auto outcome = teacher::runSampling(request, {}, nullptr, clock);
        QCOMPARE(outcome.failedRequests, int64_t(0));
        QCOMPARE(outcome.stored, int64_t(8));
        QCOMPARE(outcome.usage.retries, int64_t(4 * 5));
        QCOMPARE(stored(ws, "faulty-teacher"), int64_t(8));
        std::string errors;
        for (const auto& e : outcome.errors)
            errors += e + "\n";
        for (const char* needle : {"HTTP 429", "HTTP 500", "Timeout", "not JSON"})
            QVERIFY2(errors.find(needle) != std::string::npos, errors.c_str());
        QVERIFY(withKey.load() > 0);                                    // the key was sent ...
        QVERIFY(errors.find("sk-test-secret-42") == std::string::npos); // ... and named nowhere
        // Each of the 4 requests waited the Retry-After of 1 s (longer than its 10 ms back-off), then 20, 40, 80 and
        // 160 ms of back-off.
        QCOMPARE(clock.slept(), Clock::Duration(4 * std::chrono::milliseconds(1000 + 20 + 40 + 80 + 160)));

        // The key in the environment, through the command line: not in the workspace, not in the output.
        QProcess cli;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("OPENAI_API_KEY", "sk-test-secret-42");
        cli.setProcessEnvironment(env);
        cli.start(COTLAB_CLI_PATH,
                  {"--workspace", QString::fromStdString(ws), "sample", "--endpoint",
                   QString("http://127.0.0.1:%1/v1").arg(port), "--model", "faulty-cli", "--task", "multiarith",
                   "--limit", "2", "--samples", "1", "--no-answer-call", "--timeout", "1"});
        QVERIFY(cli.waitForFinished(120000));
        const QString output = QString::fromUtf8(cli.readAllStandardOutput() + cli.readAllStandardError());
        QVERIFY2(cli.exitCode() == 0, qPrintable(output));
        QVERIFY2(output.contains("2 stored"), qPrintable(output));
        QVERIFY(!output.contains("sk-test-secret-42"));
        for (const char* suffix : {"", "-wal"})
            QVERIFY(fileText(ws + suffix).find("sk-test-secret-42") == std::string::npos);
    }

    // Nothing is sent to a hosted endpoint without prices, nor above the spending limits without --yes.
    void theCommandLineGuardsAgainstSurpriseBills()
    {
        test::TempDir dir;
        const std::string ws = dir.path("guard.cotlab");
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(), test::sharedPath(kTeacherFile));
        }
        auto run = [&](const QStringList& extra) {
            QProcess cli;
            cli.start(COTLAB_CLI_PATH,
                      QStringList{"--workspace", QString::fromStdString(ws), "sample", "--endpoint",
                                  "https://api.example.com/v1", "--model", "gpt-teacher", "--task", "multiarith"} +
                          extra);
            cli.waitForFinished(60000);
            return std::pair{cli.exitCode(),
                             QString::fromUtf8(cli.readAllStandardOutput() + cli.readAllStandardError())};
        };
        auto [code, out] = run({"--samples", "30"});
        QVERIFY2(code != 0 && out.contains("--price-prompt") && out.contains("--free"), qPrintable(out));
        std::tie(code, out) = run({"--samples", "30", "--price-prompt", "2.5", "--price-completion", "10"});
        QVERIFY2(code != 0 && out.contains("--yes") && out.contains("more than the limit of 1000 requests"),
                 qPrintable(out));
        QVERIFY2(out.contains("plan: 600 instances, 18000 samples missing"), qPrintable(out));
        QCOMPARE(stored(ws, "gpt-teacher"), int64_t(0)); // nothing was sent, nothing stored
        // Local endpoints need no prices; a small plan needs no --yes (it then fails to connect, quickly).
        auto local = teacher::SamplingRequest{};
        local.endpoint.baseUrl = "http://192.168.1.20:8000/v1";
        QVERIFY(teacher::isLocalEndpoint(local.endpoint.baseUrl));
        QVERIFY(teacher::isLocalEndpoint("http://[::1]:8000/v1"));
        QVERIFY(teacher::isLocalEndpoint("http://localhost/v1"));
        QVERIFY(!teacher::isLocalEndpoint("https://api.openai.com/v1"));
        QVERIFY(!teacher::isLocalEndpoint("http://172.32.0.1/v1"));
        QVERIFY(teacher::missingPrices(local, false).empty());
    }

    void promptTemplates()
    {
        store::InstanceRecord in;
        in.task = "commonsense_qa";
        in.question = "Where do you keep milk?";
        in.choicesJson = "[{\"label\": \"A\", \"text\": \"fridge\"}, {\"label\": \"B\", \"text\": \"shelf\"}]";
        in.answerKind = "choice";
        teacher::PromptTemplate t;
        QCOMPARE(teacher::buildPrompt(t, in), std::string("Q: Where do you keep milk?\nAnswer Choices: (A) fridge (B) "
                                                          "shelf\nA: Let's think step by step."));
        QCOMPARE(teacher::answerTrigger(in), std::string("Therefore, among A through B, the answer is"));
        // Few-shot: the task's human-written exemplars (the bundled copy of Fine-tune-CoT's file), then the question.
        t.style = teacher::PromptStyle::FewShot;
        t.exemplarsFile = std::string(COTLAB_SOURCE_DIR) + "/resources/demo/prompts/few_shot_cot_prompts.json";
        const std::string fewShot = teacher::buildPrompt(t, in);
        QVERIFY(fewShot.rfind("Q: What do people use to absorb extra ink from a fountain pen?", 0) == 0);
        QVERIFY(fewShot.size() > 1000);
        QVERIFY(fewShot.find("\n\nQ: Where do you keep milk?\nAnswer Choices: (A) fridge (B) shelf\nA:") ==
                fewShot.size() -
                    std::string("\n\nQ: Where do you keep milk?\nAnswer Choices: (A) fridge (B) shelf\nA:").size());
        in.task = "no_such_task";
        QVERIFY_THROWS_EXCEPTION(Error, teacher::buildPrompt(t, in));
        t.style = teacher::PromptStyle::Custom;
        t.custom = "Question: {question}{choices}\nReasoning:";
        QCOMPARE(teacher::buildPrompt(t, in),
                 std::string("Question: Where do you keep milk?\nAnswer Choices: (A) fridge (B) shelf\nReasoning:"));
        t.style = teacher::PromptStyle::Socratic;
        QVERIFY(teacher::buildPrompt(t, in).find("sub-questions") != std::string::npos);
    }

    void apiKeysComeFromTheEnvironmentOrTheKeychain()
    {
        // A stand-in for libsecret's secret-tool that knows one endpoint's key.
        test::TempDir dir;
        const std::string tool = test::writeFile(
            dir.path("secret-tool"), "#!/bin/sh\n[ \"$1 $2 $3 $4 $5\" = \"lookup service cotlab endpoint "
                                     "http://teacher.example/v1\" ] && printf 'sk-from-keychain' && exit 0\nexit 1\n");
        std::filesystem::permissions(tool, std::filesystem::perms::owner_all);
        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", QByteArray::fromStdString(dir.path("")) + ":" + path);
        QCOMPARE(teacher::apiKeyFromKeychain("http://teacher.example/v1"), std::string("sk-from-keychain"));
        QCOMPARE(teacher::apiKeyFromKeychain("http://other.example/v1"), std::string());
        qputenv("COTLAB_TEST_KEY", "sk-from-env");
        QCOMPARE(teacher::findApiKey("COTLAB_TEST_KEY", "http://teacher.example/v1"), std::string("sk-from-env"));
        qunsetenv("COTLAB_TEST_KEY");
        QCOMPARE(teacher::findApiKey("COTLAB_TEST_KEY", "http://teacher.example/v1"), std::string("sk-from-keychain"));
        qputenv("PATH", "/nonexistent");
        QCOMPARE(teacher::apiKeyFromKeychain("http://teacher.example/v1"), std::string()); // no secret-tool
        qputenv("PATH", path);
    }

    void clientErrorsAreNotRetried()
    {
        teacher::Endpoint endpoint;
        endpoint.baseUrl = "http://127.0.0.1:1"; // nothing listens there
        endpoint.model = "x";
        teacher::RetryPolicy retry;
        retry.maxAttempts = 2;
        retry.baseDelay = std::chrono::milliseconds(1);
        teacher::CompletionClient client(endpoint, retry);
        try {
            client.complete("Q", {});
            QFAIL("a request to a closed port succeeded");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("gave up after 2 attempts"), e.what());
            QVERIFY2(QString(e.what()).contains("http://127.0.0.1:1/v1/completions"), e.what());
        }
        QCOMPARE(teacher::parseResponse("{\"choices\": [{\"message\": {\"content\": \"hi\"}, \"logprobs\": "
                                        "{\"content\": [{\"token\": \"hi\", \"logprob\": -0.5}]}}]}")
                     .front()
                     .logprob.value(),
                 -0.5);
    }
};

QTEST_GUILESS_MAIN(TestTeacherSampling)
#include "TestTeacherSampling.moc"
