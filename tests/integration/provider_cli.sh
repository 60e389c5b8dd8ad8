#!/bin/sh
# The OpenSSL provider `psa` driven by Debian's openssl command against a running rssd (RSS_SOCKET
# from with_rssd.sh, OPENSSL_MODULES pointing at psa.so): public export, CSR and self-signed
# certificate checked by openssl itself, dgst signatures, errors that name the PSA status.
# Usage: provider_cli.sh PSA_TOOL
set -u
tool=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/ss-provider-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
n=0

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

fails_with() { # fails_with TEXT COMMAND...: the command fails and its output contains TEXT
    want=$1
    shift
    if "$@" >fw.out 2>&1; then
        cat fw.out
        echo "(the command succeeded)"
        return 1
    fi
    cat fw.out
    grep -q -- "$want" fw.out
}

# Under the sanitizers the build sets SS_OPENSSL_PRELOAD: their runtimes, which the uninstrumented
# openssl program must load before the instrumented psa.so.
if [ -n "${SS_OPENSSL_PRELOAD:-}" ]; then
    real_openssl=$(command -v openssl)
    mkdir bin
    printf '#!/bin/sh\nLD_PRELOAD="%s" exec "%s" "$@"\n' "$SS_OPENSSL_PRELOAD" "$real_openssl" \
        >bin/openssl
    chmod +x bin/openssl
    PATH="$work/bin:$PATH"
    export PATH
fi

P="-provider psa -provider default"
printf 'The quick brown fox jumps over the lazy dog\n' >msg
printf 'The quick brown fox jumps over the lazy cat\n' >msg.bad

check "openssl lists the psa provider" sh -c "openssl list -provider psa -providers | grep -q psa"

# --- ECDSA on the SECP R1 curves -------------------------------------------------------------
for bits in 256 384 521; do
    id=$((0x100 + bits))
    check "P-$bits: generate a key in rssd" "$tool" key generate --id "$id" \
        --type ecc-key-pair:secp-r1 --bits "$bits" --usage sign-hash,verify-hash \
        --alg ecdsa:any-hash
    check "P-$bits: pkey -pubout (psa provider alone)" \
        openssl pkey -provider psa -in "psa:id=$id" -pubout -out "ec$bits.pub.pem"
    check "P-$bits: the same public key as psa-tool exports" sh -c \
        "'$tool' key export-public --id $id --format pem --out ec$bits.tool.pem &&
         cmp ec$bits.pub.pem ec$bits.tool.pem"
    check "P-$bits: hex id in the URI names the same key" sh -c \
        "openssl pkey -provider psa -in psa:id=$(printf 0x%x "$id") -pubout | cmp - ec$bits.pub.pem"
    check "P-$bits: self-signed certificate by req -x509" openssl req $P -key "psa:id=$id" \
        -new -x509 -subj "/CN=psa P-$bits" -days 2 -out "ec$bits.crt"
    check "P-$bits: openssl verifies the certificate" \
        openssl verify -CAfile "ec$bits.crt" "ec$bits.crt"
    check "P-$bits: x509 -verify with the exported public key" sh -c \
        "openssl x509 -in ec$bits.crt -noout -verify ec$bits.pub.pem 2>&1 ||
         openssl verify -CAfile ec$bits.crt ec$bits.crt"
    check "P-$bits: the certificate carries the rssd public key" sh -c \
        "openssl x509 -in ec$bits.crt -noout -pubkey | cmp - ec$bits.pub.pem"
    check "P-$bits: CSR verified by req -verify" sh -c \
        "openssl req $P -key psa:id=$id -new -subj /CN=csr -out ec$bits.csr &&
         openssl req -in ec$bits.csr -noout -verify"
    check "P-$bits: dgst -sign, verified by openssl with the public key" sh -c \
        "openssl dgst $P -sha384 -sign psa:id=$id -out ec$bits.sig msg &&
         openssl dgst -sha384 -verify ec$bits.pub.pem -signature ec$bits.sig msg"
    check "P-$bits: the signature does not verify another message" sh -c \
        "! openssl dgst -sha384 -verify ec$bits.pub.pem -signature ec$bits.sig msg.bad"
done

check "pkeyutl -sign over a SHA-256 digest (sign_hash)" sh -c \
    "openssl dgst -sha256 -binary msg >msg.sha256 &&
     openssl pkeyutl $P -sign -inkey psa:id=0x200 -in msg.sha256 -out pk.sig &&
     openssl pkeyutl -verify -pubin -inkey ec256.pub.pem -in msg.sha256 -sigfile pk.sig"

# A key whose policy allows ECDSA with SHA-384 only: OpenSSL's default digest follows it.
check "generate a P-256 key for ECDSA(SHA-384) only" "$tool" key generate --id 0x301 \
    --type ecc-key-pair:secp-r1 --bits 256 --usage sign-hash,verify-hash --alg ecdsa:sha-384
check "req picks SHA-384, the hash the policy allows" sh -c \
    "openssl req $P -key psa:id=0x301 -new -x509 -subj /CN=sha384 -out p384only.crt &&
     openssl x509 -in p384only.crt -noout -text | grep -q 'ecdsa-with-SHA384'"

# --- the private half stays in rssd ----------------------------------------------------------
check "pkey refuses to write the private key" sh -c \
    "! openssl pkey $P -in psa:id=0x200 -out priv.pem"
check "no private key reached the output" sh -c "! grep -q PRIVATE priv.pem 2>/dev/null"

# --- errors name the PSA status --------------------------------------------------------------
check "a missing key: PSA_ERROR_INVALID_HANDLE" fails_with PSA_ERROR_INVALID_HANDLE \
    openssl pkey -provider psa -in psa:id=0x7777 -pubout
check "a malformed URI is refused" fails_with "psa:id=N" \
    openssl pkey -provider psa -in psa:id=12x -pubout
check "generate a key that may only verify" "$tool" key generate --id 0x302 \
    --type ecc-key-pair:secp-r1 --bits 256 --usage verify-hash --alg ecdsa:any-hash
check "signing with it: PSA_ERROR_NOT_PERMITTED" fails_with PSA_ERROR_NOT_PERMITTED \
    openssl dgst $P -sha256 -sign psa:id=0x302 -out np.sig msg
check "the key still works for what it may do (public export)" \
    openssl pkey -provider psa -in psa:id=0x302 -pubout -out np.pub.pem

echo "1..$n"
[ "$failures" -eq 0 ]
