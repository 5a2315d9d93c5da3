// SentencePiece-style BPE from a tokenizer.json (tests/data/tokenizers/metaspace-bpe: Llama 2's format, Mistral
// 7B's vocabulary; Prepend/Replace normalisers, byte_fallback): the ids of an independent implementation
// (transformers.js's tokenizers, tests/data/tokenizers/make_tokenizer_fixture.mjs) for 467 texts — real
// rationales and questions of five teacher files, emoji, CJK, combining marks not in NFC, whitespace runs, text
// that spells special tokens — and the text it decodes them to.
#include "support/TestSupport.h"
#include "text/MetaspaceBpe.h"
#include "text/Tokenizer.h"
#include "util/Error.h"

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace cotlab;

class TestMetaspaceBpe : public QObject {
    Q_OBJECT

    static std::string folder() { return test::testDataPath("tokenizers/metaspace-bpe"); }

private Q_SLOTS:
    void reproducesTheReferenceIdsAndText()
    {
        const auto tokenizer = text::loadTokenizer(folder(), 32000);
        QVERIFY(dynamic_cast<text::MetaspaceBpe*>(tokenizer.get()));
        QCOMPARE(tokenizer->bosId(), 1); // by name, from tokenizer_config.json
        QCOMPARE(tokenizer->eosId(), 2);
        const auto c = test::compareWithReference(*tokenizer, folder() + "/expected.jsonl");
        QCOMPARE(c.lines, 467);
        QCOMPARE(c.idsWrong, 0);
        QCOMPARE(c.textWrong, 0);
    }

    // A continuation keeps the space a token starts with; the text's first token loses it.
    void decodesAContinuationWithItsSpace()
    {
        const auto tokenizer = text::loadTokenizer(folder() + "/tokenizer.json", 32000);
        const auto ids = tokenizer->encode("So the answer is 42.");
        const std::vector<int32_t> first(ids.begin(), ids.begin() + 3), rest(ids.begin() + 3, ids.end());
        QCOMPARE(tokenizer->decode(first), std::string("So the"));
        QCOMPARE(tokenizer->decodeAfter(first, rest), std::string(" answer is 42."));
    }

    void refusesWhatItCannotReproduceNamingTheFile()
    {
        test::TempDir dir;
        auto j = nlohmann::json::parse(std::ifstream(folder() + "/tokenizer.json"));
        j["normalizer"] = {{"type", "NFKC"}};
        const std::string path = dir.path("tokenizer.json");
        std::ofstream(path) << j.dump();
        try {
            text::loadTokenizer(path, 32000);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(path) + ": normalizer 'NFKC' is not supported"),
                     e.what());
        }
    }
};

QTEST_MAIN(TestMetaspaceBpe)
#include "TestMetaspaceBpe.moc"
