/* Crypto suite, key derivation: HKDF, TLS 1.2 PRF, ECJPAKE-to-PMS, PBKDF2, verify, errors. */
#include <string.h>

#include "runner.h"

#define TEST(name) static void name(test_state_t *T)

#define HKDF256    PSA_ALG_HKDF(PSA_ALG_SHA_256)
#define PBKDF2_256 PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256)
/* RFC 5869 test case 1 */
#define HK_IKM  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
#define HK_SALT "000102030405060708090a0b0c"
#define HK_INFO "f0f1f2f3f4f5f6f7f8f9"
#define HK_OKM                                                                                     \
    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
/* RFC 7914 section 11: PBKDF2-HMAC-SHA-256, P = "passwd", S = "salt", c = 1, dkLen = 64 */
#define PB_OUT                                                                                     \
    "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77" \
    "ef317c71b845b1e30bd509112041d3a19783"

/* Sets up HKDF-SHA-256 with the RFC 5869 test case 1 inputs; the secret as bytes or as a key. */
static psa_status_t hkdf_tc1(psa_key_derivation_operation_t *op, psa_key_id_t secret_key)
{
    uint8_t ikm[22], salt[13], info[10];
    test_unhex(HK_IKM, ikm, sizeof(ikm));
    test_unhex(HK_SALT, salt, sizeof(salt));
    test_unhex(HK_INFO, info, sizeof(info));
    psa_status_t s = psa_key_derivation_setup(op, HKDF256);
    if (s == PSA_SUCCESS) {
        s = psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_SALT, salt, sizeof(salt));
    }
    if (s == PSA_SUCCESS) {
        s = secret_key != PSA_KEY_ID_NULL
                ? psa_key_derivation_input_key(op, PSA_KEY_DERIVATION_INPUT_SECRET, secret_key)
                : psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_SECRET, ikm,
                                                 sizeof(ikm));
    }
    if (s == PSA_SUCCESS) {
        s = psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_INFO, info, sizeof(info));
    }
    return s;
}

static psa_status_t import_ikm(psa_key_usage_t usage, psa_algorithm_t alg, psa_key_id_t *key)
{
    uint8_t ikm[22];
    test_unhex(HK_IKM, ikm, sizeof(ikm));
    return tk_import(PSA_KEY_TYPE_DERIVE, usage, alg, ikm, sizeof(ikm), key);
}

TEST(t_hkdf_bytes)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(expected, HK_OKM);
    uint8_t out[42];
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    CHECK_OK(psa_key_derivation_output_bytes(&op, out, sizeof(out)));
    CHECK_BYTES(out, sizeof(out), expected, expected_len);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_hkdf_key)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t key = 0;
    HEX(expected, HK_OKM);
    uint8_t out[42];
    CHECK_OK(import_ikm(PSA_KEY_USAGE_DERIVE, HKDF256, &key));
    CHECK_OK(hkdf_tc1(&op, key));
    CHECK_OK(psa_key_derivation_output_bytes(&op, out, sizeof(out)));
    CHECK_BYTES(out, sizeof(out), expected, expected_len);
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&key);
}

TEST(t_hkdf_split_output)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(expected, HK_OKM);
    uint8_t out[42];
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    CHECK_OK(psa_key_derivation_output_bytes(&op, out, 10));
    CHECK_OK(psa_key_derivation_output_bytes(&op, out + 10, 32));
    CHECK_BYTES(out, sizeof(out), expected, expected_len);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_default_capacity)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    size_t cap = 0;
    uint8_t out[42];
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    CHECK_OK(psa_key_derivation_get_capacity(&op, &cap));
    CHECK_VALUE(cap, 255 * 32);
    CHECK_OK(psa_key_derivation_output_bytes(&op, out, sizeof(out)));
    CHECK_OK(psa_key_derivation_get_capacity(&op, &cap));
    CHECK_VALUE(cap, 255 * 32 - 42);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_capacity_exhausted)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t out[43];
    size_t cap = 1;
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    CHECK_OK(psa_key_derivation_set_capacity(&op, 42));
    CHECK_STATUS(psa_key_derivation_output_bytes(&op, out, 43), PSA_ERROR_INSUFFICIENT_DATA);
    CHECK_OK(psa_key_derivation_get_capacity(&op, &cap));
    CHECK_VALUE(cap, 0);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_capacity_raise)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    CHECK_OK(psa_key_derivation_set_capacity(&op, 100));
    CHECK_STATUS(psa_key_derivation_set_capacity(&op, 101), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_wrong_step_order)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(ikm, HK_IKM);
    HEX(salt, HK_SALT);
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
    CHECK_OK(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, ikm, ikm_len));
    CHECK_STATUS(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len),
                 PSA_ERROR_BAD_STATE);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_output_before_secret)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(salt, HK_SALT);
    uint8_t out[16];
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
    CHECK_OK(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len));
    CHECK_STATUS(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_ERROR_BAD_STATE);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_integer_on_hkdf)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
    CHECK_STATUS(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 1000),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_setup_not_kdf)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    CHECK_STATUS(psa_key_derivation_setup(&op, PSA_ALG_HMAC(PSA_ALG_SHA_256)),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_setup_twice)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
    CHECK_STATUS(psa_key_derivation_setup(&op, HKDF256), PSA_ERROR_BAD_STATE);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_abort)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    CHECK_OK(psa_key_derivation_abort(&op));
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    CHECK_OK(psa_key_derivation_abort(&op));
    CHECK_OK(psa_key_derivation_abort(&op));
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_input_key_no_derive)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t key = 0;
    HEX(salt, HK_SALT);
    CHECK_OK(import_ikm(PSA_KEY_USAGE_EXPORT, HKDF256, &key));
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
    CHECK_OK(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len));
    CHECK_STATUS(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, key),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&key);
}

TEST(t_input_key_wrong_type)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t key = 0;
    HEX(aes, "000102030405060708090a0b0c0d0e0f");
    HEX(salt, HK_SALT);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_DERIVE, HKDF256, aes, aes_len, &key));
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
    CHECK_OK(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len));
    CHECK_STATUS(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, key),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&key);
}

TEST(t_output_key)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t secret = 0, derived = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    HEX(expected, HK_OKM);
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(import_ikm(PSA_KEY_USAGE_DERIVE, HKDF256, &secret));
    CHECK_OK(hkdf_tc1(&op, secret));
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&a, 128);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT);
    CHECK_OK(psa_key_derivation_output_key(&a, &op, &derived));
    CHECK_OK(psa_export_key(derived, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, 16);
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&secret);
    tk_destroy(&derived);
}

TEST(t_output_key_from_bytes)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t derived = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&a, 128);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT);
    CHECK_STATUS(psa_key_derivation_output_key(&a, &op, &derived), PSA_ERROR_NOT_PERMITTED);
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&derived);
}

TEST(t_verify_bytes_match)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(expected, HK_OKM);
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    CHECK_OK(psa_key_derivation_verify_bytes(&op, expected, expected_len));
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_verify_bytes_mismatch)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(expected, HK_OKM);
    expected[41] ^= 1;
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    CHECK_STATUS(psa_key_derivation_verify_bytes(&op, expected, expected_len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_verify_derivation_usage)
{
    /* A secret key with only VERIFY_DERIVATION may be verified against, never output. */
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT,
                                   op2 = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t key = 0;
    HEX(expected, HK_OKM);
    uint8_t out[42];
    CHECK_OK(import_ikm(PSA_KEY_USAGE_VERIFY_DERIVATION, HKDF256, &key));
    CHECK_OK(hkdf_tc1(&op, key));
    CHECK_OK(psa_key_derivation_verify_bytes(&op, expected, expected_len));
    CHECK_OK(hkdf_tc1(&op2, key));
    CHECK_STATUS(psa_key_derivation_output_bytes(&op2, out, sizeof(out)), PSA_ERROR_NOT_PERMITTED);
cleanup:
    psa_key_derivation_abort(&op);
    psa_key_derivation_abort(&op2);
    tk_destroy(&key);
}

static psa_status_t pbkdf2_setup(psa_key_derivation_operation_t *op, psa_key_id_t password)
{
    psa_status_t s = psa_key_derivation_setup(op, PBKDF2_256);
    if (s == PSA_SUCCESS) {
        s = psa_key_derivation_input_integer(op, PSA_KEY_DERIVATION_INPUT_COST, 1);
    }
    if (s == PSA_SUCCESS) {
        s = psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_SALT,
                                           (const uint8_t *)"salt", 4);
    }
    if (s == PSA_SUCCESS) {
        s = password != PSA_KEY_ID_NULL
                ? psa_key_derivation_input_key(op, PSA_KEY_DERIVATION_INPUT_PASSWORD, password)
                : psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                                 (const uint8_t *)"passwd", 6);
    }
    return s;
}

TEST(t_pbkdf2)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(expected, PB_OUT);
    uint8_t out[64];
    CHECK_OK(pbkdf2_setup(&op, PSA_KEY_ID_NULL));
    CHECK_OK(psa_key_derivation_output_bytes(&op, out, sizeof(out)));
    CHECK_BYTES(out, sizeof(out), expected, expected_len);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_verify_key_match)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t password = 0, hash = 0;
    HEX(expected, PB_OUT);
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_VERIFY_DERIVATION, PBKDF2_256,
                       (const uint8_t *)"passwd", 6, &password));
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD_HASH, PSA_KEY_USAGE_VERIFY_DERIVATION, PBKDF2_256,
                       expected, expected_len, &hash));
    CHECK_OK(pbkdf2_setup(&op, password));
    CHECK_OK(psa_key_derivation_verify_key(&op, hash));
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&password);
    tk_destroy(&hash);
}

TEST(t_verify_key_mismatch)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t hash = 0;
    HEX(expected, PB_OUT);
    expected[0] ^= 0xff;
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD_HASH, PSA_KEY_USAGE_VERIFY_DERIVATION, PBKDF2_256,
                       expected, expected_len, &hash));
    CHECK_OK(pbkdf2_setup(&op, PSA_KEY_ID_NULL));
    CHECK_STATUS(psa_key_derivation_verify_key(&op, hash), PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&hash);
}

TEST(t_verify_key_usage)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t hash = 0;
    HEX(expected, PB_OUT);
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD_HASH, PSA_KEY_USAGE_EXPORT, PBKDF2_256, expected,
                       expected_len, &hash));
    CHECK_OK(pbkdf2_setup(&op, PSA_KEY_ID_NULL));
    CHECK_STATUS(psa_key_derivation_verify_key(&op, hash), PSA_ERROR_NOT_PERMITTED);
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&hash);
}

TEST(t_tls12_prf)
{
    /* Published TLS 1.2 PRF (SHA-256) test vector, 100 bytes of output. */
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(secret, "9bbe436ba940f017b17652849a71db35");
    HEX(seed, "a0ba9f936cda311827a6f796ffd5198c");
    HEX(expected, "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9"
                  "c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789ba"
                  "a48082d122ee42c5a72e5a5110fff70187347b66");
    uint8_t out[100];
    CHECK_OK(psa_key_derivation_setup(&op, PSA_ALG_TLS12_PRF(PSA_ALG_SHA_256)));
    CHECK_OK(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, seed, seed_len));
    CHECK_OK(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, secret, secret_len));
    CHECK_OK(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL,
                                            (const uint8_t *)"test label", 10));
    CHECK_OK(psa_key_derivation_output_bytes(&op, out, sizeof(out)));
    CHECK_BYTES(out, sizeof(out), expected, expected_len);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_get_capacity_inactive)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    size_t cap = 0;
    CHECK_STATUS(psa_key_derivation_get_capacity(&op, &cap), PSA_ERROR_BAD_STATE);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_input_inactive)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(salt, HK_SALT);
    CHECK_STATUS(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len),
                 PSA_ERROR_BAD_STATE);
cleanup:
    psa_key_derivation_abort(&op);
}

TEST(t_ecjpake_to_pms)
{
    /* The P-256 generator; the expected output is SHA-256 of its x coordinate (Python hashlib). */
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t key = 0;
    HEX(point, "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
               "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
    HEX(expected, "40577091d962d2c36217b8e1a3c7eee4a08d3c1ad4debaacc9fa2e259ff45118");
    uint8_t out[PSA_TLS12_ECJPAKE_TO_PMS_OUTPUT_SIZE];
    size_t cap = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_DERIVE, PSA_KEY_USAGE_DERIVE, PSA_ALG_TLS12_ECJPAKE_TO_PMS,
                       point, point_len, &key));
    CHECK_OK(psa_key_derivation_setup(&op, PSA_ALG_TLS12_ECJPAKE_TO_PMS));
    CHECK_OK(psa_key_derivation_get_capacity(&op, &cap));
    CHECK_VALUE(cap, 32);
    CHECK_OK(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, key));
    CHECK_OK(psa_key_derivation_output_bytes(&op, out, sizeof(out)));
    CHECK_BYTES(out, sizeof(out), expected, expected_len);
    CHECK_STATUS(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_INSUFFICIENT_DATA);
    psa_key_derivation_abort(&op);
    /* A compressed point (33 bytes) is not the 65-byte input the algorithm takes. */
    CHECK_OK(psa_key_derivation_setup(&op, PSA_ALG_TLS12_ECJPAKE_TO_PMS));
    point[0] = 0x02;
    CHECK_STATUS(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, point, 33),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_key_derivation_abort(&op);
    tk_destroy(&key);
}

/* "If this function returns an error status, the operation enters an error state and must be
 * aborted by calling psa_key_derivation_abort()": a step out of order (BAD_STATE) too, so the
 * step that would have been in order is refused afterwards. */
TEST(t_wrong_step_error_state)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    HEX(ikm, HK_IKM);
    HEX(info, HK_INFO);
    uint8_t out[16];
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
    CHECK_OK(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, ikm, ikm_len));
    CHECK_STATUS(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, ikm, ikm_len),
                 PSA_ERROR_BAD_STATE);
    CHECK_STATUS(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, info, info_len),
                 PSA_ERROR_BAD_STATE);
    CHECK_STATUS(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_ERROR_BAD_STATE);
    CHECK_OK(psa_key_derivation_abort(&op));
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
cleanup:
    psa_key_derivation_abort(&op);
}

/* Runs output_key on a fresh HKDF operation whose secret is a DERIVE key. */
static psa_status_t output_key_with(const psa_key_attributes_t *a, psa_key_id_t *derived)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t secret = 0;
    psa_status_t s = import_ikm(PSA_KEY_USAGE_DERIVE, HKDF256, &secret);
    if (s == PSA_SUCCESS) {
        s = hkdf_tc1(&op, secret);
    }
    if (s == PSA_SUCCESS) {
        s = psa_key_derivation_output_key(a, &op, derived);
    }
    psa_key_derivation_abort(&op);
    tk_destroy(&secret);
    return s;
}

TEST(t_output_key_usage_undefined)
{
    psa_key_id_t derived = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&a, 128);
    psa_set_key_usage_flags(&a, (psa_key_usage_t)0xFFFFFFFFu);
    CHECK_STATUS(output_key_with(&a, &derived), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(derived, PSA_KEY_ID_NULL);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT | (psa_key_usage_t)0x00010000u);
    CHECK_STATUS(output_key_with(&a, &derived), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(derived, PSA_KEY_ID_NULL);
cleanup:
    tk_destroy(&derived);
}

TEST(t_output_key_size_invalid_for_type)
{
    psa_key_id_t derived = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH);
    psa_set_key_algorithm(&a, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&a, 220);
    CHECK_STATUS(output_key_with(&a, &derived), PSA_ERROR_INVALID_ARGUMENT);
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_TWISTED_EDWARDS));
    psa_set_key_bits(&a, 256);
    CHECK_STATUS(output_key_with(&a, &derived), PSA_ERROR_INVALID_ARGUMENT);
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&a, 120);
    CHECK_STATUS(output_key_with(&a, &derived), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(derived, PSA_KEY_ID_NULL);
cleanup:
    tk_destroy(&derived);
}

/* Error precedence as in Mbed TLS psa_key_derivation_input_key: the key is looked up first, so a
 * destroyed key is INVALID_HANDLE even when the step is also wrong (LABEL is no HKDF step) or
 * out of order (SALT after SECRET). */
TEST(t_input_destroyed_key_wrong_step)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t key = 0, gone = 0;
    CHECK_OK(import_ikm(PSA_KEY_USAGE_DERIVE, HKDF256, &gone));
    key = gone;
    tk_destroy(&gone);
    CHECK_OK(psa_key_derivation_setup(&op, HKDF256));
    CHECK_STATUS(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_LABEL, key),
                 PSA_ERROR_INVALID_HANDLE);
    psa_key_derivation_abort(&op);
    CHECK_OK(hkdf_tc1(&op, PSA_KEY_ID_NULL));
    CHECK_STATUS(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SALT, key),
                 PSA_ERROR_INVALID_HANDLE);
cleanup:
    psa_key_derivation_abort(&op);
}

const test_case_t crypto_kdf_tests[] = {
    {"C-KDF-001", "HKDF-SHA-256 with byte inputs matches RFC 5869 test case 1", t_hkdf_bytes},
    {"C-KDF-002", "HKDF-SHA-256 with a DERIVE key as secret matches RFC 5869 test case 1",
     t_hkdf_key},
    {"C-KDF-003", "two HKDF outputs (10 + 32 bytes) equal one 42-byte output", t_hkdf_split_output},
    {"C-KDF-004", "HKDF-SHA-256 capacity starts at 255*32 and decreases with output",
     t_default_capacity},
    {"C-KDF-005", "output beyond capacity is INSUFFICIENT_DATA and empties the capacity",
     t_capacity_exhausted},
    {"C-KDF-006", "psa_key_derivation_set_capacity above the current one is INVALID_ARGUMENT",
     t_capacity_raise},
    {"C-KDF-007", "HKDF salt after secret is BAD_STATE", t_wrong_step_order},
    {"C-KDF-008", "output before the secret is input is BAD_STATE", t_output_before_secret},
    {"C-KDF-009", "psa_key_derivation_input_integer on HKDF is INVALID_ARGUMENT",
     t_integer_on_hkdf},
    {"C-KDF-010", "psa_key_derivation_setup with a MAC algorithm is INVALID_ARGUMENT",
     t_setup_not_kdf},
    {"C-KDF-011", "psa_key_derivation_setup on an active operation is BAD_STATE", t_setup_twice},
    {"C-KDF-012", "psa_key_derivation_abort: inactive, active, twice; then reusable", t_abort},
    {"C-KDF-013", "input_key without DERIVE usage is NOT_PERMITTED", t_input_key_no_derive},
    {"C-KDF-014", "input_key of an AES key as HKDF secret is INVALID_ARGUMENT",
     t_input_key_wrong_type},
    {"C-KDF-015", "psa_key_derivation_output_key makes an AES key of the first 16 output bytes",
     t_output_key},
    {"C-KDF-016", "output_key when the secret was given as bytes is NOT_PERMITTED",
     t_output_key_from_bytes},
    {"C-KDF-017", "psa_key_derivation_verify_bytes accepts the RFC 5869 output",
     t_verify_bytes_match},
    {"C-KDF-018", "psa_key_derivation_verify_bytes: a wrong value is INVALID_SIGNATURE",
     t_verify_bytes_mismatch},
    {"C-KDF-019", "a VERIFY_DERIVATION-only secret can be verified but not output",
     t_verify_derivation_usage},
    {"C-KDF-020", "PBKDF2-HMAC-SHA-256 matches RFC 7914 section 11", t_pbkdf2},
    {"C-KDF-021", "psa_key_derivation_verify_key accepts the matching PASSWORD_HASH key",
     t_verify_key_match},
    {"C-KDF-022", "psa_key_derivation_verify_key: a different key is INVALID_SIGNATURE",
     t_verify_key_mismatch},
    {"C-KDF-023", "verify_key with a key lacking VERIFY_DERIVATION is NOT_PERMITTED",
     t_verify_key_usage},
    {"C-KDF-024", "TLS 1.2 PRF (SHA-256) matches the published 100-byte vector", t_tls12_prf},
    {"C-KDF-025", "psa_key_derivation_get_capacity on an inactive operation is BAD_STATE",
     t_get_capacity_inactive},
    {"C-KDF-026", "psa_key_derivation_input_bytes on an inactive operation is BAD_STATE",
     t_input_inactive},
    {"C-KDF-027", "TLS 1.2 ECJPAKE-to-PMS: SHA-256 of a P-256 point's x; bad points refused",
     t_ecjpake_to_pms},
    {"C-KDF-028", "a step out of order is BAD_STATE and leaves the operation in its error state",
     t_wrong_step_error_state},
    {"C-KDF-029", "output_key: usage flags outside the defined set are INVALID_ARGUMENT",
     t_output_key_usage_undefined},
    {"C-KDF-030", "output_key: a size the key type does not have is INVALID_ARGUMENT",
     t_output_key_size_invalid_for_type},
    {"C-KDF-031", "input_key with a destroyed key is INVALID_HANDLE even with a wrong step",
     t_input_destroyed_key_wrong_step},
    {NULL, NULL, NULL},
};
