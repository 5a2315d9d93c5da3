// LoRA adapters and activation checkpointing on every family: an untrained adapter changes nothing, merged
// adapters give the logits of base + adapter, PEFT-format adapters written by an independent script
// (tests/data/make_lora_fixture.py) reproduce its logits, training moves only the adapters and lowers the loss on
// real teacher rationales, resumes exactly, and checkpointing changes memory, not results.
#include "ingest/Importer.h"
#include "nn/DeviceMemory.h"
#include "nn/Gpt2.h"
#include "nn/Llama.h"
#include "nn/Llama2cLoader.h"
#include "nn/Lora.h"
#include "nn/ModelLoader.h"
#include "nn/ModelShape.h"
#include "nn/Opt.h"
#include "nn/Safetensors.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "support/ReferenceLogits.h"
#include "support/TestSupport.h"
#include "text/Tokenizer.h"
#include "train/MemoryPlan.h"
#include "train/RunRecipe.h"
#include "train/Trainer.h"
#include "train/TrainingRun.h"
#include "util/Error.h"

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace cotlab;
namespace fs = std::filesystem;

namespace {

const torch::Tensor& tokens()
{
    static const torch::Tensor t = torch::tensor({{5, 17, 42, 299, 0, 123, 7, 64, 250, 3}}, torch::kInt64);
    return t;
}

torch::Tensor logits(nn::CausalLm& m)
{
    torch::NoGradGuard noGrad;
    m.eval();
    return m.forward(tokens());
}

std::shared_ptr<nn::CausalLm> stories()
{
    return nn::Llama2cLoader::load(test::sharedPath("models/stories260K/stories260K.bin")).ptr();
}

// Every adapter's B filled with small random values, as if trained.
void randomizeAdapters(nn::CausalLm& m)
{
    torch::NoGradGuard noGrad;
    for (auto& p : m.named_parameters())
        if (p.key().ends_with("lora_B"))
            p.value().normal_(0.0, 0.1);
}

double maxDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a - b).abs().max().item<double>();
}

// The mean loss per step of a short LoRA run of stories260K on real teacher rationales.
train::TrainingRequest multiarithRun(const std::string& ws, const std::string& runDir)
{
    train::TrainingRequest r;
    r.workspace = ws;
    r.modelPath = test::sharedPath("models/stories260K/stories260K.bin");
    r.tokenizerPath = test::sharedPath("models/stories260K/tok512.bin");
    r.selection.task = "multiarith";
    r.selection.split = "test";
    r.maxLength = 160;
    r.config.batchSize = 8;
    r.config.learningRate = 5e-3;
    r.config.runDir = runDir;
    nn::LoraConfig lora;
    lora.rank = 8;
    lora.alpha = 16;
    lora.dropout = 0.1;
    lora.targets = {"all-linear"};
    r.config.lora = lora;
    return r;
}

} // namespace

class TestLora : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void zeroAdaptersKeepTheBaseLogits()
    {
        COTLAB_REQUIRE_SHARED();
        for (auto model : {nn::loadCausalLm(test::testDataPath("gpt2-tiny")),
                           nn::loadCausalLm(test::testDataPath("opt-tiny-postnorm")), stories()}) {
            const auto before = logits(*model);
            nn::LoraConfig all;
            all.targets = {"all-linear"};
            const auto adapted = nn::attachLora(*model, all);
            QVERIFY(!adapted.empty());
            QVERIFY(torch::equal(logits(*model), before));
            // Only the adapters train: every other parameter is frozen.
            for (const auto& p : model->named_parameters())
                QCOMPARE(p.value().requires_grad(), p.key().find("lora_") != std::string::npos);
        }
        // PEFT's defaults per family, and "all-linear" (the output head excluded).
        auto gpt2 = nn::loadCausalLm(test::testDataPath("gpt2-tiny"));
        QCOMPARE(nn::attachLora(*gpt2, {}),
                 (std::vector<std::string>{"transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn"}));
        auto opt = nn::loadCausalLm(test::testDataPath("opt-tiny-postnorm"));
        nn::LoraConfig all;
        all.targets = {"all-linear"};
        const auto optAll = nn::attachLora(*opt, all);
        QCOMPARE(optAll.size(), size_t(2 + 2 * 6)); // project_in/out, and six per layer
        QCOMPARE(optAll.front(), std::string("model.decoder.project_in"));
        auto llama = stories();
        QCOMPARE(nn::attachLora(*llama, {}).size(), size_t(2 * 5)); // q_proj, v_proj of five layers
    }

    void gradientsReachOnlyTheAdapters()
    {
        auto model = nn::loadCausalLm(test::testDataPath("opt-tiny"));
        nn::LoraConfig config;
        config.targets = {"q_proj", "fc2"};
        nn::attachLora(*model, config);
        randomizeAdapters(*model);
        model->train();
        model->forward(tokens()).logsumexp(-1).mean().backward();
        int64_t withGrad = 0;
        for (const auto& p : model->named_parameters()) {
            const bool adapter = p.key().find("lora_") != std::string::npos;
            QVERIFY2(p.value().grad().defined() == adapter, p.key().c_str());
            withGrad += adapter;
        }
        QCOMPARE(withGrad, int64_t(2 * 2 * 2)); // A and B of q_proj and fc2 in two layers
        QCOMPARE(nn::loraParameterCount(*model), int64_t(2 * (16 * (32 + 32) + 16 * (64 + 32)))); // r 16, two layers
    }

    // base + adapter = the merged model, in memory and file to file, for every family; a llama2.c model's adapter
    // (interleaved rotary rows) saved in Hugging Face's order applies to its Hugging Face conversion.
    void mergedAdaptersGiveTheSameLogits()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string storiesHf = dir.path("stories-hf");
        stories()->saveHf(storiesHf);
        for (const std::string& base : {test::testDataPath("gpt2-tiny"), test::testDataPath("opt-tiny-postnorm"),
                                        storiesHf, test::sharedPath("models/stories260K/stories260K.bin")}) {
            auto model = nn::loadCausalLm(base);
            nn::LoraConfig config;
            config.targets = {"all-linear"};
            config.rsLora = base == storiesHf;
            nn::attachLora(*model, config);
            randomizeAdapters(*model);
            const auto adapted = logits(*model);
            // Folding B·A into W rounds differently from adding x·Aᵀ·Bᵀ, and multi-threaded sums round differently
            // from run to run and from CPU to CPU: measured 2e-6 to 6e-6 of the largest logit on stories260K here,
            // 2.3e-5 on CI's machine (float32 through five layers); 1e-4 still leaves the adapter's effect 100x above.
            const double tolerance = 1e-4 * std::max(1.0, adapted.abs().max().item<double>());
            const double effect = maxDifference(adapted, logits(*nn::loadCausalLm(base)));
            qInfo("%s: the adapter moves the logits by %.3g; tolerance %.3g", fs::path(base).filename().c_str(), effect,
                  tolerance);
            QVERIFY2(effect > 10 * tolerance,
                     qPrintable(QString("the adapter changes the logits by only %1").arg(effect)));

            const std::string adapter = dir.path("adapter-" + fs::path(base).filename().string());
            const std::string hfBase = base.ends_with(".bin") ? storiesHf : base;
            nn::saveAdapter(*model, config, adapter, hfBase);
            nn::LoadOptions separate{.adapter = adapter, .mergeAdapter = false};
            QVERIFY2(maxDifference(logits(*nn::loadCausalLm(hfBase, separate)), adapted) < tolerance, base.c_str());
            const double folded = maxDifference(logits(*nn::loadCausalLm(adapter)), adapted); // folded on load
            QVERIFY2(
                folded < tolerance,
                qPrintable(
                    QString("%1: %2 (tolerance %3)").arg(QString::fromStdString(base)).arg(folded).arg(tolerance)));

            const std::string merged = dir.path("merged-" + fs::path(base).filename().string());
            QVERIFY(nn::mergeAdapterFolder(hfBase, adapter, merged) > 0);
            QVERIFY2(maxDifference(logits(*nn::loadCausalLm(merged)), adapted) < tolerance, base.c_str());
        }
    }

    void peftAdaptersReproduceTheirLogits()
    {
        for (const char* name : {"gpt2-tiny-lora", "opt-tiny-lora"}) {
            const std::string folder = test::testDataPath(name);
            const std::string expected = folder + "/logits.json";
            // The folder alone: its base_model_name_or_path ("../gpt2-tiny") is found beside it.
            auto merged = nn::loadCausalLm(folder);
            QVERIFY2(test::maxLogitDifference(*merged, expected) < 1e-4, name);
            const auto info = nn::readAdapterConfig(folder);
            auto separate = nn::loadCausalLm(nn::adapterBaseModel(folder), {.adapter = folder, .mergeAdapter = false});
            QVERIFY2(test::maxLogitDifference(*separate, expected) < 1e-4, name);
            QCOMPARE(info.config.rank, int64_t(4));
            // Saved again by CoTLab: the same keys and shapes PEFT wrote.
            test::TempDir dir;
            nn::saveAdapter(*separate, info.config, dir.path("again"), nn::adapterBaseModel(folder));
            const auto original = nn::Safetensors::read(folder + "/adapter_model.safetensors");
            const auto again = nn::Safetensors::read(dir.path("again/adapter_model.safetensors"));
            QCOMPARE(again.size(), original.size());
            for (const auto& [key, tensor] : original) {
                QVERIFY2(again.count(key), key.c_str());
                QVERIFY(torch::equal(again.at(key), tensor));
            }
            std::ifstream in(dir.path("again/adapter_config.json"));
            const auto config = nlohmann::json::parse(in);
            QCOMPARE(config["peft_type"].get<std::string>(), std::string("LORA"));
            QCOMPARE(config["task_type"].get<std::string>(), std::string("CAUSAL_LM"));
            QCOMPARE(config["fan_in_fan_out"].get<bool>(), std::string(name) == "gpt2-tiny-lora");
            QCOMPARE(config["use_rslora"].get<bool>(), std::string(name) == "opt-tiny-lora");
            QCOMPARE(config["bias"].get<std::string>(), std::string("none"));
        }
    }

    void badAdaptersSayWhy()
    {
        test::TempDir dir;
        const std::string gpt2 = test::testDataPath("gpt2-tiny");
        auto expectError = [&](const std::string& adapter, const std::string& words) {
            try {
                nn::loadCausalLm(gpt2, {.adapter = adapter});
                QFAIL(("loaded " + adapter).c_str());
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(words) != std::string::npos, e.what());
            }
        };
        // An OPT adapter on GPT-2 names modules GPT-2 does not have.
        expectError(test::testDataPath("opt-tiny-lora"), "does not have: the adapter belongs to another model");
        // DoRA, trained biases and per-layer ranks are refused by name.
        const std::string peft = test::testDataPath("gpt2-tiny-lora");
        for (const auto& [setting, value, words] : std::vector<std::tuple<std::string, nlohmann::json, std::string>>{
                 {"use_dora", true, "DoRA"},
                 {"bias", "all", "bias 'all'"},
                 {"rank_pattern", {{"c_attn", 8}}, "rank_pattern"},
                 {"peft_type", "IA3", "not LORA"}}) {
            const std::string folder = dir.path("bad-" + setting);
            fs::create_directories(folder);
            fs::copy_file(peft + "/adapter_model.safetensors", folder + "/adapter_model.safetensors");
            std::ifstream in(peft + "/adapter_config.json");
            auto config = nlohmann::json::parse(in);
            config[setting] = value;
            test::writeFile(folder + "/adapter_config.json", config.dump());
            expectError(folder, words);
        }
        // A rank that does not match the tensors.
        const std::string wrongRank = dir.path("wrong-rank");
        fs::create_directories(wrongRank);
        fs::copy_file(peft + "/adapter_model.safetensors", wrongRank + "/adapter_model.safetensors");
        std::ifstream in(peft + "/adapter_config.json");
        auto config = nlohmann::json::parse(in);
        config["r"] = 8;
        test::writeFile(wrongRank + "/adapter_config.json", config.dump());
        expectError(wrongRank, "needs [8, 32]");
        // A base that is a hub name: say how to give it.
        config["r"] = 4;
        config["base_model_name_or_path"] = "openai-community/gpt2";
        test::writeFile(wrongRank + "/adapter_config.json", config.dump());
        try {
            nn::loadCausalLm(wrongRank);
            QFAIL("loaded an adapter without its base");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("--model BASE --adapter") != std::string::npos, e.what());
        }
    }

    // Real teacher rationales (text-davinci-002's zero-shot CoT on MultiArith): the loss falls, the base stays as
    // it was, the run's final folder is a PEFT adapter that loads, and a stopped run resumes exactly.
    void loraTrainsTheAdaptersOnRealRationales()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const std::string ws = dir.path("w.cotlab");
        {
            store::Workspace w(ws);
            ingest::Importer::importFile(w.db(),
                                         test::sharedPath("data/teacher/zero-shot-cot-davinci002/multiarith.jsonl"));
        }
        auto request = multiarithRun(ws, dir.path("straight"));
        request.config.maxSteps = 16;
        std::vector<double> straight;
        const auto outcome = train::startRun(
            request, [&](int64_t, const train::StepMetrics& m) { straight.push_back(m.loss); }, nullptr);
        QCOMPARE(straight.size(), size_t(16));
        const double first = (straight[0] + straight[1] + straight[2]) / 3,
                     last = (straight[13] + straight[14] + straight[15]) / 3;
        qInfo() << "LoRA on multiarith: loss" << first << "->" << last;
        QVERIFY(last < first - 0.3);

        // final/ is an adapter (plus the tokenizer), small, naming its base; loading it gives the trained student.
        QVERIFY(nn::isAdapterFolder(outcome.finalFolder));
        QVERIFY(!fs::exists(outcome.finalFolder + "/model.safetensors"));
        const auto info = nn::readAdapterConfig(outcome.finalFolder);
        QVERIFY(fs::equivalent(info.baseModel, request.modelPath));
        const auto keys = nn::Safetensors::read(outcome.finalFolder + "/adapter_model.safetensors");
        QCOMPARE(keys.size(), size_t(5 * 7 * 2));
        QCOMPARE(keys.at("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").sizes().vec(),
                 (std::vector<int64_t>{8, 64}));
        QCOMPARE(keys.at("base_model.model.model.layers.4.mlp.down_proj.lora_B.weight").sizes().vec(),
                 (std::vector<int64_t>{64, 8}));
        const auto trained = nn::loadModelAndTokenizer(outcome.finalFolder, std::nullopt);
        QVERIFY(maxDifference(logits(*trained.model), logits(*stories())) > 1e-3);
        {
            store::Workspace w(ws);
            const auto run = store::RunRepository(w.db()).find(outcome.runId);
            const auto recipe = train::RunRecipe::fromJson(run->recipeJson);
            QVERIFY(recipe.method.starts_with("LoRA r 8"));
            // The plan is recorded beside the measured peak of every step.
            QVERIFY(recipe.plannedMemoryMb > 300);
            QCOMPARE(store::RunRepository(w.db()).metric(outcome.runId, "peak_memory_mb").size(), size_t(16));
        }

        // Stopped at step 6 and resumed: the same losses as the uninterrupted run (dropout included).
        request.config.runDir = dir.path("resumed");
        jobs::StopToken stop;
        std::vector<double> resumed;
        auto stopped = train::startRun(
            request,
            [&](int64_t, const train::StepMetrics& m) {
                resumed.push_back(m.loss);
                if (m.step == 6)
                    stop.requestStop();
            },
            &stop);
        QCOMPARE(stopped.status, std::string("stopped"));
        QVERIFY(fs::file_size(dir.path("resumed/checkpoint/model.safetensors")) < 200 * 1024); // adapters only
        train::resumeRun(
            ws, stopped.runId, [&](int64_t, const train::StepMetrics& m) { resumed.push_back(m.loss); }, nullptr);
        QCOMPARE(resumed.size(), straight.size());
        for (size_t i = 0; i < straight.size(); ++i)
            QVERIFY2(std::fabs(resumed[i] - straight[i]) < 1e-6,
                     qPrintable(QString("step %1: %2 vs %3").arg(i + 1).arg(resumed[i]).arg(straight[i])));
    }

    // The same loss and gradients with and without checkpointing (LoRA with dropout replays its random numbers;
    // full fine-tuning too), and a lower measured peak.
    void checkpointingChangesMemoryNotResults()
    {
        auto gradients = [](bool checkpointing, bool lora) {
            torch::manual_seed(7);
            nn::Gpt2Config c;
            c.dim = 64, c.nLayers = 4, c.nHeads = 4, c.maxSeqLen = 64, c.vocabSize = 300, c.innerDim = 256;
            auto model = std::make_shared<nn::Gpt2Impl>(c);
            if (lora) {
                nn::LoraConfig config;
                config.targets = {"all-linear"};
                config.dropout = 0.2;
                nn::attachLora(*model, config);
                randomizeAdapters(*model);
            }
            model->setActivationCheckpointing(checkpointing);
            model->train();
            torch::manual_seed(99); // the dropout masks
            const auto input = torch::randint(0, 300, {4, 64}, torch::kInt64);
            const auto loss = torch::nn::functional::cross_entropy(model->forward(input).view({-1, 300}),
                                                                   input.roll(-1, 1).view({-1}));
            loss.backward();
            std::vector<torch::Tensor> out{loss.detach()};
            for (const auto& p : model->parameters())
                if (p.requires_grad())
                    out.push_back(p.grad().clone());
            return out;
        };
        for (const bool lora : {false, true}) {
            const auto plain = gradients(false, lora), checkpointed = gradients(true, lora);
            QCOMPARE(plain.size(), checkpointed.size());
            for (size_t i = 0; i < plain.size(); ++i)
                QVERIFY2(maxDifference(plain[i], checkpointed[i]) < 1e-5, qPrintable(QString("tensor %1").arg(i)));
        }

        // Peak memory of one forward and backward, deep and long enough for activations to dominate.
        auto peak = [](bool checkpointing) {
            torch::manual_seed(1);
            nn::Gpt2Config c;
            c.dim = 128, c.nLayers = 12, c.nHeads = 8, c.maxSeqLen = 256, c.vocabSize = 512, c.innerDim = 512;
            auto model = std::make_shared<nn::Gpt2Impl>(c);
            model->setActivationCheckpointing(checkpointing);
            model->train();
            const auto input = torch::randint(0, 512, {8, 256}, torch::kInt64);
            nn::resetPeakMemory("cpu");
            const int64_t before = nn::residentMemory();
            model->forward(input).logsumexp(-1).mean().backward();
            return nn::peakMemory("cpu") - before;
        };
        // Checkpointed first: memory the allocator keeps after a run would hide the second run's growth.
        const int64_t with = peak(true), without = peak(false);
        qInfo() << "peak above the start: without checkpointing" << without / 1048576 << "MiB, with" << with / 1048576
                << "MiB";
        QVERIFY(with < without / 2);
    }

    // The plan counts what a real model holds: trainable parameters as attached, parameters as loaded.
    void memoryPlanCountsWhatTheModelHolds()
    {
        COTLAB_REQUIRE_SHARED();
        for (const std::string& path : {test::testDataPath("gpt2-tiny"), test::testDataPath("opt-tiny-postnorm"),
                                        test::sharedPath("models/stories260K/stories260K.bin")}) {
            const auto shape = nn::readModelShape(path);
            auto model = nn::loadCausalLm(path);
            int64_t parameters = 0;
            for (const auto& p : model->parameters())
                parameters += p.numel();
            QCOMPARE(shape.parameters, parameters);
            nn::LoraConfig lora;
            lora.targets = {"all-linear"};
            nn::attachLora(*model, lora);
            train::MemorySettings settings;
            settings.lora = lora;
            QCOMPARE(train::planMemory(shape, settings).trainableParameters, nn::loraParameterCount(*model));
        }
        // An OPT-1.3B-shaped config: full fine-tuning in float32 does not fit 21 GB at batch 1 x 256; the advice
        // names LoRA and checkpointing with what they would take.
        test::TempDir dir;
        fs::create_directories(dir.path("opt-1.3b"));
        test::writeFile(dir.path("opt-1.3b/config.json"),
                        R"({"model_type": "opt", "hidden_size": 2048, "num_hidden_layers": 24,
                            "num_attention_heads": 32, "ffn_dim": 8192, "max_position_embeddings": 2048,
                            "vocab_size": 50272, "word_embed_proj_dim": 2048, "torch_dtype": "float16"})");
        const auto shape = nn::readModelShape(dir.path("opt-1.3b"));
        QVERIFY(shape.parameters > 1'300'000'000 && shape.parameters < 1'330'000'000);
        train::MemorySettings full;
        full.batchSize = 1;
        full.maxLength = 256;
        const auto plan = train::planMemory(shape, full);
        QCOMPARE(plan.weights, shape.parameters * 4);
        QCOMPARE(plan.optimizer, shape.parameters * 8);
        const auto limit = int64_t(21e9); // weights, gradients and AdamW's moments alone take 16 bytes per parameter
        QVERIFY(plan.total() > limit);
        const auto ways = train::waysToFit(shape, full, limit);
        QVERIFY(!ways.empty());
        QVERIFY2(QString::fromStdString(ways.front()).startsWith("LoRA"), ways.front().c_str());
    }
};

QTEST_GUILESS_MAIN(TestLora)
#include "TestLora.moc"
