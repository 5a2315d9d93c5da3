"""The same greedy loop as bench_decode in PyTorch eager (Debian's python3-torch): stories260K from its
llama2.c .bin, KV cache, batch 1 and 32, 256 new tokens from BOS. Run with /usr/bin/python3."""
import argparse, os, struct, time
import numpy as np
import torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--model", default=os.path.join(os.path.dirname(__file__), "../../../shared/models/stories260K/stories260K.bin"))
args = p.parse_args()
torch.set_num_threads(args.threads)

with open(args.model, "rb") as f:
    dim, hidden, layers, heads, kv_heads, vocab, seq_len = struct.unpack("7i", f.read(28))
    data = np.frombuffer(f.read(), dtype=np.float32)
hd, kv = dim // heads, kv_heads * (dim // heads)
off = 0
def take(*shape):
    global off
    n = int(np.prod(shape)); t = torch.from_numpy(data[off:off + n].copy()).view(*shape); off += n; return t
emb = take(vocab, dim); rms_att = take(layers, dim); wq = take(layers, dim, dim); wk = take(layers, kv, dim)
wv = take(layers, kv, dim); wo = take(layers, dim, dim); rms_ffn = take(layers, dim); w1 = take(layers, hidden, dim)
w2 = take(layers, dim, hidden); w3 = take(layers, hidden, dim); rms_final = take(dim)
inv = 1.0 / (10000.0 ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
ang = torch.outer(torch.arange(seq_len, dtype=torch.float64), inv)
cos, sin = ang.cos().float(), ang.sin().float()

def rms(x, w): return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w
def rope(x, start):  # x [b, h, t, hd], interleaved pairs
    t = x.shape[2]; c, s = cos[start:start + t], sin[start:start + t]
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), -1).flatten(-2)

@torch.no_grad()
def forward(tokens, cache, start):
    b, t = tokens.shape
    h = emb[tokens]
    mask = torch.ones(t, start + t, dtype=torch.bool).tril(start)
    for l in range(layers):
        x = rms(h, rms_att[l])
        q = (x @ wq[l].T).view(b, t, heads, hd).transpose(1, 2)
        k = (x @ wk[l].T).view(b, t, kv_heads, hd).transpose(1, 2)
        v = (x @ wv[l].T).view(b, t, kv_heads, hd).transpose(1, 2)
        q, k = rope(q, start), rope(k, start)
        if cache[l] is not None:
            k = torch.cat((cache[l][0], k), 2); v = torch.cat((cache[l][1], v), 2)
        cache[l] = (k, v)
        k = k.repeat_interleave(heads // kv_heads, 1); v = v.repeat_interleave(heads // kv_heads, 1)
        att = (q @ k.transpose(-2, -1)) / hd ** 0.5
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        h = h + (att @ v).transpose(1, 2).reshape(b, t, dim) @ wo[l].T
        f = rms(h, rms_ffn[l])
        h = h + (torch.nn.functional.silu(f @ w1[l].T) * (f @ w3[l].T)) @ w2[l].T
    return rms(h, rms_final) @ emb.T

def greedy(batch, steps):
    cache = [None] * layers
    inp = torch.ones(batch, 1, dtype=torch.long)
    out = []
    for step in range(steps):
        logits = forward(inp, cache, step)
        nxt = logits[:, -1].argmax(-1)
        out.append(nxt)
        inp = nxt.unsqueeze(1)
    return torch.stack(out, 1)

def bench(name, fn, steps):
    for batch in (1, 32):
        fn(batch, 8)
        best = min((lambda t0: (fn(batch, steps), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(3))
        print(f"pytorch {name} batch {batch:2d}: {batch * steps / best:8.1f} tokens/s ({steps} steps, best of 3, {args.threads} threads, torch {torch.__version__})")

bench("stories260K", greedy, 256)

# GPT-2 small's shape, random weights: the same greedy loop with a KV cache (transformers' GPT-2 forward).
G_D, G_L, G_H, G_V, G_P = 768, 12, 12, 50257, 1024
torch.manual_seed(0)
g = {"wte": torch.randn(G_V, G_D) * 0.02, "wpe": torch.randn(G_P, G_D) * 0.01, "lnf_w": torch.ones(G_D), "lnf_b": torch.zeros(G_D)}
gl = [{"ln1_w": torch.ones(G_D), "ln1_b": torch.zeros(G_D), "attn_w": torch.randn(G_D, 3 * G_D) * 0.02, "attn_b": torch.zeros(3 * G_D),
       "proj_w": torch.randn(G_D, G_D) * 0.02, "proj_b": torch.zeros(G_D), "ln2_w": torch.ones(G_D), "ln2_b": torch.zeros(G_D),
       "fc_w": torch.randn(G_D, 4 * G_D) * 0.02, "fc_b": torch.zeros(4 * G_D), "fc2_w": torch.randn(4 * G_D, G_D) * 0.02,
       "fc2_b": torch.zeros(G_D)} for _ in range(G_L)]
F = torch.nn.functional

@torch.no_grad()
def gpt2_forward(tokens, cache, start):
    b, t = tokens.shape
    x = g["wte"][tokens] + g["wpe"][start:start + t]
    mask = torch.ones(t, start + t, dtype=torch.bool).tril(start)
    hd = G_D // G_H
    for i, l in enumerate(gl):
        q, k, v = torch.addmm(l["attn_b"], F.layer_norm(x, (G_D,), l["ln1_w"], l["ln1_b"]).view(-1, G_D), l["attn_w"]).view(b, t, 3 * G_D).split(G_D, 2)
        q, k, v = [z.view(b, t, G_H, hd).transpose(1, 2) for z in (q, k, v)]
        if cache[i] is not None:
            k = torch.cat((cache[i][0], k), 2); v = torch.cat((cache[i][1], v), 2)
        cache[i] = (k, v)
        att = ((q @ k.transpose(-2, -1)) / hd ** 0.5).masked_fill(~mask, float("-inf")).softmax(-1)
        x = x + torch.addmm(l["proj_b"], (att @ v).transpose(1, 2).reshape(-1, G_D), l["proj_w"]).view(b, t, G_D)
        hmid = F.gelu(torch.addmm(l["fc_b"], F.layer_norm(x, (G_D,), l["ln2_w"], l["ln2_b"]).view(-1, G_D), l["fc_w"]), approximate="tanh")
        x = x + torch.addmm(l["fc2_b"], hmid, l["fc2_w"]).view(b, t, G_D)
    return F.layer_norm(x, (G_D,), g["lnf_w"], g["lnf_b"]) @ g["wte"].T

def gpt2_greedy(batch, steps):
    cache = [None] * G_L
    inp = torch.ones(batch, 1, dtype=torch.long)
    for step in range(steps):
        inp = gpt2_forward(inp, cache, step)[:, -1].argmax(-1).unsqueeze(1)

bench("gpt2-small ", gpt2_greedy, 64)
