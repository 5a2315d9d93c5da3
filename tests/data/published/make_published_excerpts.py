#!/usr/bin/env python3
"""Builds the published-format fixtures in this folder (run once; the outputs are committed).

Sources (read from repository snapshots, which CI does not have):
  - ThoughtSource: OpenBioLink/ThoughtSource@760b2c7f, notebooks/internal_documentation/paper_2/gpt-4_zhou-01.json,
    copied whole (MIT; 12 GPT-4 chains of thought over six datasets).
  - Faithful-CoT: veronica320/Faithful-COT@3017843 (MIT), the first lines of output_dir/GSM8K/test/code002_COT and
    output_dir/date/test/code002_LtM_n:40 predictions.jsonl, and the same questions from data/<dataset>/test.jsonl,
    kept under the same folder names (the importer reads task and model from them).
  - Fine-tune-CoT: no completion file of itsnamgyu/reasoning-teacher is published in a repository (they are on
    Dropbox), so finetune_cot/D_multiarith.json is that CompletionDataset shape (src/data/completion_dataset.py, a
    zero-shot-CoT run as src/oai/inference.py writes it) filled with real text-davinci-002 Zero-shot-CoT rationales
    from ../shared/data/teacher/zero-shot-cot-davinci002/multiarith.jsonl (Kojima et al.'s logs), on the questions
    of ../shared/data/datasets/multiarith.json they answer, at those questions' indices.
  - SCoTD: no data pool of liunian-harold-li/scotd is published, so scotd/data_pool.json is a pool in the shape its
    data_pool.py (DataPoolWithIndexV2, MultipleDataPools.dump_to_file) writes, holding real code-davinci-002
    samples: the first 10 of the 40 per question in ../shared/data/teacher/codex-least-to-most-40x (Faithful-CoT's
    date run), for the three questions of faithful_cot/data/date/test.jsonl (index = their id there); score 1 when
    the sample's answer is the gold, as SCoTD's SimpleReward scores.
"""
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
MIRROR = "/work/.mirror"
SHARED = os.path.join(HERE, "..", "..", "..", "..", "shared")


def git_show(repo, path):
    return subprocess.run(["git", "-C", f"{MIRROR}/{repo}/repo", "show", f"HEAD:{path}"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def write(rel, text):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def thoughtsource():
    write("thoughtsource/gpt-4_zhou-01.json",
          git_show("OpenBioLink+ThoughtSource", "notebooks/internal_documentation/paper_2/gpt-4_zhou-01.json"))


def faithful_cot():
    for dataset, run, n in [("GSM8K", "code002_COT", 5), ("date", "code002_LtM_n:40", 3)]:
        lines = git_show("veronica320+Faithful-COT", f"output_dir/{dataset}/test/{run}/predictions.jsonl").splitlines()
        write(f"faithful_cot/output_dir/{dataset}/test/{run.replace(':', '_')}/predictions.jsonl",
              "\n".join(lines[:n]) + "\n")
        data = git_show("veronica320+Faithful-COT", f"data/{dataset}/test.jsonl").splitlines()
        write(f"faithful_cot/data/{dataset}/test.jsonl", "\n".join(data[:n]) + "\n")


def finetune_cot():
    questions = json.load(open(os.path.join(SHARED, "data/datasets/multiarith.json")))
    index_of = {q["question"].strip(): i for i, q in enumerate(questions)}
    data = {}
    with open(os.path.join(SHARED, "data/teacher/zero-shot-cot-davinci002/multiarith.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            i = index_of.get(r["question"].strip())
            if i is None or len(data) >= 6:
                continue
            q = questions[i]
            reasoning_prompt = f"Q: {q['question']}\nA: Let's think step by step."
            data[str(i)] = [{
                "sample_index": i,
                "completion_index": 0,
                "question": q["question"],
                "answer": q["answer"],
                "reasoning_prompt": reasoning_prompt,
                "reasoning_completion": " " + r["rationale"],
                "reasoning_finish_reason": "stop",
                "prompt": f"{reasoning_prompt} {r['rationale']}\nTherefore, the answer is",
                "completion": f" {r['answer']}.",
                "finish_reason": "stop",
            }]
    doc = {
        "metadata": {"base_model": "text-davinci-002", "dataset_key": "multiarith", "completion_key": "zs_cot",
                     "finetune_key": None, "train_key": None, "epoch": None, "prediction_template": "zs_cot",
                     "reasoning_temperature": 0, "reasoning_max_tokens": 128, "temperature": 0, "max_tokens": 128},
        "data": dict(sorted(data.items(), key=lambda kv: int(kv[0]))),
    }
    write("finetune_cot/D_multiarith.json", json.dumps(doc, indent=4) + "\n")


def scotd():
    samples = []
    with open(os.path.join(SHARED, "data/teacher/codex-least-to-most-40x/date_mmddyyyy.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            index = int(r["id"].split("-")[1])
            if index > 2 or r["sample"] >= 10:
                continue
            text = r["rationale"]
            rationale, _, answer = text.rpartition("So the answer is ")
            prediction = answer.strip().rstrip(".")
            samples.append({
                "prompt": f"Q: {r['question']}\nA:",
                "response": text,
                "score": 1 if prediction == r["gold"] else 0,
                "index": index,
                "rationale": rationale.strip(),
            })
    write("scotd/data_pool.json", json.dumps({"code-davinci-002*date*0*least_to_most": samples}) + "\n")


if __name__ == "__main__":
    scotd()
    thoughtsource()
    faithful_cot()
    finetune_cot()
