#!/usr/bin/env bash
# Sets up, builds twice (normal, and AddressSanitizer + UndefinedBehaviorSanitizer), runs every
# test in both builds, then builds the libFuzzer harnesses and runs each one briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

bash scripts/setup.sh

run_build() {
    local dir=$1
    shift
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j"$jobs"
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600
}

echo "== normal build"
run_build "$root/build/normal"

echo "== sanitized build (address, undefined)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_build "$root/build/sanitize" -DSS_SANITIZE=ON

echo "== fuzz harnesses (clang, libFuzzer)"
cmake -S "$root" -B "$root/build/fuzz" -DCMAKE_C_COMPILER=clang -DSS_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build/fuzz" -j"$jobs" --target fuzzers
for harness in "$root"/build/fuzz/fuzz/fuzz_*; do
    [ -x "$harness" ] || continue
    echo "-- $(basename "$harness")"
    "$harness" -runs=20000 -max_total_time=20 -print_final_stats=0 2>&1 | tail -n 1
done
echo "all tests passed"
