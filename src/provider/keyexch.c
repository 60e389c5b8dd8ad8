/* KEYEXCH for keys in rssd: ECDH (SECP R1) and X25519/X448 by psa_raw_key_agreement. */
#include "provider.h"

#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

struct psa_prov_exch_ctx {
    struct psa_prov_ctx *prov;
    struct psa_prov_key *key;
    struct psa_prov_key *peer;
};

static void *psa_prov_exch_newctx(void *provctx)
{
    struct psa_prov_exch_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx != NULL) {
        ctx->prov = provctx;
    }
    return ctx;
}

static void psa_prov_exch_freectx(void *vctx)
{
    free(vctx);
}

static void *psa_prov_exch_dupctx(void *vctx)
{
    struct psa_prov_exch_ctx *dst = malloc(sizeof(*dst));
    if (dst != NULL) {
        *dst = *(struct psa_prov_exch_ctx *)vctx;
    }
    return dst;
}

static int psa_prov_exch_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    struct psa_prov_exch_ctx *ctx = vctx;
    struct psa_prov_key *key = provkey;
    (void)params;
    if (key == NULL || key->id == 0 || !PSA_KEY_TYPE_IS_KEY_PAIR(key->type)) {
        psa_prov_error(ctx->prov, PSA_PROV_R_NOT_A_PRIVATE_KEY, "key agreement needs a key pair");
        return 0;
    }
    ctx->key = key;
    return 1;
}

/* The peer arrives as a key of this provider (OpenSSL exports its public half to us). */
static int psa_prov_exch_set_peer(void *vctx, void *provkey)
{
    struct psa_prov_exch_ctx *ctx = vctx;
    struct psa_prov_key *peer = provkey;
    if (peer == NULL || peer->pub == NULL) {
        return 0;
    }
    ctx->peer = peer;
    return 1;
}

static int psa_prov_exch_derive(void *vctx, unsigned char *secret, size_t *secretlen, size_t outlen)
{
    struct psa_prov_exch_ctx *ctx = vctx;
    uint8_t peer[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
    size_t peer_len = 0;
    int got;
    psa_status_t status;
    if (ctx->key == NULL || ctx->peer == NULL) {
        return 0;
    }
    if (secret == NULL) {
        *secretlen = PSA_RAW_KEY_AGREEMENT_OUTPUT_SIZE(ctx->key->type, ctx->key->bits);
        return 1;
    }
    /* PSA takes the peer's key as it exports its own: the uncompressed point for the SECP R1
     * curves, the raw key for X25519 and X448. */
    if (PSA_KEY_TYPE_ECC_GET_FAMILY(ctx->key->type) == PSA_ECC_FAMILY_SECP_R1) {
        got = EVP_PKEY_get_octet_string_param(ctx->peer->pub, OSSL_PKEY_PARAM_PUB_KEY, peer,
                                              sizeof(peer), &peer_len);
    } else {
        peer_len = sizeof(peer);
        got = EVP_PKEY_get_raw_public_key(ctx->peer->pub, peer, &peer_len);
    }
    if (!got) {
        psa_prov_error(ctx->prov, PSA_PROV_R_OPENSSL_FAILED, "the peer's public key");
        return 0;
    }
    status = psa_raw_key_agreement(PSA_ALG_ECDH, ctx->key->id, peer, peer_len, secret, outlen,
                                   secretlen);
    if (status != PSA_SUCCESS) {
        psa_prov_psa_error(ctx->prov, "psa_raw_key_agreement", status);
        return 0;
    }
    return 1;
}

static int psa_prov_exch_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    (void)vctx;
    (void)params;
    return 1;
}

static const OSSL_PARAM *psa_prov_exch_settable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {OSSL_PARAM_END};
    (void)vctx;
    (void)provctx;
    return params;
}

const OSSL_DISPATCH psa_prov_ecdh_keyexch_functions[] = {
    {OSSL_FUNC_KEYEXCH_NEWCTX, (void (*)(void))psa_prov_exch_newctx},
    {OSSL_FUNC_KEYEXCH_FREECTX, (void (*)(void))psa_prov_exch_freectx},
    {OSSL_FUNC_KEYEXCH_DUPCTX, (void (*)(void))psa_prov_exch_dupctx},
    {OSSL_FUNC_KEYEXCH_INIT, (void (*)(void))psa_prov_exch_init},
    {OSSL_FUNC_KEYEXCH_SET_PEER, (void (*)(void))psa_prov_exch_set_peer},
    {OSSL_FUNC_KEYEXCH_DERIVE, (void (*)(void))psa_prov_exch_derive},
    {OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS, (void (*)(void))psa_prov_exch_set_ctx_params},
    {OSSL_FUNC_KEYEXCH_SETTABLE_CTX_PARAMS, (void (*)(void))psa_prov_exch_settable_ctx_params},
    {0, NULL},
};
