#include "nn/Llama2cLoader.h"

#include "util/Error.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace cotlab::nn {

Llama Llama2cLoader::load(const std::string& path)
{
    const LlamaConfig c = llama2cConfig(path);
    const int64_t L = c.nLayers, hd = c.headDim(), kv = c.nKvHeads * hd;
    std::ifstream in(path, std::ios::binary);
    in.seekg(28); // after the header
    Llama model(c);
    torch::NoGradGuard noGrad;
    auto read = [&](const char* name, std::vector<int64_t> shape) {
        auto t = torch::empty(shape, torch::kFloat32);
        in.read(reinterpret_cast<char*>(t.data_ptr<float>()), std::streamsize(t.numel() * 4));
        if (!in)
            throw Error(path + ": truncated in tensor " + name);
        return t;
    };
    model->embedding->weight.copy_(read("token_embedding", {c.vocabSize, c.dim}));
    // Per-layer tensors are stored layer-major for each kind in turn.
    auto perLayer = [&](const char* name, std::vector<int64_t> shape, auto assign) {
        std::vector<int64_t> full{L};
        full.insert(full.end(), shape.begin(), shape.end());
        auto all = read(name, full);
        for (int64_t i = 0; i < L; ++i)
            assign(*model->layers[size_t(i)], all[i]);
    };
    perLayer("rms_att", {c.dim}, [](auto& l, auto t) { l.attentionNorm.copy_(t); });
    perLayer("wq", {c.dim, c.dim}, [](auto& l, auto t) { l.wq->weight.copy_(t); });
    perLayer("wk", {kv, c.dim}, [](auto& l, auto t) { l.wk->weight.copy_(t); });
    perLayer("wv", {kv, c.dim}, [](auto& l, auto t) { l.wv->weight.copy_(t); });
    perLayer("wo", {c.dim, c.dim}, [](auto& l, auto t) { l.wo->weight.copy_(t); });
    perLayer("rms_ffn", {c.dim}, [](auto& l, auto t) { l.ffnNorm.copy_(t); });
    perLayer("w1", {c.hiddenDim, c.dim}, [](auto& l, auto t) { l.w1->weight.copy_(t); });
    perLayer("w2", {c.dim, c.hiddenDim}, [](auto& l, auto t) { l.w2->weight.copy_(t); });
    perLayer("w3", {c.hiddenDim, c.dim}, [](auto& l, auto t) { l.w3->weight.copy_(t); });
    model->finalNorm.copy_(read("rms_final", {c.dim}));
    read("freq_cis_real", {c.maxSeqLen, hd / 2}); // recomputed from theta; skipped
    read("freq_cis_imag", {c.maxSeqLen, hd / 2});
    if (!c.tiedEmbeddings)
        model->lmHead->weight.copy_(read("wcls", {c.vocabSize, c.dim}));
    model->eval();
    return model;
}

} // namespace cotlab::nn
