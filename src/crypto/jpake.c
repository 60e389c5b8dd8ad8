/* EC J-PAKE (RFC 8236) with Schnorr zero-knowledge proofs (RFC 8235) on OpenSSL's EC arithmetic. */
#include "pake_internal.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "asym_internal.h"

/*
 * Notation follows RFC 8236 section 2 from this side's point of view: x1, x2 and X1 = G*x1,
 * X2 = G*x2 are ours; X3, X4 the peer's round-one shares; s the password. Round two sends
 * A = (X1+X3+X4)*(x2*s) and receives B = (X3+X1+X2)*(x4*s); K = (B - X4*(x2*s))*x2.
 *
 * A Schnorr proof for X = base*x is (V = base*v, r = v - x*c mod n) with
 * c = H(len||base || len||V || len||X || len||id) mod n, every element prefixed with its length
 * as a 4-byte big-endian number and points in uncompressed form -- the encoding that the Thread
 * and TLS EC J-PAKE profile uses, so proofs made here verify in those implementations.
 *
 * Steps: each round has an output group (round one: two triples KEY_SHARE, ZK_PUBLIC, ZK_PROOF;
 * round two: one triple) and an input group of the same shape. Within a round the two groups may
 * come in either order, but a group once begun must be finished before the other one starts;
 * round two begins when both groups of round one are done (its output needs the peer's shares,
 * its input needs ours).
 */

struct jpake {
    const EC_GROUP *group;
    const EVP_MD *md;
    size_t point_length;  /* uncompressed point */
    size_t scalar_length; /* big-endian scalar, bytes of the group order */
    BIGNUM *s;            /* password mod n */
    BIGNUM *x1, *x2, *x2s;
    EC_POINT *X1, *X2, *X3, *X4, *B;
    EC_POINT *in_X, *in_V; /* the peer's current triple, until its proof arrives */
    EC_POINT *K;
    int round;   /* 1, 2, or 3 once both rounds are complete */
    int out_pos; /* steps of this round's output group done */
    int in_pos;  /* steps of this round's input group done */
    uint8_t out[3][JPAKE_SECRET_MAX_SIZE]; /* the current output triple, serialized */
    size_t out_length[3];
};

static int round_steps(const jpake_t *j)
{
    return j->round == 1 ? 6 : 3;
}

int jpake_started(const jpake_t *j)
{
    return j->round > 1 || j->out_pos > 0 || j->in_pos > 0;
}

int jpake_finished(const jpake_t *j)
{
    return j->round == 3;
}

void jpake_free(jpake_t *j)
{
    if (j == NULL) {
        return;
    }
    BN_clear_free(j->s);
    BN_clear_free(j->x1);
    BN_clear_free(j->x2);
    BN_clear_free(j->x2s);
    EC_POINT_free(j->X1);
    EC_POINT_free(j->X2);
    EC_POINT_free(j->X3);
    EC_POINT_free(j->X4);
    EC_POINT_free(j->B);
    EC_POINT_free(j->in_X);
    EC_POINT_free(j->in_V);
    EC_POINT_clear_free(j->K);
    OPENSSL_cleanse(j, sizeof(*j));
    OPENSSL_free(j);
}

psa_status_t jpake_new(size_t bits, psa_algorithm_t hash_alg, const uint8_t *password,
                       size_t password_length, jpake_t **out)
{
    *out = NULL;
    const asym_curve_t *curve = asym_curve_find(PSA_ECC_FAMILY_SECP_R1, bits);
    const EC_GROUP *group = curve != NULL ? asym_curve_group(curve) : NULL;
    const EVP_MD *md = core_hash_md(hash_alg);
    if (group == NULL || md == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    jpake_t *j = OPENSSL_zalloc(sizeof(*j));
    if (j == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    j->group = group;
    j->md = md;
    j->point_length = 1 + 2 * (((size_t)EC_GROUP_get_degree(group) + 7) / 8);
    j->scalar_length = (size_t)BN_num_bytes(EC_GROUP_get0_order(group));
    j->round = 1;
    if (password_length > (size_t)INT32_MAX) {
        jpake_free(j);
        return PSA_ERROR_NOT_SUPPORTED;
    }
    psa_status_t status = PSA_ERROR_INSUFFICIENT_MEMORY;
    BN_CTX *bn = BN_CTX_secure_new();
    j->s = BN_secure_new();
    if (bn != NULL && j->s != NULL &&
        BN_bin2bn(password, (int)password_length, j->s) != NULL) {
        BN_set_flags(j->s, BN_FLG_CONSTTIME);
        if (BN_nnmod(j->s, j->s, EC_GROUP_get0_order(group), bn) == 1) {
            /* A password that is a multiple of n would make every share independent of it. */
            status = BN_is_zero(j->s) ? PSA_ERROR_INVALID_ARGUMENT : PSA_SUCCESS;
        }
    }
    BN_CTX_free(bn);
    if (status != PSA_SUCCESS) {
        jpake_free(j);
        return status;
    }
    *out = j;
    return PSA_SUCCESS;
}

/* ---- helpers ----------------------------------------------------------------------------- */

static psa_status_t point_write(const jpake_t *j, const EC_POINT *p, uint8_t *buf, size_t *length,
                                BN_CTX *bn)
{
    size_t n = EC_POINT_point2oct(j->group, p, POINT_CONVERSION_UNCOMPRESSED, buf,
                                  JPAKE_SECRET_MAX_SIZE, bn);
    if (n != j->point_length) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    *length = n;
    return PSA_SUCCESS;
}

/* A peer's point: the public-key format of the curve (uncompressed), on the curve, not the point
 * at infinity; INVALID_ARGUMENT otherwise. */
static psa_status_t point_read(const jpake_t *j, const uint8_t *data, size_t length, EC_POINT **out,
                               BN_CTX *bn)
{
    if (length != j->point_length || data[0] != 0x04) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    EC_POINT *p = EC_POINT_new(j->group);
    if (p == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (EC_POINT_oct2point(j->group, p, data, length, bn) != 1 ||
        EC_POINT_is_at_infinity(j->group, p) || EC_POINT_is_on_curve(j->group, p, bn) != 1) {
        EC_POINT_free(p);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    EC_POINT_free(*out);
    *out = p;
    return PSA_SUCCESS;
}

static int hash_item(EVP_MD_CTX *h, const uint8_t *data, size_t length)
{
    uint8_t prefix[4] = {(uint8_t)(length >> 24), (uint8_t)(length >> 16), (uint8_t)(length >> 8),
                         (uint8_t)length};
    return EVP_DigestUpdate(h, prefix, sizeof(prefix)) == 1 &&
           (length == 0 || EVP_DigestUpdate(h, data, length) == 1);
}

static int hash_point(EVP_MD_CTX *h, const jpake_t *j, const EC_POINT *p, BN_CTX *bn)
{
    uint8_t buf[JPAKE_SECRET_MAX_SIZE];
    size_t length = 0;
    return point_write(j, p, buf, &length, bn) == PSA_SUCCESS && hash_item(h, buf, length);
}

/* The proof's challenge c = H(base, V, X, id) mod n. */
static psa_status_t challenge(const jpake_t *j, const EC_POINT *base, const EC_POINT *V,
                              const EC_POINT *X, const uint8_t *id, size_t id_length, BIGNUM *c,
                              BN_CTX *bn)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    int ok = h != NULL && EVP_DigestInit_ex(h, j->md, NULL) == 1 && hash_point(h, j, base, bn) &&
             hash_point(h, j, V, bn) && hash_point(h, j, X, bn) && hash_item(h, id, id_length) &&
             EVP_DigestFinal_ex(h, digest, &digest_length) == 1 &&
             BN_bin2bn(digest, (int)digest_length, c) != NULL &&
             BN_nnmod(c, c, EC_GROUP_get0_order(j->group), bn) == 1;
    EVP_MD_CTX_free(h);
    return ok ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
}

/* A uniformly random scalar in [1, n-1]. */
static psa_status_t random_scalar(const jpake_t *j, BIGNUM **out)
{
    BIGNUM *range = BN_dup(EC_GROUP_get0_order(j->group));
    BIGNUM *x = BN_secure_new();
    int ok = range != NULL && x != NULL && BN_sub_word(range, 1) == 1 &&
             BN_priv_rand_range(x, range) == 1 && BN_add_word(x, 1) == 1;
    BN_free(range);
    if (!ok) {
        BN_clear_free(x);
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    }
    BN_set_flags(x, BN_FLG_CONSTTIME);
    *out = x;
    return PSA_SUCCESS;
}

/* base*k; a NULL base is the group generator. */
static int mul(const jpake_t *j, EC_POINT *r, const EC_POINT *base, const BIGNUM *k, BN_CTX *bn)
{
    return base == NULL ? EC_POINT_mul(j->group, r, k, NULL, NULL, bn)
                        : EC_POINT_mul(j->group, r, NULL, base, k, bn);
}

/* The output triple for secret x on `base` (NULL: the generator): X = base*x, then the proof. */
static psa_status_t prove(jpake_t *j, const EC_POINT *base, const BIGNUM *x, const EC_POINT *X,
                          const uint8_t *id, size_t id_length, BN_CTX *bn)
{
    const EC_POINT *b = base != NULL ? base : EC_GROUP_get0_generator(j->group);
    BIGNUM *v = NULL;
    BIGNUM *c = BN_new();
    BIGNUM *r = BN_secure_new();
    EC_POINT *V = EC_POINT_new(j->group);
    psa_status_t status = c && r && V ? random_scalar(j, &v) : PSA_ERROR_INSUFFICIENT_MEMORY;
    if (status == PSA_SUCCESS) {
        status = mul(j, V, base, v, bn) == 1 ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (status == PSA_SUCCESS) {
        status = challenge(j, b, V, X, id, id_length, c, bn);
    }
    if (status == PSA_SUCCESS) {
        BN_set_flags(r, BN_FLG_CONSTTIME);
        const BIGNUM *n = EC_GROUP_get0_order(j->group);
        int ok = BN_mod_mul(r, x, c, n, bn) == 1 && BN_mod_sub(r, v, r, n, bn) == 1 &&
                 BN_bn2binpad(r, j->out[2], (int)j->scalar_length) == (int)j->scalar_length;
        status = ok ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
        j->out_length[2] = j->scalar_length;
    }
    if (status == PSA_SUCCESS) {
        status = point_write(j, X, j->out[0], &j->out_length[0], bn);
    }
    if (status == PSA_SUCCESS) {
        status = point_write(j, V, j->out[1], &j->out_length[1], bn);
    }
    BN_clear_free(v);
    BN_clear_free(r);
    BN_free(c);
    EC_POINT_free(V);
    return status;
}

/* Checks the peer's proof (V, r) that it knows the discrete log of X on `base`. */
static psa_status_t verify(const jpake_t *j, const EC_POINT *base, const EC_POINT *X,
                           const EC_POINT *V, const uint8_t *r_bytes, size_t r_length,
                           const uint8_t *id, size_t id_length, BN_CTX *bn)
{
    if (r_length == 0 || r_length > j->scalar_length) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    const EC_POINT *b = base != NULL ? base : EC_GROUP_get0_generator(j->group);
    BIGNUM *r = BN_bin2bn(r_bytes, (int)r_length, NULL);
    BIGNUM *c = BN_new();
    EC_POINT *t1 = EC_POINT_new(j->group);
    EC_POINT *t2 = EC_POINT_new(j->group);
    psa_status_t status = r && c && t1 && t2 ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
    if (status == PSA_SUCCESS && BN_cmp(r, EC_GROUP_get0_order(j->group)) >= 0) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    }
    if (status == PSA_SUCCESS) {
        status = challenge(j, b, V, X, id, id_length, c, bn);
    }
    if (status == PSA_SUCCESS) {
        /* V must equal base*r + X*c. */
        int ok = mul(j, t1, base, r, bn) == 1 && EC_POINT_mul(j->group, t2, NULL, X, c, bn) == 1 &&
                 EC_POINT_add(j->group, t1, t1, t2, bn) == 1;
        if (!ok) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        } else if (EC_POINT_cmp(j->group, t1, V, bn) != 0) {
            status = PSA_ERROR_INVALID_SIGNATURE;
        }
    }
    BN_free(r);
    BN_free(c);
    EC_POINT_free(t1);
    EC_POINT_free(t2);
    return status;
}

/* p + q + u into a new point; INVALID_ARGUMENT if the sum is the point at infinity. */
static psa_status_t sum3(const jpake_t *j, const EC_POINT *p, const EC_POINT *q, const EC_POINT *u,
                         EC_POINT **out, BN_CTX *bn)
{
    EC_POINT *s = EC_POINT_new(j->group);
    if (s == NULL || EC_POINT_add(j->group, s, p, q, bn) != 1 ||
        EC_POINT_add(j->group, s, s, u, bn) != 1) {
        EC_POINT_free(s);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (EC_POINT_is_at_infinity(j->group, s)) {
        EC_POINT_free(s);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *out = s;
    return PSA_SUCCESS;
}

static psa_pake_step_t expected_step(int pos)
{
    static const psa_pake_step_t order[3] = {PSA_PAKE_STEP_KEY_SHARE, PSA_PAKE_STEP_ZK_PUBLIC,
                                             PSA_PAKE_STEP_ZK_PROOF};
    return order[pos % 3];
}

/* The common order checks of output and input: `mine` is the position of the group being
 * called, `other` the position of the other group of the round. */
static psa_status_t check_order(const jpake_t *j, psa_pake_step_t step, int mine, int other)
{
    if (step != PSA_PAKE_STEP_KEY_SHARE && step != PSA_PAKE_STEP_ZK_PUBLIC &&
        step != PSA_PAKE_STEP_ZK_PROOF) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    int total = round_steps(j);
    if (j->round > 2 || mine == total || (other > 0 && other < total) ||
        step != expected_step(mine)) {
        return PSA_ERROR_BAD_STATE;
    }
    return PSA_SUCCESS;
}

static void advance_round(jpake_t *j)
{
    if (j->out_pos == round_steps(j) && j->in_pos == round_steps(j)) {
        j->round++;
        j->out_pos = 0;
        j->in_pos = 0;
    }
}

/* ---- the steps ------------------------------------------------------------------------------ */

/* Computes the output triple that starts at the current output position. */
static psa_status_t output_group(jpake_t *j, const uint8_t *user, size_t user_length, BN_CTX *bn)
{
    if (j->round == 1) {
        BIGNUM **x = j->out_pos == 0 ? &j->x1 : &j->x2;
        EC_POINT **X = j->out_pos == 0 ? &j->X1 : &j->X2;
        BN_clear_free(*x);
        *x = NULL;
        EC_POINT_free(*X);
        *X = EC_POINT_new(j->group);
        psa_status_t status = *X != NULL ? random_scalar(j, x) : PSA_ERROR_INSUFFICIENT_MEMORY;
        if (status == PSA_SUCCESS && mul(j, *X, NULL, *x, bn) != 1) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        return status == PSA_SUCCESS ? prove(j, NULL, *x, *X, user, user_length, bn) : status;
    }
    /* Round two: A = (X1 + X3 + X4) * (x2 * s). */
    EC_POINT *base = NULL;
    EC_POINT *A = EC_POINT_new(j->group);
    psa_status_t status = A != NULL ? sum3(j, j->X1, j->X3, j->X4, &base, bn)
                                    : PSA_ERROR_INSUFFICIENT_MEMORY;
    if (status == PSA_SUCCESS && j->x2s == NULL) {
        j->x2s = BN_secure_new();
        if (j->x2s == NULL) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        } else {
            BN_set_flags(j->x2s, BN_FLG_CONSTTIME);
            if (BN_mod_mul(j->x2s, j->x2, j->s, EC_GROUP_get0_order(j->group), bn) != 1) {
                status = PSA_ERROR_INSUFFICIENT_MEMORY;
            }
        }
    }
    if (status == PSA_SUCCESS && mul(j, A, base, j->x2s, bn) != 1) {
        status = PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (status == PSA_SUCCESS) {
        status = prove(j, base, j->x2s, A, user, user_length, bn);
    }
    EC_POINT_free(base);
    EC_POINT_free(A);
    return status;
}

psa_status_t jpake_output(jpake_t *j, const uint8_t *user, size_t user_length, psa_pake_step_t step,
                          uint8_t *output, size_t output_size, size_t *output_length)
{
    *output_length = 0;
    psa_status_t status = check_order(j, step, j->out_pos, j->in_pos);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (j->out_pos % 3 == 0) {
        BN_CTX *bn = BN_CTX_secure_new();
        status = bn != NULL ? output_group(j, user, user_length, bn)
                            : PSA_ERROR_INSUFFICIENT_MEMORY;
        BN_CTX_free(bn);
        if (status != PSA_SUCCESS) {
            return status;
        }
    }
    int index = j->out_pos % 3;
    if (output_size < j->out_length[index]) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    memcpy(output, j->out[index], j->out_length[index]);
    *output_length = j->out_length[index];
    j->out_pos++;
    advance_round(j);
    return PSA_SUCCESS;
}

/* K = (B - X4*(x2*s)) * x2, once B is known. */
static psa_status_t compute_k(jpake_t *j, BN_CTX *bn)
{
    EC_POINT *t = EC_POINT_new(j->group);
    j->K = EC_POINT_new(j->group);
    if (t == NULL || j->K == NULL || EC_POINT_mul(j->group, t, NULL, j->X4, j->x2s, bn) != 1 ||
        EC_POINT_invert(j->group, t, bn) != 1 || EC_POINT_add(j->group, t, j->B, t, bn) != 1 ||
        EC_POINT_mul(j->group, j->K, NULL, t, j->x2, bn) != 1) {
        EC_POINT_free(t);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    EC_POINT_clear_free(t);
    return EC_POINT_is_at_infinity(j->group, j->K) ? PSA_ERROR_INVALID_ARGUMENT : PSA_SUCCESS;
}

/* The peer's proof has arrived: verify it and keep the share. */
static psa_status_t input_proof(jpake_t *j, const uint8_t *peer, size_t peer_length,
                                const uint8_t *input, size_t input_length, BN_CTX *bn)
{
    EC_POINT *base = NULL;
    psa_status_t status = PSA_SUCCESS;
    if (j->round == 2) {
        /* The peer's generator: X3 + X1 + X2. */
        status = sum3(j, j->X3, j->X1, j->X2, &base, bn);
    }
    if (status == PSA_SUCCESS) {
        status = verify(j, base, j->in_X, j->in_V, input, input_length, peer, peer_length, bn);
    }
    EC_POINT_free(base);
    if (status != PSA_SUCCESS) {
        return status;
    }
    EC_POINT **slot = j->round == 2 ? &j->B : j->in_pos < 3 ? &j->X3 : &j->X4;
    EC_POINT_free(*slot);
    *slot = j->in_X;
    j->in_X = NULL;
    return j->round == 2 ? compute_k(j, bn) : PSA_SUCCESS;
}

psa_status_t jpake_input(jpake_t *j, const uint8_t *peer, size_t peer_length, psa_pake_step_t step,
                         const uint8_t *input, size_t input_length)
{
    psa_status_t status = check_order(j, step, j->in_pos, j->out_pos);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (j->round == 2 && j->x2s == NULL) {
        /* Our round-two output has not run: the peer's proof needs only X1..X4, but K needs x2*s;
         * compute it here so either order works. */
        BN_CTX *bn = BN_CTX_secure_new();
        j->x2s = BN_secure_new();
        int ok = bn != NULL && j->x2s != NULL &&
                 BN_mod_mul(j->x2s, j->x2, j->s, EC_GROUP_get0_order(j->group), bn) == 1;
        BN_CTX_free(bn);
        if (!ok) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        BN_set_flags(j->x2s, BN_FLG_CONSTTIME);
    }
    BN_CTX *bn = BN_CTX_secure_new();
    if (bn == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    switch (j->in_pos % 3) {
    case 0:
        status = point_read(j, input, input_length, &j->in_X, bn);
        break;
    case 1:
        status = point_read(j, input, input_length, &j->in_V, bn);
        break;
    default:
        status = input_proof(j, peer, peer_length, input, input_length, bn);
        break;
    }
    BN_CTX_free(bn);
    if (status != PSA_SUCCESS) {
        return status;
    }
    j->in_pos++;
    advance_round(j);
    return PSA_SUCCESS;
}

psa_status_t jpake_shared_secret(jpake_t *j, uint8_t *output, size_t output_size,
                                 size_t *output_length)
{
    *output_length = 0;
    if (!jpake_finished(j) || j->K == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (output_size < j->point_length) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    BN_CTX *bn = BN_CTX_secure_new();
    uint8_t buf[JPAKE_SECRET_MAX_SIZE];
    size_t length = 0;
    psa_status_t status =
        bn != NULL ? point_write(j, j->K, buf, &length, bn) : PSA_ERROR_INSUFFICIENT_MEMORY;
    BN_CTX_free(bn);
    if (status == PSA_SUCCESS) {
        memcpy(output, buf, length);
        *output_length = length;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return status;
}
