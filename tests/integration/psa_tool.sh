#!/bin/sh
# Integration test of psa-tool against a running rssd (RSS_SOCKET set by with_rssd.sh): openssl
# verifies what psa-tool signs and the reverse (ECDSA P-256, Ed25519, RSA-PSS), AEAD round trip
# through files, 1 MiB ITS/PS objects through stdin/stdout, errors and --help.
# Usage: psa_tool.sh PSA_TOOL
set -u
tool=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/ss-psa-tool-XXXXXX") || exit 1
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

check() { # check DESCRIPTION COMMAND...: runs the command, reports ok/not ok
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

fails_with() { # fails_with STATUS-NAME COMMAND...: the command exits 1 and names the status
    want=$1
    shift
    "$@" >fw.out 2>&1
    rc=$?
    cat fw.out
    [ "$rc" -eq 1 ] && grep -q "$want" fw.out
}

printf 'The quick brown fox jumps over the lazy dog\n' >msg
printf 'The quick brown fox jumps over the lazy cat\n' >msg.bad

check "status reaches rssd" "$tool" status

# --- ECDSA P-256 ---------------------------------------------------------------------------
check "generate ECDSA P-256 key" "$tool" key generate --id 0x101 --type ecc-key-pair:secp-r1 \
    --bits 256 --usage sign-message,verify-message --alg ecdsa:sha-256
check "key info shows the type" sh -c "'$tool' key info --id 0x101 | grep -q 'ecc-key-pair:secp-r1'"
check "export ECDSA public key as PEM" "$tool" key export-public --id 0x101 --format pem \
    --out ec.pub.pem
check "psa-tool ECDSA signature (DER)" "$tool" sign --id 0x101 --alg ecdsa:sha-256 --in msg \
    --out ec.sig --format der
check "openssl verifies the ECDSA signature" openssl dgst -sha256 -verify ec.pub.pem \
    -signature ec.sig msg
check "openssl refuses it on another message" sh -c \
    "! openssl dgst -sha256 -verify ec.pub.pem -signature ec.sig msg.bad"
check "psa-tool verifies its own raw ECDSA signature" sh -c \
    "'$tool' sign --id 0x101 --alg ecdsa:sha-256 --in msg --out ec.raw && \
     '$tool' verify --id 0x101 --alg ecdsa:sha-256 --in msg --sig ec.raw"
openssl ecparam -name prime256v1 -genkey -noout -out ossl.ec.pem 2>/dev/null
openssl ec -in ossl.ec.pem -pubout -out ossl.ec.pub.pem 2>/dev/null
openssl dgst -sha256 -sign ossl.ec.pem -out ossl.ec.sig msg
check "import an openssl ECDSA public key (PEM)" "$tool" key import --id 0x102 --format pem \
    --in ossl.ec.pub.pem --usage verify-message --alg ecdsa:sha-256
check "psa-tool verifies an openssl ECDSA signature" "$tool" verify --id 0x102 \
    --alg ecdsa:sha-256 --in msg --sig ossl.ec.sig --format der
check "psa-tool refuses it on another message" fails_with PSA_ERROR_INVALID_SIGNATURE \
    "$tool" verify --id 0x102 --alg ecdsa:sha-256 --in msg.bad --sig ossl.ec.sig --format der

# --- Ed25519 -------------------------------------------------------------------------------
check "generate Ed25519 key" "$tool" key generate --id 0x201 \
    --type ecc-key-pair:twisted-edwards --bits 255 --usage sign-message,verify-message \
    --alg pure-eddsa
check "export Ed25519 public key as PEM" "$tool" key export-public --id 0x201 --out ed.pub.pem
check "psa-tool Ed25519 signature" "$tool" sign --id 0x201 --alg pure-eddsa --in msg \
    --out ed.sig
check "openssl verifies the Ed25519 signature" openssl pkeyutl -verify -pubin \
    -inkey ed.pub.pem -rawin -in msg -sigfile ed.sig
openssl genpkey -algorithm ed25519 -out ossl.ed.pem 2>/dev/null
openssl pkey -in ossl.ed.pem -pubout -out ossl.ed.pub.pem 2>/dev/null
openssl pkeyutl -sign -inkey ossl.ed.pem -rawin -in msg -out ossl.ed.sig 2>/dev/null
check "import an openssl Ed25519 public key (PEM)" "$tool" key import --id 0x202 \
    --format pem --in ossl.ed.pub.pem --usage verify-message --alg pure-eddsa
check "psa-tool verifies an openssl Ed25519 signature" "$tool" verify --id 0x202 \
    --alg pure-eddsa --in msg --sig ossl.ed.sig
check "import an openssl Ed25519 private key (PEM) and sign" sh -c \
    "'$tool' key import --id 0x203 --format pem --in ossl.ed.pem \
        --usage sign-message --alg pure-eddsa && \
     '$tool' sign --id 0x203 --alg pure-eddsa --in msg --out ed2.sig && cmp ed2.sig ossl.ed.sig"

# --- RSA-PSS -------------------------------------------------------------------------------
check "generate RSA-2048 PSS key" "$tool" key generate --id 0x301 --type rsa-key-pair \
    --bits 2048 --usage sign-message,verify-message --alg rsa-pss:sha-256
check "export RSA public key as DER" "$tool" key export-public --id 0x301 --format der \
    --out rsa.pub.der
check "psa-tool RSA-PSS signature" "$tool" sign --id 0x301 --alg rsa-pss:sha-256 --in msg \
    --out rsa.sig
check "openssl verifies the RSA-PSS signature" openssl dgst -sha256 -keyform DER \
    -verify rsa.pub.der -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:auto \
    -signature rsa.sig msg
openssl genrsa -out ossl.rsa.pem 2048 2>/dev/null
openssl rsa -in ossl.rsa.pem -pubout -out ossl.rsa.pub.pem 2>/dev/null
openssl dgst -sha256 -sign ossl.rsa.pem -sigopt rsa_padding_mode:pss \
    -sigopt rsa_pss_saltlen:digest -out ossl.rsa.sig msg
check "import an openssl RSA public key (PEM)" "$tool" key import --id 0x302 --format pem \
    --in ossl.rsa.pub.pem --usage verify-message --alg rsa-pss:sha-256
check "psa-tool verifies an openssl RSA-PSS signature" "$tool" verify --id 0x302 \
    --alg rsa-pss:sha-256 --in msg --sig ossl.rsa.sig
check "psa-tool refuses it on another message" fails_with PSA_ERROR_INVALID_SIGNATURE \
    "$tool" verify --id 0x302 --alg rsa-pss:sha-256 --in msg.bad --sig ossl.rsa.sig

# --- AEAD and asymmetric encryption -------------------------------------------------------
head -c 100000 /dev/urandom >plain
printf 'header' >aad
check "generate AES-256-GCM key" "$tool" key generate --id 0x401 --type aes --bits 256 \
    --usage encrypt,decrypt --alg gcm
check "AEAD encrypt a file" "$tool" encrypt --id 0x401 --alg gcm --aad aad --in plain \
    --out cipher
check "AEAD output is nonce + ciphertext + tag" sh -c \
    "[ \$(wc -c <cipher) -eq \$((100000 + 12 + 16)) ]"
check "AEAD decrypt gives the file back" sh -c \
    "'$tool' decrypt --id 0x401 --alg gcm --aad aad --in cipher --out back && cmp plain back"
flip_byte cipher 500
check "AEAD decrypt of a modified file fails" fails_with PSA_ERROR_INVALID_SIGNATURE \
    "$tool" decrypt --id 0x401 --alg gcm --aad aad --in cipher --out back2
check "RSA-OAEP round trip" sh -c \
    "'$tool' key generate --id 0x402 --type rsa-key-pair --bits 2048 --usage encrypt,decrypt \
        --alg rsa-oaep:sha-256 && \
     '$tool' encrypt --id 0x402 --alg rsa-oaep:sha-256 --label L --in msg --out msg.oaep && \
     '$tool' decrypt --id 0x402 --alg rsa-oaep:sha-256 --label L --in msg.oaep --out msg.dec && \
     cmp msg msg.dec"

# --- hash, random --------------------------------------------------------------------------
check "hash matches sha256sum" sh -c \
    "[ \"\$('$tool' hash --alg sha-256 --in msg)\" = \"\$(sha256sum msg | cut -d' ' -f1)\" ]"
check "random writes 64 bytes" sh -c "[ \$('$tool' random 64 | wc -c) -eq 64 ]"

# --- ITS and PS through stdin and stdout --------------------------------------------------
head -c 1048576 /dev/urandom >big
for area in its ps; do
    check "$area set of 1 MiB from stdin" sh -c "'$tool' $area set 0x1001 <big"
    check "$area info reports 1 MiB" sh -c "'$tool' $area info 0x1001 | grep -q 'size: *1048576'"
    check "$area get of 1 MiB to stdout" sh -c \
        "'$tool' $area get 0x1001 >big.$area && cmp big big.$area"
    check "$area remove" "$tool" $area remove 0x1001
    check "$area get after remove fails" fails_with PSA_ERROR_DOES_NOT_EXIST \
        "$tool" $area get 0x1001
done
check "ps create, set-extended and get" sh -c \
    "'$tool' ps create 0x2001 --capacity 32 && printf abcd | '$tool' ps set-extended 0x2001 \
        --offset 0 && printf ef | '$tool' ps set-extended 0x2001 --offset 4 && \
     [ \"\$('$tool' ps get 0x2001)\" = abcdef ]"
check "ps support reports set-extended" sh -c "'$tool' ps support | grep -q set-extended"

# --- key list and key info ----------------------------------------------------------------
check "key list shows the keys made above, in order" sh -c \
    "'$tool' key list | awk 'NR > 1 { print \$1 }' | tr '\\n' ' ' | \
        grep -qx '0x00000101 0x00000102 0x00000201 0x00000202 0x00000203 0x00000301 0x00000302 0x00000401 0x00000402 '"
check "key list names type, bits, usage and algorithm" sh -c \
    "'$tool' key list | grep -q '^0x00000101  ecc-key-pair:secp-r1 *256  sign-message,verify-message *ecdsa:sha-256\$'"
check "key list --json is JSON with the spec names" sh -c \
    "'$tool' key list --json | python3 -c 'import json, sys
keys = json.load(sys.stdin)
k = [k for k in keys if k[\"id\"] == \"0x00000301\"][0]
assert k[\"type_spec\"] == \"PSA_KEY_TYPE_RSA_KEY_PAIR\" and k[\"bits\"] == 2048, k
assert k[\"algorithm_spec\"] == \"PSA_ALG_RSA_PSS(PSA_ALG_SHA_256)\", k
assert k[\"usage_spec\"] == \"PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE\", k
assert len(keys) == 9, keys'"
check "key info gives the spec names" sh -c \
    "'$tool' key info --id 0x101 | grep -qx 'type:      ecc-key-pair:secp-r1  (PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1))' && \
     '$tool' key info --id 0x101 | grep -qx 'algorithm: ecdsa:sha-256  (PSA_ALG_ECDSA(PSA_ALG_SHA_256))'"

# --- csr and cert self-sign, checked by openssl ------------------------------------------
"$tool" key generate --id 0x601 --type rsa-key-pair --bits 2048 --usage sign-hash \
    --alg rsa-pkcs1v15-sign:sha-256 >/dev/null
for spec in "0x101 ecdsa:sha-256 ecdsa-with-SHA256" "0x301 rsa-pss:sha-256 rsassaPss" \
    "0x601 rsa-pkcs1v15-sign:sha-256 sha256WithRSAEncryption" "0x201 pure-eddsa ED25519"; do
    set -- $spec
    check "csr for $2 verifies with openssl req -verify" sh -c \
        "'$tool' csr --id $1 --alg $2 --subject '/CN=dev.example/O=Secure Services' \
            --san DNS:dev.example,IP:192.0.2.7 --out req.$1.pem && \
         openssl req -in req.$1.pem -verify -noout 2>&1 | grep -q 'verify OK' && \
         openssl req -in req.$1.pem -noout -text >req.$1.txt && \
         grep -q 'Signature Algorithm: $3' req.$1.txt && \
         grep -q 'DNS:dev.example, IP Address:192.0.2.7' req.$1.txt && \
         openssl req -in req.$1.pem -noout -subject | grep -qx 'subject=CN = dev.example, O = Secure Services'"
    check "self-signed certificate for $2 verifies with openssl verify" sh -c \
        "'$tool' cert self-sign --id $1 --alg $2 --subject /CN=dev.example --san DNS:dev.example \
            --days 10 --out crt.$1.pem && openssl verify -CAfile crt.$1.pem crt.$1.pem && \
         openssl x509 -in crt.$1.pem -noout -text | grep -q 'Signature Algorithm: $3' && \
         openssl x509 -in crt.$1.pem -noout -ext subjectAltName | grep -q DNS:dev.example && \
         openssl x509 -in crt.$1.pem -noout -checkend 777600 && \
         ! openssl x509 -in crt.$1.pem -noout -checkend 950400"
    check "the certificate carries the key held in rssd ($2)" sh -c \
        "'$tool' key export-public --id $1 --format pem --out pub.$1.pem && \
         openssl x509 -in crt.$1.pem -noout -pubkey | cmp - pub.$1.pem"
done
check "a certificate from another key does not verify as this one" sh -c \
    "! openssl verify -CAfile crt.0x101.pem crt.0x301.pem"
check "csr needs a key pair" fails_with "signing needs a key pair" \
    "$tool" csr --id 0x102 --alg ecdsa:sha-256 --subject /CN=x
check "csr names a bad --subject" sh -c \
    "'$tool' csr --id 0x101 --alg ecdsa:sha-256 --subject CN=x 2>&1 | grep -q 'must look like /CN='"
check "csr names a bad --san" sh -c \
    "'$tool' csr --id 0x101 --alg ecdsa:sha-256 --subject /CN=x --san FOO:x 2>&1 | \
        grep -q \"cannot use 'FOO:x'\""

# --- error messages with context ----------------------------------------------------------
check "NOT_PERMITTED shows the key beside the request" sh -c \
    "'$tool' encrypt --id 0x401 --alg ctr --in msg --out x >m 2>&1; [ \$? -eq 1 ] && cat m && \
     grep -q PSA_ERROR_NOT_PERMITTED m && \
     grep -q 'key 0x00000401: type aes, 256 bits, usage encrypt,decrypt, algorithm gcm' m && \
     grep -q 'asked: *usage encrypt, algorithm ctr' m && [ ! -e x ]"
check "a key without a public part is named" fails_with \
    "key 0x00000401 is a aes key: it has no public part" "$tool" key export-public --id 0x401
check "the accepted bit sizes of a type are listed" fails_with \
    "ecc-key-pair:secp-r1 keys are 192, 224, 256, 384 or 521 bits (this one: 100)" \
    "$tool" key generate --id 0x701 --type ecc-key-pair:secp-r1 --bits 100 --usage sign-hash \
    --alg ecdsa:sha-256
check "and for RSA" fails_with "rsa-key-pair keys are 1024 to 4096, a multiple of 8 bits" \
    "$tool" key generate --id 0x701 --type rsa-key-pair --bits 512 --usage sign-hash \
    --alg rsa-pss:sha-256
check "PEM given as DER on import is detected" sh -c \
    "'$tool' key import --id 0x701 --format der --in ossl.ec.pem --usage sign-hash \
        --alg ecdsa:sha-256 >m 2>&1; [ \$? -eq 2 ] && grep -q 'ossl.ec.pem is PEM.*give --format pem' m"
check "key generate without --usage warns" sh -c \
    "'$tool' key generate --id 0x702 --type aes --bits 128 2>&1 >/dev/null | \
        grep -q 'warning: no --usage' && '$tool' key destroy --id 0x702"
check "a bad option value names the option" sh -c \
    "'$tool' key generate --id 0x703 --type aes --bits abc 2>&1 | grep -q \"^psa-tool: --bits: 'abc'\""
check "an unknown option is named" sh -c \
    "'$tool' hash --alg sha-256 --frobnicate 2>&1 | grep -q 'unknown option --frobnicate'"
if [ "${PSA_TOOL_TEST_VIA:-rss}" = ts ]; then
    check "status names libpsa-ts and the TS runtime directory" sh -c \
        "'$tool' status | grep -qx 'library:     libpsa-ts (libts to se-proxy)' && \
         '$tool' status | grep -qx \"TS runtime:  \$TS_RUNTIME_DIR\""
    check "no se-proxy: status fails with COMMUNICATION_FAILURE" sh -c \
        "TS_RUNTIME_DIR=\$PWD/none '$tool' status >m 2>&1; [ \$? -eq 1 ] && \
         grep -q PSA_ERROR_COMMUNICATION_FAILURE m"
else
    check "status shows the routing in effect" sh -c \
        "'$tool' status | grep -q \"^routing:     \${PSA_ROUTING:-enclave} (\" && \
         PSA_ROUTING=splt '$tool' status | grep -q 'routing:     enclave (PSA_ROUTING=\"splt\" is not a mode'"
    check "status names the socket in use" sh -c \
        "'$tool' status | grep -qx \"socket:      \$RSS_SOCKET (RSS_SOCKET)\""
    check "an unreachable service says which sockets were tried" sh -c \
        "RSS_SOCKET=\$PWD/none.sock '$tool' status >m 2>&1; [ \$? -eq 1 ] && \
         grep -q \"tried \$PWD/none.sock (No such file or directory)\" m"
fi

# --- errors and help -----------------------------------------------------------------------
check "info of a missing key names the status" fails_with PSA_ERROR_INVALID_HANDLE \
    "$tool" key info --id 0x7777
check "unknown algorithm is a usage error" sh -c \
    "'$tool' hash --alg sha-999 --in msg; [ \$? -eq 2 ]"
for c in "key generate" "key import" "key export-public" "key destroy" "key info" "key list" sign verify \
    encrypt decrypt hash random "its set" "its get" "its info" "its remove" "ps set" "ps get" \
    "ps info" "ps remove" "ps create" "ps set-extended" "ps support" status csr \
    "cert self-sign"; do
    check "--help of $c" sh -c "'$tool' $c --help | grep -q usage"
done
for id in 0x101 0x102 0x201 0x202 0x203 0x301 0x302 0x401 0x402 0x601; do
    "$tool" key destroy --id $id >/dev/null 2>&1
done
check "destroyed keys are gone" fails_with PSA_ERROR_INVALID_HANDLE "$tool" key info --id 0x101
check "and key list is empty" sh -c "[ \$('$tool' key list | wc -l) -eq 1 ] && [ \"\$('$tool' key list --json)\" = '[]' ]"

echo "$((n - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
