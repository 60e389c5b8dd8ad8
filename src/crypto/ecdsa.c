/* ECDSA: randomized signing and verification on EVP_PKEY, deterministic nonces per RFC 6979. */

/* OpenSSL 3.0 has no deterministic ECDSA; the only way to sign with a chosen nonce is
 * ECDSA_do_sign_ex() on the key's EC_KEY, which 3.0 marks deprecated. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "asym_internal.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/hmac.h>

/* Largest scalar (P-521: 66 bytes) and largest HMAC output (SHA-512: 64 bytes). */
#define ECDSA_MAX_SCALAR 66u
#define ECDSA_MAX_DIGEST 64u

static const asym_curve_t *ecdsa_curve(const core_key_t *key)
{
    return asym_curve_find(PSA_KEY_TYPE_ECC_GET_FAMILY(key->attr.type), key->attr.bits);
}

/* r || s, each padded to the scalar length. */
static psa_status_t ecdsa_sig_to_raw(const ECDSA_SIG *sig, size_t scalar_length, uint8_t *out)
{
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(sig, &r, &s);
    psa_status_t status = asym_bn_to_bytes(r, out, scalar_length);
    if (status == PSA_SUCCESS) {
        status = asym_bn_to_bytes(s, out + scalar_length, scalar_length);
    }
    return status;
}

/* ---- RFC 6979 nonce ------------------------------------------------------------------------- */

typedef struct rfc6979_state {
    const EVP_MD *md;
    size_t hlen;
    uint8_t k[ECDSA_MAX_DIGEST];
    uint8_t v[ECDSA_MAX_DIGEST];
} rfc6979_state_t;

/* K = HMAC_K(V || sep || extra); V = HMAC_K(V); with sep omitted when extra is NULL and sep < 0. */
static bool rfc6979_hmac(rfc6979_state_t *st, uint8_t *out, const uint8_t *a, size_t a_length,
                         int sep, const uint8_t *b, size_t b_length)
{
    uint8_t buffer[ECDSA_MAX_DIGEST + 1 + 2 * ECDSA_MAX_SCALAR];
    size_t n = 0;
    memcpy(buffer, a, a_length);
    n += a_length;
    if (sep >= 0) {
        buffer[n++] = (uint8_t)sep;
    }
    if (b_length > 0) {
        memcpy(buffer + n, b, b_length);
        n += b_length;
    }
    unsigned int out_length = 0;
    bool ok = HMAC(st->md, st->k, (int)st->hlen, buffer, n, out, &out_length) != NULL &&
              out_length == st->hlen;
    OPENSSL_cleanse(buffer, sizeof(buffer));
    return ok;
}

/* bits2int: the leftmost qlen bits of `data` as an integer. */
static bool rfc6979_bits2int(BIGNUM *out, const uint8_t *data, size_t length, int qlen)
{
    if (BN_bin2bn(data, (int)length, out) == NULL) {
        return false;
    }
    int excess = (int)length * 8 - qlen;
    return excess <= 0 || BN_rshift(out, out, excess);
}

/*
 * Draws the candidates k of RFC 6979 section 3.2 and returns the first with 1 <= k < n whose
 * r = x(kG) mod n is not zero, together with that r.
 */
static psa_status_t rfc6979_nonce(const EC_GROUP *group, const BIGNUM *d, const EVP_MD *md,
                                  const uint8_t *hash, size_t hash_length, BIGNUM *k, BIGNUM *r,
                                  BN_CTX *bn)
{
    const BIGNUM *order = EC_GROUP_get0_order(group);
    int qlen = BN_num_bits(order);
    size_t rlen = (size_t)(qlen + 7) / 8;
    rfc6979_state_t st = {.md = md, .hlen = (size_t)EVP_MD_get_size(md)};
    uint8_t x_oct[ECDSA_MAX_SCALAR], h_oct[ECDSA_MAX_SCALAR], seed[2 * ECDSA_MAX_SCALAR];
    uint8_t t[ECDSA_MAX_SCALAR + ECDSA_MAX_DIGEST];
    psa_status_t status = PSA_ERROR_INSUFFICIENT_MEMORY;
    EC_POINT *point = EC_POINT_new(group);
    BIGNUM *z = BN_CTX_get(bn);
    BIGNUM *x = BN_CTX_get(bn);
    if (point == NULL || x == NULL || st.hlen > ECDSA_MAX_DIGEST || rlen > ECDSA_MAX_SCALAR) {
        goto done;
    }
    /* bits2octets(h1) = int2octets(bits2int(h1) mod q); one subtraction reduces it. */
    if (!rfc6979_bits2int(z, hash, hash_length, qlen) ||
        (BN_cmp(z, order) >= 0 && !BN_sub(z, z, order)) ||
        asym_bn_to_bytes(z, h_oct, rlen) != PSA_SUCCESS ||
        asym_bn_to_bytes(d, x_oct, rlen) != PSA_SUCCESS) {
        goto done;
    }
    memcpy(seed, x_oct, rlen);
    memcpy(seed + rlen, h_oct, rlen);
    memset(st.v, 0x01, st.hlen);
    memset(st.k, 0x00, st.hlen);
    uint8_t next[ECDSA_MAX_DIGEST];
    if (!rfc6979_hmac(&st, next, st.v, st.hlen, 0x00, seed, 2 * rlen)) {
        goto done;
    }
    memcpy(st.k, next, st.hlen);
    if (!rfc6979_hmac(&st, st.v, st.v, st.hlen, -1, NULL, 0) ||
        !rfc6979_hmac(&st, next, st.v, st.hlen, 0x01, seed, 2 * rlen)) {
        goto done;
    }
    memcpy(st.k, next, st.hlen);
    if (!rfc6979_hmac(&st, st.v, st.v, st.hlen, -1, NULL, 0)) {
        goto done;
    }
    for (int attempt = 0; attempt < 64; attempt++) {
        size_t tlen = 0;
        while (tlen < rlen) {
            if (!rfc6979_hmac(&st, st.v, st.v, st.hlen, -1, NULL, 0)) {
                goto done;
            }
            memcpy(t + tlen, st.v, st.hlen);
            tlen += st.hlen;
        }
        if (!rfc6979_bits2int(k, t, rlen, qlen)) {
            goto done;
        }
        if (!BN_is_zero(k) && BN_cmp(k, order) < 0) {
            BN_set_flags(k, BN_FLG_CONSTTIME);
            if (EC_POINT_mul(group, point, k, NULL, NULL, bn) != 1 ||
                EC_POINT_get_affine_coordinates(group, point, x, NULL, bn) != 1 ||
                !BN_nnmod(r, x, order, bn)) {
                goto done;
            }
            if (!BN_is_zero(r)) {
                status = PSA_SUCCESS;
                goto done;
            }
        }
        if (!rfc6979_hmac(&st, next, st.v, st.hlen, 0x00, NULL, 0)) {
            goto done;
        }
        memcpy(st.k, next, st.hlen);
        if (!rfc6979_hmac(&st, st.v, st.v, st.hlen, -1, NULL, 0)) {
            goto done;
        }
    }
    status = PSA_ERROR_GENERIC_ERROR;
done:
    OPENSSL_cleanse(&st, sizeof(st));
    OPENSSL_cleanse(x_oct, sizeof(x_oct));
    OPENSSL_cleanse(seed, sizeof(seed));
    OPENSSL_cleanse(t, sizeof(t));
    EC_POINT_free(point);
    return status;
}

static psa_status_t ecdsa_sign_deterministic(core_key_t *key, const asym_curve_t *curve,
                                             const EVP_MD *md, const uint8_t *hash,
                                             size_t hash_length, uint8_t *signature)
{
    const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(asym_pkey(key));
    const EC_GROUP *group = asym_curve_group(curve);
    if (ec == NULL || group == NULL) {
        return PSA_ERROR_GENERIC_ERROR;
    }
    const BIGNUM *d = EC_KEY_get0_private_key(ec);
    BN_CTX *bn = BN_CTX_secure_new();
    if (bn == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    BN_CTX_start(bn);
    BIGNUM *k = BN_CTX_get(bn);
    BIGNUM *r = BN_CTX_get(bn);
    BIGNUM *kinv = BN_CTX_get(bn);
    BIGNUM *exponent = BN_CTX_get(bn);
    psa_status_t status = PSA_ERROR_INSUFFICIENT_MEMORY;
    ECDSA_SIG *sig = NULL;
    if (exponent != NULL && d != NULL) {
        status = rfc6979_nonce(group, d, md, hash, hash_length, k, r, bn);
    }
    if (status == PSA_SUCCESS) {
        /* k^-1 = k^(n-2) mod n (n is prime), in constant time. */
        const BIGNUM *order = EC_GROUP_get0_order(group);
        if (!BN_copy(exponent, order) || !BN_sub_word(exponent, 2) ||
            !BN_mod_exp_mont_consttime(kinv, k, exponent, order, bn, NULL)) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        }
    }
    if (status == PSA_SUCCESS) {
        sig = ECDSA_do_sign_ex(hash, (int)hash_length, kinv, r, (EC_KEY *)ec);
        status = sig != NULL ? ecdsa_sig_to_raw(sig, curve->private_length, signature)
                             : PSA_ERROR_GENERIC_ERROR;
    }
    ECDSA_SIG_free(sig);
    BN_CTX_end(bn);
    BN_CTX_free(bn);
    ERR_clear_error();
    return status;
}

/* ---- signing and verification --------------------------------------------------------------- */

static EVP_PKEY_CTX *ecdsa_context(core_key_t *key, uint32_t dir)
{
    EVP_PKEY_CTX *ctx = core_key_cache_take(key, ASYM_CACHE_KIND(dir, PSA_ALG_ECDSA_ANY));
    if (ctx != NULL) {
        return ctx;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, asym_pkey(key), NULL);
    int ok = ctx != NULL &&
             (dir == ASYM_CACHE_SIGN ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) == 1;
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

psa_status_t ecdsa_sign_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                             size_t hash_length, uint8_t *signature, size_t *signature_length)
{
    const asym_curve_t *curve = ecdsa_curve(key);
    size_t scalar = curve->private_length;
    if (PSA_ALG_IS_DETERMINISTIC_ECDSA(alg)) {
        const EVP_MD *md = core_hash_md(PSA_ALG_GET_HASH(alg));
        if (md == NULL) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        psa_status_t status =
            ecdsa_sign_deterministic(key, curve, md, hash, hash_length, signature);
        if (status == PSA_SUCCESS) {
            *signature_length = 2 * scalar;
        }
        return status;
    }
    EVP_PKEY_CTX *ctx = ecdsa_context(key, ASYM_CACHE_SIGN);
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    uint8_t der[2 * ECDSA_MAX_SCALAR + 16];
    size_t der_length = sizeof(der);
    psa_status_t status = PSA_ERROR_GENERIC_ERROR;
    if (EVP_PKEY_sign(ctx, der, &der_length, hash, hash_length) == 1) {
        const unsigned char *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_length);
        if (sig != NULL) {
            status = ecdsa_sig_to_raw(sig, scalar, signature);
            ECDSA_SIG_free(sig);
        }
    }
    core_key_cache_give(key, ASYM_CACHE_KIND(ASYM_CACHE_SIGN, PSA_ALG_ECDSA_ANY), ctx,
                        asym_free_pkey_ctx);
    ERR_clear_error();
    if (status == PSA_SUCCESS) {
        *signature_length = 2 * scalar;
    }
    return status;
}

psa_status_t ecdsa_verify_hash(core_key_t *key, psa_algorithm_t alg, const uint8_t *hash,
                               size_t hash_length, const uint8_t *signature,
                               size_t signature_length)
{
    (void)alg; /* verification is the same for the randomized and deterministic variants */
    const asym_curve_t *curve = ecdsa_curve(key);
    size_t scalar = curve->private_length;
    if (signature_length != 2 * scalar) {
        return PSA_ERROR_INVALID_SIGNATURE;
    }
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(signature, (int)scalar, NULL);
    BIGNUM *s = BN_bin2bn(signature + scalar, (int)scalar, NULL);
    if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
        ECDSA_SIG_free(sig);
        BN_free(r);
        BN_free(s);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    uint8_t der[2 * ECDSA_MAX_SCALAR + 16];
    unsigned char *p = der;
    int der_length = i2d_ECDSA_SIG(sig, NULL);
    if (der_length <= 0 || (size_t)der_length > sizeof(der) || i2d_ECDSA_SIG(sig, &p) <= 0) {
        ECDSA_SIG_free(sig);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    ECDSA_SIG_free(sig);
    EVP_PKEY_CTX *ctx = ecdsa_context(key, ASYM_CACHE_VERIFY);
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    int result = EVP_PKEY_verify(ctx, der, (size_t)der_length, hash, hash_length);
    core_key_cache_give(key, ASYM_CACHE_KIND(ASYM_CACHE_VERIFY, PSA_ALG_ECDSA_ANY), ctx,
                        asym_free_pkey_ctx);
    ERR_clear_error();
    return result == 1 ? PSA_SUCCESS : PSA_ERROR_INVALID_SIGNATURE;
}
