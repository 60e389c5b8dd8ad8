/* EdDSA signatures: pure Ed25519/Ed448 on OpenSSL's EVP_DigestSign / EVP_DigestVerify, and the
 * prehash instances Ed25519ph/Ed448ph on edwards.c. */
#include "asym_internal.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "edwards.h"

/*
 * Pure EdDSA: a digest context set up once per key serves every one-shot call. The prehash
 * instances are not in OpenSSL 3.0 (3.2 adds an "instance" parameter), so they run on edwards.c,
 * with the seed from the key's material and A from OpenSSL's public key.
 */
static EVP_MD_CTX *eddsa_context(core_key_t *key, uint32_t dir)
{
    EVP_MD_CTX *ctx = core_key_cache_take(key, ASYM_CACHE_KIND(dir, PSA_ALG_PURE_EDDSA));
    if (ctx != NULL) {
        return ctx;
    }
    ctx = EVP_MD_CTX_new();
    int ok =
        ctx != NULL &&
        (dir == ASYM_CACHE_SIGN
             ? EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, asym_pkey(key), NULL)
             : EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, asym_pkey(key), NULL)) == 1;
    if (!ok) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

psa_status_t eddsa_sign(core_key_t *key, psa_algorithm_t alg, const uint8_t *input,
                        size_t input_length, uint8_t *signature, size_t *signature_length)
{
    if (alg != PSA_ALG_PURE_EDDSA) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    EVP_MD_CTX *ctx = eddsa_context(key, ASYM_CACHE_SIGN);
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    size_t length = PSA_SIGN_OUTPUT_SIZE(key->attr.type, key->attr.bits, alg);
    bool ok = EVP_DigestSign(ctx, signature, &length, input, input_length) == 1;
    if (ok) {
        core_key_cache_give(key, ASYM_CACHE_KIND(ASYM_CACHE_SIGN, PSA_ALG_PURE_EDDSA), ctx,
                            asym_free_md_ctx);
        *signature_length = length;
        return PSA_SUCCESS;
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return PSA_ERROR_GENERIC_ERROR;
}

psa_status_t eddsa_verify(core_key_t *key, psa_algorithm_t alg, const uint8_t *input,
                          size_t input_length, const uint8_t *signature, size_t signature_length)
{
    if (alg != PSA_ALG_PURE_EDDSA) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (signature_length != PSA_SIGN_OUTPUT_SIZE(key->attr.type, key->attr.bits, alg)) {
        return PSA_ERROR_INVALID_SIGNATURE;
    }
    EVP_MD_CTX *ctx = eddsa_context(key, ASYM_CACHE_VERIFY);
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    int result = EVP_DigestVerify(ctx, signature, signature_length, input, input_length);
    if (result >= 0) {
        core_key_cache_give(key, ASYM_CACHE_KIND(ASYM_CACHE_VERIFY, PSA_ALG_PURE_EDDSA), ctx,
                            asym_free_md_ctx);
    } else {
        EVP_MD_CTX_free(ctx);
    }
    ERR_clear_error();
    return result == 1 ? PSA_SUCCESS : PSA_ERROR_INVALID_SIGNATURE;
}

/* ---- HashEdDSA ------------------------------------------------------------------------------ */

static edwards_curve_id_t eddsa_ph_curve(const core_key_t *key)
{
    return key->attr.bits == 255 ? EDWARDS_25519 : EDWARDS_448;
}

/* Whether `alg` is the HashEdDSA of the key's curve. */
static bool eddsa_ph_alg_matches(const core_key_t *key, psa_algorithm_t alg)
{
    return (alg == PSA_ALG_ED25519PH && key->attr.bits == 255) ||
           (alg == PSA_ALG_ED448PH && key->attr.bits == 448);
}

/* The encoding of the key's A, as OpenSSL holds it (for a pair, computed from the seed). */
static psa_status_t eddsa_ph_public(const core_key_t *key, uint8_t *public_key, size_t length)
{
    size_t n = length;
    if (EVP_PKEY_get_raw_public_key(asym_pkey(key), public_key, &n) != 1 || n != length) {
        ERR_clear_error();
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    return PSA_SUCCESS;
}

psa_status_t eddsa_ph_sign_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                                size_t hash_length, uint8_t *signature, size_t *signature_length)
{
    /* asymmetric.c admits only these two algorithms with 64 bytes of PH(M); checked again here
     * because edwards_ph_sign reads exactly 64 bytes. */
    if (hash_length != 64 || !eddsa_ph_alg_matches(key, alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    edwards_curve_id_t id = eddsa_ph_curve(key);
    size_t n = edwards_encoding_length(id);
    uint8_t public_key[57];
    if (key->material_length != n) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    psa_status_t status = eddsa_ph_public(key, public_key, n);
    if (status == PSA_SUCCESS) {
        status = edwards_ph_sign(id, key->material, public_key, hash, signature);
    }
    if (status == PSA_SUCCESS) {
        *signature_length = 2 * n;
    }
    return status;
}

psa_status_t eddsa_ph_verify_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                                  size_t hash_length, const uint8_t *signature,
                                  size_t signature_length)
{
    if (hash_length != 64 || !eddsa_ph_alg_matches(key, alg)) {
        return PSA_ERROR_INVALID_ARGUMENT; /* edwards_ph_verify reads exactly 64 bytes */
    }
    edwards_curve_id_t id = eddsa_ph_curve(key);
    size_t n = edwards_encoding_length(id);
    uint8_t public_key[57];
    if (signature_length != 2 * n) {
        return PSA_ERROR_INVALID_SIGNATURE;
    }
    psa_status_t status = eddsa_ph_public(key, public_key, n);
    if (status == PSA_SUCCESS) {
        status = edwards_ph_verify(id, public_key, hash, signature);
    }
    return status;
}
