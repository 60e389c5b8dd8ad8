#!/bin/sh
# Runs psa-api-test-local twice on a fresh temporary PSA_STATE_DIR (never the user's own).
# Usage: psa_api_test_local.sh PSA_API_TEST_LOCAL [SUITE]
set -u
prog=$1
suite=${2:-all}
dir=$(mktemp -d "${TMPDIR:-/tmp}/ss-psa-api-test-XXXXXX") || exit 1
PSA_STATE_DIR="$dir" "$prog" "$suite"
rc1=$?
PSA_STATE_DIR="$dir" "$prog" "$suite"
rc2=$?
rm -rf "$dir"
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]
