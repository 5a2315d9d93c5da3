#!/usr/bin/env bash
# Runs every fuzz target (or those named) for RUNS executions each (default 1,000,000) or MAX_TIME seconds, whichever
# comes first, and prints each target's executions, speed and coverage. Needs the sanitizer build (clang), which
# tests/run-sanitized.sh makes in build-sanitize (BUILD=dir for another):
#   tests/run-sanitized.sh && tests/fuzz/run-fuzzers.sh [target...]
# The seed corpus (tests/fuzz/corpus/<target>) is copied to $BUILD/corpus/<target>, which grows with what
# libFuzzer finds; a crash leaves crash-* in $BUILD/findings/<target>/ and stops that target (exit 1 at the end):
# add it to tests/fuzz/corpus/<target>/ once fixed, so that ctest replays it in every build.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-sanitize}
RUNS=${RUNS:-1000000}
MAX_TIME=${MAX_TIME:-1800}
targets=("$@")
if ((${#targets[@]} == 0)); then
    for t in $BUILD/tests/fuzz/fuzz_*; do targets+=("${t##*/fuzz_}"); done
fi
failed=0
printf '%-22s %12s %10s %8s %8s %s\n' target executions exec/s seconds cov result
for t in "${targets[@]}"; do
    corpus=$BUILD/corpus/$t findings=$BUILD/findings/$t log=$BUILD/findings/$t.log
    mkdir -p "$corpus" "$findings"
    cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
    start=$(date +%s)
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
        $BUILD/tests/fuzz/fuzz_"$t" "$corpus" -runs="$RUNS" -max_total_time="$MAX_TIME" -timeout=10 \
        -rss_limit_mb=2048 -max_len=8192 -artifact_prefix="$findings"/ -print_final_stats=1 >"$log" 2>&1
    rc=$?
    seconds=$(($(date +%s) - start))
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
    result=ok
    if ((rc != 0)); then result="FOUND (see $log)"; failed=1; fi
    printf '%-22s %12s %10s %8s %8s %s\n' "$t" "${runs:-?}" "${speed:-?}" "$seconds" "${cov:-?}" "$result"
done
exit $failed
