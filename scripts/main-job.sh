#!/usr/bin/env bash
# The main job: sets up, builds, runs the known-answer suites and the benchmarks, and prints a
# results table.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build="$root/build/normal"

bash scripts/setup.sh
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"

# Everything runs on a state directory of its own, never the user's.
state=$(mktemp -d /tmp/secure-services-main.XXXXXX)
trap 'rm -rf "$state"' EXIT
export PSA_STATE_DIR="$state"

summary=()
status=0
for driver in "$build"/tests/vectors/kat_*; do
    [ -x "$driver" ] || continue
    name=$(basename "$driver")
    echo "== $name"
    if out=$("$driver" 2>&1); then rc=0; else rc=$?; status=1; fi
    line=$(printf '%s\n' "$out" | grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
    printf '%s\n' "$out" | tail -n 5
    summary+=("$(printf '%-28s %s (exit %d)' "$name" "${line#*: }" "$rc")")
done

echo
echo "== benchmarks"
for bench in "$build"/bench/*_bench; do
    [ -x "$bench" ] || continue
    echo "-- $(basename "$bench")"
    "$bench" || status=1
done

echo
echo "== results"
printf '%-28s %s\n' "suite" "result"
for row in "${summary[@]}"; do
    echo "$row"
done
exit $status
