/* SIGNATURE by psa_sign_hash: the application hashes, rssd signs with the key it holds. */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/params.h>

struct psa_prov_sig_ctx {
    struct psa_prov_ctx *prov;
    struct psa_prov_key *key;
    EVP_MD *md;           /* the digest, fetched in the private context; NULL until known */
    EVP_MD_CTX *mdctx;    /* the running hash of digest_sign */
    psa_algorithm_t hash; /* md as a PSA hash */
};

static void *psa_prov_sig_newctx(void *provctx, const char *propq)
{
    struct psa_prov_sig_ctx *ctx = calloc(1, sizeof(*ctx));
    (void)propq;
    if (ctx != NULL) {
        ctx->prov = provctx;
    }
    return ctx;
}

static void psa_prov_sig_freectx(void *vctx)
{
    struct psa_prov_sig_ctx *ctx = vctx;
    if (ctx == NULL) {
        return;
    }
    EVP_MD_CTX_free(ctx->mdctx);
    EVP_MD_free(ctx->md);
    free(ctx);
}

static void *psa_prov_sig_dupctx(void *vctx)
{
    struct psa_prov_sig_ctx *src = vctx;
    struct psa_prov_sig_ctx *dst = calloc(1, sizeof(*dst));
    if (dst == NULL) {
        return NULL;
    }
    *dst = *src;
    dst->md = NULL;
    dst->mdctx = NULL;
    if (src->md != NULL) {
        if (!EVP_MD_up_ref(src->md)) {
            free(dst);
            return NULL;
        }
        dst->md = src->md;
    }
    if (src->mdctx != NULL) {
        dst->mdctx = EVP_MD_CTX_new();
        if (dst->mdctx == NULL || !EVP_MD_CTX_copy_ex(dst->mdctx, src->mdctx)) {
            psa_prov_sig_freectx(dst);
            return NULL;
        }
    }
    return dst;
}

/* Fetches the digest by name in the private context; only hashes PSA has are accepted. */
static int psa_prov_sig_set_digest(struct psa_prov_sig_ctx *ctx, const char *mdname)
{
    EVP_MD *md = EVP_MD_fetch(ctx->prov->libctx, mdname, NULL);
    psa_algorithm_t hash = md != NULL ? psa_prov_hash_alg(md) : 0;
    if (hash == 0) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG, "digest %s", mdname);
        EVP_MD_free(md);
        return 0;
    }
    EVP_MD_free(ctx->md);
    ctx->md = md;
    ctx->hash = hash;
    return 1;
}

static int psa_prov_sig_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct psa_prov_sig_ctx *ctx = vctx;
    const OSSL_PARAM *p;
    char mdname[64];
    char *name = mdname;
    if (params == NULL) {
        return 1;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL) {
        if (!OSSL_PARAM_get_utf8_string(p, &name, sizeof(mdname)) ||
            !psa_prov_sig_set_digest(ctx, mdname)) {
            return 0;
        }
    }
    return 1;
}

static const OSSL_PARAM *psa_prov_sig_settable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)vctx;
    (void)provctx;
    return params;
}

/* The AlgorithmIdentifier of the signature, asked of OpenSSL's verifier for the same public key
 * and digest: the DER comes from libcrypto, not from us. */
static int psa_prov_sig_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct psa_prov_sig_ctx *ctx = vctx;
    OSSL_PARAM *p;
    EVP_PKEY_CTX *vfy;
    OSSL_PARAM set[2];
    int ok;
    if (ctx->key == NULL || ctx->md == NULL) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL && !OSSL_PARAM_set_utf8_string(p, EVP_MD_get0_name(ctx->md))) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
    if (p == NULL) {
        return 1;
    }
    vfy = EVP_PKEY_CTX_new_from_pkey(ctx->prov->libctx, ctx->key->pub, NULL);
    set[0] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST,
                                              (char *)EVP_MD_get0_name(ctx->md), 0);
    set[1] = OSSL_PARAM_construct_end();
    ok = vfy != NULL && EVP_PKEY_verify_init(vfy) > 0 && EVP_PKEY_CTX_set_params(vfy, set) &&
         EVP_PKEY_CTX_get_params(vfy, p) && OSSL_PARAM_modified(p);
    EVP_PKEY_CTX_free(vfy);
    return ok;
}

static const OSSL_PARAM *psa_prov_sig_gettable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)vctx;
    (void)provctx;
    return params;
}

static int psa_prov_sig_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    struct psa_prov_sig_ctx *ctx = vctx;
    struct psa_prov_key *key = provkey;
    if (key == NULL || key->id == 0 || !PSA_KEY_TYPE_IS_KEY_PAIR(key->type)) {
        psa_prov_error(ctx->prov, PSA_PROV_R_NOT_A_PRIVATE_KEY, "signing needs a key pair");
        return 0;
    }
    ctx->key = key;
    return psa_prov_sig_set_ctx_params(ctx, params);
}

/* The PSA hash of a digest that arrives without a name, by its length (SHA-2). */
static psa_algorithm_t psa_prov_hash_by_length(size_t len)
{
    switch (len) {
    case 20:
        return PSA_ALG_SHA_1;
    case 28:
        return PSA_ALG_SHA_224;
    case 32:
        return PSA_ALG_SHA_256;
    case 48:
        return PSA_ALG_SHA_384;
    case 64:
        return PSA_ALG_SHA_512;
    default:
        return 0;
    }
}

/* ECDSA: rssd signs r||s; OpenSSL wants the DER SEQUENCE, written by libcrypto. */
static int psa_prov_ecdsa_sign_hash(struct psa_prov_sig_ctx *ctx, unsigned char *sig,
                                    size_t *siglen, size_t sigsize, const unsigned char *tbs,
                                    size_t tbslen)
{
    struct psa_prov_key *key = ctx->key;
    size_t max = (size_t)EVP_PKEY_get_size(key->pub);
    psa_algorithm_t hash = ctx->md != NULL ? ctx->hash : psa_prov_hash_by_length(tbslen);
    psa_algorithm_t alg;
    uint8_t raw[PSA_SIGNATURE_MAX_SIZE];
    size_t raw_len = 0;
    ECDSA_SIG *esig = NULL;
    BIGNUM *r = NULL, *s = NULL;
    unsigned char *out;
    int der_len;
    psa_status_t status;
    if (sig == NULL) {
        *siglen = max;
        return 1;
    }
    if (hash == 0) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG, "a %zu-byte digest", tbslen);
        return 0;
    }
    alg = PSA_ALG_IS_DETERMINISTIC_ECDSA(key->alg) ? PSA_ALG_DETERMINISTIC_ECDSA(hash)
                                                   : PSA_ALG_ECDSA(hash);
    status = psa_sign_hash(key->id, alg, tbs, tbslen, raw, sizeof(raw), &raw_len);
    if (status != PSA_SUCCESS) {
        psa_prov_psa_error(ctx->prov, "psa_sign_hash", status);
        return 0;
    }
    if (raw_len == 0 || raw_len % 2 != 0) {
        psa_prov_error(ctx->prov, PSA_PROV_R_PSA_CALL_FAILED, "ECDSA signature of %zu bytes",
                       raw_len);
        return 0;
    }
    esig = ECDSA_SIG_new();
    r = BN_bin2bn(raw, (int)(raw_len / 2), NULL);
    s = BN_bin2bn(raw + raw_len / 2, (int)(raw_len / 2), NULL);
    if (esig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(esig, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(esig);
        psa_prov_error(ctx->prov, PSA_PROV_R_OPENSSL_FAILED, "ECDSA signature");
        return 0;
    }
    der_len = i2d_ECDSA_SIG(esig, NULL);
    if (der_len <= 0 || (size_t)der_len > sigsize) {
        ECDSA_SIG_free(esig);
        psa_prov_error(ctx->prov, PSA_PROV_R_OPENSSL_FAILED, "signature buffer of %zu bytes",
                       sigsize);
        return 0;
    }
    out = sig;
    der_len = i2d_ECDSA_SIG(esig, &out);
    ECDSA_SIG_free(esig);
    *siglen = (size_t)der_len;
    return 1;
}

static int psa_prov_sig_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                             const unsigned char *tbs, size_t tbslen)
{
    return psa_prov_ecdsa_sign_hash(vctx, sig, siglen, sigsize, tbs, tbslen);
}

static int psa_prov_sig_digest_sign_init(void *vctx, const char *mdname, void *provkey,
                                         const OSSL_PARAM params[])
{
    struct psa_prov_sig_ctx *ctx = vctx;
    if (!psa_prov_sig_init(ctx, provkey, params) ||
        !psa_prov_sig_set_digest(ctx, mdname != NULL ? mdname : "SHA2-256")) {
        return 0;
    }
    if (ctx->mdctx == NULL) {
        ctx->mdctx = EVP_MD_CTX_new();
    }
    return ctx->mdctx != NULL && EVP_DigestInit_ex2(ctx->mdctx, ctx->md, NULL);
}

static int psa_prov_sig_digest_sign_update(void *vctx, const unsigned char *data, size_t datalen)
{
    struct psa_prov_sig_ctx *ctx = vctx;
    return ctx->mdctx != NULL && EVP_DigestUpdate(ctx->mdctx, data, datalen);
}

static int psa_prov_sig_digest_sign_final(void *vctx, unsigned char *sig, size_t *siglen,
                                          size_t sigsize)
{
    struct psa_prov_sig_ctx *ctx = vctx;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (ctx->mdctx == NULL) {
        return 0;
    }
    if (sig == NULL) {
        return psa_prov_ecdsa_sign_hash(ctx, NULL, siglen, sigsize, NULL, 0);
    }
    if (!EVP_DigestFinal_ex(ctx->mdctx, digest, &digest_len)) {
        return 0;
    }
    return psa_prov_ecdsa_sign_hash(ctx, sig, siglen, sigsize, digest, digest_len);
}

const OSSL_DISPATCH psa_prov_ecdsa_signature_functions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))psa_prov_sig_newctx},
    {OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))psa_prov_sig_freectx},
    {OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))psa_prov_sig_dupctx},
    {OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))psa_prov_sig_init},
    {OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))psa_prov_sig_sign},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, (void (*)(void))psa_prov_sig_digest_sign_init},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, (void (*)(void))psa_prov_sig_digest_sign_update},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, (void (*)(void))psa_prov_sig_digest_sign_final},
    {OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, (void (*)(void))psa_prov_sig_get_ctx_params},
    {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, (void (*)(void))psa_prov_sig_gettable_ctx_params},
    {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, (void (*)(void))psa_prov_sig_set_ctx_params},
    {OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, (void (*)(void))psa_prov_sig_settable_ctx_params},
    {0, NULL},
};
