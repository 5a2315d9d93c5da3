#pragma once

// The linear layers of every model family, with an optional LoRA adapter (Hu et al. 2021): y = x W^T + b, plus
// scale * dropout(x) A^T B^T when an adapter is attached (A [rank, in], B [out, rank], as PEFT stores them).
// GPT-2 stores W as [in, out] (its Conv1D: y = x W + b); the layout says which. Include only from core and
// cotlab-cli (torch).
#include <torch/torch.h>

namespace cotlab::nn {

enum class WeightLayout {
    OutIn, // torch.nn.Linear: weight [out, in]
    InOut, // GPT-2's Conv1D: weight [in, out] (PEFT's fan_in_fan_out)
};

struct LayerInit {
    torch::ScalarType dtype = torch::kFloat32;
    // False when the weights are about to be loaded from a file: no random initialisation (which costs seconds
    // and, for a large model, as much memory traffic as the model itself).
    bool random = true;
};

class LinearLayerImpl : public torch::nn::Module {
public:
    LinearLayerImpl(int64_t in, int64_t out, bool bias, WeightLayout layout = WeightLayout::OutIn,
                    const LayerInit& init = {});
    torch::Tensor forward(const torch::Tensor& x); // [..., in] -> [..., out]

    int64_t inFeatures() const { return m_in; }
    int64_t outFeatures() const { return m_out; }
    WeightLayout layout() const { return m_layout; }

    // A float32 adapter on the layer's device: A from Kaiming-uniform (a = sqrt(5), as nn.Linear and PEFT
    // initialise it), B zero, so that the layer computes exactly what it did until B is trained.
    void attachLora(int64_t rank, double scale, double dropout);
    bool hasLora() const { return m_loraA.defined(); }
    const torch::Tensor& loraA() const { return m_loraA; } // [rank, in]
    const torch::Tensor& loraB() const { return m_loraB; } // [out, rank]
    double loraScale() const { return m_loraScale; }
    // scale * B A in the weight's layout, in float32: what merging adds to the weight.
    torch::Tensor loraDelta() const;
    // Loads trained adapter weights (shapes as attached).
    void setLora(const torch::Tensor& a, const torch::Tensor& b);
    // Adds the adapter into the weight (computed in float32) and stops applying it: inference without the adapter's
    // two extra products. The adapter's tensors stay (libtorch cannot unregister them) but no longer count.
    void foldLora();
    bool loraFolded() const { return m_loraFolded; }

    torch::Tensor weight; // [out, in] or [in, out]
    torch::Tensor bias;   // [out], or undefined

private:
    int64_t m_in, m_out;
    WeightLayout m_layout;
    torch::Tensor m_loraA, m_loraB;
    double m_loraScale = 0, m_loraDropout = 0;
    bool m_loraFolded = false;
};
TORCH_MODULE(LinearLayer);

} // namespace cotlab::nn
