// SentencePiece tokenizer.model files and the tokenizer loader (folders, files, special tokens, saving).
#include "support/TestSupport.h"
#include "text/SentencePieceTokenizer.h"
#include "text/Tokenizer.h"
#include "util/Error.h"

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace cotlab;

class TestTokenizers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // tests/data/spm-bpe: a Llama-2-style BPE model trained by the sentencepiece library, and the library's
    // own encodings of strings with digits, runs of spaces, newlines, accents, CJK and an emoji (byte fallback).
    void reproducesTheSentencePieceLibrary()
    {
        auto t = text::SentencePieceTokenizer::fromFile(test::testDataPath("spm-bpe/tokenizer.model"));
        std::ifstream in(test::testDataPath("spm-bpe/encodings.json"));
        const auto ref = nlohmann::json::parse(in);
        QCOMPARE(t->vocabSize(), ref["vocab_size"].get<int32_t>());
        QCOMPARE(t->bosId(), ref["bos_id"].get<int32_t>());
        QCOMPARE(t->eosId(), ref["eos_id"].get<int32_t>());
        for (const auto& c : ref["cases"]) {
            const auto text = c["text"].get<std::string>();
            std::vector<int32_t> want{t->bosId()}; // Hugging Face's Llama tokenizer adds BOS
            for (int id : c["ids"])
                want.push_back(id);
            const auto ids = t->encode(text);
            QVERIFY2(ids == want, text.c_str());
            QCOMPARE(t->decode(ids), c["decoded"].get<std::string>());
        }
        // A continuation keeps its leading space; the start of a text does not.
        const auto ids = t->encode("Jack had 8 pens");
        const std::vector<int32_t> head(ids.begin(), ids.begin() + 3), tail(ids.begin() + 3, ids.end());
        QCOMPARE(t->decodeAfter(head, tail).front(), ' ');
        QCOMPARE(t->decodeAfter(head, tail), t->decode(ids).substr(t->decode(head).size()));
    }

    void badSentencePieceFilesAreNamed()
    {
        test::TempDir dir;
        const auto garbage = test::writeFile(dir.path("tokenizer.model"), "\x0a\xff\xff\xff\xff\x0f");
        try {
            text::SentencePieceTokenizer::fromFile(garbage);
            QFAIL("accepted a garbage model");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("tokenizer.model: not a SentencePiece model"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, text::SentencePieceTokenizer::fromFile(dir.path("missing.model")));
    }

    void loadsFoldersAndFilesAndSavesThem()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        // A GPT-2 folder: vocab.json + merges.txt, EOS from config.json.
        const auto gpt2 = dir.path("gpt2");
        std::filesystem::create_directories(gpt2);
        std::filesystem::copy_file(test::sharedPath("tokenizers/gpt2/encoder.json"), gpt2 + "/vocab.json");
        std::filesystem::copy_file(test::sharedPath("tokenizers/gpt2/vocab.bpe"), gpt2 + "/merges.txt");
        test::writeFile(gpt2 + "/config.json",
                        R"({"model_type": "gpt2", "bos_token_id": 50256, "eos_token_id": 50256})");
        auto t = text::loadTokenizer(gpt2, 50257);
        QCOMPARE(t->encode("Hello world"), (std::vector<int32_t>{15496, 995}));
        QCOMPARE(t->eosId(), 50256);

        // OPT's tokenizer_config.json asks for BOS (</s>) before every text.
        test::writeFile(gpt2 + "/tokenizer_config.json", R"({"add_bos_token": true, "bos_token": "<|endoftext|>"})");
        QCOMPARE(text::loadTokenizer(gpt2, 50257)->encode("Hello world"), (std::vector<int32_t>{50256, 15496, 995}));

        // Saving copies the files; the copy loads to the same tokenizer.
        t = text::loadTokenizer(gpt2, 50257);
        t->saveTo(dir.path("saved"));
        for (const char* f : {"vocab.json", "merges.txt", "tokenizer_config.json"})
            QVERIFY2(std::filesystem::exists(dir.path("saved") + "/" + f), f);
        QCOMPARE(text::loadTokenizer(dir.path("saved"), 50257)->encode("Hello world"), t->encode("Hello world"));

        // A SentencePiece folder, and the llama2.c format from a file.
        const auto spm = dir.path("spm");
        std::filesystem::create_directories(spm);
        std::filesystem::copy_file(test::testDataPath("spm-bpe/tokenizer.model"), spm + "/tokenizer.model");
        QCOMPARE(text::loadTokenizer(spm, 600)->bosId(), 1);
        auto llama2c = text::loadTokenizer(test::sharedPath("models/stories260K/tok512.bin"), 512);
        QCOMPARE(llama2c->vocabSize(), 512);
        llama2c->saveTo(dir.path("stories"));
        QVERIFY(std::filesystem::exists(dir.path("stories") + "/tokenizer.bin")); // the name the loader looks for
        QCOMPARE(text::loadTokenizer(dir.path("stories"), 512)->encode("Once upon a time"),
                 llama2c->encode("Once upon a time"));

        // A folder without any tokenizer says what it looked for.
        std::filesystem::create_directories(dir.path("empty"));
        try {
            text::loadTokenizer(dir.path("empty"), 100);
            QFAIL("loaded a tokenizer from an empty folder");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("no tokenizer in the model folder"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestTokenizers)
#include "TestTokenizers.moc"
