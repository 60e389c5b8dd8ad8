/* EdDSA (Ed25519, Ed448) signatures on OpenSSL's one-shot EVP_DigestSign / EVP_DigestVerify. */
#include "asym_internal.h"

#include <openssl/err.h>

/*
 * Pure EdDSA only: OpenSSL 3.0 does not expose the prehash instances (Ed25519ph, Ed448ph arrive
 * with 3.2's "instance" parameter), so the HashEdDSA algorithms answer NOT_SUPPORTED before
 * reaching this file. A digest context set up once per key serves every one-shot call.
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
