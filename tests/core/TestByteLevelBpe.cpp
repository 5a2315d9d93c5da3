// GPT-2 byte-level BPE against the 46 test vectors Hugging Face tokenizers gives (../shared/tokenizers/gpt2).
#include "support/TestSupport.h"
#include "text/ByteLevelBpe.h"
#include "util/Error.h"

#include <QtTest>
#include <fstream>
#include <sstream>

using namespace cotlab;

namespace {
std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
} // namespace

class TestByteLevelBpe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { COTLAB_REQUIRE_SHARED(); }

    void reproducesHuggingFaceTestVectors()
    {
        auto bpe = text::ByteLevelBpe::fromFiles(test::sharedPath("tokenizers/gpt2/encoder.json"),
                                                 test::sharedPath("tokenizers/gpt2/vocab.bpe"));
        QCOMPARE(bpe.vocabSize(), size_t(50257));

        const std::string inputs = readAll(test::sharedPath("tokenizers/gpt2/test-vectors.inp"));
        const std::string separator = "\n__ggml_vocab_test__\n";
        std::vector<std::string> texts;
        for (size_t at = 0;;) {
            const size_t next = inputs.find(separator, at);
            if (next == std::string::npos)
                break;
            texts.push_back(inputs.substr(at, next - at));
            at = next + separator.size();
        }
        std::ifstream out(test::sharedPath("tokenizers/gpt2/test-vectors.out"));
        std::vector<std::vector<int32_t>> expected;
        for (std::string line; std::getline(out, line);) {
            std::istringstream ids(line);
            std::vector<int32_t> v;
            for (int32_t id; ids >> id;)
                v.push_back(id);
            expected.push_back(v);
        }
        QCOMPARE(texts.size(), size_t(46));
        QCOMPARE(expected.size(), texts.size());
        for (size_t i = 0; i < texts.size(); ++i) {
            const auto ids = bpe.encode(texts[i]);
            QVERIFY2(ids == expected[i],
                     qPrintable(QString("vector %1: '%2'").arg(i).arg(QString::fromStdString(texts[i]))));
            QCOMPARE(bpe.decode(ids), texts[i]);
        }
    }

    void roundTripsRealRationales()
    {
        auto bpe = text::ByteLevelBpe::fromFiles(test::sharedPath("tokenizers/gpt2/encoder.json"),
                                                 test::sharedPath("tokenizers/gpt2/vocab.bpe"));
        std::ifstream in(test::sharedPath("data/teacher/zero-shot-cot-davinci002/strategy_qa.jsonl"));
        int n = 0;
        for (std::string line; std::getline(in, line) && n < 300; ++n)
            QCOMPARE(bpe.decode(bpe.encode(line)), line);
        QCOMPARE(bpe.encode("Hello world"), (std::vector<int32_t>{15496, 995}));
    }

    void badFilesNameTheProblem()
    {
        test::TempDir dir;
        const auto vocab = test::writeFile(dir.path("vocab.json"), R"({"a": 0, "b": 1, "ab": 2})");
        const auto merges = test::writeFile(dir.path("merges.txt"), "#version: 0.2\na b\nnospace\n");
        try {
            text::ByteLevelBpe::fromFiles(vocab, merges);
            QFAIL("accepted a malformed merges file");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("merges.txt:3: expected 'left right'"), e.what());
        }
        const auto badVocab = test::writeFile(dir.path("bad.json"), R"({"a": "zero"})");
        QVERIFY_THROWS_EXCEPTION(Error, text::ByteLevelBpe::fromFiles(badVocab, merges));
    }
};

QTEST_GUILESS_MAIN(TestByteLevelBpe)
#include "TestByteLevelBpe.moc"
