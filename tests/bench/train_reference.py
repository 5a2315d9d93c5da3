"""The same training steps as bench_train in PyTorch eager (Debian's python3-torch): forward, cross-entropy on
the second half of each sequence, backward, gradient clipping to 1.0, AdamW; stories260K from its llama2.c .bin
(batch 8 x 256) and a GPT-2-small-shaped model with random weights (batch 4 x 128). Run with /usr/bin/python3."""
import argparse, math, os, struct, time
import numpy as np
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--flush-denormal", action="store_true", help="torch.set_flush_denormal(True), as CoTLab's trainer does")
p.add_argument("--bf16", action="store_true", help="forward under torch.autocast('cpu', torch.bfloat16), as CoTLab's --precision bf16")
p.add_argument("--only", choices=["stories260K", "gpt2"], help="one model instead of both")
p.add_argument("--steps", type=int, default=0, help="timed steps (default: 20 for stories260K, 5 for GPT-2 small)")
p.add_argument("--model", default=os.path.join(os.path.dirname(__file__), "../../../shared/models/stories260K/stories260K.bin"))
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.set_flush_denormal(args.flush_denormal)


class Llama(torch.nn.Module):  # llama2.c layout: interleaved rotary pairs, tied head
    def __init__(self, path):
        super().__init__()
        with open(path, "rb") as f:
            self.dim, hidden, self.layers, self.heads, self.kv_heads, self.vocab, self.seq_len = struct.unpack("7i", f.read(28))
            data = np.frombuffer(f.read(), dtype=np.float32)
        self.hd = self.dim // self.heads
        kv = self.kv_heads * self.hd
        off = [0]
        def take(*shape):
            n = int(np.prod(shape)); t = torch.from_numpy(data[off[0]:off[0] + n].copy()).view(*shape); off[0] += n
            return torch.nn.Parameter(t)
        L, D = self.layers, self.dim
        self.emb = take(self.vocab, D); self.rms_att = take(L, D); self.wq = take(L, D, D); self.wk = take(L, kv, D)
        self.wv = take(L, kv, D); self.wo = take(L, D, D); self.rms_ffn = take(L, D); self.w1 = take(L, hidden, D)
        self.w2 = take(L, D, hidden); self.w3 = take(L, hidden, D); self.rms_final = take(D)
        inv = 1.0 / (10000.0 ** (torch.arange(0, self.hd, 2, dtype=torch.float64) / self.hd))
        ang = torch.outer(torch.arange(self.seq_len, dtype=torch.float64), inv)
        self.cos, self.sin = ang.cos().float(), ang.sin().float()

    def forward(self, tokens):
        b, t = tokens.shape
        rms = lambda x, w: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w
        c, s = self.cos[:t], self.sin[:t]
        def rope(x):
            x0, x1 = x[..., 0::2], x[..., 1::2]
            return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), -1).flatten(-2)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        h = self.emb[tokens]
        for l in range(self.layers):
            x = rms(h, self.rms_att[l])
            q = rope((x @ self.wq[l].T).view(b, t, self.heads, self.hd).transpose(1, 2))
            k = rope((x @ self.wk[l].T).view(b, t, self.kv_heads, self.hd).transpose(1, 2))
            v = (x @ self.wv[l].T).view(b, t, self.kv_heads, self.hd).transpose(1, 2)
            k = k.repeat_interleave(self.heads // self.kv_heads, 1); v = v.repeat_interleave(self.heads // self.kv_heads, 1)
            # softmax in float32 whatever the scores' dtype, as CoTLab and transformers' eager attention do
            att = ((q @ k.transpose(-2, -1)) / math.sqrt(self.hd)).masked_fill(~mask, float("-inf")).softmax(-1, dtype=torch.float32)
            h = h + (att @ v).transpose(1, 2).reshape(b, t, self.dim) @ self.wo[l].T
            f = rms(h, self.rms_ffn[l])
            h = h + (F.silu(f @ self.w1[l].T) * (f @ self.w3[l].T)) @ self.w2[l].T
        return rms(h, self.rms_final) @ self.emb.T


class Gpt2(torch.nn.Module):  # transformers' GPT-2 forward, Conv1D weights [in, out]
    def __init__(self, D=768, L=12, H=12, V=50257, P=1024):
        super().__init__()
        self.D, self.H = D, H
        r = lambda *s: torch.nn.Parameter(torch.randn(*s) * 0.02)
        z = lambda *s: torch.nn.Parameter(torch.zeros(*s))
        o = lambda *s: torch.nn.Parameter(torch.ones(*s))
        self.wte, self.wpe, self.lnf_w, self.lnf_b = r(V, D), r(P, D), o(D), z(D)
        self.blocks = torch.nn.ModuleList()
        for _ in range(L):
            m = torch.nn.Module()
            m.ln1_w, m.ln1_b, m.attn_w, m.attn_b = o(D), z(D), r(D, 3 * D), z(3 * D)
            m.proj_w, m.proj_b, m.ln2_w, m.ln2_b = r(D, D), z(D), o(D), z(D)
            m.fc_w, m.fc_b, m.fc2_w, m.fc2_b = r(D, 4 * D), z(4 * D), r(4 * D, D), z(D)
            self.blocks.append(m)

    def forward(self, tokens):
        b, t = tokens.shape
        D, H = self.D, self.H
        hd = D // H
        x = self.wte[tokens] + self.wpe[:t]
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        for l in self.blocks:
            qkv = torch.addmm(l.attn_b, F.layer_norm(x, (D,), l.ln1_w, l.ln1_b).view(-1, D), l.attn_w).view(b, t, 3 * D)
            q, k, v = [z.view(b, t, H, hd).transpose(1, 2) for z in qkv.split(D, 2)]
            att = ((q @ k.transpose(-2, -1)) / math.sqrt(hd)).masked_fill(~mask, float("-inf")).softmax(-1, dtype=torch.float32)
            x = x + torch.addmm(l.proj_b, (att @ v).transpose(1, 2).reshape(-1, D), l.proj_w).view(b, t, D)
            m = F.gelu(torch.addmm(l.fc_b, F.layer_norm(x, (D,), l.ln2_w, l.ln2_b).view(-1, D), l.fc_w), approximate="tanh")
            x = x + torch.addmm(l.fc2_b, m, l.fc2_w).view(b, t, D)
        return F.layer_norm(x, (D,), self.lnf_w, self.lnf_b) @ self.wte.T


def bench(name, model, vocab, batch, length, steps):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    g = torch.Generator().manual_seed(0)
    tokens_done, seconds = 0, 0.0
    for step in range(steps + 2):
        ids = torch.randint(3, vocab, (batch, length), generator=g)
        labels = ids.clone(); labels[:, : length // 2] = -100
        t0 = time.perf_counter()
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            logits = model(ids)
        logits = logits.float()
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), labels[:, 1:].reshape(-1), ignore_index=-100)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step >= 2:
            tokens_done += batch * length; seconds += time.perf_counter() - t0
    print(f"pytorch {name} train batch {batch} x {length}: {tokens_done / seconds:8.1f} tokens/s ({steps} steps after 2 warm-up, {args.threads} threads, {'bf16' if args.bf16 else 'fp32'}, torch {torch.__version__})")


if args.only in (None, "stories260K"):
    llama = Llama(args.model)
    bench("stories260K", llama, llama.vocab, 8, 256, args.steps or 20)
if args.only in (None, "gpt2"):
    torch.manual_seed(0)
    bench("gpt2-small ", Gpt2(), 50257, 4, 128, args.steps or 5)
