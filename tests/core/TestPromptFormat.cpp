// Prompt formats as data (resources/templates, core/train/PromptFormat): what each built-in format makes of a
// question and rationale, on a hand-written instance and on real imported data (Fine-tune-CoT's own CommonsenseQA
// questions as the independent reference for its layout), format files of one's own, and bad files named by field.
#include "answers/AnswerExtractor.h"
#include "ingest/Importer.h"
#include "store/RationaleRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "text/Tokenizer.h"
#include "train/PromptFormat.h"
#include "train/TrainingSet.h"
#include "util/Error.h"
#include "util/Text.h"

#include <QtTest>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

using namespace cotlab;

namespace {

store::InstanceRecord milkQuestion()
{
    store::InstanceRecord i;
    i.extId = "q1";
    i.question = "Where do you keep milk cold?";
    i.choicesJson = R"([{"label": "A", "text": "oven"}, {"label": "B", "text": "fridge"}])";
    i.gold = "B";
    i.answerKind = "choice";
    return i;
}

store::RationaleRecord rationale(const std::string& text, const std::string& answer)
{
    store::RationaleRecord r;
    r.text = text;
    r.answer = answer;
    return r;
}

std::vector<train::Example> examplesOf(const std::string& format, const store::InstanceRecord& i,
                                       const store::RationaleRecord* r)
{
    return train::findPromptFormat(format).examples(i, r);
}

// A format file in a temporary folder.
std::string writeFormat(const test::TempDir& dir, const std::string& name, const nlohmann::json& definition)
{
    const std::string path = dir.path(name);
    std::ofstream(path) << definition.dump(2);
    return path;
}

nlohmann::json minimalFormat()
{
    return {{"name", "mine"},
            {"description", "test"},
            {"source", "a test"},
            {"examples", {{{"prompt", "Q: {{ question }}\nA:"}, {"target", " {{ rationale }}"}}}}};
}

} // namespace

class TestPromptFormat : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void builtInsAreListedWithTheirSources()
    {
        const auto& all = train::builtInPromptFormats();
        std::vector<std::string> names;
        for (const auto& f : all) {
            names.push_back(f.name());
            QVERIFY2(!f.description().empty() && !f.source().empty(), f.name().c_str());
            QVERIFY(f.builtIn());
            QCOMPARE(train::findPromptFormat(f.name()).name(), f.name());
        }
        QCOMPARE(names.front(), std::string("cot")); // the default comes first
        for (const auto* expected : {"label", "socratic", "step-by-step", "scotd", "fine-tune-cot",
                                     "distilling-step-by-step", "answer-first", "chat"})
            QVERIFY2(std::count(names.begin(), names.end(), expected) == 1, expected);
        QCOMPARE(train::defaultPromptFormat().name(), std::string("cot"));
        try {
            train::findPromptFormat("socratic-ish");
            QFAIL("an unknown name was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("fine-tune-cot") != std::string::npos, e.what());
        }
    }

    // The layouts CoTLab trained before formats were data, unchanged, and the papers' own.
    void eachFormatRendersItsLayout()
    {
        auto i = milkQuestion();
        const auto r = rationale("Milk spoils when warm. A fridge keeps food cold.", "B");
        const std::string prompt = "Q: Where do you keep milk cold?\nAnswer Choices: (A) oven (B) fridge\nA:";
        auto cot = examplesOf("cot", i, &r);
        QCOMPARE(cot.size(), size_t(1));
        QCOMPARE(cot[0].prompt, prompt);
        QCOMPARE(cot[0].target, std::string(" Milk spoils when warm. A fridge keeps food cold. So the answer is (B)."));
        QVERIFY(!cot[0].lossOnPrompt);
        const auto stated = rationale("Q1. Where is it cold?\nIn a fridge. So the answer is (B).", "B");
        QCOMPARE(examplesOf("cot", i, &stated)[0].target, " " + stated.text); // already says the answer
        const auto noPeriod = rationale("A fridge keeps food cold", "B");
        QCOMPARE(examplesOf("cot", i, &noPeriod)[0].target,
                 std::string(" A fridge keeps food cold. So the answer is (B)."));
        QCOMPARE(examplesOf("label", i, nullptr)[0].target, std::string(" The answer is (B)."));
        QCOMPARE(examplesOf("label", i, &r).size(), size_t(1)); // one per question, rationale or not
        QVERIFY_THROWS_EXCEPTION(Error, examplesOf("cot", i, nullptr));

        auto scotd = examplesOf("scotd", i, &r);
        QCOMPARE(scotd[0].prompt,
                 std::string("Q: Where do you keep milk cold?\nAnswer Choices: (a) oven (b) fridge\nA:"));
        QCOMPARE(scotd[0].target,
                 std::string(" Milk spoils when warm. A fridge keeps food cold. So the answer is: (b)"));

        auto ftcot = examplesOf("fine-tune-cot", i, &r);
        QCOMPARE(ftcot[0].prompt,
                 std::string("Where do you keep milk cold? Answer choices: (A) oven, (B) fridge. ###"));
        QCOMPARE(ftcot[0].target, std::string(" Milk spoils when warm. A fridge keeps food cold. --> B END"));

        auto dss = examplesOf("distilling-step-by-step", i, &r);
        QCOMPARE(dss.size(), size_t(2));
        QCOMPARE(dss[0].prompt, "predict: " + prompt);
        QCOMPARE(dss[0].target, std::string(" (B)"));
        QCOMPARE(dss[1].prompt, "explain: " + prompt);
        QCOMPARE(dss[1].target, std::string(" Milk spoils when warm. A fridge keeps food cold."));
        QCOMPARE(train::findPromptFormat("distilling-step-by-step").evaluationPrompt(i), "predict: " + prompt);

        QCOMPARE(examplesOf("answer-first", i, &r)[0].target,
                 std::string(" The answer is (B). Explanation: Milk spoils when warm. A fridge keeps food cold."));

        // Socratic: sub-questions and their answers, numbered; a rationale without them gives no example.
        auto dated = rationale("Q1. What is the date of yesterday?\nYesterday was 04/30/2021.\nFinal Answer: What is "
                               "the date today?\nToday is one day after yesterday,\nwhich is 05/01/2021. So the answer "
                               "is 05/01/2021.",
                               "05/01/2021");
        i.choicesJson.reset();
        i.answerKind = "text";
        i.gold = "05/01/2021";
        QVERIFY(train::hasSubQuestions(dated.text));
        auto socratic = examplesOf("socratic", i, &dated);
        QCOMPARE(socratic.size(), size_t(1));
        QCOMPARE(socratic[0].target,
                 std::string(" Sub-question 1: What is the date of yesterday? Sub-answer 1: Yesterday was 04/30/2021. "
                             "Sub-question 2: What is the date today? Sub-answer 2: Today is one day after yesterday, "
                             "which is 05/01/2021. So the answer is 05/01/2021."));
        dated.text = "Q1. How many days?\nTwo days";
        QCOMPARE(examplesOf("socratic", i, &dated)[0].target,
                 std::string(" Sub-question 1: How many days? Sub-answer 1: Two days. So the answer is 05/01/2021."));
        QVERIFY(!train::hasSubQuestions(r.text));
        QVERIFY(examplesOf("socratic", i, &r).empty());
        QCOMPARE(train::findPromptFormat("socratic").evaluationPrompt(i), std::string("Q: " + i.question + "\nA:"));

        // CoTLab's step-by-step: the answer and the rationale as two tasks, told apart by a prefix.
        i.gold = "fridge";
        const auto fridge = rationale("Milk spoils when warm. A fridge keeps food cold.", "fridge");
        const auto both = examplesOf("step-by-step", i, &fridge);
        QCOMPARE(both.size(), size_t(2));
        const std::string textPrompt = "Q: Where do you keep milk cold?\nA:";
        QCOMPARE(both[0].prompt, "[label] " + textPrompt);
        QCOMPARE(both[0].target, std::string(" The answer is fridge."));
        QCOMPARE(both[1].prompt, "[rationale] " + textPrompt);
        QCOMPARE(both[1].target,
                 std::string(" Milk spoils when warm. A fridge keeps food cold. So the answer is fridge."));
        QCOMPARE(train::findPromptFormat("step-by-step").evaluationPrompt(i), "[label] " + textPrompt);
    }

    // Fine-tune-CoT's CommonsenseQA file writes each question with its choices inline ("... Answer choices: (A)
    // ignore, (B) enforce, ..."): the fine-tune-cot format rebuilds exactly that from CoTLab's stored question and
    // choices (imported from the official CommonsenseQA file), then adds the prompt suffix " ###".
    void fineTuneCotPromptsMatchItsOwnDataset()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        ingest::Importer::importFile(ws.db(), test::sharedPath("data/commonsense_qa_official/dev_rand_split.jsonl"));
        std::map<std::string, std::string> theirs; // stem -> their full question
        std::ifstream in(test::sharedPath("data/datasets/commonsense_qa.json"));
        for (const auto& q : nlohmann::json::parse(in)) {
            const std::string full = q.at("question");
            theirs[full.substr(0, full.find(" Answer choices:"))] = full;
        }
        const auto format = train::findPromptFormat("fine-tune-cot");
        int compared = 0;
        std::string mismatch;
        store::RationaleRepository(ws.db()).forEachInstance(
            std::nullopt, [&](const store::InstanceRecord& i, const std::vector<store::RationaleRecord>&) {
                const auto it = theirs.find(i.question);
                if (it != theirs.end()) {
                    if (const std::string ours = format.evaluationPrompt(i); ours != it->second + " ###")
                        mismatch = "ours:   " + ours + "\ntheirs: " + it->second;
                    ++compared;
                }
                return mismatch.empty();
            });
        qInfo("compared %d CommonsenseQA dev questions with Fine-tune-CoT's", compared);
        QVERIFY2(mismatch.empty(), mismatch.c_str());
        QVERIFY2(compared > 1000, qPrintable(QString::number(compared)));
    }

    // Every built-in format on real teacher data: PaLM's CommonsenseQA rationales (choices), code-davinci-002's
    // least-to-most date rationales (sub-questions, text answers) and text-davinci-002's MultiArith (numbers).
    void everyFormatMakesExamplesOfRealRationales()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        for (const char* file : {"data/teacher/palm-few-shot-cot/commonsense_qa.jsonl",
                                 "data/teacher/codex-least-to-most-40x/date_mmddyyyy.jsonl",
                                 "data/teacher/zero-shot-cot-davinci002/multiarith.jsonl"})
            ingest::Importer::importFile(ws.db(), test::sharedPath(file));
        std::map<std::string, std::pair<store::InstanceRecord, store::RationaleRecord>> firstOfTask;
        store::RationaleRepository(ws.db()).forEachInstance(
            std::nullopt, [&](const store::InstanceRecord& i, const std::vector<store::RationaleRecord>& rs) {
                for (const auto& r : rs)
                    if (r.correct.value_or(0) == 1 && !firstOfTask.count(i.task))
                        firstOfTask.emplace(i.task, std::make_pair(i, r));
                return true;
            });
        QCOMPARE(firstOfTask.size(), size_t(3));
        for (const auto& [task, pair] : firstOfTask) {
            const auto& [instance, r] = pair;
            const std::string rationaleText(text::trim(r.text));
            for (const auto& format : train::builtInPromptFormats()) {
                const auto examples = format.examples(instance, &r);
                const bool socraticSkips = format.name() == "socratic" && !train::hasSubQuestions(r.text);
                QVERIFY2(socraticSkips != !examples.empty(), (task + " " + format.name()).c_str());
                for (const auto& e : examples) {
                    QVERIFY2(e.prompt.find(instance.question) != std::string::npos,
                             (task + " " + format.name()).c_str());
                    // A completion continues its prompt after a space; a chat message stands alone.
                    QVERIFY(!e.target.empty() && (e.target.front() == ' ') != format.usesChatTemplate());
                    QCOMPARE(e.chat, format.usesChatTemplate());
                }
                // The rationale's words are in the target wherever the format trains on rationales.
                if (format.usesRationales() && format.name() != "socratic" && !examples.empty())
                    QVERIFY2(examples.back().target.find(rationaleText) != std::string::npos,
                             (task + " " + format.name()).c_str());
                const std::string eval = format.evaluationPrompt(instance);
                QVERIFY2(eval.find(instance.question) != std::string::npos, (task + " " + format.name()).c_str());
            }
        }
        const auto& [date, dateRationale] = firstOfTask.at("date_mmddyyyy");
        QVERIFY(train::hasSubQuestions(dateRationale.text));
        QVERIFY(train::findPromptFormat("socratic")
                    .examples(date, &dateRationale)[0]
                    .target.starts_with(" Sub-question 1: "));
        // A MultiArith number in Fine-tune-CoT's layout, and read back as its evaluation reads a student's answer.
        const auto& [arith, arithRationale] = firstOfTask.at("multiarith");
        const auto ftcot = train::findPromptFormat("fine-tune-cot");
        const std::string target = ftcot.examples(arith, &arithRationale)[0].target;
        QVERIFY2(target.ends_with(" --> " + arith.gold + " END"), target.c_str());
        const std::string generated = target.substr(0, target.size() - 4); // generation stops at "END"
        const answers::AnswerExtractor numbers(answers::AnswerKind::Number);
        QCOMPARE(numbers.extract(generated, ftcot.answerSentence(generated)), arith.gold);
        QCOMPARE(ftcot.stopStrings(), std::vector<std::string>{"END"});
    }

    // A format file of one's own: the same shape as a built-in, found by path, recorded definition preferred.
    void aFormatFileOfOnesOwn()
    {
        test::TempDir dir;
        auto definition = minimalFormat();
        definition["loss"] = "prompt and target";
        definition["examples"][0]["when"] = "sub_questions";
        definition["evaluation"] = {{"stop", {"\n"}}, {"answer_after", "=>"}, {"max_new_tokens", 32}};
        const std::string path = writeFormat(dir, "mine.json", definition);
        const auto f = train::findPromptFormat(path);
        QCOMPARE(f.name(), std::string("mine"));
        QCOMPARE(f.title(), std::string("mine")); // no title: the name
        QCOMPARE(f.origin(), path);
        QVERIFY(!f.builtIn());
        QCOMPARE(f.maxNewTokens(), int64_t(32));
        QCOMPARE(f.stopStrings(), std::vector<std::string>{"\n"});
        QCOMPARE(f.answerSentence("so => 12"), std::string(" 12"));
        QCOMPARE(f.answerSentence("no marker"), std::string());
        const auto i = milkQuestion();
        const auto plain = rationale("Fridges are cold.", "B");
        QVERIFY(f.examples(i, &plain).empty()); // "when": sub_questions
        const auto socratic = rationale("Q1. Which is cold?\nThe fridge.", "B");
        const auto e = f.examples(i, &socratic);
        QCOMPARE(e.size(), size_t(1));
        QVERIFY(e[0].lossOnPrompt);
        QCOMPARE(e[0].prompt, std::string("Q: Where do you keep milk cold?\nA:"));

        // A run records the definition: the format comes back from it even when the file changed or went.
        const auto recorded = train::recordedPromptFormat("mine", f.definition());
        QCOMPARE(recorded.examples(i, &socratic)[0].target, e[0].target);
        std::filesystem::remove(path);
        QCOMPARE(train::recordedPromptFormat("mine", f.definition()).name(), std::string("mine"));
        QCOMPARE(train::recordedPromptFormat("label", "").name(),
                 std::string("label")); // runs before formats were data
        QCOMPARE(train::recordedPromptFormat("", "").name(), std::string("cot"));
    }

    // Loss on the prompt too: every token but the BOS counts; the default counts the target only.
    void lossOnThePromptCountsEveryTokenButTheBos()
    {
        COTLAB_REQUIRE_SHARED();
        const auto tokenizer = text::loadTokenizer(test::sharedPath("models/stories260K/tok512.bin"), 512);
        const train::Example targetOnly{"Q: Where is it?\nA:", " In the box.", false};
        train::Example both = targetOnly;
        both.lossOnPrompt = true;
        const auto set = train::TrainingSet::build({targetOnly, both}, *tokenizer, 512);
        const auto& a = set.examples()[0];
        const auto& b = set.examples()[1];
        QCOMPARE(a.ids, b.ids);
        QCOMPARE(a.ids.front(), tokenizer->bosId());
        QCOMPARE(a.promptLength, int32_t(tokenizer->encode(targetOnly.prompt).size()));
        QCOMPARE(b.promptLength, int32_t(1));
    }

    void badFormatFilesAreNamedByField_data()
    {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not JSON") << "not json"
                                  << "not valid JSON";
        QTest::newRow("unknown field") << R"({"promt": "x"})"
                                       << "promt: unknown field";
        QTest::newRow("no name") << R"({"name": null})"
                                 << "name: expected a string";
        QTest::newRow("bad name") << R"({"name": "My Format"})"
                                  << "must be lower-case";
        QTest::newRow("no examples") << R"({"examples": []})"
                                     << "examples: expected a list";
        QTest::newRow("example not object") << R"({"examples": ["x"]})"
                                            << "examples[0]: expected a JSON object";
        QTest::newRow("bad jinja") << R"({"examples": [{"prompt": "{% if x %}", "target": "t"}]})"
                                   << "examples[0].prompt: not a valid Jinja template";
        QTest::newRow("unknown variable") << R"({"examples": [{"prompt": "p", "target": "{{ ratoinale.x }}"}]})"
                                          << "examples[0].target";
        QTest::newRow("bad when") << R"({"examples": [{"prompt": "p", "target": "t", "when": "subs"}]})"
                                  << "examples[0].when: 'subs' is not a variable";
        QTest::newRow("bad loss") << R"({"loss": "all"})"
                                  << "loss: 'all'";
        QTest::newRow("bad stop") << R"({"evaluation": {"stop": [""]}})"
                                  << "evaluation.stop";
        QTest::newRow("bad tokens") << R"({"evaluation": {"max_new_tokens": -1}})"
                                    << "evaluation.max_new_tokens";
        QTest::newRow("bad evaluation field") << R"({"evaluation": {"prompts": "x"}})"
                                              << "evaluation.prompts: unknown field";
    }

    void badFormatFilesAreNamedByField()
    {
        QFETCH(QString, mutation);
        QFETCH(QString, expected);
        std::string text;
        auto patch = nlohmann::json::parse(mutation.toStdString(), nullptr, false);
        if (patch.is_discarded()) {
            text = mutation.toStdString();
        } else {
            auto definition = minimalFormat();
            definition.merge_patch(patch);
            if (patch.contains("name") && patch["name"].is_null())
                definition["name"] = nullptr; // merge_patch removes nulls: keep one to test the type check
            text = definition.dump();
        }
        test::TempDir dir;
        const std::string path = dir.path("bad.json");
        std::ofstream(path) << text;
        try {
            train::PromptFormat::fromFile(path);
            QFAIL("a bad format file was accepted");
        } catch (const Error& e) {
            const std::string message = e.what();
            QVERIFY2(message.find(path) == 0, message.c_str());
            QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
        }
        QVERIFY_THROWS_EXCEPTION(Error, train::PromptFormat::fromFile(dir.path("missing.json")));
    }
};

QTEST_APPLESS_MAIN(TestPromptFormat)
#include "TestPromptFormat.moc"
