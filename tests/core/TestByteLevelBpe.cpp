// GPT-2 byte-level BPE against the 46 test vectors Hugging Face tokenizers gives (../shared/tokenizers/gpt2),
// read from vocab.json + merges.txt and from a tokenizer.json in Hugging Face's layout.
#include "support/TestSupport.h"
#include "text/ByteLevelBpe.h"
#include "text/Tokenizer.h"
#include "util/Error.h"

#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace cotlab;

namespace {
std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::unique_ptr<text::ByteLevelBpe> gpt2Files()
{
    return text::ByteLevelBpe::fromFiles(test::sharedPath("tokenizers/gpt2/encoder.json"),
                                         test::sharedPath("tokenizers/gpt2/vocab.bpe"));
}

// GPT-2's tokenizer.json as transformers writes it (BPE model, ByteLevel pre-tokenizer and decoder,
// <|endoftext|> as an added special token), with the pre-tokenizer and post-processor replaceable.
nlohmann::json gpt2TokenizerJson(bool mergesAsPairs = false)
{
    nlohmann::json merges = nlohmann::json::array();
    std::ifstream in(test::sharedPath("tokenizers/gpt2/vocab.bpe"));
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.starts_with("#version"))
            continue;
        const size_t space = line.find(' ');
        if (mergesAsPairs)
            merges.push_back({line.substr(0, space), line.substr(space + 1)});
        else
            merges.push_back(line);
    }
    std::ifstream vocab(test::sharedPath("tokenizers/gpt2/encoder.json"));
    return {{"version", "1.0"},
            {"added_tokens", {{{"id", 50256}, {"content", "<|endoftext|>"}, {"special", true}, {"normalized", true}}}},
            {"normalizer", nullptr},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
            {"post_processor", {{"type", "ByteLevel"}, {"trim_offsets", true}}},
            {"decoder", {{"type", "ByteLevel"}}},
            {"model",
             {{"type", "BPE"}, {"dropout", nullptr}, {"vocab", nlohmann::json::parse(vocab)}, {"merges", merges}}}};
}

std::unique_ptr<text::ByteLevelBpe> fromJson(const test::TempDir& dir, const nlohmann::json& j)
{
    return text::ByteLevelBpe::fromTokenizerJson(test::writeFile(dir.path("tokenizer.json"), j.dump()));
}

// The 46 vectors: texts and the ids Hugging Face gives.
std::vector<std::pair<std::string, std::vector<int32_t>>> testVectors()
{
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
    std::vector<std::pair<std::string, std::vector<int32_t>>> v;
    for (std::string line; std::getline(out, line) && v.size() < texts.size();) {
        std::istringstream ids(line);
        std::vector<int32_t> expected;
        for (int32_t id; ids >> id;)
            expected.push_back(id);
        v.emplace_back(texts[v.size()], expected);
    }
    return v;
}

void checkVectors(const text::Tokenizer& t)
{
    const auto vectors = testVectors();
    QCOMPARE(vectors.size(), size_t(46));
    for (size_t i = 0; i < vectors.size(); ++i) {
        const auto ids = t.encode(vectors[i].first);
        QVERIFY2(ids == vectors[i].second,
                 qPrintable(QString("vector %1: '%2'").arg(i).arg(QString::fromStdString(vectors[i].first))));
        QCOMPARE(t.decode(ids), vectors[i].first);
    }
}
} // namespace

class TestByteLevelBpe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Qwen2.5's tokenizer.json (cut down to the texts' merges, tests/data/tokenizers/qwen2.5-cut: NFC, a Split by
    // regex, byte-level BPE) gives the ids of an independent implementation (transformers.js's tokenizers with the
    // whole file, make_tokenizer_fixture.mjs) for 469 texts — real rationales and questions of five teacher files,
    // emoji, CJK, text not in NFC, whitespace runs, contractions, special tokens spelt out — and decodes them to its
    // text.
    void qwenReproducesTheReferenceIdsAndText()
    {
        const std::string folder = test::testDataPath("tokenizers/qwen2.5-cut");
        const auto tokenizer = text::loadTokenizer(folder, 151936);
        QVERIFY(dynamic_cast<text::ByteLevelBpe*>(tokenizer.get()));
        QCOMPARE(tokenizer->eosId(), 151645); // <|im_end|>, by name from tokenizer_config.json
        const auto c = test::compareWithReference(*tokenizer, folder + "/expected.jsonl");
        QCOMPARE(c.lines, 469);
        QCOMPARE(c.idsWrong, 0);
        QCOMPARE(c.textWrong, 0);
    }

    void initTestCase() { COTLAB_REQUIRE_SHARED(); }

    void reproducesHuggingFaceTestVectors()
    {
        auto bpe = gpt2Files();
        QCOMPARE(bpe->vocabSize(), 50257);
        checkVectors(*bpe);
    }

    void tokenizerJsonReproducesTheVectors()
    {
        test::TempDir dir;
        auto t = fromJson(dir, gpt2TokenizerJson());
        QCOMPARE(t->vocabSize(), 50257);
        checkVectors(*t);
        checkVectors(*fromJson(dir, gpt2TokenizerJson(/*mergesAsPairs=*/true))); // newer files: [left, right]

        // Qwen2 / Llama 3 layout: a Split by regex, then ByteLevel without its own regex. With GPT-2's pattern
        // in the Split it must tokenise exactly as before.
        auto split = gpt2TokenizerJson();
        split["pre_tokenizer"] = {{"type", "Sequence"},
                                  {"pretokenizers",
                                   {{{"type", "Split"},
                                     {"pattern", {{"Regex", text::ByteLevelBpe::kGpt2Pattern}}},
                                     {"behavior", "Isolated"},
                                     {"invert", false}},
                                    {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}};
        checkVectors(*fromJson(dir, split));
        // The same file through loadTokenizer, as a model folder is read (it refused every Sequence pre-tokenizer
        // for a while: MetaspaceBpe::describes compared iterators of two copies of the list).
        checkVectors(*text::loadTokenizer(test::writeFile(dir.path("tokenizer.json"), split.dump()), 50257));
        // Llama 3's pattern groups digits by three.
        split["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] =
            R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
        auto llama3 = fromJson(dir, split);
        auto gpt2 = gpt2Files();
        const auto grouped = llama3->encode("12345678");
        auto want = gpt2->encode("123");
        for (const char* part : {"456", "78"})
            for (int32_t id : gpt2->encode(part))
                want.push_back(id);
        QCOMPARE(grouped, want);
        QCOMPARE(llama3->decode(grouped), std::string("12345678"));
    }

    void addedTokensAndTemplates()
    {
        test::TempDir dir;
        auto j = gpt2TokenizerJson();
        auto t = fromJson(dir, j);
        // Special tokens in the text are matched whole and left out when decoding.
        const auto ids = t->encode("Q: hi<|endoftext|>A: yes");
        QVERIFY(std::find(ids.begin(), ids.end(), 50256) != ids.end());
        QCOMPARE(t->decode(ids), std::string("Q: hiA: yes"));

        // A TemplateProcessing post-processor that starts every text with a special token (Llama 3's BOS).
        j["added_tokens"].push_back({{"id", 50257}, {"content", "<|begin_of_text|>"}, {"special", true}});
        j["added_tokens"].push_back({{"id", 50258}, {"content", "<think>"}, {"special", false}});
        j["post_processor"] = {{"type", "TemplateProcessing"},
                               {"single",
                                {{{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}},
                                 {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}}};
        t = fromJson(dir, j);
        QCOMPARE(t->vocabSize(), 50259);
        const auto withBos = t->encode("Hello world<think>");
        QCOMPARE(withBos, (std::vector<int32_t>{50257, 15496, 995, 50258}));
        QCOMPARE(t->decode(withBos), std::string("Hello world<think>")); // non-special added tokens are text

        // ignore_merges: a piece that is itself a vocabulary token is taken whole.
        j = gpt2TokenizerJson();
        j["model"]["vocab"]["Ġsuperduper"] = 50257;
        j["model"]["ignore_merges"] = true;
        QCOMPARE(fromJson(dir, j)->encode(" superduper"), (std::vector<int32_t>{50257}));
    }

    // Qwen2's NFC normaliser: decomposed text (e + combining acute, the Angstrom sign, Hangul jamo) tokenises as
    // its composed form does; without the normaliser it does not.
    void nfcNormaliserComposesFirst()
    {
        test::TempDir dir;
        auto j = gpt2TokenizerJson();
        const auto plain = fromJson(dir, j);
        j["normalizer"] = {{"type", "NFC"}};
        const auto nfc = fromJson(dir, j);
        const std::string decomposed = "caf\x65\xcc\x81 \xe2\x84\xab \xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab";
        const std::string composed = "caf\xc3\xa9 \xc3\x85 \xed\x95\x9c";
        QCOMPARE(nfc->encode(decomposed), plain->encode(composed));
        QVERIFY(plain->encode(decomposed) != plain->encode(composed));
        QCOMPARE(nfc->decode(nfc->encode(decomposed)), composed);
        // Text that is not valid UTF-8 is refused with the reason, as without the normaliser.
        QVERIFY_THROWS_EXCEPTION(Error, nfc->encode("a\xff b"));
    }

    void unsupportedTokenizerJsonIsNamed()
    {
        test::TempDir dir;
        auto j = gpt2TokenizerJson();
        j["model"]["type"] = "Unigram";
        try {
            fromJson(dir, j);
            QFAIL("accepted a unigram model");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("tokenizer.json: model type 'Unigram' is not supported"), e.what());
        }
        j = gpt2TokenizerJson();
        j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "▁"}};
        try {
            fromJson(dir, j);
            QFAIL("accepted a Metaspace pre-tokenizer");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("pre-tokenizer 'Metaspace' is not supported"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(
            Error, text::ByteLevelBpe::fromTokenizerJson(test::writeFile(dir.path("broken.json"), "{\"model\": ")));
    }

    void roundTripsRealRationales()
    {
        auto bpe = gpt2Files();
        std::ifstream in(test::sharedPath("data/teacher/zero-shot-cot-davinci002/strategy_qa.jsonl"));
        int n = 0;
        for (std::string line; std::getline(in, line) && n < 300; ++n)
            QCOMPARE(bpe->decode(bpe->encode(line)), line);
        QCOMPARE(bpe->encode("Hello world"), (std::vector<int32_t>{15496, 995}));
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
