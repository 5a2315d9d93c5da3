// Teacher outputs in the formats they are published in: the thinking and answer parts of a rationale
// (text/ReasoningParts.h), conversation JSONL (OpenAI messages with reasoning_content, ShareGPT conversations),
// OpenAI Batch API output joined to stored questions by custom_id; answers read from the answer part, the full-text
// index's thinking and answer columns, and the interchange round trip.
#include "answers/AnswerExtractor.h"
#include "ingest/ChatImporter.h"
#include "ingest/FieldMapping.h"
#include "ingest/Importer.h"
#include "ingest/InterchangeExporter.h"
#include "store/Database.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "text/ReasoningParts.h"
#include "util/Error.h"
#include "util/Text.h"

#include <QtTest>
#include <fstream>

using namespace cotlab;

using test::scalar;
// The query's text as a QString, so that a failed comparison shows both values.
QString textOf(cotlab::store::Database& db, const std::string& sql)
{
    return QString::fromStdString(test::textOf(db, sql));
}
using text::ReasoningMarkers;

namespace {

std::string parts(std::string_view text)
{
    const auto p = text::splitReasoning(text);
    return std::string(text::toString(p.markers)) + "|" + std::string(p.thinking) + "|" + std::string(p.answer);
}

void writeFile(const std::string& path, const std::string& content)
{
    std::ofstream(path, std::ios::binary) << content;
}

int64_t count(store::Database& db, const std::string& ftsQuery)
{
    return scalar(db, "SELECT count(*) FROM rationale_fts WHERE rationale_fts MATCH '" + ftsQuery + "'");
}

} // namespace

class TestTraceImport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void splitsEveryMarkerStyle()
    {
        // DeepSeek-R1 / QwQ / Qwen3.
        QCOMPARE(parts("<think>\nLet me add.\n</think>\n\nThe answer is 4."),
                 std::string("think|Let me add.|The answer is 4."));
        // An R1-distilled student whose chat template opened the <think>: only the close is written.
        QCOMPARE(parts("Let me add.\n</think>\n\n**4**"), std::string("think|Let me add.|**4**"));
        // Cut off while thinking: no answer part.
        QCOMPARE(parts("<think>\nLet me add 2 and"), std::string("think|Let me add 2 and|"));
        // Qwen3's non-thinking mode writes an empty think block.
        QCOMPARE(parts("<think>\n\n</think>\n\n4"), std::string("think||4"));
        // Bespoke-Stratos / OpenThoughts / Sky-T1.
        QCOMPARE(parts("<|begin_of_thought|>\n\nHmm.\n\n<|end_of_thought|>\n\n<|begin_of_solution|>\n\nIt is 4."
                       "\n\n<|end_of_solution|>"),
                 std::string("thought|Hmm.|It is 4."));
        QCOMPARE(parts("<|begin_of_thought|>Hmm.<|begin_of_solution|>4"), std::string("thought|Hmm.|4"));
        // s1 / s1K.
        QCOMPARE(parts("<|im_start|>think\nWait, 2+2.\n<|im_start|>answer\nAnswer: 4<|im_end|>"),
                 std::string("s1|Wait, 2+2.|Answer: 4"));
        // No markers: all answer; a stray '<' is no marker.
        QCOMPARE(parts("  2 < 3, so the answer is (A).\n"), std::string("none||2 < 3, so the answer is (A)."));
        // The separate fields of an API response, joined, split back to the same two parts.
        const std::string joined = text::joinReasoning("  First, 2+2.\n", "It is 4.");
        QCOMPARE(joined, std::string("<think>\nFirst, 2+2.\n</think>\n\nIt is 4."));
        QCOMPARE(parts(joined), std::string("think|First, 2+2.|It is 4."));
        QCOMPARE(text::joinReasoning("", "It is 4."), std::string("It is 4."));
        // The index's columns: no thinking column without markers, and then the text as it is.
        QVERIFY(!text::searchColumns(" plain ").thinking);
        QCOMPARE(std::string(text::searchColumns(" plain ").answer), std::string(" plain "));
    }

    void readsTheFinalBoxedAnswer()
    {
        const answers::AnswerExtractor number(answers::AnswerKind::Number, {});
        QCOMPARE(number.extract("So x = 3, and the total is \\boxed{\\$1,200}."), std::string("1200"));
        QCOMPARE(number.extract("\\boxed{5} at first, but then \\boxed{7}"), std::string("7"));
        const answers::AnswerExtractor choice(answers::AnswerKind::Choice, {{"A", "red"}, {"B", "blue"}});
        QCOMPARE(choice.extract("Both could be. The answer is (A)... no: \\boxed{B}"), std::string("B"));
        const answers::AnswerExtractor free(answers::AnswerKind::Text, {});
        QCOMPARE(free.extract("Thus \\boxed{\\frac{1}{2}}."), std::string("\\frac{1}{2}"));
    }

    void importsShareGptConversations()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        const std::string path = test::testDataPath("traces/openthoughts_sharegpt.jsonl");
        QVERIFY(ingest::Importer::detectFormat(path) == ingest::ImportFormat::Chat);
        ingest::ImportOptions options;
        options.teacher = "DeepSeek-R1";
        const auto report = ingest::Importer::importFile(db, path, options);
        QCOMPARE(report.format, std::string("chat"));
        QCOMPARE(report.instancesAdded, int64_t(3));
        QCOMPARE(report.rationalesAdded, int64_t(3));
        // The task is the file's name; the question the user turn (human or user); ids from the question's text.
        QCOMPARE(textOf(db, "SELECT group_concat(DISTINCT name) FROM tasks"), QString("openthoughts_sharegpt"));
        QVERIFY(textOf(db, "SELECT question FROM instances ORDER BY id LIMIT 1")
                    .startsWith("Return your final response within \\boxed{}. Janet’s ducks lay 16 eggs"));
        const std::string firstQuestion =
            textOf(db, "SELECT question FROM instances ORDER BY id LIMIT 1").toStdString();
        QCOMPARE(textOf(db, "SELECT ext_id FROM instances ORDER BY id LIMIT 1"),
                 QString::fromStdString(ingest::questionId(firstQuestion)));
        QCOMPARE(scalar(db, "SELECT count(*) FROM instances WHERE split = 'train' AND gold = ''"), int64_t(3));
        // The rationale is stored as written; the model from the option, the system prompt as its prompt.
        QVERIFY(textOf(db, "SELECT text FROM rationales ORDER BY id LIMIT 1").startsWith("<|begin_of_thought|>"));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE model = 'DeepSeek-R1' AND prompt LIKE 'Your role%'"),
                 int64_t(3));
        QCOMPARE(textOf(db, "SELECT meta FROM rationales WHERE meta IS NOT NULL"), QString(R"({"domain":"math"})"));
        // Answers read from \boxed{} in the answer part; no gold, so no verdict.
        QCOMPARE(textOf(db, "SELECT group_concat(answer, ',') FROM (SELECT answer FROM rationales ORDER BY id)"),
                 QString("18,3,70000"));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE correct IS NULL"), int64_t(3));
        // The index: "wait" is only in the first trace's thinking; "sells" only in its answer part.
        QCOMPARE(count(db, "wait"), int64_t(1));
        QCOMPARE(count(db, "thinking: wait"), int64_t(1));
        QCOMPARE(count(db, "answer: wait"), int64_t(0));
        QCOMPARE(count(db, "answer: sells"), int64_t(1));
        QCOMPARE(count(db, "thinking: sells"), int64_t(0));
        // Markers are not words of either part.
        QCOMPARE(count(db, "begin_of_thought"), int64_t(0));
        db.exec("INSERT INTO rationale_fts (rationale_fts) VALUES ('integrity-check')"); // throws if not
        // Importing the file again adds nothing.
        const auto again = ingest::Importer::importFile(db, path, options);
        QCOMPARE(again.rationalesAdded, int64_t(0));
        QCOMPARE(again.rationalesAlreadyStored, int64_t(3));
    }

    void importsSavedRequestsAndResponses()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        const std::string path = test::testDataPath("traces/saved_responses.jsonl");
        QVERIFY(ingest::Importer::detectFormat(path) == ingest::ImportFormat::Chat);
        ingest::ImportOptions options;
        options.task = "gsm8k";
        options.split = "test";
        const auto report = ingest::Importer::importFile(db, path, options);
        QCOMPARE(report.instancesAdded, int64_t(2));
        QCOMPARE(report.rationalesAdded, int64_t(3));
        // The request's user turn is the question; every choice a sample, reasoning_content its thinking, the
        // request's system prompt its prompt and its temperature the rationale's.
        QVERIFY(textOf(db, "SELECT question FROM instances WHERE ext_id = 'gsm8k-0'").startsWith("Janet’s ducks"));
        QCOMPARE(textOf(db, "SELECT group_concat(sample_index || ':' || answer || ':' || correct, ',') FROM (SELECT * "
                            "FROM rationales WHERE model = 'deepseek-reasoner' AND temperature = 0.6 AND prompt = "
                            "'Put the final answer in \\boxed{}.' ORDER BY sample_index)"),
                 QString("0:18:1,1:26:0"));
        QCOMPARE(count(db, "thinking: 26"), int64_t(1));
        // A completions request: its prompt is the question.
        QCOMPARE(textOf(db, "SELECT i.question || '|' || r.model || '|' || r.temperature || '|' || r.answer || '|' || "
                            "r.correct FROM rationales r JOIN instances i ON i.id = r.instance_id WHERE i.ext_id = "
                            "'gsm8k-1'"),
                 QString("Q: A robe takes 2 bolts of blue fiber and half that much white fiber.  How many bolts in "
                         "total does it take?\nA: Let's think step by step.|gpt-3.5-turbo-instruct|0.7|3|1"));

        // Malformed exchanges name line and field; nothing is stored.
        struct Case {
            std::string line;
            std::string message;
        };
        const std::string chat = R"("response": {"choices": [{"message": {"content": "4"}}]})";
        const std::vector<Case> cases = {
            {R"({"request": {"model": "m"}, )" + chat + "}",
             "field 'request' has neither 'messages' nor a 'prompt' string: no question"},
            {R"({"request": {"prompt": "2+2?"}, "response": {"choices": []}})",
             "field 'response.choices' is empty: no completion"},
            {R"({"request": {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}, )" +
                 chat + "}",
             "the conversation has more than one user turn (turn 1); CoTLab imports one question and its answer per "
             "line"},
            {R"({"request": {"prompt": "2+2?"}, "response": {"choices": [{"message": {"content": 4}}]}})",
             "in 'response': field 'choices[0].message.content' must be a string or null, not a number"},
        };
        int k = 0;
        for (const Case& c : cases) {
            const std::string bad = dir.path("saved" + std::to_string(k++) + ".jsonl");
            writeFile(bad, c.line + "\n");
            try {
                ingest::Importer::importFile(db, bad, options);
                QFAIL(qPrintable(QString::fromStdString("imported: " + c.line)));
            } catch (const Error& e) {
                QCOMPARE(QString::fromStdString(e.what()), QString::fromStdString(bad + ":1: " + c.message));
            }
        }
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales"), int64_t(3));
    }

    void importsMessagesWithReasoningContent()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        ingest::ImportOptions options;
        options.task = "gsm8k";
        options.split = "test";
        const auto report = ingest::Importer::importFile(db, test::testDataPath("traces/r1_messages.jsonl"), options);
        QCOMPARE(report.instancesAdded, int64_t(3));
        QCOMPARE(report.rationalesAdded, int64_t(3));
        QCOMPARE(textOf(db, "SELECT group_concat(ext_id || ':' || gold || ':' || split) FROM (SELECT * FROM instances "
                            "ORDER BY id)"),
                 QString("gsm8k-3:540:test,gsm8k-4:20:test,gsm8k-5:64:test"));
        QCOMPARE(textOf(db, "SELECT group_concat(model) FROM (SELECT model FROM rationales ORDER BY id)"),
                 QString("deepseek-reasoner,DeepSeek-R1-Distill-Qwen-7B,deepseek-reasoner"));
        // reasoning_content is kept as the thinking, before the content.
        const std::string joined = test::textOf(db, "SELECT r.text FROM rationales r JOIN instances i ON "
                                                    "i.id = r.instance_id WHERE i.ext_id = 'gsm8k-3'");
        const auto split = text::splitReasoning(joined);
        QVERIFY(split.markers == ReasoningMarkers::Think);
        QVERIFY(std::string(split.thinking).starts_with("James runs 3 sprints"));
        QCOMPARE(std::string(split.answer), std::string("He runs 3 * 3 = 9 sprints of 60 meters: 540 meters a week."));
        // The thinking says "the answer is 180"; the answer part says 540, and is where the answer is read.
        const answers::AnswerExtractor number(answers::AnswerKind::Number, {});
        QCOMPARE(number.extract(joined), std::string("180"));
        QCOMPARE(textOf(db, "SELECT r.answer || '/' || r.correct FROM rationales r JOIN instances i ON "
                            "i.id = r.instance_id WHERE i.ext_id = 'gsm8k-3'"),
                 QString("540/1"));
        // An R1-distilled student's output: its thinking boxes 40, its answer 20.
        QCOMPARE(textOf(db, "SELECT r.answer || '/' || r.correct || '/' || r.prompt FROM rationales r JOIN instances "
                            "i ON i.id = r.instance_id WHERE i.ext_id = 'gsm8k-4'"),
                 QString("20/1/Please reason step by step, and put your final answer within \\boxed{}."));
        // A trace cut off while thinking has no answer.
        QCOMPARE(textOf(db, "SELECT coalesce(r.answer, '') || '/' || r.correct FROM rationales r JOIN instances i ON "
                            "i.id = r.instance_id WHERE i.ext_id = 'gsm8k-5'"),
                 QString("/0"));
        QCOMPARE(count(db, "thinking: session"), int64_t(1));
        QCOMPARE(count(db, "answer: session"), int64_t(0));
    }

    void roundTripsThroughTheInterchangeFormat()
    {
        test::TempDir dir;
        store::Workspace first(dir.path("a.cotlab"));
        for (const char* file : {"traces/openthoughts_sharegpt.jsonl", "traces/r1_messages.jsonl"})
            ingest::Importer::importFile(first.db(), test::testDataPath(file));
        const std::string exported = dir.path("traces.jsonl");
        QCOMPARE(ingest::InterchangeExporter::exportJsonl(first.db(), exported).rationales, int64_t(6));
        store::Workspace second(dir.path("b.cotlab"));
        ingest::Importer::importFile(second.db(), exported);
        const std::string rows =
            "SELECT group_concat(t.name || i.ext_id || i.question || i.gold || r.model || r.text || "
            "coalesce(r.answer, '') || coalesce(r.correct, 'null') || coalesce(r.prompt, '') || "
            "coalesce(r.meta, ''), '\x1e') FROM (SELECT * FROM rationales ORDER BY id) r "
            "JOIN instances i ON i.id = r.instance_id JOIN tasks t ON t.id = i.task_id";
        QCOMPARE(textOf(second.db(), rows), textOf(first.db(), rows));
        QCOMPARE(count(second.db(), "thinking: wait"), count(first.db(), "thinking: wait"));
        QCOMPARE(count(second.db(), "answer: sells"), int64_t(1));
        // correct is left out of the export where there is no gold to judge by.
        std::ifstream in(exported);
        std::string line;
        int withoutVerdict = 0;
        while (std::getline(in, line))
            withoutVerdict += line.find("\"correct\"") == std::string::npos;
        QCOMPARE(withoutVerdict, 3);
    }

    void importsOpenAiBatchOutputJoinedByCustomId()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        const std::string chatFile = test::testDataPath("traces/openai_batch_chat.jsonl");
        QVERIFY(ingest::Importer::detectFormat(chatFile) == ingest::ImportFormat::OpenAiBatch);
        // The batch holds no questions: before the benchmark is imported, its custom ids name nothing.
        try {
            ingest::Importer::importFile(db, chatFile);
            QFAIL("a batch output was imported without its questions");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.what()),
                     QString::fromStdString(chatFile + ":1: (gsm8k, gsm8k-0) is not in the workspace: this format "
                                                       "holds no questions, so import the questions first (their "
                                                       "benchmark file), under the task and ids this file names "
                                                       "them by"));
        }
        QCOMPARE(scalar(db, "SELECT count(*) FROM tasks"), int64_t(0));
        ingest::Importer::importFile(db, test::sharedPath("data/datasets/gsm8k_test_only.json"));

        // Two successful requests (2 samples + 1), an expired one and an HTTP 400: the valid ones are imported, the
        // failed ones listed, even importing all or nothing.
        auto report = ingest::Importer::importFile(db, chatFile);
        QCOMPARE(report.format, std::string("openai_batch"));
        QCOMPARE(report.rationalesAdded, int64_t(3));
        QCOMPARE(report.instancesAdded, int64_t(0));
        QCOMPARE(report.refusedCount, int64_t(2));
        QCOMPARE(report.refused[0].where, chatFile + ":3");
        QCOMPARE(report.refused[0].reason,
                 std::string("request 'gsm8k/gsm8k-2' failed: batch_expired: This request could not be executed "
                             "before the completion window expired."));
        QCOMPARE(report.refused[1].reason,
                 std::string("request 'gsm8k/gsm8k-3' failed with HTTP 400: context_length_exceeded: This model's "
                             "maximum context length is 128000 tokens."));
        const std::string ofInstance = "SELECT group_concat(x, ' | ') FROM (SELECT r.model || ',' || r.sample_index || "
                                       "',' || r.answer || ',' || r.correct || ',' || coalesce(r.logprob, '-') || ',' "
                                       "|| coalesce(r.token_count, '-') AS x FROM rationales r JOIN instances i ON "
                                       "i.id = r.instance_id WHERE r.source_kind = 'teacher' AND i.ext_id = '";
        // Samples of one request numbered in order; answers judged against the stored gold (18); logprobs summed.
        QCOMPARE(textOf(db, ofInstance + "gsm8k-0' ORDER BY r.sample_index)"),
                 QString("gpt-4o-mini-2024-07-18,0,18,1,-1.0,3 | gpt-4o-mini-2024-07-18,1,20,0,-3.0,2"));
        // A reasoning server's reasoning_content is the thinking; the single choice's tokens are the usage's.
        QCOMPARE(textOf(db, ofInstance + "gsm8k-1')"), QString("deepseek-reasoner,0,3,1,-,31"));
        QCOMPARE(textOf(db, "SELECT r.text FROM rationales r JOIN instances i ON i.id = r.instance_id WHERE i.ext_id = "
                            "'gsm8k-1' AND r.model = 'deepseek-reasoner'"),
                 QString("<think>\nHalf of 2 is 1, so 2 + 1 = 3 bolts.\n</think>\n\nIt takes 2 + 1 = 3 bolts."));
        QCOMPARE(textOf(db, "SELECT r.meta FROM rationales r JOIN instances i ON i.id = r.instance_id WHERE i.ext_id = "
                            "'gsm8k-1' AND r.model = 'deepseek-reasoner'"),
                 QString(R"({"custom_id":"gsm8k/gsm8k-1"})"));

        // Completions, the task given (custom ids are bare instance ids); a choice cut off by max_tokens says so.
        ingest::ImportOptions options;
        options.task = "gsm8k";
        const std::string completions = test::testDataPath("traces/openai_batch_completions.jsonl");
        report = ingest::Importer::importFile(db, completions, options);
        QCOMPARE(report.rationalesAdded, int64_t(2));
        QCOMPARE(textOf(db, ofInstance + "gsm8k-4' ORDER BY r.sample_index)"),
                 QString("gpt-3.5-turbo-instruct,0,20,1,-0.875,3 | gpt-3.5-turbo-instruct,1,20,1,-1.75,3"));
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales WHERE meta LIKE '%\"finish_reason\":\"length\"%'"),
                 int64_t(1));
        // Without the task, a bare custom id is refused with the way to fix it, by line.
        try {
            ingest::Importer::importFile(db, completions);
            QFAIL("a bare custom id was accepted without a task");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).starts_with(completions + ":1: custom_id 'gsm8k-4' names no task"),
                     e.what());
        }
        // Importing the same output again adds nothing.
        QCOMPARE(ingest::Importer::importFile(db, chatFile).rationalesAdded, int64_t(0));
    }

    void refusesMalformedBatchLinesByLine()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        ingest::Importer::importFile(db, test::sharedPath("data/datasets/gsm8k_test_only.json"));
        const int64_t before = scalar(db, "SELECT count(*) FROM rationales");
        const std::string good =
            R"({"custom_id": "gsm8k/gsm8k-0", "response": {"status_code": 200, "body": {"model": "m", "choices": )"
            R"([{"index": 0, "message": {"role": "assistant", "content": "The answer is 18."}}]}}, "error": null})";
        struct Case {
            std::string line, reason;
        } cases[] = {
            {R"({"custom_id": 7, "response": {}})", "field 'custom_id' is missing or not a non-empty string"},
            {R"({"custom_id": "gsm8k/gsm8k-1", "response": {"status_code": 200, "body": {"choices": {}}}})",
             "in 'response.body': the response body has no 'choices' list"},
            {R"({"custom_id": "gsm8k/gsm8k-1", "response": {"status_code": 200, "body": {"choices": [{"message": )"
             R"({"content": 5}}]}}})",
             "in 'response.body': field 'choices[0].message.content' must be a string or null, not a number"},
            {R"({"custom_id": "gsm8k/gsm8k-1", "response": {"status_code": 200, "body": {"choices": [{"text": "x", )"
             R"("logprobs": {"token_logprobs": [-1, "a"]}}]}}})",
             "in 'response.body': field 'choices[0].logprobs.token_logprobs[1]' must be a number, not a string"},
            {R"({"custom_id": "gsm8k/gsm8k-1", "response": {"status_code": "200", "body": {}}})",
             "field 'response.status_code' must be an integer, not a string"},
            {R"({"custom_id": "gsm8k/gsm8k-1", "response": {"status_code": 200, "body": {"choices": []}}})",
             "field 'response.body.choices' is empty: no completion"},
            {R"({"custom_id": "nowhere/1", "response": {"status_code": 200, "body": {"choices": [{"text": "x"}]}}})",
             "(nowhere, 1) is not in the workspace: this format holds no questions, so import the questions first "
             "(their benchmark file), under the task and ids this file names them by"},
        };
        int k = 0;
        for (const Case& c : cases) {
            const std::string path = dir.path("batch" + std::to_string(k++) + ".jsonl");
            writeFile(path, good + "\n" + good + "\n" + c.line + "\n");
            try {
                ingest::ImportOptions options;
                options.format = ingest::ImportFormat::OpenAiBatch;
                ingest::Importer::importFile(db, path, options);
                QFAIL(("accepted: " + c.line).c_str());
            } catch (const Error& e) {
                QCOMPARE(QString::fromStdString(e.what()), QString::fromStdString(path + ":3: " + c.reason));
            }
            QCOMPARE(scalar(db, "SELECT count(*) FROM rationales"), before);
        }
    }

    void importsAnyShapeThroughAFieldMapping()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        // s1K's columns (simplescaling/s1K-1.1): the thinking and the attempt apart, the solution as reference.
        const std::string s1 = dir.path("s1K.jsonl");
        writeFile(s1, R"({"solution": "18", "question": "What is 3 * 6?", "cot_type": "math", "source_type": "x", )"
                      R"("metadata": "{}", "thinking_trajectories": ["Three sixes: 6 + 6 + 6 = 18."], )"
                      R"("attempt": "The product is \\boxed{18}."})"
                      "\n"
                      R"({"solution": "7", "question": "What is 2 + 5?", "thinking_trajectories": [], )"
                      R"("attempt": "2 + 5 = 7, so the answer is 7."})"
                      "\n");
        ingest::ImportOptions options;
        options.fields = "question=question, gold=solution, thinking=thinking_trajectories[0], rationale=attempt";
        options.teacher = "gemini-2.0-flash-thinking";
        auto report = ingest::Importer::importFile(db, s1, options);
        QCOMPARE(report.format, std::string("fields"));
        QCOMPARE(report.rationalesAdded, int64_t(2));
        QCOMPARE(textOf(db, "SELECT group_concat(r.text || '|' || r.answer || '|' || r.correct || '|' || r.model, "
                            "' ; ') FROM (SELECT * FROM rationales ORDER BY id) r"),
                 QString("<think>\nThree sixes: 6 + 6 + 6 = 18.\n</think>\n\nThe product is \\boxed{18}.|18|1|"
                         "gemini-2.0-flash-thinking ; 2 + 5 = 7, so the answer is 7.|7|1|gemini-2.0-flash-thinking"));
        QCOMPARE(textOf(db, "SELECT group_concat(t.name) FROM tasks t"), QString("s1K"));

        // LIMO's columns (GAIR/LIMO): the solution is the whole rationale, answer the gold; a nested path.
        const std::string limo = dir.path("limo.jsonl");
        writeFile(limo, R"({"question": "What is 9 - 4?", "solution": "9 - 4 = 5. So the answer is 5.", )"
                        R"("answer": "5", "meta": {"id": "limo-1"}})"
                        "\n");
        options = {};
        options.fields = "question=question,rationale=solution,gold=answer,id=meta.id";
        options.task = "limo";
        report = ingest::Importer::importFile(db, limo, options);
        QCOMPARE(textOf(db, "SELECT i.ext_id || '|' || i.gold || '|' || r.answer || '|' || r.correct FROM rationales r "
                            "JOIN instances i ON i.id = r.instance_id JOIN tasks t ON t.id = i.task_id WHERE t.name = "
                            "'limo'"),
                 QString("limo-1|5|5|1"));

        // A mapping that is wrong says which part; a line without the mapped question says which line and path.
        for (const auto& [spec, message] : std::vector<std::pair<std::string, std::string>>{
                 {"gold=answer", "field mapping 'gold=answer': no question=... (which field holds the question)"},
                 {"question=q,answr=a", "field mapping 'answr=a': unknown key 'answr'; the keys are question, gold, "
                                        "id, split, model, rationale, thinking"},
                 {"question", "field mapping 'question': expected key=path (for example question=problem)"},
                 {"question=q[x]", "field mapping 'question=q[x]': 'q[x]' is not a path (keys joined by '.', list "
                                   "positions as [n])"}}) {
            options = {};
            options.fields = spec;
            try {
                ingest::Importer::importFile(db, limo, options);
                QFAIL(("accepted the mapping " + spec).c_str());
            } catch (const Error& e) {
                QCOMPARE(QString::fromStdString(e.what()), QString::fromStdString(message));
            }
        }
        options = {};
        options.fields = "question=problem";
        try {
            ingest::Importer::importFile(db, limo, options);
            QFAIL("a line without the mapped question was accepted");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.what()),
                     QString::fromStdString(limo + ":1: field 'problem' (the question) is missing or empty"));
        }
        options.fields = "question=question,thinking=solution[0]";
        try {
            ingest::Importer::importFile(db, limo, options);
            QFAIL("a list position into a string was accepted");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.what()),
                     QString::fromStdString(limo + ":1: field 'solution[0]' indexes a string, not a list"));
        }
        QCOMPARE(scalar(db, "SELECT count(*) FROM rationales"), int64_t(3));
    }

    void suggestsAFieldMappingFromTheFirstRecord()
    {
        using ingest::FieldMapping;
        test::TempDir dir;
        // s1K's first record: its fields in order, lists by their first element, a nested object's keys joined.
        const std::string s1 = test::writeFile(
            dir.path("s1K.jsonl"),
            "\n{\"solution\": \"18\", \"question\": \"What is 3 * 6?\", \"cot_type\": \"math\", "
            "\"thinking_trajectories\": [\"6 + 6 + 6 = 18.\"], \"attempt\": \"18\", \"meta\": {\"id\": 7, "
            "\"tags\": []}, \"score\": null}\n");
        const auto paths = FieldMapping::pathsOfFirstRecord(s1);
        QCOMPARE(QString::fromStdString(text::joined(paths, " ")),
                 QString("solution question cot_type thinking_trajectories[0] attempt meta.id"));
        QCOMPARE(QString::fromStdString(FieldMapping::suggest(paths).toString()),
                 QString("question=question,gold=solution,id=meta.id,rationale=attempt,"
                         "thinking=thinking_trajectories[0]"));
        // LIMO: answer is the gold, so the solution is the rationale.
        QCOMPARE(QString::fromStdString(FieldMapping::suggest({"question", "solution", "answer"}).toString()),
                 QString("question=question,gold=answer,rationale=solution"));
        // No question-like field: no suggestion. A mapping written back parses to the same paths.
        QVERIFY(FieldMapping::suggest({"text", "label"}).paths.empty());
        const FieldMapping m = FieldMapping::parse("rationale=a.b[2], question=q");
        QCOMPARE(QString::fromStdString(m.toString()), QString("question=q,rationale=a.b[2]"));
        QVERIFY(FieldMapping::parse(m.toString()).paths == m.paths);
        // A file whose first record is not JSON says where.
        const std::string bad = test::writeFile(dir.path("bad.jsonl"), "\n[1, 2]\n");
        try {
            FieldMapping::pathsOfFirstRecord(bad);
            QFAIL("an array was read as a record");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.what()),
                     QString::fromStdString(bad + ":2: expected a JSON object, not an array"));
        }
    }

    void saysHowToConvertParquet()
    {
        test::TempDir dir;
        const std::string path = dir.path("train-00000-of-00001.parquet");
        writeFile(path, std::string("PAR1\x15\x04\x15\x30", 8));
        try {
            ingest::Importer::detectFormat(path);
            QFAIL("a Parquet file was taken for JSONL");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.what()),
                     QString::fromStdString(path +
                                            ": a Parquet file; CoTLab reads JSONL (Debian has no Parquet reader "
                                            "for C++). Convert it with: python3 -c \"import pandas; "
                                            "pandas.read_parquet('" +
                                            path + "').to_json('" + dir.path("train-00000-of-00001.jsonl") +
                                            "', orient='records', lines=True, force_ascii=False)\""));
        }
    }

    void refusesMalformedConversationsByLine()
    {
        test::TempDir dir;
        store::Workspace ws(dir.path("w.cotlab"));
        auto& db = ws.db();
        const std::string good = R"({"messages": [{"role": "user", "content": "What is 2+2?"}, )"
                                 R"({"role": "assistant", "content": "<think>2+2</think>4"}]})";
        struct Case {
            std::string line, reason;
        } cases[] = {
            {R"({"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": 7}]})",
             "field 'messages[1].content' must be a string or a list of text parts, not a number"},
            {R"({"conversations": [{"from": "gpt", "value": "hello"}]})",
             "the conversation has no user turn (roles 'user' or 'human'): no question"},
            {R"({"messages": [{"content": "Q"}]})", "field 'messages[0].role' is missing or not a string"},
            {R"({"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}, )"
             R"({"role": "user", "content": "Q2"}]})",
             "the conversation has more than one user turn (turn 2); CoTLab imports one question and its answer per "
             "line"},
            {R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})",
             "field 'messages[0].content[0]' must be a text part {\"type\": \"text\", \"text\": \"...\"}"},
            {R"({"messages": [{"role": "user", "content": "Q"}], "split": "holdout"})",
             "field 'split' is 'holdout': expected train, dev, test or contrast"},
            {R"({"messages": [{"role": "user", "content": "Q"}], "answer": [4]})",
             "field 'answer' must be a string or a number, not an array"},
            {R"({"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}])",
             "invalid JSON at column 87: syntax error while parsing object - unexpected end of input; expected '}'"},
        };
        int k = 0;
        for (const Case& c : cases) {
            const std::string path = dir.path("bad" + std::to_string(k++) + ".jsonl");
            writeFile(path, good + "\n\n" + c.line + "\n" + good + "\n");
            try {
                ingest::ImportOptions options;
                options.format = ingest::ImportFormat::Chat;
                ingest::Importer::importFile(db, path, options);
                QFAIL(("accepted: " + c.line).c_str());
            } catch (const Error& e) {
                QCOMPARE(QString::fromStdString(e.what()), QString::fromStdString(path + ":3: " + c.reason));
            }
            QCOMPARE(scalar(db, "SELECT count(*) FROM instances"), int64_t(0));
            QCOMPARE(scalar(db, "SELECT count(*) FROM rationales"), int64_t(0));
            QCOMPARE(scalar(db, "SELECT count(*) FROM imports"), int64_t(0));
        }
        // Keeping the good lines: the bad one is listed, the others stored.
        const std::string path = dir.path("mixed.jsonl");
        writeFile(path, good + "\n" + cases[0].line + "\n");
        ingest::ImportOptions keep;
        keep.keepGoodRecords = true;
        const auto report = ingest::Importer::importFile(db, path, keep);
        QCOMPARE(report.rationalesAdded, int64_t(1));
        QCOMPARE(report.refusedCount, int64_t(1));
        QCOMPARE(report.refused.front().where, path + ":2");
    }
};

QTEST_GUILESS_MAIN(TestTraceImport)
#include "TestTraceImport.moc"
