/* Unit tests of the Edwards-curve module (src/crypto/edwards.c) against OpenSSL and RFC 8032. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "edwards.h"

/* A = [s]B from our ladder equals the public key OpenSSL derives from the same seed, for random
 * seeds on both curves; every such A decodes. */
static void test_public_key_matches_openssl(void **state)
{
    (void)state;
    static const struct {
        edwards_curve_id_t id;
        int type;
    } curves[] = {{EDWARDS_25519, EVP_PKEY_ED25519}, {EDWARDS_448, EVP_PKEY_ED448}};
    for (size_t c = 0; c < 2; c++) {
        size_t n = edwards_encoding_length(curves[c].id);
        for (int i = 0; i < 32; i++) {
            uint8_t seed[57], ours[57], theirs[57];
            size_t theirs_length = sizeof(theirs);
            assert_int_equal(RAND_bytes(seed, (int)n), 1);
            EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(curves[c].type, NULL, seed, n);
            assert_non_null(pkey);
            assert_int_equal(EVP_PKEY_get_raw_public_key(pkey, theirs, &theirs_length), 1);
            EVP_PKEY_free(pkey);
            assert_int_equal(theirs_length, n);
            assert_int_equal(edwards_public_key(curves[c].id, seed, ours), PSA_SUCCESS);
            assert_memory_equal(ours, theirs, n);
            assert_true(edwards_point_is_valid(curves[c].id, ours));
        }
    }
}

/* Little-endian encoding of a small y with the sign bit x0. */
static void encode_small(uint8_t *out, size_t n, unsigned y, int x0)
{
    memset(out, 0, n);
    out[0] = (uint8_t)y;
    out[n - 1] |= (uint8_t)(x0 << 7);
}

/* Decoding rejects what RFC 8032 5.1.3 / 5.2.3 rejects. The squares were checked with Python's
 * pow(): (y^2-1)/(d y^2 -+ 1) is a square for y = 3 and not for y = 2 on both curves. */
static void test_decoding_rules(void **state)
{
    (void)state;
    uint8_t e[57];
    for (int c = 0; c < 2; c++) {
        edwards_curve_id_t id = c == 0 ? EDWARDS_25519 : EDWARDS_448;
        size_t n = edwards_encoding_length(id);
        encode_small(e, n, 3, 0);
        assert_true(edwards_point_is_valid(id, e));
        encode_small(e, n, 3, 1);
        assert_true(edwards_point_is_valid(id, e));
        encode_small(e, n, 2, 0);
        assert_false(edwards_point_is_valid(id, e)); /* no square root */
        encode_small(e, n, 1, 0);
        assert_true(edwards_point_is_valid(id, e)); /* the neutral element (0, 1) */
        encode_small(e, n, 1, 1);
        assert_false(edwards_point_is_valid(id, e)); /* x = 0 with the sign bit set */
        /* y = p and y = p + 1 (a non-canonical 1). */
        memset(e, 0xff, n);
        if (id == EDWARDS_25519) {
            e[0] = 0xed;
            e[31] = 0x7f;
        } else {
            e[28] = 0xfe;
            e[56] = 0x00;
        }
        assert_false(edwards_point_is_valid(id, e));
        e[0] = (uint8_t)(e[0] - 1); /* p - 1, i.e. y = -1: x = 0, valid */
        assert_true(edwards_point_is_valid(id, e));
        if (id == EDWARDS_25519) {
            e[0] = 0xee;
        } else {
            memset(e, 0, 28); /* the carry of p + 1 runs into byte 28 */
            e[28] = 0xff;
        }
        assert_false(edwards_point_is_valid(id, e));
    }
    /* edwards448: bits 448..454 set make y >= 2^448 > p. */
    encode_small(e, 57, 3, 0);
    e[56] = 0x01;
    assert_false(edwards_point_is_valid(EDWARDS_448, e));
}

/* Direct sign / verify round trips on random seeds and prehashes. */
static void test_sign_verify(void **state)
{
    (void)state;
    for (int c = 0; c < 2; c++) {
        edwards_curve_id_t id = c == 0 ? EDWARDS_25519 : EDWARDS_448;
        size_t n = edwards_encoding_length(id);
        for (int i = 0; i < 4; i++) {
            uint8_t seed[57], a[57], ph[64], sig[114];
            assert_int_equal(RAND_bytes(seed, (int)n), 1);
            assert_int_equal(RAND_bytes(ph, sizeof(ph)), 1);
            assert_int_equal(edwards_public_key(id, seed, a), PSA_SUCCESS);
            assert_int_equal(edwards_ph_sign(id, seed, a, ph, sig), PSA_SUCCESS);
            assert_int_equal(edwards_ph_verify(id, a, ph, sig), PSA_SUCCESS);
            sig[1] ^= 4;
            assert_int_equal(edwards_ph_verify(id, a, ph, sig), PSA_ERROR_INVALID_SIGNATURE);
            sig[1] ^= 4;
            a[0] ^= 1;
            psa_status_t status = edwards_ph_verify(id, a, ph, sig);
            assert_int_equal(status, PSA_ERROR_INVALID_SIGNATURE);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_key_matches_openssl),
        cmocka_unit_test(test_decoding_rules),
        cmocka_unit_test(test_sign_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
