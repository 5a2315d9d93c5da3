#!/usr/bin/python3
"""Cuts a byte-level BPE tokenizer.json (Qwen2 layout: NFC normaliser, a Split by regex then ByteLevel) down to what
the texts of expected.jsonl use, keeping every id as it is: the 256 byte tokens, the merges that fire on those texts
(in their order) and the tokens they make, and the added tokens. BPE applies merges by rank, so a merge that never
fires on a text changes nothing of its tokens: the cut-down file tokenises those texts as the whole file does.
The script checks that its own BPE gives expected.jsonl's ids (from transformers.js) before writing.

    python3 tests/data/tokenizers/cut_down_bpe.py FOLDER_WITH_THE_WHOLE_TOKENIZER OUT_FOLDER
"""
import json
import sys
import unicodedata

import regex


def byte_to_unicode():
    # GPT-2's table: printable bytes map to themselves, the others to code points from 256 up.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def main(source, out):
    whole = json.load(open(f"{source}/tokenizer.json", encoding="utf-8"))
    model = whole["model"]
    vocab = model["vocab"]
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    rank = {m: i for i, m in enumerate(merges)}
    split = whole["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"]
    pattern = regex.compile(split)
    added = {t["content"]: t["id"] for t in whole["added_tokens"]}
    added_pattern = regex.compile("|".join(regex.escape(t) for t in sorted(added, key=len, reverse=True)))
    table = byte_to_unicode()
    fired = set()

    def bpe(word):
        parts = list(word)
        while len(parts) > 1:
            pairs = [(rank.get((parts[i], parts[i + 1]), 1 << 30), i) for i in range(len(parts) - 1)]
            best, at = min(pairs)
            if best == 1 << 30:
                break
            fired.add(best)
            pair = merges[best]
            merged, i = [], 0
            while i < len(parts):
                if i < len(parts) - 1 and (parts[i], parts[i + 1]) == pair:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return parts

    def encode(text):
        ids, at = [], 0
        pieces = []
        for m in added_pattern.finditer(text):
            pieces.append((text[at:m.start()], False))
            pieces.append((m.group(), True))
            at = m.end()
        pieces.append((text[at:], False))
        for piece, special in pieces:
            if special:
                ids.append(added[piece])
                continue
            for word in pattern.findall(unicodedata.normalize("NFC", piece)):
                mapped = "".join(table[b] for b in word.encode("utf-8"))
                ids.extend(vocab[t] for t in bpe(mapped))
        return ids

    lines = [json.loads(line) for line in open(f"{out}/expected.jsonl", encoding="utf-8")]
    wrong = [l["text"] for l in lines if encode(l["text"]) != l["ids"]]
    if wrong:
        sys.exit(f"this script's BPE differs from the reference on {len(wrong)} texts, e.g. {wrong[0]!r}")
    kept_merges = [merges[i] for i in sorted(fired)]
    keep = set(table.values()) | {a + b for a, b in kept_merges}
    model["vocab"] = {t: i for t, i in vocab.items() if t in keep}
    model["merges"] = [f"{a} {b}" for a, b in kept_merges]
    with open(f"{out}/tokenizer.json", "w", encoding="utf-8") as f:
        json.dump(whole, f, ensure_ascii=False, separators=(",", ":"))
    print(f"{len(lines)} texts: kept {len(model['vocab'])} of {len(vocab)} tokens and {len(kept_merges)} of "
          f"{len(merges)} merges")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
