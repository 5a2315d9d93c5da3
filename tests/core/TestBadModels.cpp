// Damaged model folders, as they arrive from the internet: each is refused with one line naming the file, the key
// or tensor and what it should be, before anything large is allocated; never a libtorch stack trace or a crash.
#include "nn/ModelLoader.h"
#include "nn/ModelShape.h"
#include "support/TestSupport.h"
#include "util/Error.h"

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace cotlab;
namespace fs = std::filesystem;

class TestBadModels : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    int m_count = 0;

    // A copy of tests/data/gpt2-tiny with config.json changed by `edit`.
    std::string gpt2With(const std::function<void(nlohmann::json&)>& edit)
    {
        const std::string folder = m_dir.path("gpt2-" + std::to_string(++m_count));
        fs::copy(test::testDataPath("gpt2-tiny"), folder);
        std::ifstream in(folder + "/config.json");
        auto config = nlohmann::json::parse(in);
        edit(config);
        test::writeFile(folder + "/config.json", config.dump());
        return folder;
    }

    // Loading fails with an Error whose one line holds every part of `expected`.
    static void refused(const std::string& folder, const QStringList& expected)
    {
        try {
            nn::loadCausalLm(folder);
            QFAIL(qPrintable("loaded the damaged model " + QString::fromStdString(folder)));
        } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(!message.contains('\n'), e.what());
            QVERIFY2(!message.contains("Exception raised from"), e.what());
            for (const auto& part : expected)
                QVERIFY2(message.contains(part), qPrintable(part + " not in: " + message));
        }
    }

    // Rewrites a safetensors file's 8-byte header length, or cuts the file.
    static void setHeaderLength(const std::string& path, uint64_t length)
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.write(reinterpret_cast<const char*>(&length), 8);
    }

private Q_SLOTS:
    void configValuesAreChecked()
    {
        refused(gpt2With([](auto& c) { c["n_head"] = 0; }),
                {"config.json", "'n_head' is 0", "must be a whole number from 1"});
        refused(gpt2With([](auto& c) { c["n_embd"] = -32; }), {"config.json", "'n_embd' is -32"});
        refused(gpt2With([](auto& c) { c["n_layer"] = "2"; }), {"'n_layer' is \"2\""});
        refused(gpt2With([](auto& c) { c["n_head"] = 5; }), {"'n_embd' (32) must divide by 'n_head' (5)"});
        refused(gpt2With([](auto& c) { c["vocab_size"] = 1e15; }), {"'vocab_size'"});
        refused(gpt2With([](auto& c) { c["layer_norm_epsilon"] = -1; }), {"'layer_norm_epsilon' is -1"});
        refused(gpt2With([](auto& c) { c["model_type"] = 7; }), {"'model_type' is 7; it must be a string"});
        refused(gpt2With([](auto& c) { c = nlohmann::json::array(); }), {"config.json", "not a JSON object"});
        // The memory plan reads the same checks (the Train page shows them instead of a plan).
        const std::string zeroHeads = gpt2With([](auto& c) { c["n_head"] = 0; });
        QVERIFY_THROWS_EXCEPTION(Error, nn::readModelShape(zeroHeads));

        const std::string llama = m_dir.path("llama-heads");
        fs::create_directories(llama);
        test::writeFile(llama + "/config.json",
                        R"({"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
                            "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 3,
                            "vocab_size": 100})");
        refused(llama, {"'num_attention_heads' (4) must divide by 'num_key_value_heads' (3)"});
    }

    // A config.json of a far larger model than its weights: refused from the headers, before 38 GB are asked for.
    void configAndWeightsThatDoNotBelongTogether()
    {
        const std::string folder = gpt2With([](auto& c) {
            c["n_embd"] = 4096;
            c["n_head"] = 32;
            c["n_layer"] = 48;
        });
        refused(folder, {QString::fromStdString(folder), "config.json describes a model of",
                         "parameters but its safetensors files hold"});
        // A model of the same size with one tensor's shape changed is named with the shape config.json implies.
        const std::string narrow = gpt2With([](auto& c) { c["n_inner"] = 64; });
        refused(narrow, {"transformer.h.0.mlp.c_fc.weight", "[32, 64]"});
    }

    void damagedSafetensors()
    {
        const std::string truncated = gpt2With([](auto&) {});
        const auto size = fs::file_size(truncated + "/model.safetensors");
        fs::resize_file(truncated + "/model.safetensors", size / 2);
        refused(truncated, {"model.safetensors", "truncated download?"});

        const std::string huge = gpt2With([](auto&) {});
        setHeaderLength(huge + "/model.safetensors", uint64_t(1) << 60);
        refused(huge, {"model.safetensors", "bad header length"});

        const std::string zero = gpt2With([](auto&) {});
        setHeaderLength(zero + "/model.safetensors", 0);
        refused(zero, {"bad header length"});

        // Offsets past the end: a header that claims a tensor far larger than the file.
        const std::string past = gpt2With([](auto&) {});
        const std::string path = past + "/model.safetensors";
        std::ifstream in(path, std::ios::binary);
        uint64_t length = 0;
        in.read(reinterpret_cast<char*>(&length), 8);
        std::string header(length, '\0');
        in.read(header.data(), std::streamsize(length));
        std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        in.close();
        auto j = nlohmann::json::parse(header);
        auto& wte = j["transformer.wte.weight"];
        wte["shape"] = {300, 32000000};
        const uint64_t start = wte["data_offsets"][0].get<uint64_t>();
        wte["data_offsets"] = {start, start + uint64_t(300) * 32000000 * 4};
        std::string text = j.dump();
        text.append((8 - text.size() % 8) % 8, ' ');
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        const uint64_t newLength = text.size();
        out.write(reinterpret_cast<const char*>(&newLength), 8);
        out << text << rest;
        out.close();
        refused(past, {"transformer.wte.weight", "do not fit its shape or the file"});

        // Shapes whose element count overflows 64 bits.
        j["transformer.wte.weight"]["shape"] = {int64_t(1) << 40, int64_t(1) << 40};
        text = j.dump();
        text.append((8 - text.size() % 8) % 8, ' ');
        std::ofstream again(path, std::ios::binary | std::ios::trunc);
        const uint64_t againLength = text.size();
        again.write(reinterpret_cast<const char*>(&againLength), 8);
        again << text << rest;
        again.close();
        refused(past, {"transformer.wte.weight", "too large"});
    }
};

QTEST_GUILESS_MAIN(TestBadModels)
#include "TestBadModels.moc"
