/* Unit tests of the PSA hash calls through libpsa-local: results, error statuses, state machine. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <psa/crypto.h>

#ifdef SS_TEST_IN_PROCESS
#include <openssl/evp.h>
#endif

typedef struct hash_case {
    psa_algorithm_t alg;
    const char *abc_hex; /* digest of "abc" */
} hash_case_t;

static const hash_case_t hash_cases[] = {
    {PSA_ALG_MD4, "a448017aaf21d8525fc10ae87aa6729d"}, /* RFC 1320 A.5 */
    {PSA_ALG_MD5, "900150983cd24fb0d6963f7d28e17f72"},
    {PSA_ALG_RIPEMD160, "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
    {PSA_ALG_SHA_1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {PSA_ALG_SHA_224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
    {PSA_ALG_SHA_256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {PSA_ALG_SHA_384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7"
                      "cc2358baeca134c825a7"},
    {PSA_ALG_SHA_512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274f"
                      "c1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {PSA_ALG_SHA_512_224, "4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa"},
    {PSA_ALG_SHA_512_256, "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"},
    {PSA_ALG_SHA3_224, "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"},
    {PSA_ALG_SHA3_256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
    {PSA_ALG_SHA3_384, "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea92"
                       "7ac7f539f1edf228376d25"},
    {PSA_ALG_SHA3_512, "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e919"
                       "2af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"},
    {PSA_ALG_SM3, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},
    {PSA_ALG_SHAKE256_512, "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739d5a15b"
                           "ef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd8801e751e4"},
};

#define HASH_CASE_COUNT (sizeof(hash_cases) / sizeof(hash_cases[0]))

static const uint8_t abc[] = {'a', 'b', 'c'};

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

static const uint8_t sha256_abc[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};

/* Runs first, before psa_crypto_init: every call must refuse with BAD_STATE. */
static void test_not_initialised(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t length = 99;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    psa_hash_operation_t target = PSA_HASH_OPERATION_INIT;
    assert_int_equal(psa_hash_compute(PSA_ALG_SHA_256, abc, 3, out, sizeof(out), &length),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(length, 0);
    assert_int_equal(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, sha256_abc, 32),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_ERROR_BAD_STATE);
    assert_null(op.ctx);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_ERROR_BAD_STATE);
    length = 99;
    assert_int_equal(psa_hash_finish(&op, out, sizeof(out), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(length, 0);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 32), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_clone(&op, &target), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_abort(&op), PSA_ERROR_BAD_STATE);

    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
}

static int setup_init(void **state)
{
    (void)state;
    return psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
}

static void test_compute_every_alg(void **state)
{
    (void)state;
    for (size_t i = 0; i < HASH_CASE_COUNT; i++) {
        uint8_t expected[64];
        uint8_t out[80];
        size_t expected_length = unhex(hash_cases[i].abc_hex, expected);
        size_t length = 0;
        memset(out, 0xa5, sizeof(out));
        assert_int_equal(psa_hash_compute(hash_cases[i].alg, abc, 3, out, sizeof(out), &length),
                         PSA_SUCCESS);
        assert_int_equal(length, expected_length);
        assert_int_equal(length, PSA_HASH_LENGTH(hash_cases[i].alg));
        assert_memory_equal(out, expected, expected_length);
        assert_int_equal(out[expected_length], 0xa5); /* nothing written past the digest */

        /* The exact size is enough; one byte less is not, and nothing is written then. */
        length = 99;
        memset(out, 0xa5, sizeof(out));
        assert_int_equal(
            psa_hash_compute(hash_cases[i].alg, abc, 3, out, expected_length - 1, &length),
            PSA_ERROR_BUFFER_TOO_SMALL);
        assert_int_equal(length, 0);
        assert_int_equal(out[0], 0xa5);
        assert_int_equal(psa_hash_compute(hash_cases[i].alg, abc, 3, out, expected_length, &length),
                         PSA_SUCCESS);
        assert_memory_equal(out, expected, expected_length);

        assert_int_equal(psa_hash_compare(hash_cases[i].alg, abc, 3, expected, expected_length),
                         PSA_SUCCESS);
    }
}

static void test_compute_empty_and_long(void **state)
{
    (void)state;
    static const uint8_t sha256_empty[32] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
                                             0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
                                             0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
                                             0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
    /* FIPS 180-2 appendix: one million 'a'. */
    static const uint8_t sha256_million_a[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92,
                                                 0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67,
                                                 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e,
                                                 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    uint8_t out[32];
    size_t length = 0;
    assert_int_equal(psa_hash_compute(PSA_ALG_SHA_256, NULL, 0, out, sizeof(out), &length),
                     PSA_SUCCESS);
    assert_memory_equal(out, sha256_empty, 32);

    uint8_t *million = malloc(1000000);
    assert_non_null(million);
    memset(million, 'a', 1000000);
    assert_int_equal(psa_hash_compute(PSA_ALG_SHA_256, million, 1000000, out, sizeof(out), &length),
                     PSA_SUCCESS);
    assert_memory_equal(out, sha256_million_a, 32);

    /* The same in uneven pieces through a multi-part operation. */
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    size_t done = 0;
    for (size_t piece = 1; done < 1000000; piece = piece * 3 + 1) {
        size_t n = piece < 1000000 - done ? piece : 1000000 - done;
        assert_int_equal(psa_hash_update(&op, million + done, n), PSA_SUCCESS);
        done += n;
    }
    assert_int_equal(psa_hash_verify(&op, sha256_million_a, 32), PSA_SUCCESS);
    assert_null(op.ctx);
    free(million);
}

static void test_invalid_algorithms(void **state)
{
    (void)state;
    static const psa_algorithm_t invalid[] = {
        0,
        PSA_ALG_ANY_HASH,
        PSA_ALG_HMAC(PSA_ALG_SHA_256),
        PSA_ALG_CMAC,
        PSA_ALG_CTR,
        PSA_ALG_GCM,
        PSA_ALG_HKDF(PSA_ALG_SHA_256),
        PSA_ALG_ECDSA(PSA_ALG_SHA_256),
    };
    static const psa_algorithm_t unsupported[] = {
        PSA_ALG_MD2,
        (psa_algorithm_t)0x020000fe,
        (psa_algorithm_t)0x02000016,
    };
    uint8_t out[64];
    size_t length = 99;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        assert_int_equal(psa_hash_compute(invalid[i], abc, 3, out, sizeof(out), &length),
                         PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(length, 0);
        assert_int_equal(psa_hash_compare(invalid[i], abc, 3, sha256_abc, 32),
                         PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(psa_hash_setup(&op, invalid[i]), PSA_ERROR_INVALID_ARGUMENT);
        assert_null(op.ctx);
    }
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        assert_int_equal(psa_hash_compute(unsupported[i], abc, 3, out, sizeof(out), &length),
                         PSA_ERROR_NOT_SUPPORTED);
        assert_int_equal(psa_hash_compare(unsupported[i], abc, 3, sha256_abc, 16),
                         PSA_ERROR_NOT_SUPPORTED);
        assert_int_equal(psa_hash_setup(&op, unsupported[i]), PSA_ERROR_NOT_SUPPORTED);
        assert_null(op.ctx);
    }
    /* A failed setup leaves the operation inactive and reusable. */
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 32), PSA_SUCCESS);
}

static void test_compare_mismatch(void **state)
{
    (void)state;
    uint8_t wrong[33];
    memcpy(wrong, sha256_abc, 32);
    wrong[32] = 0;
    assert_int_equal(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, sha256_abc, 32), PSA_SUCCESS);
    wrong[31] ^= 0x01;
    assert_int_equal(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, wrong, 32),
                     PSA_ERROR_INVALID_SIGNATURE);
    wrong[31] ^= 0x01;
    wrong[0] ^= 0x80;
    assert_int_equal(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, wrong, 32),
                     PSA_ERROR_INVALID_SIGNATURE);
    wrong[0] ^= 0x80;
    /* A correct prefix, or the digest with a byte appended, is still a mismatch. */
    assert_int_equal(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, wrong, 31),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, wrong, 33),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_hash_compare(PSA_ALG_SHA_256, abc, 3, wrong, 0),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_hash_compare(PSA_ALG_SHA_256, abc, 2, sha256_abc, 32),
                     PSA_ERROR_INVALID_SIGNATURE);
}

static void test_multipart_every_alg(void **state)
{
    (void)state;
    for (size_t i = 0; i < HASH_CASE_COUNT; i++) {
        uint8_t expected[64];
        uint8_t out[64];
        size_t expected_length = unhex(hash_cases[i].abc_hex, expected);
        size_t length = 0;
        psa_hash_operation_t op = psa_hash_operation_init();
        assert_int_equal(psa_hash_setup(&op, hash_cases[i].alg), PSA_SUCCESS);
        assert_int_equal(psa_hash_update(&op, abc, 1), PSA_SUCCESS);
        assert_int_equal(psa_hash_update(&op, NULL, 0), PSA_SUCCESS);
        assert_int_equal(psa_hash_update(&op, abc + 1, 2), PSA_SUCCESS);
        assert_int_equal(psa_hash_finish(&op, out, sizeof(out), &length), PSA_SUCCESS);
        assert_int_equal(length, expected_length);
        assert_memory_equal(out, expected, expected_length);
        assert_null(op.ctx);

        assert_int_equal(psa_hash_setup(&op, hash_cases[i].alg), PSA_SUCCESS);
        assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
        assert_int_equal(psa_hash_verify(&op, expected, expected_length), PSA_SUCCESS);
        assert_null(op.ctx);
    }
}

static void test_state_machine(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t length = 99;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;

    /* Inactive operation. */
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_finish(&op, out, sizeof(out), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(length, 0);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 32), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);

    /* Setup on an active operation is refused and the running hash is unaffected. */
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 1), PSA_SUCCESS);
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_1), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_update(&op, abc + 1, 2), PSA_SUCCESS);
    assert_int_equal(psa_hash_finish(&op, out, sizeof(out), &length), PSA_SUCCESS);
    assert_memory_equal(out, sha256_abc, 32);

    /* Finished operations are inactive. */
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_finish(&op, out, sizeof(out), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 32), PSA_ERROR_BAD_STATE);

    /* Abort in the middle, then reuse for another algorithm. */
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_512), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    assert_null(op.ctx);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    assert_int_equal(psa_hash_finish(&op, out, 32, &length), PSA_SUCCESS);
    assert_int_equal(length, 32);
    assert_memory_equal(out, sha256_abc, 32);
}

/* A finish with a short buffer puts the operation in the error state: only abort helps. */
static void test_finish_buffer_too_small(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t length = 99;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    psa_hash_operation_t clone = PSA_HASH_OPERATION_INIT;
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    memset(out, 0xa5, sizeof(out));
    assert_int_equal(psa_hash_finish(&op, out, 31, &length), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(length, 0);
    assert_int_equal(out[0], 0xa5);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_finish(&op, out, sizeof(out), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 32), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_clone(&op, &clone), PSA_ERROR_BAD_STATE);
    assert_null(clone.ctx);
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    assert_int_equal(psa_hash_finish(&op, out, 32, &length), PSA_SUCCESS);
    assert_memory_equal(out, sha256_abc, 32);
}

static void test_verify_mismatch(void **state)
{
    (void)state;
    uint8_t wrong[32];
    memcpy(wrong, sha256_abc, 32);
    wrong[7] ^= 0x10;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;

    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    assert_int_equal(psa_hash_verify(&op, wrong, 32), PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 32), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);

    /* Length mismatch: a correct prefix does not verify. */
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 16), PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);

    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 32), PSA_SUCCESS);
    assert_null(op.ctx);
}

static void test_clone(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t length = 0;
    psa_hash_operation_t source = PSA_HASH_OPERATION_INIT;
    psa_hash_operation_t target = PSA_HASH_OPERATION_INIT;
    psa_hash_operation_t busy = PSA_HASH_OPERATION_INIT;

    /* Inactive source. */
    assert_int_equal(psa_hash_clone(&source, &target), PSA_ERROR_BAD_STATE);
    assert_null(target.ctx);

    assert_int_equal(psa_hash_setup(&source, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&source, abc, 1), PSA_SUCCESS);

    /* Active target. */
    assert_int_equal(psa_hash_setup(&busy, PSA_ALG_SHA_1), PSA_SUCCESS);
    assert_int_equal(psa_hash_clone(&source, &busy), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_update(&busy, abc, 3), PSA_SUCCESS);
    assert_int_equal(psa_hash_finish(&busy, out, sizeof(out), &length), PSA_SUCCESS);
    assert_int_equal(length, 20);
    assert_memory_equal(out,
                        "\xa9\x99\x3e\x36\x47\x06\x81\x6a\xba\x3e\x25\x71\x78\x50\xc2\x6c"
                        "\x9c\xd0\xd8\x9d",
                        20);

    assert_int_equal(psa_hash_clone(&source, &target), PSA_SUCCESS);
    /* The two continue independently. */
    assert_int_equal(psa_hash_update(&source, abc + 1, 2), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&target, abc + 1, 1), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&target, abc + 2, 1), PSA_SUCCESS);
    assert_int_equal(psa_hash_finish(&source, out, sizeof(out), &length), PSA_SUCCESS);
    assert_memory_equal(out, sha256_abc, 32);
    assert_int_equal(psa_hash_verify(&target, sha256_abc, 32), PSA_SUCCESS);

    /* A clone of a clone, then abort the source: the clone is unaffected. */
    assert_int_equal(psa_hash_setup(&source, PSA_ALG_SHAKE256_512), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&source, abc, 2), PSA_SUCCESS);
    assert_int_equal(psa_hash_clone(&source, &target), PSA_SUCCESS);
    assert_int_equal(psa_hash_abort(&source), PSA_SUCCESS);
    assert_int_equal(psa_hash_clone(&source, &busy), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_update(&target, abc + 2, 1), PSA_SUCCESS);
    assert_int_equal(psa_hash_finish(&target, out, sizeof(out), &length), PSA_SUCCESS);
    assert_int_equal(length, 64);
    uint8_t expected[64];
    unhex(hash_cases[HASH_CASE_COUNT - 1].abc_hex, expected);
    assert_memory_equal(out, expected, 64);
}

/* ---- suspend and resume ------------------------------------------------------------------- */

/* The algorithms with a suspend state in PSA Crypto API 1.2 that are built (not MD2). */
static const psa_algorithm_t suspend_algs[] = {
    PSA_ALG_MD4,     PSA_ALG_MD5,     PSA_ALG_RIPEMD160, PSA_ALG_SHA_1,       PSA_ALG_SHA_224,
    PSA_ALG_SHA_256, PSA_ALG_SHA_384, PSA_ALG_SHA_512,   PSA_ALG_SHA_512_224, PSA_ALG_SHA_512_256,
};

#define SUSPEND_ALG_COUNT (sizeof(suspend_algs) / sizeof(suspend_algs[0]))

/* Size of a suspend state after `n` input bytes, from the specification's field sizes. */
static size_t suspend_size(psa_algorithm_t alg, size_t n)
{
    return PSA_HASH_SUSPEND_ALGORITHM_FIELD_LENGTH +
           PSA_HASH_SUSPEND_INPUT_LENGTH_FIELD_LENGTH(alg) +
           PSA_HASH_SUSPEND_HASH_STATE_FIELD_LENGTH(alg) + n % PSA_HASH_BLOCK_LENGTH(alg);
}

/* Hashes msg[0..split) into a new operation, suspends it, and returns the state. */
static size_t suspend_after(psa_algorithm_t alg, const uint8_t *msg, size_t split, uint8_t *state)
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    size_t state_length = 0;
    assert_int_equal(psa_hash_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, msg, split), PSA_SUCCESS);
    assert_int_equal(psa_hash_suspend(&op, state, PSA_HASH_SUSPEND_OUTPUT_SIZE(alg), &state_length),
                     PSA_SUCCESS);
    assert_int_equal(state_length, suspend_size(alg, split));
    /* A successful suspend ends the operation. */
    assert_int_equal(psa_hash_update(&op, msg, 1), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    return state_length;
}

static void test_suspend_resume_every_length(void **state)
{
    (void)state;
    uint8_t msg[300];
    for (size_t i = 0; i < sizeof(msg); i++) {
        msg[i] = (uint8_t)(i * 7 + 1);
    }
    for (size_t a = 0; a < SUSPEND_ALG_COUNT; a++) {
        psa_algorithm_t alg = suspend_algs[a];
        assert_true(PSA_HASH_SUSPEND_OUTPUT_SIZE(alg) <= PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE);
        for (size_t length = 0; length <= sizeof(msg); length++) {
            uint8_t expected[PSA_HASH_MAX_SIZE], out[PSA_HASH_MAX_SIZE];
            uint8_t suspended[PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE];
            uint8_t again[PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE];
            size_t expected_length = 0, out_length = 0, again_length = 0;
            assert_int_equal(
                psa_hash_compute(alg, msg, length, expected, sizeof(expected), &expected_length),
                PSA_SUCCESS);

            /* Suspended after every byte of the message, finished right after resuming. */
            size_t state_length = suspend_after(alg, msg, length, suspended);
            psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
            assert_int_equal(psa_hash_resume(&op, suspended, state_length), PSA_SUCCESS);
            assert_int_equal(psa_hash_finish(&op, out, sizeof(out), &out_length), PSA_SUCCESS);
            assert_int_equal(out_length, expected_length);
            assert_memory_equal(out, expected, expected_length);

            /* Suspended halfway; the resumed operation suspends to the same bytes, then takes
             * the rest of the message. */
            size_t half = length / 2;
            state_length = suspend_after(alg, msg, half, suspended);
            assert_int_equal(psa_hash_resume(&op, suspended, state_length), PSA_SUCCESS);
            assert_int_equal(psa_hash_suspend(&op, again, sizeof(again), &again_length),
                             PSA_SUCCESS);
            assert_int_equal(again_length, state_length);
            assert_memory_equal(again, suspended, state_length);
            assert_int_equal(psa_hash_resume(&op, again, again_length), PSA_SUCCESS);
            assert_int_equal(psa_hash_update(&op, msg + half, length - half), PSA_SUCCESS);
            assert_int_equal(psa_hash_verify(&op, expected, expected_length), PSA_SUCCESS);
        }
    }
}

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[n - 1 - i] = (uint8_t)(v >> (8 * i));
    }
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* Expected state after "abc": algorithm || input length 3 || initial chaining value || "abc",
 * every field as the specification's hash suspend state format describes it. */
static size_t expected_abc_state(psa_algorithm_t alg, const uint64_t *iv, size_t words,
                                 size_t word_size, bool little_endian, uint8_t *out)
{
    size_t length_field = PSA_HASH_SUSPEND_INPUT_LENGTH_FIELD_LENGTH(alg);
    uint8_t *p = out;
    put_be(p, alg, 4);
    p += 4;
    memset(p, 0, length_field);
    put_be(p + length_field - 8, 3, 8);
    p += length_field;
    for (size_t i = 0; i < words; i++) {
        if (little_endian) {
            put_le(p, iv[i], word_size);
        } else {
            put_be(p, iv[i], word_size);
        }
        p += word_size;
    }
    memcpy(p, abc, 3);
    return (size_t)(p + 3 - out);
}

static void test_suspend_format(void **state)
{
    (void)state;
    /* Initial hash values: RFC 1321 3.3 (MD5), FIPS 180-4 5.3 (SHA-1 and SHA-2), and RIPEMD-160
     * which starts from the SHA-1 values. */
    static const uint64_t md5_iv[] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    static const uint64_t sha1_iv[] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    static const uint64_t sha224_iv[] = {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
                                         0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4};
    static const uint64_t sha256_iv[] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    static const uint64_t sha384_iv[] = {0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17,
                                         0x152fecd8f70e5939, 0x67332667ffc00b31, 0x8eb44a8768581511,
                                         0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
    static const uint64_t sha512_iv[] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                                         0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                         0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
    static const uint64_t sha512_224_iv[] = {
        0x8c3d37c819544da2, 0x73e1996689dcd4d6, 0x1dfab7ae32ff9c82, 0x679dd514582f9fcf,
        0x0f6d2b697bd44da8, 0x77e36f7304c48942, 0x3f9d85a86a1d36c8, 0x1112e6ad91d692a1};
    static const uint64_t sha512_256_iv[] = {
        0x22312194fc2bf72c, 0x9f555fa3c84c64c2, 0x2393b86b6f53b151, 0x963877195940eabd,
        0x96283ee2a88effe3, 0xbe5e1e2553863992, 0x2b0199fc2c85b8aa, 0x0eb72ddc81c52ca2};
    static const struct {
        psa_algorithm_t alg;
        const uint64_t *iv;
        size_t words, word_size;
        bool little_endian;
    } cases[] = {
        {PSA_ALG_MD5, md5_iv, 4, 4, true},
        {PSA_ALG_RIPEMD160, sha1_iv, 5, 4, true},
        {PSA_ALG_SHA_1, sha1_iv, 5, 4, false},
        {PSA_ALG_SHA_224, sha224_iv, 8, 4, false},
        {PSA_ALG_SHA_256, sha256_iv, 8, 4, false},
        {PSA_ALG_SHA_384, sha384_iv, 8, 8, false},
        {PSA_ALG_SHA_512, sha512_iv, 8, 8, false},
        {PSA_ALG_SHA_512_224, sha512_224_iv, 8, 8, false},
        {PSA_ALG_SHA_512_256, sha512_256_iv, 8, 8, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t expected[PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE];
        uint8_t actual[PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE];
        size_t expected_length =
            expected_abc_state(cases[i].alg, cases[i].iv, cases[i].words, cases[i].word_size,
                               cases[i].little_endian, expected);
        size_t actual_length = suspend_after(cases[i].alg, abc, 3, actual);
        assert_int_equal(actual_length, expected_length);
        assert_memory_equal(actual, expected, expected_length);
    }

    /* SHA-256 of "abc", spelled out: 4 + 8 + 32 + 3 bytes. */
    static const uint8_t sha256_abc_state[47] = {
        0x02, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
        0x6a, 0x09, 0xe6, 0x67, 0xbb, 0x67, 0xae, 0x85, 0x3c, 0x6e, 0xf3, 0x72,
        0xa5, 0x4f, 0xf5, 0x3a, 0x51, 0x0e, 0x52, 0x7f, 0x9b, 0x05, 0x68, 0x8c,
        0x1f, 0x83, 0xd9, 0xab, 0x5b, 0xe0, 0xcd, 0x19, 'a',  'b',  'c'};
    uint8_t actual[PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE];
    assert_int_equal(suspend_after(PSA_ALG_SHA_256, abc, 3, actual), sizeof(sha256_abc_state));
    assert_memory_equal(actual, sha256_abc_state, sizeof(sha256_abc_state));

    /* A state written by hand resumes: "ab" pending on the SHA-256 initial value. */
    uint8_t ab_state[46];
    memcpy(ab_state, sha256_abc_state, 46);
    ab_state[11] = 2;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    assert_int_equal(psa_hash_resume(&op, ab_state, sizeof(ab_state)), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc + 2, 1), PSA_SUCCESS);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 32), PSA_SUCCESS);

    /* After a whole block nothing is pending: the state is the fixed fields only. */
    uint8_t block[64] = {0};
    assert_int_equal(suspend_after(PSA_ALG_SHA_256, block, 64, actual), 4 + 8 + 32);
    assert_memory_equal(actual, "\x02\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x40", 12);
    assert_int_equal(suspend_after(PSA_ALG_SHA_512, block, 64, actual), 4 + 16 + 64 + 64);
    assert_memory_equal(actual + 4,
                        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40", 16);
}

static void test_suspend_errors(void **state)
{
    (void)state;
    uint8_t buf[PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE];
    uint8_t out[64];
    size_t length = 99;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    psa_hash_operation_t other = PSA_HASH_OPERATION_INIT;

    /* Inactive. */
    assert_int_equal(psa_hash_suspend(&op, buf, sizeof(buf), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(length, 0);

    /* No suspend state for SHA3, SM3, SHAKE: NOT_SUPPORTED, and the operation must be aborted. */
    static const psa_algorithm_t no_state[] = {PSA_ALG_SHA3_224, PSA_ALG_SHA3_256,
                                               PSA_ALG_SHA3_384, PSA_ALG_SHA3_512,
                                               PSA_ALG_SM3,      PSA_ALG_SHAKE256_512};
    for (size_t i = 0; i < sizeof(no_state) / sizeof(no_state[0]); i++) {
        assert_int_equal(PSA_HASH_SUSPEND_OUTPUT_SIZE(no_state[i]), 0);
        assert_int_equal(psa_hash_setup(&op, no_state[i]), PSA_SUCCESS);
        assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
        length = 99;
        assert_int_equal(psa_hash_suspend(&op, buf, sizeof(buf), &length), PSA_ERROR_NOT_SUPPORTED);
        assert_int_equal(length, 0);
        assert_int_equal(psa_hash_update(&op, abc, 3), PSA_ERROR_BAD_STATE);
        assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    }

    /* Buffer one byte short of the 47 bytes SHA-256 needs after "abc": BUFFER_TOO_SMALL, nothing
     * written, and the operation is in the error state. The exact size works. */
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    memset(buf, 0xa5, sizeof(buf));
    length = 99;
    assert_int_equal(psa_hash_suspend(&op, buf, 46, &length), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(length, 0);
    assert_int_equal(buf[0], 0xa5);
    assert_int_equal(psa_hash_finish(&op, out, sizeof(out), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 3), PSA_SUCCESS);
    assert_int_equal(psa_hash_suspend(&op, buf, 47, &length), PSA_SUCCESS);
    assert_int_equal(length, 47);
    uint8_t good[47];
    memcpy(good, buf, 47);

    /* Resume into an active operation: BAD_STATE, and that operation carries on unharmed. */
    assert_int_equal(psa_hash_setup(&other, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&other, abc, 1), PSA_SUCCESS);
    assert_int_equal(psa_hash_resume(&other, good, sizeof(good)), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_update(&other, abc + 1, 2), PSA_SUCCESS);
    assert_int_equal(psa_hash_verify(&other, sha256_abc, 32), PSA_SUCCESS);

    /* Malformed states: INVALID_ARGUMENT, and the operation stays inactive. */
    uint8_t bad[PSA_HASH_SUSPEND_OUTPUT_MAX_SIZE + 1];
    assert_int_equal(psa_hash_resume(&op, good, 0), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_hash_resume(&op, good, 3), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_hash_resume(&op, good, 4), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_hash_resume(&op, good, 4 + 8 + 32), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_hash_resume(&op, good, 46), PSA_ERROR_INVALID_ARGUMENT); /* "ab" only */
    memcpy(bad, good, 47);
    bad[47] = 'd';
    assert_int_equal(psa_hash_resume(&op, bad, 48), PSA_ERROR_INVALID_ARGUMENT); /* extra byte */
    bad[11] = 64 + 3; /* 67 bytes hashed, one block processed, 3 pending: well-formed */
    assert_int_equal(psa_hash_resume(&op, bad, 47), PSA_SUCCESS);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    bad[11] = 4; /* says 4 bytes pending, carries 3 */
    assert_int_equal(psa_hash_resume(&op, bad, 47), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_hash_update(&op, abc, 1), PSA_ERROR_BAD_STATE);

    /* Algorithm field: not a hash, or a hash value the specification does not define:
     * INVALID_ARGUMENT; a defined hash without a suspend state here: NOT_SUPPORTED. */
    static const psa_algorithm_t invalid[] = {0,
                                              PSA_ALG_ANY_HASH,
                                              PSA_ALG_HMAC(PSA_ALG_SHA_256),
                                              PSA_ALG_CMAC,
                                              (psa_algorithm_t)0x020000fe,
                                              (psa_algorithm_t)0x03000009};
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        memcpy(bad, good, 47);
        put_be(bad, invalid[i], 4);
        assert_int_equal(psa_hash_resume(&op, bad, 47), PSA_ERROR_INVALID_ARGUMENT);
    }
    static const psa_algorithm_t unsupported[] = {
        PSA_ALG_MD2, PSA_ALG_AES_MMO_ZIGBEE, PSA_ALG_SHA3_256, PSA_ALG_SM3, PSA_ALG_SHAKE256_512};
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        memcpy(bad, good, 47);
        put_be(bad, unsupported[i], 4);
        assert_int_equal(psa_hash_resume(&op, bad, 47), PSA_ERROR_NOT_SUPPORTED);
    }
    /* A state of one algorithm relabelled as another of different field sizes is malformed. */
    memcpy(bad, good, 47);
    put_be(bad, PSA_ALG_SHA_512, 4);
    assert_int_equal(psa_hash_resume(&op, bad, 47), PSA_ERROR_INVALID_ARGUMENT);
    put_be(bad, PSA_ALG_SHA_1, 4);
    assert_int_equal(psa_hash_resume(&op, bad, 47), PSA_ERROR_INVALID_ARGUMENT);

    /* Input length at the algorithm's limit: 2^61 - 1 bytes (2^64 - 8 bits) is resumable and
     * finishes; one byte more is INVALID_ARGUMENT; 2^61 itself is not a valid state. */
    uint8_t limit[4 + 8 + 32 + 63];
    memcpy(limit, good, 12 + 32);
    put_be(limit + 4, ((uint64_t)1 << 61) - 1, 8);
    memset(limit + 44, 'x', 63);
    assert_int_equal(psa_hash_resume(&op, limit, sizeof(limit)), PSA_SUCCESS);
    assert_int_equal(psa_hash_clone(&op, &other), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 1), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_hash_finish(&op, out, sizeof(out), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&other, abc, 0), PSA_SUCCESS);
    assert_int_equal(psa_hash_finish(&other, out, sizeof(out), &length), PSA_SUCCESS);
    assert_int_equal(length, 32);
    put_be(limit + 4, (uint64_t)1 << 61, 8);
    assert_int_equal(psa_hash_resume(&op, limit, 4 + 8 + 32), PSA_ERROR_INVALID_ARGUMENT);
    put_be(limit + 4, UINT64_MAX, 8);
    assert_int_equal(psa_hash_resume(&op, limit, sizeof(limit)), PSA_ERROR_INVALID_ARGUMENT);

    /* SHA-512's 128-bit input length: up to 2^125 - 1 bytes. */
    uint8_t big[4 + 16 + 64 + 127];
    memset(big, 0, sizeof(big));
    put_be(big, PSA_ALG_SHA_512, 4);
    put_be(big + 4, ((uint64_t)1 << 61) - 1, 8);
    put_be(big + 12, UINT64_MAX, 8);
    assert_int_equal(psa_hash_resume(&op, big, sizeof(big)), PSA_SUCCESS);
    assert_int_equal(psa_hash_update(&op, abc, 1), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    put_be(big + 4, (uint64_t)1 << 61, 8);
    assert_int_equal(psa_hash_resume(&op, big, sizeof(big)), PSA_ERROR_INVALID_ARGUMENT);

    /* After all that, a good state still resumes into the same object. */
    assert_int_equal(psa_hash_resume(&op, good, sizeof(good)), PSA_SUCCESS);
    assert_int_equal(psa_hash_verify(&op, sha256_abc, 32), PSA_SUCCESS);
}

static void *hash_thread(void *arg)
{
    const hash_case_t *c = arg;
    uint8_t expected[64];
    uint8_t out[64];
    size_t expected_length = unhex(c->abc_hex, expected);
    for (int i = 0; i < 2000; i++) {
        size_t length = 0;
        if (psa_hash_compute(c->alg, abc, 3, out, sizeof(out), &length) != PSA_SUCCESS ||
            length != expected_length || memcmp(out, expected, length) != 0) {
            return (void *)1;
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t threads[HASH_CASE_COUNT];
    for (size_t i = 0; i < HASH_CASE_COUNT; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, hash_thread, (void *)&hash_cases[i]), 0);
    }
    for (size_t i = 0; i < HASH_CASE_COUNT; i++) {
        void *result = (void *)1;
        assert_int_equal(pthread_join(threads[i], &result), 0);
        assert_null(result);
    }
}

#ifdef SS_TEST_IN_PROCESS
/* MD4 comes from the legacy provider in the core's private library context: after MD4 has been
 * used, the application's default context still has no MD4 (and no legacy provider). */
static void test_md4_default_context_clean(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t length = 0;
    assert_int_equal(psa_hash_compute(PSA_ALG_MD4, abc, 3, out, sizeof(out), &length), PSA_SUCCESS);
    EVP_MD *md4 = EVP_MD_fetch(NULL, "MD4", NULL);
    assert_null(md4);
    EVP_MD_free(md4);
}
#endif

int main(void)
{
    /* Keep libpsa-local's state (persistent keys) out of the user's directories. */
    char state_dir[] = "/tmp/test_hash.XXXXXX";
    if (mkdtemp(state_dir) == NULL) {
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    const struct CMUnitTest before_init[] = {
        cmocka_unit_test(test_not_initialised),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compute_every_alg),
        cmocka_unit_test(test_compute_empty_and_long),
        cmocka_unit_test(test_invalid_algorithms),
        cmocka_unit_test(test_compare_mismatch),
        cmocka_unit_test(test_multipart_every_alg),
        cmocka_unit_test(test_state_machine),
        cmocka_unit_test(test_finish_buffer_too_small),
        cmocka_unit_test(test_verify_mismatch),
        cmocka_unit_test(test_clone),
        cmocka_unit_test(test_suspend_resume_every_length),
        cmocka_unit_test(test_suspend_format),
        cmocka_unit_test(test_suspend_errors),
        cmocka_unit_test(test_threads),
#ifdef SS_TEST_IN_PROCESS
        cmocka_unit_test(test_md4_default_context_clean),
#endif
    };
    int failed = cmocka_run_group_tests_name("hash_before_init", before_init, NULL, NULL);
    failed += cmocka_run_group_tests_name("hash", tests, setup_init, NULL);
    char command[64];
    snprintf(command, sizeof(command), "rm -rf %s", state_dir);
    if (system(command) != 0) {
        failed++;
    }
    return failed;
}
