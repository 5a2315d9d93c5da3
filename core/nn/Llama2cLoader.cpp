#include "nn/Llama2cLoader.h"

#include "util/Error.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace cotlab::nn {

Llama Llama2cLoader::load(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open model file");
    int32_t header[7];
    in.read(reinterpret_cast<char*>(header), sizeof header);
    if (!in)
        throw Error(path + ": too short for a llama2.c header");
    LlamaConfig c;
    c.dim = header[0];
    c.hiddenDim = header[1];
    c.nLayers = header[2];
    c.nHeads = header[3];
    c.nKvHeads = header[4];
    c.tiedEmbeddings = header[5] > 0;
    c.vocabSize = std::abs(header[5]);
    c.maxSeqLen = header[6];
    c.interleavedRope = true;
    if (c.dim <= 0 || c.nHeads <= 0 || c.nKvHeads <= 0 || c.dim % c.nHeads != 0 || c.nHeads % c.nKvHeads != 0 ||
        c.nLayers <= 0 || c.hiddenDim <= 0 || c.vocabSize <= 0 || c.maxSeqLen <= 0)
        throw Error(path + ": not a llama2.c checkpoint (implausible header: dim " + std::to_string(c.dim) +
                    ", heads " + std::to_string(c.nHeads) + ", kv heads " + std::to_string(c.nKvHeads) + ")");

    const int64_t L = c.nLayers, hd = c.headDim(), kv = c.nKvHeads * hd;
    const int64_t expected = 28 + 4 * (c.vocabSize * c.dim + L * c.dim + L * c.dim * c.dim + 2 * L * kv * c.dim +
                                       L * c.dim * c.dim + L * c.dim + 3 * L * c.hiddenDim * c.dim + c.dim +
                                       c.maxSeqLen * hd + (c.tiedEmbeddings ? 0 : c.vocabSize * c.dim));
    std::error_code ec;
    const auto size = int64_t(std::filesystem::file_size(path, ec));
    if (size != expected)
        throw Error(path + ": " + std::to_string(size) + " bytes, but its header (dim " + std::to_string(c.dim) +
                    ", layers " + std::to_string(L) + ", vocabulary " + std::to_string(c.vocabSize) + ") needs " +
                    std::to_string(expected) + "; the file is truncated or not a llama2.c checkpoint");

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
