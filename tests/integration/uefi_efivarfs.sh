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
    command -v "$tool" >/dev/null || { echo "uefi_efivarfs: $tool is missing (scripts/setup.sh)"; exit 1; }
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
    for _ in $(seq 200); do
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
    # The daemon exits once unmounted; wait until its lock is free.
    for _ in $(seq 200); do
        "$uefivar" info >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "psa-efivarfs did not exit"; exit 1
}

value_is() { # value_is FILE HEX: the file's bytes (attributes + data) in hex
    [ "$(od -An -tx1 -v "$1" | tr -d ' \n')" = "$2" ] || { od -An -tx1 -v "$1"; return 1; }
}

start_rssd
mount_vars

# --- efivar: list, write, read, append, immutable flags, delete
check "efivar -l lists the mode variables" sh -c "efivar -l | grep -qx $G-SetupMode"
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
check "deleted" sh -c "! efivar -l | grep -q MyTest"
check "SetupMode is read-only" sh -c "chattr -i $dir/mnt/SetupMode-$G && ! printf '\\006\\000\\000\\000\\000' > $dir/mnt/SetupMode-$G"
check "SetupMode unchanged" value_is "$dir/mnt/SetupMode-$G" 0600000001

# --- efibootmgr: a Boot#### entry on a GPT disk image
truncate -s 64M "$dir/disk.img"
printf 'label: gpt\n,32M,U\n' | sfdisk -q "$dir/disk.img" || exit 1
loop=$(losetup -f --show "$dir/disk.img") || exit 1
check "efibootmgr -c" efibootmgr -q -c -d "$loop" -p 1 -L "PSA Test" -l '\EFI\psa\grubx64.efi'
check "efibootmgr lists it" sh -c "efibootmgr -v | grep -q 'Boot0000\\* PSA Test.*File(\\\\EFI\\\\psa\\\\grubx64.efi)'"
check "BootOrder is 0000" value_is "$dir/mnt/BootOrder-$G" 070000000000
check "Boot0000 is removable (not immutable)" sh -c "lsattr $dir/mnt/Boot0000-$G | grep -q '^-----'"
check "uefi-var refuses while the store is served" sh -c "! $uefivar list 2>&1 && $uefivar list 2>&1 | grep -q 'in use'"

# --- restart every daemon: psa-efivarfs and rssd
umount_vars
stop_rssd
start_rssd
mount_vars
check "Boot0000 after restart" sh -c "efibootmgr -v | grep -q 'Boot0000\\* PSA Test'"
check "BootOrder after restart" sh -c "efibootmgr | grep -qx 'BootOrder: 0000'"
check "efibootmgr -B deletes" efibootmgr -q -b 0000 -B
check "gone" sh -c "! efibootmgr -v | grep -q 'PSA Test'"
umount_vars

# --- uefi-var: set, get, list, delete; a signed PK enrolment from efitools
check "uefi-var set" "$uefivar" set Greeting -g "$V" -s "hi there"
check "uefi-var get" sh -c "[ \"\$($uefivar get Greeting-$V)\" = 'hi there' ]"
check "uefi-var get --attributes" sh -c "[ \"\$($uefivar get Greeting -g $V --attributes)\" = 0x00000007 ]"
check "uefi-var list" sh -c "$uefivar list | grep -qx Greeting-$V"
check "uefi-var delete" "$uefivar" delete Greeting -g "$V"
check "uefi-var get missing" sh -c "! $uefivar get Greeting -g $V 2>$dir/err && grep -q EFI_NOT_FOUND $dir/err"
(cd "$dir" && openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 365 -subj '/CN=PK/' \
    -keyout PK.key -out PK.crt 2>/dev/null && cert-to-efi-sig-list PK.crt PK.esl &&
    sign-efi-sig-list -t '2025-01-01 00:00:00' -k PK.key -c PK.crt PK PK.esl PK.auth >/dev/null &&
    sign-efi-sig-list -t '2025-01-01 00:00:01' -k PK.key -c PK.crt PK /dev/null PK-del.auth >/dev/null &&
    sign-efi-sig-list -t '2024-01-01 00:00:00' -k PK.key -c PK.crt PK /dev/null PK-old.auth >/dev/null) || exit 1
check "uefi-var set --signed PK" "$uefivar" set PK -t nv,bs,rt --signed "$dir/PK.auth"
check "PK reads back as the list" cmp <("$uefivar" get PK) "$dir/PK.esl"
check "SetupMode 0 after enrolment" sh -c "[ \"\$($uefivar get SetupMode | od -An -tx1 | tr -d ' ')\" = 00 ]"
check "an old timestamp is refused" sh -c "! $uefivar set PK -t nv,bs,rt --signed $dir/PK-old.auth 2>$dir/err && grep -q EFI_SECURITY_VIOLATION $dir/err"
check "a plain delete of PK is refused" sh -c "! $uefivar delete PK 2>$dir/err && grep -q EFI_SECURITY_VIOLATION $dir/err"
check "PK unchanged" cmp <("$uefivar" get PK) "$dir/PK.esl"

# --- two uids: variables live in the PS partition of the uid that serves them
mkdir -m 700 "$dir/ts2" && chown 60001:60001 "$dir/ts2"
check "another uid cannot read the index through rssd" sh -c "! setpriv --reuid 60001 --regid 60001 --clear-groups $psatool ps get 0x8000000000000001 --out /dev/null 2>$dir/err && grep -qi 'does.not.exist' $dir/err"
check "another uid sees its own, fresh store" sh -c "setpriv --reuid 60001 --regid 60001 --clear-groups env TS_RUNTIME_DIR=$dir/ts2 $uefivar list > $dir/other && ! grep -q '^PK-' $dir/other && grep -q SetupMode $dir/other"
check "and its SetupMode is 1 while the serving uid's is 0" sh -c "[ \"\$(setpriv --reuid 60001 --regid 60001 --clear-groups env TS_RUNTIME_DIR=$dir/ts2 $uefivar get SetupMode | od -An -tx1 | tr -d ' ')\" = 01 ]"
check "the serving uid can" "$psatool" ps info 0x8000000000000001
check "PK still enrolled for the serving uid" cmp <("$uefivar" get PK) "$dir/PK.esl"
check "signed PK delete: Setup mode again" "$uefivar" set PK -t nv,bs,rt --signed "$dir/PK-del.auth"
check "SetupMode 1" sh -c "[ \"\$($uefivar get SetupMode | od -An -tx1 | tr -d ' ')\" = 01 ]"

stop_rssd
echo "uefi_efivarfs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
