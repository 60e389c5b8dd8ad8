#!/bin/sh
# Parsec conformance: the independent Rust client (Debian parsec-interface) against parsecd on a
# real rssd, with two uids and a restart in the middle.
# Usage (inside with_rssd.sh): parsec_conformance.sh PARSECD CLIENT
# CLIENT is the parsec-conformance binary.
set -u
server=$1
client=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/ss-parsec-XXXXXX") || exit 1
chmod 755 "$dir"
sock="$dir/parsec.sock"
me=$(id -u)
other=65534
cat >"$dir/config.toml" <<CONF
[core_settings]
allow_root = true
log_level = "info"
[listener]
listener_type = "DomainSocket"
timeout = 600000
[authenticator]
auth_type = "UnixPeerCredentials"
admins = [ { name = "$me" } ]
[[key_manager]]
name = "sqlite-manager"
manager_type = "SQLite"
sqlite_db_path = "$dir/state/keys.sqlite3"
[[provider]]
provider_type = "TrustedService"
key_info_manager = "sqlite-manager"
CONF
pid=
start() {
    "$server" --socket "$sock" --config "$dir/config.toml" --foreground 2>>"$dir/parsecd.log" &
    pid=$!
    while [ ! -S "$sock" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "parsec_conformance: server did not start:" >&2
            cat "$dir/parsecd.log" >&2
            return 1
        fi
        sleep 0.05
    done
}
stop() {
    kill -TERM "$pid"
    wait "$pid"
    src=$?
    if [ "$src" -ne 0 ]; then
        echo "parsec_conformance: server exited with $src:" >&2
        cat "$dir/parsecd.log" >&2
        return 1
    fi
}
run() {
    PARSEC_SERVICE_ENDPOINT="unix:$sock" "$@"
}
fail() {
    echo "parsec_conformance: $1" >&2
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    rm -rf "$dir"
    exit 1
}

start || fail "start"
run "$client" all || fail "operations and error paths"
run "$client" persist-create "$dir/persist.pub" || fail "persist-create"
run "$client" shared-create "$dir/shared.pub" || fail "shared-create"
stop || fail "stop"
start || fail "restart"
run "$client" persist-check "$dir/persist.pub" || fail "key names across a restart"
if [ "$me" -eq 0 ]; then
    run setpriv --reuid=$other --regid=$other --clear-groups "$client" isolation ||
        fail "second uid"
    run "$client" shared-check "$dir/shared.pub" || fail "first uid after the second"
    run "$client" delete-client "$other" || fail "DeleteClient of the second uid"
else
    echo "parsec_conformance: not root, two-uid part needs setpriv as root" >&2
    stop
    rm -rf "$dir"
    exit 77
fi
stop || fail "stop before Direct"
# Direct authentication: the same store, the configuration switched; app-b keeps a key while
# app-a runs, and neither sees the other's.
sed -i 's/auth_type = "UnixPeerCredentials"/auth_type = "Direct"/; s/name = "'"$me"'"/name = "admin-app"/' \
    "$dir/config.toml"
start || fail "start with Direct"
PARSEC_TEST_DIRECT_APP=app-b run "$client" direct-keep || fail "Direct app-b"
PARSEC_TEST_DIRECT_APP=app-a run "$client" direct || fail "Direct app-a"
PARSEC_TEST_DIRECT_APP=admin-app run "$client" delete-client app-b || fail "Direct DeleteClient"
stop || fail "final stop"
rm -rf "$dir"
exit 0
