/* Unit tests of the asymmetric families through libpsa-local: key formats, signatures, RSA
 * encryption, key agreement and their error paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <psa/crypto.h>

#define ECC_PAIR(f) PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_##f)
#define ECC_PUB(f)  PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_##f)
#define DH_PAIR     PSA_KEY_TYPE_DH_KEY_PAIR(PSA_DH_FAMILY_RFC7919)
#define DH_PUB      PSA_KEY_TYPE_DH_PUBLIC_KEY(PSA_DH_FAMILY_RFC7919)

#define ALL_USAGE                                                                                  \
    (PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH |                  \
     PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT | PSA_KEY_USAGE_DERIVE)

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static psa_key_attributes_t attributes(psa_key_type_t type, size_t bits, psa_key_usage_t usage,
                                       psa_algorithm_t alg)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_bits(&attr, bits);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, alg);
    return attr;
}

static psa_key_id_t generate(psa_key_type_t type, size_t bits, psa_key_usage_t usage,
                             psa_algorithm_t alg)
{
    psa_key_attributes_t attr = attributes(type, bits, usage, alg);
    psa_key_id_t id = 0;
    assert_int_equal(psa_generate_key(&attr, &id), PSA_SUCCESS);
    return id;
}

static psa_key_id_t import(psa_key_type_t type, psa_key_usage_t usage, psa_algorithm_t alg,
                           const uint8_t *data, size_t length)
{
    psa_key_attributes_t attr = attributes(type, 0, usage, alg);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, data, length, &id), PSA_SUCCESS);
    return id;
}

/* Imports the public half of a pair, with the given usage and algorithm. */
static psa_key_id_t import_public_of(psa_key_id_t pair, psa_key_usage_t usage, psa_algorithm_t alg)
{
    uint8_t pub[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
    size_t n = 0;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(pair, &attr), PSA_SUCCESS);
    assert_int_equal(psa_export_public_key(pair, pub, sizeof(pub), &n), PSA_SUCCESS);
    return import(PSA_KEY_TYPE_PUBLIC_KEY_OF_KEY_PAIR(psa_get_key_type(&attr)), usage, alg, pub, n);
}

static int setup(void **state)
{
    (void)state;
    return psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
}

/* ---- key formats ------------------------------------------------------------------------------
 */

typedef struct key_case {
    psa_key_type_t type;
    size_t bits;
    size_t pair_length;   /* 0: variable (RSA) */
    size_t public_length; /* 0: variable (RSA) */
} key_case_t;

static const key_case_t key_cases[] = {
    {ECC_PAIR(SECP_R1), 192, 24, 49},
    {ECC_PAIR(SECP_R1), 224, 28, 57},
    {ECC_PAIR(SECP_R1), 256, 32, 65},
    {ECC_PAIR(SECP_R1), 384, 48, 97},
    {ECC_PAIR(SECP_R1), 521, 66, 133},
    {ECC_PAIR(SECP_K1), 256, 32, 65},
    {ECC_PAIR(BRAINPOOL_P_R1), 256, 32, 65},
    {ECC_PAIR(BRAINPOOL_P_R1), 384, 48, 97},
    {ECC_PAIR(BRAINPOOL_P_R1), 512, 64, 129},
    {ECC_PAIR(MONTGOMERY), 255, 32, 32},
    {ECC_PAIR(MONTGOMERY), 448, 56, 56},
    {ECC_PAIR(TWISTED_EDWARDS), 255, 32, 32},
    {ECC_PAIR(TWISTED_EDWARDS), 448, 57, 57},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, 0, 0},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1032, 0, 0},
    {DH_PAIR, 2048, 256, 256},
    {DH_PAIR, 3072, 384, 384},
};

static void test_generate_export_import(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
        const key_case_t *c = &key_cases[i];
        psa_key_id_t pair = generate(c->type, c->bits, PSA_KEY_USAGE_EXPORT, 0);
        psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
        assert_int_equal(psa_get_key_attributes(pair, &attr), PSA_SUCCESS);
        assert_int_equal(psa_get_key_bits(&attr), c->bits);

        uint8_t exported[PSA_EXPORT_KEY_PAIR_MAX_SIZE], again[PSA_EXPORT_KEY_PAIR_MAX_SIZE];
        size_t n = 0, m = 0;
        assert_int_equal(psa_export_key(pair, exported, sizeof(exported), &n), PSA_SUCCESS);
        assert_true(n <= PSA_EXPORT_KEY_OUTPUT_SIZE(c->type, c->bits));
        if (c->pair_length != 0) {
            assert_int_equal(n, c->pair_length);
        }
        /* Re-import gives the same key: same export, same public key. */
        psa_key_id_t copy = import(c->type, PSA_KEY_USAGE_EXPORT, 0, exported, n);
        assert_int_equal(psa_export_key(copy, again, sizeof(again), &m), PSA_SUCCESS);
        assert_memory_equal(exported, again, n);
        assert_int_equal(m, n);

        uint8_t pub[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE], pub2[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
        size_t pn = 0, pm = 0;
        assert_int_equal(psa_export_public_key(pair, pub, sizeof(pub), &pn), PSA_SUCCESS);
        assert_true(pn <= PSA_EXPORT_PUBLIC_KEY_OUTPUT_SIZE(c->type, c->bits));
        if (c->public_length != 0) {
            assert_int_equal(pn, c->public_length);
            /* Exact-size buffer works, one byte less reports BUFFER_TOO_SMALL. */
            assert_int_equal(psa_export_public_key(pair, pub2, pn - 1, &pm),
                             PSA_ERROR_BUFFER_TOO_SMALL);
            assert_int_equal(pm, 0);
        }
        assert_int_equal(psa_export_public_key(copy, pub2, pn, &pm), PSA_SUCCESS);
        assert_memory_equal(pub, pub2, pn);
        psa_key_id_t pub_id =
            import(PSA_KEY_TYPE_PUBLIC_KEY_OF_KEY_PAIR(c->type), PSA_KEY_USAGE_EXPORT, 0, pub, pn);
        assert_int_equal(psa_export_key(pub_id, pub2, sizeof(pub2), &pm), PSA_SUCCESS);
        assert_int_equal(pm, pn);
        assert_memory_equal(pub, pub2, pn);
        assert_int_equal(psa_export_public_key(pub_id, pub2, sizeof(pub2), &pm), PSA_SUCCESS);
        assert_memory_equal(pub, pub2, pn);
        /* The private key does not leave without EXPORT, the public key always does. */
        psa_key_id_t no_export = import(c->type, 0, 0, exported, n);
        assert_int_equal(psa_export_key(no_export, again, sizeof(again), &m),
                         PSA_ERROR_NOT_PERMITTED);
        assert_int_equal(psa_export_public_key(no_export, pub2, sizeof(pub2), &pm), PSA_SUCCESS);
        if (c->pair_length != 0) {
            assert_int_equal(psa_export_key(pair, again, n - 1, &m), PSA_ERROR_BUFFER_TOO_SMALL);
        }
        psa_destroy_key(pair);
        psa_destroy_key(copy);
        psa_destroy_key(pub_id);
        psa_destroy_key(no_export);
    }
}

/* P-256 order n, and a point (the generator) of P-256. */
static const char p256_n[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
static const char p256_g[] = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
                             "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

static void expect_import(psa_key_type_t type, size_t bits, const uint8_t *data, size_t length,
                          psa_status_t expected)
{
    psa_key_attributes_t attr = attributes(type, bits, PSA_KEY_USAGE_EXPORT, 0);
    psa_key_id_t id = 123;
    assert_int_equal(psa_import_key(&attr, data, length, &id), expected);
    if (expected != PSA_SUCCESS) {
        assert_int_equal(id, PSA_KEY_ID_NULL);
    } else {
        psa_destroy_key(id);
    }
}

static void test_import_invalid(void **state)
{
    (void)state;
    uint8_t b[1100];
    size_t n = 0;
    /* Weierstrass private scalar: 0, n and n+1 are out of range, n-1 is fine. */
    memset(b, 0, 32);
    expect_import(ECC_PAIR(SECP_R1), 0, b, 32, PSA_ERROR_INVALID_ARGUMENT);
    n = unhex(p256_n, b);
    expect_import(ECC_PAIR(SECP_R1), 0, b, n, PSA_ERROR_INVALID_ARGUMENT);
    b[31] = 0x52;
    expect_import(ECC_PAIR(SECP_R1), 0, b, n, PSA_ERROR_INVALID_ARGUMENT);
    b[31] = 0x50;
    expect_import(ECC_PAIR(SECP_R1), 0, b, n, PSA_SUCCESS);
    /* A size no curve of the family has; a declared size that disagrees with the data. */
    expect_import(ECC_PAIR(SECP_R1), 0, b, 31, PSA_ERROR_INVALID_ARGUMENT);
    expect_import(ECC_PAIR(SECP_R1), 384, b, 32, PSA_ERROR_INVALID_ARGUMENT);
    /* Public points: valid, off the curve, compressed, truncated, infinity. */
    n = unhex(p256_g, b);
    expect_import(ECC_PUB(SECP_R1), 256, b, n, PSA_SUCCESS);
    b[64] ^= 1;
    expect_import(ECC_PUB(SECP_R1), 0, b, n, PSA_ERROR_INVALID_ARGUMENT);
    b[64] ^= 1;
    b[0] = 0x03;
    expect_import(ECC_PUB(SECP_R1), 0, b, 33, PSA_ERROR_INVALID_ARGUMENT);
    b[0] = 0x04;
    expect_import(ECC_PUB(SECP_R1), 0, b, n - 1, PSA_ERROR_INVALID_ARGUMENT);
    b[0] = 0x00;
    expect_import(ECC_PUB(SECP_R1), 0, b, 1, PSA_ERROR_INVALID_ARGUMENT);
    /* Families and sizes this core does not build. */
    memset(b, 0x11, 64);
    expect_import(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECT_K1), 0, b, 21,
                  PSA_ERROR_NOT_SUPPORTED);
    expect_import(ECC_PAIR(SECP_K1), 0, b, 29, PSA_ERROR_NOT_SUPPORTED);
    /* Montgomery / Edwards: only the length is checked. */
    expect_import(ECC_PAIR(MONTGOMERY), 0, b, 31, PSA_ERROR_INVALID_ARGUMENT);
    expect_import(ECC_PAIR(TWISTED_EDWARDS), 0, b, 56, PSA_ERROR_INVALID_ARGUMENT);
    expect_import(ECC_PAIR(TWISTED_EDWARDS), 0, b, 57, PSA_SUCCESS);
    /* RSA: garbage, a public key given as a pair, trailing bytes after the DER. */
    expect_import(PSA_KEY_TYPE_RSA_KEY_PAIR, 0, b, 64, PSA_ERROR_INVALID_ARGUMENT);
    psa_key_id_t rsa = generate(PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_KEY_USAGE_EXPORT, 0);
    uint8_t der[PSA_EXPORT_KEY_PAIR_MAX_SIZE + 1];
    size_t der_length = 0;
    assert_int_equal(psa_export_public_key(rsa, der, sizeof(der), &der_length), PSA_SUCCESS);
    expect_import(PSA_KEY_TYPE_RSA_KEY_PAIR, 0, der, der_length, PSA_ERROR_INVALID_ARGUMENT);
    der[der_length] = 0;
    expect_import(PSA_KEY_TYPE_RSA_PUBLIC_KEY, 0, der, der_length + 1, PSA_ERROR_INVALID_ARGUMENT);
    expect_import(PSA_KEY_TYPE_RSA_PUBLIC_KEY, 1024, der, der_length, PSA_SUCCESS);
    assert_int_equal(psa_export_key(rsa, der, sizeof(der), &der_length), PSA_SUCCESS);
    der[der_length] = 0;
    expect_import(PSA_KEY_TYPE_RSA_KEY_PAIR, 0, der, der_length + 1, PSA_ERROR_INVALID_ARGUMENT);
    /* Flip a bit inside the last CRT value (the coefficient): the structure no longer holds. */
    der[der_length - 3] ^= 0x01;
    expect_import(PSA_KEY_TYPE_RSA_KEY_PAIR, 0, der, der_length, PSA_ERROR_INVALID_ARGUMENT);
    der[der_length - 3] ^= 0x01;
    expect_import(PSA_KEY_TYPE_RSA_KEY_PAIR, 0, der, der_length, PSA_SUCCESS);
    psa_destroy_key(rsa);
    /* DH values 1 and p-1 are refused, 2 is accepted; sizes other than a group are invalid. */
    memset(b, 0, 256);
    b[255] = 1;
    expect_import(DH_PAIR, 0, b, 256, PSA_ERROR_INVALID_ARGUMENT);
    expect_import(DH_PUB, 0, b, 256, PSA_ERROR_INVALID_ARGUMENT);
    b[255] = 2;
    expect_import(DH_PUB, 0, b, 256, PSA_SUCCESS);
    memset(b, 0xff, 256);
    b[255] = 0xfe; /* ffdhe2048's p ends in ...ff, so p-1 ends in ...fe */
    expect_import(DH_PUB, 0, b, 256, PSA_ERROR_INVALID_ARGUMENT);
    expect_import(DH_PUB, 0, b, 255, PSA_ERROR_INVALID_ARGUMENT);
    /* Generating a public key or a size the type does not have (INVALID_ARGUMENT), or a size
     * the type has but this core does not build (NOT_SUPPORTED). */
    psa_key_attributes_t attr = attributes(ECC_PUB(SECP_R1), 256, 0, 0);
    psa_key_id_t id = 0;
    assert_int_equal(psa_generate_key(&attr, &id), PSA_ERROR_INVALID_ARGUMENT);
    attr = attributes(ECC_PAIR(SECP_R1), 200, 0, 0);
    assert_int_equal(psa_generate_key(&attr, &id), PSA_ERROR_INVALID_ARGUMENT);
    attr = attributes(ECC_PAIR(SECP_K1), 225, 0, 0);
    assert_int_equal(psa_generate_key(&attr, &id), PSA_ERROR_NOT_SUPPORTED);
    attr = attributes(PSA_KEY_TYPE_RSA_KEY_PAIR, 1028, 0, 0);
    assert_int_equal(psa_generate_key(&attr, &id), PSA_ERROR_NOT_SUPPORTED);
    attr = attributes(DH_PAIR, 1024, 0, 0);
    assert_int_equal(psa_generate_key(&attr, &id), PSA_ERROR_INVALID_ARGUMENT);
}

/* ---- signatures ------------------------------------------------------------------------------ */

typedef struct sign_case {
    psa_key_type_t type;
    size_t bits;
    psa_algorithm_t alg;
} sign_case_t;

static const sign_case_t sign_cases[] = {
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_1)},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256)},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_512)},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA3_256)},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PKCS1V15_SIGN_RAW},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PSS(PSA_ALG_SHA_256)},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PSS(PSA_ALG_SHA_512)},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PSS_ANY_SALT(PSA_ALG_SHA_384)},
    {ECC_PAIR(SECP_R1), 192, PSA_ALG_ECDSA(PSA_ALG_SHA_256)},
    {ECC_PAIR(SECP_R1), 224, PSA_ALG_ECDSA(PSA_ALG_SHA_224)},
    {ECC_PAIR(SECP_R1), 256, PSA_ALG_ECDSA(PSA_ALG_SHA_256)},
    {ECC_PAIR(SECP_R1), 256, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256)},
    {ECC_PAIR(SECP_R1), 256, PSA_ALG_ECDSA_ANY},
    {ECC_PAIR(SECP_R1), 384, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_384)},
    {ECC_PAIR(SECP_R1), 521, PSA_ALG_ECDSA(PSA_ALG_SHA_512)},
    {ECC_PAIR(SECP_R1), 521, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_512)},
    {ECC_PAIR(SECP_K1), 256, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256)},
    {ECC_PAIR(BRAINPOOL_P_R1), 256, PSA_ALG_ECDSA(PSA_ALG_SHA_256)},
    {ECC_PAIR(BRAINPOOL_P_R1), 384, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_384)},
    {ECC_PAIR(BRAINPOOL_P_R1), 512, PSA_ALG_ECDSA(PSA_ALG_SHA_512)},
    {ECC_PAIR(TWISTED_EDWARDS), 255, PSA_ALG_PURE_EDDSA},
    {ECC_PAIR(TWISTED_EDWARDS), 448, PSA_ALG_PURE_EDDSA},
    {ECC_PAIR(TWISTED_EDWARDS), 255, PSA_ALG_ED25519PH},
    {ECC_PAIR(TWISTED_EDWARDS), 448, PSA_ALG_ED448PH},
};

static const uint8_t message[] = "the quick brown fox jumps over the lazy dog";

static void test_sign_verify_round_trips(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(sign_cases) / sizeof(sign_cases[0]); i++) {
        const sign_case_t *c = &sign_cases[i];
        psa_algorithm_t hash_alg = PSA_ALG_IS_SIGN_HASH(c->alg) && c->alg != PSA_ALG_ECDSA_ANY &&
                                           c->alg != PSA_ALG_RSA_PKCS1V15_SIGN_RAW
                                       ? PSA_ALG_SIGN_GET_HASH(c->alg)
                                       : PSA_ALG_SHA_256;
        psa_key_id_t pair =
            generate(c->type, c->bits, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH, c->alg);
        psa_key_id_t pub = import_public_of(pair, PSA_KEY_USAGE_VERIFY_HASH, c->alg);
        size_t expected_length = PSA_SIGN_OUTPUT_SIZE(c->type, c->bits, c->alg);
        uint8_t sig[PSA_SIGNATURE_MAX_SIZE], sig2[PSA_SIGNATURE_MAX_SIZE];
        size_t n = 0, m = 0;

        if (PSA_ALG_IS_SIGN_MESSAGE(c->alg)) {
            assert_int_equal(
                psa_sign_message(pair, c->alg, message, sizeof(message), sig, sizeof(sig), &n),
                PSA_SUCCESS);
            assert_int_equal(n, expected_length);
            assert_int_equal(psa_verify_message(pub, c->alg, message, sizeof(message), sig, n),
                             PSA_SUCCESS);
            assert_int_equal(psa_verify_message(pair, c->alg, message, sizeof(message), sig, n),
                             PSA_SUCCESS);
            sig[n / 2] ^= 0x40;
            assert_int_equal(psa_verify_message(pub, c->alg, message, sizeof(message), sig, n),
                             PSA_ERROR_INVALID_SIGNATURE);
            sig[n / 2] ^= 0x40;
            assert_int_equal(psa_verify_message(pub, c->alg, message, sizeof(message) - 1, sig, n),
                             PSA_ERROR_INVALID_SIGNATURE);
            assert_int_equal(psa_verify_message(pub, c->alg, message, sizeof(message), sig, n - 1),
                             PSA_ERROR_INVALID_SIGNATURE);
            /* Exact buffer works; one byte less is too small. */
            assert_int_equal(psa_sign_message(pair, c->alg, message, sizeof(message), sig2,
                                              expected_length - 1, &m),
                             PSA_ERROR_BUFFER_TOO_SMALL);
            assert_int_equal(m, 0);
            assert_int_equal(
                psa_sign_message(pair, c->alg, message, sizeof(message), sig2, expected_length, &m),
                PSA_SUCCESS);
            bool deterministic = PSA_ALG_IS_DETERMINISTIC_ECDSA(c->alg) ||
                                 c->alg == PSA_ALG_PURE_EDDSA || PSA_ALG_IS_HASH_EDDSA(c->alg) ||
                                 PSA_ALG_IS_RSA_PKCS1V15_SIGN(c->alg);
            if (deterministic) {
                assert_memory_equal(sig, sig2, n);
            }
        }
        if (PSA_ALG_IS_SIGN_HASH(c->alg)) {
            uint8_t hash[PSA_HASH_MAX_SIZE + 1]; /* one spare byte for the too-long case */
            size_t hash_length = 0;
            assert_int_equal(psa_hash_compute(hash_alg, message, sizeof(message), hash,
                                              sizeof(hash), &hash_length),
                             PSA_SUCCESS);
            assert_int_equal(psa_sign_hash(pair, c->alg, hash, hash_length, sig, sizeof(sig), &n),
                             PSA_SUCCESS);
            assert_int_equal(n, expected_length);
            assert_int_equal(psa_verify_hash(pub, c->alg, hash, hash_length, sig, n), PSA_SUCCESS);
            if (PSA_ALG_IS_SIGN_MESSAGE(c->alg)) {
                /* sign_hash over H(m) and verify_message over m agree. */
                assert_int_equal(psa_verify_message(pub, c->alg, message, sizeof(message), sig, n),
                                 PSA_SUCCESS);
            }
            hash[0] ^= 1;
            assert_int_equal(psa_verify_hash(pub, c->alg, hash, hash_length, sig, n),
                             PSA_ERROR_INVALID_SIGNATURE);
            hash[0] ^= 1;
            sig[n - 1] ^= 0x01;
            assert_int_equal(psa_verify_hash(pub, c->alg, hash, hash_length, sig, n),
                             PSA_ERROR_INVALID_SIGNATURE);
            /* A hash of the wrong length for a hash-specific algorithm is an argument error. */
            if (PSA_ALG_SIGN_GET_HASH(c->alg) != PSA_ALG_NONE) {
                assert_int_equal(
                    psa_sign_hash(pair, c->alg, hash, hash_length - 1, sig, sizeof(sig), &n),
                    PSA_ERROR_INVALID_ARGUMENT);
                assert_int_equal(
                    psa_verify_hash(pub, c->alg, hash, hash_length + 1, sig, expected_length),
                    PSA_ERROR_INVALID_ARGUMENT);
            }
        }
        /* A public key never signs. */
        assert_int_equal(psa_destroy_key(pub), PSA_SUCCESS);
        pub = import_public_of(pair, PSA_KEY_USAGE_SIGN_HASH, c->alg);
        if (PSA_ALG_IS_SIGN_MESSAGE(c->alg)) {
            assert_int_equal(
                psa_sign_message(pub, c->alg, message, sizeof(message), sig, sizeof(sig), &n),
                PSA_ERROR_INVALID_ARGUMENT);
        }
        psa_destroy_key(pair);
        psa_destroy_key(pub);
    }
}

static void check_rfc6979(psa_ecc_family_t family, size_t bits, const char *x_hex, const char *msg,
                          const char *r_hex, const char *s_hex)
{
    uint8_t x[66], expected[132], sig[132];
    size_t xn = unhex(x_hex, x);
    size_t rn = unhex(r_hex, expected);
    size_t sn = unhex(s_hex, expected + rn);
    psa_algorithm_t alg = PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256);
    psa_key_attributes_t attr =
        attributes(PSA_KEY_TYPE_ECC_KEY_PAIR(family), bits, PSA_KEY_USAGE_SIGN_MESSAGE, alg);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, x, xn, &id), PSA_SUCCESS);
    size_t n = 0;
    for (int round = 0; round < 2; round++) {
        assert_int_equal(
            psa_sign_message(id, alg, (const uint8_t *)msg, strlen(msg), sig, sizeof(sig), &n),
            PSA_SUCCESS);
        assert_int_equal(n, rn + sn);
        assert_memory_equal(sig, expected, n);
    }
    psa_destroy_key(id);
}

/* HashEdDSA known answers: RFC 8032 section 7.3 (Ed25519ph, "TEST abc") and section 7.5 (Ed448ph,
 * "TEST abc", the vector with an empty context; PSA has no context). Neither python3-cryptography
 * nor OpenSSL 3.0 computes the prehash instances, so the RFC is the independent reference. */
typedef struct hash_eddsa_vector {
    size_t bits;
    psa_algorithm_t alg;
    const char *secret, *public_key, *message, *signature;
} hash_eddsa_vector_t;

static const hash_eddsa_vector_t hash_eddsa_vectors[] = {
    {255, PSA_ALG_ED25519PH, "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", "616263",
     "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
     "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"},
    {448, PSA_ALG_ED448PH,
     "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42ef7822e0d5104127dc05d6dbefde"
     "69e3ab2cec7c867c6e2c49",
     "259b71c19f83ef77a7abd26524cbdb3161b590a48f7d17de3ee0ba9c52beb743c09428a131d6b1b57303d90d8132"
     "c276d5ed3d5d01c0f53880",
     "616263",
     "822f6901f7480f3d5f562c592994d9693602875614483256505600bbc281ae381f54d6bce2ea911574932f52a4e6"
     "cadd78769375ec3ffd1b801a0d9b3f4030cd433964b6457ea39476511214f97469b57dd32dbc560a9a94d00bff07"
     "620464a3ad203df7dc7ce360c3cd3696d9d9fab90f00"},
};

static void test_hash_eddsa_rfc8032(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(hash_eddsa_vectors) / sizeof(hash_eddsa_vectors[0]); i++) {
        const hash_eddsa_vector_t *v = &hash_eddsa_vectors[i];
        uint8_t secret[57], public_key[57], msg[16], sig[PSA_SIGNATURE_MAX_SIZE];
        uint8_t expected[114 + 1] = {0}; /* one spare byte for the too-long case */
        uint8_t exported[57], ph[PSA_HASH_MAX_SIZE + 1] = {0};
        size_t secret_length = unhex(v->secret, secret);
        size_t public_length = unhex(v->public_key, public_key);
        size_t msg_length = unhex(v->message, msg);
        size_t sig_length = unhex(v->signature, expected);
        size_t n = 0, ph_length = 0;
        psa_key_id_t pair =
            import(ECC_PAIR(TWISTED_EDWARDS),
                   PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH | PSA_KEY_USAGE_EXPORT,
                   v->alg, secret, secret_length);
        psa_key_id_t pub = import(ECC_PUB(TWISTED_EDWARDS), PSA_KEY_USAGE_VERIFY_HASH, v->alg,
                                  public_key, public_length);
        assert_int_equal(psa_export_public_key(pair, exported, sizeof(exported), &n), PSA_SUCCESS);
        assert_int_equal(n, public_length);
        assert_memory_equal(exported, public_key, n);

        /* sign_message hashes M; sign_hash takes PH(M) (SHA-512, or 64 bytes of SHAKE256). */
        assert_int_equal(psa_sign_message(pair, v->alg, msg, msg_length, sig, sizeof(sig), &n),
                         PSA_SUCCESS);
        assert_int_equal(n, sig_length);
        assert_memory_equal(sig, expected, n);
        assert_int_equal(psa_hash_compute(PSA_ALG_SIGN_GET_HASH(v->alg), msg, msg_length, ph,
                                          sizeof(ph), &ph_length),
                         PSA_SUCCESS);
        assert_int_equal(ph_length, 64);
        memset(sig, 0, sizeof(sig));
        assert_int_equal(psa_sign_hash(pair, v->alg, ph, ph_length, sig, sizeof(sig), &n),
                         PSA_SUCCESS);
        assert_int_equal(n, sig_length);
        assert_memory_equal(sig, expected, n);
        for (int k = 0; k < 2; k++) {
            psa_key_id_t key = k == 0 ? pair : pub;
            assert_int_equal(psa_verify_message(key, v->alg, msg, msg_length, expected, sig_length),
                             PSA_SUCCESS);
            assert_int_equal(psa_verify_hash(key, v->alg, ph, ph_length, expected, sig_length),
                             PSA_SUCCESS);
        }

        /* Tampering with R, S, the message or the prehash makes the signature invalid. */
        for (size_t at = 0; at < sig_length; at += sig_length / 2 - 1) {
            memcpy(sig, expected, sig_length);
            sig[at] ^= 0x02;
            assert_int_equal(psa_verify_hash(pub, v->alg, ph, ph_length, sig, sig_length),
                             PSA_ERROR_INVALID_SIGNATURE);
        }
        msg[0] ^= 1;
        assert_int_equal(psa_verify_message(pub, v->alg, msg, msg_length, expected, sig_length),
                         PSA_ERROR_INVALID_SIGNATURE);
        msg[0] ^= 1;
        ph[63] ^= 0x80;
        assert_int_equal(psa_verify_hash(pub, v->alg, ph, ph_length, expected, sig_length),
                         PSA_ERROR_INVALID_SIGNATURE);
        ph[63] ^= 0x80;
        /* S at or above the group order L (all ones) is rejected, as RFC 8032 requires. */
        memcpy(sig, expected, sig_length);
        memset(sig + sig_length / 2, 0xff, sig_length / 2);
        assert_int_equal(psa_verify_hash(pub, v->alg, ph, ph_length, sig, sig_length),
                         PSA_ERROR_INVALID_SIGNATURE);
        /* R with a non-canonical y (all ones is at least p) is rejected. */
        memcpy(sig, expected, sig_length);
        memset(sig, 0xff, sig_length / 2);
        assert_int_equal(psa_verify_hash(pub, v->alg, ph, ph_length, sig, sig_length),
                         PSA_ERROR_INVALID_SIGNATURE);
        /* Signature of the wrong length: invalid; hash of the wrong length: invalid argument. */
        assert_int_equal(psa_verify_hash(pub, v->alg, ph, ph_length, expected, sig_length - 1),
                         PSA_ERROR_INVALID_SIGNATURE);
        assert_int_equal(psa_verify_hash(pub, v->alg, ph, ph_length, expected, sig_length + 1),
                         PSA_ERROR_INVALID_SIGNATURE);
        static const size_t bad_lengths[] = {0, 32, 48, 63, 65};
        for (size_t b = 0; b < sizeof(bad_lengths) / sizeof(bad_lengths[0]); b++) {
            assert_int_equal(psa_sign_hash(pair, v->alg, ph, bad_lengths[b], sig, sizeof(sig), &n),
                             PSA_ERROR_INVALID_ARGUMENT);
            assert_int_equal(n, 0);
            assert_int_equal(psa_verify_hash(pub, v->alg, ph, bad_lengths[b], expected, sig_length),
                             PSA_ERROR_INVALID_ARGUMENT);
        }
        /* Buffer one byte short; the exact size works. */
        assert_int_equal(psa_sign_hash(pair, v->alg, ph, ph_length, sig, sig_length - 1, &n),
                         PSA_ERROR_BUFFER_TOO_SMALL);
        assert_int_equal(n, 0);
        /* The other curve's instance, pure EdDSA through sign_hash, a public key signing. */
        psa_algorithm_t other = v->alg == PSA_ALG_ED25519PH ? PSA_ALG_ED448PH : PSA_ALG_ED25519PH;
        assert_int_equal(psa_sign_hash(pair, other, ph, ph_length, sig, sizeof(sig), &n),
                         PSA_ERROR_NOT_PERMITTED);
        assert_int_equal(psa_sign_hash(pub, v->alg, ph, ph_length, sig, sizeof(sig), &n),
                         PSA_ERROR_NOT_PERMITTED);
        /* After every error the key still produces the RFC signature. */
        assert_int_equal(psa_sign_hash(pair, v->alg, ph, ph_length, sig, sig_length, &n),
                         PSA_SUCCESS);
        assert_int_equal(n, sig_length);
        assert_memory_equal(sig, expected, n);
        psa_destroy_key(pair);
        psa_destroy_key(pub);

        /* Usage rules: VERIFY_MESSAGE alone does not allow verify_hash; SIGN_HASH implies
         * SIGN_MESSAGE. A key of the other curve cannot do this instance. */
        pub = import(ECC_PUB(TWISTED_EDWARDS), PSA_KEY_USAGE_VERIFY_MESSAGE, v->alg, public_key,
                     public_length);
        assert_int_equal(psa_verify_message(pub, v->alg, msg, msg_length, expected, sig_length),
                         PSA_SUCCESS);
        assert_int_equal(psa_verify_hash(pub, v->alg, ph, ph_length, expected, sig_length),
                         PSA_ERROR_NOT_PERMITTED);
        psa_destroy_key(pub);
        psa_key_id_t wrong = generate(ECC_PAIR(TWISTED_EDWARDS), v->bits == 255 ? 448 : 255,
                                      PSA_KEY_USAGE_SIGN_HASH, v->alg);
        assert_int_equal(psa_sign_hash(wrong, v->alg, ph, ph_length, sig, sizeof(sig), &n),
                         PSA_ERROR_INVALID_ARGUMENT);
        psa_destroy_key(wrong);
    }
}

/* RFC 6979 appendix A.2.5 (P-256) and A.2.6 (P-384), SHA-256, messages "sample" and "test". */
static void test_deterministic_ecdsa_rfc6979(void **state)
{
    (void)state;
    static const char x256[] = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
    check_rfc6979(PSA_ECC_FAMILY_SECP_R1, 256, x256, "sample",
                  "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
                  "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
    check_rfc6979(PSA_ECC_FAMILY_SECP_R1, 256, x256, "test",
                  "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
                  "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083");
    static const char x384[] = "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D8"
                               "96D5724E4C70A825F872C9EA60D2EDF5";
    check_rfc6979(PSA_ECC_FAMILY_SECP_R1, 384, x384, "sample",
                  "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33"
                  "BDE1E888E63355D92FA2B3C36D8FB2CD",
                  "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEB"
                  "EFDC63ECCD1AC42EC0CB8668A4FA0AB0");
    check_rfc6979(PSA_ECC_FAMILY_SECP_R1, 384, x384, "test",
                  "6D6DEFAC9AB64DABAFE36C6BF510352A4CC27001263638E5B16D9BB51D451559"
                  "F918EEDAF2293BE5B475CC8F0188636B",
                  "2D46F3BECBCC523D5F1A1256BF0C9B024D879BA9E838144C8BA6BAEB4B53B47D"
                  "51AB373F9845C0514EEFB14024787265");
}

static void test_sign_errors(void **state)
{
    (void)state;
    psa_algorithm_t ecdsa = PSA_ALG_ECDSA(PSA_ALG_SHA_256);
    psa_key_id_t ec = generate(ECC_PAIR(SECP_R1), 256,
                               PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH, ecdsa);
    uint8_t hash[PSA_HASH_MAX_SIZE] = {1}, sig[PSA_SIGNATURE_MAX_SIZE];
    size_t n = 99;
    /* Not a signature algorithm, a wildcard, or pure EdDSA through sign_hash. */
    assert_int_equal(psa_sign_hash(ec, PSA_ALG_SHA_256, hash, 32, sig, sizeof(sig), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(n, 0);
    assert_int_equal(
        psa_sign_hash(ec, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), hash, 32, sig, sizeof(sig), &n),
        PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_sign_hash(ec, PSA_ALG_PURE_EDDSA, hash, 32, sig, sizeof(sig), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_sign_message(ec, PSA_ALG_ECDSA_ANY, hash, 32, sig, sizeof(sig), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    /* Policy: another algorithm, a missing usage flag, an unknown key. */
    assert_int_equal(
        psa_sign_hash(ec, PSA_ALG_ECDSA(PSA_ALG_SHA_384), hash, 48, sig, sizeof(sig), &n),
        PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_sign_hash(0x1234, ecdsa, hash, 32, sig, sizeof(sig), &n),
                     PSA_ERROR_INVALID_HANDLE);
    psa_key_id_t verify_only = import_public_of(ec, PSA_KEY_USAGE_VERIFY_HASH, ecdsa);
    assert_int_equal(psa_sign_hash(verify_only, ecdsa, hash, 32, sig, sizeof(sig), &n),
                     PSA_ERROR_NOT_PERMITTED);
    /* Wrong key type for the algorithm. */
    psa_algorithm_t pss = PSA_ALG_RSA_PSS(PSA_ALG_SHA_256);
    psa_key_id_t ec_any = generate(ECC_PAIR(SECP_R1), 256, PSA_KEY_USAGE_SIGN_HASH, pss);
    assert_int_equal(psa_sign_hash(ec_any, pss, hash, 32, sig, sizeof(sig), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    psa_key_id_t x25519 = generate(ECC_PAIR(MONTGOMERY), 255, PSA_KEY_USAGE_SIGN_HASH, ecdsa);
    assert_int_equal(psa_sign_hash(x25519, ecdsa, hash, 32, sig, sizeof(sig), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    psa_key_id_t ed =
        generate(ECC_PAIR(TWISTED_EDWARDS), 255, PSA_KEY_USAGE_SIGN_MESSAGE, PSA_ALG_ED448PH);
    assert_int_equal(psa_sign_message(ed, PSA_ALG_ED448PH, hash, 32, sig, sizeof(sig), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    psa_key_id_t ed_ph =
        generate(ECC_PAIR(TWISTED_EDWARDS), 255, PSA_KEY_USAGE_SIGN_MESSAGE, PSA_ALG_ED25519PH);
    assert_int_equal(psa_sign_message(ed_ph, PSA_ALG_ED25519PH, hash, 32, sig, sizeof(sig), &n),
                     PSA_SUCCESS);
    assert_int_equal(n, 64);
    /* Buffer too small, with the exact size working; the key still works afterwards. */
    assert_int_equal(psa_sign_hash(ec, ecdsa, hash, 32, sig, 63, &n), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 0);
    assert_int_equal(psa_sign_hash(ec, ecdsa, hash, 32, sig, 64, &n), PSA_SUCCESS);
    assert_int_equal(n, 64);
    assert_int_equal(psa_verify_hash(ec, ecdsa, hash, 32, sig, 64), PSA_SUCCESS);
    assert_int_equal(psa_verify_hash(verify_only, ecdsa, hash, 32, sig, 64), PSA_SUCCESS);
    /* Signatures with r or s zero or out of range are invalid, not errors. */
    memset(sig, 0, 64);
    assert_int_equal(psa_verify_hash(ec, ecdsa, hash, 32, sig, 64), PSA_ERROR_INVALID_SIGNATURE);
    memset(sig, 0xff, 64);
    assert_int_equal(psa_verify_hash(ec, ecdsa, hash, 32, sig, 64), PSA_ERROR_INVALID_SIGNATURE);
    /* SIGN_HASH implies SIGN_MESSAGE; SIGN_MESSAGE alone does not permit sign_hash. */
    assert_int_equal(psa_sign_message(ec, ecdsa, message, sizeof(message), sig, sizeof(sig), &n),
                     PSA_SUCCESS);
    psa_key_id_t msg_only = generate(ECC_PAIR(SECP_R1), 256, PSA_KEY_USAGE_SIGN_MESSAGE, ecdsa);
    assert_int_equal(psa_sign_hash(msg_only, ecdsa, hash, 32, sig, sizeof(sig), &n),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(
        psa_sign_message(msg_only, ecdsa, message, sizeof(message), sig, sizeof(sig), &n),
        PSA_SUCCESS);
    /* A policy with ANY_HASH permits every specific hash. */
    psa_key_id_t any =
        generate(ECC_PAIR(SECP_R1), 256, PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    assert_int_equal(
        psa_sign_hash(any, PSA_ALG_ECDSA(PSA_ALG_SHA_1), hash, 20, sig, sizeof(sig), &n),
        PSA_SUCCESS);
    /* RSA raw PKCS#1 v1.5: the input must leave room for the padding. */
    psa_key_id_t rsa = generate(PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_KEY_USAGE_SIGN_HASH,
                                PSA_ALG_RSA_PKCS1V15_SIGN_RAW);
    uint8_t big[128] = {0};
    assert_int_equal(
        psa_sign_hash(rsa, PSA_ALG_RSA_PKCS1V15_SIGN_RAW, big, 118, sig, sizeof(sig), &n),
        PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_sign_hash(rsa, PSA_ALG_RSA_PKCS1V15_SIGN_RAW, big, 117, sig, 127, &n),
                     PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(psa_sign_hash(rsa, PSA_ALG_RSA_PKCS1V15_SIGN_RAW, big, 117, sig, 128, &n),
                     PSA_SUCCESS);
    psa_key_id_t ids[] = {ec, verify_only, ec_any, x25519, ed, ed_ph, msg_only, any, rsa};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        assert_int_equal(psa_destroy_key(ids[i]), PSA_SUCCESS);
    }
}

/* ---- RSA encryption -------------------------------------------------------------------------- */

static void test_rsa_encryption(void **state)
{
    (void)state;
    static const psa_algorithm_t algs[] = {
        PSA_ALG_RSA_PKCS1V15_CRYPT,         PSA_ALG_RSA_OAEP(PSA_ALG_SHA_1),
        PSA_ALG_RSA_OAEP(PSA_ALG_SHA_224),  PSA_ALG_RSA_OAEP(PSA_ALG_SHA_256),
        PSA_ALG_RSA_OAEP(PSA_ALG_SHA_384),  PSA_ALG_RSA_OAEP(PSA_ALG_SHA_512),
        PSA_ALG_RSA_OAEP(PSA_ALG_SHA3_256),
    };
    psa_key_id_t pair = generate(PSA_KEY_TYPE_RSA_KEY_PAIR, 2048, PSA_KEY_USAGE_EXPORT, 0);
    uint8_t der[PSA_EXPORT_KEY_PAIR_MAX_SIZE];
    size_t der_length = 0;
    assert_int_equal(psa_export_key(pair, der, sizeof(der), &der_length), PSA_SUCCESS);
    static const uint8_t label[] = "label";
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        psa_algorithm_t alg = algs[i];
        psa_key_id_t key =
            import(PSA_KEY_TYPE_RSA_KEY_PAIR, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT, alg,
                   der, der_length);
        psa_key_id_t pub =
            import_public_of(key, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT, alg);
        size_t max = alg == PSA_ALG_RSA_PKCS1V15_CRYPT
                         ? 256 - 11
                         : 256 - 2 * PSA_HASH_LENGTH(PSA_ALG_GET_HASH(alg)) - 2;
        uint8_t plain[256], ct[256], out[256];
        memset(plain, 0x5c, sizeof(plain));
        size_t n = 0, m = 0;
        for (int labelled = 0; labelled < 2; labelled++) {
            const uint8_t *salt = labelled ? label : NULL;
            size_t salt_length = labelled ? sizeof(label) : 0;
            if (labelled && alg == PSA_ALG_RSA_PKCS1V15_CRYPT) {
                assert_int_equal(psa_asymmetric_encrypt(pub, alg, plain, 10, salt, salt_length, ct,
                                                        sizeof(ct), &n),
                                 PSA_ERROR_INVALID_ARGUMENT);
                continue;
            }
            assert_int_equal(
                psa_asymmetric_encrypt(pub, alg, plain, max, salt, salt_length, ct, sizeof(ct), &n),
                PSA_SUCCESS);
            assert_int_equal(n, 256);
            assert_int_equal(
                psa_asymmetric_decrypt(key, alg, ct, n, salt, salt_length, out, sizeof(out), &m),
                PSA_SUCCESS);
            assert_int_equal(m, max);
            assert_memory_equal(out, plain, m);
            /* The plaintext length is what the output buffer must hold. */
            assert_int_equal(
                psa_asymmetric_decrypt(key, alg, ct, n, salt, salt_length, out, max - 1, &m),
                PSA_ERROR_BUFFER_TOO_SMALL);
            assert_int_equal(
                psa_asymmetric_decrypt(key, alg, ct, n, salt, salt_length, out, max, &m),
                PSA_SUCCESS);
            /* Empty plaintext, and a tampered ciphertext. */
            assert_int_equal(
                psa_asymmetric_encrypt(key, alg, plain, 0, salt, salt_length, ct, sizeof(ct), &n),
                PSA_SUCCESS);
            assert_int_equal(
                psa_asymmetric_decrypt(key, alg, ct, n, salt, salt_length, out, sizeof(out), &m),
                PSA_SUCCESS);
            assert_int_equal(m, 0);
            ct[100] ^= 0x20;
            assert_int_equal(
                psa_asymmetric_decrypt(key, alg, ct, n, salt, salt_length, out, sizeof(out), &m),
                PSA_ERROR_INVALID_PADDING);
        }
        if (alg != PSA_ALG_RSA_PKCS1V15_CRYPT) {
            /* A wrong label fails like a wrong padding. */
            assert_int_equal(
                psa_asymmetric_encrypt(pub, alg, plain, 5, label, 3, ct, sizeof(ct), &n),
                PSA_SUCCESS);
            assert_int_equal(
                psa_asymmetric_decrypt(key, alg, ct, n, label, 4, out, sizeof(out), &m),
                PSA_ERROR_INVALID_PADDING);
        }
        assert_int_equal(
            psa_asymmetric_encrypt(pub, alg, plain, max + 1, NULL, 0, ct, sizeof(ct), &n),
            PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(psa_asymmetric_encrypt(pub, alg, plain, 1, NULL, 0, ct, 255, &n),
                         PSA_ERROR_BUFFER_TOO_SMALL);
        assert_int_equal(psa_asymmetric_decrypt(pub, alg, ct, 256, NULL, 0, out, sizeof(out), &m),
                         PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(psa_asymmetric_decrypt(key, alg, ct, 255, NULL, 0, out, sizeof(out), &m),
                         PSA_ERROR_INVALID_ARGUMENT);
        psa_destroy_key(key);
        psa_destroy_key(pub);
    }
    /* Not an encryption algorithm (the policy is checked first, as in Mbed TLS; with a policy
     * for it, RSA refuses it); an ECC key; a policy for another algorithm. */
    uint8_t buf[256];
    size_t n = 0;
    psa_key_id_t key = import(PSA_KEY_TYPE_RSA_KEY_PAIR, PSA_KEY_USAGE_ENCRYPT,
                              PSA_ALG_RSA_PKCS1V15_CRYPT, der, der_length);
    assert_int_equal(psa_asymmetric_encrypt(key, PSA_ALG_RSA_PSS(PSA_ALG_SHA_256), buf, 1, NULL, 0,
                                            buf, sizeof(buf), &n),
                     PSA_ERROR_NOT_PERMITTED);
    psa_key_id_t pss = import(PSA_KEY_TYPE_RSA_KEY_PAIR, PSA_KEY_USAGE_ENCRYPT,
                              PSA_ALG_RSA_PSS(PSA_ALG_SHA_256), der, der_length);
    assert_int_equal(psa_asymmetric_encrypt(pss, PSA_ALG_RSA_PSS(PSA_ALG_SHA_256), buf, 1, NULL, 0,
                                            buf, sizeof(buf), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    psa_destroy_key(pss);
    assert_int_equal(psa_asymmetric_encrypt(key, PSA_ALG_RSA_OAEP(PSA_ALG_SHA_256), buf, 1, NULL, 0,
                                            buf, sizeof(buf), &n),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_asymmetric_decrypt(key, PSA_ALG_RSA_PKCS1V15_CRYPT, buf, 256, NULL, 0, buf,
                                            sizeof(buf), &n),
                     PSA_ERROR_NOT_PERMITTED);
    psa_key_id_t ec =
        generate(ECC_PAIR(SECP_R1), 256, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_RSA_PKCS1V15_CRYPT);
    /* An asymmetric key other than RSA has no encryption here: NOT_SUPPORTED (Mbed TLS). */
    assert_int_equal(psa_asymmetric_encrypt(ec, PSA_ALG_RSA_PKCS1V15_CRYPT, buf, 1, NULL, 0, buf,
                                            sizeof(buf), &n),
                     PSA_ERROR_NOT_SUPPORTED);
    psa_destroy_key(key);
    psa_destroy_key(ec);
    psa_destroy_key(pair);
}

/* ---- key agreement --------------------------------------------------------------------------- */

static const key_case_t agreement_cases[] = {
    {ECC_PAIR(SECP_R1), 192, 24, 0},        {ECC_PAIR(SECP_R1), 256, 32, 0},
    {ECC_PAIR(SECP_R1), 521, 66, 0},        {ECC_PAIR(SECP_K1), 256, 32, 0},
    {ECC_PAIR(BRAINPOOL_P_R1), 512, 64, 0}, {ECC_PAIR(MONTGOMERY), 255, 32, 0},
    {ECC_PAIR(MONTGOMERY), 448, 56, 0},     {DH_PAIR, 2048, 256, 0},
};

static void test_key_agreement(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(agreement_cases) / sizeof(agreement_cases[0]); i++) {
        const key_case_t *c = &agreement_cases[i];
        psa_algorithm_t alg = PSA_KEY_TYPE_IS_DH(c->type) ? PSA_ALG_FFDH : PSA_ALG_ECDH;
        psa_key_id_t a = generate(c->type, c->bits, PSA_KEY_USAGE_DERIVE, alg);
        psa_key_id_t b = generate(c->type, c->bits, PSA_KEY_USAGE_DERIVE, alg);
        uint8_t pa[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE], pb[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
        size_t na = 0, nb = 0;
        assert_int_equal(psa_export_public_key(a, pa, sizeof(pa), &na), PSA_SUCCESS);
        assert_int_equal(psa_export_public_key(b, pb, sizeof(pb), &nb), PSA_SUCCESS);
        uint8_t sa[1024], sb[1024];
        size_t la = 0, lb = 0;
        assert_int_equal(psa_raw_key_agreement(alg, a, pb, nb, sa, sizeof(sa), &la), PSA_SUCCESS);
        assert_int_equal(psa_raw_key_agreement(alg, b, pa, na, sb, c->pair_length, &lb),
                         PSA_SUCCESS);
        assert_int_equal(la, c->pair_length);
        assert_int_equal(lb, la);
        assert_memory_equal(sa, sb, la);
        assert_int_equal(la, PSA_RAW_KEY_AGREEMENT_OUTPUT_SIZE(c->type, c->bits));
        /* Buffer one byte short; a corrupted peer; a peer of the wrong size. */
        assert_int_equal(psa_raw_key_agreement(alg, a, pb, nb, sa, la - 1, &la),
                         PSA_ERROR_BUFFER_TOO_SMALL);
        assert_int_equal(la, 0);
        assert_int_equal(psa_raw_key_agreement(alg, a, pb, nb - 1, sa, sizeof(sa), &la),
                         PSA_ERROR_INVALID_ARGUMENT);
        if (c->type == ECC_PAIR(SECP_R1) || PSA_KEY_TYPE_IS_DH(c->type)) {
            uint8_t bad[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
            memcpy(bad, pb, nb);
            if (PSA_KEY_TYPE_IS_DH(c->type)) {
                memset(bad, 0, nb); /* 0 is out of range */
            } else {
                bad[nb - 1] ^= 1; /* off the curve */
            }
            assert_int_equal(psa_raw_key_agreement(alg, a, bad, nb, sa, sizeof(sa), &la),
                             PSA_ERROR_INVALID_ARGUMENT);
        }
        /* The standalone agreement stores the same secret in a new key. */
        psa_key_attributes_t attr = attributes(PSA_KEY_TYPE_DERIVE, 0, PSA_KEY_USAGE_EXPORT, 0);
        psa_key_id_t k = 0;
        assert_int_equal(psa_key_agreement(a, pb, nb, alg, &attr, &k), PSA_SUCCESS);
        uint8_t stored[1024];
        size_t ls = 0;
        assert_int_equal(psa_export_key(k, stored, sizeof(stored), &ls), PSA_SUCCESS);
        assert_int_equal(ls, lb);
        assert_memory_equal(stored, sb, ls);
        psa_destroy_key(k);
        attr = attributes(PSA_KEY_TYPE_DERIVE, 8 * lb + 8, PSA_KEY_USAGE_EXPORT, 0);
        assert_int_equal(psa_key_agreement(a, pb, nb, alg, &attr, &k), PSA_ERROR_INVALID_ARGUMENT);
        attr = attributes(PSA_KEY_TYPE_RSA_KEY_PAIR, 0, PSA_KEY_USAGE_EXPORT, 0);
        assert_int_equal(psa_key_agreement(a, pb, nb, alg, &attr, &k), PSA_ERROR_INVALID_ARGUMENT);
        /* Another agreement algorithm is not permitted by the policy. */
        psa_algorithm_t other = alg == PSA_ALG_ECDH ? PSA_ALG_FFDH : PSA_ALG_ECDH;
        assert_int_equal(psa_raw_key_agreement(other, a, pb, nb, sa, sizeof(sa), &la),
                         PSA_ERROR_NOT_PERMITTED);
        psa_destroy_key(a);
        psa_destroy_key(b);
    }
    /* Not an agreement algorithm; an Edwards key; a key without DERIVE. */
    uint8_t out[64], peer[32] = {9};
    size_t n = 0;
    psa_key_id_t ed = generate(ECC_PAIR(TWISTED_EDWARDS), 255, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH);
    assert_int_equal(psa_raw_key_agreement(PSA_ALG_ECDH, ed, peer, 32, out, sizeof(out), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(
        psa_raw_key_agreement(PSA_ALG_HKDF(PSA_ALG_SHA_256), ed, peer, 32, out, sizeof(out), &n),
        PSA_ERROR_INVALID_ARGUMENT);
    psa_key_id_t x = generate(ECC_PAIR(MONTGOMERY), 255, PSA_KEY_USAGE_EXPORT, PSA_ALG_ECDH);
    assert_int_equal(psa_raw_key_agreement(PSA_ALG_ECDH, x, peer, 32, out, sizeof(out), &n),
                     PSA_ERROR_NOT_PERMITTED);
    /* X25519 with a small-order peer (all-zero shared secret) is refused. */
    psa_key_id_t x2 = generate(ECC_PAIR(MONTGOMERY), 255, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH);
    memset(peer, 0, sizeof(peer));
    assert_int_equal(psa_raw_key_agreement(PSA_ALG_ECDH, x2, peer, 32, out, sizeof(out), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    peer[0] = 9; /* the base point: a valid peer, and the key keeps working */
    assert_int_equal(psa_raw_key_agreement(PSA_ALG_ECDH, x2, peer, 32, out, sizeof(out), &n),
                     PSA_SUCCESS);
    psa_destroy_key(ed);
    psa_destroy_key(x);
    psa_destroy_key(x2);
}

/* Key agreement inside key derivation: HKDF over the ECDH secret equals HKDF over the raw secret
 * fed as bytes, and TLS 1.2 PSK-to-MS takes the agreement as its other secret. */
static void test_key_derivation_agreement(void **state)
{
    (void)state;
    psa_algorithm_t ka = PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_HKDF(PSA_ALG_SHA_256));
    psa_key_id_t a = generate(ECC_PAIR(SECP_R1), 256, PSA_KEY_USAGE_DERIVE, ka);
    psa_key_id_t b = generate(ECC_PAIR(SECP_R1), 256, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH);
    uint8_t pa[65], pb[65], secret[32];
    size_t n = 0;
    assert_int_equal(psa_export_public_key(a, pa, sizeof(pa), &n), PSA_SUCCESS);
    assert_int_equal(psa_export_public_key(b, pb, sizeof(pb), &n), PSA_SUCCESS);
    assert_int_equal(psa_raw_key_agreement(PSA_ALG_ECDH, b, pa, 65, secret, 32, &n), PSA_SUCCESS);

    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t out1[42], out2[42];
    assert_int_equal(psa_key_derivation_setup(&op, ka), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"salt", 4),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_SECRET, a, pb, 65),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO,
                                                    (const uint8_t *)"info", 4),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out1, sizeof(out1)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"salt", 4),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, secret, 32),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO,
                                                    (const uint8_t *)"info", 4),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out2, sizeof(out2)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    assert_memory_equal(out1, out2, sizeof(out1));

    /* A bad peer key puts the operation in the error state. */
    assert_int_equal(psa_key_derivation_setup(&op, ka), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"salt", 4),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_SECRET, a, pb, 64),
        PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(
        psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_SECRET, a, pb, 65),
        PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* TLS 1.2 ECDHE-PSK: the agreement is the other secret of PSK-to-MS. */
    psa_algorithm_t psk_ka =
        PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_TLS12_PSK_TO_MS(PSA_ALG_SHA_256));
    psa_key_id_t c = generate(ECC_PAIR(SECP_R1), 256, PSA_KEY_USAGE_DERIVE, psk_ka);
    uint8_t pc[65];
    assert_int_equal(psa_export_public_key(c, pc, sizeof(pc), &n), PSA_SUCCESS);
    assert_int_equal(psa_raw_key_agreement(PSA_ALG_ECDH, b, pc, 65, secret, 32, &n), PSA_SUCCESS);
    static const uint8_t psk[] = "psk", seed[] = "seed", label[] = "master secret";
    uint8_t ms1[48], ms2[48];
    assert_int_equal(psa_key_derivation_setup(&op, psk_ka), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, seed, 4),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_OTHER_SECRET, c, pb, 65),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, psk, 3),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL, label, 13),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, ms1, 48), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    psa_algorithm_t psk_alg = PSA_ALG_TLS12_PSK_TO_MS(PSA_ALG_SHA_256);
    assert_int_equal(psa_key_derivation_setup(&op, psk_alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, seed, 4),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_OTHER_SECRET, secret, 32),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, psk, 3),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL, label, 13),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, ms2, 48), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    assert_memory_equal(ms1, ms2, 48);
    psa_destroy_key(a);
    psa_destroy_key(b);
    psa_destroy_key(c);
}

/* Sets up HKDF-SHA-256 over a DERIVE key with a fixed secret. */
static void hkdf_start(psa_key_derivation_operation_t *op, psa_key_id_t secret)
{
    *op = psa_key_derivation_operation_init();
    assert_int_equal(psa_key_derivation_setup(op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(op, PSA_KEY_DERIVATION_INPUT_SECRET, secret),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_INFO,
                                                    (const uint8_t *)"ecc", 3),
                     PSA_SUCCESS);
}

/* psa_key_derivation_output_key for key pairs follows the specification's per-family procedure:
 * Weierstrass k+1 from ceil(m/8) bytes, Montgomery clamped bytes, Edwards raw bytes. */
static void test_derive_key_pairs(void **state)
{
    (void)state;
    uint8_t ikm[32];
    memset(ikm, 0x0b, sizeof(ikm));
    psa_key_id_t secret = import(PSA_KEY_TYPE_DERIVE, PSA_KEY_USAGE_DERIVE,
                                 PSA_ALG_HKDF(PSA_ALG_SHA_256), ikm, sizeof(ikm));
    static const struct {
        psa_key_type_t type;
        size_t bits;
        size_t length;
    } cases[] = {{ECC_PAIR(SECP_R1), 256, 32},         {ECC_PAIR(SECP_R1), 521, 66},
                 {ECC_PAIR(MONTGOMERY), 255, 32},      {ECC_PAIR(MONTGOMERY), 448, 56},
                 {ECC_PAIR(TWISTED_EDWARDS), 255, 32}, {ECC_PAIR(BRAINPOOL_P_R1), 384, 48}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        psa_key_derivation_operation_t op;
        uint8_t expected[66], got[66];
        size_t n = 0;
        hkdf_start(&op, secret);
        assert_int_equal(psa_key_derivation_output_bytes(&op, expected, cases[i].length),
                         PSA_SUCCESS);
        psa_key_derivation_abort(&op);
        if (cases[i].type == ECC_PAIR(MONTGOMERY) && cases[i].bits == 255) {
            expected[0] &= 0xf8;
            expected[31] = (uint8_t)((expected[31] & 0x7f) | 0x40);
        } else if (cases[i].type == ECC_PAIR(MONTGOMERY)) {
            expected[0] &= 0xfc;
            expected[55] |= 0x80;
        } else if (cases[i].type != ECC_PAIR(TWISTED_EDWARDS)) {
            if (cases[i].bits == 521) {
                expected[0] &= 0x01;
            }
            /* k + 1 (k is far below n - 2 for these fixed inputs' leading bytes). */
            for (size_t j = cases[i].length; j-- > 0;) {
                if (++expected[j] != 0) {
                    break;
                }
            }
        }
        hkdf_start(&op, secret);
        psa_key_attributes_t attr =
            attributes(cases[i].type, cases[i].bits, PSA_KEY_USAGE_EXPORT, 0);
        psa_key_id_t key = 0;
        assert_int_equal(psa_key_derivation_output_key(&attr, &op, &key), PSA_SUCCESS);
        psa_key_derivation_abort(&op);
        assert_int_equal(psa_export_key(key, got, sizeof(got), &n), PSA_SUCCESS);
        assert_int_equal(n, cases[i].length);
        if (cases[i].type == ECC_PAIR(SECP_R1) || cases[i].type == ECC_PAIR(BRAINPOOL_P_R1)) {
            /* Valid only when k <= n-2, which the first byte (below 0xff / 0x8c) guarantees. */
            assert_true(expected[0] < 0x8c || cases[i].bits == 521);
        }
        assert_memory_equal(got, expected, n);
        psa_destroy_key(key);
    }
    /* RSA and DH pairs cannot be derived here (implementation-defined: NOT_SUPPORTED). */
    psa_key_derivation_operation_t op;
    hkdf_start(&op, secret);
    psa_key_attributes_t attr = attributes(PSA_KEY_TYPE_RSA_KEY_PAIR, 2048, 0, 0);
    psa_key_id_t key = 0;
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &key), PSA_ERROR_NOT_SUPPORTED);
    psa_key_derivation_abort(&op);
    psa_destroy_key(secret);
}

/* A buffer of `length` bytes that ends right before an inaccessible page, so that any read past
 * the caller's hash faults instead of passing silently. */
typedef struct guarded {
    uint8_t *base;
    size_t page;
    uint8_t *data;
} guarded_t;

static guarded_t guarded_alloc(size_t length)
{
    guarded_t g;
    g.page = (size_t)sysconf(_SC_PAGESIZE);
    g.base = mmap(NULL, 2 * g.page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(g.base != MAP_FAILED);
    assert_int_equal(mprotect(g.base + g.page, g.page, PROT_NONE), 0);
    g.data = g.base + g.page - length;
    memset(g.data, 0x5a, length);
    return g;
}

static void guarded_free(guarded_t *g)
{
    munmap(g->base, 2 * g->page);
}

typedef struct guard_case {
    psa_key_type_t type;
    size_t bits;
    psa_algorithm_t policy;
    psa_algorithm_t alg;
    size_t hash_length;
    psa_status_t expected; /* for sign_hash and verify_hash alike (verify: INVALID_SIGNATURE) */
} guard_case_t;

/* Every signature family, with its one valid hash length and with the malformed algorithm values
 * that once let a short hash reach a family reading a fixed-size digest (HashEdDSA with a hash
 * other than SHA-512/SHAKE256, hash field 0 outside PKCS#1 v1.5 raw and ECDSA_ANY). */
static const guard_case_t guard_cases[] = {
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH),
     PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), 32, PSA_SUCCESS},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH),
     PSA_ALG_RSA_PKCS1V15_SIGN_RAW, 20, PSA_SUCCESS},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH),
     PSA_ALG_RSA_PSS(PSA_ALG_SHA_384), 48, PSA_SUCCESS},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH),
     PSA_ALG_RSA_PSS(PSA_ALG_SHA_384), 32, PSA_ERROR_INVALID_ARGUMENT},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, (psa_algorithm_t)0x06000300, (psa_algorithm_t)0x06000300, 1,
     PSA_ERROR_INVALID_ARGUMENT},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, (psa_algorithm_t)0x06001300, (psa_algorithm_t)0x06001300, 1,
     PSA_ERROR_INVALID_ARGUMENT},
    {PSA_KEY_TYPE_RSA_KEY_PAIR, 1024, PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH),
     PSA_ALG_RSA_PSS(PSA_ALG_SHAKE256_512), 64, PSA_ERROR_NOT_SUPPORTED},
    {ECC_PAIR(SECP_R1), 256, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), PSA_ALG_ECDSA(PSA_ALG_SHA_512), 64,
     PSA_SUCCESS},
    {ECC_PAIR(SECP_R1), 256, PSA_ALG_ECDSA_ANY, PSA_ALG_ECDSA_ANY, 1, PSA_SUCCESS},
    {ECC_PAIR(SECP_R1), 256, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_ANY_HASH),
     PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_224), 28, PSA_SUCCESS},
    {ECC_PAIR(SECP_R1), 256, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_ANY_HASH),
     PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_224), 32, PSA_ERROR_INVALID_ARGUMENT},
    {ECC_PAIR(SECP_R1), 256, (psa_algorithm_t)0x06000700, (psa_algorithm_t)0x06000700, 1,
     PSA_ERROR_INVALID_ARGUMENT},
    {ECC_PAIR(SECP_R1), 256, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_ANY_HASH),
     PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHAKE256_512), 64, PSA_ERROR_NOT_SUPPORTED},
    {ECC_PAIR(TWISTED_EDWARDS), 255, PSA_ALG_ED25519PH, PSA_ALG_ED25519PH, 64, PSA_SUCCESS},
    {ECC_PAIR(TWISTED_EDWARDS), 255, PSA_ALG_ED25519PH, PSA_ALG_ED25519PH, 32,
     PSA_ERROR_INVALID_ARGUMENT},
    {ECC_PAIR(TWISTED_EDWARDS), 448, PSA_ALG_ED448PH, PSA_ALG_ED448PH, 64, PSA_SUCCESS},
    {ECC_PAIR(TWISTED_EDWARDS), 255, (psa_algorithm_t)0x060009ff, (psa_algorithm_t)0x06000909, 32,
     PSA_ERROR_NOT_SUPPORTED},
    {ECC_PAIR(TWISTED_EDWARDS), 448, (psa_algorithm_t)0x06000909, (psa_algorithm_t)0x06000909, 32,
     PSA_ERROR_NOT_SUPPORTED},
    {ECC_PAIR(TWISTED_EDWARDS), 255, (psa_algorithm_t)0x06000900, (psa_algorithm_t)0x06000900, 1,
     PSA_ERROR_INVALID_ARGUMENT},
    {ECC_PAIR(TWISTED_EDWARDS), 448, PSA_ALG_ED25519PH, PSA_ALG_ED25519PH, 64,
     PSA_ERROR_INVALID_ARGUMENT},
};

static void test_sign_hash_length_guard_page(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(guard_cases) / sizeof(guard_cases[0]); i++) {
        const guard_case_t *c = &guard_cases[i];
        psa_key_id_t key = generate(c->type, c->bits,
                                    PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH, c->policy);
        guarded_t hash = guarded_alloc(c->hash_length);
        uint8_t sig[PSA_SIGNATURE_MAX_SIZE];
        size_t n = 0;
        psa_status_t status =
            psa_sign_hash(key, c->alg, hash.data, c->hash_length, sig, sizeof(sig), &n);
        if (status != c->expected) {
            print_error("case %zu (alg 0x%08x): sign_hash %d\n", i, (unsigned)c->alg, (int)status);
        }
        assert_int_equal(status, c->expected);
        status = psa_verify_hash(key, c->alg, hash.data, c->hash_length, sig,
                                 c->expected == PSA_SUCCESS ? n : 2);
        assert_int_equal(status, c->expected == PSA_SUCCESS ? PSA_SUCCESS : c->expected);
        /* The message forms hash the input themselves; the same algorithm values must not reach a
         * family with a digest of the wrong size. */
        if (c->alg != PSA_ALG_ECDSA_ANY && c->alg != PSA_ALG_RSA_PKCS1V15_SIGN_RAW &&
            c->hash_length != 1) {
            psa_status_t message_expected =
                c->expected == PSA_ERROR_INVALID_ARGUMENT && PSA_ALG_GET_HASH(c->alg) != 0 &&
                        c->hash_length != PSA_HASH_LENGTH(PSA_ALG_GET_HASH(c->alg))
                    ? PSA_SUCCESS /* only the hash length was wrong: a message has none */
                    : c->expected;
            status = psa_sign_message(key, c->alg, hash.data, c->hash_length, sig, sizeof(sig), &n);
            if (status != message_expected) {
                print_error("case %zu: sign_message %d\n", i, (int)status);
            }
            assert_int_equal(status, message_expected);
            status = psa_verify_message(key, c->alg, hash.data, c->hash_length, sig,
                                        message_expected == PSA_SUCCESS ? n : 2);
            assert_int_equal(status, message_expected);
        }
        guarded_free(&hash);
        assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
    }
}

/* PSA_KEY_USAGE_EXPORT: "A public key or the public part of a key pair can always be exported
 * regardless of the value of this permission flag." psa_export_key of a pair exports the private
 * key and still needs the flag. */
static void test_export_public_without_export_usage(void **state)
{
    (void)state;
    psa_key_id_t pair =
        generate(ECC_PAIR(SECP_R1), 256, PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    uint8_t pub[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE], out[PSA_EXPORT_KEY_PAIR_MAX_SIZE];
    size_t pub_length = 0, n = 0;
    assert_int_equal(psa_export_public_key(pair, pub, sizeof(pub), &pub_length), PSA_SUCCESS);
    assert_int_equal(pub_length, 65);
    assert_int_equal(psa_export_key(pair, out, sizeof(out), &n), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(n, 0);
    psa_key_id_t pub_key = import(ECC_PUB(SECP_R1), 0, 0, pub, pub_length);
    assert_int_equal(psa_export_key(pub_key, out, sizeof(out), &n), PSA_SUCCESS);
    assert_memory_equal(out, pub, pub_length);
    assert_int_equal(n, pub_length);
    n = 0;
    assert_int_equal(psa_export_public_key(pub_key, out, sizeof(out), &n), PSA_SUCCESS);
    assert_int_equal(n, pub_length);
    assert_int_equal(psa_destroy_key(pub_key), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(pair), PSA_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_export_import),
        cmocka_unit_test(test_import_invalid),
        cmocka_unit_test(test_sign_verify_round_trips),
        cmocka_unit_test(test_deterministic_ecdsa_rfc6979),
        cmocka_unit_test(test_hash_eddsa_rfc8032),
        cmocka_unit_test(test_sign_errors),
        cmocka_unit_test(test_sign_hash_length_guard_page),
        cmocka_unit_test(test_export_public_without_export_usage),
        cmocka_unit_test(test_rsa_encryption),
        cmocka_unit_test(test_key_agreement),
        cmocka_unit_test(test_key_derivation_agreement),
        cmocka_unit_test(test_derive_key_pairs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
