#!/usr/bin/env bash
# Training throughput, CoTLab against PyTorch eager on the same machine, alternated so that both see the same
# machine phases: ROUNDS rounds (default 5) of bench_train then train_reference.py (denormals flushed, as CoTLab's
# trainer does), one model per process; prints every run, the medians and their ratio (CoTLab / PyTorch).
#   tests/bench/train_compare.sh stories260K|gpt2 [ROUNDS] [THREADS] [STEPS]
# PRECISION=bf16 runs both with bf16 autocast (CoTLab's --precision bf16, torch.autocast in PyTorch).
# Needs a build (build/tests/bench/bench_train) and Debian's python3-torch and python3-numpy under /usr/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:?usage: $0 stories260K|gpt2 [rounds] [threads] [steps]}
rounds=${2:-5}
threads=${3:-1}
steps=${4:-0}
bench=${BENCH_TRAIN:-build/tests/bench/bench_train}
precision=${PRECISION:-fp32}
case $precision in
fp32) bf16=() ;;
bf16) bf16=(--bf16) ;;
*) echo "PRECISION=$precision: expected fp32 or bf16" >&2; exit 1 ;;
esac
[[ -x $bench ]] || { echo "$bench not found: build first (cmake --build build)" >&2; exit 1; }
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null ||
    { echo "/usr/bin/python3 lacks torch or numpy: apt-get install python3-torch python3-numpy" >&2; exit 1; }

ours=() theirs=()
for ((r = 1; r <= rounds; ++r)); do
    a=$("$bench" --model "$model" --threads "$threads" --steps "$steps" --precision "$precision" | grep '^cotlab')
    b=$(/usr/bin/python3 tests/bench/train_reference.py --only "$model" --threads "$threads" --steps "$steps" \
        --flush-denormal "${bf16[@]}" | grep '^pytorch')
    echo "round $r: $a"
    echo "round $r: $b"
    ours+=("$(awk -F': *' '{split($2, f, " "); print f[1]}' <<<"$a")")
    theirs+=("$(awk -F': *' '{split($2, f, " "); print f[1]}' <<<"$b")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
m1=$(median "${ours[@]}")
m2=$(median "${theirs[@]}")
awk -v a="$m1" -v b="$m2" -v n="$rounds" -v m="$model" -v t="$threads" -v p="$precision" 'BEGIN {
    printf "%s %s, %d threads, %d rounds: CoTLab median %.1f tokens/s, PyTorch eager median %.1f tokens/s, ratio %.2f\n", m, p, t, n, a, b, a / b }'
