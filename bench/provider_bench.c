/* The psa provider's cost: TLS 1.3 handshakes (in memory, libssl) with the server's ECDSA P-256
 * key in rssd against the same key in the process, and ECDSA signatures through EVP_PKEY_sign on
 * the provider against psa_sign_hash directly. Needs rssd at $RSS_SOCKET and
 * OPENSSL_MODULES (or the build's ossl-modules) for psa.so. */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include <psa/crypto.h>

#include "bench_util.h"

#define BENCH_SECONDS 1.0

static OSSL_LIB_CTX *libctx;

struct tls_bench {
    SSL_CTX *server;
    SSL_CTX *client;
};

/* One full handshake between a client and a server over a memory BIO pair. */
static int tls_handshake(void *arg)
{
    struct tls_bench *b = arg;
    SSL *s = SSL_new(b->server), *c = SSL_new(b->client);
    BIO *sb = NULL, *cb = NULL;
    int done_s = 0, done_c = 0, rc = -1;
    if (s == NULL || c == NULL || !BIO_new_bio_pair(&sb, 0, &cb, 0)) {
        goto out;
    }
    SSL_set_bio(s, sb, sb);
    SSL_set_bio(c, cb, cb);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    for (int round = 0; round < 64 && !(done_s && done_c); round++) {
        if (!done_c) {
            int r = SSL_do_handshake(c);
            if (r == 1) {
                done_c = 1;
            } else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ) {
                goto out;
            }
        }
        if (!done_s) {
            int r = SSL_do_handshake(s);
            if (r == 1) {
                done_s = 1;
            } else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ) {
                goto out;
            }
        }
    }
    rc = done_s && done_c ? 0 : -1;
out:
    SSL_free(s);
    SSL_free(c);
    return rc;
}

static SSL_CTX *server_ctx(EVP_PKEY *key, X509 *cert)
{
    SSL_CTX *ctx = SSL_CTX_new_ex(libctx, NULL, TLS_server_method());
    if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
        SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    /* Full handshakes only. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    return ctx;
}

struct sign_bench {
    EVP_PKEY *pkey;
    psa_key_id_t id;
    unsigned char digest[32];
};

static int sign_provider(void *arg)
{
    struct sign_bench *b = arg;
    unsigned char sig[80];
    size_t len = sizeof(sig);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(libctx, b->pkey, NULL);
    int ok = ctx != NULL && EVP_PKEY_sign_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_sign(ctx, sig, &len, b->digest, sizeof(b->digest)) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : -1;
}

static int sign_direct(void *arg)
{
    struct sign_bench *b = arg;
    unsigned char sig[64];
    size_t len = 0;
    return psa_sign_hash(b->id, PSA_ALG_ECDSA(PSA_ALG_SHA_256), b->digest, sizeof(b->digest), sig,
                         sizeof(sig), &len) == PSA_SUCCESS
               ? 0
               : -1;
}

/* Digest-and-sign of a message: hashed in the application then psa_sign_hash (what the
 * provider does), against psa_sign_message, which sends the message for rssd to hash. */
struct message_bench {
    psa_key_id_t id;
    const unsigned char *message;
    size_t length;
};

static int hash_here_then_sign(void *arg)
{
    struct message_bench *b = arg;
    unsigned char digest[32], sig[64];
    unsigned int dlen = 0;
    size_t len = 0;
    return EVP_Digest(b->message, b->length, digest, &dlen, EVP_sha256(), NULL) == 1 &&
                   psa_sign_hash(b->id, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, dlen, sig,
                                 sizeof(sig), &len) == PSA_SUCCESS
               ? 0
               : -1;
}

static int sign_message_in_rssd(void *arg)
{
    struct message_bench *b = arg;
    unsigned char sig[64];
    size_t len = 0;
    return psa_sign_message(b->id, PSA_ALG_ECDSA(PSA_ALG_SHA_256), b->message, b->length, sig,
                            sizeof(sig), &len) == PSA_SUCCESS
               ? 0
               : -1;
}

/* A self-signed certificate for key, signed with key (in the process). */
static X509 *self_signed(EVP_PKEY *key)
{
    X509 *x = X509_new_ex(libctx, NULL);
    X509_NAME *name = X509_NAME_new();
    if (x == NULL || name == NULL ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"bench", -1,
                                    -1, 0) ||
        !X509_set_version(x, X509_VERSION_3) || !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
        !X509_set_subject_name(x, name) || !X509_set_issuer_name(x, name) ||
        X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL || !X509_set_pubkey(x, key) ||
        X509_sign(x, key, EVP_sha256()) <= 0) {
        X509_free(x);
        x = NULL;
    }
    X509_NAME_free(name);
    return x;
}

/* The OpenSSL key's private scalar imported into rssd: the same key on both sides. */
static psa_key_id_t import_into_rssd(EVP_PKEY *key)
{
    BIGNUM *d = NULL;
    unsigned char scalar[32];
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t id = 0;
    if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) ||
        BN_bn2binpad(d, scalar, sizeof(scalar)) != (int)sizeof(scalar)) {
        BN_clear_free(d);
        return 0;
    }
    BN_clear_free(d);
    psa_set_key_id(&attr, 0x7b7b);
    psa_set_key_lifetime(&attr, PSA_KEY_LIFETIME_PERSISTENT);
    psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&attr, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    psa_destroy_key(0x7b7b); /* a leftover of an interrupted run */
    if (psa_import_key(&attr, scalar, sizeof(scalar), &id) != PSA_SUCCESS) {
        id = 0;
    }
    OPENSSL_cleanse(scalar, sizeof(scalar));
    return id;
}

static EVP_PKEY *store_load(const char *uri)
{
    OSSL_STORE_CTX *store = OSSL_STORE_open_ex(uri, libctx, NULL, NULL, NULL, NULL, NULL, NULL);
    OSSL_STORE_INFO *info = store != NULL ? OSSL_STORE_load(store) : NULL;
    EVP_PKEY *pkey = info != NULL ? OSSL_STORE_INFO_get1_PKEY(info) : NULL;
    OSSL_STORE_INFO_free(info);
    OSSL_STORE_close(store);
    return pkey;
}

int main(void)
{
    OSSL_PROVIDER *prov_default, *prov_psa;
    EVP_PKEY *local = NULL, *in_rssd = NULL;
    X509 *cert = NULL;
    struct tls_bench rssd_tls = {0}, local_tls = {0};
    struct sign_bench sign = {0};
    psa_key_id_t id = 0;
    int rc = 1;

    libctx = OSSL_LIB_CTX_new();
    if (libctx == NULL || psa_crypto_init() != PSA_SUCCESS) {
        return 1;
    }
    if (getenv("OPENSSL_MODULES") == NULL) {
        OSSL_PROVIDER_set_default_search_path(libctx, PSA_PROVIDER_DIR);
    }
    /* Default first, as docs/provider.md says. */
    prov_default = OSSL_PROVIDER_load(libctx, "default");
    prov_psa = OSSL_PROVIDER_load(libctx, "psa");
    local = EVP_PKEY_Q_keygen(libctx, NULL, "EC", "P-256");
    if (prov_default == NULL || prov_psa == NULL || local == NULL) {
        fprintf(stderr, "provider_bench: cannot load the providers or make a key\n");
        goto out;
    }
    cert = self_signed(local);
    id = import_into_rssd(local);
    if (cert == NULL || id == 0) {
        fprintf(stderr, "provider_bench: cannot put the key into rssd (RSS_SOCKET?)\n");
        goto out;
    }
    in_rssd = store_load("psa:id=0x7b7b");
    rssd_tls.server = in_rssd != NULL ? server_ctx(in_rssd, cert) : NULL;
    local_tls.server = server_ctx(local, cert);
    rssd_tls.client = local_tls.client = SSL_CTX_new_ex(libctx, NULL, TLS_client_method());
    if (rssd_tls.server == NULL || local_tls.server == NULL || rssd_tls.client == NULL) {
        fprintf(stderr, "provider_bench: TLS set-up failed\n");
        ERR_print_errors_fp(stderr);
        goto out;
    }
    sign.pkey = in_rssd;
    sign.id = id;
    memset(sign.digest, 0xa5, sizeof(sign.digest));

    bench_table_header();
    /* Baseline: the same key, certificate and handshake with the key in the process. */
    double ours = bench_rate(tls_handshake, &rssd_tls, BENCH_SECONDS);
    double base = bench_rate(tls_handshake, &local_tls, BENCH_SECONDS);
    if (ours < 0 || base < 0) {
        fprintf(stderr, "provider_bench: a handshake failed\n");
        ERR_print_errors_fp(stderr);
        goto out;
    }
    bench_table_row("TLS 1.3 handshake P-256 (rssd/PEM)", ours, base);
    ours = bench_rate(sign_provider, &sign, BENCH_SECONDS);
    base = bench_rate(sign_direct, &sign, BENCH_SECONDS);
    if (ours < 0 || base < 0) {
        fprintf(stderr, "provider_bench: a signature failed\n");
        goto out;
    }
    bench_table_row("ECDSA P-256 sign (EVP/psa_sign_hash)", ours, base);
    /* Where should digest-and-sign hash? Measured, not guessed (issue 16). */
    static unsigned char message[1 << 20];
    memset(message, 0x3c, sizeof(message));
    static const size_t lengths[] = {1024, 1 << 20};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        struct message_bench m = {id, message, lengths[i]};
        ours = bench_rate(hash_here_then_sign, &m, BENCH_SECONDS);
        base = bench_rate(sign_message_in_rssd, &m, BENCH_SECONDS);
        if (ours < 0 || base < 0) {
            fprintf(stderr, "provider_bench: a message signature failed\n");
            goto out;
        }
        char label[64];
        snprintf(label, sizeof(label), "sign %zu B: hash here / in rssd", lengths[i]);
        bench_table_row(label, ours, base);
    }
    rc = 0;
out:
    SSL_CTX_free(rssd_tls.server);
    SSL_CTX_free(local_tls.server);
    SSL_CTX_free(rssd_tls.client);
    EVP_PKEY_free(in_rssd);
    EVP_PKEY_free(local);
    X509_free(cert);
    if (id != 0) {
        psa_destroy_key(id);
    }
    OSSL_PROVIDER_unload(prov_psa);
    OSSL_PROVIDER_unload(prov_default);
    OSSL_LIB_CTX_free(libctx);
    return rc;
}
