#!/bin/bash
# UEFI variables through Debian's efivar, efibootmgr, e2fsprogs' lsattr/chattr and efitools on a
# psa-efivarfs mount backed by a private rssd; restarts of every daemon; uefi-var; two uids.
# Usage: uefi_efivarfs.sh RSSD PSA-EFIVARFS UEFI-VAR PSA-TOOL   (needs root: loop devices, uids)
set -u
rssd=$1 efivarfs=$2 uefivar=$3 psatool=$4
if [ "$(id -u)" -ne 0 ]; then
    echo "uefi_efivarfs: needs root (loop device, set-uid children); skipped"
    exit 77
fi
for tool in efivar efibootmgr lsattr chattr sfdisk losetup setpriv sign-efi-sig-list openssl \
    fusermount3; do
    if ! command -v "$tool" >/dev/null; then
        echo "uefi_efivarfs: $tool is missing (scripts/setup.sh installs it)"
        exit 1
    fi
done

dir=$(mktemp -d /tmp/uefi-efivarfs.XXXXXX)
chmod 755 "$dir"
mkdir -m 700 "$dir/state" "$dir/ts"
mkdir "$dir/mnt"
export RSS_SOCKET="$dir/rss.sock" TS_RUNTIME_DIR="$dir/ts" EFIVARFS_PATH="$dir/mnt/"
G=8be4df61-93ca-11d2-aa0d-00e098032b8c
V=12345678-1234-1234-1234-123456789abc
rssd_pid= loop= passed=0 failed=0

cleanup() {
    fusermount3 -u "$dir/mnt" 2>/dev/null
    [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
    [ -n "$rssd_pid" ] && kill -TERM "$rssd_pid" 2>/dev/null && wait "$rssd_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

check() { # check NAME COMMAND...: one result line per check
    local name=$1
    shift
    if "$@" >"$dir/out" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $name"
        sed 's/^/    /' "$dir/out"
    fi
}

start_rssd() {
    "$rssd" --state-dir "$dir/state" --socket "$RSS_SOCKET" --foreground 2>>"$dir/rssd.log" &
    rssd_pid=$!
    # No deadline: ready when the socket exists, failed when rssd exits.
    while kill -0 "$rssd_pid" 2>/dev/null; do
        [ -S "$RSS_SOCKET" ] && { chmod 777 "$RSS_SOCKET"; return 0; }
        sleep 0.05
    done
    echo "rssd did not start"; cat "$dir/rssd.log"; exit 1
}

stop_rssd() {
    kill -TERM "$rssd_pid"
    wait "$rssd_pid"
    local rc=$?
    rssd_pid=
    [ "$rc" -eq 0 ] || { echo "rssd exited with $rc"; cat "$dir/rssd.log"; exit 1; }
}

mount_vars() { "$efivarfs" "$dir/mnt" || { echo "mount failed"; exit 1; }; }
umount_vars() {
    fusermount3 -u "$dir/mnt"
    # The daemon exits once unmounted; wait until its lock is free (at least 5 minutes of
    # sleeps: a generous hang guard, not a speed test).
    for _ in $(seq 6000); do
        "$uefivar" info >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "psa-efivarfs did not exit"; exit 1
}

value_is() { # value_is FILE HEX: the file's bytes (attributes + data) in hex
    [ "$(od -An -tx1 -v "$1" | tr -d ' \n')" = "$2" ] || { od -An -tx1 -v "$1"; return 1; }
}

output_is() { # output_is TEXT COMMAND...: the command succeeds and prints exactly TEXT
    local got
    got=$("${@:2}") && [ "$got" = "$1" ] || { echo "got '$got'"; return 1; }
}

hex_output_is() { # hex_output_is HEX COMMAND...: the same, for binary output
    local got
    got=$("${@:2}" | od -An -tx1 -v | tr -d ' \n') && [ "$got" = "$1" ] ||
        { echo "got $got"; return 1; }
}

fails_with() { # fails_with TEXT COMMAND...: the command fails and says TEXT on stderr
    if "${@:2}" 2>"$dir/err"; then
        return 1
    fi
    grep -q "$1" "$dir/err" || { cat "$dir/err"; return 1; }
}

lists() { "$@" | grep -q "$pattern"; }
as_other() { # runs a command as uid 60001 with a TS runtime directory of its own
    setpriv --reuid 60001 --regid 60001 --clear-groups env TS_RUNTIME_DIR="$dir/ts2" "$@"
}

start_rssd
mount_vars

# --- efivar: list, write, read, append, immutable flags, delete
pattern="^$G-SetupMode\$"
check "efivar -l lists the mode variables" lists efivar -l
check "SetupMode file: BS|RT then 01" value_is "$dir/mnt/SetupMode-$G" 0600000001
printf 'hello' >"$dir/v.bin"
check "efivar -w" efivar -n "$V-MyTest" -w -t 7 -f "$dir/v.bin"
check "file bytes after write" value_is "$dir/mnt/MyTest-$V" 0700000068656c6c6f
check "efivar -p" sh -c "efivar -p -n $V-MyTest | grep -q '68 65 6c 6c 6f'"
check "new vendor file is immutable" sh -c "lsattr $dir/mnt/MyTest-$V | grep -q '^----i'"
check "immutable: rm refused" sh -c "! rm -f $dir/mnt/MyTest-$V && [ -e $dir/mnt/MyTest-$V ]"
check "chattr -i" chattr -i "$dir/mnt/MyTest-$V"
check "efivar -a appends" efivar -a -n "$V-MyTest" -f "$dir/v.bin"
check "file bytes after append" value_is "$dir/mnt/MyTest-$V" 0700000068656c6c6f68656c6c6f
check "rm deletes" rm "$dir/mnt/MyTest-$V"
pattern=MyTest
check "deleted" sh -c "! efivar -l | grep -q $pattern"
chattr -i "$dir/mnt/SetupMode-$G"
check "SetupMode is read-only" sh -c "! printf '\\006\\000\\000\\000\\000' >$dir/mnt/SetupMode-$G"
check "SetupMode unchanged" value_is "$dir/mnt/SetupMode-$G" 0600000001

# --- efibootmgr: a Boot#### entry on a GPT disk image
truncate -s 64M "$dir/disk.img"
printf 'label: gpt\n,32M,U\n' | sfdisk -q "$dir/disk.img" || exit 1
loop=$(losetup -f --show "$dir/disk.img") || exit 1
check "efibootmgr -c" efibootmgr -q -c -d "$loop" -p 1 -L "PSA Test" -l '\EFI\psa\grubx64.efi'
pattern='Boot0000\* PSA Test.*File(\\EFI\\psa\\grubx64.efi)'
check "efibootmgr lists it" lists efibootmgr -v
check "BootOrder is 0000" value_is "$dir/mnt/BootOrder-$G" 070000000000
pattern='^-----'
check "Boot0000 is removable (not immutable)" lists lsattr "$dir/mnt/Boot0000-$G"
check "uefi-var refuses while the store is served" fails_with 'in use' "$uefivar" list

# --- restart every daemon: psa-efivarfs and rssd
umount_vars
stop_rssd
start_rssd
mount_vars
pattern='Boot0000\* PSA Test'
check "Boot0000 after restart" lists efibootmgr -v
pattern='^BootOrder: 0000$'
check "BootOrder after restart" lists efibootmgr
check "efibootmgr -B deletes" efibootmgr -q -b 0000 -B
check "gone" sh -c "! efibootmgr -v | grep -q 'PSA Test'"
umount_vars

# --- uefi-var: set, get, list, delete; a signed PK enrolment from efitools
check "uefi-var set" "$uefivar" set Greeting -g "$V" -s "hi there"
check "uefi-var get" output_is 'hi there' "$uefivar" get "Greeting-$V"
check "uefi-var get --attributes" output_is 0x00000007 "$uefivar" get Greeting -g "$V" --attributes
pattern="^Greeting-$V\$"
check "uefi-var list" lists "$uefivar" list
check "uefi-var delete" "$uefivar" delete Greeting -g "$V"
check "uefi-var get missing" fails_with EFI_NOT_FOUND "$uefivar" get Greeting -g "$V"
sign_pk() { sign-efi-sig-list -t "$1" -k PK.key -c PK.crt PK "$2" "$3" >/dev/null; }
(cd "$dir" && openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 365 -subj '/CN=PK/' \
    -keyout PK.key -out PK.crt 2>/dev/null && cert-to-efi-sig-list PK.crt PK.esl &&
    sign_pk '2025-01-01 00:00:00' PK.esl PK.auth &&
    sign_pk '2025-01-01 00:00:01' /dev/null PK-del.auth &&
    sign_pk '2024-01-01 00:00:00' /dev/null PK-old.auth) || exit 1
check "uefi-var set --signed PK" "$uefivar" set PK -t nv,bs,rt --signed "$dir/PK.auth"
check "PK reads back as the list" cmp <("$uefivar" get PK) "$dir/PK.esl"
check "SetupMode 0 after enrolment" hex_output_is 00 "$uefivar" get SetupMode
check "an old timestamp is refused" fails_with EFI_SECURITY_VIOLATION \
    "$uefivar" set PK -t nv,bs,rt --signed "$dir/PK-old.auth"
check "a plain delete of PK is refused" fails_with EFI_SECURITY_VIOLATION "$uefivar" delete PK
check "PK unchanged" cmp <("$uefivar" get PK) "$dir/PK.esl"

# --- two uids: variables live in the PS partition of the uid that serves them
mkdir -m 700 "$dir/ts2" && chown 60001:60001 "$dir/ts2"
missing='DOES_NOT_EXIST\|[Dd]oes not exist'
check "another uid cannot read the index through rssd" fails_with "$missing" \
    as_other "$psatool" ps get 0x8000000000000001 --out /dev/null
check "another uid gets a store of its own" fails_with EFI_NOT_FOUND as_other "$uefivar" get PK
check "... in Setup mode while the serving uid's is not" hex_output_is 01 \
    as_other "$uefivar" get SetupMode
check "the serving uid can" "$psatool" ps info 0x8000000000000001
check "PK still enrolled for the serving uid" cmp <("$uefivar" get PK) "$dir/PK.esl"
check "signed PK delete: Setup mode again" "$uefivar" set PK -t nv,bs,rt --signed "$dir/PK-del.auth"
check "SetupMode 1" hex_output_is 01 "$uefivar" get SetupMode

# --- default databases from a directory, read-only
mkdir "$dir/defaults" && cp "$dir/PK.esl" "$dir/defaults/dbDefault"
check "dbDefault served" cmp <("$uefivar" --defaults "$dir/defaults" get dbDefault) "$dir/PK.esl"
check "dbDefault is read-only" fails_with EFI_WRITE_PROTECTED \
    "$uefivar" --defaults "$dir/defaults" set dbDefault -t bs,rt -f "$dir/PK.esl"
printf 'junk' >"$dir/defaults/KEKDefault"
check "a malformed default is refused" fails_with 'cannot open' \
    "$uefivar" --defaults "$dir/defaults" list
rm "$dir/defaults/KEKDefault"
"$efivarfs" "$dir/mnt" --defaults="$dir/defaults" || { echo "mount failed"; exit 1; }
check "dbDefault on the mount" value_is "$dir/mnt/dbDefault-$G" \
    "06000000$(od -An -tx1 -v "$dir/PK.esl" | tr -d ' \n')"
umount_vars

stop_rssd
echo "uefi_efivarfs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
