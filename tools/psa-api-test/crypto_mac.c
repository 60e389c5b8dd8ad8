/* Crypto suite, MACs: HMAC (RFC 4231) and CMAC (RFC 4493), one-shot, multi-part, policy, errors. */
#include <string.h>

#include "runner.h"

#define TEST(name) static void name(test_state_t *T)

#define HMAC256 PSA_ALG_HMAC(PSA_ALG_SHA_256)
#define SIGN_VERIFY (PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE)

static const uint8_t hi_there[8] = {'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e'};
static const uint8_t key_0b[20] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
                                   0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
/* RFC 4231 test case 1 */
#define TC1_SHA224 "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22"
#define TC1_SHA256 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
#define TC1_SHA384                                                                                \
    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa" \
    "9cb6"
#define TC1_SHA512                                                                                \
    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3" \
    "f4e4be9d914eeb61f1702e696c203a126854"
/* RFC 4493 */
#define CMAC_KEY "2b7e151628aed2a6abf7158809cf4f3c"
#define CMAC_M16 "6bc1bee22e409f96e93d7e117393172a"
#define CMAC_T16 "070a16b46b4d4144f79bdd9dd04a287c"

static void hmac_tc1(test_state_t *T, psa_algorithm_t hash, const char *hex)
{
    psa_key_id_t key = 0;
    uint8_t expected[64], mac[PSA_MAC_MAX_SIZE];
    size_t elen = test_unhex(hex, expected, sizeof(expected)), len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, PSA_ALG_HMAC(hash), key_0b, 20, &key));
    CHECK_OK(psa_mac_compute(key, PSA_ALG_HMAC(hash), hi_there, 8, mac, sizeof(mac), &len));
    CHECK_BYTES(mac, len, expected, elen);
cleanup:
    tk_destroy(&key);
}

TEST(t_hmac224) { hmac_tc1(T, PSA_ALG_SHA_224, TC1_SHA224); }
TEST(t_hmac256) { hmac_tc1(T, PSA_ALG_SHA_256, TC1_SHA256); }
TEST(t_hmac384) { hmac_tc1(T, PSA_ALG_SHA_384, TC1_SHA384); }
TEST(t_hmac512) { hmac_tc1(T, PSA_ALG_SHA_512, TC1_SHA512); }

TEST(t_hmac_tc2)
{
    psa_key_id_t key = 0;
    static const char msg[] = "what do ya want for nothing?";
    HEX(expected, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, (const uint8_t *)"Jefe", 4, &key));
    CHECK_OK(psa_mac_compute(key, HMAC256, (const uint8_t *)msg, strlen(msg), mac, sizeof(mac),
                             &len));
    CHECK_BYTES(mac, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_hmac_truncated)
{
    psa_key_id_t key = 0;
    uint8_t k[20];
    static const char msg[] = "Test With Truncation";
    HEX(expected, "a3b6167473100ee06e0c796c2955552b");
    const psa_algorithm_t alg = PSA_ALG_TRUNCATED_MAC(HMAC256, 16);
    uint8_t mac[32];
    size_t len = 0;
    memset(k, 0x0c, sizeof(k));
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, alg, k, 20, &key));
    CHECK_OK(psa_mac_compute(key, alg, (const uint8_t *)msg, strlen(msg), mac, sizeof(mac), &len));
    CHECK_BYTES(mac, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_cmac)
{
    psa_key_id_t key = 0;
    HEX(k, CMAC_KEY);
    HEX(m, CMAC_M16);
    HEX(expected, CMAC_T16);
    uint8_t mac[16];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, SIGN_VERIFY, PSA_ALG_CMAC, k, k_len, &key));
    CHECK_OK(psa_mac_compute(key, PSA_ALG_CMAC, m, m_len, mac, sizeof(mac), &len));
    CHECK_BYTES(mac, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_cmac_empty)
{
    psa_key_id_t key = 0;
    HEX(k, CMAC_KEY);
    HEX(expected, "bb1d6929e95937287fa37d129b756746");
    uint8_t mac[16];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, SIGN_VERIFY, PSA_ALG_CMAC, k, k_len, &key));
    CHECK_OK(psa_mac_compute(key, PSA_ALG_CMAC, NULL, 0, mac, sizeof(mac), &len));
    CHECK_BYTES(mac, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_verify_ok)
{
    psa_key_id_t key = 0;
    HEX(expected, TC1_SHA256);
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_verify(key, HMAC256, hi_there, 8, expected, expected_len));
cleanup:
    tk_destroy(&key);
}

TEST(t_verify_bad)
{
    psa_key_id_t key = 0;
    HEX(expected, TC1_SHA256);
    expected[5] ^= 4;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_STATUS(psa_mac_verify(key, HMAC256, hi_there, 8, expected, expected_len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&key);
}

TEST(t_verify_short)
{
    psa_key_id_t key = 0;
    HEX(expected, TC1_SHA256);
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_STATUS(psa_mac_verify(key, HMAC256, hi_there, 8, expected, 16),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&key);
}

TEST(t_usage_denied)
{
    psa_key_id_t key = 0;
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, PSA_KEY_USAGE_VERIFY_MESSAGE, HMAC256, key_0b, 20,
                       &key));
    CHECK_STATUS(psa_mac_compute(key, HMAC256, hi_there, 8, mac, sizeof(mac), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_alg_denied)
{
    psa_key_id_t key = 0;
    uint8_t mac[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_STATUS(psa_mac_compute(key, PSA_ALG_HMAC(PSA_ALG_SHA_512), hi_there, 8, mac,
                                 sizeof(mac), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_at_least_policy)
{
    psa_key_id_t key = 0;
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY,
                       PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(HMAC256, 16), key_0b, 20, &key));
    CHECK_OK(psa_mac_compute(key, PSA_ALG_TRUNCATED_MAC(HMAC256, 20), hi_there, 8, mac,
                             sizeof(mac), &len));
    CHECK_VALUE(len, 20);
    CHECK_OK(psa_mac_compute(key, HMAC256, hi_there, 8, mac, sizeof(mac), &len));
    CHECK_VALUE(len, 32);
    CHECK_STATUS(psa_mac_compute(key, PSA_ALG_TRUNCATED_MAC(HMAC256, 10), hi_there, 8, mac,
                                 sizeof(mac), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_not_mac_alg)
{
    psa_key_id_t key = 0;
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, PSA_ALG_SHA_256, key_0b, 20, &key));
    CHECK_STATUS(psa_mac_compute(key, PSA_ALG_SHA_256, hi_there, 8, mac, sizeof(mac), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_small_buffer)
{
    psa_key_id_t key = 0;
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_STATUS(psa_mac_compute(key, HMAC256, hi_there, 8, mac, 31, &len),
                 PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    tk_destroy(&key);
}

TEST(t_invalid_key)
{
    uint8_t mac[32];
    size_t len = 0;
    CHECK_STATUS(psa_mac_compute(TEST_KEY_ID_BASE + 11, HMAC256, hi_there, 8, mac, sizeof(mac),
                                 &len),
                 PSA_ERROR_INVALID_HANDLE);
cleanup:;
}

TEST(t_multipart_sign)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    HEX(expected, TC1_SHA256);
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_sign_setup(&op, key, HMAC256));
    CHECK_OK(psa_mac_update(&op, hi_there, 3));
    CHECK_OK(psa_mac_update(&op, hi_there + 3, 5));
    CHECK_OK(psa_mac_sign_finish(&op, mac, sizeof(mac), &len));
    CHECK_BYTES(mac, len, expected, expected_len);
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

TEST(t_multipart_verify)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    HEX(k, CMAC_KEY);
    HEX(m, CMAC_M16);
    HEX(expected, CMAC_T16);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, SIGN_VERIFY, PSA_ALG_CMAC, k, k_len, &key));
    CHECK_OK(psa_mac_verify_setup(&op, key, PSA_ALG_CMAC));
    CHECK_OK(psa_mac_update(&op, m, 7));
    CHECK_OK(psa_mac_update(&op, m + 7, m_len - 7));
    CHECK_OK(psa_mac_verify_finish(&op, expected, expected_len));
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

TEST(t_multipart_verify_bad)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    HEX(expected, TC1_SHA256);
    expected[31] ^= 1;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_verify_setup(&op, key, HMAC256));
    CHECK_OK(psa_mac_update(&op, hi_there, 8));
    CHECK_STATUS(psa_mac_verify_finish(&op, expected, expected_len), PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

TEST(t_sign_finish_on_verify)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_verify_setup(&op, key, HMAC256));
    CHECK_STATUS(psa_mac_sign_finish(&op, mac, sizeof(mac), &len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

TEST(t_verify_finish_on_sign)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    HEX(expected, TC1_SHA256);
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_sign_setup(&op, key, HMAC256));
    CHECK_STATUS(psa_mac_verify_finish(&op, expected, expected_len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

TEST(t_update_inactive)
{
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    CHECK_STATUS(psa_mac_update(&op, hi_there, 8), PSA_ERROR_BAD_STATE);
cleanup:
    psa_mac_abort(&op);
}

TEST(t_setup_twice)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_sign_setup(&op, key, HMAC256));
    CHECK_STATUS(psa_mac_sign_setup(&op, key, HMAC256), PSA_ERROR_BAD_STATE);
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

TEST(t_finish_small_buffer)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_sign_setup(&op, key, HMAC256));
    CHECK_STATUS(psa_mac_sign_finish(&op, mac, 16, &len), PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

TEST(t_abort_reuse)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    HEX(expected, TC1_SHA256);
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(psa_mac_abort(&op));
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_sign_setup(&op, key, HMAC256));
    CHECK_OK(psa_mac_update(&op, (const uint8_t *)"junk", 4));
    CHECK_OK(psa_mac_abort(&op));
    CHECK_OK(psa_mac_sign_setup(&op, key, HMAC256));
    CHECK_OK(psa_mac_update(&op, hi_there, 8));
    CHECK_OK(psa_mac_sign_finish(&op, mac, sizeof(mac), &len));
    CHECK_BYTES(mac, len, expected, expected_len);
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

TEST(t_destroyed_key_op)
{
    /* Once destroyed, the id names no key: a new operation cannot start with it. */
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    psa_key_id_t id = key;
    tk_destroy(&key);
    CHECK_STATUS(psa_mac_sign_setup(&op, id, HMAC256), PSA_ERROR_INVALID_HANDLE);
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

/* psa_destroy_key: "If a key is currently in use in a multi-part operation, then destroying the
 * key will cause the multi-part operation to fail." This implementation answers BAD_STATE and the
 * operation is then in its error state until psa_mac_abort(). */
TEST(t_destroy_during_op)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    uint8_t mac[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_sign_setup(&op, key, HMAC256));
    CHECK_OK(psa_mac_update(&op, hi_there, 4));
    tk_destroy(&key);
    CHECK_STATUS(psa_mac_update(&op, hi_there + 4, 4), PSA_ERROR_BAD_STATE);
    CHECK_STATUS(psa_mac_sign_finish(&op, mac, sizeof(mac), &len), PSA_ERROR_BAD_STATE);
    CHECK_VALUE(len, 0);
    CHECK_OK(psa_mac_abort(&op));
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

/* "If this function returns an error status, the operation enters an error state and must be
 * aborted by calling psa_mac_abort()": BAD_STATE from a call on an active operation too. */
TEST(t_wrong_finish_error_state)
{
    psa_key_id_t key = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    HEX(expected, TC1_SHA256);
    CHECK_OK(tk_import(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, HMAC256, key_0b, 20, &key));
    CHECK_OK(psa_mac_sign_setup(&op, key, HMAC256));
    CHECK_OK(psa_mac_update(&op, hi_there, 8));
    CHECK_STATUS(psa_mac_verify_finish(&op, expected, expected_len), PSA_ERROR_BAD_STATE);
    CHECK_STATUS(psa_mac_update(&op, hi_there, 8), PSA_ERROR_BAD_STATE);
    CHECK_OK(psa_mac_abort(&op));
    /* Aborted: usable again, and the key still works. */
    CHECK_OK(psa_mac_verify_setup(&op, key, HMAC256));
    CHECK_OK(psa_mac_update(&op, hi_there, 8));
    CHECK_OK(psa_mac_verify_finish(&op, expected, expected_len));
cleanup:
    psa_mac_abort(&op);
    tk_destroy(&key);
}

/* AES keys of 384/512 bits are XTS's two-key form: not a CMAC key ("not compatible with alg"). */
TEST(t_cmac_aes512)
{
    psa_key_id_t key = 0;
    uint8_t k64[64] = {1}, mac[16];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_SIGN_MESSAGE, PSA_ALG_CMAC, k64, 64, &key));
    CHECK_STATUS(psa_mac_compute(key, PSA_ALG_CMAC, hi_there, 8, mac, sizeof(mac), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

const test_case_t crypto_mac_tests[] = {
    {"C-MAC-001", "HMAC-SHA-224 matches RFC 4231 test case 1", t_hmac224},
    {"C-MAC-002", "HMAC-SHA-256 matches RFC 4231 test case 1", t_hmac256},
    {"C-MAC-003", "HMAC-SHA-384 matches RFC 4231 test case 1", t_hmac384},
    {"C-MAC-004", "HMAC-SHA-512 matches RFC 4231 test case 1", t_hmac512},
    {"C-MAC-005", "HMAC-SHA-256 with a short key matches RFC 4231 test case 2", t_hmac_tc2},
    {"C-MAC-006", "truncated HMAC-SHA-256 (16 bytes) matches RFC 4231 test case 5",
     t_hmac_truncated},
    {"C-MAC-007", "AES-128-CMAC of one block matches RFC 4493 example 2", t_cmac},
    {"C-MAC-008", "AES-128-CMAC of the empty message matches RFC 4493 example 1", t_cmac_empty},
    {"C-MAC-009", "psa_mac_verify accepts the right MAC", t_verify_ok},
    {"C-MAC-010", "psa_mac_verify: a wrong MAC is INVALID_SIGNATURE", t_verify_bad},
    {"C-MAC-011", "psa_mac_verify: a truncated MAC is INVALID_SIGNATURE", t_verify_short},
    {"C-MAC-012", "psa_mac_compute without SIGN_MESSAGE usage is NOT_PERMITTED", t_usage_denied},
    {"C-MAC-013", "psa_mac_compute with an algorithm outside the policy is NOT_PERMITTED",
     t_alg_denied},
    {"C-MAC-014", "an at-least-16-byte MAC policy permits 20 and 32 bytes, refuses 10",
     t_at_least_policy},
    {"C-MAC-015", "psa_mac_compute with a hash algorithm is INVALID_ARGUMENT", t_not_mac_alg},
    {"C-MAC-016", "psa_mac_compute into a short buffer is BUFFER_TOO_SMALL", t_small_buffer},
    {"C-MAC-017", "psa_mac_compute with an unknown key is INVALID_HANDLE", t_invalid_key},
    {"C-MAC-018", "multi-part MAC sign equals the RFC 4231 value", t_multipart_sign},
    {"C-MAC-019", "multi-part MAC verify accepts the RFC 4493 value", t_multipart_verify},
    {"C-MAC-020", "multi-part MAC verify: a wrong MAC is INVALID_SIGNATURE",
     t_multipart_verify_bad},
    {"C-MAC-021", "psa_mac_sign_finish on a verify operation is BAD_STATE",
     t_sign_finish_on_verify},
    {"C-MAC-022", "psa_mac_verify_finish on a sign operation is BAD_STATE",
     t_verify_finish_on_sign},
    {"C-MAC-023", "psa_mac_update on an inactive operation is BAD_STATE", t_update_inactive},
    {"C-MAC-024", "psa_mac_sign_setup on an active operation is BAD_STATE", t_setup_twice},
    {"C-MAC-025", "psa_mac_sign_finish into a short buffer is BUFFER_TOO_SMALL",
     t_finish_small_buffer},
    {"C-MAC-026", "psa_mac_abort: inactive abort succeeds, an aborted operation is reusable",
     t_abort_reuse},
    {"C-MAC-027", "psa_mac_sign_setup with a destroyed key is INVALID_HANDLE",
     t_destroyed_key_op},
    {"C-MAC-028", "destroying the key of an active MAC operation makes it fail (BAD_STATE)",
     t_destroy_during_op},
    {"C-MAC-029", "verify_finish on a sign operation: BAD_STATE, then the error state",
     t_wrong_finish_error_state},
    {"C-MAC-030", "CMAC with a 512-bit AES key is INVALID_ARGUMENT", t_cmac_aes512},
    {NULL, NULL, NULL},
};
