/* Crypto suite, message digests: one-shot, compare, multi-part, clone, suspend/resume, errors. */
#include <string.h>

#include "runner.h"

#define TEST(name) static void name(test_state_t *T)

static const uint8_t abc[3] = {'a', 'b', 'c'};
/* FIPS 180-4 / FIPS 202 example digests of "abc". */
#define SHA1_ABC "a9993e364706816aba3e25717850c26c9cd0d89d"
#define SHA224_ABC "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA384_ABC                                                                                \
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c8" \
    "25a7"
#define SHA512_ABC                                                                                \
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fe" \
    "ebbd454d4423643ce80e2a9ac94fa54ca49f"
#define SHA3_256_ABC "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
#define SHA512_256_ABC "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"

static void one_shot(test_state_t *T, psa_algorithm_t alg, const char *hex)
{
    uint8_t expected[64], out[PSA_HASH_MAX_SIZE];
    size_t elen = test_unhex(hex, expected, sizeof(expected)), len = 0;
    CHECK_OK(psa_hash_compute(alg, abc, 3, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, elen);
cleanup:;
}

TEST(t_sha1) { one_shot(T, PSA_ALG_SHA_1, SHA1_ABC); }
TEST(t_sha224) { one_shot(T, PSA_ALG_SHA_224, SHA224_ABC); }
TEST(t_sha256) { one_shot(T, PSA_ALG_SHA_256, SHA256_ABC); }
TEST(t_sha384) { one_shot(T, PSA_ALG_SHA_384, SHA384_ABC); }
TEST(t_sha512) { one_shot(T, PSA_ALG_SHA_512, SHA512_ABC); }
TEST(t_sha3_256) { one_shot(T, PSA_ALG_SHA3_256, SHA3_256_ABC); }
TEST(t_sha512_256) { one_shot(T, PSA_ALG_SHA_512_256, SHA512_256_ABC); }

TEST(t_empty_input)
{
    HEX(expected, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(psa_hash_compute(PSA_ALG_SHA_256, NULL, 0, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, expected_len);
cleanup:;
}

TEST(t_compute_small_buffer)
{
    uint8_t out[32];
    size_t len = 0;
    CHECK_STATUS(psa_hash_compute(PSA_ALG_SHA_256, abc, 3, out, 31, &len),
                 PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:;
}

TEST(t_compute_not_hash)
{
    uint8_t out[64];
    size_t len = 0;
    CHECK_STATUS(psa_hash_compute(PSA_ALG_HMAC(PSA_ALG_SHA_256), abc, 3, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:;
}

TEST(t_compute_unknown_hash)
{
    uint8_t out[64];
    size_t len = 0;
    CHECK_STATUS(psa_hash_compute(PSA_ALG_CATEGORY_HASH | 0x7e, abc, 3, out, sizeof(out), &len),
                 PSA_ERROR_NOT_SUPPORTED);
cleanup:;
}

TEST(t_compare_match)
{
    HEX(expected, SHA256_ABC);
    CHECK_OK(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, expected, expected_len));
cleanup:;
}

TEST(t_compare_mismatch)
{
    HEX(expected, SHA256_ABC);
    expected[31] ^= 1;
    CHECK_STATUS(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, expected, expected_len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:;
}

TEST(t_compare_short)
{
    HEX(expected, SHA256_ABC);
    CHECK_STATUS(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, expected, expected_len - 1),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:;
}

TEST(t_multipart)
{
    HEX(expected, SHA256_ABC);
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
    CHECK_OK(psa_hash_update(&op, abc, 1));
    CHECK_OK(psa_hash_update(&op, NULL, 0));
    CHECK_OK(psa_hash_update(&op, abc + 1, 2));
    CHECK_OK(psa_hash_finish(&op, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, expected_len);
cleanup:
    psa_hash_abort(&op);
}

TEST(t_million_a)
{
    /* FIPS 180-2 long message: one million 'a', fed in 1000 updates. */
    HEX(expected, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    uint8_t chunk[1000], out[32];
    size_t len = 0;
    memset(chunk, 'a', sizeof(chunk));
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
    for (int i = 0; i < 1000; i++) {
        CHECK_OK(psa_hash_update(&op, chunk, sizeof(chunk)));
    }
    CHECK_OK(psa_hash_finish(&op, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, expected_len);
cleanup:
    psa_hash_abort(&op);
}

TEST(t_verify_match)
{
    HEX(expected, SHA512_ABC);
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_512));
    CHECK_OK(psa_hash_update(&op, abc, 3));
    CHECK_OK(psa_hash_verify(&op, expected, expected_len));
cleanup:
    psa_hash_abort(&op);
}

TEST(t_verify_mismatch)
{
    HEX(expected, SHA512_ABC);
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    expected[0] ^= 0x80;
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_512));
    CHECK_OK(psa_hash_update(&op, abc, 3));
    CHECK_STATUS(psa_hash_verify(&op, expected, expected_len), PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    psa_hash_abort(&op);
}

TEST(t_setup_twice)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
    CHECK_STATUS(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_ERROR_BAD_STATE);
cleanup:
    psa_hash_abort(&op);
}

TEST(t_update_inactive)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    CHECK_STATUS(psa_hash_update(&op, abc, 3), PSA_ERROR_BAD_STATE);
cleanup:
    psa_hash_abort(&op);
}

TEST(t_finish_inactive)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    uint8_t out[32];
    size_t len = 0;
    CHECK_STATUS(psa_hash_finish(&op, out, sizeof(out), &len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_hash_abort(&op);
}

TEST(t_update_after_finish)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
    CHECK_OK(psa_hash_finish(&op, out, sizeof(out), &len));
    CHECK_STATUS(psa_hash_update(&op, abc, 3), PSA_ERROR_BAD_STATE);
cleanup:
    psa_hash_abort(&op);
}

TEST(t_finish_small_buffer)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
    CHECK_STATUS(psa_hash_finish(&op, out, 16, &len), PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    psa_hash_abort(&op);
}

TEST(t_setup_not_hash)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    CHECK_STATUS(psa_hash_setup(&op, PSA_ALG_GCM), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_hash_abort(&op);
}

TEST(t_abort)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    CHECK_OK(psa_hash_abort(&op));
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
    CHECK_OK(psa_hash_update(&op, abc, 3));
    CHECK_OK(psa_hash_abort(&op));
    CHECK_OK(psa_hash_abort(&op));
    /* An aborted operation can be set up again. */
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
cleanup:
    psa_hash_abort(&op);
}

TEST(t_clone)
{
    HEX(expected, SHA256_ABC);
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT, copy = PSA_HASH_OPERATION_INIT;
    uint8_t o1[32], o2[32];
    size_t l1 = 0, l2 = 0;
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
    CHECK_OK(psa_hash_update(&op, abc, 2));
    CHECK_OK(psa_hash_clone(&op, &copy));
    CHECK_OK(psa_hash_update(&op, abc + 2, 1));
    CHECK_OK(psa_hash_update(&copy, abc + 2, 1));
    CHECK_OK(psa_hash_finish(&op, o1, sizeof(o1), &l1));
    CHECK_OK(psa_hash_finish(&copy, o2, sizeof(o2), &l2));
    CHECK_BYTES(o1, l1, expected, expected_len);
    CHECK_BYTES(o2, l2, expected, expected_len);
cleanup:
    psa_hash_abort(&op);
    psa_hash_abort(&copy);
}

TEST(t_clone_to_active)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT, copy = PSA_HASH_OPERATION_INIT;
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
    CHECK_OK(psa_hash_setup(&copy, PSA_ALG_SHA_256));
    CHECK_STATUS(psa_hash_clone(&op, &copy), PSA_ERROR_BAD_STATE);
cleanup:
    psa_hash_abort(&op);
    psa_hash_abort(&copy);
}

TEST(t_clone_from_inactive)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT, copy = PSA_HASH_OPERATION_INIT;
    CHECK_STATUS(psa_hash_clone(&op, &copy), PSA_ERROR_BAD_STATE);
cleanup:
    psa_hash_abort(&op);
    psa_hash_abort(&copy);
}

TEST(t_suspend_resume)
{
    HEX(expected, SHA256_ABC);
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT, op2 = PSA_HASH_OPERATION_INIT;
    uint8_t state[PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE], out[32];
    size_t slen = 0, len = 0;
    CHECK_OK(psa_hash_setup(&op, PSA_ALG_SHA_256));
    CHECK_OK(psa_hash_update(&op, abc, 2));
    CHECK_OK(psa_hash_suspend(&op, state, sizeof(state), &slen));
    CHECK_OK(psa_hash_resume(&op2, state, slen));
    CHECK_OK(psa_hash_update(&op2, abc + 2, 1));
    CHECK_OK(psa_hash_finish(&op2, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, expected_len);
cleanup:
    psa_hash_abort(&op);
    psa_hash_abort(&op2);
}

TEST(t_suspend_inactive)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    uint8_t state[PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE];
    size_t slen = 0;
    CHECK_STATUS(psa_hash_suspend(&op, state, sizeof(state), &slen), PSA_ERROR_BAD_STATE);
cleanup:
    psa_hash_abort(&op);
}

const test_case_t crypto_hash_tests[] = {
    {"C-HASH-001", "psa_hash_compute SHA-1(\"abc\") matches FIPS 180-4", t_sha1},
    {"C-HASH-002", "psa_hash_compute SHA-224(\"abc\") matches FIPS 180-4", t_sha224},
    {"C-HASH-003", "psa_hash_compute SHA-256(\"abc\") matches FIPS 180-4", t_sha256},
    {"C-HASH-004", "psa_hash_compute SHA-384(\"abc\") matches FIPS 180-4", t_sha384},
    {"C-HASH-005", "psa_hash_compute SHA-512(\"abc\") matches FIPS 180-4", t_sha512},
    {"C-HASH-006", "psa_hash_compute SHA3-256(\"abc\") matches FIPS 202", t_sha3_256},
    {"C-HASH-007", "psa_hash_compute SHA-512/256(\"abc\") matches FIPS 180-4", t_sha512_256},
    {"C-HASH-008", "psa_hash_compute of empty input gives SHA-256(\"\")", t_empty_input},
    {"C-HASH-009", "psa_hash_compute into a short buffer is BUFFER_TOO_SMALL",
     t_compute_small_buffer},
    {"C-HASH-010", "psa_hash_compute with a MAC algorithm is INVALID_ARGUMENT",
     t_compute_not_hash},
    {"C-HASH-011", "psa_hash_compute with an unknown hash is NOT_SUPPORTED",
     t_compute_unknown_hash},
    {"C-HASH-012", "psa_hash_compare accepts the right digest", t_compare_match},
    {"C-HASH-013", "psa_hash_compare: a wrong digest is INVALID_SIGNATURE", t_compare_mismatch},
    {"C-HASH-014", "psa_hash_compare: a truncated digest is INVALID_SIGNATURE", t_compare_short},
    {"C-HASH-015", "multi-part hash over split and empty updates equals one-shot", t_multipart},
    {"C-HASH-016", "multi-part SHA-256 of one million 'a' matches FIPS 180-2", t_million_a},
    {"C-HASH-017", "psa_hash_verify accepts the right digest", t_verify_match},
    {"C-HASH-018", "psa_hash_verify: a wrong digest is INVALID_SIGNATURE", t_verify_mismatch},
    {"C-HASH-019", "psa_hash_setup on an active operation is BAD_STATE", t_setup_twice},
    {"C-HASH-020", "psa_hash_update on an inactive operation is BAD_STATE", t_update_inactive},
    {"C-HASH-021", "psa_hash_finish on an inactive operation is BAD_STATE", t_finish_inactive},
    {"C-HASH-022", "psa_hash_update after psa_hash_finish is BAD_STATE", t_update_after_finish},
    {"C-HASH-023", "psa_hash_finish into a short buffer is BUFFER_TOO_SMALL",
     t_finish_small_buffer},
    {"C-HASH-024", "psa_hash_setup with a non-hash algorithm is INVALID_ARGUMENT",
     t_setup_not_hash},
    {"C-HASH-025", "psa_hash_abort succeeds on inactive, active and aborted operations", t_abort},
    {"C-HASH-026", "psa_hash_clone: both operations finish to the same digest", t_clone},
    {"C-HASH-027", "psa_hash_clone into an active operation is BAD_STATE", t_clone_to_active},
    {"C-HASH-028", "psa_hash_clone from an inactive operation is BAD_STATE",
     t_clone_from_inactive},
    {"C-HASH-029", "psa_hash_suspend / psa_hash_resume continue a SHA-256 computation",
     t_suspend_resume},
    {"C-HASH-030", "psa_hash_suspend on an inactive operation is BAD_STATE", t_suspend_inactive},
    {NULL, NULL, NULL},
};
