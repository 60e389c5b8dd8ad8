#!/usr/bin/env bash
# The main job: sets up, builds, starts rssd on a state directory and socket of its own, runs
# psa-api-test all through it in the enclave and the split routing modes, runs the known-answer
# suites and the benchmarks, stops rssd and prints a results table. A piece that is missing or
# fails shows as a FAILED row and makes the job exit non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build="${SS_BUILD_DIR:-$root/build/normal}" # SS_BUILD_DIR: another build tree
jobs=$(nproc)
[ "$jobs" -gt 2 ] && jobs=2

bash scripts/setup.sh || exit 1
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
# A target that does not build must not stop the others: -k, and the missing programs are
# reported as FAILED rows below.
build_rc=0
cmake --build "$build" -j"$jobs" -- -k || build_rc=$?

# Everything runs on a state directory of its own, never the user's, and rssd on its own socket.
state=$(mktemp -d /tmp/secure-services-main.XXXXXX)
rssd_pid=
stop_rssd() {
    if [ -n "$rssd_pid" ] && kill -0 "$rssd_pid" 2>/dev/null; then
        kill -TERM "$rssd_pid"
        wait "$rssd_pid"
        return $?
    fi
    return 0
}
trap 'stop_rssd; rm -rf "$state"' EXIT
mkdir -m 700 "$state/rssd" "$state/local" "$state/ts"
export RSS_SOCKET="$state/rss.sock"
export TS_RUNTIME_DIR="$state/ts"
export PSA_STATE_DIR="$state/local"

summary=()
status=0
[ "$build_rc" -eq 0 ] || { status=1; summary+=("$(printf '%-28s %s' build "FAILED (exit $build_rc)")"); }

# row NAME RESULT-LINE EXIT: one line of the results table.
row() {
    local result=$2
    [ -n "$result" ] || result="no summary line"
    if [ "$3" -ne 0 ]; then
        status=1
        summary+=("$(printf '%-28s FAILED %s (exit %d)' "$1" "$result" "$3")")
    else
        summary+=("$(printf '%-28s passed %s' "$1" "$result")")
    fi
}

start_rssd() {
    local rssd="$build/src/enclave/rssd"
    if [ ! -x "$rssd" ]; then
        echo "rssd was not built"
        return 1
    fi
    "$rssd" --state-dir "$state/rssd" --socket "$RSS_SOCKET" --foreground \
        2>"$state/rssd.log" &
    rssd_pid=$!
    while kill -0 "$rssd_pid" 2>/dev/null; do
        [ -S "$RSS_SOCKET" ] && return 0
        sleep 0.05
    done
    echo "rssd did not start; its log:"
    cat "$state/rssd.log"
    return 1
}

# run_api_test NAME PROGRAM [ENV...]: runs psa-api-test all, prints its table, adds a row.
run_api_test() {
    local name=$1 prog=$2
    shift 2
    echo
    echo "== $name"
    if [ ! -x "$prog" ]; then
        echo "$(basename "$prog") was not built"
        row "$name" "not built" 1
        return
    fi
    local rc=0
    env "$@" "$prog" all | tee "$state/api-test.out" || rc=$?
    row "$name" "$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$state/api-test.out" | tail -n 1)" \
        "$rc"
}

echo "== rssd"
if start_rssd; then
    echo "rssd $rssd_pid listening on $RSS_SOCKET, state in $state/rssd"
    run_api_test "psa-api-test (enclave)" "$build/tools/psa-api-test" PSA_ROUTING=enclave
    run_api_test "psa-api-test (split)" "$build/tools/psa-api-test" PSA_ROUTING=split
else
    row "psa-api-test (enclave)" "rssd not running" 1
    row "psa-api-test (split)" "rssd not running" 1
fi
run_api_test "psa-api-test-local" "$build/tools/psa-api-test-local"

echo
for driver in "$build"/tests/vectors/kat_*; do
    [ -x "$driver" ] || continue
    name=$(basename "$driver")
    echo "== $name"
    if out=$("$driver" 2>&1); then rc=0; else rc=$?; fi
    line=$(printf '%s\n' "$out" | grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
    printf '%s\n' "$out" | tail -n 5
    row "$name" "${line#*: }" "$rc"
done

echo
echo "== UEFI variables (Secure Boot enrolment with efitools; efibootmgr on psa-efivarfs)"
uefi_row() {
    local name=$1 prog=$2
    shift 2
    if [ ! -x "$prog" ]; then
        row "$name" "not built" 1
        return
    fi
    if out=$("$@" 2>&1); then rc=0; else rc=$?; fi
    printf '%s\n' "$out" | tail -n 3
    row "$name" "$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed|PASSED' | tail -n 1)" \
        "$rc"
}
uefi_row "UEFI Secure Boot enrolment" "$build/tests/integration/test_uefi_secure_boot" \
    "$build/tests/integration/test_uefi_secure_boot"
uefi_row "UEFI efivarfs + efibootmgr" "$build/src/uefi/psa-efivarfs" \
    bash "$root/tests/integration/uefi_efivarfs.sh" "$build/src/enclave/rssd" \
    "$build/src/uefi/smm-gateway" "$build/src/uefi/psa-efivarfs" "$build/src/uefi/uefi-var" "$build/tools/psa-tool"
uefi_row "UEFI smm-gateway socket (U-Boot)" "$build/tests/integration/test_smm_gateway_daemon" \
    sh "$root/tests/integration/with_rssd.sh" "$build/src/enclave/rssd" \
    "$build/tests/integration/test_smm_gateway_daemon" "$build/src/uefi/smm-gateway"

echo
echo "== Primary Compute (a libts client through se-proxy to its own rssd: ITS, PS, packed-c crypto)"
# rssd's policy makes this user (se-proxy's uid here) a forwarder.
printf 'uid %s forwarder\n' "$(id -u)" >"$state/forwarder.policy"
uefi_row "Primary Compute (libts, se-proxy)" "$build/tests/integration/test_ts_libts" \
    env RSSD_POLICY="$state/forwarder.policy" \
    sh "$root/tests/integration/with_rssd.sh" "$build/src/enclave/rssd" \
    "$build/tests/integration/test_ts_libts" "$build/tools/se-proxy"
echo
echo "== psa-api-test-ts (libpsa-ts: the conformance suites through libts and se-proxy)"
uefi_row "psa-api-test-ts (Primary Compute)" "$build/tools/psa-api-test-ts" \
    env RSSD_POLICY="$state/forwarder.policy" \
    sh "$root/tests/integration/with_rssd.sh" "$build/src/enclave/rssd" \
    sh "$root/tests/integration/with_se_proxy.sh" "$build/tools/se-proxy" \
    "$build/tools/psa-api-test-ts" all

echo
echo "== Parsec (Debian's parsec-interface Rust client against the Parsec front end, through se-proxy to its own rssd)"
parsec_client=$build/parsec-client/debug/parsec-conformance
parsec_server=$build/tools/parsecd
if [ -x "$parsec_client" ] && [ -x "$parsec_server" ]; then
    if out=$(RSSD_POLICY="$state/forwarder.policy" \
        sh "$root/tests/integration/with_rssd.sh" "$build/src/enclave/rssd" \
        sh "$root/tests/integration/with_se_proxy.sh" "$build/tools/se-proxy" \
        sh "$root/tests/integration/parsec_conformance.sh" "$parsec_server" "$parsec_client" 2>&1); then
        rc=0
    else
        rc=$?
    fi
    printf '%s\n' "$out" | grep -E 'FAIL|checks,' | tail -n 12
    # The client runs once per step (operations, restart, second uid, Direct); add them up.
    totals=$(printf '%s\n' "$out" | awk '/^[0-9]+ checks, [0-9]+ failed$/ {c += $1; f += $3}
        END {printf "%d passed, %d failed", c - f, f}')
    row "Parsec client (parsec-interface)" "$totals" "$rc"
else
    row "Parsec client (parsec-interface)" "not built" 1
fi

echo
echo "== benchmarks"
# uefi_bench measures SetVariable through smm-gateway: one on the main rssd, for the benchmarks.
gateway_pid=
if [ -x "$build/src/uefi/smm-gateway" ] && [ -n "$rssd_pid" ]; then
    "$build/src/uefi/smm-gateway" --socket "$TS_RUNTIME_DIR/smm-gateway.sock" --foreground \
        2>"$state/smm-gateway.log" &
    gateway_pid=$!
    # No deadline: up when its socket exists, failed when it exits.
    while kill -0 "$gateway_pid" 2>/dev/null && [ ! -S "$TS_RUNTIME_DIR/smm-gateway.sock" ]; do
        sleep 0.05
    done
fi
for bench in "$build"/bench/*_bench; do
    [ -x "$bench" ] || continue
    echo "-- $(basename "$bench")"
    if "$bench"; then rc=0; else rc=$?; fi
    [ "$rc" -eq 0 ] || row "$(basename "$bench")" "benchmark failed" "$rc"
done
if [ -n "$gateway_pid" ]; then
    kill -TERM "$gateway_pid"
    wait "$gateway_pid"
    rc=$?
    row "smm-gateway clean stop" "exit $rc" "$rc"
fi

echo
echo "== rssd stop"
if [ -n "$rssd_pid" ]; then
    stop_rssd
    rc=$?
    rssd_pid=
    row "rssd clean stop (SIGTERM)" "exit $rc" "$rc"
fi

echo
echo "== results"
printf '%-28s %s\n' "suite" "result"
for r in "${summary[@]}"; do
    echo "$r"
done
exit $status
