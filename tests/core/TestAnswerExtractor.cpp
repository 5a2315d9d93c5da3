// Answer extraction and normalisation, one answer style of the shared teacher files per case.
#include "answers/AnswerExtractor.h"

#include <QtTest>
#include <nlohmann/json.hpp>

using namespace cotlab::answers;

namespace {
const std::vector<Choice> kUpper = {{"A", "shelf"}, {"B", "board"}, {"C", "church"}, {"D", "table"}, {"E", "dark"}};
const std::vector<Choice> kLower = {
    {"a", "park"}, {"b", "coloring book"}, {"c", "garden center"}, {"d", "math problem"}, {"e", "gravity"}};
} // namespace

class TestAnswerExtractor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void choiceStyles()
    {
        AnswerExtractor up(AnswerKind::Choice, kUpper);
        QCOMPARE(up.extract("...", "Therefore, among A through E, the answer is C."), std::string("C"));
        QCOMPARE(up.extract("...", "Therefore, among A through E, the answer is (E) dark."), std::string("E"));
        // Kojima et al.'s rule: the first candidate after the trigger.
        QCOMPARE(up.extract("...", "Therefore, among A through E, the answer is probably (A), (B), (C), or (D)."),
                 std::string("A"));
        QCOMPARE(up.extract("Candles light a place, so the answer is dark."), std::string("E"));
        QCOMPARE(up.extract("I think (B) fits. Actually the answer is (D)."), std::string("D"));
        QCOMPARE(up.extract("No marker, but (B) then (C) are discussed."), std::string("C"));
        AnswerExtractor low(AnswerKind::Choice, kLower);
        QCOMPARE(low.extract("Only math problem fits. So the answer is (d) math problem."), std::string("d"));
        QCOMPARE(low.normalize("D"), std::string("d"));
        QVERIFY(low.matches("(D)", "d"));
        QVERIFY(!low.matches("", "d"));
    }

    void numberStyles()
    {
        AnswerExtractor n(AnswerKind::Number);
        QCOMPARE(n.extract("...", "Therefore, the answer (arabic numerals) is 26."), std::string("26"));
        QCOMPARE(n.extract("The answer is 39."), std::string("39"));
        QCOMPARE(n.extract("16 - 3 - 4 = 9 eggs. 9 * 2 = 18\n#### 18"), std::string("18"));
        QCOMPARE(n.extract("Q: how many?\nA: 26"), std::string("26"));
        QCOMPARE(n.extract("She had 5 and got 7 more, 12 in all."), std::string("12"));
        QCOMPARE(n.extract("So the answer is $1,250.50 in total."), std::string("1250.5"));
        QCOMPARE(n.extract("The temperature drops to -3 degrees, the answer is -3."), std::string("-3"));
        // A loss written as money (Faithful-CoT's code-davinci-002 on GSM8K).
        QCOMPARE(n.extract("So the profit is $120,000 - $130,000 = -$10,000. The answer is -$10,000."),
                 std::string("-10000"));
        QCOMPARE(n.extract("It costs $5 - $2 = $3."), std::string("3"));
        QCOMPARE(canonicalNumber("1,000"), std::string("1000"));
        QCOMPARE(canonicalNumber("1000.0"), std::string("1000"));
        QCOMPARE(canonicalNumber("2.50"), std::string("2.5"));
        QCOMPARE(canonicalNumber("-0"), std::string("0"));
        QCOMPARE(canonicalNumber("twelve"), std::string());
        QVERIFY(n.matches("1,000", "1000.0"));
        // An answer sentence that names no number means no answer, as in Kojima et al.'s logs.
        QCOMPARE(n.extract("5 and 6", "Therefore, the answer (arabic numerals) is fourteen."), std::string());
        // A sentence that stops at its trigger leaves the rationale to decide.
        QCOMPARE(n.extract("So the answer is 7", "Therefore, the answer (arabic numerals) is:"), std::string("7"));
    }

    void yesNoStyles()
    {
        AnswerExtractor y(AnswerKind::YesNo);
        QCOMPARE(y.extract("...", "Therefore, the answer (Yes or No) is Yes."), std::string("yes"));
        QCOMPARE(y.extract("...", "Therefore, the answer (Yes or No) is: No"), std::string("no"));
        QCOMPARE(y.extract("...", "Therefore, the answer (Yes or No) is moot."), std::string());
        QCOMPARE(y.extract("Frost is common in December. So the answer is yes."), std::string("yes"));
        QCOMPARE(y.normalize("Yes."), std::string("yes"));
        QCOMPARE(y.normalize("NO"), std::string("no"));
        QCOMPARE(y.normalize("not sure"), std::string());
        QVERIFY(y.matches("Yes.", "yes"));
    }

    void textStyles()
    {
        AnswerExtractor t(AnswerKind::Text);
        QCOMPARE(t.extract("...", "Therefore, the answer is \"fnenl\"."), std::string("fnenl"));
        QCOMPARE(t.extract("Today is 05/01/2021. So the answer is 05/01/2021."), std::string("05/01/2021"));
        QCOMPARE(t.extract("...", "Therefore, the answer is \"l r n z\"."), std::string("lrnz"));
        QCOMPARE(t.extract("No marker here at all."), std::string());
        QCOMPARE(t.normalize("  \u201cNew   York\u201d. "), std::string("New York"));
        QVERIFY(t.matches("NEW YORK", "new york"));
    }

    void choicesAreStoredAsJsonWritesThem()
    {
        // The list is written directly; it must be the bytes nlohmann::json::dump() writes, and read back the same.
        const std::vector<Choice> choices = {{"A", "plain"},
                                             {"b", "quote \" and backslash \\ and / slash"},
                                             {"C", std::string("tab\tnewline\ncr\rbell\x07 nul") + '\0' + " del\x7f"},
                                             {"D", "Janet’s café — 日本 😀"},
                                             {"", ""}};
        nlohmann::json expected = nlohmann::json::array();
        for (const auto& c : choices)
            expected.push_back({{"label", c.label}, {"text", c.text}});
        QCOMPARE(QString::fromStdString(choicesToJson(choices)), QString::fromStdString(expected.dump()));
        QVERIFY(choicesFromJson(choicesToJson(choices)) == choices);
        QCOMPARE(QString::fromStdString(choicesToJson({})), QString("[]"));
        // Not UTF-8: refused as before (nlohmann's type_error), not written as broken JSON.
        QVERIFY_THROWS_EXCEPTION(nlohmann::json::exception, choicesToJson({{"A", "\xff"}}));
    }

    void answerSentenceIsFound()
    {
        QCOMPARE(answerSentenceOf("Today is 05/01/2021. So the answer is 05/01/2021."),
                 std::string_view("So the answer is 05/01/2021."));
        QCOMPARE(answerSentenceOf("Q1. What is the date?\nToday is 02/29/2016. So the answer is 02/29/2016.\n"),
                 std::string_view("So the answer is 02/29/2016."));
        QCOMPARE(answerSentenceOf("Step one.\nThe answer is (B) because of X.\nThe answer is (C)."),
                 std::string_view("The answer is (C)."));
        QCOMPARE(answerSentenceOf("Natalia sold 48 clips.\n#### 72"), std::string_view("#### 72"));
        QCOMPARE(answerSentenceOf("No marker here at all."), std::string_view());
    }
};

QTEST_GUILESS_MAIN(TestAnswerExtractor)
#include "TestAnswerExtractor.moc"
