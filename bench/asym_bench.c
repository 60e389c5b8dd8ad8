/* PSA one-shot asymmetric calls (libpsa-local) against OpenSSL EVP with the key loaded once. */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <psa/crypto.h>

#include "bench_util.h"

typedef struct asym_case {
    psa_key_id_t key;
    psa_algorithm_t alg;
    EVP_PKEY_CTX *pctx; /* baseline: initialised once */
    EVP_MD_CTX *mctx;   /* baseline for EdDSA */
    const uint8_t *in;
    size_t in_length;
    uint8_t sig[512];
    size_t sig_length;
    uint8_t evp_sig[512];
    size_t evp_sig_length;
    uint8_t peer[32];
} asym_case_t;

static uint8_t digest[32];
static uint8_t message[64];

static int psa_sign(void *arg)
{
    asym_case_t *c = arg;
    return psa_sign_hash(c->key, c->alg, c->in, c->in_length, c->sig, sizeof(c->sig),
                         &c->sig_length) != PSA_SUCCESS;
}

static int psa_verify(void *arg)
{
    asym_case_t *c = arg;
    return psa_verify_hash(c->key, c->alg, c->in, c->in_length, c->sig, c->sig_length) !=
           PSA_SUCCESS;
}

static int psa_sign_msg(void *arg)
{
    asym_case_t *c = arg;
    return psa_sign_message(c->key, c->alg, c->in, c->in_length, c->sig, sizeof(c->sig),
                            &c->sig_length) != PSA_SUCCESS;
}

static int psa_agree(void *arg)
{
    asym_case_t *c = arg;
    size_t n = 0;
    return psa_raw_key_agreement(PSA_ALG_ECDH, c->key, c->peer, 32, c->sig, sizeof(c->sig), &n) !=
           PSA_SUCCESS;
}

static int evp_sign(void *arg)
{
    asym_case_t *c = arg;
    c->evp_sig_length = sizeof(c->evp_sig);
    return EVP_PKEY_sign(c->pctx, c->evp_sig, &c->evp_sig_length, c->in, c->in_length) != 1;
}

static int evp_verify(void *arg)
{
    asym_case_t *c = arg;
    return EVP_PKEY_verify(c->pctx, c->evp_sig, c->evp_sig_length, c->in, c->in_length) != 1;
}

static int evp_digest_sign(void *arg)
{
    asym_case_t *c = arg;
    c->evp_sig_length = sizeof(c->evp_sig);
    return EVP_DigestSign(c->mctx, c->evp_sig, &c->evp_sig_length, c->in, c->in_length) != 1;
}

static int evp_derive(void *arg)
{
    asym_case_t *c = arg;
    size_t n = sizeof(c->evp_sig);
    return EVP_PKEY_derive(c->pctx, c->evp_sig, &n) != 1;
}

static int fail(const char *what)
{
    fprintf(stderr, "asym_bench: %s failed\n", what);
    return 1;
}

/* Generates a PSA key and loads the same key into OpenSSL from its export. */
static EVP_PKEY *make_key(psa_key_type_t type, size_t bits, psa_algorithm_t alg,
                          psa_key_usage_t usage, psa_key_id_t *id)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_bits(&attr, bits);
    psa_set_key_usage_flags(&attr, usage | PSA_KEY_USAGE_EXPORT);
    psa_set_key_algorithm(&attr, alg);
    if (psa_generate_key(&attr, id) != PSA_SUCCESS) {
        return NULL;
    }
    uint8_t data[PSA_EXPORT_KEY_PAIR_MAX_SIZE];
    size_t n = 0;
    if (psa_export_key(*id, data, sizeof(data), &n) != PSA_SUCCESS) {
        return NULL;
    }
    const unsigned char *p = data;
    if (type == PSA_KEY_TYPE_RSA_KEY_PAIR) {
        return d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)n);
    }
    psa_ecc_family_t family = PSA_KEY_TYPE_ECC_GET_FAMILY(type);
    if (family == PSA_ECC_FAMILY_TWISTED_EDWARDS) {
        return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, data, n);
    }
    if (family == PSA_ECC_FAMILY_MONTGOMERY) {
        return EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, data, n);
    }
    /* P-256: the baseline's key is OpenSSL's own from the same scalar. */
    uint8_t pub[65];
    size_t pn = 0;
    if (psa_export_public_key(*id, pub, sizeof(pub), &pn) != PSA_SUCCESS) {
        return NULL;
    }
    /* OSSL_PARAM integers are native-endian. */
    BIGNUM *d = BN_bin2bn(data, (int)n, NULL);
    uint8_t native[32];
    BN_bn2nativepad(d, native, sizeof(native));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, pn),
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native, sizeof(native)),
        OSSL_PARAM_construct_end()};
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1) {
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    BN_free(d);
    return pkey;
}

static int row(const char *name, bench_body_t ours, bench_body_t base, asym_case_t *c,
               double seconds)
{
    double a = bench_rate(ours, c, seconds);
    double b = bench_rate(base, c, seconds);
    if (a < 0 || b < 0) {
        return fail(name);
    }
    bench_table_row(name, a, b);
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.3;
    if (psa_crypto_init() != PSA_SUCCESS) {
        return fail("psa_crypto_init");
    }
    memset(message, 0x3c, sizeof(message));
    size_t dn = 0;
    psa_hash_compute(PSA_ALG_SHA_256, message, sizeof(message), digest, sizeof(digest), &dn);
    bench_table_header();
    int rc = 0;

    /* ECDSA P-256 with SHA-256, over a precomputed digest. */
    asym_case_t ec = {.alg = PSA_ALG_ECDSA(PSA_ALG_SHA_256), .in = digest, .in_length = 32};
    EVP_PKEY *ec_key = make_key(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256, ec.alg,
                                PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH, &ec.key);
    ec.pctx = ec_key != NULL ? EVP_PKEY_CTX_new(ec_key, NULL) : NULL;
    if (ec.pctx == NULL || EVP_PKEY_sign_init(ec.pctx) != 1) {
        return fail("ECDSA set-up");
    }
    rc |= row("ECDSA P-256 sign", psa_sign, evp_sign, &ec, seconds);
    EVP_PKEY_CTX_free(ec.pctx);
    ec.pctx = EVP_PKEY_CTX_new(ec_key, NULL);
    if (EVP_PKEY_verify_init(ec.pctx) != 1 || psa_sign(&ec) != 0) {
        return fail("ECDSA verify set-up");
    }
    /* The verify baseline checks a signature made by OpenSSL with the same key. */
    EVP_PKEY_CTX *sctx = EVP_PKEY_CTX_new(ec_key, NULL);
    ec.evp_sig_length = sizeof(ec.evp_sig);
    if (EVP_PKEY_sign_init(sctx) != 1 ||
        EVP_PKEY_sign(sctx, ec.evp_sig, &ec.evp_sig_length, digest, 32) != 1) {
        return fail("ECDSA baseline signature");
    }
    EVP_PKEY_CTX_free(sctx);
    rc |= row("ECDSA P-256 verify", psa_verify, evp_verify, &ec, seconds);
    EVP_PKEY_CTX_free(ec.pctx);
    EVP_PKEY_free(ec_key);
    psa_destroy_key(ec.key);

    /* Ed25519 over a 64-byte message. */
    asym_case_t ed = {.alg = PSA_ALG_PURE_EDDSA, .in = message, .in_length = sizeof(message)};
    EVP_PKEY *ed_key = make_key(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_TWISTED_EDWARDS), 255,
                                ed.alg, PSA_KEY_USAGE_SIGN_MESSAGE, &ed.key);
    ed.mctx = EVP_MD_CTX_new();
    if (ed_key == NULL ||
        EVP_DigestSignInit_ex(ed.mctx, NULL, NULL, NULL, NULL, ed_key, NULL) != 1) {
        return fail("Ed25519 set-up");
    }
    rc |= row("Ed25519 sign 64 B", psa_sign_msg, evp_digest_sign, &ed, seconds);
    EVP_MD_CTX_free(ed.mctx);
    EVP_PKEY_free(ed_key);
    psa_destroy_key(ed.key);

    /* RSA-2048 PKCS#1 v1.5 with SHA-256, over a precomputed digest. */
    asym_case_t rsa = {
        .alg = PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), .in = digest, .in_length = 32};
    EVP_PKEY *rsa_key =
        make_key(PSA_KEY_TYPE_RSA_KEY_PAIR, 2048, rsa.alg, PSA_KEY_USAGE_SIGN_HASH, &rsa.key);
    rsa.pctx = rsa_key != NULL ? EVP_PKEY_CTX_new(rsa_key, NULL) : NULL;
    if (rsa.pctx == NULL || EVP_PKEY_sign_init(rsa.pctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(rsa.pctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(rsa.pctx, EVP_sha256()) != 1) {
        return fail("RSA set-up");
    }
    rc |= row("RSA-2048 PKCS#1 v1.5 sign", psa_sign, evp_sign, &rsa, seconds);
    EVP_PKEY_CTX_free(rsa.pctx);
    EVP_PKEY_free(rsa_key);
    psa_destroy_key(rsa.key);

    /* X25519: ours parses the peer's 32 bytes per call; the baseline has the peer set once. */
    asym_case_t x = {0};
    EVP_PKEY *x_key = make_key(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), 255,
                               PSA_ALG_ECDH, PSA_KEY_USAGE_DERIVE, &x.key);
    EVP_PKEY *peer = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    size_t pn = sizeof(x.peer);
    x.pctx = x_key != NULL ? EVP_PKEY_CTX_new(x_key, NULL) : NULL;
    if (x.pctx == NULL || peer == NULL || EVP_PKEY_get_raw_public_key(peer, x.peer, &pn) != 1 ||
        EVP_PKEY_derive_init(x.pctx) != 1 || EVP_PKEY_derive_set_peer(x.pctx, peer) != 1) {
        return fail("X25519 set-up");
    }
    rc |= row("X25519 agreement", psa_agree, evp_derive, &x, seconds);
    EVP_PKEY_CTX_free(x.pctx);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(x_key);
    psa_destroy_key(x.key);
    return rc;
}
