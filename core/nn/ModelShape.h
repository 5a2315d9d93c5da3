#pragma once

// A model's shape read from its files without loading its weights: what a memory plan needs (parameters, layers,
// widths, the linear layers LoRA can adapt, the stored dtype). No torch: the Train page computes plans as the user
// edits settings.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::nn {

struct LinearShape {
    std::string name; // the Hugging Face module name, e.g. model.layers.0.self_attn.q_proj
    int64_t in = 0, out = 0;
};

struct ModelShape {
    std::string family; // gpt2, opt, llama (qwen2 and mistral read as llama)
    int64_t layers = 0, dim = 0, heads = 0, kvHeads = 0;
    int64_t ffnDim = 0; // the MLP's inner width
    int64_t vocab = 0, maxPositions = 0;
    int64_t parameters = 0;
    int64_t storedBytesPerParameter = 4; // of the files (torch_dtype)
    bool gatedMlp = false;               // SwiGLU (Llama): three MLP projections
    std::vector<LinearShape> linears;    // every adaptable linear layer, in model order
    std::string firstBlock;              // the first block's module prefix ("model.layers.0.")
};

// An HF model folder, a llama2.c .bin, or a LoRA adapter folder (its base). Error naming the path otherwise.
ModelShape readModelShape(const std::string& path);

// Where a model's tokenizer is read from: the given file or folder; else an adapter's own folder when it holds one
// (tokenizer.json, vocab.json or tokenizer.bin), its base's otherwise; else the model folder. Error for a llama2.c
// checkpoint (a file), which needs its tokenizer given. 'adapter' is one applied to the model from elsewhere.
std::string tokenizerPathOf(const std::string& modelPath, const std::optional<std::string>& tokenizer,
                            const std::string& adapter = {});

} // namespace cotlab::nn
