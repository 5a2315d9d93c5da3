// Corpus recipes on the real shared files: the 40-samples-per-question date set (code-davinci-002) and PaLM's
// CommonsenseQA rationales with their run-on "Q:" continuations.
#include "corpus/CorpusBuilder.h"
#include "corpus/CorpusComparison.h"
#include "corpus/RecipeSchema.h"
#include "corpus/Selection.h"
#include "gen/TextGeneration.h"
#include "ingest/Importer.h"
#include "nn/ModelLoader.h"
#include "store/CorpusRepository.h"
#include "store/RationaleRepository.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "train/PromptFormat.h"
#include "train/RunRecipe.h"
#include "util/Error.h"

#include <QtTest>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

using namespace cotlab;
using namespace cotlab::corpus;

namespace {

std::vector<nlohmann::json> readLines(const std::string& path)
{
    std::vector<nlohmann::json> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        out.push_back(nlohmann::json::parse(line));
    return out;
}

// Steps written with single quotes (moc cannot read raw string literals with quotes in them).
Recipe recipe(std::string steps)
{
    std::replace(steps.begin(), steps.end(), '\'', '"');
    return recipeFromJson("{\"version\": 1, \"steps\": " + steps + "}");
}

// Every step's removed list accounts exactly for the rationales it took away.
void checkRemovedLists(const store::BuiltCorpus& c)
{
    QCOMPARE(c.removed.size() + 1, c.steps.size());
    for (size_t s = 0; s < c.removed.size(); ++s)
        QCOMPARE(int64_t(c.removed[s].size()), c.steps[s].rationales - c.steps[s + 1].rationales);
}

std::set<int64_t> ids(const store::BuiltCorpus& c)
{
    std::set<int64_t> out;
    for (const auto& m : c.members)
        out.insert(m.rationaleId);
    return out;
}

} // namespace

class TestCorpus : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    std::unique_ptr<store::Workspace> m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        COTLAB_REQUIRE_SHARED();
        test::importDate40(m_dir.path("corpus.cotlab"));
        m_ws = std::make_unique<store::Workspace>(m_dir.path("corpus.cotlab"));
    }

    void exactDedupeLeavesTheDistinctRationales()
    {
        // Counted from the file itself: distinct rationale texts per question.
        std::map<std::string, std::set<std::string>> distinct;
        for (const auto& j : readLines(test::sharedPath(test::kDate40File)))
            distinct[j["id"].get<std::string>()].insert(j["rationale"].get<std::string>());
        size_t expected = 0;
        for (const auto& [id, texts] : distinct)
            expected += texts.size();
        QVERIFY(expected < 359 * 40); // the set does repeat itself

        const auto built = buildCorpus(m_ws->db(), recipe("[{'step': 'dedupe', 'mode': 'exact'}]"));
        QCOMPARE(built.members.size(), expected);
        QCOMPARE(built.steps.size(), size_t(2));
        QCOMPARE(built.steps[0].rationales, int64_t(359 * 40));
        QCOMPARE(built.steps[1].rationales, int64_t(expected));
        QCOMPARE(built.steps[1].instances, int64_t(359));

        // Near duplicates (trigram Jaccard >= 0.8) include the exact ones.
        const auto near = buildCorpus(m_ws->db(), recipe("[{'step': 'dedupe', 'mode': 'near', 'threshold': 0.8}]"));
        QVERIFY(near.members.size() < expected);
        QVERIFY(std::ranges::includes(ids(built), ids(near)));
    }

    void perInstanceCapIsSeeded()
    {
        auto cap = [&](int seed) {
            return buildCorpus(m_ws->db(), recipe("[{'step': 'correctness', 'keep': 'correct'},"
                                                  "{'step': 'per_instance', 'k': 4, 'by': 'random', 'seed': " +
                                                  std::to_string(seed) + "}]"));
        };
        const auto a = cap(1), again = cap(1), b = cap(2);
        QCOMPARE(ids(a), ids(again));
        QVERIFY(ids(a) != ids(b));
        QCOMPARE(a.members.size(), b.members.size());
        std::map<int64_t, int> perInstance;
        for (const auto& m : a.members)
            ++perInstance[m.instanceId];
        for (const auto& [instance, n] : perInstance)
            QVERIFY(n <= 4);
        // Only correct rationales were drawn.
        QCOMPARE(a.steps.back().correct, a.steps.back().rationales);
        checkRemovedLists(a);
    }

    void diversityPicksTheMostDistantOnAHandCheckedCase()
    {
        // Trigram sets: A and B share 2 of 4 grams (distance 1/2... computed below); C shares nothing with either.
        const std::vector<std::string> texts = {
            "the cat sat on the mat",    // 0: grams {the cat sat, cat sat on, sat on the, on the mat}
            "the cat sat on the rug",    // 1: shares 3 of 5 distinct grams with 0
            "dogs bark loudly at night", // 2: shares nothing with 0, 1
            "the cat sat on the mat",    // 3: same as 0
        };
        std::vector<std::vector<uint64_t>> grams;
        for (const auto& t : texts)
            grams.push_back(wordTrigrams(t));
        QCOMPARE(grams[0].size(), size_t(4));
        QCOMPARE(jaccard(grams[0], grams[1]), 3.0 / 5.0);
        QCOMPARE(jaccard(grams[0], grams[3]), 1.0);
        QCOMPARE(jaccard(grams[0], grams[2]), 0.0);
        // Mean distances: 0: (2/5+1+0)/3, 1: (2/5+1+2/5)/3, 2: 3/3, 3: like 0 -> 2 first; then the one farthest from
        // 2: all at distance 1, lowest index 0; then the farthest from {2, 0}: 1 (2/5) beats 3 (0).
        QCOMPARE(farthestPoints(grams, 3), (std::vector<size_t>{2, 0, 1}));
        QCOMPARE(farthestPoints(grams, 9).size(), size_t(4));

        const auto diverse = buildCorpus(m_ws->db(), recipe("[{'step': 'per_instance', 'k': 3, 'by': 'diversity'}]"));
        QCOMPARE(diverse.members.size(), size_t(359 * 3));
    }

    void openEndednessRanksByAnswerEntropy()
    {
        auto& db = m_ws->db();
        const auto built =
            buildCorpus(db, recipe("[{'step': 'open_endedness', 'measure': 'entropy', 'keep_share': 0.1}]"));
        QCOMPARE(built.steps.back().instances, int64_t(36)); // ceil(0.1 * 359)
        std::set<int64_t> kept;
        for (const auto& m : built.members)
            kept.insert(m.instanceId);
        // Entropy of each instance's answers, computed here from the stored rationales.
        double lowestKept = 1e9, highestDropped = -1;
        int64_t disagreeing = 0; // instances whose samples give more than one answer
        store::RationaleRepository(db).forEachInstance(
            std::nullopt, [&](const store::InstanceRecord& in, const std::vector<store::RationaleRecord>& rs) {
                std::map<std::string, int> counts;
                for (const auto& r : rs)
                    ++counts[r.answer ? *r.answer : r.extractedAnswer.value_or("")];
                double h = 0;
                for (const auto& [a, n] : counts)
                    h -= double(n) / double(rs.size()) * std::log2(double(n) / double(rs.size()));
                disagreeing += h > 0;
                if (kept.count(in.id))
                    lowestKept = std::min(lowestKept, h);
                else
                    highestDropped = std::max(highestDropped, h);
                return true;
            });
        QVERIFY2(lowestKept >= highestDropped - 1e-12,
                 qPrintable(QString("%1 < %2").arg(lowestKept).arg(highestDropped)));
        // The set is mostly unanimous: every instance with any disagreement is among the kept tenth.
        QVERIFY(disagreeing > 0);
        QCOMPARE(highestDropped, disagreeing < 36 ? 0.0 : highestDropped);
        QCOMPARE(answerEntropy({"a", "a", "b", "b"}), 1.0);
        QCOMPARE(distinctAnswers({"a", "", "b", "a"}), int64_t(3));
    }

    void instanceStepsComposeAndShareIsNested()
    {
        auto& db = m_ws->db();
        auto share = [&](double s) {
            std::set<int64_t> instances;
            const auto built = buildCorpus(db, recipe("[{'step': 'min_correct', 'count': 1},"
                                                      "{'step': 'instance_share', 'share': " +
                                                      std::to_string(s) + ", 'seed': 7}]"));
            for (const auto& m : built.members)
                instances.insert(m.instanceId);
            return instances;
        };
        const auto quarter = share(0.25), half = share(0.5);
        QVERIFY(!quarter.empty());
        QVERIFY(std::ranges::includes(half, quarter)); // learning curves over dataset size are nested
        checkRemovedLists(
            buildCorpus(db, recipe("[{'step': 'correctness', 'keep': 'correct'}, {'step': 'min_correct', 'count': 39},"
                                   "{'step': 'dedupe', 'mode': 'exact'}, {'step': 'instance_share', 'share': 0.5}]")));
        QVERIFY(half.size() > quarter.size());
    }

    void recipesRoundTripAndNameTheirErrors()
    {
        const Recipe r = recipe("[{'step': 'scope', 'tasks': ['date_mmddyyyy'], 'sources': ['teacher']},"
                                "{'step': 'clean', 'stop': ['\\nQ:'], 'drop_unanswered': true},"
                                "{'step': 'length', 'min': 10, 'max': 900},"
                                "{'step': 'match', 'pattern': 'answer is', 'exclude': false},"
                                "{'step': 'per_instance', 'k': 2, 'by': 'likelihood', 'likelihood': 'total'}]");
        QCOMPARE(recipeToJson(recipeFromJson(recipeToJson(r))), recipeToJson(r));
        auto error = [](const std::string& steps) {
            try {
                recipe(steps);
            } catch (const Error& e) {
                return std::string(e.what());
            }
            return std::string("no error");
        };
        QCOMPARE(error("[{'step': 'per_instance', 'k': 0}]"),
                 std::string("recipe step 1 (per_instance): 'k' must be a whole number of at least 1"));
        QCOMPARE(error("[{'step': 'scope'}, {'step': 'dedupe', 'mode': 'fuzzy'}]"),
                 std::string("recipe step 2 (dedupe): 'mode' must be one of exact, near (not 'fuzzy')"));
        QVERIFY(error("[{'step': 'sort'}]").starts_with("recipe step 1: unknown step 'sort'"));
        QVERIFY_THROWS_EXCEPTION(Error, recipeFromJson("{\"version\": 2, \"steps\": []}"));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 buildCorpus(m_ws->db(), recipe("[{'step': 'match', 'pattern': '(', 'regex': true}]")));
    }

    void theSchemaDescribesEveryStepAsWritten()
    {
        // Each step, written with its defaults, has exactly the schema's fields; every choice
        // the schema offers is read back as itself; the schema's instance steps are the builder's.
        QCOMPARE(recipeSchema().size(), std::variant_size_v<Step>);
        for (const auto& schema : recipeSchema()) {
            QVERIFY2(!schema.description.empty(), schema.name.c_str());
            std::string step = "{'step': '" + schema.name + "'" + (schema.name == "per_instance" ? ", 'k': 2" : "") +
                               (schema.name == "match" ? ", 'pattern': 'x'" : "") + "}";
            const Recipe r = recipe("[" + step + "]");
            QCOMPARE(stepName(r.steps.front()), schema.name);
            QCOMPARE(isInstanceStep(r.steps.front()), schema.instanceLevel);
            const auto written = nlohmann::ordered_json::parse(recipeToJson(r))["steps"][0];
            std::vector<std::string> keys;
            for (const auto& [key, value] : written.items())
                if (key != "step")
                    keys.push_back(key);
            std::vector<std::string> fields;
            for (const auto& f : schema.fields) {
                fields.push_back(f.name);
                QVERIFY2(!f.description.empty(), f.name.c_str());
                for (const auto& choice : f.choices) {
                    auto j = written;
                    j[f.name] = choice;
                    const auto again = nlohmann::json::parse(
                        recipeToJson(recipeFromJson(nlohmann::json{{"version", 1}, {"steps", {j}}}.dump())));
                    QCOMPARE(again["steps"][0][f.name].get<std::string>(), choice);
                }
            }
            std::sort(fields.begin(), fields.end()); // the format writes fields in name order
            QCOMPARE(keys, fields);
        }
    }

    void savedCorpusIsRebuiltIdentically()
    {
        const std::string path = m_dir.path("saved.cotlab");
        const std::string recipeJson =
            recipeToJson(recipe("[{'step': 'correctness', 'keep': 'correct'},"
                                "{'step': 'dedupe', 'mode': 'exact'},"
                                "{'step': 'per_instance', 'k': 3, 'by': 'random', 'seed': 11}]"));
        {
            test::importDate40(path);
            store::Workspace ws(path);
            store::CorpusRepository(ws.db()).save("date-k3", recipeJson,
                                                  buildCorpus(ws.db(), recipeFromJson(recipeJson)));
            QVERIFY_THROWS_EXCEPTION(Error, store::CorpusRepository(ws.db()).save("date-k3", recipeJson, {}));
        }
        // Reopened (as after a restart): the saved recipe, rebuilt, gives the same members in the same order.
        store::Workspace ws(path);
        store::CorpusRepository corpora(ws.db());
        const auto info = corpora.find("date-k3");
        QVERIFY(info);
        const auto stored = corpora.members(info->id);
        const auto rebuilt = buildCorpus(ws.db(), recipeFromJson(info->recipeJson));
        QCOMPARE(stored.size(), rebuilt.members.size());
        for (size_t k = 0; k < stored.size(); ++k)
            QCOMPARE(stored[k].rationaleId, rebuilt.members[k].rationaleId);
        QCOMPARE(info->rationales, int64_t(stored.size()));
        QCOMPARE(info->steps.size(), size_t(4));
        QCOMPARE(info->steps[3].step, std::string("per_instance"));
        corpora.rename("date-k3", "date-three");
        QVERIFY(corpora.find("date-three"));
        corpora.remove("date-three");
        QVERIFY(corpora.list().empty());
        QCOMPARE(test::scalar(ws.db(), "SELECT count(*) FROM corpus_rationales"), int64_t(0));
    }

    // Students' rationales (an evaluation's outputs) and human ones never enter a corpus unless the recipe opts in.
    void corporaStartFromTheTeacherUnlessTheRecipeOptsIn()
    {
        const std::string teacherOnly = m_dir.path("teacher-only.cotlab");
        const std::string mixed = m_dir.path("mixed.cotlab");
        test::importDate40(teacherOnly);
        test::importDate40(mixed);
        // 20 student rationales and 5 human ones on the first questions, all right.
        const std::string extra = m_dir.path("others.jsonl");
        {
            std::ofstream out(extra);
            int n = 0;
            for (const auto& j : readLines(test::sharedPath(test::kDate40File))) {
                if (j["sample"] != 0)
                    continue;
                nlohmann::json s = j;
                s["source_kind"] = n < 20 ? "student" : "human";
                s["teacher"] = n < 20 ? "some-student" : "annotator";
                s["sample"] = 0;
                out << s.dump() << "\n";
                if (++n == 25)
                    break;
            }
        }
        {
            store::Workspace ws(mixed);
            ingest::Importer::importFile(ws.db(), extra);
        }
        const Recipe defaults = recipe("[{'step': 'correctness', 'keep': 'correct'},"
                                       "{'step': 'per_instance', 'k': 4, 'by': 'random', 'seed': 0}]");
        QCOMPARE(defaults.sources, std::vector<std::string>{"teacher"});
        store::Workspace a(teacherOnly), b(mixed);
        const auto plain = buildCorpus(a.db(), defaults);
        const auto withOthers = buildCorpus(b.db(), defaults);
        QCOMPARE(withOthers.members.size(), plain.members.size());
        for (size_t k = 0; k < plain.members.size(); ++k)
            QCOMPARE(withOthers.members[k].instanceId, plain.members[k].instanceId);
        QCOMPARE(withOthers.steps.front().rationales, plain.steps.front().rationales); // the store row: teacher only
        // Opting in: the others count from the store row on, and the recipe says so.
        Recipe optedIn = defaults;
        optedIn.sources = {"teacher", "student", "human"};
        const auto all = buildCorpus(b.db(), optedIn);
        QCOMPARE(all.steps.front().rationales, plain.steps.front().rationales + 25);
        const auto written = nlohmann::json::parse(recipeToJson(optedIn));
        QCOMPARE(written["sources"], nlohmann::json({"teacher", "student", "human"}));
        QCOMPARE(recipeFromJson(written.dump()).sources, optedIn.sources);
        QVERIFY_THROWS_EXCEPTION(Error, recipeFromJson("{\"version\": 1, \"sources\": [\"robots\"], \"steps\": []}"));
    }

    // A saved corpus keeps its rationales when the store changes; the drift says by how much; a corpus a run
    // trained on cannot be replaced, renamed or deleted.
    void savedCorporaNeverChangeAndReportDrift()
    {
        const std::string path = m_dir.path("drift.cotlab");
        test::importDate40(path);
        store::Workspace ws(path);
        store::CorpusRepository corpora(ws.db());
        const auto r = recipe("[{'step': 'correctness', 'keep': 'correct'}]");
        const auto saved = buildCorpus(ws.db(), r);
        const int64_t id = corpora.save("correct", recipeToJson(r), saved);
        QVERIFY(!corpus::driftOf(corpora, id, buildCorpus(ws.db(), r)).differs());
        // Three more right teacher rationales for the first question arrive.
        {
            const std::string more = m_dir.path("more.jsonl");
            std::ofstream out(more);
            const auto first = readLines(test::sharedPath(test::kDate40File)).front();
            for (int k = 0; k < 3; ++k) {
                nlohmann::json j = first;
                j["teacher"] = "another-teacher";
                j["sample"] = k;
                out << j.dump() << "\n";
            }
        }
        ingest::Importer::importFile(ws.db(), m_dir.path("more.jsonl"));
        const auto members = corpora.members(id);
        QCOMPARE(members.size(), saved.members.size()); // the saved corpus is as it was
        const auto drift = corpus::driftOf(corpora, id, buildCorpus(ws.db(), r));
        QVERIFY(drift.differs());
        QCOMPARE(drift.saved, int64_t(saved.members.size()));
        QCOMPARE(drift.rebuilt, drift.saved + 3);
        QCOMPARE(drift.added, int64_t(3));
        QCOMPARE(drift.removed, int64_t(0));
        QVERIFY2(drift.describe("correct").find("3 not in the saved corpus") != std::string::npos,
                 drift.describe("correct").c_str());
        // A run that trained on it pins it.
        {
            store::RunRecord run;
            run.name = "r";
            run.status = "finished";
            run.modelPath = "m";
            run.outputDir = m_dir.path("run");
            run.configJson = "{}";
            train::RunRecipe used;
            used.corpus = "correct";
            run.recipeJson = used.toJson();
            store::RunRepository(ws.db()).create(run);
        }
        QCOMPARE(corpora.runsTrainedOn("correct").size(), size_t(1));
        QVERIFY_THROWS_EXCEPTION(Error, corpora.save("correct", recipeToJson(r), saved, true));
        QVERIFY_THROWS_EXCEPTION(Error, corpora.rename("correct", "other"));
        QVERIFY_THROWS_EXCEPTION(Error, corpora.remove("correct"));
        QCOMPARE(corpora.members(id).size(), saved.members.size());
    }

    void likelihoodFromALocalModel()
    {
        // Two questions with four rationales each, scored by the real stories260K after the trainer's prompt.
        store::Workspace ws(m_dir.path("likelihood.cotlab"));
        const std::vector<std::string> texts = {"Once upon a time, there was a little girl named Lily.",
                                                "zq xv qq zz kk vv", "The cat sat. The dog ran. The sun was happy.",
                                                "Lily went to the park and played with her ball."};
        std::string lines;
        for (const char* id : {"q1", "q2"})
            for (size_t k = 0; k < texts.size(); ++k)
                lines += nlohmann::json{{"task", "toy"},
                                        {"id", id},
                                        {"question", std::string("What happened in ") + id + "?"},
                                        {"gold", "yes"},
                                        {"answer_kind", "yes_no"},
                                        {"sample", k},
                                        {"rationale", texts[k] + " So the answer is yes."}}
                             .dump() +
                         "\n";
        ingest::Importer::importFile(ws.db(), test::writeFile(m_dir.path("toy.jsonl"), lines));
        const std::string model = test::sharedPath("models/stories260K/stories260K.bin");
        const std::string tokenizer = test::sharedPath("models/stories260K/tok512.bin");
        const auto built =
            buildCorpus(ws.db(), recipe("[{'step': 'per_instance', 'k': 1, 'by': 'likelihood', 'model': '" + model +
                                        "', 'tokenizer': '" + tokenizer + "'}]"));
        QCOMPARE(built.members.size(), size_t(2));

        // The same scores computed here: the highest mean log-probability per token wins.
        auto loaded = nn::loadModelAndTokenizer(model, tokenizer);
        store::RationaleRepository(ws.db()).forEachInstance(
            std::nullopt, [&](const store::InstanceRecord& in, const std::vector<store::RationaleRecord>& rs) {
                int64_t best = 0;
                double bestScore = -1e300;
                for (const auto& r : rs) {
                    const auto scored = gen::scoreText(*loaded.model, *loaded.tokenizer,
                                                       train::defaultPromptFormat().evaluationPrompt(in), " " + r.text);
                    const double mean = scored.total() / double(scored.logprobs.size());
                    if (mean > bestScore) {
                        bestScore = mean;
                        best = r.id;
                    }
                }
                const auto member = std::find_if(built.members.begin(), built.members.end(),
                                                 [&](const store::CorpusMember& m) { return m.instanceId == in.id; });
                [&] { QVERIFY(member != built.members.end()); }();
                [&] { QCOMPARE(member->rationaleId, best); }();
                return true;
            });
        QVERIFY_THROWS_EXCEPTION(Error, recipe("[{'step': 'per_instance', 'k': 1, 'by': 'random', 'model': 'x'}]"));
    }

    void stopStringsCutRunOnContinuations()
    {
        // PaLM's CommonsenseQA rationales run on into the next few-shot question ("\n\nQ: ...").
        store::Workspace ws(m_dir.path("palm.cotlab"));
        const std::string file = test::sharedPath("data/teacher/palm-few-shot-cot/commonsense_qa.jsonl");
        ingest::Importer::importFile(ws.db(), file);
        int64_t runOn = 0;
        for (const auto& j : readLines(file))
            runOn += j["rationale"].get<std::string>().find("\nQ:") != std::string::npos;
        QVERIFY(runOn > 1000);

        const auto built = buildCorpus(ws.db(), recipe("[{'step': 'clean', 'stop': ['\\nQ:', '\\nA:']}]"));
        QCOMPARE(built.steps[1].rationales, built.steps[0].rationales);
        std::map<int64_t, std::string> stored;
        store::Statement st(ws.db(), "SELECT id, text FROM rationales");
        while (st.step())
            stored[st.int64(0)] = st.string(1);
        for (const auto& m : built.members) {
            const std::string& text = m.text ? *m.text : stored[m.rationaleId];
            QVERIFY2(text.find("\nQ:") == std::string::npos, text.c_str());
            QVERIFY2(text.find("\nA:") == std::string::npos, text.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestCorpus)
#include "TestCorpus.moc"
