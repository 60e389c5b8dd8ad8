#!/bin/bash
# UEFI variables through Debian's efivar, efibootmgr, e2fsprogs' lsattr/chattr and efitools on a
# psa-efivarfs mount of a private smm-gateway (running as a uid of its own) over a private rssd;
# restarts of every daemon; uefi-var; the gateway's policy; who can reach the gateway's objects.
# Usage: uefi_efivarfs.sh RSSD SMM-GATEWAY PSA-EFIVARFS UEFI-VAR PSA-TOOL
# (needs root: loop devices, uids)
set -u
rssd=$1 gateway=$2 efivarfs=$3 uefivar=$4 psatool=$5
GW_UID=60002
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
mkdir -m 700 "$dir/state"
mkdir -m 755 "$dir/ts" && chown "$GW_UID:$GW_UID" "$dir/ts"
mkdir "$dir/mnt"
export RSS_SOCKET="$dir/rss.sock" TS_RUNTIME_DIR="$dir/ts" EFIVARFS_PATH="$dir/mnt/"
# root and uid 60001 may use the variables; 60003 is not named, so it is refused.
printf 'default refused\nuid 0 client\nuid 60001 client\n' >"$dir/gateway.policy"
G=8be4df61-93ca-11d2-aa0d-00e098032b8c
V=12345678-1234-1234-1234-123456789abc
rssd_pid= gateway_pid= loop= passed=0 failed=0

cleanup() {
    fusermount3 -u "$dir/mnt" 2>/dev/null
    [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
    [ -n "$gateway_pid" ] && kill -TERM "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null
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

as_gateway_uid() { setpriv --reuid "$GW_UID" --regid "$GW_UID" --clear-groups "$@"; }

start_gateway() { # start_gateway [OPTIONS...]: smm-gateway as its own uid
    rm -f "$dir/ts/smm-gateway.sock"
    # setpriv execs the gateway, so $! is its pid
    setpriv --reuid "$GW_UID" --regid "$GW_UID" --clear-groups "$gateway" --foreground \
        --policy "$dir/gateway.policy" "$@" >>"$dir/gateway.log" 2>&1 &
    gateway_pid=$!
    while kill -0 "$gateway_pid" 2>/dev/null; do
        [ -S "$dir/ts/smm-gateway.sock" ] && return 0
        sleep 0.05
    done
    echo "smm-gateway did not start"; cat "$dir/gateway.log"; exit 1
}

stop_gateway() {
    kill -TERM "$gateway_pid"
    wait "$gateway_pid"
    local rc=$?
    gateway_pid=
    [ "$rc" -eq 0 ] || { echo "smm-gateway exited with $rc"; cat "$dir/gateway.log"; exit 1; }
}

mount_vars() { "$efivarfs" "$dir/mnt" || { echo "mount failed"; exit 1; }; }
umount_vars() { fusermount3 -u "$dir/mnt"; }

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
as_other() { setpriv --reuid 60001 --regid 60001 --clear-groups "$@"; }

start_rssd
start_gateway
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
pattern="^Boot0000-$G\$"
check "uefi-var sees the entry while the mount serves" lists "$uefivar" list

# --- restart every daemon: psa-efivarfs, smm-gateway and rssd
umount_vars
stop_gateway
stop_rssd
start_rssd
start_gateway
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

# --- uids: the variables are the device's, kept in the gateway's own PS partition in rssd
missing='DOES_NOT_EXIST\|[Dd]oes not exist'
check "another uid sees the device's PK" cmp <(as_other "$uefivar" get PK) "$dir/PK.esl"
check "... and Setup mode off" hex_output_is 00 as_other "$uefivar" get SetupMode
check "a uid the gateway's policy refuses gets nothing" fails_with 'refuses' \
    setpriv --reuid 60003 --regid 60003 --clear-groups "$uefivar" list
check "another uid cannot read the index through rssd" fails_with "$missing" \
    as_other "$psatool" ps get 0x8000000000000001 --out /dev/null
check "nor can root" fails_with "$missing" "$psatool" ps get 0x8000000000000001 --out /dev/null
check "the gateway's uid can" as_gateway_uid "$psatool" ps info 0x8000000000000001
check "signed PK delete: Setup mode again" "$uefivar" set PK -t nv,bs,rt --signed "$dir/PK-del.auth"
check "SetupMode 1" hex_output_is 01 as_other "$uefivar" get SetupMode

# --- default databases from a directory, read-only
mkdir -m 755 "$dir/defaults" && cp "$dir/PK.esl" "$dir/defaults/dbDefault"
chmod 644 "$dir/defaults/dbDefault"
stop_gateway
printf 'junk' >"$dir/defaults/KEKDefault"
check "a malformed default stops the gateway" fails_with 'malformed' \
    as_gateway_uid "$gateway" --foreground --socket "$dir/ts/other.sock" --defaults "$dir/defaults"
rm "$dir/defaults/KEKDefault"
start_gateway --defaults "$dir/defaults" --max-data-size 200000
check "dbDefault served" cmp <("$uefivar" get dbDefault) "$dir/PK.esl"
# a limit above the client's first 64 KiB buffer: the client lends a larger one
head -c 100000 /dev/urandom >"$dir/big.bin"
check "a 100000-byte variable with --max-data-size 200000" \
    "$uefivar" set Big -g "$V" -t bs,rt -f "$dir/big.bin"
check "... reads back" cmp <("$uefivar" get Big -g "$V") "$dir/big.bin"
check "dbDefault is read-only" fails_with EFI_WRITE_PROTECTED \
    "$uefivar" set dbDefault -t bs,rt -f "$dir/PK.esl"
mount_vars
check "dbDefault on the mount" value_is "$dir/mnt/dbDefault-$G" \
    "06000000$(od -An -tx1 -v "$dir/PK.esl" | tr -d ' \n')"
umount_vars

stop_gateway
stop_rssd
echo "uefi_efivarfs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
