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

certificates() { # certificates ID LABEL: public export, certificate and CSR checked by openssl
    id=$1
    label=$2
    check "$label: pkey -pubout (psa provider alone)" \
        openssl pkey -provider psa -in "psa:id=$id" -pubout -out "$id.pub.pem"
    check "$label: the same public key as psa-tool exports" sh -c \
        "'$tool' key export-public --id $id --format pem --out $id.tool.pem &&
         cmp $id.pub.pem $id.tool.pem"
    check "$label: hex id in the URI names the same key" sh -c \
        "openssl pkey -provider psa -in psa:id=$(printf 0x%x "$id") -pubout | cmp - $id.pub.pem"
    check "$label: self-signed certificate by req -x509" openssl req $P -key "psa:id=$id" \
        -new -x509 -subj "/CN=psa $label" -days 2 -out "$id.crt"
    check "$label: openssl verifies the certificate" openssl verify -CAfile "$id.crt" "$id.crt"
    check "$label: the certificate carries the rssd public key" sh -c \
        "openssl x509 -in $id.crt -noout -pubkey | cmp - $id.pub.pem"
    check "$label: CSR verified by req -verify" sh -c \
        "openssl req $P -key psa:id=$id -new -subj /CN=csr -out $id.csr &&
         openssl req -in $id.csr -noout -verify"
    check "$label: the CSR carries the rssd public key" sh -c \
        "openssl req -in $id.csr -noout -pubkey | cmp - $id.pub.pem"
}

# --- ECDSA on the SECP R1 curves -------------------------------------------------------------
for bits in 256 384 521; do
    id=$((0x100 + bits))
    check "P-$bits: generate a key in rssd" "$tool" key generate --id "$id" \
        --type ecc-key-pair:secp-r1 --bits "$bits" --usage sign-hash,verify-hash \
        --alg ecdsa:any-hash
    certificates "$id" "ECDSA P-$bits"
    check "P-$bits: dgst -sign, verified by openssl with the public key" sh -c \
        "openssl dgst $P -sha384 -sign psa:id=$id -out $id.sig msg &&
         openssl dgst -sha384 -verify $id.pub.pem -signature $id.sig msg"
    check "P-$bits: the signature does not verify another message" sh -c \
        "! openssl dgst -sha384 -verify $id.pub.pem -signature $id.sig msg.bad"
done

# --- RSA: PSS and PKCS#1 v1.5 ----------------------------------------------------------------
check "RSA-3072: generate a PSS key in rssd" "$tool" key generate --id 0x400 \
    --type rsa-key-pair --bits 3072 --usage sign-hash,verify-hash --alg rsa-pss:any-hash
certificates 1024 "RSA-3072 PSS"
check "RSA-3072 PSS: the certificate is signed RSASSA-PSS, salt as long as SHA-256" sh -c \
    "openssl x509 -in 1024.crt -noout -text | grep -q 'rsassaPss' &&
     openssl x509 -in 1024.crt -noout -text | grep -q 'Salt Length: 0x20'"
check "RSA-3072 PSS: dgst -sign with rsa_pss_saltlen:digest, verified by openssl" sh -c \
    "openssl dgst $P -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
         -sign psa:id=0x400 -out pss.sig msg &&
     openssl dgst -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:64 \
         -verify 1024.pub.pem -signature pss.sig msg"
check "RSA-3072 PSS: rsa_pss_saltlen:max is refused with the PSA salt rule" \
    fails_with "salt as long as the hash" openssl dgst $P -sha256 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max -sign psa:id=0x400 -out max.sig msg
check "RSA-3072 PSS: MGF1 over another hash is refused" fails_with "MGF1" openssl dgst $P \
    -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha384 -sign psa:id=0x400 \
    -out mgf.sig msg
check "RSA-3072 PSS: PKCS#1 v1.5 is not in the key's policy" fails_with PSA_ERROR_NOT_PERMITTED \
    openssl dgst $P -sha256 -sigopt rsa_padding_mode:pkcs1 -sign psa:id=0x400 -out v15.sig msg
check "RSA-2048: generate a PKCS#1 v1.5 key in rssd" "$tool" key generate --id 0x401 \
    --type rsa-key-pair --bits 2048 --usage sign-hash,verify-hash \
    --alg rsa-pkcs1v15-sign:any-hash
certificates 1025 "RSA-2048 PKCS#1 v1.5"
check "RSA-2048: the certificate is signed sha256WithRSAEncryption" sh -c \
    "openssl x509 -in 1025.crt -noout -text | grep -q 'sha256WithRSAEncryption'"
check "RSA-2048: dgst -sign, verified by openssl" sh -c \
    "openssl dgst $P -sha384 -sign psa:id=0x401 -out v15.sig msg &&
     openssl dgst -sha384 -verify 1025.pub.pem -signature v15.sig msg"

# --- EdDSA -----------------------------------------------------------------------------------
check "Ed25519: generate a key in rssd" "$tool" key generate --id 0x500 \
    --type ecc-key-pair:twisted-edwards --bits 255 --usage sign-message,verify-message \
    --alg pure-eddsa
certificates 1280 "Ed25519"
check "Ed448: generate a key in rssd" "$tool" key generate --id 0x501 \
    --type ecc-key-pair:twisted-edwards --bits 448 --usage sign-message,verify-message \
    --alg pure-eddsa
certificates 1281 "Ed448"
check "Ed25519: pkeyutl -sign -rawin, verified by openssl" sh -c \
    "openssl pkeyutl $P -sign -inkey psa:id=0x500 -rawin -in msg -out ed.sig &&
     openssl pkeyutl -verify -pubin -inkey 1280.pub.pem -rawin -in msg -sigfile ed.sig"
check "Ed25519: the signature does not verify another message" sh -c \
    "! openssl pkeyutl -verify -pubin -inkey 1280.pub.pem -rawin -in msg.bad -sigfile ed.sig"

check "pkeyutl -sign over a SHA-256 digest (sign_hash)" sh -c \
    "openssl dgst -sha256 -binary msg >msg.sha256 &&
     openssl pkeyutl $P -sign -inkey psa:id=0x200 -in msg.sha256 -out pk.sig &&
     openssl pkeyutl -verify -pubin -inkey 512.pub.pem -in msg.sha256 -sigfile pk.sig"

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
