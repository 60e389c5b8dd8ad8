#!/bin/sh
# rssd as a program: defaults for an ordinary user, the state lock, SIGHUP reloads, pid and log
# files, the journal format, syslog, socket activation, sd_notify, --version, option errors, and
# (as root, in private mount namespaces) a system rssd serving users who configured nothing.
# Usage: rssd_daemon.sh CASE RSSD RSS_PROBE VERSION [PROGRAM...]
# Exit 0: passed; 1: failed; 77: skipped (the case needs root or a missing tool).
# Nothing here waits for a time: every wait is for a file, a line or a process, while rssd lives.
set -u

case=$1
rssd=$2
probe=$3
version=$4
shift 4

T=$(mktemp -d /tmp/ss-daemon-XXXXXX) || exit 1
chmod 755 "$T"
started=""
cleanup() {
    for p in $started; do
        kill -KILL "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT

fail() {
    echo "FAIL ($case): $*" >&2
    for f in "$T"/*.log "$T"/*.err; do
        [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}

# expect WHAT ACTUAL EXPECTED
expect() {
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# alive PID: the process exists and is not a zombie (a detached rssd is not our child, so
# whoever adopted it reaps it, maybe much later).
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    proc_state=$(sed "s/.*) //" "/proc/$1/stat" 2>/dev/null | cut -d" " -f1)
    [ -n "$proc_state" ] && [ "$proc_state" != Z ]
}

# wait_for TEST-ARGS... : until `test ARGS` holds (a file appears or goes).
wait_for() {
    while ! test "$@"; do
        sleep 0.05
    done
}

# wait_line FILE TEXT PID: until FILE has a line containing TEXT, as long as PID lives.
wait_line() {
    while ! grep -qF -- "$2" "$1" 2>/dev/null; do
        alive "$3" || fail "rssd $3 died before logging '$2'"
        sleep 0.05
    done
}

# stop PID: SIGTERM, then wait until the process is gone (it may not be our child).
stop() {
    kill -TERM "$1" || fail "cannot signal rssd $1"
    while alive "$1"; do
        sleep 0.05
    done
}

is_root() {
    [ "$(id -u)" -eq 0 ]
}

# as UID CMD...: runs CMD as UID with no groups (as root), else as ourselves.
as() {
    u=$1
    shift
    if is_root; then
        setpriv --reuid="$u" --regid="$u" --clear-groups "$@"
    else
        "$@"
    fi
}

user_uid=65534 # nobody
is_root || user_uid=$(id -u)

case_version() {
    expect "rssd --version" "$("$rssd" --version)" "rssd (secure-services) $version"
    for program in "$@"; do
        name=$(basename "$program")
        expect "$name --version" "$("$program" --version)" "$name (secure-services) $version"
    done
}

case_options() {
    "$rssd" --workers 0 >/dev/null 2>"$T/opt.err"
    expect "rssd --workers 0: exit status" "$?" 2
    expect "rssd --workers 0: message" "$(head -n 1 "$T/opt.err")" \
        "rssd: --workers 0: expected a whole number from 1 to 256"
    "$rssd" --shutdown-grace -1 >/dev/null 2>"$T/opt.err"
    expect "rssd --shutdown-grace -1: message" "$(head -n 1 "$T/opt.err")" \
        "rssd: --shutdown-grace -1: expected a whole number from 0 to 3600"
    "$rssd" --log-file "$T/x.log" --syslog >/dev/null 2>"$T/opt.err"
    expect "--log-file with --syslog: exit status" "$?" 2
    expect "--log-file with --syslog: message" "$(head -n 1 "$T/opt.err")" \
        "rssd: --log-file and --syslog exclude each other"
    printf 'uid 0 client\nuser 5 client\n' >"$T/bad.policy"
    "$rssd" --foreground --state-dir "$T/st" --socket "$T/s.sock" --policy "$T/bad.policy" \
        2>"$T/opt.err"
    expect "bad policy: exit status" "$?" 1
    want="error: policy $T/bad.policy, line 2: unknown rule \"user\""
    want="$want (lines start with \"uid\" or \"default\")"
    grep -qF "$want" "$T/opt.err" || fail "bad policy: message: $(cat "$T/opt.err")"
    [ ! -e "$T/s.sock" ] || fail "bad policy: a socket was left behind"
}

# An ordinary user with nothing configured: state under ~/.local/state, socket under
# $XDG_RUNTIME_DIR/rss, both created 0700; a second rssd on that state is refused.
case_user_defaults() {
    home=$T/home run=$T/run
    mkdir -p "$home" "$run"
    chmod 700 "$run"
    is_root && chown "$user_uid:$user_uid" "$home" "$run"
    env_user="env -i HOME=$home XDG_RUNTIME_DIR=$run PATH=/usr/bin:/bin"
    # shellcheck disable=SC2086
    as "$user_uid" $env_user "$rssd" 2>"$T/start.err" ||
        fail "rssd did not start: $(cat "$T/start.err")"
    state=$home/.local/state/rssd
    for d in "$home/.local" "$home/.local/state" "$state" "$run/rss"; do
        expect "mode of $d" "$(stat -c %a "$d")" 700
        expect "owner of $d" "$(stat -c %u "$d")" "$user_uid"
    done
    [ -S "$run/rss/rss.sock" ] || fail "no socket at $run/rss/rss.sock"
    pid=$(cat "$state/rssd.lock")
    started="$started $pid"
    alive "$pid" || fail "the detached rssd (pid '$pid' in rssd.lock) is not running"
    # shellcheck disable=SC2086
    expect "probe socket" "$(as "$user_uid" $env_user "$probe" socket)" "$run/rss/rss.sock"
    # shellcheck disable=SC2086
    expect "a call as the user" "$(as "$user_uid" $env_user "$probe" call)" ok

    # shellcheck disable=SC2086
    as "$user_uid" $env_user "$rssd" --foreground --socket "$run/other.sock" 2>"$T/second.err"
    expect "second rssd: exit status" "$?" 1
    want="the state directory $state is in use by another rssd (pid $pid);"
    want="$want stop it, or give this one another --state-dir"
    grep -qF "$want" "$T/second.err" || fail "second rssd: message: $(cat "$T/second.err")"
    [ ! -e "$run/other.sock" ] || fail "the refused rssd left a socket"
    # shellcheck disable=SC2086
    expect "the first still serves" "$(as "$user_uid" $env_user "$probe" call)" ok
    stop "$pid"
    [ ! -e "$run/rss/rss.sock" ] || fail "the socket outlived rssd"

    # $XDG_STATE_HOME, when set, holds the state; its missing parents are created 0700 too.
    xdg=$T/xdg/state
    mkdir -p "$T/xdg"
    is_root && chown "$user_uid:$user_uid" "$T/xdg"
    # shellcheck disable=SC2086
    as "$user_uid" $env_user XDG_STATE_HOME="$xdg" "$rssd" 2>"$T/start.err" ||
        fail "rssd did not start with XDG_STATE_HOME: $(cat "$T/start.err")"
    expect "mode of $xdg" "$(stat -c %a "$xdg")" 700
    pid=$(cat "$xdg/rssd/rssd.lock")
    started="$started $pid"
    # shellcheck disable=SC2086
    expect "a call with XDG_STATE_HOME" "$(as "$user_uid" $env_user "$probe" call)" ok
    stop "$pid"
}

# SIGHUP: a valid file replaces the policy (each change logged, the connections it concerns
# closed); an invalid one is reported with its line and the policy in force is kept.
case_sighup() {
    me=$(id -u)
    printf 'uid %s client\n' "$me" >"$T/policy"
    "$rssd" --state-dir "$T/st" --socket "$T/s.sock" --policy "$T/policy" \
        --log-file "$T/rssd.log" --pid-file "$T/rssd.pid" || fail "rssd did not start"
    pid=$(cat "$T/rssd.pid")
    started="$started $pid"
    export RSS_SOCKET="$T/s.sock"
    expect "a call as a client" "$("$probe" call)" ok

    mkfifo "$T/hold.in"
    "$probe" hold <"$T/hold.in" >"$T/hold.out" &
    holder=$!
    exec 3>"$T/hold.in"
    while [ "$(head -n 1 "$T/hold.out")" != ok ]; do
        alive "$holder" || fail "the holding client ended early: $(cat "$T/hold.out")"
        sleep 0.05
    done

    printf 'uid %s refused\n' "$me" >"$T/policy"
    kill -HUP "$pid"
    log=$T/rssd.log
    wait_line "$log" "policy $T/policy reloaded: 1 change; 1 connection closed to apply them" "$pid"
    grep -qF "info: policy: uid $me: client -> refused" "$log" || fail "the change was not logged"
    echo >&3
    exec 3>&-
    wait "$holder"
    expect "the held connection after the reload" "$(tail -n 1 "$T/hold.out")" "status -130"
    expect "a call once refused" "$("$probe" call)" "status -130"

    printf 'uid %s wizard\n' "$me" >"$T/policy"
    kill -HUP "$pid"
    want="error: policy $T/policy, line 1: unknown role \"wizard\" (client, forwarder or refused);"
    wait_line "$log" "$want keeping the policy in force" "$pid"
    expect "a call after a bad reload" "$("$probe" call)" "status -130"

    printf 'default refused\nuid %s client\n' "$me" >"$T/policy"
    kill -HUP "$pid"
    want="policy $T/policy reloaded: 2 changes; 0 connections closed to apply them"
    wait_line "$log" "$want" "$pid"
    grep -qF "info: policy: uid $me: refused -> client" "$log" || fail "uid change not logged"
    grep -qF "info: policy: default: client -> refused" "$log" || fail "default change not logged"
    expect "a call after the good reload" "$("$probe" call)" ok
    stop "$pid"

    # Without --policy there is nothing to reload, and rssd says so.
    "$rssd" --state-dir "$T/st" --socket "$T/s.sock" --log-file "$T/rssd2.log" \
        --pid-file "$T/rssd.pid" || fail "rssd did not start"
    pid=$(cat "$T/rssd.pid")
    started="$started $pid"
    kill -HUP "$pid"
    wait_line "$T/rssd2.log" "SIGHUP: no --policy file, nothing to reload" "$pid"
    stop "$pid"
}

# Detached with --pid-file and --log-file: nothing on the terminal, the pid file names the
# daemon until it stops, the log is reopened on SIGHUP after rotation.
case_files() {
    "$rssd" --state-dir "$T/st" --socket "$T/s.sock" --pid-file "$T/rssd.pid" \
        --log-file "$T/rssd.log" >"$T/out" 2>"$T/err"
    expect "detached start: exit status" "$?" 0
    [ -s "$T/out" ] || [ -s "$T/err" ] && fail "the detached rssd wrote to the terminal"
    pid=$(cat "$T/rssd.pid")
    started="$started $pid"
    expect "the pid file names rssd" "$(cat "/proc/$pid/comm")" "$(basename "$rssd" | cut -c1-15)"
    expect "mode of the pid file" "$(stat -c %a "$T/rssd.pid")" 644
    expect "mode of the log file" "$(stat -c %a "$T/rssd.log")" 600
    grep -qF "info: rssd $version serving on $T/s.sock, state in $T/st" "$T/rssd.log" ||
        fail "no start line in the log"
    RSS_SOCKET=$T/s.sock "$probe" call >/dev/null || fail "the detached rssd does not serve"
    mv "$T/rssd.log" "$T/rssd.log.1"
    kill -HUP "$pid"
    wait_for -e "$T/rssd.log"
    wait_line "$T/rssd.log" "SIGHUP: no --policy file, nothing to reload" "$pid"
    stop "$pid"
    [ ! -e "$T/rssd.pid" ] || fail "the pid file outlived rssd"
    grep -qF "info: stopped" "$T/rssd.log" || fail "no stop line in the reopened log"

    # A pid file that cannot be written is reported before rssd detaches.
    "$rssd" --state-dir "$T/st" --socket "$T/s.sock" --pid-file "$T/no/such/dir/p" 2>"$T/err"
    expect "bad pid file: exit status" "$?" 1
    grep -qF "cannot write the pid file $T/no/such/dir/p: No such file or directory" "$T/err" ||
        fail "bad pid file: message: $(cat "$T/err")"
}

# Run by systemd: INVOCATION_ID keeps rssd in the foreground, and a stderr that is the journal
# (JOURNAL_STREAM names it) gets sd-daemon priority prefixes.
case_journal() {
    : >"$T/journal.err"
    stream=$(stat -c '%d:%i' "$T/journal.err")
    JOURNAL_STREAM=$stream INVOCATION_ID=0123456789abcdef0123456789abcdef \
        "$rssd" --state-dir "$T/st" --socket "$T/s.sock" 2>>"$T/journal.err" &
    pid=$!
    started="$started $pid"
    wait_line "$T/journal.err" "serving on" "$pid"
    expect "first journal line" "$(head -n 1 "$T/journal.err")" \
        "<6>rssd $version serving on $T/s.sock, state in $T/st, 4 workers, embed limit 8320, $(
        )64 keys and 32 operations per session"
    kill -TERM "$pid"
    wait "$pid"
    expect "exit status under systemd" "$?" 0
    expect "last journal line" "$(tail -n 1 "$T/journal.err")" "<6>stopped"
}

# Socket activation: systemd-socket-activate passes a listening SOCK_SEQPACKET socket the way
# systemd does; rssd serves on it and leaves the socket file to its owner.
case_activation() {
    command -v systemd-socket-activate >/dev/null || { echo "no systemd-socket-activate"; exit 77; }
    systemd-socket-activate --seqpacket -l "$T/act.sock" \
        "$rssd" --foreground --state-dir "$T/st" --socket "$T/ignored.sock" 2>"$T/act.err" &
    pid=$!
    started="$started $pid"
    wait_for -S "$T/act.sock"
    expect "a call on the activated socket" "$(RSS_SOCKET=$T/act.sock "$probe" call)" ok
    wait_line "$T/act.err" "serving on $T/act.sock, state in $T/st" "$pid"
    [ ! -e "$T/ignored.sock" ] || fail "rssd bound --socket although systemd passed one"
    kill -TERM "$pid"
    wait "$pid"
    expect "exit status" "$?" 0
    [ -S "$T/act.sock" ] || fail "rssd removed the socket file systemd owns"

    sh -c 'LISTEN_PID=$$ LISTEN_FDS=2 exec "$0" --foreground --state-dir "$1" --socket "$2"' \
        "$rssd" "$T/st" "$T/s.sock" 2>"$T/act2.err"
    expect "two passed sockets: exit status" "$?" 1
    grep -qF "socket activation: systemd passed 2 sockets; rssd serves on exactly one" \
        "$T/act2.err" || fail "two sockets: message: $(cat "$T/act2.err")"
    sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" --foreground --state-dir "$1" 3</dev/null' \
        "$rssd" "$T/st" 2>"$T/act2.err"
    expect "a passed file: exit status" "$?" 1
    grep -qF "socket activation: passed descriptor 3: Socket operation on non-socket" \
        "$T/act2.err" || fail "a passed file: message: $(cat "$T/act2.err")"
}

# sd_notify: READY=1 once serving, RELOADING=1 and READY=1 around a SIGHUP, STOPPING=1.
case_notify() {
    python=/usr/bin/python3
    [ -x "$python" ] || { echo "no $python"; exit 77; }
    "$python" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        d = s.recv(4096).decode()
        f.write(d + "\n")
        f.flush()
        if d == "STOPPING=1":
            break
' "$T/notify.sock" "$T/notify.txt" &
listener=$!
    wait_for -S "$T/notify.sock"
    NOTIFY_SOCKET=$T/notify.sock "$rssd" --foreground --state-dir "$T/st" --socket "$T/s.sock" \
        2>"$T/rssd.err" &
    pid=$!
    started="$started $pid"
    wait_line "$T/notify.txt" "READY=1" "$pid"
    kill -HUP "$pid"
    while [ "$(grep -c READY=1 "$T/notify.txt")" -lt 2 ]; do
        alive "$pid" || fail "rssd died"
        sleep 0.05
    done
    kill -TERM "$pid"
    wait "$pid"
    wait "$listener"
    expect "notifications" "$(tr '\n' ' ' <"$T/notify.txt")" \
        "READY=1 RELOADING=1 READY=1 STOPPING=1 "
}

# As root, in a mount namespace whose /run and /var/lib are empty: rssd with no options at all
# is the system instance; two users who set nothing (one with an XDG_RUNTIME_DIR of their own,
# one without) and root are its clients, each with their own objects. The same again with rssd
# running as a dedicated user, as rssd.service runs it. And libpsa's error with no rssd at all.
case_system() {
    is_root || { echo "needs root (uid switching, a mount namespace)"; exit 77; }
    command -v unshare >/dev/null || { echo "no unshare"; exit 77; }
    unshare --mount --propagation private sh "$0" system-inner "$rssd" "$probe" "$version" "$T"
    rc=$?
    [ "$rc" -eq 0 ] || exit "$rc"
}

case_system_inner() {
    rm -rf "$T"
    T=$1 # the outer directory; /tmp is not affected by the mounts
    mount -t tmpfs -o mode=755 rssd-test-run /run || exit 77
    mount -t tmpfs -o mode=755 rssd-test-var-lib /var/lib || exit 77
    u1=65534 u2=65533
    mkdir -p "$T/u1run"
    chown "$u1:$u1" "$T/u1run"
    chmod 700 "$T/u1run"
    env1="env -i HOME=/nonexistent XDG_RUNTIME_DIR=$T/u1run PATH=/usr/bin:/bin"
    env2="env -i HOME=/nonexistent PATH=/usr/bin:/bin"
    # user1/user2 ARGS...: rss_probe as one of the two users, with nothing configured.
    # shellcheck disable=SC2086
    user1() { setpriv --reuid=$u1 --regid=$u1 --clear-groups $env1 "$probe" "$@"; }
    # shellcheck disable=SC2086
    user2() { setpriv --reuid=$u2 --regid=$u2 --clear-groups $env2 "$probe" "$@"; }

    env -i PATH=/usr/bin:/bin "$rssd" 2>"$T/sys.err" ||
        fail "rssd did not start: $(cat "$T/sys.err")"
    expect "mode of /var/lib/rssd" "$(stat -c %a /var/lib/rssd)" 700
    expect "mode of /run/rss" "$(stat -c %a /run/rss)" 755
    expect "mode of the socket" "$(stat -c %a /run/rss/rss.sock)" 666
    pid=$(cat /var/lib/rssd/rssd.lock)
    started="$started $pid"
    expect "user 1 finds the system socket" "$(user1 socket)" /run/rss/rss.sock
    expect "user 1 sets" "$(user1 set 1 alpha)" ok
    expect "user 2 sees none of it" "$(user2 get 1)" "status -140"
    expect "user 2 sets" "$(user2 set 1 beta)" ok
    expect "user 1 reads its own" "$(user1 get 1)" alpha
    expect "user 2 reads its own" "$(user2 get 1)" beta
    expect "root is a client" "$(env -i PATH=/usr/bin:/bin "$probe" call)" ok
    stop "$pid"

    want="status -145: cannot reach rssd: tried $T/u1run/rss/rss.sock (No such file or directory),"
    expect "no rssd anywhere" "$(user1 call)" \
        "$want /run/rss/rss.sock (No such file or directory)"

    # As rssd.service runs it: a dedicated user, $STATE_DIRECTORY, /run/rss owned by it.
    svc=65532
    mkdir -p /var/lib/rssd-svc /run/rss
    chown "$svc:$svc" /var/lib/rssd-svc /run/rss
    chmod 700 /var/lib/rssd-svc
    chmod 755 /run/rss
    setpriv --reuid=$svc --regid=$svc --clear-groups env -i STATE_DIRECTORY=/var/lib/rssd-svc \
        PATH=/usr/bin:/bin "$rssd" 2>"$T/svc.err" ||
        fail "rssd as a user did not start: $(cat "$T/svc.err")"
    pid=$(cat /var/lib/rssd-svc/rssd.lock)
    started="$started $pid"
    expect "the service user's socket" "$(stat -c %u /run/rss/rss.sock)" "$svc"
    expect "root is a client of the service" "$(env -i PATH=/usr/bin:/bin "$probe" call)" ok
    expect "user 1 sets (service)" "$(user1 set 2 gamma)" ok
    expect "user 2 sees none of it (service)" "$(user2 get 2)" "status -140"
    expect "user 1 reads its own (service)" "$(user1 get 2)" gamma
    stop "$pid"
}

# syslog (--syslog, and a detached rssd without --log-file): as root, in a mount namespace with
# a /dev of its own whose /dev/log is a listener of ours, so the host's logger is not touched.
case_syslog() {
    is_root || { echo "needs root (a mount namespace)"; exit 77; }
    [ -x /usr/bin/python3 ] || { echo "no /usr/bin/python3"; exit 77; }
    unshare --mount --propagation private sh "$0" syslog-inner "$rssd" "$probe" "$version" "$T"
}

case_syslog_inner() {
    rm -rf "$T"
    T=$1
    mount -t tmpfs -o mode=755 rssd-test-dev /dev || exit 77
    mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/urandom c 1 9 &&
        mknod -m 666 /dev/random c 1 8 || exit 77
    /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "a") as f:
    while True:
        d = s.recv(4096).decode()
        f.write(d + "\n")
        f.flush()
' "$T/syslog.txt" &
    listener=$!
    started="$started $listener"
    wait_for -S /dev/log
    "$rssd" --foreground --syslog --state-dir "$T/st" --socket "$T/s.sock" 2>"$T/fg.err" &
    pid=$!
    started="$started $pid"
    wait_line "$T/syslog.txt" "serving on $T/s.sock" "$pid"
    # RFC 3164 as glibc sends it: <facility * 8 + priority>, time, identifier[pid]: message.
    grep -q "^<30>.* rssd\[$pid\]: rssd $version serving on $T/s.sock, state in $T/st" \
        "$T/syslog.txt" || fail "no daemon.info line in syslog: $(cat "$T/syslog.txt")"
    [ ! -s "$T/fg.err" ] || fail "--syslog also wrote to stderr: $(cat "$T/fg.err")"
    kill -TERM "$pid"
    wait "$pid"
    expect "exit status with --syslog" "$?" 0
    grep -q "^<30>.* rssd\[$pid\]: stopped$" "$T/syslog.txt" || fail "no stop line in syslog"

    # Detached without --log-file: the log goes to syslog once rssd leaves the terminal.
    "$rssd" --state-dir "$T/st" --socket "$T/s.sock" 2>"$T/bg.err" || fail "rssd did not start"
    pid=$(cat "$T/st/rssd.lock")
    started="$started $pid"
    wait_line "$T/syslog.txt" "rssd[$pid]: rssd $version serving on" "$pid"
    want="info: detaching; the log goes to syslog from now on"
    expect "the terminal's last word" "$(sed 's/^rssd\[[0-9]*\] //' "$T/bg.err")" \
        "$want (--log-file FILE, or --foreground to keep it here)"
    stop "$pid"
    wait_line "$T/syslog.txt" "rssd[$pid]: stopped" "$listener"
    kill "$listener"
}

case "$case" in
version) case_version "$@" ;;
options) case_options ;;
user-defaults) case_user_defaults ;;
sighup) case_sighup ;;
files) case_files ;;
journal) case_journal ;;
activation) case_activation ;;
notify) case_notify ;;
system) case_system ;;
system-inner) case_system_inner "$@" ;;
syslog) case_syslog ;;
syslog-inner) case_syslog_inner "$@" ;;
*) echo "unknown case $case" >&2; exit 2 ;;
esac
echo "rssd_daemon $case: passed"
exit 0
