// OPT folders: reference logits from an independent PyTorch implementation (tests/data/make_opt_fixture.py) for
// the pre-norm (125M-like) and post-norm with projections (350M-like) variants; save and reload; KV cache and
// padded batches agree with recomputation and with one prompt at a time.
#include "gen/Decoding.h"
#include "nn/ModelLoader.h"
#include "nn/Opt.h"
#include "nn/Safetensors.h"
#include "support/ReferenceLogits.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QtTest>
#include <filesystem>

using namespace cotlab;

class TestOpt : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void matchesTheReferenceImplementation_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::newRow("pre-norm") << "opt-tiny";
        QTest::newRow("post-norm, projected") << "opt-tiny-postnorm";
    }
    void matchesTheReferenceImplementation()
    {
        QFETCH(QString, fixture);
        const std::string folder = test::testDataPath(fixture.toStdString());
        auto m = nn::loadCausalLm(folder);
        QCOMPARE(m->family(), std::string("opt"));
        const double worst = test::maxLogitDifference(*m, folder + "/logits.json");
        qInfo() << fixture << "max |logit difference| against the reference:" << worst;
        QVERIFY(worst < 1e-4);
    }

    void savesAndReloadsIdentically_data() { matchesTheReferenceImplementation_data(); }
    void savesAndReloadsIdentically()
    {
        QFETCH(QString, fixture);
        const std::string folder = test::testDataPath(fixture.toStdString());
        test::TempDir dir;
        auto m = nn::OptImpl::loadHf(folder);
        m->saveHf(dir.path("saved"));
        auto again = nn::loadCausalLm(dir.path("saved"));
        torch::NoGradGuard noGrad;
        const auto tokens = torch::tensor(std::vector<int64_t>{2, 5, 77, 123, 299}).unsqueeze(0);
        QVERIFY(torch::equal(m->forward(tokens), again->forward(tokens)));
        // Every tensor written is one transformers would read (lm_head is tied, so not written).
        const auto original = nn::Safetensors::read(folder + "/model.safetensors");
        for (const auto& [name, t] : nn::Safetensors::read(dir.path("saved/model.safetensors")))
            QVERIFY2(original.count(name) && torch::equal(original.at(name), t), name.c_str());
    }

    void cacheAndPaddedBatchesAgree_data() { matchesTheReferenceImplementation_data(); }
    void cacheAndPaddedBatchesAgree()
    {
        QFETCH(QString, fixture);
        auto m = nn::loadCausalLm(test::testDataPath(fixture.toStdString()));
        const std::vector<int32_t> prompt{2, 17, 42};
        QCOMPARE(gen::greedyDecode(*m, prompt, 30, true), gen::greedyDecode(*m, prompt, 30, false));
        const std::vector<std::vector<int32_t>> prompts{{2, 17, 42}, {2}, {2, 9, 8, 7, 6, 5, 4}, {2, 250}};
        gen::DecodingOptions o;
        o.maxNewTokens = 20;
        o.padToken = 1;
        const auto batched = gen::decodeBatch(*m, prompts, o);
        for (size_t i = 0; i < prompts.size(); ++i)
            QCOMPARE(batched[i], gen::greedyDecode(*m, prompts[i], 20));
    }

    void wrongFoldersNameTheProblem()
    {
        test::TempDir dir;
        const std::string folder = dir.path("opt");
        std::filesystem::copy(test::testDataPath("opt-tiny"), folder);
        auto w = nn::Safetensors::read(folder + "/model.safetensors");
        w.erase("model.decoder.layers.1.fc2.weight");
        nn::Safetensors::write(folder + "/model.safetensors", w);
        try {
            nn::loadCausalLm(folder);
            QFAIL("loaded a folder with a missing tensor");
        } catch (const Error& e) {
            QVERIFY2(
                QString(e.what()).contains("model.decoder.layers.1.fc2.weight is missing (expected shape [32, 64])"),
                e.what());
        }
        test::writeFile(folder + "/config.json", R"({"model_type": "bloom"})");
        try {
            nn::loadCausalLm(folder);
            QFAIL("loaded an unknown model type");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("model_type 'bloom' is not supported"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestOpt)
#include "TestOpt.moc"
