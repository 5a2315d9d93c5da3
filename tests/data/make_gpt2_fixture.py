"""Writes tests/data/gpt2-tiny: a random tiny GPT-2 in Hugging Face names and Conv1D layout (safetensors +
config.json) and logits.json, computed by this independent PyTorch implementation of transformers'
GPT2LMHeadModel forward (Conv1D = x @ W + b with W [in, out], gelu_new, pre-norm blocks, tied head).
Run with Debian's python3-torch: /usr/bin/python3 tests/data/make_gpt2_fixture.py"""
import json, math, os
import torch
from fixture_util import write_safetensors

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpt2-tiny")
os.makedirs(out, exist_ok=True)
D, L, H, P, V = 32, 2, 4, 64, 300
torch.manual_seed(1234)
r = lambda *s: torch.randn(*s) * 0.2
w = {"transformer.wte.weight": r(V, D), "transformer.wpe.weight": r(P, D)}
for i in range(L):
    p = f"transformer.h.{i}."
    w.update({p + "ln_1.weight": 1 + r(D), p + "ln_1.bias": r(D), p + "attn.c_attn.weight": r(D, 3 * D),
              p + "attn.c_attn.bias": r(3 * D), p + "attn.c_proj.weight": r(D, D), p + "attn.c_proj.bias": r(D),
              p + "ln_2.weight": 1 + r(D), p + "ln_2.bias": r(D), p + "mlp.c_fc.weight": r(D, 4 * D),
              p + "mlp.c_fc.bias": r(4 * D), p + "mlp.c_proj.weight": r(4 * D, D), p + "mlp.c_proj.bias": r(D)})
w["transformer.ln_f.weight"] = 1 + r(D); w["transformer.ln_f.bias"] = r(D)

write_safetensors(os.path.join(out, "model.safetensors"), w)
json.dump({"model_type": "gpt2", "n_embd": D, "n_layer": L, "n_head": H, "n_positions": P, "vocab_size": V,
           "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}, open(os.path.join(out, "config.json"), "w"), indent=2)

def gelu_new(x): return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
def ln(x, p): return torch.nn.functional.layer_norm(x, (D,), w[p + ".weight"], w[p + ".bias"], 1e-5)
def conv1d(x, p): return torch.addmm(w[p + ".bias"], x.view(-1, x.size(-1)), w[p + ".weight"]).view(*x.shape[:-1], -1)

ids = torch.tensor([[5, 17, 42, 299, 0, 123, 7, 64, 250, 3]])
T = ids.shape[1]
x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][torch.arange(T)]
for i in range(L):
    p = f"transformer.h.{i}."
    q, k, v = conv1d(ln(x, p + "ln_1"), p + "attn.c_attn").split(D, dim=2)
    sh = lambda t: t.view(1, T, H, D // H).permute(0, 2, 1, 3)
    q, k, v = sh(q), sh(k), sh(v)
    att = (q @ k.transpose(-1, -2)) / math.sqrt(D // H)
    att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf")).softmax(-1)
    x = x + conv1d((att @ v).permute(0, 2, 1, 3).reshape(1, T, D), p + "attn.c_proj")
    x = x + conv1d(gelu_new(conv1d(ln(x, p + "ln_2"), p + "mlp.c_fc")), p + "mlp.c_proj")
logits = ln(x, "transformer.ln_f") @ w["transformer.wte.weight"].T
json.dump({"input_ids": ids[0].tolist(), "logits": logits[0].tolist(), "torch": torch.__version__},
          open(os.path.join(out, "logits.json"), "w"))
print("wrote", out, "logits", tuple(logits.shape))
