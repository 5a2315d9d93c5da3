#!/usr/bin/env python3
"""Writes the conversation-JSONL fixtures of tests/core/TestReasoningTraces.cpp.

No published reasoning-trace set can be downloaded here, so these lines are written in the published shapes and
say so (README.md): OpenThoughts-114k / Bespoke-Stratos-17k (ShareGPT `system` + `conversations` with
`<|begin_of_thought|>` / `<|begin_of_solution|>` markers), and OpenAI-style `messages` as DeepSeek's API returns
them (`reasoning_content` beside `content`) or with the trace inline (`<think>…</think>`). The questions and gold
answers are real GSM8K test questions (shared/data/datasets/gsm8k_test_only.json, MIT); the traces are written for
the tests. Run from the repository root: python3 tests/data/traces/make_trace_fixtures.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
GSM8K = os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "datasets", "gsm8k_test_only.json")

# OpenThoughts' system prompt begins with these words (shortened here).
SYSTEM = ("Your role as an assistant involves thoroughly exploring questions through a systematic long thinking "
          "process before providing the final precise and accurate solutions.")


def main():
    questions = json.load(open(GSM8K, encoding="utf-8"))[:6]
    q = [x["question"] for x in questions]
    gold = [x["answer"] for x in questions]
    assert gold[:3] == ["18", "3", "70000"], gold

    sharegpt = [
        {"system": SYSTEM, "conversations": [
            {"from": "user", "value": "Return your final response within \\boxed{}. " + q[0]},
            {"from": "assistant", "value":
                "<|begin_of_thought|>\n\nOkay, Janet's ducks lay 16 eggs. She eats 3 and bakes with 4, so 16 - 3 - 4 = "
                "9 eggs are left. Wait, is it 4 or 3 for the muffins? The question says four. So 9 eggs at $2 each is "
                "$18.\n\n<|end_of_thought|>\n\n<|begin_of_solution|>\n\nJanet sells 16 - 3 - 4 = 9 eggs a day at $2 "
                "each, so she makes \\boxed{18} dollars.\n\n<|end_of_solution|>"}]},
        {"system": SYSTEM, "conversations": [
            {"from": "human", "value": "Return your final response within \\boxed{}. " + q[1]},
            {"from": "gpt", "value":
                "<|begin_of_thought|>\n\nBlue is 2 bolts, white is half that, 1 bolt. Total 3.\n\n"
                "<|end_of_thought|>\n\n<|begin_of_solution|>\n\n2 + 1 = \\boxed{3}\n\n<|end_of_solution|>"}]},
        {"system": SYSTEM, "domain": "math", "conversations": [
            {"from": "user", "value": "Return your final response within \\boxed{}. " + q[2]},
            {"from": "assistant", "value":
                "<|begin_of_thought|>\n\nHe buys for 80,000 and spends 50,000, 130,000 in all. The value rises by "
                "150%: 80,000 * 2.5 = 200,000. Profit 200,000 - 130,000 = 70,000.\n\n<|end_of_thought|>\n\n"
                "<|begin_of_solution|>\n\nHis profit is \\boxed{70000}.\n\n<|end_of_solution|>"}]},
    ]
    messages = [
        # reasoning_content apart, as DeepSeek's API returns it; the gold answer in "answer".
        {"id": "gsm8k-3", "model": "deepseek-reasoner", "answer": gold[3], "messages": [
            {"role": "user", "content": q[3]},
            {"role": "assistant", "reasoning_content":
                "James runs 3 sprints 3 times a week. 3 * 60 = 180, so the answer is 180? No, that is one session: "
                "9 sprints in all.",
             "content": "He runs 3 * 3 = 9 sprints of 60 meters: 540 meters a week."}]},
        # The trace inline, opened by the chat template (only </think> written), content as a list of parts.
        {"id": "gsm8k-4", "model": "DeepSeek-R1-Distill-Qwen-7B", "answer": gold[4], "messages": [
            {"role": "system", "content": "Please reason step by step, and put your final answer within \\boxed{}."},
            {"role": "user", "content": [{"type": "text", "text": q[4]}]},
            {"role": "assistant", "content":
                "Each chicken gets 3 cups a day, 20 chickens eat 60 cups. Morning 15, afternoon 25, 40 so far. "
                "Maybe \\boxed{40}? No: the final meal is 60 - 40 = 20.\n</think>\n\nShe gives \\boxed{20} cups in "
                "the final meal."}]},
        # A trace cut off while thinking: no answer part.
        {"id": "gsm8k-5", "model": "deepseek-reasoner", "answer": gold[5], "messages": [
            {"role": "user", "content": q[5]},
            {"role": "assistant", "content": "<think>\nKylar buys 16 glasses; every second one costs 60% of $5, "
                                             "that is $3. So 8 glasses at $5 and 8 at"}]},
    ]
    # OpenAI Batch API output, in the shapes of the API reference (the Batch object's output file, chat and completion
    # response bodies, logprobs, an expired request, an HTTP 400). custom_id is "<task>/<instance id>" of the GSM8K
    # benchmark as CoTLab imports it (gsm8k-<index>).
    def chat_body(model, choices, prompt_tokens, completion_tokens):
        return {"id": "chatcmpl-abc123", "object": "chat.completion", "created": 1711652795, "model": model,
                "choices": choices, "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                              "total_tokens": prompt_tokens + completion_tokens},
                "system_fingerprint": "fp_3bc1b5746c"}

    def token(t, lp):
        return {"token": t, "logprob": lp, "bytes": list(t.encode()), "top_logprobs": []}

    batch_chat = [
        {"id": "batch_req_6GhpEbeVGBaaB1HZtvsxm2xf", "custom_id": "gsm8k/gsm8k-0", "response": {
            "status_code": 200, "request_id": "5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
            "body": chat_body("gpt-4o-mini-2024-07-18", [
                {"index": 0, "message": {"role": "assistant", "content":
                    "She has 16 - 3 - 4 = 9 eggs left and sells them for $2 each: 9 * 2 = 18. The answer is 18.",
                    "refusal": None},
                 "logprobs": {"content": [token("She", -0.25), token(" has", -0.5), token(" 18", -0.25)],
                              "refusal": None},
                 "finish_reason": "stop"},
                {"index": 1, "message": {"role": "assistant", "content":
                    "16 eggs, minus 3 and 4 is 9; at $2 each she makes $20. The answer is 20.", "refusal": None},
                 "logprobs": {"content": [token("16", -1.0), token(" 20", -2.0)], "refusal": None},
                 "finish_reason": "stop"}], 98, 61)},
         "error": None},
        {"id": "batch_req_2xXg9bR6Q3xhs3ZFqB8ryU9k", "custom_id": "gsm8k/gsm8k-1", "response": {
            "status_code": 200, "request_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "body": chat_body("deepseek-reasoner", [
                {"index": 0, "message": {"role": "assistant",
                                         "reasoning_content": "Half of 2 is 1, so 2 + 1 = 3 bolts.",
                                         "content": "It takes 2 + 1 = 3 bolts."},
                 "logprobs": None, "finish_reason": "stop"}], 40, 31)},
         "error": None},
        {"id": "batch_req_9Kq3mZ7Yb1nLxR2t", "custom_id": "gsm8k/gsm8k-2", "response": None,
         "error": {"code": "batch_expired",
                   "message": "This request could not be executed before the completion window expired."}},
        {"id": "batch_req_4Tn8sW2cP6vH0jQe", "custom_id": "gsm8k/gsm8k-3", "response": {
            "status_code": 400, "request_id": "aa11bb22cc33dd44ee55ff6677889900",
            "body": {"error": {"message": "This model's maximum context length is 128000 tokens.",
                               "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}},
         "error": None},
    ]
    batch_completions = [
        {"id": "batch_req_0ab1cd2ef3", "custom_id": "gsm8k-4", "response": {
            "status_code": 200, "request_id": "1234abcd",
            "body": {"id": "cmpl-9XyZ", "object": "text_completion", "created": 1711652800,
                     "model": "gpt-3.5-turbo-instruct",
                     "choices": [{"text": " 20 chickens eat 3 cups each, 60 cups. 60 - 15 - 25 = 20. The answer is 20.",
                                  "index": 0, "finish_reason": "stop",
                                  "logprobs": {"tokens": [" 20", " chickens", " 20"],
                                               "token_logprobs": [-0.5, -0.25, -0.125],
                                               "top_logprobs": None, "text_offset": [0, 3, 12]}},
                                 {"text": " 20 chickens eat", "index": 1, "finish_reason": "length",
                                  "logprobs": {"tokens": [" 20", " chickens", " eat"],
                                               "token_logprobs": [-0.5, -0.25, -1.0],
                                               "top_logprobs": None, "text_offset": [0, 3, 12]}}],
                     "usage": {"prompt_tokens": 80, "completion_tokens": 30, "total_tokens": 110}}},
         "error": None},
    ]
    # Saved exchanges: each request as sent and the response body as received (what a script that calls the API writes
    # beside its answers), chat with reasoning_content and n = 2, and completions.
    saved = [
        {"id": "gsm8k-0", "answer": gold[0], "request": {
            "model": "deepseek-reasoner", "temperature": 0.6, "n": 2, "messages": [
                {"role": "system", "content": "Put the final answer in \\boxed{}."},
                {"role": "user", "content": q[0]}]},
         "response": chat_body("deepseek-reasoner", [
             {"index": 0, "message": {"role": "assistant", "reasoning_content": "16 - 3 - 4 = 9 eggs, 9 * 2 = 18.",
                                      "content": "She makes \\boxed{18} dollars."},
              "logprobs": None, "finish_reason": "stop"},
             {"index": 1, "message": {"role": "assistant", "reasoning_content": "16 - 3 = 13, 13 * 2 = 26.",
                                      "content": "She makes \\boxed{26} dollars."},
              "logprobs": None, "finish_reason": "stop"}], 60, 40)},
        {"id": "gsm8k-1", "answer": gold[1], "request": {
            "model": "gpt-3.5-turbo-instruct", "temperature": 0.7,
            "prompt": "Q: " + q[1] + "\nA: Let's think step by step."},
         "response": {"id": "cmpl-7QmVI15qgYVllxK0FtxVGG6ywfzaq", "object": "text_completion", "created": 1686617332,
                      "model": "gpt-3.5-turbo-instruct",
                      "choices": [{"text": " Half of 2 is 1, and 2 + 1 = 3. The answer is 3.", "index": 0,
                                   "logprobs": None, "finish_reason": "stop"}],
                      "usage": {"prompt_tokens": 40, "completion_tokens": 20, "total_tokens": 60}}},
    ]
    for name, lines in [("openai_batch_chat.jsonl", batch_chat), ("openai_batch_completions.jsonl", batch_completions),
                        ("saved_responses.jsonl", saved)]:
        with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
            for line in lines:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")

    with open(os.path.join(HERE, "openthoughts_sharegpt.jsonl"), "w", encoding="utf-8") as f:
        for line in sharegpt:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "r1_messages.jsonl"), "w", encoding="utf-8") as f:
        for line in messages:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
