#!/usr/bin/env bash
# The sanitizer build (docs/robustness.md): core's part without libtorch (every reader of outside data, the store,
# the teacher client and server), its tests and the fuzz targets, built with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer (SANITIZE=thread for ThreadSanitizer, into build-tsan), then run by ctest: the tests,
# and each fuzz target over its seeds and the crashers found so far. Needs clang and libclang-rt-14-dev
# (packaging/setup-debian.sh installs them). Extra arguments go to ctest (e.g. -R request_batcher).
set -euo pipefail
cd "$(dirname "$0")/.."
SANITIZE=${SANITIZE:-address,undefined}
dir=build-sanitize
[[ $SANITIZE == thread ]] && dir=build-tsan
CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOTLAB_WITHOUT_TORCH=ON \
    -DCOTLAB_SANITIZE="$SANITIZE" >/dev/null
cmake --build "$dir" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp}
ctest --test-dir "$dir" --output-on-failure -j2 "$@"
