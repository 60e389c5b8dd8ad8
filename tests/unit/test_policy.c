/* Unit tests of the policy rules: usage implications, algorithm wildcards and copy intersection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core.h"

static void test_usage_implications(void **state)
{
    (void)state;
    assert_int_equal(core_usage_with_implied(PSA_KEY_USAGE_SIGN_HASH),
                     PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_SIGN_MESSAGE);
    assert_int_equal(core_usage_with_implied(PSA_KEY_USAGE_VERIFY_HASH),
                     PSA_KEY_USAGE_VERIFY_HASH | PSA_KEY_USAGE_VERIFY_MESSAGE);
    assert_int_equal(core_usage_with_implied(PSA_KEY_USAGE_SIGN_MESSAGE),
                     PSA_KEY_USAGE_SIGN_MESSAGE);
    assert_int_equal(core_usage_with_implied(PSA_KEY_USAGE_DERIVE), PSA_KEY_USAGE_DERIVE);
}

static void test_exact_and_none(void **state)
{
    (void)state;
    assert_true(core_alg_permits(PSA_ALG_CTR, PSA_KEY_TYPE_AES, PSA_ALG_CTR));
    assert_false(core_alg_permits(PSA_ALG_CTR, PSA_KEY_TYPE_AES, PSA_ALG_CBC_NO_PADDING));
    assert_false(core_alg_permits(0, PSA_KEY_TYPE_AES, PSA_ALG_CTR));
    /* A wildcard policy is not itself a usable algorithm. */
    psa_algorithm_t any = PSA_ALG_ECDSA(PSA_ALG_ANY_HASH);
    assert_false(core_alg_permits(any, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), any));
}

static void test_any_hash(void **state)
{
    (void)state;
    psa_key_type_t ec = PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1);
    psa_key_type_t rsa = PSA_KEY_TYPE_RSA_KEY_PAIR;
    assert_true(core_alg_permits(PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), ec,
                                 PSA_ALG_ECDSA(PSA_ALG_SHA_256)));
    assert_false(core_alg_permits(PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), ec,
                                  PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256)));
    assert_true(core_alg_permits(PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH), rsa,
                                 PSA_ALG_RSA_PSS(PSA_ALG_SHA_512)));
    assert_true(core_alg_permits(PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH), rsa,
                                 PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_1)));
    assert_false(core_alg_permits(PSA_ALG_ECDSA(PSA_ALG_SHA_256), ec,
                                  PSA_ALG_ECDSA(PSA_ALG_SHA_384)));
    assert_true(core_alg_permits(PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH), rsa,
                                 PSA_ALG_RSA_PKCS1V15_SIGN_RAW));
    assert_false(core_alg_permits(PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), rsa,
                                  PSA_ALG_RSA_PKCS1V15_SIGN_RAW));
}

/* The spec names one hash-less form a wildcard permits: "PSA_ALG_RSA_PKCS1V15_SIGN(
 * PSA_ALG_ANY_HASH) also permits the PSA_ALG_RSA_PKCS1V15_SIGN_RAW signature algorithm". */
static void test_any_hash_no_hash_forms(void **state)
{
    (void)state;
    psa_key_type_t ec = PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1);
    psa_key_type_t ed = PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_TWISTED_EDWARDS);
    psa_key_type_t rsa = PSA_KEY_TYPE_RSA_KEY_PAIR;
    assert_false(core_alg_permits(PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), ec, PSA_ALG_ECDSA_ANY));
    assert_false(core_alg_permits(PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_ANY_HASH), ec,
                                  (psa_algorithm_t)0x06000700));
    assert_false(core_alg_permits((psa_algorithm_t)0x060009ff, ed, (psa_algorithm_t)0x06000900));
    assert_false(core_alg_permits(PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH), rsa,
                                  (psa_algorithm_t)0x06000300));
    assert_false(core_alg_permits(PSA_ALG_RSA_PSS_ANY_SALT(PSA_ALG_ANY_HASH), rsa,
                                  (psa_algorithm_t)0x06001300));
    assert_true(core_alg_permits(PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH), rsa,
                                 PSA_ALG_RSA_PKCS1V15_SIGN_RAW));
    /* The hash-EdDSA wildcard still permits hash-EdDSA with a real hash. */
    assert_true(core_alg_permits((psa_algorithm_t)0x060009ff, ed, PSA_ALG_ED25519PH));
    psa_algorithm_t out = 0;
    assert_false(core_alg_intersect(PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), PSA_ALG_ECDSA_ANY, ec, &out));
}

/* "PSA_ALG_CCM_STAR_ANY_TAG ... permits the PSA_ALG_CCM_STAR_NO_TAG cipher algorithm, the
 * PSA_ALG_CCM AEAD algorithm, and PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, tag_length) for
 * tag_length equal to 4, 8 or 16." */
static void test_ccm_star_any_tag(void **state)
{
    (void)state;
    psa_algorithm_t any = PSA_ALG_CCM_STAR_ANY_TAG;
    assert_true(core_alg_permits(any, PSA_KEY_TYPE_AES, PSA_ALG_CCM_STAR_NO_TAG));
    assert_true(core_alg_permits(any, PSA_KEY_TYPE_AES, PSA_ALG_CCM));
    assert_true(core_alg_permits(any, PSA_KEY_TYPE_AES,
                                 PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 4)));
    assert_true(core_alg_permits(any, PSA_KEY_TYPE_AES,
                                 PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 8)));
    assert_true(core_alg_permits(any, PSA_KEY_TYPE_AES,
                                 PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 16)));
    assert_false(core_alg_permits(any, PSA_KEY_TYPE_AES,
                                  PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 6)));
    assert_false(core_alg_permits(any, PSA_KEY_TYPE_AES,
                                  PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 12)));
    assert_false(core_alg_permits(any, PSA_KEY_TYPE_AES, PSA_ALG_GCM));
    assert_false(core_alg_permits(any, PSA_KEY_TYPE_AES, PSA_ALG_CTR));
    assert_false(core_alg_permits(any, PSA_KEY_TYPE_AES,
                                  PSA_ALG_AEAD_WITH_AT_LEAST_THIS_LENGTH_TAG(PSA_ALG_CCM, 4)));
    /* The wildcard itself is not an algorithm an operation may use. */
    assert_false(core_alg_permits(any, PSA_KEY_TYPE_AES, any));
    assert_false(core_alg_permits(PSA_ALG_CCM, PSA_KEY_TYPE_AES, PSA_ALG_CCM_STAR_NO_TAG));

    psa_algorithm_t out = 0;
    assert_true(core_alg_intersect(any, any, PSA_KEY_TYPE_AES, &out));
    assert_int_equal(out, any);
    assert_true(core_alg_intersect(any, PSA_ALG_CCM_STAR_NO_TAG, PSA_KEY_TYPE_AES, &out));
    assert_int_equal(out, PSA_ALG_CCM_STAR_NO_TAG);
    psa_algorithm_t ccm8 = PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 8);
    assert_true(core_alg_intersect(ccm8, any, PSA_KEY_TYPE_AES, &out));
    assert_int_equal(out, ccm8);
    assert_false(core_alg_intersect(any, PSA_ALG_GCM, PSA_KEY_TYPE_AES, &out));
    assert_false(core_alg_intersect(any, PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 12),
                                    PSA_KEY_TYPE_AES, &out));
    /* {CCM/8, CCM/16} has no single encoding: refused rather than widened. */
    assert_false(core_alg_intersect(PSA_ALG_AEAD_WITH_AT_LEAST_THIS_LENGTH_TAG(PSA_ALG_CCM, 8),
                                    any, PSA_KEY_TYPE_AES, &out));
}

static void test_mac_lengths(void **state)
{
    (void)state;
    psa_algorithm_t hmac = PSA_ALG_HMAC(PSA_ALG_SHA_256);
    psa_algorithm_t at_least_20 = PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(hmac, 20);
    assert_true(core_alg_permits(at_least_20, PSA_KEY_TYPE_HMAC, hmac));
    assert_true(core_alg_permits(at_least_20, PSA_KEY_TYPE_HMAC, PSA_ALG_TRUNCATED_MAC(hmac, 20)));
    assert_true(core_alg_permits(at_least_20, PSA_KEY_TYPE_HMAC, PSA_ALG_TRUNCATED_MAC(hmac, 31)));
    assert_false(core_alg_permits(at_least_20, PSA_KEY_TYPE_HMAC, PSA_ALG_TRUNCATED_MAC(hmac, 19)));
    assert_false(core_alg_permits(at_least_20, PSA_KEY_TYPE_HMAC,
                                  PSA_ALG_HMAC(PSA_ALG_SHA_384)));
    /* A truncation to the full length is the full-length MAC. */
    assert_true(core_alg_permits(hmac, PSA_KEY_TYPE_HMAC, PSA_ALG_TRUNCATED_MAC(hmac, 32)));
    assert_true(core_alg_permits(PSA_ALG_TRUNCATED_MAC(hmac, 32), PSA_KEY_TYPE_HMAC, hmac));
    assert_false(core_alg_permits(hmac, PSA_KEY_TYPE_HMAC, PSA_ALG_TRUNCATED_MAC(hmac, 16)));
    psa_algorithm_t cmac8 = PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(PSA_ALG_CMAC, 8);
    assert_true(core_alg_permits(cmac8, PSA_KEY_TYPE_AES, PSA_ALG_CMAC));
    assert_true(core_alg_permits(cmac8, PSA_KEY_TYPE_AES, PSA_ALG_TRUNCATED_MAC(PSA_ALG_CMAC, 8)));
    assert_false(core_alg_permits(cmac8, PSA_KEY_TYPE_AES, PSA_ALG_TRUNCATED_MAC(PSA_ALG_CMAC, 4)));
}

static void test_aead_lengths(void **state)
{
    (void)state;
    psa_algorithm_t at_least_12 = PSA_ALG_AEAD_WITH_AT_LEAST_THIS_LENGTH_TAG(PSA_ALG_CCM, 12);
    assert_true(core_alg_permits(at_least_12, PSA_KEY_TYPE_AES, PSA_ALG_CCM));
    assert_true(core_alg_permits(at_least_12, PSA_KEY_TYPE_AES,
                                 PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 12)));
    assert_false(core_alg_permits(at_least_12, PSA_KEY_TYPE_AES,
                                  PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 8)));
    assert_false(core_alg_permits(at_least_12, PSA_KEY_TYPE_AES, PSA_ALG_GCM));
    assert_true(core_alg_permits(PSA_ALG_GCM, PSA_KEY_TYPE_AES,
                                 PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_GCM, 16)));
    assert_false(core_alg_permits(PSA_ALG_GCM, PSA_KEY_TYPE_AES,
                                  PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_GCM, 12)));
}

static void test_key_agreement(void **state)
{
    (void)state;
    psa_algorithm_t ka = PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_HKDF(PSA_ALG_SHA_256));
    psa_key_type_t ec = PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1);
    assert_true(core_alg_permits(ka, ec, ka));
    /* A combined policy permits only that combination; a standalone one permits any KDF. */
    assert_false(core_alg_permits(ka, ec, PSA_ALG_ECDH));
    assert_true(core_alg_permits(PSA_ALG_ECDH, ec, ka));
    assert_true(core_alg_permits(PSA_ALG_ECDH, ec,
                                 PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_TLS12_PRF(
                                                                         PSA_ALG_SHA_384))));
    assert_false(core_alg_permits(PSA_ALG_FFDH, ec, ka));
    assert_false(core_alg_permits(ka, ec, PSA_ALG_FFDH));
}

static void test_intersection(void **state)
{
    (void)state;
    psa_algorithm_t out = 1;
    psa_key_type_t ec = PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1);
    assert_true(core_alg_intersect(PSA_ALG_CTR, PSA_ALG_CTR, PSA_KEY_TYPE_AES, &out));
    assert_int_equal(out, PSA_ALG_CTR);
    assert_true(core_alg_intersect(0, PSA_ALG_CTR, PSA_KEY_TYPE_AES, &out));
    assert_int_equal(out, 0);
    assert_false(core_alg_intersect(PSA_ALG_CBC_NO_PADDING, PSA_ALG_CTR, PSA_KEY_TYPE_AES, &out));
    assert_true(core_alg_intersect(PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), PSA_ALG_ECDSA(PSA_ALG_SHA_256),
                                   ec, &out));
    assert_int_equal(out, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    assert_true(core_alg_intersect(PSA_ALG_ECDSA(PSA_ALG_SHA_384), PSA_ALG_ECDSA(PSA_ALG_ANY_HASH),
                                   ec, &out));
    assert_int_equal(out, PSA_ALG_ECDSA(PSA_ALG_SHA_384));
    psa_algorithm_t hmac = PSA_ALG_HMAC(PSA_ALG_SHA_256);
    psa_algorithm_t w10 = PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(hmac, 10);
    psa_algorithm_t w20 = PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(hmac, 20);
    assert_true(core_alg_intersect(w10, w20, PSA_KEY_TYPE_HMAC, &out));
    assert_int_equal(out, w20);
    assert_true(core_alg_intersect(w20, hmac, PSA_KEY_TYPE_HMAC, &out));
    assert_int_equal(out, hmac);
    assert_false(core_alg_intersect(w20, PSA_ALG_TRUNCATED_MAC(hmac, 16), PSA_KEY_TYPE_HMAC, &out));
    psa_algorithm_t a8 = PSA_ALG_AEAD_WITH_AT_LEAST_THIS_LENGTH_TAG(PSA_ALG_GCM, 8);
    psa_algorithm_t a12 = PSA_ALG_AEAD_WITH_AT_LEAST_THIS_LENGTH_TAG(PSA_ALG_GCM, 12);
    assert_true(core_alg_intersect(a8, a12, PSA_KEY_TYPE_AES, &out));
    assert_int_equal(out, a12);
    assert_true(core_alg_intersect(a12, PSA_ALG_GCM, PSA_KEY_TYPE_AES, &out));
    assert_int_equal(out, PSA_ALG_GCM);
    assert_false(core_alg_intersect(a12, PSA_ALG_CCM, PSA_KEY_TYPE_AES, &out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_implications), cmocka_unit_test(test_exact_and_none),
        cmocka_unit_test(test_any_hash),           cmocka_unit_test(test_mac_lengths),
        cmocka_unit_test(test_aead_lengths),       cmocka_unit_test(test_key_agreement),
        cmocka_unit_test(test_intersection),       cmocka_unit_test(test_any_hash_no_hash_forms),
        cmocka_unit_test(test_ccm_star_any_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
