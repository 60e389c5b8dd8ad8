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

# Default first: OpenSSL then finds its own key managers for everything that is not a psa: key
# (libssl's TLS group discovery takes the first EC key manager it fetches); psa: keys still reach
# this provider (the store asks for provider=psa, and their private half exports nowhere).
P="-provider default -provider psa"
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

check "the provider first on the command line, as in the issue's example" sh -c \
    "openssl req -provider psa -provider default -key psa:id=0x200 -new -x509 -subj /CN=first \
         -out first.crt && openssl verify -CAfile first.crt first.crt"

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

# --- RSA decryption in rssd, encryption by openssl with the exported public key -------------
printf 'a secret of 32 bytes, in a file.' >secret
check "RSA-3072: generate an OAEP(SHA-256) key in rssd" "$tool" key generate --id 0x600 \
    --type rsa-key-pair --bits 3072 --usage encrypt,decrypt --alg rsa-oaep:sha-256
check "RSA OAEP: pkeyutl -encrypt with the exported key, -decrypt in rssd" sh -c \
    "openssl pkey -provider psa -in psa:id=0x600 -pubout -out oaep.pub.pem &&
     openssl pkeyutl -encrypt -pubin -inkey oaep.pub.pem -pkeyopt rsa_padding_mode:oaep \
         -pkeyopt rsa_oaep_md:sha256 -in secret -out secret.oaep &&
     openssl pkeyutl $P -decrypt -inkey psa:id=0x600 -pkeyopt rsa_padding_mode:oaep \
         -pkeyopt rsa_oaep_md:sha256 -in secret.oaep -out secret.back && cmp secret secret.back"
check "RSA OAEP with a label" sh -c \
    "openssl pkeyutl -encrypt -pubin -inkey oaep.pub.pem -pkeyopt rsa_padding_mode:oaep \
         -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_oaep_label:6c6162656c -in secret \
         -out secret.label &&
     openssl pkeyutl $P -decrypt -inkey psa:id=0x600 -pkeyopt rsa_padding_mode:oaep \
         -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_oaep_label:6c6162656c -in secret.label \
         -out secret.back2 && cmp secret secret.back2"
check "RSA OAEP: a wrong label fails in rssd" fails_with PSA_ERROR_INVALID_PADDING \
    openssl pkeyutl $P -decrypt -inkey psa:id=0x600 -pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:sha256 -in secret.label -out wrong.out
check "RSA OAEP: encryption through the provider, decrypted in rssd" sh -c \
    "openssl pkeyutl $P -encrypt -inkey psa:id=0x600 -pkeyopt rsa_padding_mode:oaep \
         -pkeyopt rsa_oaep_md:sha256 -in secret -out secret.oaep2 &&
     openssl pkeyutl $P -decrypt -inkey psa:id=0x600 -pkeyopt rsa_padding_mode:oaep \
         -pkeyopt rsa_oaep_md:sha256 -in secret.oaep2 -out secret.back3 && cmp secret secret.back3"
check "RSA OAEP: PKCS#1 v1.5 is not in the key's policy" fails_with PSA_ERROR_NOT_PERMITTED \
    openssl pkeyutl $P -decrypt -inkey psa:id=0x600 -pkeyopt rsa_padding_mode:pkcs1 \
    -in secret.oaep -out v15.out
check "RSA-2048: generate a PKCS#1 v1.5 encryption key in rssd" "$tool" key generate \
    --id 0x601 --type rsa-key-pair --bits 2048 --usage encrypt,decrypt --alg rsa-pkcs1v15-crypt
check "RSA PKCS#1 v1.5: pkeyutl -encrypt with the exported key, -decrypt in rssd" sh -c \
    "openssl pkey -provider psa -in psa:id=0x601 -pubout -out v15.pub.pem &&
     openssl pkeyutl -encrypt -pubin -inkey v15.pub.pem -in secret -out secret.v15 &&
     openssl pkeyutl $P -decrypt -inkey psa:id=0x601 -in secret.v15 -out secret.back4 &&
     cmp secret secret.back4"

# --- key agreement in rssd, matching the peer's ----------------------------------------------
agreement() { # agreement ID OPENSSL-GENPKEY-OPTIONS...: both sides derive the same secret
    id=$1
    shift
    openssl genpkey "$@" -out "peer$id.pem" &&
        openssl pkey -in "peer$id.pem" -pubout -out "peer$id.pub.pem" &&
        openssl pkey -provider psa -in "psa:id=$id" -pubout -out "agree$id.pub.pem" &&
        openssl pkeyutl $P -derive -inkey "psa:id=$id" -peerkey "peer$id.pub.pem" \
            -out "ours$id.bin" &&
        openssl pkeyutl -derive -inkey "peer$id.pem" -peerkey "agree$id.pub.pem" \
            -out "theirs$id.bin" &&
        [ -s "ours$id.bin" ] && cmp "ours$id.bin" "theirs$id.bin"
}
check "ECDH P-256: generate a key in rssd" "$tool" key generate --id 0x700 \
    --type ecc-key-pair:secp-r1 --bits 256 --usage derive --alg ecdh
check "ECDH P-256: the secret matches the peer's" agreement 1792 -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-256
check "X25519: generate a key in rssd" "$tool" key generate --id 0x701 \
    --type ecc-key-pair:montgomery --bits 255 --usage derive --alg ecdh
check "X25519: the secret matches the peer's" agreement 1793 -algorithm X25519
check "X448: generate a key in rssd" "$tool" key generate --id 0x702 \
    --type ecc-key-pair:montgomery --bits 448 --usage derive --alg ecdh
check "X448: the secret matches the peer's" agreement 1794 -algorithm X448
check "ECDH with a key that may only sign: PSA_ERROR_NOT_PERMITTED" \
    fails_with PSA_ERROR_NOT_PERMITTED openssl pkeyutl $P -derive -inkey psa:id=0x200 \
    -peerkey peer1792.pub.pem -out np.bin

# --- TLS: s_server with the key in rssd, s_client checking the certificate ------------------
# The server listens on a Unix socket and says ACCEPT once it does: the client starts when that
# line is there (or the test fails when the server exits first), never after a fixed delay.
start_server() { # start_server KEY-ID CERT S_SERVER-OPTIONS...: leaves its pid in $server
    key=$1
    cert=$2
    shift 2
    rm -f srv.sock srv.out
    openssl s_server $P -key "psa:id=$key" -cert "$cert" -unix srv.sock -naccept 1 -www "$@" \
        >srv.out 2>&1 </dev/null &
    server=$!
    while ! grep -q '^ACCEPT' srv.out; do
        if ! kill -0 "$server" 2>/dev/null; then
            wait "$server"
            echo "s_server exited before accepting:"
            cat srv.out
            return 1
        fi
        sleep 0.05
    done
}

client() { # client CAFILE S_CLIENT-OPTIONS...: one HTTP request over TLS; output in cli.out
    ca=$1
    shift
    printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -unix srv.sock -CAfile "$ca" \
        -verify_return_error -ign_eof "$@" >cli.out 2>&1
}

tls_ok() { # tls_ok KEY-ID CERT PROTOCOL-OPTION PROTOCOL-NAME [S_SERVER-OPTIONS...]
    key=$1
    cert=$2
    proto=$3
    name=$4
    shift 4
    start_server "$key" "$cert" "$proto" "$@" || return 1
    client "$cert" "$proto"
    rc=$?
    wait "$server"
    src=$?
    cat cli.out
    [ "$rc" -eq 0 ] && [ "$src" -eq 0 ] && grep -q "Verification: OK" cli.out &&
        grep -q "Protocol  *: $name" cli.out && grep -q "^HTTP/1.0 200 ok" cli.out
}

tls_untrusted() { # tls_untrusted KEY-ID CERT OTHER-CA: the client refuses the server
    start_server "$1" "$2" || return 1
    client "$3"
    rc=$?
    # The aborted handshake may or may not count as the one accepted connection.
    kill "$server" 2>/dev/null
    wait "$server"
    cat cli.out
    [ "$rc" -ne 0 ] && grep -q "verify error" cli.out
}

check "TLS 1.3 with ECDSA P-256 in rssd" tls_ok 0x200 512.crt -tls1_3 TLSv1.3
check "TLS 1.3 with RSA-3072 PSS in rssd" tls_ok 0x400 1024.crt -tls1_3 TLSv1.3
check "TLS 1.3 with Ed25519 in rssd" tls_ok 0x500 1280.crt -tls1_3 TLSv1.3
check "TLS 1.2 with ECDSA P-384 in rssd" tls_ok 0x280 640.crt -tls1_2 TLSv1.2
check "TLS 1.2 with RSA-3072 PSS in rssd" tls_ok 0x400 1024.crt -tls1_2 TLSv1.2
# A PSA key has one algorithm: a PKCS#1 v1.5 key needs a server limited to those signatures.
check "TLS 1.2 with RSA-2048 PKCS#1 v1.5 in rssd (-sigalgs RSA+SHA256)" \
    tls_ok 0x401 1025.crt -tls1_2 TLSv1.2 -sigalgs RSA+SHA256
check "a client that does not trust the certificate fails the handshake" \
    tls_untrusted 0x200 512.crt 640.crt
check "s_server refuses a certificate of another key" fails_with "key values mismatch" \
    openssl s_server $P -key psa:id=0x200 -cert 640.crt -unix srv2.sock -naccept 1

# --- genpkey: keys generated in rssd with the PSA attributes as parameters -------------------
G="$P -propquery provider=psa"
check "genpkey EC P-384 in rssd, its URI written as the key" sh -c \
    "openssl genpkey $G -algorithm EC -pkeyopt group:P-384 -pkeyopt psa-id:0x800 -out gen.key &&
     [ \"\$(cat gen.key)\" = psa:id=0x00000800 ]"
check "the generated key has the attributes genpkey asked for" sh -c \
    "'$tool' key info --id 0x800 >gen.info && grep -q 'ecc-key-pair:secp-r1' gen.info &&
     grep -q 'bits: *384' gen.info && grep -q 'ecdsa:any-hash' gen.info &&
     grep -q 'persistent' gen.info"
check "a certificate for the generated key" sh -c \
    "openssl req $P -key psa:id=0x800 -new -x509 -subj /CN=generated -out gen.crt &&
     openssl verify -CAfile gen.crt gen.crt"
check "genpkey RSA-3072 with usage and algorithm" openssl genpkey $G -algorithm RSA \
    -pkeyopt bits:3072 -pkeyopt psa-id:2049 -pkeyopt psa-usage:sign-hash \
    -pkeyopt psa-alg:rsa-pkcs1v15-sign:sha-384 -out gen2.key
check "the RSA key has them" sh -c \
    "'$tool' key info --id 0x801 >gen2.info && grep -q 'bits: *3072' gen2.info &&
     grep -q 'rsa-pkcs1v15-sign:sha-384' gen2.info && ! grep -q 'verify-hash' gen2.info"
check "its certificate uses the one hash the policy allows" sh -c \
    "openssl req $P -key psa:id=0x801 -new -x509 -subj /CN=rsa -out gen2.crt &&
     openssl x509 -in gen2.crt -noout -text | grep -q sha384WithRSAEncryption"
check "genpkey Ed25519 in rssd" sh -c \
    "openssl genpkey $G -algorithm ED25519 -pkeyopt psa-id:0x802 -out gen3.key &&
     openssl req $P -key psa:id=0x802 -new -x509 -subj /CN=ed -out gen3.crt &&
     openssl verify -CAfile gen3.crt gen3.crt"
check "genpkey X25519, volatile" sh -c \
    "openssl genpkey $G -algorithm X25519 -pkeyopt psa-persistence:volatile -out gen4.key &&
     grep -q '^psa:id=0x' gen4.key"
check "genpkey without an id for a persistent key is refused" fails_with "psa-id" \
    openssl genpkey $G -algorithm EC
check "genpkey on an id in use: PSA_ERROR_ALREADY_EXISTS" fails_with PSA_ERROR_ALREADY_EXISTS \
    openssl genpkey $G -algorithm EC -pkeyopt psa-id:0x800
check "the key on that id is unchanged" sh -c "'$tool' key info --id 0x800 | grep -q 'bits: *384'"
check "genpkey with an unknown usage is refused" fails_with "psa-usage" \
    openssl genpkey $G -algorithm EC -pkeyopt psa-id:0x803 -pkeyopt psa-usage:sign-everything

# --- the private half stays in rssd ----------------------------------------------------------
check "pkey writes the key's URI in place of its private half" sh -c \
    "openssl pkey $P -in psa:id=0x200 -out priv.pem && [ \"\$(cat priv.pem)\" = psa:id=0x00000200 ]"
check "pkey -text_pub works, and nothing private is printed" sh -c \
    "openssl pkey $P -in psa:id=0x200 -text_pub -noout >pub.txt && grep -q 'pub:' pub.txt &&
     ! grep -qi 'priv' pub.txt"

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
