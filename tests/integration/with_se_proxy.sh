#!/bin/sh
# with_se_proxy.sh SE_PROXY COMMAND...: runs COMMAND with a private se-proxy listening in a fresh
# $TS_RUNTIME_DIR (where libts looks for it), forwarding to the rssd of $RSS_SOCKET (run this
# under with_rssd.sh, with a policy that names se-proxy's uid a forwarder). The command's status.
set -u
se_proxy=$1
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/ss-se-proxy-XXXXXX") || exit 1
"$se_proxy" --socket "$dir/se-proxy.sock" --foreground 2>"$dir/se-proxy.log" &
pid=$!
while [ ! -S "$dir/se-proxy.sock" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "with_se_proxy: se-proxy did not start; its log:" >&2
        cat "$dir/se-proxy.log" >&2
        rm -rf "$dir"
        exit 1
    fi
    sleep 0.05
done
TS_RUNTIME_DIR="$dir" "$@"
rc=$?
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ "$rc" -ne 0 ]; then
    echo "with_se_proxy: se-proxy's log:" >&2
    tail -n 20 "$dir/se-proxy.log" >&2
fi
rm -rf "$dir"
exit "$rc"
