#!/usr/bin/env bash
# Sets up, then runs every stage: the whole CTest suite in a sanitized (ASan + UBSan), a Release
# and a Debian-hardened build, then the libFuzzer harnesses. A failing stage does not stop the
# others; a table of the stages ends the run, and the exit status is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

bash scripts/setup.sh || { echo "setup failed"; exit 1; }

# build_and_test DIR CMAKE-ARGS...: configure (warnings are errors here), build, run CTest.
build_and_test() {
    local dir=$1
    shift
    cmake -S "$root" -B "$dir" -DSS_WERROR=ON "$@" >/dev/null || return 1
    cmake --build "$dir" -j"$jobs" || return 1
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600
}

stage_sanitize() {
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        build_and_test "$root/build/sanitize" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSS_SANITIZE=ON
}

stage_release() {
    build_and_test "$root/build/release" -DCMAKE_BUILD_TYPE=Release
}

# As a Debian package builds: dpkg-buildflags with every hardening feature, build type None.
# The flags are exported (as dh does) and also given to CMake, whose cache would otherwise keep
# those of an earlier run.
stage_hardened() {
    (
        eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)" || exit 1
        export CFLAGS="$CFLAGS $CPPFLAGS" LDFLAGS
        echo "CFLAGS=$CFLAGS"
        echo "LDFLAGS=$LDFLAGS"
        build_and_test "$root/build/hardened" -DCMAKE_BUILD_TYPE=None \
            -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS" \
            -DCMAKE_SHARED_LINKER_FLAGS="$LDFLAGS" -DCMAKE_MODULE_LINKER_FLAGS="$LDFLAGS"
    )
}

stage_fuzz() {
    local dir=$root/build/fuzz rc=0
    cmake -S "$root" -B "$dir" -DCMAKE_C_COMPILER=clang -DSS_FUZZ=ON -DSS_WERROR=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || return 1
    cmake --build "$dir" -j"$jobs" --target fuzzers || return 1
    local ran=0
    for harness in "$dir"/fuzz/fuzz_*; do
        [ -x "$harness" ] || continue
        ran=$((ran + 1))
        echo "-- $(basename "$harness")"
        "$harness" -runs=20000 -max_total_time=10 -print_final_stats=0 >"$dir/last.log" 2>&1 || {
            rc=1
            echo "$(basename "$harness") FAILED:"
            tail -n 30 "$dir/last.log"
            continue
        }
        tail -n 1 "$dir/last.log"
    done
    [ "$ran" -gt 0 ] || { echo "no fuzz harness was built"; return 1; }
    return $rc
}

stages=(sanitize release hardened fuzz)
results=()
failed=0
start_all=$SECONDS
for stage in "${stages[@]}"; do
    echo
    echo "== $stage"
    start=$SECONDS
    if "stage_$stage"; then rc=0; else rc=$?; fi
    took=$((SECONDS - start))
    if [ "$rc" -eq 0 ]; then
        results+=("$(printf '%-10s passed  %4d s' "$stage" "$took")")
    else
        failed=$((failed + 1))
        results+=("$(printf '%-10s FAILED  %4d s (exit %d)' "$stage" "$took" "$rc")")
    fi
done

echo
echo "== stages"
printf '%s\n' "${results[@]}"
echo "total $((SECONDS - start_all)) s"
if [ "$failed" -ne 0 ]; then
    echo "$failed of ${#stages[@]} stages FAILED"
    exit 1
fi
echo "all stages passed"
