// stories260K, a real pretrained Llama-architecture model (../shared/models/stories260K): the llama2.c
// tokenizer's documented encodings, the documented logits, and the golden greedy text.
#include "gen/Decoding.h"
#include "nn/Llama.h"
#include "nn/Llama2cLoader.h"
#include "nn/ModelConfig.h"
#include "nn/Safetensors.h"
#include "support/TestSupport.h"
#include "text/Llama2cTokenizer.h"
#include "util/Error.h"

#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace cotlab;

namespace {
std::string model()
{
    return test::sharedPath("models/stories260K/stories260K.bin");
}
std::string tokenizer()
{
    return test::sharedPath("models/stories260K/tok512.bin");
}
} // namespace

class TestLlama2c : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        COTLAB_REQUIRE_SHARED();
        torch::set_num_threads(1);
    }

    void tokenizerEncodings()
    {
        const auto tok = text::Llama2cTokenizer::fromFile(tokenizer(), 512);
        QCOMPARE(tok.encode("Once upon a time, there was a little girl named Lily."),
                 (std::vector<int32_t>{1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426}));
        QCOMPARE(tok.encode(""), (std::vector<int32_t>{1}));
        QCOMPARE(tok.decode(tok.encode("Once upon a time, there was a little girl named Lily.")),
                 std::string("Once upon a time, there was a little girl named Lily."));
        // Characters outside the vocabulary fall back to byte tokens and decode back to the same bytes.
        QCOMPARE(tok.decode(tok.encode("Ünïcode ☃")), std::string("Ünïcode ☃"));
    }

    void documentedLogits()
    {
        auto m = nn::Llama2cLoader::load(model());
        QCOMPARE(m->config().dim, int64_t(64));
        QCOMPARE(m->config().nKvHeads, int64_t(4));
        torch::NoGradGuard noGrad;
        const auto logits = m->forward(torch::tensor(std::vector<int64_t>{1, 403, 407}).unsqueeze(0))[0]; // [3, 512]
        const float expected[3][3] = {
            {-6.22291f, 8.40434f, 12.76917f}, {-9.58946f, 3.84128f, 7.04168f}, {-12.14110f, 1.77625f, 4.81698f}};
        const int64_t argmax[3] = {403, 407, 261};
        for (int p = 0; p < 3; ++p) {
            const auto row = logits[p];
            const int64_t ids[3] = {0, 1, 317};
            for (int k = 0; k < 3; ++k) {
                const float got = row[ids[k]].item<float>();
                QVERIFY2(
                    std::fabs(got - expected[p][k]) < 1e-4,
                    qPrintable(
                        QString("position %1 logit %2: %3 vs %4").arg(p).arg(ids[k]).arg(got).arg(expected[p][k])));
            }
            QCOMPARE(row.argmax().item<int64_t>(), argmax[p]);
        }
    }

    void greedyFromBosGivesTheGoldenText()
    {
        auto m = nn::Llama2cLoader::load(model());
        const auto tok = text::Llama2cTokenizer::fromFile(tokenizer(), 512);
        const auto ids = gen::greedyDecode(*m, {text::Llama2cTokenizer::kBos}, 256, /*useCache=*/true);
        QCOMPARE(ids.size(), size_t(256));
        std::vector<int32_t> all{text::Llama2cTokenizer::kBos};
        all.insert(all.end(), ids.begin(), ids.end());
        std::ifstream in(test::sharedPath("models/stories260K/stories260K_greedy_golden.txt"), std::ios::binary);
        const std::string golden(std::istreambuf_iterator<char>(in), {});
        const std::string text = tok.decode(all);
        QCOMPARE(QString::fromStdString(text).trimmed(), QString::fromStdString(golden).trimmed());
    }

    void kvCacheMatchesRecomputation()
    {
        auto m = nn::Llama2cLoader::load(model());
        const auto tok = text::Llama2cTokenizer::fromFile(tokenizer(), 512);
        const auto prompt = tok.encode("Lily and Ben went to the park");
        QCOMPARE(gen::greedyDecode(*m, prompt, 64, true), gen::greedyDecode(*m, prompt, 64, false));
    }

    void batchedDecodingMatchesOneAtATime()
    {
        auto m = nn::Llama2cLoader::load(model());
        const auto tok = text::Llama2cTokenizer::fromFile(tokenizer(), 512);
        // Different lengths: shorter prompts are left-padded, their positions start at their first token.
        const std::vector<std::vector<int32_t>> prompts = {tok.encode("Lily went to"),
                                                           tok.encode("Tom"),
                                                           tok.encode("Once upon a time, there was a little"),
                                                           {text::Llama2cTokenizer::kBos}};
        QVERIFY(prompts[0].size() != prompts[1].size());
        gen::DecodingOptions o;
        o.maxNewTokens = 48;
        o.stopToken = text::Llama2cTokenizer::kEos;
        const auto batched = gen::decodeBatch(*m, prompts, o);
        for (size_t i = 0; i < prompts.size(); ++i)
            QCOMPARE(batched[i], gen::greedyDecode(*m, prompts[i], 48, true, text::Llama2cTokenizer::kEos));
    }

    void samplingIsSeededAndTopPNarrowsToGreedy()
    {
        auto m = nn::Llama2cLoader::load(model());
        gen::DecodingOptions o;
        o.greedy = false;
        o.temperature = 1.0;
        o.maxNewTokens = 40;
        o.seed = 11;
        const std::vector<int32_t> bos{text::Llama2cTokenizer::kBos};
        const auto a = gen::decode(*m, bos, o);
        QCOMPARE(gen::decode(*m, bos, o), a);
        o.seed = 12;
        QVERIFY(gen::decode(*m, bos, o) != a);
        o.topP = 1e-9; // only the most likely token survives
        QCOMPARE(gen::decode(*m, bos, o), gen::greedyDecode(*m, bos, 40));
    }

    void scoringAgreesWithTheLogits()
    {
        auto m = nn::Llama2cLoader::load(model());
        // Greedy tokens after BOS: 403 (" Once"), 407 (" upon"), 261 (" a").
        const auto lp = gen::scoreContinuation(*m, {1}, {403, 407, 261});
        QCOMPARE(lp.size(), size_t(3));
        torch::NoGradGuard noGrad;
        const auto logits = m->forward(torch::tensor(std::vector<int64_t>{1, 403, 407}).unsqueeze(0))[0];
        const int64_t next[3] = {403, 407, 261};
        for (int p = 0; p < 3; ++p) {
            const double want = torch::log_softmax(logits[p].to(torch::kFloat64), -1)[next[p]].item<double>();
            QVERIFY(std::fabs(lp[size_t(p)] - want) < 1e-6);
            QVERIFY(lp[size_t(p)] < 0.0);
        }
    }

    // Saved by CoTLab as a Hugging Face Llama folder (half-layout rotary, HF names) and loaded back.
    void convertedToHfFolderGivesTheSameLogits()
    {
        test::TempDir dir;
        auto m = nn::Llama2cLoader::load(model());
        const std::string folder = dir.path("stories260K-hf");
        m->saveHf(folder);
        QVERIFY(QFile::exists(QString::fromStdString(folder + "/config.json")));
        auto hf = nn::LlamaImpl::loadHf(folder);
        QVERIFY(!hf->config().interleavedRope);
        const auto tok = text::Llama2cTokenizer::fromFile(tokenizer(), 512);
        const auto ids = tok.encode("Once upon a time, there was a little girl named Lily. She loved to play.");
        torch::NoGradGuard noGrad;
        const auto input = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end())).unsqueeze(0);
        const double diff = (m->forward(input) - hf->forward(input)).abs().max().item<double>();
        qInfo() << "max |logit difference| after the round trip:" << diff;
        QVERIFY(diff < 1e-4);
        QCOMPARE(gen::greedyDecode(*hf, {1}, 64), gen::greedyDecode(*m, {1}, 64));
    }

    // Llama 3.1/3.2's rope_scaling ("llama3"): rotary frequencies against transformers'
    // _compute_llama3_parameters, evaluated in Python for head_dim 64, theta 500000, factor 32 (Llama 3.2 1B).
    void llama3RopeScaling()
    {
        const nlohmann::json config = {{"model_type", "llama"},
                                       {"hidden_size", 128},
                                       {"intermediate_size", 256},
                                       {"num_hidden_layers", 1},
                                       {"num_attention_heads", 2},
                                       {"num_key_value_heads", 1},
                                       {"vocab_size", 16},
                                       {"max_position_embeddings", 2048},
                                       {"rope_theta", 500000.0},
                                       {"rope_scaling",
                                        {{"rope_type", "llama3"},
                                         {"factor", 32.0},
                                         {"low_freq_factor", 1.0},
                                         {"high_freq_factor", 4.0},
                                         {"original_max_position_embeddings", 8192}}}};
        nn::Llama m(nn::llamaConfig(config, "test"));
        const auto cos = m->named_buffers()["rope_cos"][1000]; // position 1000
        const std::vector<int64_t> at{0, 8, 14, 16, 18, 24, 31};
        const std::vector<double> want{0.562379, 0.995671, -0.997561, 0.90915, 0.999811, 0.999999, 1.0};
        for (size_t i = 0; i < at.size(); ++i)
            QVERIFY2(std::fabs(cos[at[i]].item<double>() - want[i]) < 1e-4, qPrintable(QString::number(at[i])));
        auto bad = config;
        bad["rope_scaling"]["rope_type"] = "yarn";
        QVERIFY_THROWS_EXCEPTION(Error, nn::llamaConfig(bad, "test"));
    }

    void incompleteHfFolderNamesTheTensor()
    {
        test::TempDir dir;
        auto m = nn::Llama2cLoader::load(model());
        const std::string folder = dir.path("hf");
        m->saveHf(folder);
        auto weights = nn::Safetensors::read(folder + "/model.safetensors");
        weights.erase("model.layers.3.self_attn.k_proj.weight");
        nn::Safetensors::write(folder + "/model.safetensors", weights);
        try {
            nn::LlamaImpl::loadHf(folder);
            QFAIL("loaded a folder without a tensor");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(
                         "model.layers.3.self_attn.k_proj.weight is missing (expected shape [32, 64])"),
                     e.what());
        }
        weights["model.layers.3.self_attn.k_proj.weight"] = torch::zeros({64, 64});
        nn::Safetensors::write(folder + "/model.safetensors", weights);
        try {
            nn::LlamaImpl::loadHf(folder);
            QFAIL("loaded a tensor of the wrong shape");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("has shape [64, 64], expected [32, 64]"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, nn::LlamaImpl::loadHf(dir.path("nowhere")));
    }

    void wrongFilesNameTheProblem()
    {
        test::TempDir dir;
        // The model file cut short.
        std::ifstream in(model(), std::ios::binary);
        std::string bytes(std::istreambuf_iterator<char>(in), {});
        bytes.resize(bytes.size() / 2);
        const auto cut = test::writeFile(dir.path("cut.bin"), bytes);
        try {
            nn::Llama2cLoader::load(cut);
            QFAIL("loaded a truncated model");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("truncated"), e.what());
        }
        // A tokenizer file given as the model.
        QVERIFY_THROWS_EXCEPTION(Error, nn::Llama2cLoader::load(tokenizer()));
        // A model file given as the tokenizer.
        QVERIFY_THROWS_EXCEPTION(Error, text::Llama2cTokenizer::fromFile(model(), 512));
    }
};

QTEST_GUILESS_MAIN(TestLlama2c)
#include "TestLlama2c.moc"
