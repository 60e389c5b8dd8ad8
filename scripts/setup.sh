#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the fuzzers need (idempotent).
set -euo pipefail

# dpkg-dev: dpkg-buildflags (hardened stage); systemd: systemd-socket-activate, systemd-analyze
# and systemd-sysusers (daemon and install tests); groff-base: man page checks; python3: the
# sd_notify listener of the daemon tests; time: /usr/bin/time -f %M, the peak RSS of psa-tool
# in its streaming test.
packages=(build-essential cmake pkg-config libssl-dev openssl libcmocka-dev
          python3-cryptography-vectors clang libclang-rt-14-dev dpkg-dev systemd groff-base
          python3 util-linux time
          libfuse3-dev fuse3 efitools efivar efibootmgr e2fsprogs fdisk
          protobuf-c-compiler libprotobuf-c-dev libsqlite3-dev libsodium-dev
          cargo librust-parsec-interface-dev)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
