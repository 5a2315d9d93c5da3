// Waiting without waiting: the teacher client's rate limits and retry back-off on a ManualClock, whose sleeps
// move time forward at once and are recorded, so the waits are checked to the millisecond in no time.
#include "jobs/Progress.h"
#include "support/TestSupport.h"
#include "teacher/CompletionClient.h"
#include "teacher/RateLimiter.h"
#include "util/Clock.h"
#include "util/Error.h"

#include <QtTest>
#include <atomic>
#include <httplib.h>
#include <thread>

using namespace cotlab;
using namespace std::chrono_literals;

namespace {

double secondsSince(ManualClock& clock, Clock::TimePoint start)
{
    return std::chrono::duration<double>(clock.now() - start).count();
}

} // namespace

class TestRateLimits : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void requestsPerMinuteSpaceTheStarts()
    {
        ManualClock clock;
        const auto start = clock.now();
        teacher::RateLimiter limiter(60, 0, clock); // one request a second
        std::vector<double> starts;
        for (int k = 0; k < 5; ++k) {
            limiter.acquire(nullptr);
            starts.push_back(secondsSince(clock, start));
        }
        QCOMPARE(starts, (std::vector<double>{0, 1, 2, 3, 4}));
        // Time that passed on its own counts: after a 10 s pause the next request starts at once.
        clock.advance(10s);
        const auto before = clock.slept();
        limiter.acquire(nullptr);
        QCOMPARE(clock.slept(), before);
    }

    void tokensPerMinuteHoldRequestsUntilTheWindowMoves()
    {
        ManualClock clock;
        const auto start = clock.now();
        teacher::RateLimiter limiter(0, 1000, clock);
        limiter.acquire(nullptr);
        limiter.spent(600);
        clock.advance(5s);
        limiter.acquire(nullptr); // 600 of 1,000 tokens used: goes at once
        QCOMPARE(secondsSince(clock, start), 5.0);
        limiter.spent(600);
        // 1,200 tokens in the last minute: the next request waits until the first 600 are a minute old.
        limiter.acquire(nullptr);
        QCOMPARE(secondsSince(clock, start), 60.0);
        limiter.spent(100); // 700 in the window now
        limiter.acquire(nullptr);
        QCOMPARE(secondsSince(clock, start), 60.0);
    }

    void aStopRequestEndsTheWait()
    {
        ManualClock clock;
        teacher::RateLimiter limiter(0, 10, clock);
        limiter.acquire(nullptr);
        limiter.spent(50);
        jobs::StopToken stop;
        std::atomic<bool> returned{false};
        std::thread waiter([&] {
            limiter.acquire(&stop);
            returned = true;
        });
        QTRY_VERIFY(clock.slept() > 0s); // it is waiting (in steps of at most 50 ms)
        stop.requestStop();
        waiter.join();
        QVERIFY(returned);
        for (const auto& sleep : clock.sleeps())
            QVERIFY(sleep <= 50ms);
    }

    void backOffDoublesUpToTheMaximumAndHonoursRetryAfter()
    {
        teacher::RetryPolicy policy; // 500 ms doubling up to 30 s
        QCOMPARE(teacher::retryDelay(policy, 1, ""), 500ms);
        QCOMPARE(teacher::retryDelay(policy, 2, ""), 1000ms);
        QCOMPARE(teacher::retryDelay(policy, 4, ""), 4000ms);
        QCOMPARE(teacher::retryDelay(policy, 7, ""), 30000ms);
        QCOMPARE(teacher::retryDelay(policy, 40, ""), 30000ms);
        QCOMPARE(teacher::retryDelay(policy, 1, "7"), 7000ms);    // the server asks for longer
        QCOMPARE(teacher::retryDelay(policy, 3, "0.25"), 2000ms); // back-off is longer than asked
        QCOMPARE(teacher::retryDelay(policy, 1, "soon"), 500ms);  // not a number of seconds: ignored
        QCOMPARE(teacher::retryDelay(policy, 1, "-3"), 500ms);    // negative: ignored
        QCOMPARE(teacher::retryDelay(policy, 2, "1.5"), 1500ms);
    }

    void theClientWaitsWhatTheServerAsks()
    {
        // 429 with Retry-After: 3, then 503, then an answer.
        httplib::Server server;
        std::atomic<int> calls{0};
        server.Post("/v1/completions", [&](const httplib::Request&, httplib::Response& res) {
            switch (calls++) {
            case 0:
                res.status = 429;
                res.set_header("Retry-After", "3");
                return;
            case 1:
                res.status = 503;
                return;
            default:
                res.set_content("{\"choices\": [{\"text\": \" 7\", \"finish_reason\": \"stop\"}]}", "application/json");
            }
        });
        const int port = server.bind_to_any_port("127.0.0.1");
        std::thread serving([&] { server.listen_after_bind(); });
        struct StopServer {
            httplib::Server& server;
            std::thread& thread;
            ~StopServer()
            {
                server.stop();
                thread.join();
            }
        } stopServer{server, serving};

        teacher::Endpoint endpoint;
        endpoint.baseUrl = "http://127.0.0.1:" + std::to_string(port);
        endpoint.model = "m";
        ManualClock clock;
        teacher::CompletionClient client(endpoint, {}, clock);
        std::vector<std::string> reasons;
        client.onRetry([&](const std::string& reason) { reasons.push_back(reason); });
        const auto completions = client.complete("3 + 4 =", {});
        QCOMPARE(completions.size(), size_t(1));
        QCOMPARE(completions.front().text, std::string(" 7"));
        QCOMPARE(client.usage().retries, int64_t(2));
        QCOMPARE(clock.slept(), Clock::Duration(3000ms + 1000ms)); // Retry-After, then the second back-off
        QCOMPARE(reasons.size(), size_t(2));
        QVERIFY2(reasons[0].find("HTTP 429") != std::string::npos && reasons[0].find("3000 ms") != std::string::npos,
                 reasons[0].c_str());
        QVERIFY2(reasons[1].find("HTTP 503") != std::string::npos && reasons[1].find("1000 ms") != std::string::npos,
                 reasons[1].c_str());
    }
};

QTEST_GUILESS_MAIN(TestRateLimits)
#include "TestRateLimits.moc"
