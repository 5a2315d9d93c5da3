// Drives `cotlab-cli serve` with the official OpenAI Node client, as a user of that client would: streamed
// completions (n = 2), streamed chat with usage, a list of prompts, an empty messages list (refused). Run by hand:
//   mkdir -p /tmp/oa && (cd /tmp/oa && npm install openai@4) && cp tests/tools/openai_client_check.mjs /tmp/oa/
//   cotlab-cli serve --model $M/stories260K.bin --tokenizer $M/tok512.bin --port 8765 &
//   node /tmp/oa/openai_client_check.mjs 8765
import OpenAI from "openai";
const client = new OpenAI({ baseURL: `http://127.0.0.1:${process.argv[2]}/v1`, apiKey: "none" });
const out = {};
// streamed completions, two samples
let texts = {};
const s1 = await client.completions.create({ model: "stories", prompt: "Once upon a time", max_tokens: 12, n: 2, temperature: 0.8, seed: undefined, stream: true });
for await (const chunk of s1) for (const c of chunk.choices) texts[c.index] = (texts[c.index] ?? "") + c.text;
out.streamedCompletions = texts;
// streamed chat
let chat = "";
const s2 = await client.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 12, stream: true, stream_options: { include_usage: true } });
let usage = null;
for await (const chunk of s2) { if (chunk.choices[0]) chat += chunk.choices[0].delta.content ?? ""; if (chunk.usage) usage = chunk.usage; }
out.streamedChat = chat; out.chatUsage = usage;
// a list of prompts
const r3 = await client.completions.create({ model: "stories", prompt: ["Lily had", "Tom saw"], max_tokens: 8, temperature: 0 });
out.listOfPrompts = r3.choices.map(c => [c.index, c.text]);
// empty messages refused
try { await client.chat.completions.create({ model: "stories", messages: [] }); out.emptyMessages = "accepted"; }
catch (e) { out.emptyMessages = `${e.status} ${e.message}`; }
console.log(JSON.stringify(out, null, 1));
