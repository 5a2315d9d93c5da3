"""Writes tests/data/opt-tiny (pre-norm, like OPT-125M/1.3B) and tests/data/opt-tiny-postnorm (post-norm with
project_in/project_out, like OPT-350M): random weights in Hugging Face's OPTForCausalLM names (safetensors +
config.json) and logits.json, computed by this independent PyTorch implementation of transformers' OPT forward
(learned positions offset by 2, q scaled by head_dim^-0.5, ReLU MLP, head tied to embed_tokens).
Run with Debian's python3-torch: /usr/bin/python3 tests/data/make_opt_fixture.py"""
import json, os
import torch
from fixture_util import write_safetensors

here = os.path.dirname(os.path.abspath(__file__))
D, L, H, F, P, V = 32, 2, 4, 64, 64, 300


def make(name, pre_norm, word_dim, seed):
    out = os.path.join(here, name)
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(seed)
    r = lambda *s: torch.randn(*s) * 0.2
    pre = "model.decoder."
    w = {pre + "embed_tokens.weight": r(V, word_dim), pre + "embed_positions.weight": r(P + 2, D)}
    if word_dim != D:
        w[pre + "project_in.weight"] = r(D, word_dim)
        w[pre + "project_out.weight"] = r(word_dim, D)
    if pre_norm:
        w[pre + "final_layer_norm.weight"] = 1 + r(D)
        w[pre + "final_layer_norm.bias"] = r(D)
    for i in range(L):
        p = f"{pre}layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            w[p + f"self_attn.{proj}.weight"] = r(D, D)
            w[p + f"self_attn.{proj}.bias"] = r(D)
        w.update({p + "self_attn_layer_norm.weight": 1 + r(D), p + "self_attn_layer_norm.bias": r(D),
                  p + "fc1.weight": r(F, D), p + "fc1.bias": r(F), p + "fc2.weight": r(D, F), p + "fc2.bias": r(D),
                  p + "final_layer_norm.weight": 1 + r(D), p + "final_layer_norm.bias": r(D)})
    w["lm_head.weight"] = w[pre + "embed_tokens.weight"]  # transformers saves the tied head too
    write_safetensors(os.path.join(out, "model.safetensors"), w)
    json.dump({"model_type": "opt", "architectures": ["OPTForCausalLM"], "hidden_size": D, "num_hidden_layers": L,
               "num_attention_heads": H, "ffn_dim": F, "max_position_embeddings": P, "vocab_size": V,
               "word_embed_proj_dim": word_dim, "do_layer_norm_before": pre_norm, "activation_function": "relu",
               "enable_bias": True, "layer_norm_elementwise_affine": True, "bos_token_id": 2, "eos_token_id": 2,
               "pad_token_id": 1}, open(os.path.join(out, "config.json"), "w"), indent=2)

    lin = lambda x, p: torch.nn.functional.linear(x, w[p + ".weight"], w.get(p + ".bias"))
    ln = lambda x, p: torch.nn.functional.layer_norm(x, (D,), w[p + ".weight"], w[p + ".bias"], 1e-5)
    ids = torch.tensor([[2, 17, 42, 299, 0, 123, 7, 64, 250, 3]])
    T, hd = ids.shape[1], D // H
    x = w[pre + "embed_tokens.weight"][ids]
    if word_dim != D:
        x = lin(x, pre + "project_in")
    # transformers: positions = cumsum(attention_mask) - 1, looked up 2 rows into the table
    x = x + w[pre + "embed_positions.weight"][torch.arange(T) + 2]
    for i in range(L):
        p = f"{pre}layers.{i}."
        res = x
        if pre_norm:
            x = ln(x, p + "self_attn_layer_norm")
        sh = lambda t: t.view(1, T, H, hd).transpose(1, 2)
        q = sh(lin(x, p + "self_attn.q_proj") * hd ** -0.5)
        k, v = sh(lin(x, p + "self_attn.k_proj")), sh(lin(x, p + "self_attn.v_proj"))
        att = (q @ k.transpose(-1, -2)).masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
        x = res + lin((att.softmax(-1) @ v).transpose(1, 2).reshape(1, T, D), p + "self_attn.out_proj")
        if not pre_norm:
            x = ln(x, p + "self_attn_layer_norm")
        res = x
        if pre_norm:
            x = ln(x, p + "final_layer_norm")
        x = res + lin(torch.relu(lin(x, p + "fc1")), p + "fc2")
        if not pre_norm:
            x = ln(x, p + "final_layer_norm")
    if pre_norm:
        x = ln(x, pre + "final_layer_norm")
    if word_dim != D:
        x = lin(x, pre + "project_out")
    logits = x @ w[pre + "embed_tokens.weight"].T
    json.dump({"input_ids": ids[0].tolist(), "logits": logits[0].tolist(), "torch": torch.__version__},
              open(os.path.join(out, "logits.json"), "w"))
    print("wrote", out, "logits", tuple(logits.shape))


make("opt-tiny", pre_norm=True, word_dim=D, seed=4321)
make("opt-tiny-postnorm", pre_norm=False, word_dim=16, seed=8765)
