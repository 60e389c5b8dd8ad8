/* ASYM_CIPHER for RSA keys in rssd: decryption by psa_asymmetric_decrypt (OAEP, PKCS#1 v1.5);
 * encryption, a public-key operation, by libcrypto on the public half. */
#include "provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

struct psa_prov_rsa_enc_ctx {
    struct psa_prov_ctx *prov;
    struct psa_prov_key *key;
    int pad;              /* RSA_PKCS1_PADDING or RSA_PKCS1_OAEP_PADDING */
    psa_algorithm_t oaep; /* the OAEP hash as PSA names it */
    char oaep_name[32];   /* and as OpenSSL does */
    psa_algorithm_t mgf1; /* the MGF1 hash OpenSSL asked for; 0 for the OAEP hash */
    unsigned char *label; /* the OAEP label */
    size_t label_len;
};

static void *psa_prov_rsa_enc_newctx(void *provctx)
{
    struct psa_prov_rsa_enc_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx != NULL) {
        ctx->prov = provctx;
        ctx->pad = RSA_PKCS1_PADDING;
        ctx->oaep = PSA_ALG_SHA_1; /* OpenSSL's and PKCS #1's default */
        snprintf(ctx->oaep_name, sizeof(ctx->oaep_name), "SHA1");
    }
    return ctx;
}

static void psa_prov_rsa_enc_freectx(void *vctx)
{
    struct psa_prov_rsa_enc_ctx *ctx = vctx;
    if (ctx != NULL) {
        OPENSSL_free(ctx->label);
        free(ctx);
    }
}

static void *psa_prov_rsa_enc_dupctx(void *vctx)
{
    struct psa_prov_rsa_enc_ctx *src = vctx;
    struct psa_prov_rsa_enc_ctx *dst = calloc(1, sizeof(*dst));
    if (dst == NULL) {
        return NULL;
    }
    *dst = *src;
    dst->label = NULL;
    if (src->label != NULL) {
        dst->label = OPENSSL_memdup(src->label, src->label_len);
        if (dst->label == NULL) {
            free(dst);
            return NULL;
        }
    }
    return dst;
}

/* A hash by OpenSSL's name as PSA names it; 0 with an error queued when PSA has none. */
static psa_algorithm_t psa_prov_rsa_enc_hash(struct psa_prov_rsa_enc_ctx *ctx, const char *name,
                                             char *canonical, size_t canonical_size)
{
    EVP_MD *md = EVP_MD_fetch(ctx->prov->libctx, name, NULL);
    psa_algorithm_t hash = md != NULL ? psa_prov_hash_alg(md) : 0;
    if (hash == 0) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG, "digest %s", name);
    } else if (canonical != NULL) {
        snprintf(canonical, canonical_size, "%s", EVP_MD_get0_name(md));
    }
    EVP_MD_free(md);
    return hash;
}

static int psa_prov_rsa_enc_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct psa_prov_rsa_enc_ctx *ctx = vctx;
    const OSSL_PARAM *p;
    char name[64];
    char *namep = name;
    if (params == NULL) {
        return 1;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
    if (p != NULL) {
        int pad = 0;
        if (p->data_type == OSSL_PARAM_UTF8_STRING) {
            const char *s = p->data;
            pad = s == NULL                                        ? 0
                  : strcmp(s, OSSL_PKEY_RSA_PAD_MODE_PKCSV15) == 0 ? RSA_PKCS1_PADDING
                  : strcmp(s, OSSL_PKEY_RSA_PAD_MODE_OAEP) == 0    ? RSA_PKCS1_OAEP_PADDING
                                                                   : 0;
        } else if (!OSSL_PARAM_get_int(p, &pad)) {
            pad = 0;
        }
        if (pad != RSA_PKCS1_PADDING && pad != RSA_PKCS1_OAEP_PADDING) {
            psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG,
                           "RSA encryption padding: OAEP and PKCS#1 v1.5 only");
            return 0;
        }
        ctx->pad = pad;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST);
    if (p != NULL) {
        psa_algorithm_t hash;
        if (!OSSL_PARAM_get_utf8_string(p, &namep, sizeof(name))) {
            return 0;
        }
        hash = psa_prov_rsa_enc_hash(ctx, name, ctx->oaep_name, sizeof(ctx->oaep_name));
        if (hash == 0) {
            return 0;
        }
        ctx->oaep = hash;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST);
    if (p != NULL) {
        if (!OSSL_PARAM_get_utf8_string(p, &namep, sizeof(name))) {
            return 0;
        }
        ctx->mgf1 = psa_prov_rsa_enc_hash(ctx, name, NULL, 0);
        if (ctx->mgf1 == 0) {
            return 0;
        }
    }
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL);
    if (p != NULL) {
        void *label = NULL;
        size_t label_len = 0;
        if (!OSSL_PARAM_get_octet_string(p, &label, 0, &label_len)) {
            return 0;
        }
        OPENSSL_free(ctx->label);
        ctx->label = label;
        ctx->label_len = label_len;
    }
    return 1;
}

static const OSSL_PARAM *psa_prov_rsa_enc_settable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)vctx;
    (void)provctx;
    return params;
}

static int psa_prov_rsa_enc_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct psa_prov_rsa_enc_ctx *ctx = vctx;
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
    if (p != NULL && !OSSL_PARAM_set_int(p, ctx->pad)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST);
    if (p != NULL && !OSSL_PARAM_set_utf8_string(p, ctx->oaep_name)) {
        return 0;
    }
    return 1;
}

static const OSSL_PARAM *psa_prov_rsa_enc_gettable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, NULL),
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)vctx;
    (void)provctx;
    return params;
}

static int psa_prov_rsa_enc_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    struct psa_prov_rsa_enc_ctx *ctx = vctx;
    ctx->key = provkey;
    if (ctx->key == NULL || ctx->key->pub == NULL) {
        return 0;
    }
    return psa_prov_rsa_enc_set_ctx_params(ctx, params);
}

static int psa_prov_rsa_enc_decrypt_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    struct psa_prov_rsa_enc_ctx *ctx = vctx;
    struct psa_prov_key *key = provkey;
    if (key == NULL || key->id == 0 || !PSA_KEY_TYPE_IS_KEY_PAIR(key->type)) {
        psa_prov_error(ctx->prov, PSA_PROV_R_NOT_A_PRIVATE_KEY, "decryption needs a key pair");
        return 0;
    }
    return psa_prov_rsa_enc_init(ctx, provkey, params);
}

/* The PSA algorithm: PSA's OAEP masks with the OAEP hash itself. */
static psa_algorithm_t psa_prov_rsa_enc_alg(struct psa_prov_rsa_enc_ctx *ctx)
{
    if (ctx->pad == RSA_PKCS1_PADDING) {
        return PSA_ALG_RSA_PKCS1V15_CRYPT;
    }
    if (ctx->mgf1 != 0 && ctx->mgf1 != ctx->oaep) {
        psa_prov_error(ctx->prov, PSA_PROV_R_UNSUPPORTED_ALG,
                       "OAEP with MGF1 over another hash than %s", ctx->oaep_name);
        return 0;
    }
    return PSA_ALG_RSA_OAEP(ctx->oaep);
}

static int psa_prov_rsa_enc_decrypt(void *vctx, unsigned char *out, size_t *outlen, size_t outsize,
                                    const unsigned char *in, size_t inlen)
{
    struct psa_prov_rsa_enc_ctx *ctx = vctx;
    psa_algorithm_t alg;
    psa_status_t status;
    if (out == NULL) {
        *outlen = (size_t)EVP_PKEY_get_size(ctx->key->pub);
        return 1;
    }
    alg = psa_prov_rsa_enc_alg(ctx);
    if (alg == 0) {
        return 0;
    }
    status = psa_asymmetric_decrypt(
        ctx->key->id, alg, in, inlen, ctx->pad == RSA_PKCS1_OAEP_PADDING ? ctx->label : NULL,
        ctx->pad == RSA_PKCS1_OAEP_PADDING ? ctx->label_len : 0, out, outsize, outlen);
    if (status != PSA_SUCCESS) {
        psa_prov_psa_error(ctx->prov, "psa_asymmetric_decrypt", status);
        return 0;
    }
    return 1;
}

/* Encryption needs only the public half: libcrypto does it with the same parameters. */
static int psa_prov_rsa_enc_encrypt(void *vctx, unsigned char *out, size_t *outlen, size_t outsize,
                                    const unsigned char *in, size_t inlen)
{
    struct psa_prov_rsa_enc_ctx *ctx = vctx;
    EVP_PKEY_CTX *enc;
    OSSL_PARAM set[4], *q = set;
    int ok;
    if (out == NULL) {
        *outlen = (size_t)EVP_PKEY_get_size(ctx->key->pub);
        return 1;
    }
    if (psa_prov_rsa_enc_alg(ctx) == 0) {
        return 0;
    }
    *q++ = OSSL_PARAM_construct_int(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, &ctx->pad);
    if (ctx->pad == RSA_PKCS1_OAEP_PADDING) {
        *q++ =
            OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, ctx->oaep_name, 0);
        if (ctx->label != NULL) {
            *q++ = OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, ctx->label,
                                                     ctx->label_len);
        }
    }
    *q = OSSL_PARAM_construct_end();
    enc = EVP_PKEY_CTX_new_from_pkey(ctx->prov->libctx, ctx->key->pub, NULL);
    *outlen = outsize;
    ok = enc != NULL && EVP_PKEY_encrypt_init_ex(enc, set) > 0 &&
         EVP_PKEY_encrypt(enc, out, outlen, in, inlen) > 0;
    EVP_PKEY_CTX_free(enc);
    if (!ok) {
        psa_prov_error(ctx->prov, PSA_PROV_R_OPENSSL_FAILED, "RSA encryption");
    }
    return ok;
}

const OSSL_DISPATCH psa_prov_rsa_asym_cipher_functions[] = {
    {OSSL_FUNC_ASYM_CIPHER_NEWCTX, (void (*)(void))psa_prov_rsa_enc_newctx},
    {OSSL_FUNC_ASYM_CIPHER_FREECTX, (void (*)(void))psa_prov_rsa_enc_freectx},
    {OSSL_FUNC_ASYM_CIPHER_DUPCTX, (void (*)(void))psa_prov_rsa_enc_dupctx},
    {OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, (void (*)(void))psa_prov_rsa_enc_init},
    {OSSL_FUNC_ASYM_CIPHER_ENCRYPT, (void (*)(void))psa_prov_rsa_enc_encrypt},
    {OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, (void (*)(void))psa_prov_rsa_enc_decrypt_init},
    {OSSL_FUNC_ASYM_CIPHER_DECRYPT, (void (*)(void))psa_prov_rsa_enc_decrypt},
    {OSSL_FUNC_ASYM_CIPHER_GET_CTX_PARAMS, (void (*)(void))psa_prov_rsa_enc_get_ctx_params},
    {OSSL_FUNC_ASYM_CIPHER_GETTABLE_CTX_PARAMS,
     (void (*)(void))psa_prov_rsa_enc_gettable_ctx_params},
    {OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS, (void (*)(void))psa_prov_rsa_enc_set_ctx_params},
    {OSSL_FUNC_ASYM_CIPHER_SETTABLE_CTX_PARAMS,
     (void (*)(void))psa_prov_rsa_enc_settable_ctx_params},
    {0, NULL},
};
