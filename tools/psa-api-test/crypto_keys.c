/* Crypto suite, key management: attributes, import, generate, export, destroy, purge, copy, RNG. */
#include <string.h>

#include "runner.h"

#define TEST(name) static void name(test_state_t *T)

static const uint8_t aes128[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                   0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
static const uint8_t key32[32] = {0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a,
                                  0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
                                  0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f};

#define HMAC256 PSA_ALG_HMAC(PSA_ALG_SHA_256)

static void persistent_attr(psa_key_attributes_t *a, psa_key_id_t id, psa_key_type_t type,
                            psa_key_usage_t usage, psa_algorithm_t alg)
{
    *a = psa_key_attributes_init();
    psa_set_key_id(a, id);
    psa_set_key_type(a, type);
    psa_set_key_usage_flags(a, usage);
    psa_set_key_algorithm(a, alg);
}

TEST(t_init_again)
{
    CHECK_OK(psa_crypto_init());
    CHECK_OK(psa_crypto_init());
cleanup:;
}

TEST(t_import_attributes)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, aes128, 16, &key));
    CHECK(key != PSA_KEY_ID_NULL);
    CHECK_OK(psa_get_key_attributes(key, &a));
    CHECK_VALUE(psa_get_key_type(&a), PSA_KEY_TYPE_AES);
    CHECK_VALUE(psa_get_key_bits(&a), 128);
    CHECK_VALUE(psa_get_key_lifetime(&a), PSA_KEY_LIFETIME_VOLATILE);
    CHECK_VALUE(psa_get_key_usage_flags(&a), PSA_KEY_USAGE_ENCRYPT);
    CHECK_VALUE(psa_get_key_algorithm(&a), PSA_ALG_CTR);
    CHECK_VALUE(psa_get_key_id(&a), key);
cleanup:
    tk_destroy(&key);
}

TEST(t_import_export_roundtrip)
{
    psa_key_id_t key = 0;
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0, key32, 32, &key));
    CHECK_OK(psa_export_key(key, out, sizeof(out), &len));
    CHECK_BYTES(out, len, key32, 32);
cleanup:
    tk_destroy(&key);
}

TEST(t_import_bits_mismatch)
{
    psa_key_id_t key = 0x1234;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&a, 256);
    CHECK_STATUS(psa_import_key(&a, aes128, 16, &key), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(key, PSA_KEY_ID_NULL);
cleanup:
    tk_destroy(&key);
}

TEST(t_import_aes_bad_length)
{
    psa_key_id_t key = 0;
    CHECK_STATUS(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, aes128, 15, &key),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_import_aes_empty)
{
    psa_key_id_t key = 0;
    CHECK_STATUS(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, aes128, 0, &key),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_import_persistent)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a, r = PSA_KEY_ATTRIBUTES_INIT;
    persistent_attr(&a, TEST_KEY_ID_BASE, PSA_KEY_TYPE_HMAC, PSA_KEY_USAGE_SIGN_MESSAGE, HMAC256);
    CHECK_OK(psa_import_key(&a, key32, 32, &key));
    CHECK_VALUE(key, TEST_KEY_ID_BASE);
    CHECK_OK(psa_get_key_attributes(TEST_KEY_ID_BASE, &r));
    CHECK_VALUE(psa_get_key_lifetime(&r), PSA_KEY_LIFETIME_PERSISTENT);
    CHECK_VALUE(psa_get_key_id(&r), TEST_KEY_ID_BASE);
    CHECK_VALUE(psa_get_key_bits(&r), 256);
cleanup:
    (void)psa_destroy_key(TEST_KEY_ID_BASE);
}

TEST(t_import_persistent_exists)
{
    psa_key_id_t key = 0, key2 = 0;
    psa_key_attributes_t a;
    uint8_t out[32];
    size_t len = 0;
    persistent_attr(&a, TEST_KEY_ID_BASE + 1, PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0);
    CHECK_OK(psa_import_key(&a, aes128, 16, &key));
    CHECK_STATUS(psa_import_key(&a, key32, 16, &key2), PSA_ERROR_ALREADY_EXISTS);
    CHECK_VALUE(key2, PSA_KEY_ID_NULL);
    CHECK_OK(psa_export_key(TEST_KEY_ID_BASE + 1, out, sizeof(out), &len));
    CHECK_BYTES(out, len, aes128, 16);
cleanup:
    (void)psa_destroy_key(TEST_KEY_ID_BASE + 1);
}

TEST(t_import_persistent_id_null)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_lifetime(&a, PSA_KEY_LIFETIME_PERSISTENT);
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    CHECK_STATUS(psa_import_key(&a, aes128, 16, &key), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_import_persistent_vendor_id)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a;
    persistent_attr(&a, PSA_KEY_ID_VENDOR_MIN, PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0);
    CHECK_STATUS(psa_import_key(&a, aes128, 16, &key), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    if (key != PSA_KEY_ID_NULL) {
        (void)psa_destroy_key(key);
    }
}

TEST(t_get_attributes_unknown)
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_STATUS(psa_get_key_attributes(TEST_KEY_ID_BASE + 2, &a), PSA_ERROR_INVALID_HANDLE);
cleanup:;
}

TEST(t_get_attributes_null)
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_STATUS(psa_get_key_attributes(PSA_KEY_ID_NULL, &a), PSA_ERROR_INVALID_HANDLE);
cleanup:;
}

TEST(t_reset_attributes)
{
    psa_key_attributes_t a;
    persistent_attr(&a, TEST_KEY_ID_BASE, PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, PSA_ALG_CTR);
    psa_set_key_bits(&a, 128);
    psa_reset_key_attributes(&a);
    CHECK_VALUE(psa_get_key_type(&a), 0);
    CHECK_VALUE(psa_get_key_bits(&a), 0);
    CHECK_VALUE(psa_get_key_id(&a), 0);
    CHECK_VALUE(psa_get_key_lifetime(&a), PSA_KEY_LIFETIME_VOLATILE);
    CHECK_VALUE(psa_get_key_usage_flags(&a), 0);
    CHECK_VALUE(psa_get_key_algorithm(&a), 0);
cleanup:;
}

TEST(t_generate_aes256)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(tk_generate(PSA_KEY_TYPE_AES, 256, PSA_KEY_USAGE_EXPORT, 0, &key));
    CHECK_OK(psa_get_key_attributes(key, &a));
    CHECK_VALUE(psa_get_key_bits(&a), 256);
    CHECK_OK(psa_export_key(key, out, sizeof(out), &len));
    CHECK_VALUE(len, 32);
cleanup:
    tk_destroy(&key);
}

TEST(t_generate_bits_zero)
{
    psa_key_id_t key = 0;
    CHECK_STATUS(tk_generate(PSA_KEY_TYPE_AES, 0, PSA_KEY_USAGE_EXPORT, 0, &key),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_generate_bits_invalid)
{
    psa_key_id_t key = 0;
    CHECK_STATUS(tk_generate(PSA_KEY_TYPE_AES, 100, PSA_KEY_USAGE_EXPORT, 0, &key),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_generate_public_type)
{
    psa_key_id_t key = 0;
    CHECK_STATUS(tk_generate(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), 256,
                             PSA_KEY_USAGE_VERIFY_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256), &key),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_generate_distinct)
{
    psa_key_id_t k1 = 0, k2 = 0;
    uint8_t o1[32], o2[32];
    size_t l1 = 0, l2 = 0;
    CHECK_OK(tk_generate(PSA_KEY_TYPE_HMAC, 256, PSA_KEY_USAGE_EXPORT, HMAC256, &k1));
    CHECK_OK(tk_generate(PSA_KEY_TYPE_HMAC, 256, PSA_KEY_USAGE_EXPORT, HMAC256, &k2));
    CHECK(k1 != k2);
    CHECK_OK(psa_export_key(k1, o1, sizeof(o1), &l1));
    CHECK_OK(psa_export_key(k2, o2, sizeof(o2), &l2));
    CHECK_VALUE(l1, 32);
    CHECK(memcmp(o1, o2, 32) != 0);
cleanup:
    tk_destroy(&k1);
    tk_destroy(&k2);
}

TEST(t_generate_persistent)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a, r = PSA_KEY_ATTRIBUTES_INIT;
    persistent_attr(&a, TEST_KEY_ID_BASE + 3, PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT,
                    PSA_ALG_GCM);
    psa_set_key_bits(&a, 128);
    CHECK_OK(psa_generate_key(&a, &key));
    CHECK_VALUE(key, TEST_KEY_ID_BASE + 3);
    CHECK_OK(psa_get_key_attributes(key, &r));
    CHECK_VALUE(psa_get_key_lifetime(&r), PSA_KEY_LIFETIME_PERSISTENT);
    CHECK_VALUE(psa_get_key_bits(&r), 128);
cleanup:
    (void)psa_destroy_key(TEST_KEY_ID_BASE + 3);
}

TEST(t_export_not_permitted)
{
    psa_key_id_t key = 0;
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, aes128, 16, &key));
    CHECK_STATUS(psa_export_key(key, out, sizeof(out), &len), PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_export_buffer_small)
{
    psa_key_id_t key = 0;
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0, aes128, 16, &key));
    CHECK_STATUS(psa_export_key(key, out, 15, &len), PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    tk_destroy(&key);
}

TEST(t_export_unknown)
{
    uint8_t out[32];
    size_t len = 0;
    CHECK_STATUS(psa_export_key(TEST_KEY_ID_BASE + 4, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_HANDLE);
cleanup:;
}

TEST(t_export_public_symmetric)
{
    psa_key_id_t key = 0;
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0, aes128, 16, &key));
    CHECK_STATUS(psa_export_public_key(key, out, sizeof(out), &len), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_destroy_then_use)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0, aes128, 16, &key));
    CHECK_OK(psa_destroy_key(key));
    CHECK_STATUS(psa_get_key_attributes(key, &a), PSA_ERROR_INVALID_HANDLE);
    key = 0;
cleanup:
    tk_destroy(&key);
}

TEST(t_destroy_null)
{
    CHECK_OK(psa_destroy_key(PSA_KEY_ID_NULL));
cleanup:;
}

TEST(t_destroy_unknown)
{
    CHECK_STATUS(psa_destroy_key(TEST_KEY_ID_BASE + 5), PSA_ERROR_INVALID_HANDLE);
cleanup:;
}

TEST(t_destroy_persistent)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a, r = PSA_KEY_ATTRIBUTES_INIT;
    persistent_attr(&a, TEST_KEY_ID_BASE + 6, PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0);
    CHECK_OK(psa_import_key(&a, aes128, 16, &key));
    CHECK_OK(psa_destroy_key(key));
    CHECK_STATUS(psa_get_key_attributes(TEST_KEY_ID_BASE + 6, &r), PSA_ERROR_INVALID_HANDLE);
    /* The id is free again. */
    CHECK_OK(psa_import_key(&a, key32, 16, &key));
cleanup:
    (void)psa_destroy_key(TEST_KEY_ID_BASE + 6);
}

TEST(t_purge_volatile)
{
    psa_key_id_t key = 0;
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0, aes128, 16, &key));
    CHECK_OK(psa_purge_key(key));
    CHECK_OK(psa_export_key(key, out, sizeof(out), &len));
    CHECK_BYTES(out, len, aes128, 16);
cleanup:
    tk_destroy(&key);
}

TEST(t_purge_persistent)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t a;
    uint8_t out[32];
    size_t len = 0;
    persistent_attr(&a, TEST_KEY_ID_BASE + 7, PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0);
    CHECK_OK(psa_import_key(&a, key32, 32, &key));
    CHECK_OK(psa_purge_key(key));
    CHECK_OK(psa_export_key(key, out, sizeof(out), &len));
    CHECK_BYTES(out, len, key32, 32);
cleanup:
    (void)psa_destroy_key(TEST_KEY_ID_BASE + 7);
}

TEST(t_purge_unknown)
{
    CHECK_STATUS(psa_purge_key(TEST_KEY_ID_BASE + 8), PSA_ERROR_INVALID_HANDLE);
cleanup:;
}

TEST(t_copy_needs_copy_usage)
{
    psa_key_id_t src = 0, dst = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0, aes128, 16, &src));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT);
    CHECK_STATUS(psa_copy_key(src, &a, &dst), PSA_ERROR_NOT_PERMITTED);
    CHECK_VALUE(dst, PSA_KEY_ID_NULL);
cleanup:
    tk_destroy(&src);
    tk_destroy(&dst);
}

TEST(t_copy_usage_intersection)
{
    psa_key_id_t src = 0, dst = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT, r = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC,
                       PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_SIGN_MESSAGE |
                           PSA_KEY_USAGE_VERIFY_MESSAGE,
                       HMAC256, key32, 32, &src));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_SIGN_MESSAGE |
                                    PSA_KEY_USAGE_DECRYPT);
    psa_set_key_algorithm(&a, HMAC256);
    CHECK_OK(psa_copy_key(src, &a, &dst));
    CHECK_OK(psa_get_key_attributes(dst, &r));
    CHECK_VALUE(psa_get_key_usage_flags(&r), PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_SIGN_MESSAGE);
    CHECK_VALUE(psa_get_key_algorithm(&r), HMAC256);
    CHECK_VALUE(psa_get_key_type(&r), PSA_KEY_TYPE_HMAC);
    CHECK_OK(psa_export_key(dst, out, sizeof(out), &len));
    CHECK_BYTES(out, len, key32, 32);
cleanup:
    tk_destroy(&src);
    tk_destroy(&dst);
}

TEST(t_copy_incompatible_alg)
{
    psa_key_id_t src = 0, dst = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_SIGN_MESSAGE,
                       HMAC256, key32, 32, &src));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_MESSAGE);
    psa_set_key_algorithm(&a, PSA_ALG_HMAC(PSA_ALG_SHA_512));
    CHECK_STATUS(psa_copy_key(src, &a, &dst), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&src);
    tk_destroy(&dst);
}

TEST(t_copy_type_mismatch)
{
    psa_key_id_t src = 0, dst = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_EXPORT, 0, aes128,
                       16, &src));
    psa_set_key_type(&a, PSA_KEY_TYPE_HMAC);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT);
    CHECK_STATUS(psa_copy_key(src, &a, &dst), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&src);
    tk_destroy(&dst);
}

TEST(t_copy_bits_mismatch)
{
    psa_key_id_t src = 0, dst = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_EXPORT, 0, aes128,
                       16, &src));
    psa_set_key_bits(&a, 256);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT);
    CHECK_STATUS(psa_copy_key(src, &a, &dst), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&src);
    tk_destroy(&dst);
}

TEST(t_copy_to_persistent)
{
    psa_key_id_t src = 0, dst = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT, r = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t out[16];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_EXPORT, 0, aes128,
                       16, &src));
    psa_set_key_id(&a, TEST_KEY_ID_BASE + 9);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT);
    CHECK_OK(psa_copy_key(src, &a, &dst));
    CHECK_VALUE(dst, TEST_KEY_ID_BASE + 9);
    tk_destroy(&src);
    CHECK_OK(psa_get_key_attributes(dst, &r));
    CHECK_VALUE(psa_get_key_lifetime(&r), PSA_KEY_LIFETIME_PERSISTENT);
    CHECK_OK(psa_export_key(dst, out, sizeof(out), &len));
    CHECK_BYTES(out, len, aes128, 16);
cleanup:
    tk_destroy(&src);
    (void)psa_destroy_key(TEST_KEY_ID_BASE + 9);
}

TEST(t_copy_to_existing)
{
    psa_key_id_t src = 0, dst = 0, other = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_EXPORT, 0, aes128,
                       16, &src));
    psa_set_key_id(&a, TEST_KEY_ID_BASE + 10);
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT);
    CHECK_OK(psa_import_key(&a, key32, 16, &other));
    psa_set_key_type(&a, 0);
    CHECK_STATUS(psa_copy_key(src, &a, &dst), PSA_ERROR_ALREADY_EXISTS);
cleanup:
    tk_destroy(&src);
    (void)psa_destroy_key(TEST_KEY_ID_BASE + 10);
}

TEST(t_copy_wildcard_policy)
{
    psa_key_id_t src = 0, dst = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT, r = PSA_KEY_ATTRIBUTES_INIT;
    const psa_algorithm_t trunc20 = PSA_ALG_TRUNCATED_MAC(HMAC256, 20);
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_SIGN_MESSAGE,
                       PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(HMAC256, 16), key32, 32, &src));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_MESSAGE);
    psa_set_key_algorithm(&a, trunc20);
    CHECK_OK(psa_copy_key(src, &a, &dst));
    CHECK_OK(psa_get_key_attributes(dst, &r));
    CHECK_VALUE(psa_get_key_algorithm(&r), trunc20);
cleanup:
    tk_destroy(&src);
    tk_destroy(&dst);
}

TEST(t_implicit_usage)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t r = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH,
                       HMAC256, key32, 32, &key));
    CHECK_OK(psa_get_key_attributes(key, &r));
    CHECK_VALUE(psa_get_key_usage_flags(&r),
                PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH |
                    PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE);
    CHECK_OK(psa_mac_compute(key, HMAC256, aes128, 16, mac, sizeof(mac), &len));
cleanup:
    tk_destroy(&key);
}

TEST(t_import_ecc_bad_length)
{
    psa_key_id_t key = 0;
    CHECK_STATUS(tk_import(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1),
                           PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256), key32, 31,
                           &key),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_import_ecc_point_off_curve)
{
    psa_key_id_t key = 0;
    uint8_t point[65];
    memset(point, 0x11, sizeof(point));
    point[0] = 0x04;
    CHECK_STATUS(tk_import(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1),
                           PSA_KEY_USAGE_VERIFY_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256), point, 65,
                           &key),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_import_raw_data)
{
    psa_key_id_t key = 0;
    psa_key_attributes_t r = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_RAW_DATA, PSA_KEY_USAGE_EXPORT, 0, key32, 5, &key));
    CHECK_OK(psa_get_key_attributes(key, &r));
    CHECK_VALUE(psa_get_key_bits(&r), 40);
cleanup:
    tk_destroy(&key);
}

TEST(t_volatile_ids_distinct)
{
    psa_key_id_t k1 = 0, k2 = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0, aes128, 16, &k1));
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_EXPORT, 0, aes128, 16, &k2));
    CHECK(k1 != k2);
    CHECK(k1 != PSA_KEY_ID_NULL && k2 != PSA_KEY_ID_NULL);
cleanup:
    tk_destroy(&k1);
    tk_destroy(&k2);
}

TEST(t_random_zero)
{
    uint8_t b[1] = {0x5a};
    CHECK_OK(psa_generate_random(b, 0));
    CHECK_VALUE(b[0], 0x5a);
cleanup:;
}

TEST(t_random_distinct)
{
    uint8_t a[32], b[32], zero[32] = {0};
    CHECK_OK(psa_generate_random(a, sizeof(a)));
    CHECK_OK(psa_generate_random(b, sizeof(b)));
    CHECK(memcmp(a, b, sizeof(a)) != 0);
    CHECK(memcmp(a, zero, sizeof(a)) != 0);
cleanup:;
}

TEST(t_random_large)
{
    static uint8_t big[65536];
    static const uint8_t zero[64];
    memset(big, 0, sizeof(big));
    CHECK_OK(psa_generate_random(big, sizeof(big)));
    /* The last block was written too: 64 zero bytes by chance is 2^-512. */
    CHECK(memcmp(big + sizeof(big) - 64, zero, 64) != 0);
cleanup:;
}

/* PSA_KEY_USAGE_EXPORT: "A public key or the public part of a key pair can always be exported
 * regardless of the value of this permission flag." (RFC 6979 A.2.5 P-256 public key.) */
TEST(t_export_public_key_type_without_usage)
{
    psa_key_id_t key = 0;
    HEX(q, "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
           "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");
    uint8_t out[65];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), 0, 0, q, q_len,
                       &key));
    CHECK_OK(psa_export_key(key, out, sizeof(out), &len));
    CHECK_BYTES(out, len, q, q_len);
cleanup:
    tk_destroy(&key);
}

/* Usage flags the specification does not define: every flag outside the eleven it names. */
#define USAGE_UNDEFINED_ALL ((psa_key_usage_t)0xFFFFFFFFu)
#define USAGE_UNDEFINED_ONE ((psa_key_usage_t)0x00010000u)

TEST(t_import_usage_undefined)
{
    psa_key_id_t key = 0;
    CHECK_STATUS(tk_import(PSA_KEY_TYPE_AES, USAGE_UNDEFINED_ALL, PSA_ALG_CTR, aes128, 16, &key),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(key, PSA_KEY_ID_NULL);
    CHECK_STATUS(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT | USAGE_UNDEFINED_ONE,
                           PSA_ALG_CTR, aes128, 16, &key),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(key, PSA_KEY_ID_NULL);
cleanup:
    tk_destroy(&key);
}

TEST(t_generate_usage_undefined)
{
    psa_key_id_t key = 0;
    CHECK_STATUS(tk_generate(PSA_KEY_TYPE_AES, 128, USAGE_UNDEFINED_ALL, PSA_ALG_CTR, &key),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(key, PSA_KEY_ID_NULL);
    CHECK_STATUS(tk_generate(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256,
                             PSA_KEY_USAGE_SIGN_HASH | USAGE_UNDEFINED_ONE,
                             PSA_ALG_ECDSA(PSA_ALG_SHA_256), &key),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(key, PSA_KEY_ID_NULL);
cleanup:
    tk_destroy(&key);
}

TEST(t_copy_usage_undefined)
{
    psa_key_id_t src = 0, dst = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_COPY | PSA_KEY_USAGE_EXPORT, 0, aes128, 16,
                       &src));
    psa_set_key_usage_flags(&a, USAGE_UNDEFINED_ALL);
    CHECK_STATUS(psa_copy_key(src, &a, &dst), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(dst, PSA_KEY_ID_NULL);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT | USAGE_UNDEFINED_ONE);
    CHECK_STATUS(psa_copy_key(src, &a, &dst), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(dst, PSA_KEY_ID_NULL);
cleanup:
    tk_destroy(&src);
    tk_destroy(&dst);
}

TEST(t_generate_size_invalid_for_type)
{
    psa_key_id_t key = 0;
    /* SECP R1 has no 220-bit curve, Curve25519's size is 255 and RFC 7919 has no 2000-bit group:
     * each is a size the type does not have, not one the implementation lacks. */
    CHECK_STATUS(tk_generate(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 220,
                             PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDSA(PSA_ALG_SHA_256), &key),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(tk_generate(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), 256,
                             PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, &key),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(tk_generate(PSA_KEY_TYPE_DH_KEY_PAIR(PSA_DH_FAMILY_RFC7919), 2000,
                             PSA_KEY_USAGE_DERIVE, PSA_ALG_FFDH, &key),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

/* A NULL buffer with a non-zero length is INVALID_ARGUMENT, never a crash, in one entry point of
 * each family (one-shot and multi-part, input and output buffers). */
TEST(t_null_buffers)
{
    psa_key_id_t aes = 0, hmac = 0, derive = 0;
    psa_hash_operation_t h = PSA_HASH_OPERATION_INIT;
    psa_mac_operation_t m = PSA_MAC_OPERATION_INIT;
    psa_aead_operation_t ad = PSA_AEAD_OPERATION_INIT;
    psa_key_derivation_operation_t kd = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t key = 0;
    uint8_t out[64];
    size_t len = 0;
    const psa_status_t bad = PSA_ERROR_INVALID_ARGUMENT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_EXPORT, PSA_ALG_GCM,
                       aes128, 16, &aes));
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, PSA_KEY_USAGE_SIGN_MESSAGE, HMAC256, key32, 32, &hmac));
    CHECK_OK(tk_import(PSA_KEY_TYPE_DERIVE, PSA_KEY_USAGE_DERIVE, PSA_ALG_HKDF(PSA_ALG_SHA_256),
                       key32, 32, &derive));
    psa_set_key_type(&a, PSA_KEY_TYPE_AES);
    CHECK_STATUS(psa_import_key(&a, NULL, 16, &key), bad);
    CHECK_VALUE(key, PSA_KEY_ID_NULL);
    CHECK_STATUS(psa_export_key(aes, NULL, 16, &len), bad);
    CHECK_STATUS(psa_generate_random(NULL, 16), bad);
    CHECK_STATUS(psa_hash_compute(PSA_ALG_SHA_256, NULL, 5, out, sizeof(out), &len), bad);
    CHECK_STATUS(psa_hash_compute(PSA_ALG_SHA_256, aes128, 5, NULL, 32, &len), bad);
    CHECK_OK(psa_hash_setup(&h, PSA_ALG_SHA_256));
    CHECK_STATUS(psa_hash_update(&h, NULL, 5), bad);
    CHECK_STATUS(psa_mac_compute(hmac, HMAC256, NULL, 5, out, sizeof(out), &len), bad);
    CHECK_OK(psa_mac_sign_setup(&m, hmac, HMAC256));
    CHECK_STATUS(psa_mac_update(&m, NULL, 5), bad);
    CHECK_STATUS(psa_mac_sign_finish(&m, NULL, 32, &len), bad);
    CHECK_STATUS(
        psa_aead_encrypt(aes, PSA_ALG_GCM, NULL, 12, NULL, 0, aes128, 16, out, sizeof(out), &len),
        bad);
    CHECK_OK(psa_aead_encrypt_setup(&ad, aes, PSA_ALG_GCM));
    CHECK_STATUS(psa_aead_set_nonce(&ad, NULL, 12), bad);
    CHECK_OK(psa_key_derivation_setup(&kd, PSA_ALG_HKDF(PSA_ALG_SHA_256)));
    CHECK_STATUS(psa_key_derivation_input_bytes(&kd, PSA_KEY_DERIVATION_INPUT_SALT, NULL, 8), bad);
    CHECK_OK(psa_key_derivation_input_bytes(&kd, PSA_KEY_DERIVATION_INPUT_SALT, NULL, 0));
    CHECK_OK(psa_key_derivation_input_key(&kd, PSA_KEY_DERIVATION_INPUT_SECRET, derive));
    CHECK_OK(psa_key_derivation_input_bytes(&kd, PSA_KEY_DERIVATION_INPUT_INFO, NULL, 0));
    CHECK_STATUS(psa_key_derivation_output_bytes(&kd, NULL, 16), bad);
    CHECK_STATUS(
        psa_sign_hash(aes, PSA_ALG_ECDSA(PSA_ALG_SHA_256), NULL, 32, out, sizeof(out), &len), bad);
cleanup:
    psa_hash_abort(&h);
    psa_mac_abort(&m);
    psa_aead_abort(&ad);
    psa_key_derivation_abort(&kd);
    tk_destroy(&aes);
    tk_destroy(&hmac);
    tk_destroy(&derive);
    tk_destroy(&key);
}

const test_case_t crypto_keys_tests[] = {
    {"C-KEY-001", "psa_crypto_init succeeds and may be called again", t_init_again},
    {"C-KEY-002", "psa_import_key: attributes report type, bits, lifetime, usage, algorithm",
     t_import_attributes},
    {"C-KEY-003", "psa_export_key returns exactly the imported AES-256 key",
     t_import_export_roundtrip},
    {"C-KEY-004", "psa_import_key: bits attribute differing from the data is INVALID_ARGUMENT",
     t_import_bits_mismatch},
    {"C-KEY-005", "psa_import_key: 15-byte AES key is INVALID_ARGUMENT", t_import_aes_bad_length},
    {"C-KEY-006", "psa_import_key: empty AES key is INVALID_ARGUMENT", t_import_aes_empty},
    {"C-KEY-007", "psa_import_key: persistent key keeps its id and reports PERSISTENT lifetime",
     t_import_persistent},
    {"C-KEY-008", "psa_import_key: existing persistent id is ALREADY_EXISTS, old key intact",
     t_import_persistent_exists},
    {"C-KEY-009", "psa_import_key: persistent lifetime with id 0 is INVALID_ARGUMENT",
     t_import_persistent_id_null},
    {"C-KEY-010", "psa_import_key: persistent id in the vendor range is INVALID_ARGUMENT",
     t_import_persistent_vendor_id},
    {"C-KEY-011", "psa_get_key_attributes: unknown id is INVALID_HANDLE", t_get_attributes_unknown},
    {"C-KEY-012", "psa_get_key_attributes: PSA_KEY_ID_NULL is INVALID_HANDLE",
     t_get_attributes_null},
    {"C-KEY-013", "psa_reset_key_attributes returns every attribute to its default",
     t_reset_attributes},
    {"C-KEY-014", "psa_generate_key: AES-256 has 256 bits and exports 32 bytes", t_generate_aes256},
    {"C-KEY-015", "psa_generate_key: bits 0 is INVALID_ARGUMENT", t_generate_bits_zero},
    {"C-KEY-016", "psa_generate_key: 100-bit AES is INVALID_ARGUMENT", t_generate_bits_invalid},
    {"C-KEY-017", "psa_generate_key: a public-key type is INVALID_ARGUMENT",
     t_generate_public_type},
    {"C-KEY-018", "psa_generate_key: two generated HMAC keys differ", t_generate_distinct},
    {"C-KEY-019", "psa_generate_key: persistent key gets its id and lifetime",
     t_generate_persistent},
    {"C-KEY-020", "psa_export_key without EXPORT usage is NOT_PERMITTED", t_export_not_permitted},
    {"C-KEY-021", "psa_export_key into a short buffer is BUFFER_TOO_SMALL", t_export_buffer_small},
    {"C-KEY-022", "psa_export_key: unknown id is INVALID_HANDLE", t_export_unknown},
    {"C-KEY-023", "psa_export_public_key of a symmetric key is INVALID_ARGUMENT",
     t_export_public_symmetric},
    {"C-KEY-024", "psa_destroy_key: the id is INVALID_HANDLE afterwards", t_destroy_then_use},
    {"C-KEY-025", "psa_destroy_key(PSA_KEY_ID_NULL) succeeds and does nothing", t_destroy_null},
    {"C-KEY-026", "psa_destroy_key: unknown id is INVALID_HANDLE", t_destroy_unknown},
    {"C-KEY-027", "psa_destroy_key removes a persistent key from storage; its id is free",
     t_destroy_persistent},
    {"C-KEY-028", "psa_purge_key on a volatile key succeeds; the key stays usable",
     t_purge_volatile},
    {"C-KEY-029", "psa_purge_key on a persistent key succeeds; the key reloads intact",
     t_purge_persistent},
    {"C-KEY-030", "psa_purge_key: unknown id is INVALID_HANDLE", t_purge_unknown},
    {"C-KEY-031", "psa_copy_key without COPY usage is NOT_PERMITTED", t_copy_needs_copy_usage},
    {"C-KEY-032", "psa_copy_key: usage is the intersection of both policies",
     t_copy_usage_intersection},
    {"C-KEY-033", "psa_copy_key: incompatible algorithm policies are INVALID_ARGUMENT",
     t_copy_incompatible_alg},
    {"C-KEY-034", "psa_copy_key: a different key type in attributes is INVALID_ARGUMENT",
     t_copy_type_mismatch},
    {"C-KEY-035", "psa_copy_key: a different key size in attributes is INVALID_ARGUMENT",
     t_copy_bits_mismatch},
    {"C-KEY-036", "psa_copy_key to a persistent id outlives the source key", t_copy_to_persistent},
    {"C-KEY-037", "psa_copy_key to an existing persistent id is ALREADY_EXISTS",
     t_copy_to_existing},
    {"C-KEY-038", "psa_copy_key: an at-least-length MAC policy narrows to the requested one",
     t_copy_wildcard_policy},
    {"C-KEY-039", "SIGN_HASH/VERIFY_HASH imply SIGN_MESSAGE/VERIFY_MESSAGE in the policy",
     t_implicit_usage},
    {"C-KEY-040", "psa_import_key: 31-byte secp256r1 private key is INVALID_ARGUMENT",
     t_import_ecc_bad_length},
    {"C-KEY-041", "psa_import_key: secp256r1 point off the curve is INVALID_ARGUMENT",
     t_import_ecc_point_off_curve},
    {"C-KEY-042", "psa_import_key: 5-byte RAW_DATA key has 40 bits", t_import_raw_data},
    {"C-KEY-043", "volatile keys get distinct non-null ids", t_volatile_ids_distinct},
    {"C-KEY-044", "psa_export_key of a public key needs no EXPORT usage",
     t_export_public_key_type_without_usage},
    {"C-KEY-045", "psa_import_key: usage flags outside the defined set are INVALID_ARGUMENT",
     t_import_usage_undefined},
    {"C-KEY-046", "psa_generate_key: usage flags outside the defined set are INVALID_ARGUMENT",
     t_generate_usage_undefined},
    {"C-KEY-047", "psa_copy_key: usage flags outside the defined set are INVALID_ARGUMENT",
     t_copy_usage_undefined},
    {"C-KEY-048", "psa_generate_key: a size the key type does not have is INVALID_ARGUMENT",
     t_generate_size_invalid_for_type},
    {"C-KEY-049", "a NULL buffer with a non-zero length is INVALID_ARGUMENT in every family",
     t_null_buffers},
    {"C-RNG-001", "psa_generate_random of 0 bytes succeeds and writes nothing", t_random_zero},
    {"C-RNG-002", "psa_generate_random: two 32-byte outputs differ and are not zero",
     t_random_distinct},
    {"C-RNG-003", "psa_generate_random fills a 64 KiB buffer to its end", t_random_large},
    {NULL, NULL, NULL},
};
