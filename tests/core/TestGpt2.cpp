// GPT-2 folders the test writes itself (small random weights in Hugging Face names and Conv1D layout): load,
// run, save, reload; KV cache and batching agree with plain recomputation.
#include "gen/Decoding.h"
#include "nn/CpuThreads.h"
#include "nn/Gpt2.h"
#include "nn/Safetensors.h"
#include "support/ReferenceLogits.h"
#include "support/TestSupport.h"
#include "text/ByteLevelBpe.h"
#include "util/Error.h"

#include <QProcess>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace cotlab;

namespace {

constexpr int64_t kDim = 32, kLayers = 2, kHeads = 4, kPositions = 128, kVocab = 50257;

// An HF GPT-2 folder with random weights; Conv1D weights stored [in, out] as transformers saves them.
std::map<std::string, torch::Tensor> writeRandomGpt2(const std::string& folder, uint64_t seed)
{
    std::filesystem::create_directories(folder);
    torch::manual_seed(seed);
    std::map<std::string, torch::Tensor> w;
    auto r = [](std::vector<int64_t> shape) { return torch::randn(shape) * 0.2; };
    w["transformer.wte.weight"] = r({kVocab, kDim});
    w["transformer.wpe.weight"] = r({kPositions, kDim});
    for (int64_t i = 0; i < kLayers; ++i) {
        const std::string p = "transformer.h." + std::to_string(i) + ".";
        w[p + "ln_1.weight"] = 1.0 + r({kDim});
        w[p + "ln_1.bias"] = r({kDim});
        w[p + "attn.c_attn.weight"] = r({kDim, 3 * kDim});
        w[p + "attn.c_attn.bias"] = r({3 * kDim});
        w[p + "attn.c_proj.weight"] = r({kDim, kDim});
        w[p + "attn.c_proj.bias"] = r({kDim});
        w[p + "ln_2.weight"] = 1.0 + r({kDim});
        w[p + "ln_2.bias"] = r({kDim});
        w[p + "mlp.c_fc.weight"] = r({kDim, 4 * kDim});
        w[p + "mlp.c_fc.bias"] = r({4 * kDim});
        w[p + "mlp.c_proj.weight"] = r({4 * kDim, kDim});
        w[p + "mlp.c_proj.bias"] = r({kDim});
    }
    w["transformer.ln_f.weight"] = 1.0 + r({kDim});
    w["transformer.ln_f.bias"] = r({kDim});
    nn::Safetensors::write(folder + "/model.safetensors", w);
    std::ofstream(folder + "/config.json")
        << nlohmann::json{{"model_type", "gpt2"},      {"n_embd", kDim},      {"n_layer", kLayers}, {"n_head", kHeads},
                          {"n_positions", kPositions}, {"vocab_size", kVocab}}
               .dump();
    return w;
}

} // namespace

class TestGpt2 : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void loadsConv1dLayoutAndRoundTrips()
    {
        test::TempDir dir;
        const auto raw = writeRandomGpt2(dir.path("gpt2"), 3);
        auto m = nn::Gpt2Impl::loadHf(dir.path("gpt2"));
        torch::NoGradGuard noGrad;
        // Conv1D computes x @ W + b with W stored [in, out].
        const auto x = torch::randn({3, kDim});
        const auto want =
            torch::matmul(x, raw.at("transformer.h.1.attn.c_attn.weight")) + raw.at("transformer.h.1.attn.c_attn.bias");
        QVERIFY(torch::allclose(m->blocks[1]->attn(x), want, 1e-5, 1e-6));

        const auto tokens = torch::tensor(std::vector<int64_t>{15496, 995, 11, 428, 318, 257, 1332}).unsqueeze(0);
        const auto logits = m->forward(tokens);
        QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{1, 7, kVocab}));
        m->saveHf(dir.path("saved"));
        auto again = nn::Gpt2Impl::loadHf(dir.path("saved"));
        QVERIFY(torch::equal(again->forward(tokens), logits));
        // The saved file holds the same tensors under the same names and layout.
        const auto saved = nn::Safetensors::read(dir.path("saved") + "/model.safetensors");
        QCOMPARE(saved.size(), raw.size());
        for (const auto& [name, t] : raw)
            QVERIFY2(torch::equal(saved.at(name), t), name.c_str());
    }

    void cacheAndBatchingAgreeWithRecomputation()
    {
        test::TempDir dir;
        writeRandomGpt2(dir.path("gpt2"), 5);
        nn::Gpt2 m(nn::Gpt2Impl::loadHf(dir.path("gpt2")));
        const auto prompt = std::vector<int32_t>{15496, 995, 11};
        QCOMPARE(gen::greedyDecode(*m, prompt, 40, true), gen::greedyDecode(*m, prompt, 40, false));
        // Prompts of different lengths, left-padded in one batch.
        const std::vector<std::vector<int32_t>> prompts{
            {15496, 995, 11}, {40, 588}, {464, 3290, 318, 257, 1332, 13}, {50256}};
        gen::DecodingOptions o;
        o.maxNewTokens = 24;
        const auto batched = gen::decodeBatch(*m, prompts, o);
        for (size_t i = 0; i < prompts.size(); ++i)
            QCOMPARE(batched[i], gen::greedyDecode(*m, prompts[i], 24));
        o.useCache = false; // the padded recomputation agrees too
        QCOMPARE(gen::decodeBatch(*m, prompts, o), batched);
        const auto lp = gen::scoreContinuation(*m, {15496}, {995, 11});
        QCOMPARE(lp.size(), size_t(2));
        QVERIFY(lp[0] < 0.0 && lp[1] < 0.0);
    }

    void withTheGpt2Tokenizer()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        writeRandomGpt2(dir.path("gpt2"), 7);
        nn::Gpt2 m(nn::Gpt2Impl::loadHf(dir.path("gpt2")));
        auto bpe = text::ByteLevelBpe::fromFiles(test::sharedPath("tokenizers/gpt2/encoder.json"),
                                                 test::sharedPath("tokenizers/gpt2/vocab.bpe"));
        const auto ids = bpe->encode("Q: Where do you keep milk cold?\nA:");
        const auto out = gen::greedyDecode(*m, ids, 8);
        QCOMPARE(out.size(), size_t(8));
        QVERIFY(!bpe->decode(out).empty()); // random weights: any text, but valid ids that decode
    }

    // tests/data/gpt2-tiny: logits from an independent PyTorch implementation of transformers' GPT-2 forward
    // (tests/data/make_gpt2_fixture.py).
    void matchesTheReferenceImplementation()
    {
        auto m = nn::Gpt2Impl::loadHf(test::testDataPath("gpt2-tiny"));
        const double worst = test::maxLogitDifference(*m, test::testDataPath("gpt2-tiny/logits.json"));
        qInfo() << "max |logit difference| against the reference:" << worst;
        QVERIFY(worst < 1e-4);
    }

    void cliGeneratesAndScoresWithAGpt2Folder()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string folder = dir.path("gpt2");
        writeRandomGpt2(folder, 21);
        std::filesystem::copy_file(test::sharedPath("tokenizers/gpt2/encoder.json"), folder + "/vocab.json");
        std::filesystem::copy_file(test::sharedPath("tokenizers/gpt2/vocab.bpe"), folder + "/merges.txt");
        auto run = [](const QStringList& args) {
            QProcess p;
            p.start(COTLAB_CLI_PATH, args);
            p.waitForFinished(60000);
            return std::make_pair(p.exitCode(),
                                  QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()));
        };
        const QString f = QString::fromStdString(folder);
        const auto a = run({"generate", "--model", f, "--prompt", "Hello world", "--max-new-tokens", "6", "--greedy"});
        QVERIFY2(a.first == 0, qPrintable(a.second));
        QCOMPARE(run({"generate", "--model", f, "--prompt", "Hello world", "--max-new-tokens", "6", "--greedy"}).second,
                 a.second);
        const auto s = run({"score", "--model", f, "--prompt", "Hello", "--continuation", " world"});
        QVERIFY2(s.first == 0, qPrintable(s.second));
        QVERIFY(s.second.trimmed().toDouble() < 0.0);
        // The tiny 300-token fixture with GPT-2's tokenizer: a clear mismatch message, not a crash.
        const std::string small = dir.path("small");
        std::filesystem::copy(test::testDataPath("gpt2-tiny"), small);
        std::filesystem::copy_file(test::sharedPath("tokenizers/gpt2/encoder.json"), small + "/vocab.json");
        std::filesystem::copy_file(test::sharedPath("tokenizers/gpt2/vocab.bpe"), small + "/merges.txt");
        const auto bad = run({"generate", "--model", QString::fromStdString(small), "--prompt", "Hello world"});
        QVERIFY(bad.first != 0);
        QVERIFY2(bad.second.contains("the tokenizer has 50257 tokens but the model only 300"), qPrintable(bad.second));
    }

    void incompleteFolderNamesTheTensor()
    {
        test::TempDir dir;
        auto w = writeRandomGpt2(dir.path("gpt2"), 9);
        w.erase("transformer.h.1.mlp.c_fc.weight");
        nn::Safetensors::write(dir.path("gpt2") + "/model.safetensors", w);
        try {
            nn::Gpt2Impl::loadHf(dir.path("gpt2"));
            QFAIL("loaded a folder without a tensor");
        } catch (const Error& e) {
            QVERIFY2(
                QString(e.what()).contains("transformer.h.1.mlp.c_fc.weight is missing (expected shape [32, 128])"),
                e.what());
        }
    }

    // libtorch's pool and OpenBLAS's must not both run several threads (docs/benchmarks.md, training).
    void cpuThreadsKeepBlasPoolApart()
    {
        QCOMPARE(nn::setCpuThreads(2), 2);
        QCOMPARE(torch::get_num_threads(), 2);
        QVERIFY(nn::openBlasThreads() <= 1); // 1 with OpenBLAS (Debian), 0 with another BLAS
        QCOMPARE(nn::setCpuThreads(1), 1);
        QCOMPARE(nn::setCpuThreads(), 1); // 0: keeps the count
    }
};

QTEST_GUILESS_MAIN(TestGpt2)
#include "TestGpt2.moc"
