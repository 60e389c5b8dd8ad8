#!/usr/bin/env bash
# Runs rss_bench against a private rssd on a temporary directory: run_rss_bench.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: run_rss_bench.sh BUILD_DIR}
dir=$(mktemp -d /tmp/rss-bench.XXXXXX)
"$build/src/enclave/rssd" --state-dir "$dir/state" --socket "$dir/rss.sock" --foreground \
    --log-level warning &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ -S "$dir/rss.sock" ] && break; sleep 0.05; done
RSS_SOCKET="$dir/rss.sock" "$build/bench/rss_bench"
