/* Key derivation known-answer driver: RFC 5869 HKDF and RFC 6070 PBKDF2 files, via libpsa-local;
 * SP 800-108 counter mode (HMAC, CMAC) against OpenSSL's KBKDF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <psa/crypto.h>

#include "vector_file.h"

/*
 * Iteration counts: every record is run, including RFC 6070's 16777216-iteration PBKDF2-HMAC-SHA-1
 * vector, which takes about 3 s with OpenSSL on the development machine (the rule is: run a record
 * when OpenSSL needs under 10 s for it; none of the files has one that needs more).
 */

static char state_dir[] = "/tmp/ss-kat-kdf-XXXXXX";

static psa_algorithm_t hash_by_name(const char *name)
{
    if (name == NULL) {
        return PSA_ALG_NONE;
    }
    if (strcasecmp(name, "SHA-1") == 0) {
        return PSA_ALG_SHA_1;
    }
    if (strcasecmp(name, "SHA-256") == 0) {
        return PSA_ALG_SHA_256;
    }
    return PSA_ALG_NONE;
}

/* Derives `length` bytes into out with an operation prepared by the caller, then aborts it. */
static psa_status_t finish(psa_key_derivation_operation_t *op, uint8_t *out, size_t length)
{
    psa_status_t status = psa_key_derivation_output_bytes(op, out, length);
    psa_key_derivation_abort(op);
    return status;
}

/* HKDF(salt, IKM, info) -> OKM; when the record lists the PRK, also HKDF-Extract(salt, IKM) ->
 * PRK and HKDF-Expand(PRK, info) -> OKM (the PRK given as a DERIVE key, to take the key path). */
static void run_hkdf_record(const vf_record_t *rec, vf_tally_t *tally)
{
    uint8_t *ikm = NULL, *salt = NULL, *info = NULL, *okm = NULL, *prk = NULL, *out = NULL;
    size_t ikm_len = 0, salt_len = 0, info_len = 0, okm_len = 0, prk_len = 0;
    unsigned long long length = 0;
    psa_algorithm_t hash = hash_by_name(vf_get(rec, "Hash"));
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_status_t status;
    psa_key_id_t prk_key = 0;

    if (hash == PSA_ALG_NONE || !vf_get_hex(rec, "IKM", &ikm, &ikm_len) ||
        !vf_get_hex(rec, "salt", &salt, &salt_len) || !vf_get_hex(rec, "info", &info, &info_len) ||
        !vf_get_hex(rec, "OKM", &okm, &okm_len) || !vf_get_uint(rec, "L", &length) ||
        length != okm_len) {
        vf_fail(tally, rec, "cannot map HKDF record (Hash=%s)",
                vf_get(rec, "Hash") ? vf_get(rec, "Hash") : "?");
        goto out;
    }
    bool has_prk = vf_has(rec, "PRK");
    if (has_prk && !vf_get_hex(rec, "PRK", &prk, &prk_len)) {
        vf_fail(tally, rec, "bad PRK");
        goto out;
    }
    out = malloc(okm_len + 1);
    if (out == NULL) {
        abort();
    }

    /* HKDF, the salt omitted when empty (an absent salt means HashLen zeros, like an empty one). */
    status = psa_key_derivation_setup(&op, PSA_ALG_HKDF(hash));
    if (status == PSA_SUCCESS && salt_len > 0) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, ikm, ikm_len);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, info, info_len);
    }
    status = status == PSA_SUCCESS ? finish(&op, out, okm_len) : status;
    psa_key_derivation_abort(&op);
    if (status != PSA_SUCCESS || memcmp(out, okm, okm_len) != 0) {
        vf_fail(tally, rec, "HKDF: status %d or OKM mismatch", (int)status);
        goto out;
    }
    if (!has_prk) {
        vf_pass(tally);
        goto out;
    }

    status = psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXTRACT(hash));
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, ikm, ikm_len);
    }
    status = status == PSA_SUCCESS ? finish(&op, out, prk_len) : status;
    psa_key_derivation_abort(&op);
    if (status != PSA_SUCCESS || memcmp(out, prk, prk_len) != 0) {
        vf_fail(tally, rec, "HKDF-Extract: status %d or PRK mismatch", (int)status);
        goto out;
    }

    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_DERIVE);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&attr, PSA_ALG_HKDF_EXPAND(hash));
    status = psa_import_key(&attr, prk, prk_len, &prk_key);
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXPAND(hash));
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, prk_key);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, info, info_len);
    }
    /* Compare in the derivation itself, as a verifier would. */
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_verify_bytes(&op, okm, okm_len);
    }
    psa_key_derivation_abort(&op);
    if (status != PSA_SUCCESS) {
        vf_fail(tally, rec, "HKDF-Expand: status %d", (int)status);
        goto out;
    }
    vf_pass(tally);
out:
    if (prk_key != 0) {
        psa_destroy_key(prk_key);
    }
    free(ikm);
    free(salt);
    free(info);
    free(okm);
    free(prk);
    free(out);
}

/* RFC 6070 writes passwords and salts as text, with "\0" for a NUL byte. */
static bool unescape(const char *text, uint8_t *out, size_t out_size, size_t *length)
{
    size_t n = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (n == out_size) {
            return false;
        }
        if (*p == '\\') {
            if (p[1] != '0') {
                return false;
            }
            out[n++] = 0;
            p++;
        } else {
            out[n++] = (uint8_t)*p;
        }
    }
    *length = n;
    return true;
}

static void run_pbkdf2_record(const vf_record_t *rec, psa_algorithm_t alg, vf_tally_t *tally)
{
    uint8_t password[256], salt[256];
    size_t password_len = 0, salt_len = 0, expected_len = 0;
    uint8_t *expected = NULL, *out = NULL;
    unsigned long long iterations = 0, length = 0;
    const char *pw_text = vf_get(rec, "PASSWORD");
    const char *salt_text = vf_get(rec, "SALT");
    if (pw_text == NULL || salt_text == NULL ||
        !unescape(pw_text, password, sizeof(password), &password_len) ||
        !unescape(salt_text, salt, sizeof(salt), &salt_len) ||
        !vf_get_uint(rec, "ITERATIONS", &iterations) || !vf_get_uint(rec, "LENGTH", &length) ||
        !vf_get_hex(rec, "DERIVED_KEY", &expected, &expected_len) || length != expected_len) {
        vf_fail(tally, rec, "cannot map PBKDF2 record");
        free(expected);
        return;
    }
    out = malloc(expected_len + 1);
    if (out == NULL) {
        abort();
    }
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_status_t status = psa_key_derivation_setup(&op, alg);
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, iterations);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len);
    }
    if (status == PSA_SUCCESS) {
        status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD, password,
                                                password_len);
    }
    status = status == PSA_SUCCESS ? finish(&op, out, expected_len) : status;
    psa_key_derivation_abort(&op);
    if (status != PSA_SUCCESS || memcmp(out, expected, expected_len) != 0) {
        vf_fail(tally, rec, "PBKDF2 (%llu iterations): status %d or key mismatch", iterations,
                (int)status);
    } else {
        vf_pass(tally);
    }
    free(expected);
    free(out);
}

static void run_file(const char *relpath, const char *marker, psa_algorithm_t pbkdf2_alg,
                     vf_tally_t *tally)
{
    vf_file_t *file = vf_open(relpath, marker);
    if (file == NULL) {
        vf_fail(tally, NULL, "%s: cannot open", relpath);
        return;
    }
    unsigned long before = tally->passed + tally->failed;
    vf_record_t rec;
    while (vf_next(file, &rec)) {
        if (pbkdf2_alg != PSA_ALG_NONE) {
            run_pbkdf2_record(&rec, pbkdf2_alg, tally);
        } else {
            run_hkdf_record(&rec, tally);
        }
    }
    unsigned long read = tally->passed + tally->failed - before;
    if (read == 0) {
        vf_fail(tally, NULL, "%s: no vectors read", relpath);
    }
    printf("kat_kdf: %s: %lu vectors\n", relpath, read);
    vf_close(file);
}

/* ---- SP 800-108 counter mode -------------------------------------------------------------- */

/*
 * No published vector file has the fixed-input layout PSA Crypto API 1.2 prescribes (the NIST
 * CAVP KBKDF file uses opaque fixed-input strings), so the reference is OpenSSL's own KBKDF
 * (EVP_KDF "KBKDF", code the core does not use): counter mode, r = 32, with its label, 0x00
 * separator, context and [L]_4, where L is the length OpenSSL is asked for. For HMAC with the
 * capacity set to the output length that is exactly PSA's construction. For CMAC, and for HMAC
 * at the default capacity, OpenSSL's own L is switched off and the test appends PSA's trailer
 * to the context: [L]_4 with L = 8 * capacity, and for CMAC K_0 = CMAC(K_IN, Label || 0x00 ||
 * Context || [L]_4), computed with EVP_MAC.
 */
#define SP800_CAPACITY 0x1fffffffu

typedef struct sp800_case {
    psa_algorithm_t alg;
    psa_key_type_t key_type;
    size_t key_length;
    const char *label;
    size_t context_length;
    size_t output_length;
    bool default_capacity; /* leave the capacity at 2^29 - 1 */
} sp800_case_t;

static const sp800_case_t sp800_cases[] = {
    {PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_SHA_256), PSA_KEY_TYPE_HMAC, 32, "PSA label", 49, 42,
     false},
    {PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_SHA_256), PSA_KEY_TYPE_DERIVE, 16, "", 0, 1, false},
    {PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_SHA_256), PSA_KEY_TYPE_DERIVE, 64, "x", 1, 1000, false},
    {PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_SHA_256), PSA_KEY_TYPE_HMAC, 32, "default", 16, 42,
     true},
    {PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_SHA_1), PSA_KEY_TYPE_HMAC, 20, "sha1", 8, 57, false},
    {PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_SHA_224), PSA_KEY_TYPE_HMAC, 28, "sha224", 8, 64,
     false},
    {PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_SHA_384), PSA_KEY_TYPE_HMAC, 48, "sha384", 100, 97,
     false},
    {PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_SHA_512), PSA_KEY_TYPE_HMAC, 200, "sha512", 3, 129,
     false},
    {PSA_ALG_SP800_108_COUNTER_CMAC, PSA_KEY_TYPE_AES, 16, "PSA label", 49, 42, false},
    {PSA_ALG_SP800_108_COUNTER_CMAC, PSA_KEY_TYPE_AES, 24, "", 0, 16, false},
    {PSA_ALG_SP800_108_COUNTER_CMAC, PSA_KEY_TYPE_AES, 32, "aes256", 20, 333, false},
    {PSA_ALG_SP800_108_COUNTER_CMAC, PSA_KEY_TYPE_AES, 32, "default", 5, 42, true},
};

/* Deterministic test bytes. */
static void fill(uint8_t *buf, size_t length, unsigned seed)
{
    uint32_t x = 0x9e3779b9u * (seed + 1);
    for (size_t i = 0; i < length; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
}

static const char *sp800_digest_name(psa_algorithm_t hash)
{
    switch (hash) {
    case PSA_ALG_SHA_1:
        return "SHA1";
    case PSA_ALG_SHA_224:
        return "SHA2-224";
    case PSA_ALG_SHA_256:
        return "SHA2-256";
    case PSA_ALG_SHA_384:
        return "SHA2-384";
    case PSA_ALG_SHA_512:
        return "SHA2-512";
    default:
        return NULL;
    }
}

static const char *sp800_cipher_name(size_t key_length)
{
    return key_length == 16 ? "AES-128-CBC" : key_length == 24 ? "AES-192-CBC" : "AES-256-CBC";
}

/* K_0 = CMAC(key, label || 0x00 || context || [L]_4) with OpenSSL's EVP_MAC. */
static bool sp800_cmac_k0(const sp800_case_t *tc, const uint8_t *key, const uint8_t *trailer_in,
                          size_t trailer_in_length, uint8_t k0[16])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
                                         (char *)sp800_cipher_name(tc->key_length), 0),
        OSSL_PARAM_construct_end(),
    };
    size_t length = 0;
    bool ok = ctx != NULL && EVP_MAC_init(ctx, key, tc->key_length, params) == 1 &&
              EVP_MAC_update(ctx, trailer_in, trailer_in_length) == 1 &&
              EVP_MAC_final(ctx, k0, &length, 16) == 1 && length == 16;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok;
}

/* The expected stream from OpenSSL's KBKDF. */
static bool sp800_reference(const sp800_case_t *tc, const uint8_t *key, const uint8_t *context,
                            uint8_t *out)
{
    size_t label_length = strlen(tc->label);
    uint64_t bits = 8 * (uint64_t)(tc->default_capacity ? SP800_CAPACITY : tc->output_length);
    bool cmac = tc->alg == PSA_ALG_SP800_108_COUNTER_CMAC;
    /* OpenSSL's L is the length it derives: usable as is only for HMAC at capacity = length. */
    bool own_l = !cmac && !tc->default_capacity;
    uint8_t info[128 + 4 + 16];
    size_t info_length = tc->context_length;
    memcpy(info, context, tc->context_length);
    if (!own_l) {
        info[info_length++] = (uint8_t)(bits >> 24);
        info[info_length++] = (uint8_t)(bits >> 16);
        info[info_length++] = (uint8_t)(bits >> 8);
        info[info_length++] = (uint8_t)bits;
    }
    if (cmac) {
        uint8_t k0_in[64 + 1 + 128 + 4];
        memcpy(k0_in, tc->label, label_length);
        k0_in[label_length] = 0;
        memcpy(k0_in + label_length + 1, info, info_length);
        if (!sp800_cmac_k0(tc, key, k0_in, label_length + 1 + info_length, info + info_length)) {
            return false;
        }
        info_length += 16;
    }
    int use_l = own_l ? 1 : 0;
    OSSL_PARAM params[8];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, "COUNTER", 0);
    if (cmac) {
        params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, "CMAC", 0);
        params[n++] = OSSL_PARAM_construct_utf8_string(
            OSSL_KDF_PARAM_CIPHER, (char *)sp800_cipher_name(tc->key_length), 0);
    } else {
        params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, "HMAC", 0);
        params[n++] = OSSL_PARAM_construct_utf8_string(
            OSSL_KDF_PARAM_DIGEST, (char *)sp800_digest_name(PSA_ALG_GET_HASH(tc->alg)), 0);
    }
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, tc->key_length);
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)tc->label, label_length);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, info_length);
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_L, &use_l);
    params[n] = OSSL_PARAM_construct_end();
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "KBKDF", NULL);
    EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    bool ok = ctx != NULL && EVP_KDF_derive(ctx, out, tc->output_length, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

static void run_sp800_108(vf_tally_t *tally)
{
    for (size_t i = 0; i < sizeof(sp800_cases) / sizeof(sp800_cases[0]); i++) {
        const sp800_case_t *tc = &sp800_cases[i];
        uint8_t key[200], context[128], expected[1000], out[1000];
        fill(key, tc->key_length, (unsigned)(2 * i));
        fill(context, tc->context_length, (unsigned)(2 * i + 1));
        if (!sp800_reference(tc, key, context, expected)) {
            vf_fail(tally, NULL, "SP 800-108 case %zu: OpenSSL KBKDF failed", i);
            continue;
        }
        psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
        psa_set_key_type(&attr, tc->key_type);
        psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE);
        psa_set_key_algorithm(&attr, tc->alg);
        psa_key_id_t id = 0;
        psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
        psa_status_t status = psa_import_key(&attr, key, tc->key_length, &id);
        if (status == PSA_SUCCESS) {
            status = psa_key_derivation_setup(&op, tc->alg);
        }
        if (status == PSA_SUCCESS) {
            status = psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, id);
        }
        if (status == PSA_SUCCESS && tc->label[0] != '\0') {
            status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL,
                                                    (const uint8_t *)tc->label, strlen(tc->label));
        }
        if (status == PSA_SUCCESS && tc->context_length > 0) {
            status = psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_CONTEXT, context,
                                                    tc->context_length);
        }
        size_t capacity = 0;
        if (status == PSA_SUCCESS && !tc->default_capacity) {
            status = psa_key_derivation_set_capacity(&op, tc->output_length);
        }
        if (status == PSA_SUCCESS) {
            status = psa_key_derivation_get_capacity(&op, &capacity);
        }
        /* Read in two pieces, so that a stream resumed mid-block is checked too. */
        size_t first = tc->output_length / 3;
        if (status == PSA_SUCCESS) {
            status = psa_key_derivation_output_bytes(&op, out, first);
        }
        if (status == PSA_SUCCESS) {
            status = psa_key_derivation_output_bytes(&op, out + first, tc->output_length - first);
        }
        psa_key_derivation_abort(&op);
        psa_destroy_key(id);
        size_t want_capacity = tc->default_capacity ? SP800_CAPACITY : tc->output_length;
        if (status != PSA_SUCCESS || capacity != want_capacity ||
            memcmp(out, expected, tc->output_length) != 0) {
            vf_fail(tally, NULL, "SP 800-108 case %zu: status %d, capacity %zu, or output mismatch",
                    i, (int)status, capacity);
        } else {
            vf_pass(tally);
        }
    }
    printf("kat_kdf: SP 800-108 counter mode against OpenSSL KBKDF: %zu cases\n",
           sizeof(sp800_cases) / sizeof(sp800_cases[0]));
}

int main(void)
{
    if (mkdtemp(state_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    vf_tally_t tally = {0, 0};
    if (psa_crypto_init() != PSA_SUCCESS) {
        fprintf(stderr, "psa_crypto_init failed\n");
        return 1;
    }
    printf("kat_kdf: every record is run, including the 16777216-iteration PBKDF2 vector "
           "(rule: run when OpenSSL needs under 10 s; it needs about 3 s)\n");
    run_file("KDF/rfc-5869-HKDF-SHA1.txt", "OKM", PSA_ALG_NONE, &tally);
    run_file("KDF/rfc-5869-HKDF-SHA256.txt", "OKM", PSA_ALG_NONE, &tally);
    run_file("KDF/hkdf-generated.txt", "OKM", PSA_ALG_NONE, &tally);
    run_file("KDF/rfc-6070-PBKDF2-SHA1.txt", "DERIVED_KEY", PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_1),
             &tally);
    run_sp800_108(&tally);
    printf("kat_kdf: %lu passed, %lu failed\n", tally.passed, tally.failed);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", state_dir);
    }
    return tally.failed != 0 || tally.passed == 0 ? 1 : 0;
}
