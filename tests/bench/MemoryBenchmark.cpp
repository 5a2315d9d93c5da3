// Peak memory of training steps against the memory plan (train/MemoryPlan) the Train page and
// `cotlab-cli train --dry-run` show. Real students' shapes (GPT-2 small, OPT-350M, OPT-1.3B, Qwen2.5-0.5B) are
// made as Hugging Face folders whose safetensors file is sparse and all zeros (no download, almost no disk); each
// case then runs in a fresh process that loads the folder as a training run does (a bf16 base loads straight in
// bf16), attaches LoRA or not, sets activation checkpointing, and takes two optimizer steps (the second holds
// AdamW's moments, gradients and activations at once) on full-length random examples through
// cotlab::train::Trainer. The process's peak resident set (VmHWM) is compared with the plan's total.
//   build/tests/bench/bench_memory [--threads N] [--only NAME] [--folder DIR]
// Folders are made once under DIR (default /tmp/cotlab-memory-shapes).
#include "nn/CpuThreads.h"
#include "nn/DeviceMemory.h"
#include "nn/Gpt2.h"
#include "nn/Llama.h"
#include "nn/Lora.h"
#include "nn/ModelConfig.h"
#include "nn/ModelLoader.h"
#include "nn/ModelShape.h"
#include "nn/Opt.h"
#include "train/MemoryPlan.h"
#include "train/Trainer.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace cotlab;

namespace {

struct Shape {
    const char* name;
    const char* config; // config.json as the model's makers publish it (the parts CoTLab reads)
};

const Shape kShapes[] = {
    {"gpt2", R"({"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024,
                 "vocab_size": 50257})"},
    {"opt-350m", R"({"model_type": "opt", "hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16,
                     "ffn_dim": 4096, "max_position_embeddings": 2048, "vocab_size": 50272,
                     "word_embed_proj_dim": 512, "do_layer_norm_before": false})"},
    {"opt-1.3b", R"({"model_type": "opt", "hidden_size": 2048, "num_hidden_layers": 24, "num_attention_heads": 32,
                     "ffn_dim": 8192, "max_position_embeddings": 2048, "vocab_size": 50272,
                     "word_embed_proj_dim": 2048})"},
    {"qwen2.5-0.5b", R"({"model_type": "qwen2", "hidden_size": 896, "num_hidden_layers": 24,
                         "num_attention_heads": 14, "num_key_value_heads": 2, "intermediate_size": 4864,
                         "max_position_embeddings": 32768, "vocab_size": 151936, "rms_norm_eps": 1e-6,
                         "rope_theta": 1000000.0, "tie_word_embeddings": true})"},
};

struct Case {
    const char* name;
    const char* shape;
    bool lora;
    const char* basePrecision;
    bool checkpointing;
    int64_t batch, length;
};

const Case kCases[] = {
    {"gpt2-full", "gpt2", false, "fp32", false, 4, 256},
    {"gpt2-full-ckpt", "gpt2", false, "fp32", true, 4, 256},
    {"opt-350m-full-ckpt", "opt-350m", false, "fp32", true, 4, 256},
    {"opt-1.3b-lora-bf16", "opt-1.3b", true, "bf16", false, 4, 256},
    {"opt-1.3b-lora-bf16-ckpt", "opt-1.3b", true, "bf16", true, 4, 256},
    {"qwen2.5-0.5b-lora-bf16-ckpt", "qwen2.5-0.5b", true, "bf16", true, 4, 256},
};

std::shared_ptr<nn::CausalLm> emptyModel(const std::string& folder, torch::ScalarType dtype)
{
    const auto config = nn::readHfConfig(folder);
    const std::string type = config.at("model_type");
    const nn::LayerInit init{dtype, false}; // torch::empty: untouched pages, no resident memory
    if (type == "gpt2")
        return std::make_shared<nn::Gpt2Impl>(nn::gpt2Config(config, folder), init);
    if (type == "opt")
        return std::make_shared<nn::OptImpl>(nn::optConfig(config, folder), init);
    return std::make_shared<nn::LlamaImpl>(nn::llamaConfig(config, folder), init);
}

// config.json and a model.safetensors of zeros in `dtype`: the header, then a hole the size of the tensors.
void makeShape(const Shape& shape, const std::string& folder)
{
    if (fs::exists(fs::path(folder) / "model.safetensors"))
        return;
    fs::create_directories(folder);
    std::ofstream(fs::path(folder) / "config.json") << shape.config;
    auto model = emptyModel(folder, torch::kBFloat16);
    nlohmann::json header = {{"__metadata__", {{"format", "pt"}}}};
    uint64_t offset = 0;
    std::set<std::string> seen;
    for (const auto& t : model->hfTensors()) {
        if (!seen.insert(t.name).second || !t.tensor->defined())
            continue;
        const uint64_t bytes = uint64_t(t.tensor->numel()) * 2;
        header[t.name] = {
            {"dtype", "BF16"}, {"shape", t.tensor->sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    const std::string path = (fs::path(folder) / "model.safetensors").string();
    {
        std::ofstream out(path, std::ios::binary);
        uint64_t length = text.size();
        out.write(reinterpret_cast<const char*>(&length), 8);
        out << text;
    }
    fs::resize_file(path, 8 + text.size() + offset); // sparse: reads as zeros, takes no disk
    std::printf("made %s (%.2f GB of zeros as bf16) in %s\n", shape.name, double(offset) / 1e9, folder.c_str());
}

// One case in this process: load, adapt, two steps; prints "RESULT name plan measured loaded seconds".
int runCase(const Case& c, const std::string& folder)
{
    const auto shape = nn::readModelShape(folder);
    train::TrainConfig config;
    config.batchSize = c.batch;
    config.maxSteps = 2;
    config.learningRate = 1e-4;
    config.schedule = "constant";
    config.basePrecision = c.basePrecision;
    config.activationCheckpointing = c.checkpointing;
    if (c.lora) {
        nn::LoraConfig lora;
        lora.targets = {"all-linear"};
        config.lora = lora;
    }
    train::MemorySettings settings;
    settings.lora = config.lora;
    settings.basePrecision = config.basePrecision;
    settings.activationCheckpointing = c.checkpointing;
    settings.batchSize = c.batch;
    settings.maxLength = c.length;
    const auto plan = train::planMemory(shape, settings);

    nn::LoadOptions load;
    load.dtype = c.lora && std::string(c.basePrecision) == "bf16" ? torch::kBFloat16 : torch::kFloat32;
    auto model = nn::loadCausalLm(folder, load);
    if (config.lora)
        nn::attachLora(*model, *config.lora);
    model->setActivationCheckpointing(c.checkpointing);
    const int64_t loaded = nn::residentMemory();

    std::mt19937 rng(0);
    std::uniform_int_distribution<int32_t> token(3, int32_t(model->vocabSize()) - 1);
    std::vector<train::TokenizedExample> examples(size_t(c.batch * 2));
    for (auto& e : examples) {
        e.ids.resize(size_t(c.length));
        for (auto& id : e.ids)
            id = token(rng);
        e.promptLength = 1; // the loss on (almost) every token, as the plan assumes
    }
    const auto set = train::TrainingSet::fromTokens(std::move(examples)); // the trainer keeps a reference
    train::Trainer trainer(model, set, config, 0);
    const auto start = std::chrono::steady_clock::now();
    trainer.run([](const train::StepMetrics&) {});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("RESULT %s %lld %lld %lld %.1f\n", c.name, (long long)plan.total(), (long long)nn::peakMemory("cpu"),
                (long long)loaded, seconds);
    std::printf("plan: %s\n", train::describe(plan, settings).c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    int threads = 0;
    std::string only, folders = "/tmp/cotlab-memory-shapes", caseName;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!std::strcmp(argv[i], "--folder") && i + 1 < argc)
            folders = argv[++i];
        else if (!std::strcmp(argv[i], "--case") && i + 1 < argc)
            caseName = argv[++i];
    }
    if (threads > 0)
        nn::setCpuThreads(threads);
    try {
        if (!caseName.empty()) {
            for (const auto& c : kCases)
                if (caseName == c.name)
                    return runCase(c, folders + "/" + c.shape);
            std::fprintf(stderr, "no case %s\n", caseName.c_str());
            return 2;
        }
        for (const auto& s : kShapes)
            makeShape(s, folders + "/" + s.name);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    std::printf("%-30s %10s %10s %10s %8s %8s\n", "case (batch 4 x 256)", "plan", "measured", "loaded", "plan/m",
                "s/2 steps");
    for (const auto& c : kCases) {
        if (!only.empty() && only != c.name)
            continue;
        // A fresh process per case: its peak resident set is the case's alone.
        const std::string command = "'" + fs::read_symlink("/proc/self/exe").string() + "' --case " + c.name +
                                    " --folder '" + folders + "'" +
                                    (threads > 0 ? " --threads " + std::to_string(threads) : std::string());
        FILE* child = popen(command.c_str(), "r");
        char line[4096];
        bool reported = false;
        while (child && std::fgets(line, sizeof line, child)) {
            char name[128];
            long long plan = 0, measured = 0, loaded = 0;
            double seconds = 0;
            if (std::sscanf(line, "RESULT %127s %lld %lld %lld %lf", name, &plan, &measured, &loaded, &seconds) == 5) {
                std::printf("%-30s %10s %10s %10s %8.2f %8.1f\n", name, train::formatBytes(plan).c_str(),
                            train::formatBytes(measured).c_str(), train::formatBytes(loaded).c_str(),
                            double(plan) / double(measured), seconds);
                reported = true;
            } else if (std::strncmp(line, "plan:", 5) == 0) {
                std::printf("    %s", line);
            }
            std::fflush(stdout);
        }
        const int status = child ? pclose(child) : -1;
        if (!reported)
            std::printf("%-30s failed (status %d)\n", c.name, status);
    }
    return 0;
}
