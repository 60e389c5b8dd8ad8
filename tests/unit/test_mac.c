/* Unit tests of the PSA MAC calls through libpsa-local: results, policy, statuses, states. */
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

#define SIGN_VERIFY (PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE)

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

/* RFC 4231 test case 1 key and message. */
static const uint8_t hmac_key[20] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
                                     0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
static const uint8_t hi_there[8] = {'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e'};
static const uint8_t hmac_sha256_hi_there[32] = {
    0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c, 0xa8, 0xaf, 0xce, 0xaf, 0x0b, 0xf1, 0x2b,
    0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83, 0x3d, 0xa7, 0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7};

/* RFC 4493 / SP 800-38B AES-128 key. */
static const uint8_t aes_key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
static const char *sp800_38a_blocks =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

typedef struct hmac_case {
    psa_algorithm_t hash;
    const char *mac_hex; /* HMAC of "Hi There" under hmac_key */
} hmac_case_t;

static const hmac_case_t hmac_cases[] = {
    {PSA_ALG_MD5, "5ccec34ea9656392457fa1ac27f08fbc"},
    {PSA_ALG_RIPEMD160, "24cb4bd67d20fc1a5d2ed7732dcc39377f0a5668"},
    {PSA_ALG_SHA_1, "b617318655057264e28bc0b6fb378c8ef146be00"},
    {PSA_ALG_SHA_224, "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22"},
    {PSA_ALG_SHA_256, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {PSA_ALG_SHA_384, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea90"
                      "76ede7f4af152e8b2fa9cb6"},
    {PSA_ALG_SHA_512, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d"
                      "6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    {PSA_ALG_SHA_512_224, "b244ba01307c0e7a8ccaad13b1067a4cf6b961fe0c6a20bda3d92039"},
    {PSA_ALG_SHA_512_256, "9f9126c3d9c3c330d760425ca8a217e31feae31bfe70196ff81642b868402eab"},
    {PSA_ALG_SHA3_224, "3b16546bbc7be2706a031dcafd56373d9884367641d8c59af3c860f7"},
    {PSA_ALG_SHA3_256, "ba85192310dffa96e2a3a40e69774351140bb7185e1202cdcc917589f95e16bb"},
    {PSA_ALG_SHA3_384, "68d2dcf7fd4ddd0a2240c8a437305f61fb7334cfb5d0226e1bc27dc10a2e723a20d370b47"
                       "743130e26ac7e3d532886bd"},
    {PSA_ALG_SHA3_512, "eb3fbd4b2eaab8f5c504bd3a41465aacec15770a7cabac531e482f860b5ec7ba47ccb2c6f"
                       "2afce8f88d22b6dc61380f23a668fd3888bb80537c0a0b86407689e"},
    {PSA_ALG_SM3, "51b00d1fb49832bfb01c3ce27848e59f871d9ba938dc563b338ca964755cce70"},
};

#define HMAC_CASE_COUNT (sizeof(hmac_cases) / sizeof(hmac_cases[0]))

static psa_key_id_t import_key(psa_key_type_t type, psa_key_usage_t usage, psa_algorithm_t alg,
                               const uint8_t *data, size_t length)
{
    psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t id = 0;
    psa_set_key_type(&attributes, type);
    psa_set_key_usage_flags(&attributes, usage);
    psa_set_key_algorithm(&attributes, alg);
    assert_int_equal(psa_import_key(&attributes, data, length, &id), PSA_SUCCESS);
    assert_int_not_equal(id, 0);
    return id;
}

static psa_key_id_t import_hmac(psa_key_usage_t usage, psa_algorithm_t alg)
{
    return import_key(PSA_KEY_TYPE_HMAC, usage, alg, hmac_key, sizeof(hmac_key));
}

/* The key still produces the reference HMAC-SHA-256 of "Hi There". */
static void assert_hmac_sha256_works(psa_key_id_t key)
{
    uint8_t mac[32];
    size_t length = 0;
    assert_int_equal(psa_mac_compute(key, PSA_ALG_HMAC(PSA_ALG_SHA_256), hi_there, sizeof(hi_there),
                                     mac, sizeof(mac), &length),
                     PSA_SUCCESS);
    assert_int_equal(length, 32);
    assert_memory_equal(mac, hmac_sha256_hi_there, 32);
}

static void test_not_initialised(void **state)
{
    (void)state;
    uint8_t mac[64];
    size_t length = 99;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    const psa_algorithm_t alg = PSA_ALG_HMAC(PSA_ALG_SHA_256);
    assert_int_equal(psa_mac_compute(1, alg, hi_there, 8, mac, sizeof(mac), &length),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(length, 0);
    assert_int_equal(psa_mac_verify(1, alg, hi_there, 8, hmac_sha256_hi_there, 32),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_sign_setup(&op, 1, alg), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_verify_setup(&op, 1, alg), PSA_ERROR_BAD_STATE);
    assert_null(op.ctx);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_ERROR_BAD_STATE);
    length = 99;
    assert_int_equal(psa_mac_sign_finish(&op, mac, sizeof(mac), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(length, 0);
    assert_int_equal(psa_mac_verify_finish(&op, mac, 32), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_abort(&op), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
}

static int setup_init(void **state)
{
    (void)state;
    return psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
}

static void test_hmac_every_hash(void **state)
{
    (void)state;
    for (size_t i = 0; i < HMAC_CASE_COUNT; i++) {
        const psa_algorithm_t alg = PSA_ALG_HMAC(hmac_cases[i].hash);
        psa_key_id_t key = import_hmac(SIGN_VERIFY, alg);
        uint8_t expected[64];
        uint8_t mac[80];
        size_t expected_length = unhex(hmac_cases[i].mac_hex, expected);
        size_t length = 0;
        assert_int_equal(expected_length, PSA_MAC_LENGTH(PSA_KEY_TYPE_HMAC, 160, alg));
        /* Twice: the second run goes through the context parked on the key. */
        for (int round = 0; round < 2; round++) {
            memset(mac, 0xa5, sizeof(mac));
            assert_int_equal(
                psa_mac_compute(key, alg, hi_there, sizeof(hi_there), mac, sizeof(mac), &length),
                PSA_SUCCESS);
            assert_int_equal(length, expected_length);
            assert_memory_equal(mac, expected, expected_length);
            assert_int_equal(mac[expected_length], 0xa5);
            assert_int_equal(
                psa_mac_verify(key, alg, hi_there, sizeof(hi_there), expected, expected_length),
                PSA_SUCCESS);
        }
        /* Multi-part, in pieces. */
        psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
        assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_SUCCESS);
        assert_int_equal(psa_mac_update(&op, hi_there, 3), PSA_SUCCESS);
        assert_int_equal(psa_mac_update(&op, NULL, 0), PSA_SUCCESS);
        assert_int_equal(psa_mac_update(&op, hi_there + 3, 5), PSA_SUCCESS);
        assert_int_equal(psa_mac_sign_finish(&op, mac, expected_length, &length), PSA_SUCCESS);
        assert_int_equal(length, expected_length);
        assert_memory_equal(mac, expected, expected_length);
        assert_null(op.ctx);
        assert_int_equal(psa_mac_verify_setup(&op, key, alg), PSA_SUCCESS);
        assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_SUCCESS);
        assert_int_equal(psa_mac_verify_finish(&op, expected, expected_length), PSA_SUCCESS);
        assert_null(op.ctx);
        assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
    }
}

/* RFC 4231 test case 5 and 6: truncation and a key longer than the hash block. */
static void test_hmac_truncated_and_long_key(void **state)
{
    (void)state;
    uint8_t key_data[131];
    uint8_t data[64];
    uint8_t mac[64];
    uint8_t expected[64];
    size_t length = 0;
    const psa_algorithm_t trunc = PSA_ALG_TRUNCATED_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 16);

    memset(key_data, 0x0c, 20);
    psa_key_id_t key = import_key(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, trunc, key_data, 20);
    assert_int_equal(
        psa_mac_compute(key, trunc, (const uint8_t *)"Test With Truncation", 20, mac, 16, &length),
        PSA_SUCCESS);
    assert_int_equal(length, 16);
    unhex("a3b6167473100ee06e0c796c2955552b", expected);
    assert_memory_equal(mac, expected, 16);
    assert_int_equal(
        psa_mac_compute(key, trunc, (const uint8_t *)"Test With Truncation", 20, mac, 15, &length),
        PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(length, 0);
    assert_int_equal(
        psa_mac_verify(key, trunc, (const uint8_t *)"Test With Truncation", 20, expected, 16),
        PSA_SUCCESS);
    /* The full-length MAC is not the truncated one, for length and for policy. */
    assert_int_equal(
        psa_mac_verify(key, trunc, (const uint8_t *)"Test With Truncation", 20, expected, 32),
        PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_mac_compute(key, PSA_ALG_HMAC(PSA_ALG_SHA_256),
                                     (const uint8_t *)"Test With Truncation", 20, mac, sizeof(mac),
                                     &length),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    memset(key_data, 0xaa, sizeof(key_data));
    key = import_key(PSA_KEY_TYPE_HMAC, SIGN_VERIFY, PSA_ALG_HMAC(PSA_ALG_SHA_256), key_data,
                     sizeof(key_data));
    static const char msg[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    memcpy(data, msg, sizeof(msg) - 1);
    assert_int_equal(psa_mac_compute(key, PSA_ALG_HMAC(PSA_ALG_SHA_256), data, sizeof(msg) - 1, mac,
                                     sizeof(mac), &length),
                     PSA_SUCCESS);
    unhex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", expected);
    assert_int_equal(length, 32);
    assert_memory_equal(mac, expected, 32);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

static void test_cmac(void **state)
{
    (void)state;
    static const struct {
        size_t length;
        const char *mac_hex;
    } cases[] = {
        {0, "bb1d6929e95937287fa37d129b756746"},
        {16, "070a16b46b4d4144f79bdd9dd04a287c"},
        {40, "dfa66747de9ae63030ca32611497c827"},
        {64, "51f0bebf7e3b9d92fc49741779363cfe"},
    };
    uint8_t msg[64];
    uint8_t mac[32];
    uint8_t expected[16];
    size_t length = 0;
    unhex(sp800_38a_blocks, msg);
    psa_key_id_t key = import_key(PSA_KEY_TYPE_AES, SIGN_VERIFY, PSA_ALG_CMAC, aes_key, 16);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unhex(cases[i].mac_hex, expected);
        assert_int_equal(
            psa_mac_compute(key, PSA_ALG_CMAC, msg, cases[i].length, mac, sizeof(mac), &length),
            PSA_SUCCESS);
        assert_int_equal(length, 16);
        assert_memory_equal(mac, expected, 16);
        assert_int_equal(psa_mac_verify(key, PSA_ALG_CMAC, msg, cases[i].length, expected, 16),
                         PSA_SUCCESS);

        psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
        assert_int_equal(psa_mac_sign_setup(&op, key, PSA_ALG_CMAC), PSA_SUCCESS);
        for (size_t done = 0; done < cases[i].length; done += 7) {
            size_t n = cases[i].length - done < 7 ? cases[i].length - done : 7;
            assert_int_equal(psa_mac_update(&op, msg + done, n), PSA_SUCCESS);
        }
        assert_int_equal(psa_mac_sign_finish(&op, mac, 16, &length), PSA_SUCCESS);
        assert_memory_equal(mac, expected, 16);
    }
    assert_int_equal(psa_mac_compute(key, PSA_ALG_CMAC, msg, 0, mac, 15, &length),
                     PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* Other block ciphers, reference values from OpenSSL's command line. */
    static const struct {
        psa_key_type_t type;
        const char *key_hex;
        const char *mac_hex;
    } ciphers[] = {
        {PSA_KEY_TYPE_ARIA, "2b7e151628aed2a6abf7158809cf4f3c", "acd10aed3a3b4d9b7516802f24826092"},
        {PSA_KEY_TYPE_CAMELLIA, "2b7e151628aed2a6abf7158809cf4f3c",
         "9752d313155959b0c5da6bbe5c51c607"},
        {PSA_KEY_TYPE_SM4, "2b7e151628aed2a6abf7158809cf4f3c", "cb9932f84c3a078d301f531907079dc9"},
        {PSA_KEY_TYPE_AES, "2b7e151628aed2a6abf7158809cf4f3c", "9a8fff8da35b97cb4c95f0fa6ae7e077"},
        {PSA_KEY_TYPE_DES, "0123456789abcdef23456789abcdef01456789abcdef0123", "b80c1e201022e9f2"},
    };
    for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
        uint8_t key_data[32];
        size_t key_length = unhex(ciphers[i].key_hex, key_data);
        size_t mac_length = unhex(ciphers[i].mac_hex, expected);
        key = import_key(ciphers[i].type, SIGN_VERIFY, PSA_ALG_CMAC, key_data, key_length);
        assert_int_equal(psa_mac_compute(key, PSA_ALG_CMAC, hi_there, 8, mac, sizeof(mac), &length),
                         PSA_SUCCESS);
        assert_int_equal(length, mac_length);
        assert_memory_equal(mac, expected, mac_length);
        assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
    }

    /* CMAC truncated to 8 bytes is the prefix. */
    const psa_algorithm_t trunc = PSA_ALG_TRUNCATED_MAC(PSA_ALG_CMAC, 8);
    key = import_key(PSA_KEY_TYPE_AES, SIGN_VERIFY, trunc, aes_key, 16);
    unhex(cases[1].mac_hex, expected);
    assert_int_equal(psa_mac_compute(key, trunc, msg, 16, mac, 8, &length), PSA_SUCCESS);
    assert_int_equal(length, 8);
    assert_memory_equal(mac, expected, 8);
    assert_int_equal(psa_mac_verify(key, trunc, msg, 16, expected, 8), PSA_SUCCESS);
    assert_int_equal(psa_mac_verify(key, trunc, msg, 16, expected, 16),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* Single DES has no CMAC here. */
    key = import_key(PSA_KEY_TYPE_DES, SIGN_VERIFY, PSA_ALG_CMAC,
                     (const uint8_t *)"\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
    assert_int_equal(psa_mac_compute(key, PSA_ALG_CMAC, hi_there, 8, mac, sizeof(mac), &length),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

static void test_cbc_mac(void **state)
{
    (void)state;
    uint8_t msg[64];
    uint8_t mac[16];
    uint8_t expected[16];
    size_t length = 0;
    unhex(sp800_38a_blocks, msg);
    psa_key_id_t key = import_key(PSA_KEY_TYPE_AES, SIGN_VERIFY, PSA_ALG_CBC_MAC, aes_key, 16);

    /* One block: the block's encryption (SP 800-38A F.1.1). */
    unhex("3ad77bb40d7a3660a89ecaf32466ef97", expected);
    assert_int_equal(psa_mac_compute(key, PSA_ALG_CBC_MAC, msg, 16, mac, 16, &length), PSA_SUCCESS);
    assert_int_equal(length, 16);
    assert_memory_equal(mac, expected, 16);

    /* Two blocks: the last block of CBC encryption with a zero IV. */
    unhex("b148c17f309ee692287ae57cf12add49", expected);
    assert_int_equal(psa_mac_compute(key, PSA_ALG_CBC_MAC, msg, 32, mac, 16, &length), PSA_SUCCESS);
    assert_memory_equal(mac, expected, 16);
    assert_int_equal(psa_mac_verify(key, PSA_ALG_CBC_MAC, msg, 32, expected, 16), PSA_SUCCESS);
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    assert_int_equal(psa_mac_sign_setup(&op, key, PSA_ALG_CBC_MAC), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, msg, 5), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, msg + 5, 20), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, msg + 25, 7), PSA_SUCCESS);
    assert_int_equal(psa_mac_sign_finish(&op, mac, 16, &length), PSA_SUCCESS);
    assert_memory_equal(mac, expected, 16);

    /* Only whole blocks are defined; the operation then needs an abort. */
    assert_int_equal(psa_mac_compute(key, PSA_ALG_CBC_MAC, msg, 17, mac, 16, &length),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_mac_compute(key, PSA_ALG_CBC_MAC, msg, 0, mac, 16, &length),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_mac_verify(key, PSA_ALG_CBC_MAC, msg, 31, expected, 16),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_mac_sign_setup(&op, key, PSA_ALG_CBC_MAC), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, msg, 20), PSA_SUCCESS);
    assert_int_equal(psa_mac_sign_finish(&op, mac, 16, &length), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_mac_update(&op, msg, 12), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);

    /* Still fine after the errors. */
    assert_int_equal(psa_mac_compute(key, PSA_ALG_CBC_MAC, msg, 32, mac, 16, &length), PSA_SUCCESS);
    assert_memory_equal(mac, expected, 16);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* Triple DES: 8-byte blocks. */
    static const uint8_t des3[24] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                     0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01,
                                     0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23};
    key = import_key(PSA_KEY_TYPE_DES, SIGN_VERIFY, PSA_ALG_CBC_MAC, des3, sizeof(des3));
    unhex("a66687569156f45a", expected);
    assert_int_equal(psa_mac_compute(key, PSA_ALG_CBC_MAC, msg, 16, mac, 8, &length), PSA_SUCCESS);
    assert_int_equal(length, 8);
    assert_memory_equal(mac, expected, 8);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

static void test_verify_mismatch(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_HMAC(PSA_ALG_SHA_256);
    psa_key_id_t key = import_hmac(SIGN_VERIFY, alg);
    uint8_t wrong[33];
    memcpy(wrong, hmac_sha256_hi_there, 32);
    wrong[32] = 0;
    wrong[31] ^= 1;
    assert_int_equal(psa_mac_verify(key, alg, hi_there, 8, wrong, 32), PSA_ERROR_INVALID_SIGNATURE);
    wrong[31] ^= 1;
    assert_int_equal(psa_mac_verify(key, alg, hi_there, 8, wrong, 31), PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_mac_verify(key, alg, hi_there, 8, wrong, 33), PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_mac_verify(key, alg, hi_there, 8, wrong, 0), PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_mac_verify(key, alg, hi_there, 7, wrong, 32), PSA_ERROR_INVALID_SIGNATURE);

    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    wrong[0] ^= 0x80;
    assert_int_equal(psa_mac_verify_setup(&op, key, alg), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_SUCCESS);
    assert_int_equal(psa_mac_verify_finish(&op, wrong, 32), PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_verify_finish(&op, hmac_sha256_hi_there, 32), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_verify_setup(&op, key, alg), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_mac_verify_setup(&op, key, alg), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_SUCCESS);
    assert_int_equal(psa_mac_verify_finish(&op, hmac_sha256_hi_there, 31),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);
    assert_hmac_sha256_works(key);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

static void test_state_machine(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_HMAC(PSA_ALG_SHA_256);
    psa_key_id_t key = import_hmac(SIGN_VERIFY, alg);
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    uint8_t mac[64];
    size_t length = 99;

    /* Inactive. */
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_sign_finish(&op, mac, sizeof(mac), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(length, 0);
    assert_int_equal(psa_mac_verify_finish(&op, hmac_sha256_hi_there, 32), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);

    /* A second setup is refused and leaves the operation as it was. */
    assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_SUCCESS);
    assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_verify_setup(&op, key, alg), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_update(&op, hi_there, 4), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, hi_there + 4, 4), PSA_SUCCESS);
    assert_int_equal(psa_mac_sign_finish(&op, mac, sizeof(mac), &length), PSA_SUCCESS);
    assert_int_equal(length, 32);
    assert_memory_equal(mac, hmac_sha256_hi_there, 32);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_ERROR_BAD_STATE);

    /* A sign operation cannot verify-finish: psa_mac_verify_finish "If this function returns an
     * error status, the operation enters an error state and must be aborted by calling
     * psa_mac_abort()" -- BAD_STATE included. */
    assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, hi_there, 4), PSA_SUCCESS);
    assert_int_equal(psa_mac_verify_finish(&op, hmac_sha256_hi_there, 32), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_update(&op, hi_there + 4, 4), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_sign_finish(&op, mac, sizeof(mac), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);

    /* A verify operation cannot sign-finish; same error state. */
    assert_int_equal(psa_mac_verify_setup(&op, key, alg), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_SUCCESS);
    length = 99;
    assert_int_equal(psa_mac_sign_finish(&op, mac, sizeof(mac), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(length, 0);
    assert_int_equal(psa_mac_verify_finish(&op, hmac_sha256_hi_there, 32), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);
    assert_null(op.ctx);

    /* Buffer too small at finish: error state until abort. */
    assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_SUCCESS);
    memset(mac, 0xa5, sizeof(mac));
    assert_int_equal(psa_mac_sign_finish(&op, mac, 31, &length), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(length, 0);
    assert_int_equal(mac[0], 0xa5);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_sign_finish(&op, mac, sizeof(mac), &length), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);

    /* Abort in the middle and start over. */
    assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, hi_there, 3), PSA_SUCCESS);
    assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);
    assert_null(op.ctx);
    assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_SUCCESS);
    assert_int_equal(psa_mac_sign_finish(&op, mac, 32, &length), PSA_SUCCESS);
    assert_memory_equal(mac, hmac_sha256_hi_there, 32);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

/* Runs every entry point that names a key against one key and algorithm, expecting `status`
 * (a failed setup leaves the operation inactive). */
static void assert_all_refuse(psa_key_id_t key, psa_algorithm_t alg, psa_status_t status)
{
    uint8_t mac[64];
    size_t length = 99;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    assert_int_equal(psa_mac_compute(key, alg, hi_there, 8, mac, sizeof(mac), &length), status);
    assert_int_equal(length, 0);
    assert_int_equal(psa_mac_verify(key, alg, hi_there, 8, hmac_sha256_hi_there, 32), status);
    assert_int_equal(psa_mac_sign_setup(&op, key, alg), status);
    assert_null(op.ctx);
    assert_int_equal(psa_mac_verify_setup(&op, key, alg), status);
    assert_null(op.ctx);
}

static void test_invalid_algorithms(void **state)
{
    (void)state;
    const psa_algorithm_t hmac = PSA_ALG_HMAC(PSA_ALG_SHA_256);
    psa_key_id_t key = import_hmac(SIGN_VERIFY, hmac);

    /* Not a MAC algorithm at all, or a policy wildcard: checked before the key. */
    static const psa_algorithm_t not_mac[] = {
        0,
        PSA_ALG_SHA_256,
        PSA_ALG_CBC_NO_PADDING,
        PSA_ALG_GCM,
        PSA_ALG_HKDF(PSA_ALG_SHA_256),
        PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 16),
    };
    for (size_t i = 0; i < sizeof(not_mac) / sizeof(not_mac[0]); i++) {
        assert_all_refuse(key, not_mac[i], PSA_ERROR_INVALID_ARGUMENT);
        assert_all_refuse(0, not_mac[i], PSA_ERROR_INVALID_ARGUMENT);
    }
    assert_hmac_sha256_works(key);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* Valid encodings we do not support, each with a key whose policy names it exactly. */
    static const psa_algorithm_t unsupported[] = {
        PSA_ALG_HMAC(PSA_ALG_MD4),
        PSA_ALG_HMAC(PSA_ALG_SHAKE256_512),
        PSA_ALG_TRUNCATED_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 3),
        PSA_ALG_TRUNCATED_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 1),
        (psa_algorithm_t)0x03c00300, /* an unallocated block-cipher MAC */
    };
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        key = import_hmac(SIGN_VERIFY, unsupported[i]);
        assert_all_refuse(key, unsupported[i], PSA_ERROR_NOT_SUPPORTED);
        assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
    }

    /* Truncation longer than the MAC: invalid. */
    const psa_algorithm_t too_long = PSA_ALG_TRUNCATED_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 33);
    key = import_hmac(SIGN_VERIFY, too_long);
    assert_all_refuse(key, too_long, PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
    const psa_algorithm_t cmac_too_long = PSA_ALG_TRUNCATED_MAC(PSA_ALG_CMAC, 17);
    key = import_key(PSA_KEY_TYPE_AES, SIGN_VERIFY, cmac_too_long, aes_key, 16);
    assert_all_refuse(key, cmac_too_long, PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* Truncation to exactly the full length is the full-length MAC. */
    const psa_algorithm_t full = PSA_ALG_TRUNCATED_MAC(PSA_ALG_HMAC(PSA_ALG_SHA_256), 32);
    key = import_hmac(SIGN_VERIFY, full);
    uint8_t mac[32];
    size_t length = 0;
    assert_int_equal(psa_mac_compute(key, full, hi_there, 8, mac, 32, &length), PSA_SUCCESS);
    assert_memory_equal(mac, hmac_sha256_hi_there, 32);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

static void test_wrong_key_type(void **state)
{
    (void)state;
    static const uint8_t chacha_key[32] = {1};
    static const uint8_t raw[16] = {2};
    struct {
        psa_key_type_t type;
        const uint8_t *data;
        size_t length;
        psa_algorithm_t alg;
    } cases[] = {
        {PSA_KEY_TYPE_AES, aes_key, 16, PSA_ALG_HMAC(PSA_ALG_SHA_256)},
        {PSA_KEY_TYPE_RAW_DATA, raw, 16, PSA_ALG_HMAC(PSA_ALG_SHA_256)},
        {PSA_KEY_TYPE_DERIVE, raw, 16, PSA_ALG_HMAC(PSA_ALG_SHA_256)},
        {PSA_KEY_TYPE_HMAC, hmac_key, 16, PSA_ALG_CMAC},
        {PSA_KEY_TYPE_HMAC, hmac_key, 16, PSA_ALG_CBC_MAC},
        {PSA_KEY_TYPE_CHACHA20, chacha_key, 32, PSA_ALG_CMAC},
        {PSA_KEY_TYPE_RAW_DATA, raw, 16, PSA_ALG_CMAC},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        psa_key_id_t key =
            import_key(cases[i].type, SIGN_VERIFY, cases[i].alg, cases[i].data, cases[i].length);
        assert_all_refuse(key, cases[i].alg, PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
    }
}

static void test_policy(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_HMAC(PSA_ALG_SHA_256);
    uint8_t mac[64];
    size_t length = 0;
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;

    /* Sign only. */
    psa_key_id_t key = import_hmac(PSA_KEY_USAGE_SIGN_MESSAGE, alg);
    assert_int_equal(psa_mac_verify(key, alg, hi_there, 8, hmac_sha256_hi_there, 32),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_mac_verify_setup(&op, key, alg), PSA_ERROR_NOT_PERMITTED);
    assert_null(op.ctx);
    assert_hmac_sha256_works(key);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* Verify only. */
    key = import_hmac(PSA_KEY_USAGE_VERIFY_MESSAGE, alg);
    assert_int_equal(psa_mac_compute(key, alg, hi_there, 8, mac, sizeof(mac), &length),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_ERROR_NOT_PERMITTED);
    assert_null(op.ctx);
    assert_int_equal(psa_mac_verify(key, alg, hi_there, 8, hmac_sha256_hi_there, 32), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* Usage for something else entirely. */
    key = import_hmac(PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_ENCRYPT, alg);
    assert_all_refuse(key, alg, PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* SIGN_HASH / VERIFY_HASH imply the message usages. */
    key = import_hmac(PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH, alg);
    assert_hmac_sha256_works(key);
    assert_int_equal(psa_mac_verify(key, alg, hi_there, 8, hmac_sha256_hi_there, 32), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* Wrong algorithm for the policy: another hash, a truncation, another family. */
    key = import_hmac(SIGN_VERIFY, alg);
    assert_all_refuse(key, PSA_ALG_HMAC(PSA_ALG_SHA_512), PSA_ERROR_NOT_PERMITTED);
    assert_all_refuse(key, PSA_ALG_TRUNCATED_MAC(alg, 16), PSA_ERROR_NOT_PERMITTED);
    assert_all_refuse(key, PSA_ALG_CMAC, PSA_ERROR_NOT_PERMITTED);
    assert_hmac_sha256_works(key);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);

    /* At-least-this-length policy: 16..32 bytes of the same MAC. */
    key = import_hmac(SIGN_VERIFY, PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(alg, 16));
    assert_int_equal(psa_mac_compute(key, PSA_ALG_TRUNCATED_MAC(alg, 16), hi_there, 8, mac,
                                     sizeof(mac), &length),
                     PSA_SUCCESS);
    assert_int_equal(length, 16);
    assert_memory_equal(mac, hmac_sha256_hi_there, 16);
    assert_int_equal(psa_mac_compute(key, PSA_ALG_TRUNCATED_MAC(alg, 20), hi_there, 8, mac,
                                     sizeof(mac), &length),
                     PSA_SUCCESS);
    assert_int_equal(length, 20);
    assert_memory_equal(mac, hmac_sha256_hi_there, 20);
    assert_int_equal(
        psa_mac_verify(key, PSA_ALG_TRUNCATED_MAC(alg, 20), hi_there, 8, hmac_sha256_hi_there, 20),
        PSA_SUCCESS);
    assert_hmac_sha256_works(key);
    assert_all_refuse(key, PSA_ALG_TRUNCATED_MAC(alg, 15), PSA_ERROR_NOT_PERMITTED);
    assert_all_refuse(key, PSA_ALG_TRUNCATED_MAC(alg, 8), PSA_ERROR_NOT_PERMITTED);
    assert_all_refuse(key, PSA_ALG_AT_LEAST_THIS_LENGTH_MAC(alg, 16), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_mac_sign_setup(&op, key, PSA_ALG_TRUNCATED_MAC(alg, 24)), PSA_SUCCESS);
    assert_int_equal(psa_mac_update(&op, hi_there, 8), PSA_SUCCESS);
    assert_int_equal(psa_mac_sign_finish(&op, mac, 24, &length), PSA_SUCCESS);
    assert_int_equal(length, 24);
    assert_memory_equal(mac, hmac_sha256_hi_there, 24);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

static void test_invalid_handle(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_HMAC(PSA_ALG_SHA_256);
    assert_all_refuse(0, alg, PSA_ERROR_INVALID_HANDLE);
    assert_all_refuse(0x7ffffff0, alg, PSA_ERROR_INVALID_HANDLE);
    psa_key_id_t key = import_hmac(SIGN_VERIFY, alg);
    assert_hmac_sha256_works(key);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
    assert_all_refuse(key, alg, PSA_ERROR_INVALID_HANDLE);

    /* psa_destroy_key: "If a key is currently in use in a multi-part operation, then destroying
     * the key will cause the multi-part operation to fail": the next call is BAD_STATE and the
     * operation is in its error state until abort. */
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    uint8_t mac[32];
    size_t length = 0;
    for (int at = 0; at < 3; at++) {
        key = import_hmac(SIGN_VERIFY, alg);
        assert_int_equal(at == 2 ? psa_mac_verify_setup(&op, key, alg)
                                 : psa_mac_sign_setup(&op, key, alg),
                         PSA_SUCCESS);
        assert_int_equal(psa_mac_update(&op, hi_there, 4), PSA_SUCCESS);
        assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
        length = 99;
        if (at == 0) {
            assert_int_equal(psa_mac_update(&op, hi_there + 4, 4), PSA_ERROR_BAD_STATE);
        } else if (at == 1) {
            assert_int_equal(psa_mac_sign_finish(&op, mac, sizeof(mac), &length),
                             PSA_ERROR_BAD_STATE);
            assert_int_equal(length, 0);
        } else {
            assert_int_equal(psa_mac_verify_finish(&op, hmac_sha256_hi_there, 32),
                             PSA_ERROR_BAD_STATE);
        }
        assert_int_equal(psa_mac_update(&op, hi_there, 4), PSA_ERROR_BAD_STATE);
        assert_int_equal(psa_mac_abort(&op), PSA_SUCCESS);
        assert_int_equal(psa_mac_sign_setup(&op, key, alg), PSA_ERROR_INVALID_HANDLE);
    }
}

typedef struct thread_arg {
    psa_key_id_t key;
    int failures;
} thread_arg_t;

static void *mac_thread(void *p)
{
    thread_arg_t *arg = p;
    for (int i = 0; i < 2000; i++) {
        uint8_t mac[32];
        size_t length = 0;
        psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
        if (psa_mac_compute(arg->key, PSA_ALG_HMAC(PSA_ALG_SHA_256), hi_there, 8, mac, sizeof(mac),
                            &length) != PSA_SUCCESS ||
            length != 32 || memcmp(mac, hmac_sha256_hi_there, 32) != 0) {
            arg->failures++;
        }
        if (i % 10 == 0) {
            if (psa_mac_verify_setup(&op, arg->key, PSA_ALG_HMAC(PSA_ALG_SHA_256)) != PSA_SUCCESS ||
                psa_mac_update(&op, hi_there, 8) != PSA_SUCCESS ||
                psa_mac_verify_finish(&op, hmac_sha256_hi_there, 32) != PSA_SUCCESS) {
                arg->failures++;
                psa_mac_abort(&op);
            }
        }
    }
    return NULL;
}

static void test_threads_share_key(void **state)
{
    (void)state;
    psa_key_id_t key = import_hmac(SIGN_VERIFY, PSA_ALG_HMAC(PSA_ALG_SHA_256));
    pthread_t threads[8];
    thread_arg_t args[8];
    for (int i = 0; i < 8; i++) {
        args[i].key = key;
        args[i].failures = 0;
        assert_int_equal(pthread_create(&threads[i], NULL, mac_thread, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

/* AES keys of 384 and 512 bits are XTS's two-key form, not a CMAC or CBC-MAC key. */
static void test_cmac_xts_only_key_sizes(void **state)
{
    (void)state;
    uint8_t key[64] = {7}, mac[16];
    size_t n = 0;
    static const psa_algorithm_t algs[2] = {PSA_ALG_CMAC, PSA_ALG_CBC_MAC};
    for (size_t bytes = 48; bytes <= 64; bytes += 16) {
        for (int a = 0; a < 2; a++) {
            psa_key_id_t k = import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_SIGN_MESSAGE, algs[a], key,
                                        bytes);
            assert_int_equal(psa_mac_compute(k, algs[a], key, 16, mac, sizeof(mac), &n),
                             PSA_ERROR_INVALID_ARGUMENT);
            psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
            assert_int_equal(psa_mac_sign_setup(&op, k, algs[a]), PSA_ERROR_INVALID_ARGUMENT);
            assert_null(op.ctx);
            assert_int_equal(psa_destroy_key(k), PSA_SUCCESS);
        }
    }
}

int main(void)
{
    /* Keep libpsa-local's state (persistent keys) out of the user's directories. */
    char state_dir[] = "/tmp/test_mac.XXXXXX";
    if (mkdtemp(state_dir) == NULL) {
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    const struct CMUnitTest before_init[] = {
        cmocka_unit_test(test_not_initialised),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_every_hash),
        cmocka_unit_test(test_hmac_truncated_and_long_key),
        cmocka_unit_test(test_cmac),
        cmocka_unit_test(test_cbc_mac),
        cmocka_unit_test(test_verify_mismatch),
        cmocka_unit_test(test_state_machine),
        cmocka_unit_test(test_cmac_xts_only_key_sizes),
        cmocka_unit_test(test_invalid_algorithms),
        cmocka_unit_test(test_wrong_key_type),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_invalid_handle),
        cmocka_unit_test(test_threads_share_key),
    };
    int failed = cmocka_run_group_tests_name("mac_before_init", before_init, NULL, NULL);
    failed += cmocka_run_group_tests_name("mac", tests, setup_init, NULL);
    char command[64];
    snprintf(command, sizeof(command), "rm -rf %s", state_dir);
    if (system(command) != 0) {
        failed++;
    }
    return failed;
}
