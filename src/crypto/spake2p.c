/* SPAKE2+ (RFC 9383, and the draft-02 key schedule Matter uses) on OpenSSL's EC arithmetic. */
#include "pake_internal.h"

#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "asym_internal.h"

/*
 * Notation of RFC 9383 section 3: the prover (client) holds (w0, w1), the verifier (server)
 * holds (w0, L = w1*P). shareP = X = x*P + w0*M, shareV = Y = y*P + w0*N; the prover computes
 * Z = x*(Y - w0*N), V = w1*(Y - w0*N), the verifier Z = y*(X - w0*M), V = y*L (P-256 has
 * cofactor 1). TT is every value with an 8-byte little-endian length before it.
 *
 * The step sequence is fixed by the specification's flow:
 *   prover:   output KEY_SHARE, input KEY_SHARE, input CONFIRM, output CONFIRM
 *   verifier: input KEY_SHARE, output KEY_SHARE, output CONFIRM, input CONFIRM
 * The keys exist once both shares are known (position 2); the key is confirmed at position 4.
 */

#define SPAKE2P_HASH_MAX    64
#define SPAKE2P_POINT_MAX   65 /* P-256 only: the only curve with M and N built here */
#define SPAKE2P_SCALAR_MAX  32
#define SPAKE2P_CMAC_LENGTH 16

typedef enum { SPAKE2P_OUT, SPAKE2P_IN } spake2p_dir_t;

struct spake2p {
    psa_algorithm_t alg;
    const EC_GROUP *group;
    const EVP_MD *md;
    size_t hash_length;
    size_t point_length;
    size_t scalar_length;
    bool verifier_only; /* created from a public key: the server role only */
    psa_pake_role_t role;
    int pos;         /* steps done, 0..4 */
    BIGNUM *w0, *w1; /* w1 is NULL for a public key */
    EC_POINT *L;
    BIGNUM *eph;       /* x or y */
    BIGNUM *fixed_eph; /* test hook: the next ephemeral scalar */
    uint8_t share_p[SPAKE2P_POINT_MAX];
    uint8_t share_v[SPAKE2P_POINT_MAX];
    uint8_t confirm_mine[SPAKE2P_HASH_MAX];   /* the confirmation this side sends */
    uint8_t confirm_theirs[SPAKE2P_HASH_MAX]; /* the one it expects */
    size_t confirm_length;
    uint8_t shared[SPAKE2P_HASH_MAX];
    size_t shared_length;
};

/* RFC 9383 (from RFC 9382) M and N for P-256, uncompressed. */
static const uint8_t spake2p_p256_m[65] = {
    0x04, 0x88, 0x6e, 0x2f, 0x97, 0xac, 0xe4, 0x6e, 0x55, 0xba, 0x9d, 0xd7, 0x24,
    0x25, 0x79, 0xf2, 0x99, 0x3b, 0x64, 0xe1, 0x6e, 0xf3, 0xdc, 0xab, 0x95, 0xaf,
    0xd4, 0x97, 0x33, 0x3d, 0x8f, 0xa1, 0x2f, 0x5f, 0xf3, 0x55, 0x16, 0x3e, 0x43,
    0xce, 0x22, 0x4e, 0x0b, 0x0e, 0x65, 0xff, 0x02, 0xac, 0x8e, 0x5c, 0x7b, 0xe0,
    0x94, 0x19, 0xc7, 0x85, 0xe0, 0xca, 0x54, 0x7d, 0x55, 0xa1, 0x2e, 0x2d, 0x20};
static const uint8_t spake2p_p256_n[65] = {
    0x04, 0xd8, 0xbb, 0xd6, 0xc6, 0x39, 0xc6, 0x29, 0x37, 0xb0, 0x4d, 0x99, 0x7f,
    0x38, 0xc3, 0x77, 0x07, 0x19, 0xc6, 0x29, 0xd7, 0x01, 0x4d, 0x49, 0xa2, 0x4b,
    0x4f, 0x98, 0xba, 0xa1, 0x29, 0x2b, 0x49, 0x07, 0xd6, 0x0a, 0xa6, 0xbf, 0xad,
    0xe4, 0x50, 0x08, 0xa6, 0x36, 0x33, 0x7f, 0x51, 0x68, 0xc6, 0x4d, 0x9b, 0xd3,
    0x60, 0x34, 0x80, 0x8c, 0xd5, 0x64, 0x49, 0x0b, 0x1e, 0x65, 0x6e, 0xdb, 0xe7};

/* ---- fetched once ---------------------------------------------------------------------------- */

static pthread_once_t spake2p_fetch_once = PTHREAD_ONCE_INIT;
static EVP_KDF *spake2p_hkdf;
static EVP_MAC *spake2p_hmac;
static EVP_MAC *spake2p_cmac;

static void spake2p_fetch(void)
{
    spake2p_hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    spake2p_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    spake2p_cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
}

/* ---- life cycle ------------------------------------------------------------------------------ */

void spake2p_free(spake2p_t *s)
{
    if (s == NULL) {
        return;
    }
    BN_clear_free(s->w0);
    BN_clear_free(s->w1);
    BN_clear_free(s->eph);
    BN_clear_free(s->fixed_eph);
    EC_POINT_free(s->L);
    OPENSSL_cleanse(s, sizeof(*s));
    OPENSSL_free(s);
}

/* A scalar of the key material: big-endian, in [1, n-1] (key import already checked it). */
static BIGNUM *scalar_read(const spake2p_t *s, const uint8_t *data)
{
    BIGNUM *v = BN_secure_new();
    if (v == NULL || BN_bin2bn(data, (int)s->scalar_length, v) == NULL) {
        BN_clear_free(v);
        return NULL;
    }
    BN_set_flags(v, BN_FLG_CONSTTIME);
    return v;
}

psa_status_t spake2p_new(psa_algorithm_t alg, psa_algorithm_t hash_alg, psa_key_type_t key_type,
                         size_t bits, const uint8_t *key, size_t key_length, spake2p_t **out)
{
    *out = NULL;
    const asym_curve_t *curve = asym_curve_find(PSA_ECC_FAMILY_SECP_R1, bits);
    const EC_GROUP *group = curve != NULL ? asym_curve_group(curve) : NULL;
    const EVP_MD *md = core_hash_md(hash_alg);
    pthread_once(&spake2p_fetch_once, spake2p_fetch);
    if (bits != 256 || group == NULL || md == NULL || spake2p_hkdf == NULL ||
        spake2p_hmac == NULL || (PSA_ALG_IS_SPAKE2P_CMAC(alg) && spake2p_cmac == NULL)) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    size_t hash_length = (size_t)EVP_MD_get_size(md);
    if (hash_length == 0 || hash_length > SPAKE2P_HASH_MAX ||
        (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) != 0) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    /* Matter's draft-02 schedule splits one SHA-256 digest in halves. */
    if (alg == PSA_ALG_SPAKE2P_MATTER && hash_alg != PSA_ALG_SHA_256) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    spake2p_t *s = OPENSSL_zalloc(sizeof(*s));
    if (s == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    s->alg = alg;
    s->group = group;
    s->md = md;
    s->hash_length = hash_length;
    s->point_length = curve->public_length;
    s->scalar_length = curve->private_length;
    s->verifier_only = PSA_KEY_TYPE_IS_SPAKE2P_PUBLIC_KEY(key_type);
    size_t expected = s->scalar_length + (s->verifier_only ? s->point_length : s->scalar_length);
    psa_status_t status = key_length == expected ? PSA_SUCCESS : PSA_ERROR_CORRUPTION_DETECTED;
    if (status == PSA_SUCCESS) {
        s->w0 = scalar_read(s, key);
        s->L = EC_POINT_new(group);
        status = s->w0 != NULL && s->L != NULL ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (status == PSA_SUCCESS && s->verifier_only) {
        if (EC_POINT_oct2point(group, s->L, key + s->scalar_length, s->point_length, NULL) != 1) {
            status = PSA_ERROR_CORRUPTION_DETECTED;
        }
    } else if (status == PSA_SUCCESS) {
        s->w1 = scalar_read(s, key + s->scalar_length);
        if (s->w1 == NULL || EC_POINT_mul(group, s->L, s->w1, NULL, NULL, NULL) != 1) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        }
    }
    if (status != PSA_SUCCESS) {
        ERR_clear_error();
        spake2p_free(s);
        return status;
    }
    *out = s;
    return PSA_SUCCESS;
}

psa_status_t spake2p_set_role(spake2p_t *s, psa_pake_role_t role)
{
    switch (role) {
    case PSA_PAKE_ROLE_CLIENT:
        /* The prover needs w1, which a public key does not hold. */
        if (s->verifier_only) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        break;
    case PSA_PAKE_ROLE_SERVER:
        break;
    case PSA_PAKE_ROLE_NONE:
    case PSA_PAKE_ROLE_FIRST:
    case PSA_PAKE_ROLE_SECOND:
        return PSA_ERROR_INVALID_ARGUMENT;
    default:
        return PSA_ERROR_NOT_SUPPORTED;
    }
    s->role = role;
    return PSA_SUCCESS;
}

int spake2p_started(const spake2p_t *s)
{
    return s->pos > 0;
}

int spake2p_is_client(const spake2p_t *s)
{
    return s->role == PSA_PAKE_ROLE_CLIENT;
}

int spake2p_secret_ready(const spake2p_t *s, int confirmed)
{
    return confirmed ? s->pos == 4 : s->pos >= 2;
}

psa_status_t spake2p_set_ephemeral(spake2p_t *s, const uint8_t *scalar, size_t length)
{
    BIGNUM *v = BN_secure_new();
    if (v == NULL || BN_bin2bn(scalar, (int)length, v) == NULL) {
        BN_clear_free(v);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    BN_clear_free(s->fixed_eph);
    s->fixed_eph = v;
    return PSA_SUCCESS;
}

/* ---- helpers --------------------------------------------------------------------------------- */

/* The ephemeral scalar: uniformly random in [1, n-1] (or the test hook's value). */
static psa_status_t ephemeral(spake2p_t *s)
{
    BN_clear_free(s->eph);
    s->eph = NULL;
    if (s->fixed_eph != NULL) {
        s->eph = s->fixed_eph;
        s->fixed_eph = NULL;
        BN_set_flags(s->eph, BN_FLG_CONSTTIME);
        return PSA_SUCCESS;
    }
    BIGNUM *range = BN_dup(EC_GROUP_get0_order(s->group));
    BIGNUM *v = BN_secure_new();
    int ok = range != NULL && v != NULL && BN_sub_word(range, 1) == 1 &&
             BN_priv_rand_range(v, range) == 1 && BN_add_word(v, 1) == 1;
    BN_free(range);
    if (!ok) {
        BN_clear_free(v);
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    }
    BN_set_flags(v, BN_FLG_CONSTTIME);
    s->eph = v;
    return PSA_SUCCESS;
}

static EC_POINT *point_from(const spake2p_t *s, const uint8_t *data, BN_CTX *bn)
{
    EC_POINT *p = EC_POINT_new(s->group);
    if (p != NULL && EC_POINT_oct2point(s->group, p, data, s->point_length, bn) != 1) {
        EC_POINT_free(p);
        p = NULL;
    }
    return p;
}

static int point_to(const spake2p_t *s, const EC_POINT *p, uint8_t *out, BN_CTX *bn)
{
    return EC_POINT_point2oct(s->group, p, POINT_CONVERSION_UNCOMPRESSED, out, s->point_length,
                              bn) == s->point_length;
}

/* A peer's share: an uncompressed point on the curve, not the identity (RFC 9383 3.3). */
static psa_status_t share_check(const spake2p_t *s, const uint8_t *data, size_t length, BN_CTX *bn)
{
    if (length != s->point_length || data[0] != 0x04) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    EC_POINT *p = EC_POINT_new(s->group);
    if (p == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t status = PSA_SUCCESS;
    if (EC_POINT_oct2point(s->group, p, data, length, bn) != 1 ||
        EC_POINT_is_at_infinity(s->group, p) || EC_POINT_is_on_curve(s->group, p, bn) != 1) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    }
    EC_POINT_free(p);
    ERR_clear_error();
    return status;
}

/* out = eph*P + w0*blind: this side's share. */
static psa_status_t make_share(spake2p_t *s, const uint8_t *blind, uint8_t *out, BN_CTX *bn)
{
    psa_status_t status = ephemeral(s);
    if (status != PSA_SUCCESS) {
        return status;
    }
    EC_POINT *B = point_from(s, blind, bn);
    EC_POINT *R = EC_POINT_new(s->group);
    int ok = B != NULL && R != NULL && EC_POINT_mul(s->group, R, s->eph, B, s->w0, bn) == 1 &&
             point_to(s, R, out, bn);
    EC_POINT_free(B);
    EC_POINT_free(R);
    return ok ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
}

static int tt_item(EVP_MD_CTX *h, const uint8_t *data, size_t length)
{
    uint8_t prefix[8];
    for (int i = 0; i < 8; i++) {
        prefix[i] = (uint8_t)((uint64_t)length >> (8 * i));
    }
    return EVP_DigestUpdate(h, prefix, sizeof(prefix)) == 1 &&
           (length == 0 || EVP_DigestUpdate(h, data, length) == 1);
}

/* HKDF(salt = nil, ikm, info) of `length` bytes. */
static psa_status_t hkdf(const spake2p_t *s, const uint8_t *ikm, size_t ikm_length,
                         const char *info, uint8_t *out, size_t length)
{
    EVP_KDF_CTX *k = EVP_KDF_CTX_new(spake2p_hkdf);
    OSSL_PARAM params[4];
    params[0] =
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(s->md), 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_length);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
    params[3] = OSSL_PARAM_construct_end();
    int ok = k != NULL && EVP_KDF_derive(k, out, length, params) == 1;
    EVP_KDF_CTX_free(k);
    return ok ? PSA_SUCCESS : PSA_ERROR_CORRUPTION_DETECTED;
}

/* The confirmation MAC: HMAC with the suite's hash, or CMAC-AES-128. */
static psa_status_t mac(const spake2p_t *s, const uint8_t *key, size_t key_length,
                        const uint8_t *data, size_t length, uint8_t *out)
{
    bool cmac = PSA_ALG_IS_SPAKE2P_CMAC(s->alg);
    EVP_MAC_CTX *m = EVP_MAC_CTX_new(cmac ? spake2p_cmac : spake2p_hmac);
    OSSL_PARAM params[2];
    params[0] = cmac ? OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 0)
                     : OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                        (char *)EVP_MD_get0_name(s->md), 0);
    params[1] = OSSL_PARAM_construct_end();
    size_t got = 0;
    int ok = m != NULL && EVP_MAC_init(m, key, key_length, params) == 1 &&
             EVP_MAC_update(m, data, length) == 1 &&
             EVP_MAC_final(m, out, &got, SPAKE2P_HASH_MAX) == 1 && got == s->confirm_length;
    EVP_MAC_CTX_free(m);
    return ok ? PSA_SUCCESS : PSA_ERROR_CORRUPTION_DETECTED;
}

/* The key schedule from TT's digest: confirmation values for both sides and the shared key. */
static psa_status_t key_schedule(spake2p_t *s, const uint8_t *digest)
{
    bool prover = s->role == PSA_PAKE_ROLE_CLIENT;
    uint8_t keys[2 * SPAKE2P_HASH_MAX];
    uint8_t confirm_p[SPAKE2P_HASH_MAX], confirm_v[SPAKE2P_HASH_MAX];
    size_t key_length;
    psa_status_t status;
    if (s->alg == PSA_ALG_SPAKE2P_MATTER) {
        /* draft-02: Ka || Ke = Hash(TT); KcA || KcB = KDF(nil, Ka, "ConfirmationKeys"). */
        size_t half = s->hash_length / 2;
        key_length = half;
        s->confirm_length = s->hash_length;
        status = hkdf(s, digest, half, "ConfirmationKeys", keys, 2 * half);
        memcpy(s->shared, digest + half, half);
        s->shared_length = half;
    } else {
        /* RFC 9383 3.4: K_main = Hash(TT); K_confirmP || K_confirmV = KDF(nil, K_main,
         * "ConfirmationKeys"); K_shared = KDF(nil, K_main, "SharedKey"). CMAC-AES-128 takes
         * 16-byte keys, HMAC keys are a hash long. */
        bool cmac = PSA_ALG_IS_SPAKE2P_CMAC(s->alg);
        key_length = cmac ? SPAKE2P_CMAC_LENGTH : s->hash_length;
        s->confirm_length = cmac ? SPAKE2P_CMAC_LENGTH : s->hash_length;
        status = hkdf(s, digest, s->hash_length, "ConfirmationKeys", keys, 2 * key_length);
        if (status == PSA_SUCCESS) {
            status = hkdf(s, digest, s->hash_length, "SharedKey", s->shared, s->hash_length);
            s->shared_length = s->hash_length;
        }
    }
    /* confirmP = MAC(K_confirmP, shareV), confirmV = MAC(K_confirmV, shareP). */
    if (status == PSA_SUCCESS) {
        status = mac(s, keys, key_length, s->share_v, s->point_length, confirm_p);
    }
    if (status == PSA_SUCCESS) {
        status = mac(s, keys + key_length, key_length, s->share_p, s->point_length, confirm_v);
    }
    if (status == PSA_SUCCESS) {
        memcpy(s->confirm_mine, prover ? confirm_p : confirm_v, s->confirm_length);
        memcpy(s->confirm_theirs, prover ? confirm_v : confirm_p, s->confirm_length);
    }
    OPENSSL_cleanse(keys, sizeof(keys));
    OPENSSL_cleanse(confirm_p, sizeof(confirm_p));
    OPENSSL_cleanse(confirm_v, sizeof(confirm_v));
    return status;
}

/* Z and V from the peer's share, then TT and the key schedule. */
static psa_status_t finish_exchange(spake2p_t *s, const spake2p_ids_t *ids, BN_CTX *bn)
{
    bool prover = s->role == PSA_PAKE_ROLE_CLIENT;
    /* T = peer share - w0 * (the peer's blinding point). */
    EC_POINT *peer = point_from(s, prover ? s->share_v : s->share_p, bn);
    EC_POINT *blind = point_from(s, prover ? spake2p_p256_n : spake2p_p256_m, bn);
    EC_POINT *T = EC_POINT_new(s->group);
    EC_POINT *Z = EC_POINT_new(s->group);
    EC_POINT *V = EC_POINT_new(s->group);
    uint8_t z[SPAKE2P_POINT_MAX], v[SPAKE2P_POINT_MAX], w0[SPAKE2P_SCALAR_MAX];
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    psa_status_t status = PSA_ERROR_INSUFFICIENT_MEMORY;
    int ok = peer != NULL && blind != NULL && T != NULL && Z != NULL && V != NULL &&
             EC_POINT_mul(s->group, T, NULL, blind, s->w0, bn) == 1 &&
             EC_POINT_invert(s->group, T, bn) == 1 && EC_POINT_add(s->group, T, peer, T, bn) == 1 &&
             EC_POINT_mul(s->group, Z, NULL, T, s->eph, bn) == 1 &&
             (prover ? EC_POINT_mul(s->group, V, NULL, T, s->w1, bn)
                     : EC_POINT_mul(s->group, V, NULL, s->L, s->eph, bn)) == 1;
    if (ok && (EC_POINT_is_at_infinity(s->group, Z) || EC_POINT_is_at_infinity(s->group, V))) {
        /* Only a share equal to w0*M (or w0*N) gets here: not a valid peer. */
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else if (ok && point_to(s, Z, z, bn) && point_to(s, V, v, bn) &&
               asym_bn_to_bytes(s->w0, w0, s->scalar_length) == PSA_SUCCESS) {
        EVP_MD_CTX *h = EVP_MD_CTX_new();
        ok = h != NULL && EVP_DigestInit_ex(h, s->md, NULL) == 1 &&
             tt_item(h, ids->context, ids->context_length) &&
             tt_item(h, ids->prover, ids->prover_length) &&
             tt_item(h, ids->verifier, ids->verifier_length) &&
             tt_item(h, spake2p_p256_m, sizeof(spake2p_p256_m)) &&
             tt_item(h, spake2p_p256_n, sizeof(spake2p_p256_n)) &&
             tt_item(h, s->share_p, s->point_length) && tt_item(h, s->share_v, s->point_length) &&
             tt_item(h, z, s->point_length) && tt_item(h, v, s->point_length) &&
             tt_item(h, w0, s->scalar_length) &&
             EVP_DigestFinal_ex(h, digest, &digest_length) == 1 && digest_length == s->hash_length;
        EVP_MD_CTX_free(h);
        status = ok ? key_schedule(s, digest) : PSA_ERROR_CORRUPTION_DETECTED;
    }
    EC_POINT_free(peer);
    EC_POINT_free(blind);
    EC_POINT_clear_free(T);
    EC_POINT_clear_free(Z);
    EC_POINT_clear_free(V);
    OPENSSL_cleanse(z, sizeof(z));
    OPENSSL_cleanse(v, sizeof(v));
    OPENSSL_cleanse(w0, sizeof(w0));
    OPENSSL_cleanse(digest, sizeof(digest));
    /* The ephemeral scalar has done its work. */
    BN_clear_free(s->eph);
    s->eph = NULL;
    return status;
}

/* ---- steps ----------------------------------------------------------------------------------- */

/* Is `step` in direction `dir` the next one? INVALID_ARGUMENT for steps SPAKE2+ does not have. */
static psa_status_t check_order(const spake2p_t *s, spake2p_dir_t dir, psa_pake_step_t step)
{
    static const struct {
        spake2p_dir_t dir;
        psa_pake_step_t step;
    } prover[4] = {{SPAKE2P_OUT, PSA_PAKE_STEP_KEY_SHARE},
                   {SPAKE2P_IN, PSA_PAKE_STEP_KEY_SHARE},
                   {SPAKE2P_IN, PSA_PAKE_STEP_CONFIRM},
                   {SPAKE2P_OUT, PSA_PAKE_STEP_CONFIRM}},
      verifier[4] = {{SPAKE2P_IN, PSA_PAKE_STEP_KEY_SHARE},
                     {SPAKE2P_OUT, PSA_PAKE_STEP_KEY_SHARE},
                     {SPAKE2P_OUT, PSA_PAKE_STEP_CONFIRM},
                     {SPAKE2P_IN, PSA_PAKE_STEP_CONFIRM}};
    if (step != PSA_PAKE_STEP_KEY_SHARE && step != PSA_PAKE_STEP_CONFIRM) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (s->role == PSA_PAKE_ROLE_NONE || s->pos >= 4) {
        return PSA_ERROR_BAD_STATE;
    }
    const bool is_prover = s->role == PSA_PAKE_ROLE_CLIENT;
    int i = s->pos;
    if ((is_prover ? prover[i].dir : verifier[i].dir) != dir ||
        (is_prover ? prover[i].step : verifier[i].step) != step) {
        return PSA_ERROR_BAD_STATE;
    }
    return PSA_SUCCESS;
}

psa_status_t spake2p_output(spake2p_t *s, const spake2p_ids_t *ids, psa_pake_step_t step,
                            uint8_t *output, size_t output_size, size_t *output_length)
{
    *output_length = 0;
    psa_status_t status = check_order(s, SPAKE2P_OUT, step);
    if (status != PSA_SUCCESS) {
        return status;
    }
    size_t length = step == PSA_PAKE_STEP_KEY_SHARE ? s->point_length : s->confirm_length;
    if (output_size < length) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    if (step == PSA_PAKE_STEP_KEY_SHARE) {
        BN_CTX *bn = BN_CTX_secure_new();
        bool prover = s->role == PSA_PAKE_ROLE_CLIENT;
        status = bn == NULL ? PSA_ERROR_INSUFFICIENT_MEMORY
                            : make_share(s, prover ? spake2p_p256_m : spake2p_p256_n,
                                         prover ? s->share_p : s->share_v, bn);
        if (status == PSA_SUCCESS && !prover) {
            status = finish_exchange(s, ids, bn);
        }
        BN_CTX_free(bn);
        if (status != PSA_SUCCESS) {
            return status;
        }
        memcpy(output, prover ? s->share_p : s->share_v, length);
    } else {
        memcpy(output, s->confirm_mine, length);
    }
    *output_length = length;
    s->pos++;
    return PSA_SUCCESS;
}

psa_status_t spake2p_input(spake2p_t *s, const spake2p_ids_t *ids, psa_pake_step_t step,
                           const uint8_t *input, size_t input_length)
{
    psa_status_t status = check_order(s, SPAKE2P_IN, step);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (step == PSA_PAKE_STEP_CONFIRM) {
        if (input_length != s->confirm_length) {
            return PSA_ERROR_INVALID_SIGNATURE;
        }
        if (CRYPTO_memcmp(input, s->confirm_theirs, input_length) != 0) {
            return PSA_ERROR_INVALID_SIGNATURE;
        }
        s->pos++;
        return PSA_SUCCESS;
    }
    BN_CTX *bn = BN_CTX_secure_new();
    if (bn == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    status = share_check(s, input, input_length, bn);
    if (status == PSA_SUCCESS) {
        bool prover = s->role == PSA_PAKE_ROLE_CLIENT;
        memcpy(prover ? s->share_v : s->share_p, input, input_length);
        if (prover) {
            status = finish_exchange(s, ids, bn);
        }
    }
    BN_CTX_free(bn);
    if (status == PSA_SUCCESS) {
        s->pos++;
    }
    return status;
}

psa_status_t spake2p_shared_secret(const spake2p_t *s, uint8_t *output, size_t output_size,
                                   size_t *output_length)
{
    *output_length = 0;
    if (output_size < s->shared_length) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    memcpy(output, s->shared, s->shared_length);
    *output_length = s->shared_length;
    return PSA_SUCCESS;
}
