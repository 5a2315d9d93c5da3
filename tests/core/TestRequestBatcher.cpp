// cotlab-cli serve's batching of concurrent requests, with a generator that records what it was asked and can be held
// back: requests that wait while a batch runs go together when their settings match and they fit; a seeded request
// goes alone; a failure reaches every request of its batch.
#include "teacher/RequestBatcher.h"
#include "util/Error.h"

#include <QtTest>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace cotlab;

namespace {

// A generator that answers "<prompt>#<k>" and records each batch's prompts; while held, it waits before answering.
class FakeGenerator {
public:
    std::vector<std::vector<teacher::GeneratedText>> operator()(const std::vector<std::string>& prompts,
                                                                const std::vector<int>& samples,
                                                                const teacher::SamplingParams& params, uint64_t seed)
    {
        {
            std::unique_lock lock(m_mutex);
            m_batches.push_back(prompts);
            m_seeds.push_back(seed);
            m_changed.notify_all();
            m_changed.wait(lock, [&] { return !m_held; });
        }
        if (params.maxTokens == 13)
            throw Error("the model ran out of memory");
        std::vector<std::vector<teacher::GeneratedText>> out(prompts.size());
        for (size_t k = 0; k < prompts.size(); ++k)
            for (int s = 0; s < samples[k]; ++s)
                out[k].push_back({prompts[k] + "#" + std::to_string(s), "stop", {}, {}, 0});
        return out;
    }
    void hold(bool held)
    {
        std::lock_guard lock(m_mutex);
        m_held = held;
        m_changed.notify_all();
    }
    void waitForBatches(size_t n)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_batches.size() >= n; });
    }
    std::vector<std::vector<std::string>> batches()
    {
        std::lock_guard lock(m_mutex);
        return m_batches;
    }
    std::vector<uint64_t> seeds()
    {
        std::lock_guard lock(m_mutex);
        return m_seeds;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_held = false;
    std::vector<std::vector<std::string>> m_batches;
    std::vector<uint64_t> m_seeds;
};

teacher::SamplingParams params(int n, double temperature = 0.7)
{
    teacher::SamplingParams p;
    p.n = n;
    p.temperature = temperature;
    return p;
}

} // namespace

class TestRequestBatcher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void waitingRequestsWithTheSameSettingsGoTogether()
    {
        FakeGenerator fake;
        teacher::RequestBatcher batcher([&](auto&&... a) { return fake(a...); }, 64);
        fake.hold(true);
        std::vector<std::thread> clients;
        std::vector<std::vector<teacher::GeneratedText>> answers(7);
        clients.emplace_back([&] { answers[0] = batcher.submit("first", params(2)); });
        fake.waitForBatches(1); // "first" is being generated; the rest queue up behind it
        std::atomic<int> queued{0};
        for (int k = 1; k <= 4; ++k)
            clients.emplace_back([&, k] {
                ++queued;
                answers[size_t(k)] = batcher.submit("same" + std::to_string(k), params(3));
            });
        clients.emplace_back([&] { answers[5] = batcher.submit("colder", params(3, 0.2)); });
        clients.emplace_back([&] {
            auto seeded = params(1);
            seeded.seed = 42;
            answers[6] = batcher.submit("seeded", seeded);
        });
        QTRY_COMPARE(queued.load(), 4);
        QTest::qWait(200); // every request is queued by now
        fake.hold(false);
        for (auto& c : clients)
            c.join();
        const auto batches = fake.batches();
        QCOMPARE(batches.size(), size_t(4));
        QCOMPARE(batches[0], std::vector<std::string>{"first"});
        // The four with temperature 0.7 in one generation; the colder one and the seeded one alone.
        int together = 0;
        for (const auto& b : batches)
            together +=
                b.size() == 4 && std::all_of(b.begin(), b.end(), [](const auto& p) { return p.rfind("same", 0) == 0; });
        QCOMPARE(together, 1);
        QCOMPARE(batcher.batches(), int64_t(4));
        const auto seeds = fake.seeds();
        QVERIFY(std::find(seeds.begin(), seeds.end(), uint64_t(42)) != seeds.end());
        // Each request gets its own texts.
        QCOMPARE(answers[0].size(), size_t(2));
        QCOMPARE(answers[3].size(), size_t(3));
        QCOMPARE(QString::fromStdString(answers[3][2].text), QString("same3#2"));
        QCOMPARE(QString::fromStdString(answers[6][0].text), QString("seeded#0"));
    }

    void batchesStayWithinTheirSize()
    {
        FakeGenerator fake;
        teacher::RequestBatcher batcher([&](auto&&... a) { return fake(a...); }, 64);
        fake.hold(true);
        std::vector<std::thread> clients;
        clients.emplace_back([&] { batcher.submit("first", params(1)); });
        fake.waitForBatches(1);
        for (int k = 0; k < 3; ++k)
            clients.emplace_back([&, k] { batcher.submit("big" + std::to_string(k), params(40)); });
        QTest::qWait(200);
        fake.hold(false);
        for (auto& c : clients)
            c.join();
        for (const auto& b : fake.batches())
            QVERIFY(b.size() == 1); // 40 + 40 sequences would not fit 64
        QCOMPARE(fake.batches().size(), size_t(4));
    }

    void aFailureReachesEveryRequestOfItsBatch()
    {
        FakeGenerator fake;
        teacher::RequestBatcher batcher([&](auto&&... a) { return fake(a...); }, 64);
        auto failing = params(1);
        failing.maxTokens = 13;
        QVERIFY_THROWS_EXCEPTION(Error, batcher.submit("a", failing));
        QCOMPARE(batcher.submit("b", params(1)).size(), size_t(1)); // the batcher goes on
        QVERIFY(!teacher::RequestBatcher::sameDecoding(params(1), params(1, 0.5)));
        auto seeded = params(1);
        seeded.seed = 1;
        QVERIFY(!teacher::RequestBatcher::sameDecoding(seeded, seeded));
    }
};

QTEST_GUILESS_MAIN(TestRequestBatcher)
#include "TestRequestBatcher.moc"
