/* Asymmetric key formats: validation, generation, OpenSSL objects and public export per type. */
#include "asym_internal.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

/* Smallest and largest RSA modulus accepted (PSA_VENDOR_RSA_MAX_KEY_BITS is the upper bound). */
#define ASYM_RSA_MIN_BITS 1024u

/* ---- tables ------------------------------------------------------------------------------- */

static const asym_curve_t asym_curves[] = {
    {PSA_ECC_FAMILY_SECP_R1, 192, ASYM_CURVE_WEIERSTRASS, "prime192v1", NID_X9_62_prime192v1, 24,
     49, 24},
    {PSA_ECC_FAMILY_SECP_R1, 224, ASYM_CURVE_WEIERSTRASS, "secp224r1", NID_secp224r1, 28, 57, 28},
    {PSA_ECC_FAMILY_SECP_R1, 256, ASYM_CURVE_WEIERSTRASS, "prime256v1", NID_X9_62_prime256v1, 32,
     65, 32},
    {PSA_ECC_FAMILY_SECP_R1, 384, ASYM_CURVE_WEIERSTRASS, "secp384r1", NID_secp384r1, 48, 97, 48},
    {PSA_ECC_FAMILY_SECP_R1, 521, ASYM_CURVE_WEIERSTRASS, "secp521r1", NID_secp521r1, 66, 133, 66},
    {PSA_ECC_FAMILY_SECP_K1, 192, ASYM_CURVE_WEIERSTRASS, "secp192k1", NID_secp192k1, 24, 49, 24},
    {PSA_ECC_FAMILY_SECP_K1, 256, ASYM_CURVE_WEIERSTRASS, "secp256k1", NID_secp256k1, 32, 65, 32},
    {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 160, ASYM_CURVE_WEIERSTRASS, "brainpoolP160r1",
     NID_brainpoolP160r1, 20, 41, 20},
    {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 192, ASYM_CURVE_WEIERSTRASS, "brainpoolP192r1",
     NID_brainpoolP192r1, 24, 49, 24},
    {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 224, ASYM_CURVE_WEIERSTRASS, "brainpoolP224r1",
     NID_brainpoolP224r1, 28, 57, 28},
    {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 256, ASYM_CURVE_WEIERSTRASS, "brainpoolP256r1",
     NID_brainpoolP256r1, 32, 65, 32},
    {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 320, ASYM_CURVE_WEIERSTRASS, "brainpoolP320r1",
     NID_brainpoolP320r1, 40, 81, 40},
    {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 384, ASYM_CURVE_WEIERSTRASS, "brainpoolP384r1",
     NID_brainpoolP384r1, 48, 97, 48},
    {PSA_ECC_FAMILY_BRAINPOOL_P_R1, 512, ASYM_CURVE_WEIERSTRASS, "brainpoolP512r1",
     NID_brainpoolP512r1, 64, 129, 64},
    {PSA_ECC_FAMILY_MONTGOMERY, 255, ASYM_CURVE_MONTGOMERY, "X25519", 0, 32, 32, 32},
    {PSA_ECC_FAMILY_MONTGOMERY, 448, ASYM_CURVE_MONTGOMERY, "X448", 0, 56, 56, 56},
    {PSA_ECC_FAMILY_TWISTED_EDWARDS, 255, ASYM_CURVE_EDWARDS, "ED25519", 0, 32, 32, 0},
    {PSA_ECC_FAMILY_TWISTED_EDWARDS, 448, ASYM_CURVE_EDWARDS, "ED448", 0, 57, 57, 0},
};

#define ASYM_CURVE_COUNT (sizeof(asym_curves) / sizeof(asym_curves[0]))

static const struct {
    size_t bits;
    const char *name;
} asym_dh_groups[] = {
    {2048, "ffdhe2048"}, {3072, "ffdhe3072"}, {4096, "ffdhe4096"},
    {6144, "ffdhe6144"}, {8192, "ffdhe8192"},
};

#define ASYM_DH_COUNT (sizeof(asym_dh_groups) / sizeof(asym_dh_groups[0]))

/* Created once, read-only afterwards: EC_POINT_mul and BN arithmetic only read them. */
static EC_GROUP *asym_groups[ASYM_CURVE_COUNT];
static BIGNUM *asym_dh_primes[ASYM_DH_COUNT];
static pthread_once_t asym_tables_once = PTHREAD_ONCE_INIT;

static BIGNUM *asym_fetch_dh_prime(const char *name)
{
    BIGNUM *p = NULL;
    EVP_PKEY *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    OSSL_PARAM set[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)name, 0),
        OSSL_PARAM_construct_end()};
    if (ctx != NULL && EVP_PKEY_paramgen_init(ctx) == 1 && EVP_PKEY_CTX_set_params(ctx, set) == 1 &&
        EVP_PKEY_paramgen(ctx, &params) == 1) {
        EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P, &p);
    }
    EVP_PKEY_free(params);
    EVP_PKEY_CTX_free(ctx);
    return p;
}

static void asym_tables_init(void)
{
    for (size_t i = 0; i < ASYM_CURVE_COUNT; i++) {
        if (asym_curves[i].kind == ASYM_CURVE_WEIERSTRASS) {
            asym_groups[i] = EC_GROUP_new_by_curve_name(asym_curves[i].nid);
        }
    }
    for (size_t i = 0; i < ASYM_DH_COUNT; i++) {
        asym_dh_primes[i] = asym_fetch_dh_prime(asym_dh_groups[i].name);
    }
}

const asym_curve_t *asym_curve_find(psa_ecc_family_t family, size_t bits)
{
    for (size_t i = 0; i < ASYM_CURVE_COUNT; i++) {
        if (asym_curves[i].family == family && asym_curves[i].bits == bits) {
            return &asym_curves[i];
        }
    }
    return NULL;
}

const EC_GROUP *asym_curve_group(const asym_curve_t *curve)
{
    pthread_once(&asym_tables_once, asym_tables_init);
    return asym_groups[curve - asym_curves];
}

/* Whether `family` is one this core builds at all. */
static bool asym_family_known(psa_ecc_family_t family)
{
    return family == PSA_ECC_FAMILY_SECP_R1 || family == PSA_ECC_FAMILY_SECP_K1 ||
           family == PSA_ECC_FAMILY_BRAINPOOL_P_R1 || family == PSA_ECC_FAMILY_MONTGOMERY ||
           family == PSA_ECC_FAMILY_TWISTED_EDWARDS;
}

/*
 * Whether `bits` is a size this core builds for the ECC or DH type `type` (PSA_SUCCESS); else
 * INVALID_ARGUMENT when the specification defines no such size for a family the core builds
 * (e.g. SECP R1 with 220 bits), NOT_SUPPORTED for a size or family it defines but the core does
 * not build (secp224k1, the binary curves) and for other types.
 */
static psa_status_t asym_size_status(psa_key_type_t type, size_t bits)
{
    if (PSA_KEY_TYPE_IS_ECC(type)) {
        psa_ecc_family_t family = PSA_KEY_TYPE_ECC_GET_FAMILY(type);
        if (asym_curve_find(family, bits) != NULL) {
            return PSA_SUCCESS;
        }
        if (!asym_family_known(family) || (family == PSA_ECC_FAMILY_SECP_K1 && bits == 225)) {
            return bits == 0 ? PSA_ERROR_INVALID_ARGUMENT : PSA_ERROR_NOT_SUPPORTED;
        }
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (PSA_KEY_TYPE_IS_DH(type)) {
        if (bits == 0 || (PSA_KEY_TYPE_DH_GET_FAMILY(type) == PSA_DH_FAMILY_RFC7919 &&
                          asym_dh_group_name(bits) == NULL)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        return PSA_KEY_TYPE_DH_GET_FAMILY(type) == PSA_DH_FAMILY_RFC7919 ? PSA_SUCCESS
                                                                         : PSA_ERROR_NOT_SUPPORTED;
    }
    return PSA_ERROR_NOT_SUPPORTED;
}

const asym_curve_t *asym_curve_by_length(psa_key_type_t type, size_t length, psa_status_t *status)
{
    psa_ecc_family_t family = PSA_KEY_TYPE_ECC_GET_FAMILY(type);
    bool pair = PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type);
    if (!asym_family_known(family)) {
        *status = PSA_ERROR_NOT_SUPPORTED;
        return NULL;
    }
    for (size_t i = 0; i < ASYM_CURVE_COUNT; i++) {
        const asym_curve_t *c = &asym_curves[i];
        if (c->family == family && (pair ? c->private_length : c->public_length) == length) {
            return c;
        }
    }
    /* secp224k1 (225 bits) is a valid PSA size this core does not build. */
    bool k1_225 = family == PSA_ECC_FAMILY_SECP_K1 && length == (pair ? 29u : 57u);
    *status = k1_225 ? PSA_ERROR_NOT_SUPPORTED : PSA_ERROR_INVALID_ARGUMENT;
    return NULL;
}

const BIGNUM *asym_dh_prime(size_t bits)
{
    pthread_once(&asym_tables_once, asym_tables_init);
    for (size_t i = 0; i < ASYM_DH_COUNT; i++) {
        if (asym_dh_groups[i].bits == bits) {
            return asym_dh_primes[i];
        }
    }
    return NULL;
}

const char *asym_dh_group_name(size_t bits)
{
    for (size_t i = 0; i < ASYM_DH_COUNT; i++) {
        if (asym_dh_groups[i].bits == bits) {
            return asym_dh_groups[i].name;
        }
    }
    return NULL;
}

psa_status_t asym_bn_to_bytes(const BIGNUM *bn, uint8_t *out, size_t length)
{
    if (length > INT32_MAX || BN_bn2binpad(bn, out, (int)length) != (int)length) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    return PSA_SUCCESS;
}

static psa_status_t asym_openssl_status(void)
{
    /* OpenSSL reports allocation failures like any other; the common cause here is memory. */
    return PSA_ERROR_INSUFFICIENT_MEMORY;
}

void asym_free_pkey_ctx(void *ctx)
{
    EVP_PKEY_CTX_free(ctx);
}

void asym_free_md_ctx(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

size_t asym_public_key_length(psa_key_type_t type, size_t bits)
{
    return PSA_EXPORT_PUBLIC_KEY_OUTPUT_SIZE(type, bits);
}

/* ---- RSA ------------------------------------------------------------------------------------ */

/* Decodes DER RSAPrivateKey or RSAPublicKey into a provider key; rejects trailing bytes and any
 * encoding that does not re-encode to the same bytes (non-canonical DER). */
static psa_status_t rsa_decode(bool pair, const uint8_t *data, size_t length, EVP_PKEY **out)
{
    EVP_PKEY *pkey = NULL;
    int selection = pair ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
    OSSL_DECODER_CTX *dctx =
        OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", "type-specific", "RSA", selection, NULL, NULL);
    if (dctx == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    const unsigned char *p = data;
    size_t left = length;
    int ok = OSSL_DECODER_from_data(dctx, &p, &left);
    OSSL_DECODER_CTX_free(dctx);
    if (ok != 1 || pkey == NULL || left != 0) {
        EVP_PKEY_free(pkey);
        ERR_clear_error();
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    unsigned char *der = NULL;
    int der_length = pair ? i2d_PrivateKey(pkey, &der) : i2d_PublicKey(pkey, &der);
    bool same = der_length > 0 && (size_t)der_length == length && memcmp(der, data, length) == 0;
    if (der != NULL) {
        OPENSSL_clear_free(der, der_length > 0 ? (size_t)der_length : 0);
    }
    if (!same) {
        EVP_PKEY_free(pkey);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *out = pkey;
    return PSA_SUCCESS;
}

/* Structural checks of an RSA key pair that cost a few multiplications, not primality tests:
 * n = p q, e d = 1 mod (p-1) and (q-1) through the CRT exponents, q qInv = 1 mod p. */
static psa_status_t rsa_check_pair(const EVP_PKEY *pkey)
{
    BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL, *dp = NULL, *dq = NULL;
    BIGNUM *qinv = NULL, *t = NULL, *pm1 = NULL;
    BN_CTX *bn = BN_CTX_secure_new();
    psa_status_t status = PSA_ERROR_INVALID_ARGUMENT;
    if (bn == NULL || (t = BN_new()) == NULL || (pm1 = BN_new()) == NULL) {
        status = PSA_ERROR_INSUFFICIENT_MEMORY;
        goto done;
    }
    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
        !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) ||
        !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) ||
        !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) ||
        !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, &q) ||
        !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, &dp) ||
        !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, &dq) ||
        !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &qinv)) {
        goto done;
    }
    if (!BN_is_odd(e) || BN_is_one(e) || BN_is_zero(d) || BN_is_one(p) || BN_is_one(q) ||
        !BN_mul(t, p, q, bn) || BN_cmp(t, n) != 0) {
        goto done;
    }
    const BIGNUM *factors[2] = {p, q};
    const BIGNUM *exponents[2] = {dp, dq};
    for (int i = 0; i < 2; i++) {
        if (!BN_sub(pm1, factors[i], BN_value_one()) || !BN_mod_mul(t, e, exponents[i], pm1, bn) ||
            !BN_is_one(t)) {
            goto done;
        }
    }
    if (!BN_mod_mul(t, q, qinv, p, bn) || !BN_is_one(t)) {
        goto done;
    }
    status = PSA_SUCCESS;
done:
    BN_free(n);
    BN_free(e);
    BN_clear_free(d);
    BN_clear_free(p);
    BN_clear_free(q);
    BN_clear_free(dp);
    BN_clear_free(dq);
    BN_clear_free(qinv);
    BN_clear_free(t);
    BN_clear_free(pm1);
    BN_CTX_free(bn);
    return status;
}

static psa_status_t rsa_validate(psa_key_type_t type, const uint8_t *data, size_t length,
                                 size_t *bits, EVP_PKEY **out)
{
    EVP_PKEY *pkey = NULL;
    bool pair = type == PSA_KEY_TYPE_RSA_KEY_PAIR;
    psa_status_t status = rsa_decode(pair, data, length, &pkey);
    if (status != PSA_SUCCESS) {
        return status;
    }
    int key_bits = EVP_PKEY_get_bits(pkey);
    BIGNUM *e = NULL;
    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) || !BN_is_odd(e) || BN_is_one(e)) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else if (key_bits < (int)ASYM_RSA_MIN_BITS || key_bits > PSA_VENDOR_RSA_MAX_KEY_BITS) {
        status = PSA_ERROR_NOT_SUPPORTED;
    } else if (pair) {
        status = rsa_check_pair(pkey);
    }
    BN_free(e);
    if (status != PSA_SUCCESS) {
        EVP_PKEY_free(pkey);
        return status;
    }
    *bits = (size_t)key_bits;
    if (out != NULL) {
        *out = pkey;
    } else {
        EVP_PKEY_free(pkey);
    }
    return PSA_SUCCESS;
}

static psa_status_t rsa_generate(size_t bits, uint8_t **material, size_t *length)
{
    if (bits % 8 != 0 || bits < ASYM_RSA_MIN_BITS || bits > PSA_VENDOR_RSA_MAX_KEY_BITS) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);
    if (pkey == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    unsigned char *der = NULL;
    int der_length = i2d_PrivateKey(pkey, &der);
    EVP_PKEY_free(pkey);
    if (der_length <= 0) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    /* Hand over in OPENSSL_malloc'd memory the caller frees with core_free_secret. */
    *material = der;
    *length = (size_t)der_length;
    return PSA_SUCCESS;
}

/* ---- ECC ------------------------------------------------------------------------------------ */

/* Checks 1 <= d <= n-1 for a Weierstrass private scalar. */
static psa_status_t ecc_check_scalar(const asym_curve_t *curve, const uint8_t *data, size_t length,
                                     BIGNUM **out)
{
    const EC_GROUP *group = asym_curve_group(curve);
    if (group == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    BIGNUM *d = BN_secure_new();
    if (d == NULL || BN_bin2bn(data, (int)length, d) == NULL) {
        BN_clear_free(d);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0) {
        BN_clear_free(d);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    BN_set_flags(d, BN_FLG_CONSTTIME);
    *out = d;
    return PSA_SUCCESS;
}

/* Decodes an uncompressed point, checking that it lies on the curve and is not infinity. */
static psa_status_t ecc_check_point(const asym_curve_t *curve, const uint8_t *data, size_t length)
{
    const EC_GROUP *group = asym_curve_group(curve);
    if (group == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (length != curve->public_length || data[0] != 0x04) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    EC_POINT *point = EC_POINT_new(group);
    if (point == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t status = PSA_SUCCESS;
    if (EC_POINT_oct2point(group, point, data, length, NULL) != 1 ||
        EC_POINT_is_at_infinity(group, point) || EC_POINT_is_on_curve(group, point, NULL) != 1) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    }
    EC_POINT_free(point);
    ERR_clear_error();
    return status;
}

/* Uncompressed public point d*G of a Weierstrass scalar. */
static psa_status_t ecc_public_from_scalar(const asym_curve_t *curve, const BIGNUM *d, uint8_t *out)
{
    const EC_GROUP *group = asym_curve_group(curve);
    EC_POINT *point = EC_POINT_new(group);
    psa_status_t status = PSA_ERROR_INSUFFICIENT_MEMORY;
    if (point != NULL && EC_POINT_mul(group, point, d, NULL, NULL, NULL) == 1 &&
        EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, out, curve->public_length,
                           NULL) == curve->public_length) {
        status = PSA_SUCCESS;
    }
    EC_POINT_free(point);
    return status;
}

static psa_status_t ecc_weierstrass_pkey(const asym_curve_t *curve, const BIGNUM *d,
                                         const uint8_t *point, EVP_PKEY **out)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    psa_status_t status = PSA_ERROR_INSUFFICIENT_MEMORY;
    if (bld == NULL || ctx == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve->name, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                          curve->public_length) ||
        (d != NULL && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
        goto done;
    }
    if (EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) !=
            1) {
        goto done;
    }
    *out = pkey;
    status = PSA_SUCCESS;
done:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return status;
}

static psa_status_t ecc_load(psa_key_type_t type, const asym_curve_t *curve, const uint8_t *data,
                             size_t length, EVP_PKEY **out)
{
    bool pair = PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type);
    if (curve->kind != ASYM_CURVE_WEIERSTRASS) {
        EVP_PKEY *pkey =
            pair ? EVP_PKEY_new_raw_private_key_ex(NULL, curve->name, NULL, data, length)
                 : EVP_PKEY_new_raw_public_key_ex(NULL, curve->name, NULL, data, length);
        if (pkey == NULL) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        *out = pkey;
        return PSA_SUCCESS;
    }
    if (!pair) {
        psa_status_t status = ecc_check_point(curve, data, length);
        return status == PSA_SUCCESS ? ecc_weierstrass_pkey(curve, NULL, data, out) : status;
    }
    BIGNUM *d = NULL;
    psa_status_t status = ecc_check_scalar(curve, data, length, &d);
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint8_t point[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
    status = ecc_public_from_scalar(curve, d, point);
    if (status == PSA_SUCCESS) {
        status = ecc_weierstrass_pkey(curve, d, point, out);
    }
    BN_clear_free(d);
    return status;
}

static psa_status_t ecc_validate(psa_key_type_t type, const uint8_t *data, size_t length,
                                 size_t *bits)
{
    psa_status_t status = PSA_SUCCESS;
    const asym_curve_t *curve = asym_curve_by_length(type, length, &status);
    if (curve == NULL) {
        return status;
    }
    if (curve->kind == ASYM_CURVE_WEIERSTRASS) {
        if (PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type)) {
            BIGNUM *d = NULL;
            status = ecc_check_scalar(curve, data, length, &d);
            BN_clear_free(d);
        } else {
            status = ecc_check_point(curve, data, length);
        }
    }
    if (status == PSA_SUCCESS) {
        *bits = curve->bits;
    }
    return status;
}

static psa_status_t ecc_generate(psa_key_type_t type, size_t bits, uint8_t **material,
                                 size_t *length)
{
    psa_status_t status = asym_size_status(type, bits);
    if (status != PSA_SUCCESS) {
        return status;
    }
    const asym_curve_t *curve = asym_curve_find(PSA_KEY_TYPE_ECC_GET_FAMILY(type), bits);
    uint8_t *p = OPENSSL_malloc(curve->private_length);
    if (p == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (curve->kind != ASYM_CURVE_WEIERSTRASS) {
        /* Montgomery and Edwards private keys are uniformly random strings (RFC 7748, 8032). */
        if (RAND_priv_bytes(p, (int)curve->private_length) != 1) {
            status = PSA_ERROR_INSUFFICIENT_ENTROPY;
        }
    } else {
        EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve->name);
        BIGNUM *d = NULL;
        if (pkey == NULL || !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d)) {
            status = PSA_ERROR_INSUFFICIENT_ENTROPY;
        } else {
            status = asym_bn_to_bytes(d, p, curve->private_length);
        }
        BN_clear_free(d);
        EVP_PKEY_free(pkey);
    }
    if (status != PSA_SUCCESS) {
        OPENSSL_clear_free(p, curve->private_length);
        return status;
    }
    *material = p;
    *length = curve->private_length;
    return PSA_SUCCESS;
}

/* ---- Diffie-Hellman (RFC 7919 groups) ------------------------------------------------------ */

static size_t dh_bits_of_length(size_t length)
{
    size_t bits = PSA_BYTES_TO_BITS(length);
    return asym_dh_group_name(bits) != NULL ? bits : 0;
}

/* 2 <= v <= p-2: excludes the values that give away the shared secret or the key. */
static psa_status_t dh_check_range(const BIGNUM *v, const BIGNUM *p)
{
    BIGNUM *limit = BN_dup(p);
    if (limit == NULL || !BN_sub_word(limit, 1)) {
        BN_free(limit);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    bool ok = BN_cmp(v, BN_value_one()) > 0 && BN_cmp(v, limit) < 0;
    BN_free(limit);
    return ok ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
}

static psa_status_t dh_load(psa_key_type_t type, size_t bits, const uint8_t *data, size_t length,
                            EVP_PKEY **out)
{
    const BIGNUM *p = asym_dh_prime(bits);
    const char *name = asym_dh_group_name(bits);
    if (p == NULL || name == NULL || length != PSA_BITS_TO_BYTES(bits)) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    bool pair = PSA_KEY_TYPE_IS_DH_KEY_PAIR(type);
    BIGNUM *x = pair ? BN_secure_new() : BN_new();
    BIGNUM *y = pair ? BN_new() : NULL;
    BIGNUM *g = BN_new();
    BN_CTX *bn = BN_CTX_secure_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    psa_status_t status = PSA_ERROR_INSUFFICIENT_MEMORY;
    if (x == NULL || (pair && y == NULL) || g == NULL || bn == NULL || bld == NULL || ctx == NULL ||
        BN_bin2bn(data, (int)length, x) == NULL || !BN_set_word(g, 2)) {
        goto done;
    }
    status = dh_check_range(x, p);
    if (status != PSA_SUCCESS) {
        goto done;
    }
    status = PSA_ERROR_INSUFFICIENT_MEMORY;
    if (pair) {
        BN_set_flags(x, BN_FLG_CONSTTIME);
        if (!BN_mod_exp_mont_consttime(y, g, x, p, bn, NULL)) {
            goto done;
        }
    }
    if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, name, 0) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pair ? y : x) ||
        (pair && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x)) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, out, pair ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) {
        goto done;
    }
    status = PSA_SUCCESS;
done:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_CTX_free(bn);
    BN_clear_free(x);
    BN_free(y);
    BN_free(g);
    return status;
}

static psa_status_t dh_validate(psa_key_type_t type, const uint8_t *data, size_t length,
                                size_t *bits)
{
    if (PSA_KEY_TYPE_DH_GET_FAMILY(type) != PSA_DH_FAMILY_RFC7919) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    size_t group_bits = dh_bits_of_length(length);
    if (group_bits == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    const BIGNUM *p = asym_dh_prime(group_bits);
    BIGNUM *v = BN_bin2bn(data, (int)length, NULL);
    if (p == NULL || v == NULL) {
        BN_clear_free(v);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t status = dh_check_range(v, p);
    BN_clear_free(v);
    if (status == PSA_SUCCESS) {
        *bits = group_bits;
    }
    return status;
}

static psa_status_t dh_generate(psa_key_type_t type, size_t bits, uint8_t **material,
                                size_t *length)
{
    psa_status_t size_status = asym_size_status(type, bits);
    if (size_status != PSA_SUCCESS) {
        return size_status;
    }
    const char *name = asym_dh_group_name(bits);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    EVP_PKEY *pkey = NULL;
    BIGNUM *x = NULL;
    OSSL_PARAM set[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)name, 0),
        OSSL_PARAM_construct_end()};
    size_t n = PSA_BITS_TO_BYTES(bits);
    uint8_t *p = OPENSSL_malloc(n);
    psa_status_t status = PSA_ERROR_INSUFFICIENT_ENTROPY;
    if (ctx != NULL && p != NULL && EVP_PKEY_keygen_init(ctx) == 1 &&
        EVP_PKEY_CTX_set_params(ctx, set) == 1 && EVP_PKEY_generate(ctx, &pkey) == 1 &&
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &x)) {
        status = asym_bn_to_bytes(x, p, n);
    }
    BN_clear_free(x);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    if (status != PSA_SUCCESS) {
        core_free_secret(p, n);
        return status;
    }
    *material = p;
    *length = n;
    return PSA_SUCCESS;
}

/* ---- SPAKE2+ -------------------------------------------------------------------------------- */

/* SPAKE2+ keys (PSA 1.2 PAKE extension): the pair is w0 || w1, the public key w0 || L, each in the
 * format of an ECC private / public key of the curve; no OpenSSL object is kept for them. Only
 * SECP R1 curves are built. */
static const asym_curve_t *spake2p_curve_by_length(psa_key_type_t type, size_t length,
                                                   psa_status_t *status)
{
    if (PSA_KEY_TYPE_SPAKE2P_GET_FAMILY(type) != PSA_ECC_FAMILY_SECP_R1) {
        *status = PSA_ERROR_NOT_SUPPORTED;
        return NULL;
    }
    static const size_t sizes[] = {256, 384, 521};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const asym_curve_t *c = asym_curve_find(PSA_ECC_FAMILY_SECP_R1, sizes[i]);
        if (c != NULL && c->private_length + (PSA_KEY_TYPE_IS_SPAKE2P_KEY_PAIR(type)
                                                  ? c->private_length
                                                  : c->public_length) == length) {
            return c;
        }
    }
    *status = PSA_ERROR_INVALID_ARGUMENT;
    return NULL;
}

static psa_status_t spake2p_validate(psa_key_type_t type, const uint8_t *data, size_t length,
                                     size_t *bits)
{
    psa_status_t status = PSA_SUCCESS;
    const asym_curve_t *curve = spake2p_curve_by_length(type, length, &status);
    if (curve == NULL) {
        return status;
    }
    /* w0 and w1 are scalars in [1, n-1], like ECC private keys; L a valid public point. */
    BIGNUM *w = NULL;
    status = ecc_check_scalar(curve, data, curve->private_length, &w);
    BN_clear_free(w);
    w = NULL;
    if (status == PSA_SUCCESS && PSA_KEY_TYPE_IS_SPAKE2P_KEY_PAIR(type)) {
        status = ecc_check_scalar(curve, data + curve->private_length, curve->private_length, &w);
        BN_clear_free(w);
    } else if (status == PSA_SUCCESS) {
        status = ecc_check_point(curve, data + curve->private_length, curve->public_length);
    }
    if (status == PSA_SUCCESS) {
        *bits = curve->bits;
    }
    return status;
}

/* w0 || L of a pair w0 || w1: L = w1*P. */
static psa_status_t spake2p_export_public(const core_key_t *key, uint8_t *data, size_t data_size,
                                          size_t *data_length)
{
    const asym_curve_t *curve = asym_curve_find(PSA_ECC_FAMILY_SECP_R1, key->attr.bits);
    if (curve == NULL || key->material_length != 2 * curve->private_length) {
        return PSA_ERROR_CORRUPTION_DETECTED;
    }
    size_t n = curve->private_length + curve->public_length;
    if (n > data_size) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    BIGNUM *w1 = NULL;
    psa_status_t status =
        ecc_check_scalar(curve, key->material + curve->private_length, curve->private_length, &w1);
    if (status == PSA_SUCCESS) {
        status = ecc_public_from_scalar(curve, w1, data + curve->private_length);
    }
    BN_clear_free(w1);
    if (status != PSA_SUCCESS) {
        return status;
    }
    memcpy(data, key->material, curve->private_length);
    *data_length = n;
    return PSA_SUCCESS;
}

/* RFC 9383 registration from a derivation stream: w0s and w1s of ceil(log2(n)/8) + 8 bytes each
 * (40 for P-256), w0 = w0s mod n, w1 = w1s mod n. */
static psa_status_t spake2p_derive(size_t bits, asym_draw_t draw, void *stream,
                                   uint8_t **material, size_t *length)
{
    const asym_curve_t *curve = asym_curve_find(PSA_ECC_FAMILY_SECP_R1, bits);
    const EC_GROUP *group = curve != NULL ? asym_curve_group(curve) : NULL;
    if (group == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    const BIGNUM *order = EC_GROUP_get0_order(group);
    size_t draw_length = (size_t)(BN_num_bits(order) + 7) / 8 + 8;
    size_t n = 2 * curve->private_length;
    uint8_t buf[80];
    uint8_t *p = OPENSSL_malloc(n);
    BIGNUM *w = BN_secure_new();
    BN_CTX *bn = BN_CTX_secure_new();
    psa_status_t status = p != NULL && w != NULL && bn != NULL && draw_length <= sizeof(buf)
                              ? PSA_SUCCESS
                              : PSA_ERROR_INSUFFICIENT_MEMORY;
    for (int i = 0; i < 2 && status == PSA_SUCCESS; i++) {
        status = draw(stream, buf, draw_length);
        if (status == PSA_SUCCESS &&
            (BN_bin2bn(buf, (int)draw_length, w) == NULL || BN_nnmod(w, w, order, bn) != 1)) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        /* A zero (probability about 2^-256) is not a usable w0 or w1. */
        if (status == PSA_SUCCESS && BN_is_zero(w)) {
            status = PSA_ERROR_INSUFFICIENT_ENTROPY;
        }
        if (status == PSA_SUCCESS) {
            status = asym_bn_to_bytes(w, p + (size_t)i * curve->private_length,
                                      curve->private_length);
        }
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    BN_clear_free(w);
    BN_CTX_free(bn);
    if (status != PSA_SUCCESS) {
        OPENSSL_clear_free(p, n);
        return status;
    }
    *material = p;
    *length = n;
    return PSA_SUCCESS;
}

/* ---- dispatch ------------------------------------------------------------------------------- */

psa_status_t asym_key_validate(psa_key_type_t type, const uint8_t *data, size_t length,
                               size_t *bits)
{
    if (length == 0 || length > PSA_EXPORT_KEY_PAIR_MAX_SIZE + 64) {
        return length == 0 ? PSA_ERROR_INVALID_ARGUMENT : PSA_ERROR_NOT_SUPPORTED;
    }
    if (PSA_KEY_TYPE_IS_RSA(type)) {
        return rsa_validate(type, data, length, bits, NULL);
    }
    if (PSA_KEY_TYPE_IS_ECC(type)) {
        return ecc_validate(type, data, length, bits);
    }
    if (PSA_KEY_TYPE_IS_DH(type)) {
        return dh_validate(type, data, length, bits);
    }
    if (PSA_KEY_TYPE_IS_SPAKE2P(type)) {
        return spake2p_validate(type, data, length, bits);
    }
    return PSA_ERROR_NOT_SUPPORTED;
}

psa_status_t asym_key_generate(psa_key_type_t type, size_t bits, uint8_t **material, size_t *length)
{
    if (type == PSA_KEY_TYPE_RSA_KEY_PAIR) {
        return bits == 0 ? PSA_ERROR_INVALID_ARGUMENT : rsa_generate(bits, material, length);
    }
    if (PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type)) {
        return ecc_generate(type, bits, material, length);
    }
    if (PSA_KEY_TYPE_IS_DH_KEY_PAIR(type)) {
        return dh_generate(type, bits, material, length);
    }
    /* A public key cannot be generated (the specification's INVALID_ARGUMENT). */
    return PSA_KEY_TYPE_IS_PUBLIC_KEY(type) ? PSA_ERROR_INVALID_ARGUMENT : PSA_ERROR_NOT_SUPPORTED;
}

psa_status_t asym_key_load(psa_key_type_t type, size_t bits, const uint8_t *data, size_t length,
                           EVP_PKEY **pkey)
{
    *pkey = NULL;
    if (PSA_KEY_TYPE_IS_RSA(type)) {
        size_t rsa_bits = 0;
        psa_status_t status = rsa_validate(type, data, length, &rsa_bits, pkey);
        if (status == PSA_SUCCESS && rsa_bits != bits) {
            EVP_PKEY_free(*pkey);
            *pkey = NULL;
            status = PSA_ERROR_INVALID_ARGUMENT;
        }
        return status;
    }
    if (PSA_KEY_TYPE_IS_ECC(type)) {
        const asym_curve_t *curve = asym_curve_find(PSA_KEY_TYPE_ECC_GET_FAMILY(type), bits);
        size_t expected = curve == NULL                        ? 0
                          : PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type) ? curve->private_length
                                                               : curve->public_length;
        if (curve == NULL || expected != length) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        return ecc_load(type, curve, data, length, pkey);
    }
    if (PSA_KEY_TYPE_IS_DH(type)) {
        return dh_load(type, bits, data, length, pkey);
    }
    if (PSA_KEY_TYPE_IS_SPAKE2P(type)) {
        /* Validated at import; PAKE reads the material itself. */
        size_t found = 0;
        psa_status_t status = spake2p_validate(type, data, length, &found);
        return status == PSA_SUCCESS && found != bits ? PSA_ERROR_INVALID_ARGUMENT : status;
    }
    return PSA_ERROR_NOT_SUPPORTED;
}

psa_status_t asym_peer_key_load(psa_key_type_t pair_type, size_t bits, const uint8_t *data,
                                size_t length, EVP_PKEY **pkey)
{
    psa_key_type_t public_type = PSA_KEY_TYPE_PUBLIC_KEY_OF_KEY_PAIR(pair_type);
    size_t expected = asym_public_key_length(public_type, bits);
    if (length != expected) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_status_t status = asym_key_load(public_type, bits, data, length, pkey);
    return status == PSA_ERROR_NOT_SUPPORTED ? PSA_ERROR_INVALID_ARGUMENT : status;
}

psa_status_t asym_key_export_public(const core_key_t *key, uint8_t *data, size_t data_size,
                                    size_t *data_length)
{
    psa_key_type_t type = key->attr.type;
    size_t bits = key->attr.bits;
    *data_length = 0;
    if (PSA_KEY_TYPE_IS_PUBLIC_KEY(type)) {
        if (key->material_length > data_size) {
            return PSA_ERROR_BUFFER_TOO_SMALL;
        }
        memcpy(data, key->material, key->material_length);
        *data_length = key->material_length;
        return PSA_SUCCESS;
    }
    if (PSA_KEY_TYPE_IS_SPAKE2P_KEY_PAIR(type)) {
        return spake2p_export_public(key, data, data_size, data_length);
    }
    EVP_PKEY *pkey = asym_pkey(key);
    if (type == PSA_KEY_TYPE_RSA_KEY_PAIR) {
        int n = i2d_PublicKey(pkey, NULL);
        if (n <= 0) {
            return asym_openssl_status();
        }
        if ((size_t)n > data_size) {
            return PSA_ERROR_BUFFER_TOO_SMALL;
        }
        unsigned char *p = data;
        if (i2d_PublicKey(pkey, &p) != n) {
            return asym_openssl_status();
        }
        *data_length = (size_t)n;
        return PSA_SUCCESS;
    }
    size_t n = asym_public_key_length(type, bits);
    if (n == 0) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (n > data_size) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    if (PSA_KEY_TYPE_IS_ECC(type)) {
        const asym_curve_t *curve = asym_curve_find(PSA_KEY_TYPE_ECC_GET_FAMILY(type), bits);
        size_t got = n;
        int ok = curve->kind == ASYM_CURVE_WEIERSTRASS
                     ? EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, data, n, &got)
                     : EVP_PKEY_get_raw_public_key(pkey, data, &got);
        if (ok != 1 || got != n) {
            return asym_openssl_status();
        }
    } else {
        BIGNUM *y = NULL;
        if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, &y)) {
            return asym_openssl_status();
        }
        psa_status_t status = asym_bn_to_bytes(y, data, n);
        BN_free(y);
        if (status != PSA_SUCCESS) {
            return status;
        }
    }
    *data_length = n;
    return PSA_SUCCESS;
}

/* ---- derivation from a key derivation stream ------------------------------------------------- */

psa_status_t asym_key_derive(psa_key_type_t type, size_t bits, asym_draw_t draw, void *stream,
                             uint8_t **material, size_t *length)
{
    if (PSA_KEY_TYPE_IS_SPAKE2P_KEY_PAIR(type)) {
        return PSA_KEY_TYPE_SPAKE2P_GET_FAMILY(type) == PSA_ECC_FAMILY_SECP_R1
                   ? spake2p_derive(bits, draw, stream, material, length)
                   : PSA_ERROR_NOT_SUPPORTED;
    }
    /* A size the type does not have is INVALID_ARGUMENT, as in import and generate. */
    psa_status_t size_status = asym_size_status(type, bits);
    if (size_status == PSA_ERROR_INVALID_ARGUMENT) {
        return size_status;
    }
    if (size_status != PSA_SUCCESS || !PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type)) {
        /* RSA and DH key derivation is implementation-defined; this core offers none. */
        return PSA_ERROR_NOT_SUPPORTED;
    }
    const asym_curve_t *curve = asym_curve_find(PSA_KEY_TYPE_ECC_GET_FAMILY(type), bits);
    size_t n = curve->private_length;
    uint8_t *p = OPENSSL_malloc(n);
    if (p == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t status = PSA_SUCCESS;
    if (curve->kind == ASYM_CURVE_EDWARDS) {
        status = draw(stream, p, n); /* the private key is the drawn string itself */
    } else if (curve->kind == ASYM_CURVE_MONTGOMERY) {
        status = draw(stream, p, n);
        if (n == 32) { /* RFC 7748 clamping of an X25519 scalar */
            p[0] &= 0xf8;
            p[31] = (uint8_t)((p[31] & 0x7f) | 0x40);
        } else { /* X448 */
            p[0] &= 0xfc;
            p[55] |= 0x80;
        }
    } else {
        /* Draw ceil(m/8) bytes, clear the bits above m, retry while k > n-2, output k+1. */
        const BIGNUM *order = EC_GROUP_get0_order(asym_curve_group(curve));
        int m = BN_num_bits(order);
        size_t draw_length = (size_t)(m + 7) / 8;
        BIGNUM *k = BN_secure_new();
        BIGNUM *limit = BN_dup(order);
        if (k == NULL || limit == NULL || draw_length > n || !BN_sub_word(limit, 2)) {
            status = PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        while (status == PSA_SUCCESS) {
            status = draw(stream, p, draw_length);
            if (status != PSA_SUCCESS) {
                break;
            }
            p[0] &= (uint8_t)(0xffu >> (8 * draw_length - (size_t)m));
            if (BN_bin2bn(p, (int)draw_length, k) == NULL) {
                status = PSA_ERROR_INSUFFICIENT_MEMORY;
            } else if (BN_cmp(k, limit) <= 0) {
                status =
                    BN_add_word(k, 1) ? asym_bn_to_bytes(k, p, n) : PSA_ERROR_INSUFFICIENT_MEMORY;
                break;
            }
        }
        BN_clear_free(k);
        BN_free(limit);
    }
    if (status != PSA_SUCCESS) {
        OPENSSL_clear_free(p, n);
        return status;
    }
    *material = p;
    *length = n;
    return PSA_SUCCESS;
}
