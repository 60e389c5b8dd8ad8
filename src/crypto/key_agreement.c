/* Raw key agreement: ECDH on Weierstrass and Montgomery curves, FFDH in the RFC 7919 groups. */
#include "asym_internal.h"

#include <openssl/dh.h>
#include <openssl/err.h>

#include <openssl/core_names.h>

#define ASYM_CACHE_DERIVE       0x50000000u
#define ASYM_CACHE_PEER_BUILDER 0x60000000u

size_t asym_agreement_length(psa_key_type_t type, size_t bits)
{
    if (PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type)) {
        const asym_curve_t *curve = asym_curve_find(PSA_KEY_TYPE_ECC_GET_FAMILY(type), bits);
        return curve != NULL ? curve->secret_length : 0;
    }
    if (PSA_KEY_TYPE_IS_DH_KEY_PAIR(type)) {
        return PSA_BITS_TO_BYTES(bits);
    }
    return 0;
}

/* A derive context on the key's pair, parked on the key between calls; the peer changes per
 * call. FFDH output keeps its leading zeros (the specification's fixed-length secret). */
static EVP_PKEY_CTX *agree_context(core_key_t *key)
{
    EVP_PKEY_CTX *ctx = core_key_cache_take(key, ASYM_CACHE_DERIVE);
    if (ctx != NULL) {
        return ctx;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, asym_pkey(key), NULL);
    if (ctx == NULL || EVP_PKEY_derive_init(ctx) != 1 ||
        (PSA_KEY_TYPE_IS_DH(key->attr.type) && EVP_PKEY_CTX_set_dh_pad(ctx, 1) != 1)) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/*
 * A Montgomery peer is any string of the right length, so it needs no validation, only an
 * EVP_PKEY. Building one by name fetches OpenSSL's key manager on every call; a fromdata context
 * parked on the key skips that, which is most of the per-call cost around an X25519 derive.
 */
static psa_status_t agree_montgomery_peer(core_key_t *key, const uint8_t *data, size_t length,
                                          EVP_PKEY **peer)
{
    if (length != asym_public_key_length(PSA_KEY_TYPE_PUBLIC_KEY_OF_KEY_PAIR(key->attr.type),
                                         key->attr.bits)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    EVP_PKEY_CTX *ctx = core_key_cache_take(key, ASYM_CACHE_PEER_BUILDER);
    if (ctx == NULL) {
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, asym_pkey(key), NULL);
        if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1) {
            EVP_PKEY_CTX_free(ctx);
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)data, length),
        OSSL_PARAM_construct_end()};
    *peer = NULL;
    int ok = EVP_PKEY_fromdata(ctx, peer, EVP_PKEY_PUBLIC_KEY, params);
    core_key_cache_give(key, ASYM_CACHE_PEER_BUILDER, ctx, asym_free_pkey_ctx);
    return ok == 1 ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
}

psa_status_t asym_agree(core_key_t *key, const uint8_t *peer_key, size_t peer_key_length,
                        uint8_t *output, size_t output_size, size_t *output_length)
{
    size_t length = asym_agreement_length(key->attr.type, key->attr.bits);
    if (length == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    EVP_PKEY *peer = NULL;
    psa_status_t status =
        PSA_KEY_TYPE_ECC_GET_FAMILY(key->attr.type) == PSA_ECC_FAMILY_MONTGOMERY
            ? agree_montgomery_peer(key, peer_key, peer_key_length, &peer)
            : asym_peer_key_load(key->attr.type, key->attr.bits, peer_key, peer_key_length, &peer);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (output_size < length) {
        EVP_PKEY_free(peer);
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    EVP_PKEY_CTX *ctx = agree_context(key);
    if (ctx == NULL) {
        EVP_PKEY_free(peer);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    size_t got = length;
    /* The peer was validated when parsed, so OpenSSL's own public-key check is skipped. */
    if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else if (EVP_PKEY_derive(ctx, output, &got) != 1 || got != length) {
        /* X25519/X448 refuse an all-zero result (a small-order peer point); FFDH refuses a
         * peer value out of range: both are the peer's fault. */
        status = PSA_ERROR_INVALID_ARGUMENT;
        OPENSSL_cleanse(output, length);
    }
    EVP_PKEY_free(peer);
    if (status == PSA_SUCCESS) {
        core_key_cache_give(key, ASYM_CACHE_DERIVE, ctx, asym_free_pkey_ctx);
        *output_length = length;
    } else {
        EVP_PKEY_CTX_free(ctx);
        ERR_clear_error();
    }
    return status;
}
