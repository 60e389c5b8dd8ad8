/* SIGNATURE by rssd: ECDSA and RSA through psa_sign_hash (the application hashes), EdDSA through
 * psa_sign_message. */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

enum psa_prov_sig_kind { PSA_PROV_SIG_ECDSA, PSA_PROV_SIG_RSA, PSA_PROV_SIG_EDDSA };

struct psa_prov_sig_ctx {
    struct psa_prov_ctx *prov;
    enum psa_prov_sig_kind kind;
    struct psa_prov_key *key;
    EVP_MD *md;           /* the digest, fetched in the private context; NULL until known */
    EVP_MD_CTX *mdctx;    /* the running hash of digest_sign */
    psa_algorithm_t hash; /* md as a PSA hash */
    /* RSA only */
    int pad;              /* RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING */
    int saltlen;          /* as OpenSSL asked: RSA_PSS_SALTLEN_* or a length */
    psa_algorithm_t mgf1; /* the MGF1 hash OpenSSL asked for; 0 for the digest's */
    char mgf1_name[32];   /* its name, for the AlgorithmIdentifier */
};

static void *psa_prov_sig_newctx(struct psa_prov_ctx *prov, enum psa_prov_sig_kind kind)
{
    struct psa_prov_sig_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx != NULL) {
        ctx->prov = prov;
        ctx->kind = kind;
        ctx->pad = RSA_PKCS1_PADDING;
        ctx->saltlen = RSA_PSS_SALTLEN_AUTO;
    }
    return ctx;
}

static void *psa_prov_ecdsa_newctx(void *provctx, const char *propq)
{
    (void)propq;
    return psa_prov_sig_newctx(provctx, PSA_PROV_SIG_ECDSA);
}

static void *psa_prov_rsa_newctx(void *provctx, const char *propq)
{
    (void)propq;
    return psa_prov_sig_newctx(provctx, PSA_PROV_SIG_RSA);
}

static void *psa_prov_eddsa_newctx(void *provctx, const char *propq)
{
    (void)propq;
    return psa_prov_sig_newctx(provctx, PSA_PROV_SIG_EDDSA);
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

/* Fetches a digest by name in the private context; only hashes PSA has are accepted. */
static EVP_MD *psa_prov_sig_fetch_md(struct psa_prov_sig_ctx *ctx, const char *mdname,
                                     psa_algorithm_t *hash)
{
    EVP_MD *md = EVP_MD_fetch(ctx->prov->libctx, mdname, NULL);
    *hash = md != NULL ? psa_prov_hash_alg(md) : 0;
    if (*hash == 0) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG, "digest %s", mdname);
        EVP_MD_free(md);
        return NULL;
    }
    return md;
}

static int psa_prov_sig_set_digest(struct psa_prov_sig_ctx *ctx, const char *mdname)
{
    psa_algorithm_t hash;
    EVP_MD *md;
    if (ctx->kind == PSA_PROV_SIG_EDDSA) {
        /* PureEdDSA hashes inside the signature: no digest may be named. */
        if (mdname != NULL && mdname[0] != '\0') {
            psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG, "EdDSA with digest %s", mdname);
            return 0;
        }
        return 1;
    }
    md = psa_prov_sig_fetch_md(ctx, mdname, &hash);
    if (md == NULL) {
        return 0;
    }
    EVP_MD_free(ctx->md);
    ctx->md = md;
    ctx->hash = hash;
    return 1;
}

/* OpenSSL passes the padding mode as a number or as its name. */
static int psa_prov_sig_get_pad(const OSSL_PARAM *p, int *pad)
{
    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        const char *s = p->data;
        if (s == NULL) {
            return 0;
        }
        if (strcmp(s, OSSL_PKEY_RSA_PAD_MODE_PKCSV15) == 0) {
            *pad = RSA_PKCS1_PADDING;
        } else if (strcmp(s, OSSL_PKEY_RSA_PAD_MODE_PSS) == 0) {
            *pad = RSA_PKCS1_PSS_PADDING;
        } else {
            return 0;
        }
        return 1;
    }
    return OSSL_PARAM_get_int(p, pad) &&
           (*pad == RSA_PKCS1_PADDING || *pad == RSA_PKCS1_PSS_PADDING);
}

/* The PSS salt length as a number, or one of "digest", "max", "auto", or a decimal length. */
static int psa_prov_sig_get_saltlen(const OSSL_PARAM *p, int *saltlen)
{
    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        const char *s = p->data;
        char *end = NULL;
        long v;
        if (s == NULL) {
            return 0;
        }
        if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST) == 0) {
            *saltlen = RSA_PSS_SALTLEN_DIGEST;
        } else if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_MAX) == 0) {
            *saltlen = RSA_PSS_SALTLEN_MAX;
        } else if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO) == 0) {
            *saltlen = RSA_PSS_SALTLEN_AUTO;
        } else {
            v = strtol(s, &end, 10);
            if (end == s || *end != '\0' || v < 0 || v > 65535) {
                return 0;
            }
            *saltlen = (int)v;
        }
        return 1;
    }
    return OSSL_PARAM_get_int(p, saltlen) && *saltlen >= RSA_PSS_SALTLEN_MAX;
}

static int psa_prov_sig_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct psa_prov_sig_ctx *ctx = vctx;
    const OSSL_PARAM *p;
    char name[64];
    char *namep = name;
    if (params == NULL) {
        return 1;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL && (!OSSL_PARAM_get_utf8_string(p, &namep, sizeof(name)) ||
                      !psa_prov_sig_set_digest(ctx, name))) {
        return 0;
    }
    if (ctx->kind != PSA_PROV_SIG_RSA) {
        return 1;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL && !psa_prov_sig_get_pad(p, &ctx->pad)) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG,
                       "RSA padding: PKCS#1 v1.5 and PSS only");
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
    if (p != NULL && !psa_prov_sig_get_saltlen(p, &ctx->saltlen)) {
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
    if (p != NULL) {
        EVP_MD *mgf1;
        if (!OSSL_PARAM_get_utf8_string(p, &namep, sizeof(name))) {
            return 0;
        }
        mgf1 = psa_prov_sig_fetch_md(ctx, name, &ctx->mgf1);
        if (mgf1 == NULL) {
            return 0;
        }
        snprintf(ctx->mgf1_name, sizeof(ctx->mgf1_name), "%s", EVP_MD_get0_name(mgf1));
        EVP_MD_free(mgf1);
    }
    return 1;
}

static const OSSL_PARAM *psa_prov_sig_settable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        /* Named as strings, so that "-sigopt rsa_padding_mode:pss" converts; numbers are
         * accepted as well (EVP_PKEY_CTX_set_rsa_padding). */
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)vctx;
    (void)provctx;
    return params;
}

/* PSA signs PSS with a salt as long as the hash and MGF1 over the same hash. OpenSSL's "digest"
 * and "auto" (any length will do), or the hash's length, fit; "max" and other lengths do not. */
static int psa_prov_sig_pss_check(struct psa_prov_sig_ctx *ctx)
{
    int hlen = EVP_MD_get_size(ctx->md);
    if (ctx->saltlen != RSA_PSS_SALTLEN_DIGEST && ctx->saltlen != RSA_PSS_SALTLEN_AUTO &&
        ctx->saltlen != hlen) {
        char asked[16];
        snprintf(asked, sizeof(asked), "%d", ctx->saltlen);
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG,
                       "PSS salt length %s: PSA signs with a salt as long as the hash (%d bytes; "
                       "use rsa_pss_saltlen:digest)",
                       ctx->saltlen == RSA_PSS_SALTLEN_MAX ? "max" : asked, hlen);
        return 0;
    }
    if (ctx->mgf1 != 0 && ctx->mgf1 != ctx->hash) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG,
                       "PSS with MGF1 over %s: PSA uses the signature's own hash", ctx->mgf1_name);
        return 0;
    }
    return 1;
}

/* The AlgorithmIdentifier of the signature, asked of OpenSSL's verifier for the same public key
 * and parameters: the DER comes from libcrypto. */
static int psa_prov_sig_aid(struct psa_prov_sig_ctx *ctx, OSSL_PARAM *p)
{
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *vfy = NULL;
    OSSL_PARAM set[4], *q = set;
    int hlen = ctx->md != NULL ? EVP_MD_get_size(ctx->md) : 0;
    int ok;
    if (ctx->kind == PSA_PROV_SIG_RSA) {
        *q++ = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PAD_MODE, &ctx->pad);
        if (ctx->pad == RSA_PKCS1_PSS_PADDING) {
            *q++ = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &hlen);
        }
    }
    *q = OSSL_PARAM_construct_end();
    ok = mdctx != NULL &&
         EVP_DigestVerifyInit_ex(mdctx, &vfy, ctx->md != NULL ? EVP_MD_get0_name(ctx->md) : NULL,
                                 ctx->prov->libctx, NULL, ctx->key->pub, set) > 0 &&
         EVP_PKEY_CTX_get_params(vfy, p) && OSSL_PARAM_modified(p);
    EVP_MD_CTX_free(mdctx);
    return ok;
}

static int psa_prov_sig_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct psa_prov_sig_ctx *ctx = vctx;
    OSSL_PARAM *p;
    if (ctx->key == NULL) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL && ctx->md != NULL && !OSSL_PARAM_set_utf8_string(p, EVP_MD_get0_name(ctx->md))) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL && ctx->kind == PSA_PROV_SIG_RSA && !OSSL_PARAM_set_int(p, ctx->pad)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
    if (p != NULL && ctx->kind == PSA_PROV_SIG_RSA && ctx->md != NULL &&
        !OSSL_PARAM_set_int(p, EVP_MD_get_size(ctx->md))) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
    if (p != NULL && (ctx->pad == RSA_PKCS1_PSS_PADDING && !psa_prov_sig_pss_check(ctx))) {
        return 0;
    }
    return p == NULL || psa_prov_sig_aid(ctx, p);
}

static const OSSL_PARAM *psa_prov_sig_gettable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_int(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL),
        OSSL_PARAM_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL),
        OSSL_PARAM_END,
    };
    (void)vctx;
    (void)provctx;
    return params;
}

static int psa_prov_sig_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    struct psa_prov_sig_ctx *ctx = vctx;
    /* No key on a re-initialisation (EVP_DigestInit_ex on a signing context): keep the one set. */
    struct psa_prov_key *key = provkey != NULL ? provkey : ctx->key;
    if (key == NULL || key->id == 0 || !PSA_KEY_TYPE_IS_KEY_PAIR(key->type)) {
        psa_prov_error(ctx->prov, PSA_PROV_R_NOT_A_PRIVATE_KEY, "signing needs a key pair");
        return 0;
    }
    ctx->key = key;
    /* An RSA key whose policy is PSS signs PSS unless told otherwise. */
    if (ctx->kind == PSA_PROV_SIG_RSA && PSA_ALG_IS_RSA_PSS(key->alg)) {
        ctx->pad = RSA_PKCS1_PSS_PADDING;
    }
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
static int psa_prov_ecdsa_der(struct psa_prov_sig_ctx *ctx, const uint8_t *raw, size_t raw_len,
                              unsigned char *sig, size_t *siglen, size_t sigsize)
{
    ECDSA_SIG *esig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, (int)(raw_len / 2), NULL);
    BIGNUM *s = BN_bin2bn(raw + raw_len / 2, (int)(raw_len / 2), NULL);
    unsigned char *out = sig;
    int der_len;
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
    der_len = i2d_ECDSA_SIG(esig, &out);
    ECDSA_SIG_free(esig);
    *siglen = (size_t)der_len;
    return 1;
}

/* The PSA algorithm of a sign_hash over tbs, following the key's policy where it offers a choice
 * (deterministic ECDSA, PSS with any salt). 0 with an error queued when there is none. */
static psa_algorithm_t psa_prov_sig_alg(struct psa_prov_sig_ctx *ctx, size_t tbslen)
{
    psa_algorithm_t policy = ctx->key->alg;
    psa_algorithm_t hash = ctx->md != NULL ? ctx->hash : psa_prov_hash_by_length(tbslen);
    if (ctx->kind == PSA_PROV_SIG_RSA && ctx->pad == RSA_PKCS1_PADDING) {
        /* Without a digest OpenSSL signs the bytes as given (a DigestInfo, say). */
        return ctx->md != NULL ? PSA_ALG_RSA_PKCS1V15_SIGN(hash) : PSA_ALG_RSA_PKCS1V15_SIGN_RAW;
    }
    if (hash == 0) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG, "a %zu-byte digest", tbslen);
        return 0;
    }
    if (ctx->kind == PSA_PROV_SIG_ECDSA) {
        return PSA_ALG_IS_DETERMINISTIC_ECDSA(policy) ? PSA_ALG_DETERMINISTIC_ECDSA(hash)
                                                      : PSA_ALG_ECDSA(hash);
    }
    if (ctx->md == NULL) {
        /* The salt rule needs the hash's length: take the one the digest's length names. */
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG, "PSS needs the digest named");
        return 0;
    }
    if (!psa_prov_sig_pss_check(ctx)) {
        return 0;
    }
    return PSA_ALG_IS_RSA_PSS_ANY_SALT(policy) ? PSA_ALG_RSA_PSS_ANY_SALT(hash)
                                               : PSA_ALG_RSA_PSS(hash);
}

static int psa_prov_sig_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                             const unsigned char *tbs, size_t tbslen)
{
    struct psa_prov_sig_ctx *ctx = vctx;
    struct psa_prov_key *key = ctx->key;
    size_t max = (size_t)EVP_PKEY_get_size(key->pub);
    psa_algorithm_t alg;
    uint8_t raw[PSA_SIGNATURE_MAX_SIZE];
    size_t raw_len = 0;
    psa_status_t status;
    if (sig == NULL) {
        *siglen = max;
        return 1;
    }
    if (ctx->kind == PSA_PROV_SIG_EDDSA) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG, "EdDSA signs messages, one shot");
        return 0;
    }
    alg = psa_prov_sig_alg(ctx, tbslen);
    if (alg == 0) {
        return 0;
    }
    status = psa_sign_hash(key->id, alg, tbs, tbslen, raw, sizeof(raw), &raw_len);
    if (status != PSA_SUCCESS) {
        psa_prov_psa_error(ctx->prov, "psa_sign_hash", status);
        return 0;
    }
    if (ctx->kind == PSA_PROV_SIG_ECDSA) {
        if (raw_len == 0 || raw_len % 2 != 0) {
            psa_prov_error(ctx->prov, PSA_PROV_R_PSA_CALL_FAILED, "ECDSA signature of %zu bytes",
                           raw_len);
            return 0;
        }
        return psa_prov_ecdsa_der(ctx, raw, raw_len, sig, siglen, sigsize);
    }
    if (raw_len > sigsize) {
        psa_prov_error(ctx->prov, PSA_PROV_R_OPENSSL_FAILED, "signature buffer of %zu bytes",
                       sigsize);
        return 0;
    }
    memcpy(sig, raw, raw_len);
    *siglen = raw_len;
    return 1;
}

static int psa_prov_sig_digest_sign_init(void *vctx, const char *mdname, void *provkey,
                                         const OSSL_PARAM params[])
{
    struct psa_prov_sig_ctx *ctx = vctx;
    if (!psa_prov_sig_init(ctx, provkey, params)) {
        return 0;
    }
    if (ctx->kind == PSA_PROV_SIG_EDDSA) {
        return psa_prov_sig_set_digest(ctx, mdname);
    }
    if (!psa_prov_sig_set_digest(ctx, mdname != NULL ? mdname : "SHA2-256")) {
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
        return psa_prov_sig_sign(ctx, NULL, siglen, sigsize, NULL, 0);
    }
    if (!EVP_DigestFinal_ex(ctx->mdctx, digest, &digest_len)) {
        return 0;
    }
    return psa_prov_sig_sign(ctx, sig, siglen, sigsize, digest, digest_len);
}

/* One-shot digest-and-sign: hashing here, then sign_hash; PureEdDSA sends the message to rssd. */
static int psa_prov_sig_digest_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                                    const unsigned char *tbs, size_t tbslen)
{
    struct psa_prov_sig_ctx *ctx = vctx;
    size_t max;
    psa_status_t status;
    if (ctx->key == NULL) {
        return 0;
    }
    if (ctx->kind != PSA_PROV_SIG_EDDSA) {
        if (sig == NULL) {
            return psa_prov_sig_sign(ctx, NULL, siglen, sigsize, NULL, 0);
        }
        return psa_prov_sig_digest_sign_update(ctx, tbs, tbslen) &&
               psa_prov_sig_digest_sign_final(ctx, sig, siglen, sigsize);
    }
    max = (size_t)EVP_PKEY_get_size(ctx->key->pub);
    if (sig == NULL) {
        *siglen = max;
        return 1;
    }
    status = psa_sign_message(ctx->key->id, PSA_ALG_PURE_EDDSA, tbs, tbslen, sig, sigsize, siglen);
    if (status != PSA_SUCCESS) {
        psa_prov_psa_error(ctx->prov, "psa_sign_message", status);
        return 0;
    }
    return 1;
}

#define PSA_PROV_SIG_COMMON_FUNCTIONS                                                              \
    {OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))psa_prov_sig_freectx},                           \
        {OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))psa_prov_sig_dupctx},                         \
        {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, (void (*)(void))psa_prov_sig_digest_sign_init},     \
        {OSSL_FUNC_SIGNATURE_DIGEST_SIGN, (void (*)(void))psa_prov_sig_digest_sign},               \
        {OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, (void (*)(void))psa_prov_sig_get_ctx_params},         \
        {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS,                                                  \
         (void (*)(void))psa_prov_sig_gettable_ctx_params},                                        \
        {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, (void (*)(void))psa_prov_sig_set_ctx_params},         \
    {                                                                                              \
        OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, (void (*)(void))psa_prov_sig_settable_ctx_params  \
    }

#define PSA_PROV_SIG_HASH_FUNCTIONS                                                                \
    {OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))psa_prov_sig_init},                            \
        {OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))psa_prov_sig_sign},                             \
        {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, (void (*)(void))psa_prov_sig_digest_sign_update}, \
    {                                                                                              \
        OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, (void (*)(void))psa_prov_sig_digest_sign_final      \
    }

const OSSL_DISPATCH psa_prov_ecdsa_signature_functions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))psa_prov_ecdsa_newctx},
    PSA_PROV_SIG_COMMON_FUNCTIONS,
    PSA_PROV_SIG_HASH_FUNCTIONS,
    {0, NULL},
};

const OSSL_DISPATCH psa_prov_rsa_signature_functions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))psa_prov_rsa_newctx},
    PSA_PROV_SIG_COMMON_FUNCTIONS,
    PSA_PROV_SIG_HASH_FUNCTIONS,
    {0, NULL},
};

const OSSL_DISPATCH psa_prov_eddsa_signature_functions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))psa_prov_eddsa_newctx},
    PSA_PROV_SIG_COMMON_FUNCTIONS,
    {0, NULL},
};
