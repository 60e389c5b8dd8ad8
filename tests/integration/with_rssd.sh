#!/bin/sh
# Runs a command against a private rssd: temporary state dir and socket, clean stop checked.
# Usage: with_rssd.sh RSSD_BINARY COMMAND [ARGS...]
# The command sees RSS_SOCKET (and RSSD_STATE_DIR, for tests that inspect the files). rssd gets
# SIGTERM afterwards and must exit with status 0 (under the sanitizers this includes a clean
# LeakSanitizer report). The exit status is the command's, or 1 if rssd misbehaved.
# RSSD_POLICY, if set, is rssd's policy file (e.g. one naming a forwarder).
set -u

rssd=$1
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/ss-rssd-XXXXXX") || exit 1
mkdir -m 700 "$dir/state"
sock="$dir/rss.sock"

if [ -n "${RSSD_POLICY:-}" ]; then
    "$rssd" --state-dir "$dir/state" --socket "$sock" --policy "$RSSD_POLICY" --foreground \
        2>"$dir/rssd.log" &
else
    "$rssd" --state-dir "$dir/state" --socket "$sock" --foreground 2>"$dir/rssd.log" &
fi
pid=$!

# rssd creates the socket once it is listening. No deadline (a loaded machine may be slow);
# an rssd that exits has failed, and CTest's timeout guards against a hang.
while [ ! -S "$sock" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "with_rssd: rssd did not start; its log:" >&2
        cat "$dir/rssd.log" >&2
        kill -KILL "$pid" 2>/dev/null
        rm -rf "$dir"
        exit 1
    fi
    sleep 0.05
done

RSS_SOCKET="$sock" RSSD_STATE_DIR="$dir/state" "$@"
rc=$?

kill -TERM "$pid"
wait "$pid"
rssd_rc=$?
if [ "$rssd_rc" -ne 0 ]; then
    echo "with_rssd: rssd exited with status $rssd_rc; its log:" >&2
    cat "$dir/rssd.log" >&2
    [ "$rc" -eq 0 ] && rc=1
fi
rm -rf "$dir"
exit "$rc"
