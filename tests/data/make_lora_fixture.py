"""Writes tests/data/gpt2-tiny-lora and tests/data/opt-tiny-lora: PEFT LoRA adapters for the tiny GPT-2 and OPT
fixtures, in PEFT's own format (adapter_config.json; adapter_model.safetensors with keys
base_model.model.<module>.lora_A.weight [r, in] and .lora_B.weight [out, r]), with random A and B, and
logits.json: the base models' forward (as in make_gpt2_fixture.py / make_opt_fixture.py) with every adapted layer
computing base(x) + scale * (x @ A^T) @ B^T, PEFT's LoRA Linear forward (scale = alpha / r, or alpha / sqrt(r) with
use_rslora). The GPT-2 adapter is fan_in_fan_out (Conv1D), the OPT one rsLoRA.
Run with Debian's python3-torch: /usr/bin/python3 tests/data/make_lora_fixture.py"""
import json, math, os
import torch
from fixture_util import read_safetensors, write_safetensors

here = os.path.dirname(os.path.abspath(__file__))
ids = torch.tensor([[5, 17, 42, 299, 0, 123, 7, 64, 250, 3]])
T = ids.shape[1]
R, ALPHA = 4, 8.0


def adapter(name, base, w, targets, rslora, seed):
    torch.manual_seed(seed)
    out = os.path.join(here, name)
    os.makedirs(out, exist_ok=True)
    lora, shapes = {}, {}
    for key, t in w.items():
        module = key[: -len(".weight")]
        if not key.endswith(".weight") or not any(module.endswith("." + x) for x in targets):
            continue
        fan_in_fan_out = name.startswith("gpt2")
        n_in, n_out = (t.shape[0], t.shape[1]) if fan_in_fan_out else (t.shape[1], t.shape[0])
        a, b = torch.randn(R, n_in) * 0.3, torch.randn(n_out, R) * 0.3
        lora[module] = (a, b)
        shapes[f"base_model.model.{module}.lora_A.weight"] = a
        shapes[f"base_model.model.{module}.lora_B.weight"] = b
    write_safetensors(os.path.join(out, "adapter_model.safetensors"), shapes)
    json.dump({"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": base, "r": R,
               "lora_alpha": ALPHA, "lora_dropout": 0.1, "target_modules": targets,
               "fan_in_fan_out": name.startswith("gpt2"), "bias": "none", "use_rslora": rslora, "use_dora": False,
               "modules_to_save": None, "init_lora_weights": True, "inference_mode": True, "rank_pattern": {},
               "alpha_pattern": {}, "layers_to_transform": None, "layers_pattern": None, "revision": None},
              open(os.path.join(out, "adapter_config.json"), "w"), indent=2)
    scale = ALPHA / math.sqrt(R) if rslora else ALPHA / R
    return out, lora, scale


def lora_update(x, module, lora, scale):
    if module not in lora:
        return 0
    a, b = lora[module]
    return (x @ a.T) @ b.T * scale


def gpt2():
    w = read_safetensors(os.path.join(here, "gpt2-tiny", "model.safetensors"))
    cfg = json.load(open(os.path.join(here, "gpt2-tiny", "config.json")))
    D, L, H = cfg["n_embd"], cfg["n_layer"], cfg["n_head"]
    out, lora, scale = adapter("gpt2-tiny-lora", "../gpt2-tiny", w, ["c_attn", "c_fc"], False, 11)

    def gelu_new(x): return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    def ln(x, p): return torch.nn.functional.layer_norm(x, (D,), w[p + ".weight"], w[p + ".bias"], 1e-5)

    def conv1d(x, p):
        base = torch.addmm(w[p + ".bias"], x.reshape(-1, x.size(-1)), w[p + ".weight"]).view(*x.shape[:-1], -1)
        return base + lora_update(x, p, lora, scale)

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
    print("wrote", out, "adapted", len(lora), "modules")


def opt():
    w = read_safetensors(os.path.join(here, "opt-tiny", "model.safetensors"))
    cfg = json.load(open(os.path.join(here, "opt-tiny", "config.json")))
    D, L, H = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"]
    out, lora, scale = adapter("opt-tiny-lora", "../opt-tiny", w, ["q_proj", "v_proj", "fc2"], True, 12)
    pre = "model.decoder."

    def lin(x, p):
        return torch.nn.functional.linear(x, w[p + ".weight"], w.get(p + ".bias")) + lora_update(x, p, lora, scale)

    ln = lambda x, p: torch.nn.functional.layer_norm(x, (D,), w[p + ".weight"], w[p + ".bias"], 1e-5)
    hd = D // H
    x = w[pre + "embed_tokens.weight"][ids] + w[pre + "embed_positions.weight"][torch.arange(T) + 2]
    for i in range(L):
        p = f"{pre}layers.{i}."
        res, x = x, ln(x, p + "self_attn_layer_norm")
        sh = lambda t: t.view(1, T, H, hd).transpose(1, 2)
        q = sh(lin(x, p + "self_attn.q_proj") * hd ** -0.5)
        k, v = sh(lin(x, p + "self_attn.k_proj")), sh(lin(x, p + "self_attn.v_proj"))
        att = (q @ k.transpose(-1, -2)).masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
        x = res + lin((att.softmax(-1) @ v).transpose(1, 2).reshape(1, T, D), p + "self_attn.out_proj")
        res, x = x, ln(x, p + "final_layer_norm")
        x = res + lin(torch.relu(lin(x, p + "fc1")), p + "fc2")
    logits = ln(x, pre + "final_layer_norm") @ w[pre + "embed_tokens.weight"].T
    json.dump({"input_ids": ids[0].tolist(), "logits": logits[0].tolist(), "torch": torch.__version__},
              open(os.path.join(out, "logits.json"), "w"))
    print("wrote", out, "adapted", len(lora), "modules")


gpt2()
opt()
