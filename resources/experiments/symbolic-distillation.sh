#!/usr/bin/env bash
# The CPU distillation experiment (docs/experiments.md): Fine-tune-CoT's symbolic tasks as generated data,
# a chain-of-thought student and a label-only student fine-tuned from the same small model, both evaluated on
# held-out questions as long as the longest training questions (dev split, 3 items) and with MORE items than
# any training question (test split, 4 items).
#
#   resources/experiments/symbolic-distillation.sh [OUTPUT_FOLDER]
#
# Environment: COTLAB_CLI (default: build/app/cotlab-cli, then cotlab-cli on PATH), STUDENT and TOKENIZER
# (default: the bundled stories260K), TASKS (default: "last_letter_concatenation coin_flip"), TRAIN_PER_LENGTH
# (800), TEST_COUNT (200), STEPS (optimizer steps per run; default 1500), EPOCHS (passes instead of STEPS),
# THREADS (torch threads; default: all cores), SPLITS (held-out splits to evaluate; default "dev test") and
# QUESTIONS (a learning curve: e.g. "150 600 2400" trains each template on that many training questions drawn at
# random; default: all of them; every point gets the same STEPS, i.e. the same compute).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-symbolic-distillation}"
cli="${COTLAB_CLI:-}"
if [ -z "$cli" ]; then
    if [ -x "$here/../../build/app/cotlab-cli" ]; then cli="$here/../../build/app/cotlab-cli"; else cli=cotlab-cli; fi
fi
demo_model="$here/../demo/models/stories260K"   # resources/demo, or share/cotlab/demo when installed
student="${STUDENT:-$demo_model/stories260K.bin}"
tokenizer="${TOKENIZER:-$demo_model/tok512.bin}"
tasks="${TASKS:-last_letter_concatenation coin_flip}"
per_length="${TRAIN_PER_LENGTH:-800}"
test_count="${TEST_COUNT:-200}"
splits="${SPLITS:-dev test}"
questions="${QUESTIONS:-0}"
# 1500 steps: at 300 (two epochs of 2,400 questions) the CoT student was still far from what it learns later
# (last letters, 3 words: 16% after 300 steps, 90% after 1500; docs/experiments.md).
length=(--steps "${STEPS:-1500}")
[ -z "${EPOCHS:-}" ] || length=(--epochs "$EPOCHS")
[ -z "${THREADS:-}" ] || export OMP_NUM_THREADS="$THREADS"
# OpenBLAS falls back to slow kernels on some virtual CPUs; cotlab-cli version says which it uses.
if "$cli" version 2>/dev/null | grep -q "OPENBLAS_CORETYPE="; then
    export OPENBLAS_CORETYPE="$("$cli" version | sed -n 's/.*OPENBLAS_CORETYPE=\([A-Za-z0-9]*\).*/\1/p' | head -1)"
fi

mkdir -p "$out"
ws="$out/experiment.cotlab"
rm -f "$ws" "$ws-wal" "$ws-shm"
for task in $tasks; do
    for items in 1 2 3; do   # training questions have 1 to 3 items ...
        "$cli" make-task --task "$task" --items "$items" --count "$per_length" --split train --seed 1 \
            --out "$out/$task-train-$items.jsonl"
    done
    # ... held-out questions: as long as the longest training ones (dev split, 3 items) and longer (test, 4 items)
    "$cli" make-task --task "$task" --items 3 --count "$test_count" --split dev --seed 3 --out "$out/$task-dev-3.jsonl"
    "$cli" make-task --task "$task" --items 4 --count "$test_count" --split test --seed 2 --out "$out/$task-test-4.jsonl"
done
"$cli" --workspace "$ws" import "$out"/*.jsonl

for task in $tasks; do
    for template in cot label; do
        for q in $questions; do
            name="$task-$template"
            [ "$q" = 0 ] || name="$name-q$q"
            "$cli" --workspace "$ws" train --model "$student" --tokenizer "$tokenizer" --task "$task" \
                --template "$template" --questions "$q" --out "$out/runs/$name" --name "$name" "${length[@]}" \
                --batch-size 16 --lr 2e-3 --warmup 20 --seed 1 --log-every 100 | tee "$out/$name.log"
            run=$(sed -n 's/^run \([0-9]*\) finished.*/\1/p' "$out/$name.log")
            for split in $splits; do
                "$cli" --workspace "$ws" eval --run "$run" --task "$task" --split "$split" --batch-size 50 \
                    --name "$name-$split"
            done
        done
    done
done
echo
"$cli" --workspace "$ws" evals
