/* RSA signatures (PKCS#1 v1.5, PSS) and encryption (PKCS#1 v1.5, OAEP) on OpenSSL EVP_PKEY. */
#include "asym_internal.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

/* PSS salt length for signing and standard-salt verification: the hash length, or the largest
 * salt the modulus leaves room for when that is smaller (the specification's rule). */
static int rsa_pss_salt_length(size_t bits, size_t hash_length)
{
    size_t em_length = (bits - 1 + 7) / 8;
    if (em_length < hash_length + 2) {
        return -1;
    }
    size_t room = em_length - hash_length - 2;
    return (int)(room < hash_length ? room : hash_length);
}

size_t rsa_max_plaintext(psa_algorithm_t alg, size_t bits)
{
    size_t k = PSA_BITS_TO_BYTES(bits);
    if (alg == PSA_ALG_RSA_PKCS1V15_CRYPT) {
        return k >= 11 ? k - 11 : 0;
    }
    size_t h = PSA_HASH_LENGTH(PSA_ALG_GET_HASH(alg));
    return k >= 2 * h + 2 ? k - 2 * h - 2 : 0;
}

/* Sets up a context for `dir` and `alg`, or takes the one parked on the key. */
static psa_status_t rsa_context(core_key_t *key, uint32_t dir, psa_algorithm_t alg,
                                EVP_PKEY_CTX **out)
{
    uint32_t kind = ASYM_CACHE_KIND(dir, alg);
    EVP_PKEY_CTX *ctx = core_key_cache_take(key, kind);
    if (ctx != NULL) {
        *out = ctx;
        return PSA_SUCCESS;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, asym_pkey(key), NULL);
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    int ok = 0;
    switch (dir) {
    case ASYM_CACHE_SIGN:
        ok = EVP_PKEY_sign_init(ctx);
        break;
    case ASYM_CACHE_VERIFY:
        ok = EVP_PKEY_verify_init(ctx);
        break;
    case ASYM_CACHE_ENCRYPT:
        ok = EVP_PKEY_encrypt_init(ctx);
        break;
    default:
        ok = EVP_PKEY_decrypt_init(ctx);
        break;
    }
    psa_algorithm_t hash = PSA_ALG_GET_HASH(alg);
    const EVP_MD *md = hash != PSA_ALG_NONE ? core_hash_md(hash) : NULL;
    psa_status_t status = ok == 1 ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
    if (status == PSA_SUCCESS && hash != PSA_ALG_NONE && md == NULL) {
        status = PSA_ERROR_NOT_SUPPORTED;
    }
    if (status == PSA_SUCCESS) {
        if (PSA_ALG_IS_RSA_PKCS1V15_SIGN(alg)) {
            ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
                 (md == NULL || EVP_PKEY_CTX_set_signature_md(ctx, md) == 1);
        } else if (PSA_ALG_IS_RSA_PSS(alg)) {
            int salt = rsa_pss_salt_length(key->attr.bits, (size_t)EVP_MD_get_size(md));
            if (dir == ASYM_CACHE_VERIFY && PSA_ALG_IS_RSA_PSS_ANY_SALT(alg)) {
                salt = RSA_PSS_SALTLEN_AUTO;
            }
            ok = salt != -1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                 EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
                 EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1 &&
                 EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt) == 1;
        } else if (alg == PSA_ALG_RSA_PKCS1V15_CRYPT) {
            ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
        } else {
            ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
                 EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 &&
                 EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
        }
        if (!ok) {
            status = PSA_ERROR_NOT_SUPPORTED;
        }
    }
    if (status != PSA_SUCCESS) {
        EVP_PKEY_CTX_free(ctx);
        ERR_clear_error();
        return status;
    }
    *out = ctx;
    return PSA_SUCCESS;
}

static void rsa_context_done(core_key_t *key, uint32_t dir, psa_algorithm_t alg, EVP_PKEY_CTX *ctx,
                             bool reusable)
{
    if (reusable) {
        core_key_cache_give(key, ASYM_CACHE_KIND(dir, alg), ctx, asym_free_pkey_ctx);
    } else {
        EVP_PKEY_CTX_free(ctx);
        ERR_clear_error();
    }
}

psa_status_t rsa_sign_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                           size_t hash_length, uint8_t *signature, size_t *signature_length)
{
    EVP_PKEY_CTX *ctx = NULL;
    psa_status_t status = rsa_context(key, ASYM_CACHE_SIGN, alg, &ctx);
    if (status != PSA_SUCCESS) {
        return status;
    }
    size_t length = PSA_BITS_TO_BYTES(key->attr.bits);
    bool ok = EVP_PKEY_sign(ctx, signature, &length, hash, hash_length) == 1;
    rsa_context_done(key, ASYM_CACHE_SIGN, alg, ctx, ok);
    if (!ok) {
        return PSA_ERROR_GENERIC_ERROR;
    }
    *signature_length = length;
    return PSA_SUCCESS;
}

psa_status_t rsa_verify_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                             size_t hash_length, const uint8_t *signature, size_t signature_length)
{
    if (signature_length != PSA_BITS_TO_BYTES(key->attr.bits)) {
        return PSA_ERROR_INVALID_SIGNATURE;
    }
    EVP_PKEY_CTX *ctx = NULL;
    psa_status_t status = rsa_context(key, ASYM_CACHE_VERIFY, alg, &ctx);
    if (status != PSA_SUCCESS) {
        return status;
    }
    int result = EVP_PKEY_verify(ctx, signature, signature_length, hash, hash_length);
    /* A failed verification leaves the context reusable; errors are only on OpenSSL's queue. */
    rsa_context_done(key, ASYM_CACHE_VERIFY, alg, ctx, result >= 0);
    ERR_clear_error();
    return result == 1 ? PSA_SUCCESS : PSA_ERROR_INVALID_SIGNATURE;
}

/* OAEP takes the label per call; OpenSSL copies it. */
static bool rsa_set_label(EVP_PKEY_CTX *ctx, psa_algorithm_t alg, const uint8_t *label,
                          size_t label_length)
{
    if (!PSA_ALG_IS_RSA_OAEP(alg)) {
        return true;
    }
    static const uint8_t empty[1];
    OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
                                                             (void *)(label_length ? label : empty),
                                                             label_length),
                           OSSL_PARAM_construct_end()};
    return EVP_PKEY_CTX_set_params(ctx, params) == 1;
}

psa_status_t rsa_encrypt(core_key_t *key, psa_algorithm_t alg, const uint8_t *input,
                         size_t input_length, const uint8_t *label, size_t label_length,
                         uint8_t *output, size_t output_size, size_t *output_length)
{
    (void)output_size;
    EVP_PKEY_CTX *ctx = NULL;
    psa_status_t status = rsa_context(key, ASYM_CACHE_ENCRYPT, alg, &ctx);
    if (status != PSA_SUCCESS) {
        return status;
    }
    size_t length = PSA_BITS_TO_BYTES(key->attr.bits);
    bool ok = rsa_set_label(ctx, alg, label, label_length) &&
              EVP_PKEY_encrypt(ctx, output, &length, input, input_length) == 1;
    rsa_context_done(key, ASYM_CACHE_ENCRYPT, alg, ctx, ok);
    if (!ok) {
        return PSA_ERROR_GENERIC_ERROR;
    }
    *output_length = length;
    return PSA_SUCCESS;
}

psa_status_t rsa_decrypt(core_key_t *key, psa_algorithm_t alg, const uint8_t *input,
                         size_t input_length, const uint8_t *label, size_t label_length,
                         uint8_t *output, size_t output_size, size_t *output_length)
{
    size_t k = PSA_BITS_TO_BYTES(key->attr.bits);
    if (input_length != k) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    EVP_PKEY_CTX *ctx = NULL;
    psa_status_t status = rsa_context(key, ASYM_CACHE_DECRYPT, alg, &ctx);
    if (status != PSA_SUCCESS) {
        return status;
    }
    /* OpenSSL wants room for a whole block; the plaintext is copied out once its length is
     * known, so a caller's buffer only needs to hold the plaintext. */
    uint8_t *plain = OPENSSL_secure_malloc(k);
    if (plain == NULL) {
        EVP_PKEY_CTX_free(ctx);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    size_t length = k;
    bool labelled = rsa_set_label(ctx, alg, label, label_length);
    int ok = labelled ? EVP_PKEY_decrypt(ctx, plain, &length, input, input_length) : -1;
    rsa_context_done(key, ASYM_CACHE_DECRYPT, alg, ctx, labelled);
    ERR_clear_error();
    if (ok != 1) {
        status = labelled ? PSA_ERROR_INVALID_PADDING : PSA_ERROR_INSUFFICIENT_MEMORY;
    } else if (length > output_size) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    } else {
        memcpy(output, plain, length);
        *output_length = length;
    }
    OPENSSL_secure_clear_free(plain, k);
    return status;
}
