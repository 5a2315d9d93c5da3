#!/usr/bin/env python3
"""Makes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) from tests/data and ../shared.

Run once from the repository root: python3 tests/fuzz/make_seeds.py. Its outputs are committed; crashers found
by fuzzing are added beside them by hand (named crash-*), so that ctest replays them in every build.
Seeds are kept small (a few KB) so that libFuzzer mutates them quickly.
"""
import json
import os
import struct
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def head_lines(path, n):
    with open(path, "rb") as f:
        return b"".join(f.readline() for _ in range(n))


# Interchange lines and files: the project's mixed fixture and real teacher rationales.
mixed = read(ROOT, "tests/data/interchange/mixed.jsonl")
for i, line in enumerate(mixed.splitlines()[:8]):
    put("interchange_line", f"mixed-{i}.json", line)
put("import_interchange", "mixed.jsonl", mixed)
for teacher in ["zero-shot-cot-davinci002/coin_flip.jsonl", "palm-few-shot-cot/commonsense_qa.jsonl",
                "codex-least-to-most-40x/date_mmddyyyy.jsonl"]:
    lines = head_lines(os.path.join(SHARED, "data/teacher", teacher), 2)
    put("import_interchange", teacher.replace("/", "-"), lines)
    put("interchange_line", teacher.replace("/", "-") + "-line", lines.splitlines()[0])

# Benchmark JSON (Fine-tune-CoT's dataset files): the first items of several tasks.
for task in ["multiarith", "commonsense_qa", "strategy_qa", "date_understanding", "coin_flip"]:
    items = json.loads(read(SHARED, "data/datasets", task + ".json"))
    if isinstance(items, dict):
        items = items.get("examples", items.get("data", []))
    put("import_benchmark", task + ".json", json.dumps(items[:3], indent=1))

# CommonsenseQA's official JSONL.
put("import_commonsenseqa", "train_rand_split.jsonl",
    head_lines(os.path.join(SHARED, "data/commonsense_qa_official/train_rand_split.jsonl"), 3))

# Teacher outputs (conversation JSONL, OpenAI Batch output): the trace fixtures.
for name in ["openthoughts_sharegpt.jsonl", "r1_messages.jsonl"]:
    put("import_chat", name, read(ROOT, "tests/data/traces", name))
for name in ["openthoughts_sharegpt.jsonl", "r1_messages.jsonl", "openai_batch_chat.jsonl",
             "openai_batch_completions.jsonl"]:
    for i, line in enumerate(read(ROOT, "tests/data/traces", name).splitlines()):
        put("trace_line", f"{name[:-6]}-{i}.json", line)
put("trace_line", "s1k-columns.json", json.dumps({
    "question": "What is 3 * 6?", "solution": "18", "thinking_trajectories": ["6 + 6 + 6 = 18."],
    "attempt": "\\boxed{18}", "meta": {"id": "s1k-0"}, "split": "train", "model": "m"}))
put("trace_line", "s1.json", json.dumps({"conversations": [
    {"from": "user", "value": "2+2?"},
    {"from": "assistant", "value": "<|im_start|>think\nWait, 2+2.\n<|im_start|>answer\nAnswer: 4<|im_end|>"}]}))

# Published teacher data (tests/data/published): the JSON documents whole, a Faithful-CoT predictions line.
for target, rel in [("import_thoughtsource", "thoughtsource/gpt-4_zhou-01.json"),
                    ("import_finetune_cot", "finetune_cot/D_multiarith.json"),
                    ("import_scotd_pool", "scotd/data_pool.json")]:
    put(target, os.path.basename(rel), read(ROOT, "tests/data/published", rel))
# ... and small ones, under libFuzzer's -max_len (8 KiB): an item per dataset, two completions, two samples.
ts = json.loads(read(ROOT, "tests/data/published", "thoughtsource/gpt-4_zhou-01.json"))
put("import_thoughtsource", "small.json", json.dumps(
    {d: {s: items[:1] for s, items in splits.items()} for d, splits in list(ts.items())[:3]}))
ftc = json.loads(read(ROOT, "tests/data/published", "finetune_cot/D_multiarith.json"))
put("import_finetune_cot", "small.json", json.dumps({"metadata": ftc["metadata"],
                                                      "data": dict(list(ftc["data"].items())[:2])}))
pool = json.loads(read(ROOT, "tests/data/published", "scotd/data_pool.json"))
put("import_scotd_pool", "small.json", json.dumps({k: v[:2] for k, v in pool.items()}))
put("trace_line", "faithful_cot_gsm8k.jsonl", read(
    ROOT, "tests/data/published", "faithful_cot/output_dir/GSM8K/test/code002_COT/predictions.jsonl").splitlines()[0])

# Label sheets: what the review page exports for annotators, as CSV and as XLSX (converted by LibreOffice).
sheet = ('item,annotator,correct,faithful,note\n1,ann,yes,4,"fine, mostly"\n2,ann,no,2,"said ""no"""\n'
         '3,ann,,5,\n')
put("label_sheet_csv", "labels.csv", sheet)
put("label_sheet_csv", "bom-multiline.csv", "\ufeffa,b\n\"line\nbreak\",2\n")
with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(tmp, "labels.csv"), "w") as f:
        f.write(sheet)
    subprocess.run(["libreoffice", "--headless", "--convert-to", "xlsx", "--outdir", tmp,
                    os.path.join(tmp, "labels.csv")], check=True, capture_output=True)
    put("label_sheet_xlsx", "labels.xlsx", read(tmp, "labels.xlsx"))

# safetensors: the small LoRA adapters of tests/data (real files written by PEFT's format).
for fixture in ["gpt2-tiny-lora", "opt-tiny-lora"]:
    put("safetensors_header", fixture + ".safetensors", read(ROOT, "tests/data", fixture, "adapter_model.safetensors"))

# config.json of each family.
for fixture in ["gpt2-tiny", "opt-tiny", "opt-tiny-postnorm"]:
    put("model_config", fixture + ".json", read(ROOT, "tests/data", fixture, "config.json"))
put("model_config", "llama.json", json.dumps({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "intermediate_size": 172,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 512,
    "max_position_embeddings": 128, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": True}))
put("model_config", "qwen2.json", json.dumps({
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 64, "intermediate_size": 128,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 600,
    "max_position_embeddings": 256, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
    "tie_word_embeddings": False}))

# llama2.c checkpoints: a tiny valid one (zeros) and stories260K's real header on a truncated file.
dim, hidden, layers, heads, kv_heads, vocab, seq = 8, 16, 1, 2, 2, 16, 8
hd = dim // heads
floats = (vocab * dim + layers * dim + layers * dim * dim + 2 * layers * kv_heads * hd * dim + layers * dim * dim +
          layers * dim + 3 * layers * hidden * dim + dim + seq * hd)
put("llama2c_checkpoint", "tiny.bin", struct.pack("<7i", dim, hidden, layers, heads, kv_heads, vocab, seq) +
    bytes(4 * floats))
put("llama2c_checkpoint", "stories260K-truncated.bin", read(SHARED, "models/stories260K/stories260K.bin")[:64])

# tokenizer.json: a small byte-level BPE built from GPT-2's own vocabulary and merges.
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


vocab_ids = {}
for ch in bytes_to_unicode():
    vocab_ids[ch] = len(vocab_ids)
merges = []
for line in read(SHARED, "tokenizers/gpt2/vocab.bpe").decode().splitlines()[1:400]:
    a, b = line.split(" ")
    if a in vocab_ids and b in vocab_ids and a + b not in vocab_ids:
        vocab_ids[a + b] = len(vocab_ids)
        merges.append(line)
tokenizer = {
    "version": "1.0",
    "added_tokens": [{"id": len(vocab_ids), "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                      "rstrip": False, "normalized": False, "special": True}],
    "normalizer": None,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    "post_processor": None,
    "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
              "end_of_word_suffix": "", "fuse_unk": False, "vocab": vocab_ids, "merges": merges},
}
put("tokenizer_json", "gpt2-small.json", json.dumps(tokenizer, ensure_ascii=False))
tokenizer["normalizer"] = {"type": "NFC"}
tokenizer["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}"}, "behavior": "Isolated", "invert": False},
    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]}
tokenizer["post_processor"] = {"type": "TemplateProcessing", "single": [
    {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
    "pair": [], "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [len(vocab_ids)],
                                                     "tokens": ["<|endoftext|>"]}}}
put("tokenizer_json", "split-nfc-bos.json", json.dumps(tokenizer, ensure_ascii=False))

# SentencePiece and llama2.c tokenizers (the llama2.c target reads its vocabulary size from the first byte / 4).
put("sentencepiece_model", "spm-bpe.model", read(ROOT, "tests/data/spm-bpe/tokenizer.model"))
put("llama2c_tokenizer", "tok512.bin", bytes([512 // 4]) + read(SHARED, "models/stories260K/tok512.bin"))

# Corpus recipes (docs/corpus.md).
put("recipe_json", "docs-example.json", json.dumps({"version": 1, "sources": ["teacher"], "steps": [
    {"step": "scope", "tasks": ["date_mmddyyyy"], "splits": ["test"], "sources": ["teacher"]},
    {"step": "correctness", "keep": "correct"},
    {"step": "dedupe", "mode": "exact"},
    {"step": "per_instance", "k": 4, "by": "random", "seed": 1}]}))
put("recipe_json", "every-step.json", json.dumps({"version": 1, "sources": ["teacher", "human"], "steps": [
    {"step": "clean", "stop": ["\nQ:"], "drop_empty": True, "drop_unanswered": True},
    {"step": "dedupe", "mode": "near", "threshold": 0.8},
    {"step": "length", "min": 10, "max": 2000},
    {"step": "match", "pattern": "answer is (\\d+)", "regex": True, "exclude": False},
    {"step": "open_endedness", "measure": "entropy", "keep_share": 0.5},
    {"step": "min_correct", "count": 1},
    {"step": "instance_share", "share": 0.25, "seed": 3},
    {"step": "per_instance", "k": 8, "by": "likelihood", "likelihood": "mean"},
    {"step": "per_instance", "k": 2, "by": "diversity"}]}))

# serve requests (first byte: 0 completions, 1 chat).
put("serve_request", "completion", b"\x00" + json.dumps(
    {"model": "m", "prompt": "Q: 2+2?\nA:", "n": 2, "temperature": 0.7, "top_p": 0.9, "max_tokens": 32,
     "stop": ["\n\n"], "logprobs": 1, "seed": 5}).encode())
put("serve_request", "completion-list", b"\x00" + json.dumps(
    {"prompt": ["a", "b"], "stream": True, "stream_options": {"include_usage": True}}).encode())
put("serve_request", "chat", b"\x01" + json.dumps(
    {"model": "m", "messages": [{"role": "system", "content": "Think."}, {"role": "user", "content": "2+2?"}],
     "n": 1, "temperature": 0, "max_tokens": 16, "logprobs": True, "stop": "END"}).encode())

# Teacher responses (first byte: 0 completions, 1 chat), as OpenAI documents them.
put("teacher_response", "completion", b"\x00" + json.dumps({
    "id": "cmpl-1", "object": "text_completion", "model": "m", "choices": [
        {"text": " 4. So the answer is 4.", "index": 0, "finish_reason": "stop",
         "logprobs": {"tokens": [" 4", "."], "token_logprobs": [-0.1, -0.2], "top_logprobs": None,
                      "text_offset": [0, 2]}}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}).encode())
put("teacher_response", "chat", b"\x01" + json.dumps({
    "id": "chatcmpl-1", "object": "chat.completion", "model": "m", "choices": [
        {"index": 0, "finish_reason": "length",
         "message": {"role": "assistant", "content": "The answer is 4.", "reasoning_content": "2+2=4"},
         "logprobs": {"content": [{"token": "The", "logprob": -0.01, "bytes": [84, 104, 101], "top_logprobs": []}]}}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}}).encode())

# Review study specs as stored (first byte: even single, odd pairwise).
put("study_spec", "single", b"\x00" + json.dumps({
    "sources": ["teacher", "student:cot-64"], "tasks": ["multiarith"], "split": "test", "size": 20, "seed": 7,
    "stratify": ["task"], "hide_gold": True,
    "criteria": [{"key": "correct", "question": "Is the rationale correct?", "scale": "binary"},
                 {"key": "clear", "question": "How clear is it?", "scale": "likert5"}]}).encode())
put("study_spec", "pairwise", b"\x01" + json.dumps({
    "sources": ["teacher:text-davinci-002", "human:ann"], "size": 10,
    "criteria": [{"key": "better", "question": "Which is better?", "scale": "preference"}]}).encode())
# Prompt formats: the built-in format files (resources/templates).
for name in sorted(os.listdir(os.path.join(ROOT, "resources", "templates"))):
    put("prompt_format", name, read(ROOT, "resources", "templates", name))
# Chat templates: the real Qwen2.5, Qwen3, Llama 3.2 and SmolLM2 templates (tests/data/chat-templates) as
# tokenizer_config.json files, one of them as a named list.
for name in ("qwen2.5", "qwen3", "llama3.2", "smollm2"):
    fixture = json.loads(read(ROOT, "tests", "data", "chat-templates", name + ".json"))
    config = {"chat_template": fixture["chat_template"], "bos_token": fixture.get("bos_token"),
              "eos_token": fixture.get("eos_token")}
    put("chat_template", name + ".json", json.dumps(config, ensure_ascii=False))
put("chat_template", "named-list.json", json.dumps({"chat_template": [
    {"name": "default", "template": "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}"
                                    "{% if add_generation_prompt %}<|assistant|>{% endif %}"},
    {"name": "tool_use", "template": "{{ raise_exception('no tools') }}"}], "eos_token": "</s>"}))
print("seeds written to", OUT)
