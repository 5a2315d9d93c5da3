// Generated symbolic tasks (last letter concatenation, coin flip): deterministic per seed, the number of items
// asked for, rule-written rationales whose extracted answer is the gold answer, and a clean import.
#include "answers/AnswerExtractor.h"
#include "ingest/Importer.h"
#include "ingest/SymbolicTasks.h"
#include "store/StatsRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace cotlab;

namespace {

std::vector<nlohmann::json> generate(const ingest::SymbolicTaskOptions& o)
{
    std::ostringstream out;
    ingest::writeSymbolicTask(o, out);
    std::vector<nlohmann::json> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);)
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

} // namespace

class TestSymbolicTasks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lastLetters()
    {
        ingest::SymbolicTaskOptions o;
        o.count = 200;
        o.items = 4;
        o.split = "test";
        const auto lines = generate(o);
        QCOMPARE(lines.size(), size_t(200));
        const answers::AnswerExtractor extract(answers::AnswerKind::Text);
        for (const auto& j : lines) {
            const std::string q = j["question"], gold = j["gold"];
            const auto quoted = q.substr(q.find('"') + 1, q.rfind('"') - q.find('"') - 1);
            std::istringstream words(quoted);
            std::string expected, w;
            int n = 0;
            while (words >> w) {
                expected += char(std::tolower(static_cast<unsigned char>(w.back())));
                ++n;
            }
            QCOMPARE(n, 4);
            QCOMPARE(gold, expected);
            QCOMPARE(extract.extract(j["rationale"].get<std::string>()), gold);
        }
        QCOMPARE(generate(o), lines); // same seed, same file
        o.seed = 1;
        QVERIFY(generate(o) != lines);
    }

    void coinFlips()
    {
        ingest::SymbolicTaskOptions o;
        o.task = "coin_flip";
        o.count = 300;
        o.items = 3;
        const auto lines = generate(o);
        const answers::AnswerExtractor extract(answers::AnswerKind::YesNo);
        int yes = 0;
        for (const auto& j : lines) {
            const std::string q = j["question"];
            int flips = 0;
            for (size_t at = 0; (at = q.find(" flips the coin.", at)) != std::string::npos; ++at)
                ++flips;
            QCOMPARE(j["gold"].get<std::string>(), std::string(flips % 2 == 0 ? "yes" : "no"));
            QCOMPARE(extract.extract(j["rationale"].get<std::string>()), j["gold"].get<std::string>());
            yes += j["gold"] == "yes";
        }
        QVERIFY(yes > 100 && yes < 200); // both answers are common
    }

    void importsIntoAWorkspace()
    {
        test::TempDir dir;
        ingest::SymbolicTaskOptions o;
        o.count = 50;
        for (const char* split : {"train", "test"}) {
            o.split = split;
            o.items = o.split == "train" ? 2 : 4;
            std::ofstream(dir.path(std::string(split) + ".jsonl")) << [&] {
                std::ostringstream s;
                ingest::writeSymbolicTask(o, s);
                return s.str();
            }();
        }
        store::Workspace ws(dir.path("w.cotlab"));
        ingest::Importer::importFile(ws.db(), dir.path("train.jsonl"));
        ingest::Importer::importFile(ws.db(), dir.path("test.jsonl"));
        const auto stats = store::StatsRepository(ws.db()).perTask();
        QCOMPARE(stats.size(), size_t(1));
        QCOMPARE(stats[0].trainInstances, int64_t(50));
        QCOMPARE(stats[0].testInstances, int64_t(50));
        QCOMPARE(stats[0].teacherCorrect, int64_t(100));
        o.task = "sorting";
        std::ostringstream sink;
        QVERIFY_THROWS_EXCEPTION(Error, ingest::writeSymbolicTask(o, sink));
    }
};

QTEST_GUILESS_MAIN(TestSymbolicTasks)
#include "TestSymbolicTasks.moc"
