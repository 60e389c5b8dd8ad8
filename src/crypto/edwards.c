/* Edwards-curve points on BIGNUM (complete addition, uniform ladder) and HashEdDSA (RFC 8032). */
#include "edwards.h"

#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core.h"

/*
 * Why this file exists: OpenSSL 3.0 has no prehash EdDSA instances and no public Edwards point
 * arithmetic, so Ed25519ph and Ed448ph are computed here on BIGNUM, with libcrypto's SHA-512 and
 * SHAKE256 for the hashes.
 *
 * Side channels: scalar multiplication is a Montgomery ladder over a fixed number of bits (the
 * scalar's bit length for the curve, not its value) with the complete addition law of RFC 8032
 * 5.1.4 / 5.2.4 used for both steps and BN_consttime_swap for the conditional swaps, so the
 * sequence of field operations and memory accesses of the ladder does not depend on the scalar's
 * bits. BIGNUM itself is not constant-time: Montgomery multiplication, modular addition and the
 * reductions of the nonce and of S (r + k*s mod L) take time that can depend on operand values
 * (word counts, final subtractions), which are derived from the secret. This is weaker than
 * OpenSSL's own fixed-limb Ed25519/Ed448 code; a caller whose threat model includes local timing
 * or cache attackers should prefer pure EdDSA, which runs on OpenSSL's implementation.
 */

#define EDWARDS_MAX_LENGTH 57u  /* encoding of an edwards448 point or scalar */
#define EDWARDS_HASH_MAX   114u /* SHAKE256 output of Ed448 (SHA-512 gives 64) */
#define EDWARDS_PH_LENGTH  64u  /* PH(M) of both instances */

typedef struct edwards_curve {
    edwards_curve_id_t id;
    size_t length;          /* encoded point, seed and scalar length */
    size_t hash_length;     /* H output: 64 (SHA-512) or 114 (SHAKE256) */
    unsigned scalar_bits;   /* ladder length: every scalar used is below 2^scalar_bits */
    unsigned cofactor_log2; /* 3 (edwards25519) or 2 (edwards448) */
    int words;              /* BN_ULONG words of a field element */
    BIGNUM *p;
    BIGNUM *order; /* L */
    BN_MONT_CTX *mont;
    BIGNUM *d;            /* plain, for decoding */
    BIGNUM *d_add;        /* Montgomery form of the addition law's constant: 2d or d */
    BIGNUM *one;          /* 1 in Montgomery form */
    BIGNUM *zero;         /* 0 (the same in both forms) */
    BIGNUM *sqrt_exp;     /* (p-5)/8 (edwards25519) or (p-3)/4 (edwards448) */
    BIGNUM *sqrt_m1;      /* 2^((p-1)/4), a square root of -1 mod p (edwards25519) */
    BIGNUM *p_minus_2;    /* inversion exponent */
    BIGNUM *bx, *by, *bt; /* base point B, Montgomery form, Z = 1 */
    const uint8_t *dom;   /* dom2 / dom4 with phflag 1 and an empty context */
    size_t dom_length;
} edwards_curve_t;

/* Projective (X:Y:Z) coordinates, plus T = XY/Z on edwards25519 (extended coordinates);
 * all in Montgomery form. */
typedef struct edwards_point {
    BIGNUM *x, *y, *z, *t;
} edwards_point_t;

static const uint8_t edwards_dom2_ph[] = "SigEd25519 no Ed25519 collisions\x01";
static const uint8_t edwards_dom4_ph[] = "SigEd448\x01";

/* Built once per process, read-only afterwards (BN_MONT_CTX is safe to share for reading). */
static edwards_curve_t edwards_curves[2];
static bool edwards_ready[2];
static pthread_once_t edwards_once = PTHREAD_ONCE_INIT;

/* ---- field and point arithmetic ------------------------------------------------------------- */

static int fe_mul(const edwards_curve_t *c, BIGNUM *r, const BIGNUM *a, const BIGNUM *b,
                  BN_CTX *ctx)
{
    return BN_mod_mul_montgomery(r, a, b, c->mont, ctx);
}

static int fe_add(const edwards_curve_t *c, BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
    return BN_mod_add_quick(r, a, b, c->p);
}

static int fe_sub(const edwards_curve_t *c, BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
    return BN_mod_sub_quick(r, a, b, c->p);
}

/* Takes the four coordinates of a point from the context's current frame, each with room for a
 * whole field element so BN_consttime_swap can exchange them. */
static bool point_get(const edwards_curve_t *c, edwards_point_t *pt, BN_CTX *ctx)
{
    BIGNUM **coords[4] = {&pt->x, &pt->y, &pt->z, &pt->t};
    for (size_t i = 0; i < 4; i++) {
        BIGNUM *bn = BN_CTX_get(ctx);
        if (bn == NULL || !BN_set_bit(bn, c->words * BN_BITS2 - 1)) {
            return false;
        }
        BN_zero(bn);
        BN_set_flags(bn, BN_FLG_CONSTTIME);
        *coords[i] = bn;
    }
    return true;
}

static bool point_copy(edwards_point_t *r, const edwards_point_t *a)
{
    return BN_copy(r->x, a->x) != NULL && BN_copy(r->y, a->y) != NULL &&
           BN_copy(r->z, a->z) != NULL && BN_copy(r->t, a->t) != NULL;
}

static bool point_set_identity(const edwards_curve_t *c, edwards_point_t *r)
{
    BN_zero(r->x);
    BN_zero(r->t);
    return BN_copy(r->y, c->one) != NULL && BN_copy(r->z, c->one) != NULL;
}

/* r = a + b with the complete formulas of RFC 8032 5.1.4 (extended, a = -1) and 5.2.4
 * (projective, a = 1); valid for doubling too, which keeps the ladder's steps identical. r may be
 * a or b: every input is read before any output is written. */
static bool point_add(const edwards_curve_t *c, edwards_point_t *r, const edwards_point_t *a,
                      const edwards_point_t *b, BN_CTX *ctx)
{
    BN_CTX_start(ctx);
    BIGNUM *t[8];
    bool ok = true;
    for (size_t i = 0; i < 8; i++) {
        t[i] = BN_CTX_get(ctx);
        ok = ok && t[i] != NULL;
    }
    if (ok && c->id == EDWARDS_25519) {
        ok = fe_sub(c, t[0], a->y, a->x) && fe_sub(c, t[1], b->y, b->x) &&
             fe_mul(c, t[0], t[0], t[1], ctx) && /* A = (Y1-X1)(Y2-X2) */
             fe_add(c, t[1], a->y, a->x) && fe_add(c, t[2], b->y, b->x) &&
             fe_mul(c, t[1], t[1], t[2], ctx) &&                                         /* B */
             fe_mul(c, t[2], a->t, b->t, ctx) && fe_mul(c, t[2], t[2], c->d_add, ctx) && /* C */
             fe_mul(c, t[3], a->z, b->z, ctx) && fe_add(c, t[3], t[3], t[3]) &&          /* D */
             fe_sub(c, t[4], t[1], t[0]) && /* E = B-A */
             fe_sub(c, t[5], t[3], t[2]) && /* F = D-C */
             fe_add(c, t[6], t[3], t[2]) && /* G = D+C */
             fe_add(c, t[7], t[1], t[0]) && /* H = B+A */
             fe_mul(c, r->x, t[4], t[5], ctx) && fe_mul(c, r->y, t[6], t[7], ctx) &&
             fe_mul(c, r->t, t[4], t[7], ctx) && fe_mul(c, r->z, t[5], t[6], ctx);
    } else if (ok) {
        ok = fe_mul(c, t[0], a->z, b->z, ctx) && /* A = Z1Z2 */
             fe_mul(c, t[1], t[0], t[0], ctx) && /* B = A^2 */
             fe_mul(c, t[2], a->x, b->x, ctx) && /* C = X1X2 */
             fe_mul(c, t[3], a->y, b->y, ctx) && /* D = Y1Y2 */
             fe_mul(c, t[4], t[2], t[3], ctx) && fe_mul(c, t[4], t[4], c->d_add, ctx) && /* E */
             fe_sub(c, t[5], t[1], t[4]) && /* F = B-E */
             fe_add(c, t[6], t[1], t[4]) && /* G = B+E */
             fe_add(c, t[7], a->x, a->y) && fe_add(c, t[1], b->x, b->y) &&
             fe_mul(c, t[7], t[7], t[1], ctx) &&                           /* H */
             fe_sub(c, t[7], t[7], t[2]) && fe_sub(c, t[7], t[7], t[3]) && /* H-C-D */
             fe_sub(c, t[3], t[3], t[2]) &&                                /* D-C */
             fe_mul(c, t[7], t[7], t[5], ctx) && fe_mul(c, r->x, t[7], t[0], ctx) &&
             fe_mul(c, t[3], t[3], t[6], ctx) && fe_mul(c, r->y, t[3], t[0], ctx) &&
             fe_mul(c, r->z, t[5], t[6], ctx);
    }
    BN_CTX_end(ctx);
    return ok;
}

static void point_cswap(const edwards_curve_t *c, edwards_point_t *a, edwards_point_t *b,
                        BN_ULONG swap)
{
    BN_consttime_swap(swap, a->x, b->x, c->words);
    BN_consttime_swap(swap, a->y, b->y, c->words);
    BN_consttime_swap(swap, a->z, b->z, c->words);
    BN_consttime_swap(swap, a->t, b->t, c->words);
}

/* r = [k]P for a little-endian scalar of c->length bytes, below 2^scalar_bits. A Montgomery
 * ladder: each of the scalar_bits steps is one swap, one addition and one doubling whatever the
 * bit, and the swap is BN_consttime_swap's masked exchange. */
static bool point_mul(const edwards_curve_t *c, edwards_point_t *r, const uint8_t *k,
                      const edwards_point_t *p, BN_CTX *ctx)
{
    BN_CTX_start(ctx);
    edwards_point_t r0, r1;
    bool ok = point_get(c, &r0, ctx) && point_get(c, &r1, ctx) && point_set_identity(c, &r0) &&
              point_copy(&r1, p);
    if (ok) {
        BN_ULONG swap = 0;
        for (unsigned i = c->scalar_bits; i-- > 0;) {
            BN_ULONG bit = (BN_ULONG)((k[i / 8] >> (i % 8)) & 1u);
            point_cswap(c, &r0, &r1, swap ^ bit);
            swap = bit;
            /* Both steps always run; a failure (allocation only) is reported at the end. */
            ok &= point_add(c, &r1, &r0, &r1, ctx);
            ok &= point_add(c, &r0, &r0, &r0, ctx);
        }
        point_cswap(c, &r0, &r1, swap);
        ok = ok && point_copy(r, &r0);
    }
    BN_CTX_end(ctx);
    return ok;
}

/* Encoding of RFC 8032 5.1.2 / 5.2.2: y little-endian, the sign of x in the top bit. */
static bool point_encode(const edwards_curve_t *c, uint8_t *out, const edwards_point_t *p,
                         BN_CTX *ctx)
{
    BN_CTX_start(ctx);
    BIGNUM *z = BN_CTX_get(ctx);
    BIGNUM *zi = BN_CTX_get(ctx);
    BIGNUM *x = BN_CTX_get(ctx);
    BIGNUM *y = BN_CTX_get(ctx);
    bool ok = y != NULL && BN_from_montgomery(z, p->z, c->mont, ctx) &&
              BN_mod_exp_mont_consttime(zi, z, c->p_minus_2, c->p, ctx, c->mont) &&
              BN_from_montgomery(x, p->x, c->mont, ctx) && BN_mod_mul(x, x, zi, c->p, ctx) &&
              BN_from_montgomery(y, p->y, c->mont, ctx) && BN_mod_mul(y, y, zi, c->p, ctx) &&
              BN_bn2lebinpad(y, out, (int)c->length) == (int)c->length;
    if (ok) {
        out[c->length - 1] |= (uint8_t)(BN_is_odd(x) << 7);
    }
    BN_CTX_end(ctx);
    return ok;
}

/* Decoding of RFC 8032 5.1.3 / 5.2.3 into `p` (Montgomery form, Z = 1): 1 for a point, 0 for an
 * encoding the RFC rejects, -1 when BIGNUM fails. Variable-time: only public data is decoded. */
static int point_decode(const edwards_curve_t *c, edwards_point_t *p, const uint8_t *in,
                        BN_CTX *ctx)
{
    uint8_t buf[EDWARDS_MAX_LENGTH];
    memcpy(buf, in, c->length);
    int x0 = buf[c->length - 1] >> 7;
    buf[c->length - 1] &= 0x7f;

    BN_CTX_start(ctx);
    BIGNUM *y = BN_CTX_get(ctx);
    BIGNUM *y2 = BN_CTX_get(ctx);
    BIGNUM *u = BN_CTX_get(ctx);
    BIGNUM *v = BN_CTX_get(ctx);
    BIGNUM *a = BN_CTX_get(ctx);
    BIGNUM *b = BN_CTX_get(ctx);
    BIGNUM *x = BN_CTX_get(ctx);
    int result = -1;
    if (x == NULL || BN_lebin2bn(buf, (int)c->length, y) == NULL) {
        goto done;
    }
    if (BN_cmp(y, c->p) >= 0) {
        result = 0; /* non-canonical y */
        goto done;
    }
    /* x^2 = u / v with u = y^2 - 1 and v = d y^2 + 1 (a = -1) or d y^2 - 1 (a = 1). */
    bool ok = BN_mod_sqr(y2, y, c->p, ctx) && BN_mod_sub(u, y2, BN_value_one(), c->p, ctx) &&
              BN_mod_mul(v, c->d, y2, c->p, ctx) &&
              (c->id == EDWARDS_25519 ? BN_mod_add(v, v, BN_value_one(), c->p, ctx)
                                      : BN_mod_sub(v, v, BN_value_one(), c->p, ctx));
    if (ok && c->id == EDWARDS_25519) {
        /* Candidate x = u v^3 (u v^7)^((p-5)/8). */
        ok = BN_mod_sqr(a, v, c->p, ctx) && BN_mod_mul(a, a, v, c->p, ctx) && /* v^3 */
             BN_mod_sqr(b, a, c->p, ctx) && BN_mod_mul(b, b, v, c->p, ctx) && /* v^7 */
             BN_mod_mul(a, a, u, c->p, ctx) && BN_mod_mul(b, b, u, c->p, ctx) &&
             BN_mod_exp(x, b, c->sqrt_exp, c->p, ctx) && BN_mod_mul(x, x, a, c->p, ctx) &&
             BN_mod_sqr(a, x, c->p, ctx) && BN_mod_mul(a, a, v, c->p, ctx); /* v x^2 */
        if (ok && BN_cmp(a, u) != 0) {
            ok = BN_mod_add(b, a, u, c->p, ctx);
            if (ok && !BN_is_zero(b)) {
                result = 0; /* u/v is not a square: no point has this y */
                goto done;
            }
            ok = ok && BN_mod_mul(x, x, c->sqrt_m1, c->p, ctx);
        }
    } else if (ok) {
        /* Candidate x = u^3 v (u^5 v^3)^((p-3)/4). */
        ok = BN_mod_sqr(a, u, c->p, ctx) && BN_mod_mul(b, a, u, c->p, ctx) && /* u^3 */
             BN_mod_mul(a, a, b, c->p, ctx) &&                                /* u^5 */
             BN_mod_mul(b, b, v, c->p, ctx) &&                                /* u^3 v */
             BN_mod_sqr(x, v, c->p, ctx) && BN_mod_mul(x, x, v, c->p, ctx) && /* v^3 */
             BN_mod_mul(a, a, x, c->p, ctx) && BN_mod_exp(x, a, c->sqrt_exp, c->p, ctx) &&
             BN_mod_mul(x, x, b, c->p, ctx) && BN_mod_sqr(a, x, c->p, ctx) &&
             BN_mod_mul(a, a, v, c->p, ctx);
        if (ok && BN_cmp(a, u) != 0) {
            result = 0;
            goto done;
        }
    }
    if (!ok) {
        goto done;
    }
    if (BN_is_zero(x) && x0 == 1) {
        result = 0; /* "negative zero" */
        goto done;
    }
    if (BN_is_odd(x) != x0 && !BN_sub(x, c->p, x)) {
        goto done;
    }
    if (BN_to_montgomery(p->x, x, c->mont, ctx) && BN_to_montgomery(p->y, y, c->mont, ctx) &&
        BN_copy(p->z, c->one) != NULL && fe_mul(c, p->t, p->x, p->y, ctx)) {
        result = 1;
    }
done:
    BN_CTX_end(ctx);
    return result;
}

/* ---- curve constants ------------------------------------------------------------------------ */

static bool curve_build(edwards_curve_t *c, edwards_curve_id_t id)
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *tmp = BN_new();
    BIGNUM *x = BN_new();
    BIGNUM *y = BN_new();
    c->id = id;
    c->p = BN_new();
    c->order = BN_new();
    c->d = BN_new();
    c->d_add = BN_new();
    c->one = BN_new();
    c->zero = BN_new();
    c->sqrt_exp = BN_new();
    c->sqrt_m1 = BN_new();
    c->p_minus_2 = BN_new();
    c->bx = BN_new();
    c->by = BN_new();
    c->bt = BN_new();
    c->mont = BN_MONT_CTX_new();
    bool ok = ctx != NULL && tmp != NULL && x != NULL && y != NULL && c->p != NULL &&
              c->order != NULL && c->d != NULL && c->d_add != NULL && c->one != NULL &&
              c->zero != NULL && c->sqrt_exp != NULL && c->sqrt_m1 != NULL &&
              c->p_minus_2 != NULL && c->bx != NULL && c->by != NULL && c->bt != NULL &&
              c->mont != NULL;
    if (ok && id == EDWARDS_25519) {
        c->length = 32;
        c->hash_length = 64;
        c->scalar_bits = 255;
        c->cofactor_log2 = 3;
        c->dom = edwards_dom2_ph;
        c->dom_length = sizeof(edwards_dom2_ph); /* the terminating NUL is the context length */
        BIGNUM *l_low = NULL;
        ok = BN_set_bit(c->p, 255) && BN_sub_word(c->p, 19) && BN_set_bit(c->order, 252) &&
             BN_hex2bn(&l_low, "14def9dea2f79cd65812631a5cf5d3ed") != 0 &&
             BN_add(c->order, c->order, l_low) && BN_set_word(tmp, 121666) &&
             BN_mod_inverse(tmp, tmp, c->p, ctx) != NULL && BN_set_word(c->d, 121665) &&
             BN_mod_mul(c->d, c->d, tmp, c->p, ctx) && BN_sub(c->d, c->p, c->d) &&
             BN_copy(c->sqrt_exp, c->p) != NULL && BN_sub_word(c->sqrt_exp, 5) &&
             BN_rshift(c->sqrt_exp, c->sqrt_exp, 3) && BN_copy(tmp, c->p) != NULL &&
             BN_sub_word(tmp, 1) && BN_rshift(tmp, tmp, 2) && BN_set_word(x, 2) &&
             BN_mod_exp(c->sqrt_m1, x, tmp, c->p, ctx) &&
             BN_mod_add(tmp, c->d, c->d, c->p, ctx); /* 2d for the extended formulas */
        BN_free(l_low);
    } else if (ok) {
        c->length = 57;
        c->hash_length = 114;
        c->scalar_bits = 448;
        c->cofactor_log2 = 2;
        c->dom = edwards_dom4_ph;
        c->dom_length = sizeof(edwards_dom4_ph);
        BIGNUM *l_low = NULL;
        ok = BN_set_bit(c->p, 448) && BN_set_bit(tmp, 224) && BN_sub(c->p, c->p, tmp) &&
             BN_sub_word(c->p, 1) && BN_set_bit(c->order, 446) &&
             BN_hex2bn(&l_low, "8335dc163bb124b65129c96fde933d8d723a70aadc873d6d54a7bb0d") != 0 &&
             BN_sub(c->order, c->order, l_low) && BN_copy(c->d, c->p) != NULL &&
             BN_sub_word(c->d, 39081) && BN_copy(c->sqrt_exp, c->p) != NULL &&
             BN_sub_word(c->sqrt_exp, 3) && BN_rshift(c->sqrt_exp, c->sqrt_exp, 2) &&
             BN_copy(tmp, c->d) != NULL;
        BN_free(l_low);
    }
    ok = ok && BN_MONT_CTX_set(c->mont, c->p, ctx) &&
         BN_to_montgomery(c->d_add, tmp, c->mont, ctx) &&
         BN_to_montgomery(c->one, BN_value_one(), c->mont, ctx) && BN_copy(c->p_minus_2, c->p) &&
         BN_sub_word(c->p_minus_2, 2);
    c->words = (BN_num_bits(c->p) + BN_BITS2 - 1) / BN_BITS2;
    BN_zero(c->zero);

    /* Base points: edwards25519's from its encoding (y = 4/5, x even), which also exercises the
     * decoder; edwards448's from the coordinates RFC 8032 5.2 lists. */
    if (ok && id == EDWARDS_25519) {
        uint8_t encoding[32];
        memset(encoding, 0x66, sizeof(encoding));
        encoding[0] = 0x58;
        edwards_point_t b = {c->bx, c->by, BN_new(), c->bt};
        ok = b.z != NULL && point_decode(c, &b, encoding, ctx) == 1;
        BN_free(b.z);
    } else if (ok) {
        ok = BN_dec2bn(&x, "22458004029592430018760433409989603624678964163256413424612546168695"
                           "0415467406032909029192869357953282578032075146446173674602635247710") &&
             BN_dec2bn(&y, "29881921007848149267601793044393067343754404015408024209592824137233"
                           "1506189835876003536878655418784733982303233503462500531545062832660") &&
             BN_to_montgomery(c->bx, x, c->mont, ctx) && BN_to_montgomery(c->by, y, c->mont, ctx) &&
             fe_mul(c, c->bt, c->bx, c->by, ctx);
    }
    BN_free(tmp);
    BN_free(x);
    BN_free(y);
    BN_CTX_free(ctx);
    return ok;
}

static void curves_build(void)
{
    edwards_ready[EDWARDS_25519] = curve_build(&edwards_curves[EDWARDS_25519], EDWARDS_25519);
    edwards_ready[EDWARDS_448] = curve_build(&edwards_curves[EDWARDS_448], EDWARDS_448);
}

static const edwards_curve_t *curve_get(edwards_curve_id_t id)
{
    pthread_once(&edwards_once, curves_build);
    return edwards_ready[id] ? &edwards_curves[id] : NULL;
}

size_t edwards_encoding_length(edwards_curve_id_t id)
{
    return id == EDWARDS_25519 ? 32 : 57;
}

/* ---- hashing and keys ----------------------------------------------------------------------- */

/* H(part0 || part1 || ...) with the curve's H: SHA-512, or SHAKE256 with 114 bytes of output. */
static bool edwards_hash(const edwards_curve_t *c, uint8_t *out, const uint8_t *const *parts,
                         const size_t *lengths, size_t count)
{
    const EVP_MD *md =
        core_hash_md(c->id == EDWARDS_25519 ? PSA_ALG_SHA_512 : PSA_ALG_SHAKE256_512);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = md != NULL && ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1;
    for (size_t i = 0; ok && i < count; i++) {
        ok = EVP_DigestUpdate(ctx, parts[i], lengths[i]) == 1;
    }
    if (ok) {
        ok = c->id == EDWARDS_25519 ? EVP_DigestFinal_ex(ctx, out, NULL) == 1
                                    : EVP_DigestFinalXOF(ctx, out, c->hash_length) == 1;
    }
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* The secret scalar s (clamped low half of H(seed), little-endian) and the nonce prefix (high
 * half), RFC 8032 5.1.5 / 5.2.5. */
static bool edwards_expand(const edwards_curve_t *c, const uint8_t *seed, uint8_t *scalar,
                           uint8_t *prefix)
{
    uint8_t h[EDWARDS_HASH_MAX];
    const uint8_t *parts[1] = {seed};
    size_t lengths[1] = {c->length};
    bool ok = edwards_hash(c, h, parts, lengths, 1);
    if (ok) {
        size_t n = c->length;
        memcpy(scalar, h, n);
        memcpy(prefix, h + n, n);
        if (c->id == EDWARDS_25519) {
            scalar[0] &= 0xf8;
            scalar[31] &= 0x7f;
            scalar[31] |= 0x40;
        } else {
            scalar[0] &= 0xfc;
            scalar[56] = 0;
            scalar[55] |= 0x80;
        }
    }
    OPENSSL_cleanse(h, sizeof(h));
    return ok;
}

/* H(...) interpreted little-endian and reduced mod L, into `out` (a BIGNUM of the frame). */
static bool edwards_hash_mod_order(const edwards_curve_t *c, BIGNUM *out,
                                   const uint8_t *const *parts, const size_t *lengths, size_t count,
                                   BN_CTX *ctx)
{
    uint8_t h[EDWARDS_HASH_MAX];
    bool ok = edwards_hash(c, h, parts, lengths, count) &&
              BN_lebin2bn(h, (int)c->hash_length, out) != NULL && BN_nnmod(out, out, c->order, ctx);
    OPENSSL_cleanse(h, sizeof(h));
    return ok;
}

static void base_point(const edwards_curve_t *c, edwards_point_t *b)
{
    b->x = c->bx;
    b->y = c->by;
    b->z = c->one;
    b->t = c->bt;
}

psa_status_t edwards_public_key(edwards_curve_id_t id, const uint8_t *seed, uint8_t *public_key)
{
    const edwards_curve_t *c = curve_get(id);
    BN_CTX *ctx = c != NULL ? BN_CTX_secure_new() : NULL;
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    uint8_t scalar[EDWARDS_MAX_LENGTH], prefix[EDWARDS_MAX_LENGTH];
    edwards_point_t b, a;
    base_point(c, &b);
    BN_CTX_start(ctx);
    bool ok = edwards_expand(c, seed, scalar, prefix) && point_get(c, &a, ctx) &&
              point_mul(c, &a, scalar, &b, ctx) && point_encode(c, public_key, &a, ctx);
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    OPENSSL_cleanse(scalar, sizeof(scalar));
    OPENSSL_cleanse(prefix, sizeof(prefix));
    return ok ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
}

bool edwards_point_is_valid(edwards_curve_id_t id, const uint8_t *encoding)
{
    const edwards_curve_t *c = curve_get(id);
    BN_CTX *ctx = c != NULL ? BN_CTX_new() : NULL;
    if (ctx == NULL) {
        return false;
    }
    BN_CTX_start(ctx);
    edwards_point_t p;
    bool valid = point_get(c, &p, ctx) && point_decode(c, &p, encoding, ctx) == 1;
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    return valid;
}

/* ---- HashEdDSA ------------------------------------------------------------------------------ */

psa_status_t edwards_ph_sign(edwards_curve_id_t id, const uint8_t *seed, const uint8_t *public_key,
                             const uint8_t prehash[64], uint8_t *signature)
{
    const edwards_curve_t *c = curve_get(id);
    BN_CTX *ctx = c != NULL ? BN_CTX_secure_new() : NULL;
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    size_t n = c->length;
    uint8_t scalar[EDWARDS_MAX_LENGTH], prefix[EDWARDS_MAX_LENGTH], r_bytes[EDWARDS_MAX_LENGTH];
    edwards_point_t b, big_r;
    base_point(c, &b);
    BN_CTX_start(ctx);
    BIGNUM *r = BN_CTX_get(ctx);
    BIGNUM *k = BN_CTX_get(ctx);
    BIGNUM *s = BN_CTX_get(ctx);
    bool ok = s != NULL && point_get(c, &big_r, ctx) && edwards_expand(c, seed, scalar, prefix);
    if (ok) {
        BN_set_flags(r, BN_FLG_CONSTTIME);
        BN_set_flags(s, BN_FLG_CONSTTIME);
        /* r = H(dom || prefix || PH(M)) mod L; R = [r]B. */
        const uint8_t *r_parts[3] = {c->dom, prefix, prehash};
        size_t r_lengths[3] = {c->dom_length, n, EDWARDS_PH_LENGTH};
        ok = edwards_hash_mod_order(c, r, r_parts, r_lengths, 3, ctx) &&
             BN_bn2lebinpad(r, r_bytes, (int)n) == (int)n &&
             point_mul(c, &big_r, r_bytes, &b, ctx) && point_encode(c, signature, &big_r, ctx);
    }
    if (ok) {
        /* k = H(dom || R || A || PH(M)) mod L; S = (r + k s) mod L. */
        const uint8_t *k_parts[4] = {c->dom, signature, public_key, prehash};
        size_t k_lengths[4] = {c->dom_length, n, n, EDWARDS_PH_LENGTH};
        ok = edwards_hash_mod_order(c, k, k_parts, k_lengths, 4, ctx) &&
             BN_lebin2bn(scalar, (int)n, s) != NULL && BN_mod_mul(k, k, s, c->order, ctx) &&
             BN_mod_add(k, k, r, c->order, ctx) &&
             BN_bn2lebinpad(k, signature + n, (int)n) == (int)n;
    }
    BN_CTX_end(ctx);
    BN_CTX_free(ctx); /* clears its numbers: it is a secure context */
    OPENSSL_cleanse(scalar, sizeof(scalar));
    OPENSSL_cleanse(prefix, sizeof(prefix));
    OPENSSL_cleanse(r_bytes, sizeof(r_bytes));
    if (!ok) {
        OPENSSL_cleanse(signature, 2 * n);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    return PSA_SUCCESS;
}

psa_status_t edwards_ph_verify(edwards_curve_id_t id, const uint8_t *public_key,
                               const uint8_t prehash[64], const uint8_t *signature)
{
    const edwards_curve_t *c = curve_get(id);
    BN_CTX *ctx = c != NULL ? BN_CTX_new() : NULL;
    if (ctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    size_t n = c->length;
    uint8_t k_bytes[EDWARDS_MAX_LENGTH];
    edwards_point_t b, a, big_r, sb, ka;
    base_point(c, &b);
    BN_CTX_start(ctx);
    BIGNUM *s = BN_CTX_get(ctx);
    BIGNUM *k = BN_CTX_get(ctx);
    psa_status_t status = PSA_ERROR_INSUFFICIENT_MEMORY;
    if (k == NULL || !point_get(c, &a, ctx) || !point_get(c, &big_r, ctx) ||
        !point_get(c, &sb, ctx) || !point_get(c, &ka, ctx)) {
        goto done;
    }
    /* A and R must decode; S must be below L (RFC 8032 5.1.7 / 5.2.7, step 1). */
    int decoded_a = point_decode(c, &a, public_key, ctx);
    int decoded_r = decoded_a == 1 ? point_decode(c, &big_r, signature, ctx) : decoded_a;
    if (decoded_r != 1 || BN_lebin2bn(signature + n, (int)n, s) == NULL) {
        status = decoded_r == 0 ? PSA_ERROR_INVALID_SIGNATURE : status;
        goto done;
    }
    if (BN_cmp(s, c->order) >= 0) {
        status = PSA_ERROR_INVALID_SIGNATURE;
        goto done;
    }
    /* k = H(dom || R || A || PH(M)) mod L, then the cofactored group equation the RFC
     * recommends: [2^c]([S]B - R - [k]A) must be the neutral element. */
    const uint8_t *k_parts[4] = {c->dom, signature, public_key, prehash};
    size_t k_lengths[4] = {c->dom_length, n, n, EDWARDS_PH_LENGTH};
    uint8_t s_bytes[EDWARDS_MAX_LENGTH];
    memcpy(s_bytes, signature + n, n);
    if (!edwards_hash_mod_order(c, k, k_parts, k_lengths, 4, ctx) ||
        BN_bn2lebinpad(k, k_bytes, (int)n) != (int)n || !point_mul(c, &sb, s_bytes, &b, ctx) ||
        !point_mul(c, &ka, k_bytes, &a, ctx) || !point_add(c, &ka, &ka, &big_r, ctx) ||
        !fe_sub(c, ka.x, c->zero, ka.x) || !fe_sub(c, ka.t, c->zero, ka.t) ||
        !point_add(c, &sb, &sb, &ka, ctx)) {
        goto done;
    }
    for (unsigned i = 0; i < c->cofactor_log2; i++) {
        if (!point_add(c, &sb, &sb, &sb, ctx)) {
            goto done;
        }
    }
    /* Neutral element (0 : Z : Z); coordinates are fully reduced, so compare directly. */
    status =
        BN_is_zero(sb.x) && BN_cmp(sb.y, sb.z) == 0 ? PSA_SUCCESS : PSA_ERROR_INVALID_SIGNATURE;
done:
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    return status;
}
