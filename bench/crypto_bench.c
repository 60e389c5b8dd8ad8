/* PSA one-shot calls (libpsa-local) against OpenSSL EVP at its best (XChaCha20-Poly1305: against
 * libsodium's own), in the same process. */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <psa/crypto.h>
#include <sodium.h>

#include "bench_util.h"

static uint8_t input[16384];
static uint8_t output[16384 + 64];

typedef struct hash_case {
    size_t length;
    const EVP_MD *md;
    EVP_MD_CTX *ctx;
} hash_case_t;

static int psa_sha256(void *arg)
{
    hash_case_t *c = arg;
    size_t n = 0;
    return psa_hash_compute(PSA_ALG_SHA_256, input, c->length, output, 32, &n) != PSA_SUCCESS;
}

static int evp_sha256(void *arg)
{
    hash_case_t *c = arg;
    unsigned int n = 0;
    return !(EVP_DigestInit_ex2(c->ctx, c->md, NULL) &&
             EVP_DigestUpdate(c->ctx, input, c->length) && EVP_DigestFinal_ex(c->ctx, output, &n));
}

typedef struct gcm_case {
    size_t length;
    psa_key_id_t key;
    EVP_CIPHER_CTX *ctx;
} gcm_case_t;

static const uint8_t nonce[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const uint8_t key_bytes[32] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                      0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00};

static int psa_gcm(void *arg)
{
    gcm_case_t *c = arg;
    size_t n = 0;
    return psa_aead_encrypt(c->key, PSA_ALG_GCM, nonce, sizeof(nonce), NULL, 0, input, c->length,
                            output, sizeof(output), &n) != PSA_SUCCESS;
}

static int evp_gcm(void *arg)
{
    gcm_case_t *c = arg;
    int n = 0, m = 0;
    return !(EVP_EncryptInit_ex2(c->ctx, NULL, NULL, nonce, NULL) &&
             EVP_EncryptUpdate(c->ctx, output, &n, input, (int)c->length) &&
             EVP_EncryptFinal_ex(c->ctx, output + n, &m) &&
             EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_GET_TAG, 16, output + c->length));
}

typedef struct hmac_case {
    size_t length;
    psa_key_id_t key;
    EVP_MAC_CTX *ctx;
} hmac_case_t;

static int psa_hmac(void *arg)
{
    hmac_case_t *c = arg;
    size_t n = 0;
    return psa_mac_compute(c->key, PSA_ALG_HMAC(PSA_ALG_SHA_256), input, c->length, output, 32,
                           &n) != PSA_SUCCESS;
}

static int evp_hmac(void *arg)
{
    hmac_case_t *c = arg;
    size_t n = 0;
    return !(EVP_MAC_init(c->ctx, NULL, 0, NULL) && EVP_MAC_update(c->ctx, input, c->length) &&
             EVP_MAC_final(c->ctx, output, &n, 32));
}

typedef struct xchacha_case {
    size_t length;
    psa_key_id_t key;
} xchacha_case_t;

static const uint8_t xnonce[24] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                   13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};

static int psa_xchacha(void *arg)
{
    xchacha_case_t *c = arg;
    size_t n = 0;
    return psa_aead_encrypt(c->key, PSA_ALG_XCHACHA20_POLY1305, xnonce, sizeof(xnonce), NULL, 0,
                            input, c->length, output, sizeof(output), &n) != PSA_SUCCESS;
}

static int sodium_xchacha(void *arg)
{
    xchacha_case_t *c = arg;
    unsigned long long n = 0;
    return crypto_aead_xchacha20poly1305_ietf_encrypt(output, &n, input, c->length, NULL, 0, NULL,
                                                      xnonce, key_bytes) != 0;
}

static int fail(const char *what)
{
    fprintf(stderr, "crypto_bench: %s failed\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.2;
    if (psa_crypto_init() != PSA_SUCCESS) {
        return fail("psa_crypto_init");
    }
    memset(input, 0xa5, sizeof(input));
    bench_table_header();

    /* SHA-256: baseline has the algorithm fetched once and one context reused. */
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    hash_case_t hc = {.md = md, .ctx = EVP_MD_CTX_new()};
    static const size_t lengths[] = {64, 16384};
    for (int i = 0; i < 2; i++) {
        hc.length = lengths[i];
        double ours = bench_rate(psa_sha256, &hc, seconds);
        double base = bench_rate(evp_sha256, &hc, seconds);
        if (ours < 0 || base < 0) {
            return fail("SHA-256");
        }
        char name[64];
        snprintf(name, sizeof(name), "SHA-256 %zu B", lengths[i]);
        bench_table_row(name, ours, base);
    }
    EVP_MD_CTX_free(hc.ctx);
    EVP_MD_free(md);

    /* AES-128-GCM encrypt: baseline keyed once, only the nonce set per call. */
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&attr, 128);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_ENCRYPT);
    psa_set_key_algorithm(&attr, PSA_ALG_GCM);
    gcm_case_t gc = {.ctx = EVP_CIPHER_CTX_new()};
    EVP_CIPHER *gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    if (psa_import_key(&attr, key_bytes, 16, &gc.key) != PSA_SUCCESS ||
        !EVP_EncryptInit_ex2(gc.ctx, gcm, key_bytes, nonce, NULL)) {
        return fail("AES-GCM set-up");
    }
    for (int i = 0; i < 2; i++) {
        gc.length = lengths[i];
        double ours = bench_rate(psa_gcm, &gc, seconds);
        double base = bench_rate(evp_gcm, &gc, seconds);
        if (ours < 0 || base < 0) {
            return fail("AES-128-GCM");
        }
        char name[64];
        snprintf(name, sizeof(name), "AES-128-GCM encrypt %zu B", lengths[i]);
        bench_table_row(name, ours, base);
    }
    EVP_CIPHER_CTX_free(gc.ctx);
    EVP_CIPHER_free(gcm);
    psa_destroy_key(gc.key);

    /* HMAC-SHA-256: baseline keyed once, re-initialised with the same key per call. */
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_MESSAGE);
    psa_set_key_algorithm(&attr, PSA_ALG_HMAC(PSA_ALG_SHA_256));
    hmac_case_t mc = {.length = 64};
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    mc.ctx = EVP_MAC_CTX_new(mac);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    if (psa_import_key(&attr, key_bytes, 32, &mc.key) != PSA_SUCCESS ||
        !EVP_MAC_init(mc.ctx, key_bytes, 32, params)) {
        return fail("HMAC set-up");
    }
    double ours = bench_rate(psa_hmac, &mc, seconds);
    double base = bench_rate(evp_hmac, &mc, seconds);
    if (ours < 0 || base < 0) {
        return fail("HMAC-SHA-256");
    }
    bench_table_row("HMAC-SHA-256 64 B", ours, base);
    EVP_MAC_CTX_free(mc.ctx);
    EVP_MAC_free(mac);
    psa_destroy_key(mc.key);

    /* XChaCha20-Poly1305 encrypt (HChaCha20 from libsodium, the rest on OpenSSL) against
     * libsodium's complete implementation. */
    if (sodium_init() < 0) {
        return fail("sodium_init");
    }
    psa_set_key_type(&attr, PSA_KEY_TYPE_XCHACHA20);
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_ENCRYPT);
    psa_set_key_algorithm(&attr, PSA_ALG_XCHACHA20_POLY1305);
    xchacha_case_t xc = {0};
    if (psa_import_key(&attr, key_bytes, 32, &xc.key) != PSA_SUCCESS) {
        return fail("XChaCha20-Poly1305 set-up");
    }
    for (int i = 0; i < 2; i++) {
        xc.length = lengths[i];
        ours = bench_rate(psa_xchacha, &xc, seconds);
        base = bench_rate(sodium_xchacha, &xc, seconds);
        if (ours < 0 || base < 0) {
            return fail("XChaCha20-Poly1305");
        }
        char name[64];
        snprintf(name, sizeof(name), "XChaCha20-Poly1305 enc %zu B", lengths[i]);
        bench_table_row(name, ours, base);
    }
    psa_destroy_key(xc.key);
    return 0;
}
