#!/bin/sh
# The install, as a user or a packager makes it: `cmake --install BUILD --prefix DIR` (and with
# DESTDIR), then programs built against it with pkg-config, shared and --static, run with no
# LD_LIBRARY_PATH; the installed rssd serves them; units, sysusers entry and man pages checked.
# Usage: install_test.sh BUILD_DIR C_COMPILER SOURCE_DIR
set -u
build=$1
cc=$2
src=$3
T=$(mktemp -d /tmp/ss-install-XXXXXX) || exit 1
rssd_pid=
cleanup() {
    [ -n "$rssd_pid" ] && kill -KILL "$rssd_pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
unset LD_LIBRARY_PATH PKG_CONFIG_PATH

fail() {
    echo "FAIL (install): $*" >&2
    exit 1
}
expect() {
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

prefix=$T/prefix
cmake --install "$build" --prefix "$prefix" >"$T/install.log" 2>&1 ||
    fail "cmake --install failed: $(tail -n 5 "$T/install.log")"
pc=$(find "$prefix" -name libpsa.pc)
[ -n "$pc" ] || fail "no libpsa.pc installed"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
export PKG_CONFIG_PATH="$pcdir"

# Everything the README lists is there.
for f in sbin/rssd sbin/se-proxy sbin/smm-gateway sbin/parsecd bin/psa-efivarfs bin/uefi-var \
    bin/psa-api-test bin/psa-api-test-local include/psa/crypto.h \
    include/psa/internal_trusted_storage.h include/psa/protected_storage.h \
    include/psa/client.h include/rss/connection.h include/ss/psa_status.h include/ss/psa_keys.h share/man/man8/rssd.8 \
    share/man/man1/psa-api-test.1 share/man/man1/psa-api-test-local.1 \
    share/man/man1/psa-api-test-ts.1 share/man/man1/psa-tool-ts.1 bin/psa-api-test-ts bin/psa-tool-ts \
    lib/systemd/system/rssd.service lib/systemd/system/rssd.socket lib/sysusers.d/rssd.conf \
    lib/systemd/system/se-proxy.service lib/systemd/system/smm-gateway.service \
    lib/systemd/system/parsec.service lib/sysusers.d/ts-endpoints.conf lib/sysusers.d/parsec.conf \
    lib/tmpfiles.d/ts-endpoints.conf share/man/man8/se-proxy.8 share/man/man8/smm-gateway.8 \
    share/man/man8/parsecd.8 \
    share/doc/secure-services/rssd.md share/doc/secure-services/architecture.md \
    share/doc/secure-services/getting-started.md share/man/man1/psa-tool.1 bin/psa-tool \
    include/ts/service_locator.h include/ts/rpc_caller_session.h include/ts/rpc_caller.h \
    include/ts/rpc_status.h include/ts/rpc_uuid.h include/ts/trace.h \
    include/ts/ts_rpc_caller_linux.h; do
    [ -e "$prefix/$f" ] || fail "$f was not installed"
done
for f in libpsa.so libpsa.a libpsa-local.so libpsa-local.a pkgconfig/libpsa-local.pc \
    libts.so libts.so.2 pkgconfig/libts.pc libpsa-ts.so libpsa-ts.so.0 pkgconfig/libpsa-ts.pc; do
    [ -e "$libdir/$f" ] || fail "$libdir/$f was not installed"
done

# The .pc files name the prefix given to cmake --install, not the configured one.
for lib in libpsa libpsa-local; do
    expect "$lib prefix" "$(pkg-config --variable=prefix "$lib")" "$prefix"
    expect "$lib libdir" "$(pkg-config --variable=libdir "$lib")" "$libdir"
    expect "$lib cflags" "$(pkg-config --cflags "$lib" | sed "s/ *$//")" "-I$prefix/include"
    pkg-config --validate "$lib" || fail "$lib.pc does not validate"
done
expect "libts cflags" "$(pkg-config --cflags libts | sed "s/ *$//")" "-I$prefix/include/ts"
# libpsa-ts: the PSA headers, and libts's through its Requires.private.
expect "libpsa-ts libdir" "$(pkg-config --variable=libdir libpsa-ts)" "$libdir"
expect "libpsa-ts cflags" "$(pkg-config --cflags libpsa-ts | sed "s/ *$//")" \
    "-I$prefix/include -I$prefix/include/ts"
pkg-config --validate libpsa-ts || fail "libpsa-ts.pc does not validate"
expect "libts version" "$(pkg-config --modversion libts)" "2.0.0"
pkg-config --validate libts || fail "libts.pc does not validate"
# So does the unit's ExecStart.
grep -qx "ExecStart=$prefix/sbin/rssd --foreground --state-dir /var/lib/rssd" \
    "$prefix/lib/systemd/system/rssd.service" ||
    fail "rssd.service does not start $prefix/sbin/rssd"
for d in se-proxy smm-gateway; do
    grep -qx "ExecStart=$prefix/sbin/$d --foreground --socket /run/ts/$d.sock" \
        "$prefix/lib/systemd/system/$d.service" || fail "$d.service does not start $prefix/sbin/$d"
done

# A packager's staged install: DESTDIR holds the files, the files name the final prefix.
DESTDIR=$T/stage cmake --install "$build" --prefix /usr >"$T/stage.log" 2>&1 ||
    fail "staged install failed"
staged=$(find "$T/stage" -name libpsa.pc)
grep -qx "prefix=/usr" "$staged" || fail "staged libpsa.pc: $(head -n 1 "$staged")"
grep -qx "ExecStart=/usr/sbin/rssd --foreground --state-dir /var/lib/rssd" \
    "$T/stage/usr/lib/systemd/system/rssd.service" || fail "staged rssd.service ExecStart"

# Programs against the installed libraries, shared (found through an rpath from pkg-config's
# libdir) and static (the archives alone, with what --static adds).
for lib in libpsa libpsa-local; do
    name=${lib#lib}
    # shellcheck disable=SC2046
    "$cc" -std=c11 -Wall -Wextra -Werror "$src/tests/integration/install_app.c" \
        $(pkg-config --cflags "$lib") -o "$T/$lib-shared" $(pkg-config --libs "$lib") \
        -Wl,-rpath,"$(pkg-config --variable=libdir "$lib")" ||
        fail "cannot build against the shared $lib"
    readelf -d "$T/$lib-shared" | grep -q "NEEDED.*\[$lib\.so\.0\]" ||
        fail "$lib-shared does not use $lib.so.0"
    static_libs=$(pkg-config --static --libs "$lib" | sed "s/-l$name\( \|$\)/-l:$lib.a\1/")
    # shellcheck disable=SC2046,SC2086
    "$cc" -std=c11 -Wall -Wextra -Werror "$src/tests/integration/install_app.c" \
        $(pkg-config --cflags "$lib") -o "$T/$lib-static" $static_libs ||
        fail "cannot build against the static $lib ($static_libs)"
    readelf -d "$T/$lib-static" | grep -q "NEEDED.*\[$lib\.so" &&
        fail "$lib-static still needs the shared $lib"
done

# Run them: libpsa-local on a state directory of its own, libpsa through the installed rssd.
mkdir -m 700 "$T/local"
for kind in shared static; do
    expect "libpsa-local $kind" "$(PSA_STATE_DIR=$T/local "$T/libpsa-local-$kind")" \
        "install_app: ok"
done
"$prefix/sbin/rssd" --foreground --state-dir "$T/state" --socket "$T/rss.sock" \
    2>"$T/rssd.log" &
rssd_pid=$!
while [ ! -S "$T/rss.sock" ]; do
    kill -0 "$rssd_pid" 2>/dev/null || fail "the installed rssd did not start: $(cat "$T/rssd.log")"
    sleep 0.05
done
for kind in shared static; do
    expect "libpsa $kind" "$(RSS_SOCKET=$T/rss.sock "$T/libpsa-$kind")" "install_app: ok"
done
# The example of docs/getting-started.md, taken from the page, built as the page says.
awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' "$src/docs/getting-started.md" \
    >"$T/hello_psa.c"
[ -s "$T/hello_psa.c" ] || fail "no C example in docs/getting-started.md"
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -Werror "$T/hello_psa.c" $(pkg-config --cflags --libs libpsa) \
    -Wl,-rpath,"$(pkg-config --variable=libdir libpsa)" -o "$T/hello_psa" ||
    fail "the getting-started example does not build"
hello=$(RSS_SOCKET=$T/rss.sock "$T/hello_psa") || fail "the getting-started example failed: $hello"
expect "getting-started output" "$hello" "signed 11 bytes: 64-byte signature, verified
changed message: PSA_ERROR_INVALID_SIGNATURE
encrypt with a signing key: PSA_ERROR_NOT_PERMITTED"
RSS_SOCKET=$T/rss.sock "$prefix/bin/psa-api-test" its >"$T/api.log" ||
    fail "the installed psa-api-test its: $(tail -n 3 "$T/api.log")"
# The OpenSSL provider lies in LIBDIR/ossl-modules (Debian's `openssl version -m` for the prefix
# /usr) and finds the installed libpsa by itself: the README's three commands on the install.
if command -v openssl >/dev/null; then
    module=$(find "$prefix" -name psa.so)
    expect "psa.so directory" "$(dirname "$module")" "$libdir/ossl-modules"
    (
        cd "$T" && export OPENSSL_MODULES="$libdir/ossl-modules" RSS_SOCKET="$T/rss.sock" &&
            openssl genpkey -provider default -provider psa -propquery provider=psa \
                -algorithm EC -pkeyopt psa-id:0x77 -out "$T/key.uri" &&
            openssl req -provider default -provider psa -key psa:id=0x77 -new -x509 \
                -subj /CN=installed -out "$T/cert.pem" &&
            openssl verify -CAfile "$T/cert.pem" "$T/cert.pem"
    ) >"$T/provider.log" 2>&1 || fail "the installed psa.so: $(tail -n 3 "$T/provider.log")"
fi
kill -TERM "$rssd_pid"
wait "$rssd_pid"
expect "installed rssd stop" "$?" 0
rssd_pid=

# The man pages render without warnings.
for page in "$prefix"/share/man/man*/*; do
    out=$(cd "$prefix/share/man" && LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
    [ -z "$out" ] || fail "$page: $out"
done

# The units load, the sandbox scores as documented, the sysusers entry makes the user.
if command -v systemd-analyze >/dev/null; then
    (cd "$prefix/lib/systemd/system" && systemd-analyze verify --man=no ./rssd.service \
        ./rssd.socket ./se-proxy.service ./smm-gateway.service ./parsec.service) \
        >"$T/verify.log" 2>&1 ||
        fail "systemd-analyze verify: $(cat "$T/verify.log")"
    score=$(systemd-analyze security --offline=true "$prefix/lib/systemd/system/rssd.service" \
        2>/dev/null | sed -n 's/.*Overall exposure level for rssd.service: \([0-9.]*\).*/\1/p')
    [ -n "$score" ] || fail "no systemd-analyze security score"
    awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || fail "exposure $score is above 2.5"
    echo "systemd-analyze security: rssd.service exposure $score"
fi
if command -v systemd-sysusers >/dev/null; then
    mkdir -p "$T/root/etc"
    systemd-sysusers --root="$T/root" "$prefix/lib/sysusers.d/rssd.conf" >/dev/null 2>&1 ||
        fail "systemd-sysusers refused rssd.conf"
    grep -q '^rssd:x:[0-9]*:[0-9]*:Secure enclave daemon:/var/lib/rssd:/usr/sbin/nologin$' \
        "$T/root/etc/passwd" || fail "no rssd user: $(cat "$T/root/etc/passwd")"
    systemd-sysusers --root="$T/root" "$prefix/lib/sysusers.d/ts-endpoints.conf" \
        "$prefix/lib/sysusers.d/parsec.conf" >/dev/null 2>&1 ||
        fail "systemd-sysusers refused ts-endpoints.conf or parsec.conf"
    for u in se-proxy smm-gateway parsec; do
        grep -q "^$u:" "$T/root/etc/passwd" || fail "no $u user"
    done
    grep -q '^ts-endpoint:x:[0-9]*:se-proxy,smm-gateway$' "$T/root/etc/group" ||
        fail "ts-endpoint group: $(grep ts-endpoint "$T/root/etc/group")"
fi
echo "install: passed ($prefix)"
