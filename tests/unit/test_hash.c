/* Unit tests of the PSA hash calls through libpsa-local: results, error statuses, state machine. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <psa/crypto.h>

typedef struct hash_case {
    psa_algorithm_t alg;
    const char *abc_hex; /* digest of "abc" */
} hash_case_t;

static const hash_case_t hash_cases[] = {
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
        PSA_ALG_MD4,
        PSA_ALG_AES_MMO_ZIGBEE,
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

static void test_suspend_resume_unsupported(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t length = 99;
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    assert_int_equal(psa_hash_suspend(&op, buf, sizeof(buf), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_setup(&op, PSA_ALG_SHA_256), PSA_SUCCESS);
    assert_int_equal(psa_hash_resume(&op, buf, 64), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_hash_suspend(&op, buf, sizeof(buf), &length), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(length, 0);
    assert_int_equal(psa_hash_abort(&op), PSA_SUCCESS);
    memset(buf, 0, sizeof(buf));
    assert_int_equal(psa_hash_resume(&op, buf, 64), PSA_ERROR_NOT_SUPPORTED);
    assert_null(op.ctx);
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
        cmocka_unit_test(test_suspend_resume_unsupported),
        cmocka_unit_test(test_threads),
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
