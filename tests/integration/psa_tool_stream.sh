#!/bin/sh
# psa-tool streams large inputs in bounded memory (against rssd, RSS_SOCKET set by with_rssd.sh):
# a file generated here, much larger than the bound, goes through encrypt/decrypt (AES-GCM,
# ChaCha20-Poly1305, CTR; CCM within its length limit), hash, sign and verify; each run's peak resident set size
# (/usr/bin/time's maximum RSS, a size not a time) must stay within the bound. openssl checks
# the hash, the ECDSA signature and the CTR ciphertext of the streamed file. AEAD decryption
# never leaves unauthenticated plaintext behind; the progress line shows only on a terminal.
# Usage: psa_tool_stream.sh PSA_TOOL MIB BOUND_KIB (BOUND_KIB 0: report the RSS, no bound, as in
# sanitized builds whose shadow memory alone exceeds it)
set -u
tool=$1
mib=$2
bound=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/ss-psa-stream-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
n=0

# flip_byte FILE OFFSET: changes one byte for certain (writing a fixed byte would leave the file
# as it was whenever that byte was already there, one run in 256).
flip_byte() {
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

check() { # check DESCRIPTION COMMAND...
    desc=$1
    shift
    n=$((n + 1))
    if "$@" >"out.$n" 2>&1; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"
        sed 's/^/    /' "out.$n"
        failures=$((failures + 1))
    fi
}

# bounded DESCRIPTION PSA-TOOL-ARGS...: runs psa-tool under /usr/bin/time, checks it succeeds
# and that its peak RSS is within the bound.
bounded() {
    desc=$1
    shift
    n=$((n + 1))
    if /usr/bin/time -f '%M' -o "rss.$n" "$tool" "$@" >"out.$n" 2>"err.$n"; then
        kib=$(tail -n 1 "rss.$n")
        if [ "$bound" -eq 0 ] || [ "$kib" -le "$bound" ]; then
            echo "ok $n - $desc (peak RSS $kib KiB)"
            return
        fi
        echo "not ok $n - $desc: peak RSS $kib KiB is over $bound KiB"
    else
        echo "not ok $n - $desc"
        sed 's/^/    /' "err.$n"
    fi
    failures=$((failures + 1))
}

fails_with() { # fails_with TEXT COMMAND...: the command exits 1 and prints TEXT
    want=$1
    shift
    "$@" >fw.out 2>&1
    rc=$?
    cat fw.out
    [ "$rc" -eq 1 ] && grep -q -- "$want" fw.out
}

hex() { od -An -v -tx1 "$@" | tr -d ' \n'; }

dd if=/dev/urandom of=big bs=1048576 count="$mib" 2>/dev/null
size=$((mib * 1048576))
printf 'associated data' >aad

# --- AEAD --------------------------------------------------------------------------------
"$tool" key generate --id 0x501 --type aes --bits 256 --usage encrypt,decrypt --alg gcm >/dev/null
bounded "gcm encrypt of $mib MiB" encrypt --id 0x501 --alg gcm --aad aad --in big --out big.gcm
check "gcm output is nonce + ciphertext + tag" sh -c \
    "[ \$(wc -c <big.gcm) -eq $((size + 12 + 16)) ]"
check "encrypt printed nothing (stderr is not a terminal)" sh -c "[ ! -s err.$((n - 1)) ]"
bounded "gcm decrypt of $mib MiB" decrypt --id 0x501 --alg gcm --aad aad --in big.gcm \
    --out big.back
check "gcm decrypt gives the file back" cmp big big.back
rm -f big.back
check "gcm decrypt from a pipe to a file" sh -c \
    "cat big.gcm | '$tool' decrypt --id 0x501 --alg gcm --aad aad --out big.back && cmp big big.back"
rm -f big.back
cp big.gcm big.bad
flip_byte big.bad $((size / 2))
check "a modified ciphertext fails" fails_with PSA_ERROR_INVALID_SIGNATURE \
    "$tool" decrypt --id 0x501 --alg gcm --aad aad --in big.bad --out big.back
check "and leaves no output file, not even a partial one" sh -c \
    "[ ! -e big.back ] && [ -z \"\$(ls | grep psa-tool)\" ]"
check "the wrong associated data fails" fails_with PSA_ERROR_INVALID_SIGNATURE \
    "$tool" decrypt --id 0x501 --alg gcm --in big.gcm --out big.back
check "decryption of a large file to stdout is refused (plaintext held until the tag)" \
    fails_with "give --out FILE" "$tool" decrypt --id 0x501 --alg gcm --aad aad --in big.gcm
head -c 5000 big >small
check "a small AEAD file decrypts to stdout" sh -c \
    "'$tool' encrypt --id 0x501 --alg gcm --in small | '$tool' decrypt --id 0x501 --alg gcm \
        >small.back && cmp small small.back"
"$tool" encrypt --id 0x501 --alg gcm --in small --out small.gcm && flip_byte small.gcm 100
check "a modified small file to stdout writes nothing" sh -c \
    "! '$tool' decrypt --id 0x501 --alg gcm --in small.gcm >small.out 2>/dev/null && \
     [ ! -s small.out ]"
head -c 20 big.gcm >short.gcm
check "a ciphertext shorter than nonce + tag is named" fails_with \
    "shorter than nonce + tag (12 + 16 bytes)" "$tool" decrypt --id 0x501 --alg gcm \
    --in short.gcm --out x
check "the same from a pipe" sh -c \
    "cat short.gcm | '$tool' decrypt --id 0x501 --alg gcm --out x 2>&1 | \
        grep -q 'shorter than nonce + tag'"

"$tool" key generate --id 0x502 --type chacha20 --bits 256 --usage encrypt,decrypt \
    --alg chacha20-poly1305 >/dev/null
bounded "chacha20-poly1305 encrypt from stdin" encrypt --id 0x502 --alg chacha20-poly1305 \
    --in - --out big.cc <big
bounded "chacha20-poly1305 decrypt" decrypt --id 0x502 --alg chacha20-poly1305 --in big.cc \
    --out big.back
check "chacha20-poly1305 round trip" cmp big big.back
rm -f big.back big.cc

"$tool" key generate --id 0x503 --type aes --bits 128 --usage encrypt,decrypt --alg ccm >/dev/null
check "ccm round trip of a file within its length limit" sh -c \
    "'$tool' encrypt --id 0x503 --alg ccm --aad aad --in small --out small.ccm && \
     '$tool' decrypt --id 0x503 --alg ccm --aad aad --in small.ccm --out small.back && \
     cmp small small.back"
check "ccm over its length limit says so" fails_with "ccm with a 13-byte nonce encrypts at most 65535 bytes" \
    "$tool" encrypt --id 0x503 --alg ccm --in big --out x
check "ccm from a pipe is refused with the reason" sh -c \
    "cat small | '$tool' encrypt --id 0x503 --alg ccm --out x 2>&1 | grep -q 'ccm needs the length'"

# --- cipher, checked by openssl enc --------------------------------------------------------
openssl rand 32 >ctr.key
"$tool" key import --id 0x504 --type aes --format raw --in ctr.key --usage encrypt,decrypt \
    --alg ctr >/dev/null
bounded "ctr encrypt" encrypt --id 0x504 --alg ctr --in big --out big.ctr
check "openssl enc -aes-256-ctr decrypts it" sh -c \
    "tail -c +17 big.ctr | openssl enc -d -aes-256-ctr -K $(hex ctr.key) \
        -iv \$(head -c 16 big.ctr | od -An -v -tx1 | tr -d ' \n') | cmp - big"
bounded "ctr decrypt" decrypt --id 0x504 --alg ctr --in big.ctr --out big.back
check "ctr round trip" cmp big big.back
rm -f big.back big.ctr

# --- hash, sign, verify -------------------------------------------------------------------
bounded "sha-256 of $mib MiB" hash --alg sha-256 --in big --out big.sha
check "openssl dgst agrees" [ "$(hex big.sha)" = "$(openssl dgst -sha256 -r big | cut -d' ' -f1)" ]
"$tool" key generate --id 0x505 --type ecc-key-pair:secp-r1 --bits 256 \
    --usage sign-hash,verify-hash --alg ecdsa:sha-256 >/dev/null
"$tool" key export-public --id 0x505 --format pem --out ec.pub.pem >/dev/null
bounded "ecdsa sign (hash, then sign_hash)" sign --id 0x505 --alg ecdsa:sha-256 --in big \
    --out big.sig --format der
check "openssl verifies the signature of the streamed file" openssl dgst -sha256 \
    -verify ec.pub.pem -signature big.sig big
bounded "ecdsa verify" verify --id 0x505 --alg ecdsa:sha-256 --in big --sig big.sig --format der
check "verify of the modified file fails" fails_with PSA_ERROR_INVALID_SIGNATURE "$tool" verify \
    --id 0x505 --alg ecdsa:sha-256 --in big.bad --sig big.sig --format der
check "a DER signature without --format der is pointed out" fails_with "give --format der" \
    "$tool" verify --id 0x505 --alg ecdsa:sha-256 --in small --sig big.sig
"$tool" key generate --id 0x506 --type ecc-key-pair:secp-r1 --bits 256 \
    --usage sign-message --alg ecdsa:sha-256 >/dev/null
check "a small message signs with usage sign-message alone" "$tool" sign --id 0x506 \
    --alg ecdsa:sha-256 --in small --out small.sig
check "a long one needs sign-hash, and the message shows the key beside the request" sh -c \
    "'$tool' sign --id 0x506 --alg ecdsa:sha-256 --in big --out x >msg 2>&1; [ \$? -eq 1 ] && \
     cat msg && grep -q PSA_ERROR_NOT_PERMITTED msg && \
     grep -q 'type ecc-key-pair:secp-r1, 256 bits, usage sign-message, algorithm ecdsa:sha-256' msg && \
     grep -q 'asked: *usage sign-hash, algorithm ecdsa:sha-256' msg"
"$tool" key generate --id 0x507 --type ecc-key-pair:twisted-edwards --bits 255 \
    --usage sign-message --alg pure-eddsa >/dev/null
check "pure-eddsa over one chunk names the alternative" fails_with ed25519ph \
    "$tool" sign --id 0x507 --alg pure-eddsa --in big --out x

# --- progress line --------------------------------------------------------------------------
check "a terminal on stderr gets a progress line" sh -c \
    "script -qec \"'$tool' hash --alg sha-256 --in big --out /dev/null\" /dev/null | \
        tr '\r' '\n' | grep -q \"hash: $mib / $mib MiB (100%)\""
check "--quiet turns it off" sh -c \
    "[ -z \"\$(script -qec \"'$tool' hash --alg sha-256 --in big --out /dev/null --quiet\" \
        /dev/null)\" ]"

for id in 0x501 0x502 0x503 0x504 0x505 0x506 0x507; do
    "$tool" key destroy --id $id >/dev/null 2>&1
done
echo "$((n - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
