/* Unit tests of the PSA unauthenticated cipher calls through libpsa-local: bytes, statuses, states.
 */
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

#define ENC_DEC (PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT)

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

/* SP 800-38A, appendix F: AES-128 key, four plaintext blocks, and the results per mode. */
static const char *sp_key = "2b7e151628aed2a6abf7158809cf4f3c";
static const char *sp_iv = "000102030405060708090a0b0c0d0e0f";
static const char *sp_ctr_iv = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char *sp_pt = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                           "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

typedef struct sp_case {
    psa_algorithm_t alg;
    const char *iv;
    const char *ct;
} sp_case_t;

static const sp_case_t sp_cases[] = {
    {PSA_ALG_ECB_NO_PADDING, NULL,
     "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
     "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4"},
    {PSA_ALG_CBC_NO_PADDING, "000102030405060708090a0b0c0d0e0f",
     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
    {PSA_ALG_CTR, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
     "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"},
    {PSA_ALG_CFB, "000102030405060708090a0b0c0d0e0f",
     "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b"
     "26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6"},
    {PSA_ALG_OFB, "000102030405060708090a0b0c0d0e0f",
     "3b3fd92eb72dad20333449f8e83cfb4a7789508d16918f03f53c52dac54ed825"
     "9740051e9c5fecf64344f7a82260edcc304c6528f659c77866a510d9c1d6ae5e"},
};

static int setup_suite(void **state)
{
    (void)state;
    return psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
}

/* Multi-part run with input pieces of the given sizes (cycled); returns the status of the first
 * failing call and the concatenated output. */
static psa_status_t run_multipart(psa_key_id_t id, psa_algorithm_t alg, bool encrypt,
                                  const uint8_t *iv, size_t iv_length, const uint8_t *in,
                                  size_t length, const size_t *pieces, size_t piece_count,
                                  uint8_t *out, size_t *out_length)
{
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    psa_status_t status =
        encrypt ? psa_cipher_encrypt_setup(&op, id, alg) : psa_cipher_decrypt_setup(&op, id, alg);
    if (status == PSA_SUCCESS && iv_length > 0) {
        status = psa_cipher_set_iv(&op, iv, iv_length);
    }
    size_t done = 0, total = 0, k = 0;
    while (status == PSA_SUCCESS && done < length) {
        size_t chunk = pieces[k++ % piece_count];
        if (chunk > length - done) {
            chunk = length - done;
        }
        size_t n = 0;
        /* The specification's bound for any key type must be enough. */
        status = psa_cipher_update(&op, in + done, chunk, out + total,
                                   PSA_CIPHER_UPDATE_OUTPUT_MAX_SIZE(chunk), &n);
        total += n;
        done += chunk;
    }
    if (status == PSA_SUCCESS) {
        size_t n = 0;
        /* XTS releases the whole message at finish (OpenSSL cannot stream it). */
        status = psa_cipher_finish(&op, out + total, length + 32 - total, &n);
        total += n;
    }
    psa_cipher_abort(&op);
    *out_length = total;
    return status;
}

static void test_sp800_38a_exact(void **state)
{
    (void)state;
    uint8_t key[16], iv[16], pt[64], ct[64], out[96], in[96];
    unhex(sp_key, key);
    unhex(sp_pt, pt);
    for (size_t i = 0; i < sizeof(sp_cases) / sizeof(sp_cases[0]); i++) {
        const sp_case_t *c = &sp_cases[i];
        psa_key_id_t id = import_key(PSA_KEY_TYPE_AES, ENC_DEC, c->alg, key, 16);
        unhex(c->ct, ct);
        size_t iv_length = c->iv ? unhex(c->iv, iv) : 0;
        size_t n = 0;
        static const size_t pieces[] = {1, 15, 17, 3};
        assert_int_equal(run_multipart(id, c->alg, true, iv, iv_length, pt, 64, pieces, 4, out, &n),
                         PSA_SUCCESS);
        assert_int_equal(n, 64);
        assert_memory_equal(out, ct, 64);
        /* One-shot decryption takes the IV from the front of its input. */
        memcpy(in, iv, iv_length);
        memcpy(in + iv_length, ct, 64);
        assert_int_equal(psa_cipher_decrypt(id, c->alg, in, iv_length + 64, out, sizeof(out), &n),
                         PSA_SUCCESS);
        assert_int_equal(n, 64);
        assert_memory_equal(out, pt, 64);
        if (iv_length == 0) {
            assert_int_equal(psa_cipher_encrypt(id, c->alg, pt, 64, out, sizeof(out), &n),
                             PSA_SUCCESS);
            assert_int_equal(n, 64);
            assert_memory_equal(out, ct, 64);
        }
        psa_destroy_key(id);
    }
    (void)sp_iv;
    (void)sp_ctr_iv;
}

/* One-shot encryption puts a fresh IV in front; the rest is what set_iv with it produces. */
static void test_oneshot_iv_and_roundtrip(void **state)
{
    (void)state;
    static const psa_algorithm_t algs[] = {
        PSA_ALG_CBC_NO_PADDING, PSA_ALG_CBC_PKCS7, PSA_ALG_CTR, PSA_ALG_CFB, PSA_ALG_OFB,
        PSA_ALG_CCM_STAR_NO_TAG};
    uint8_t key[16], pt[64], out[128], again[128], back[128];
    unhex(sp_key, key);
    unhex(sp_pt, pt);
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        psa_key_id_t id = import_key(PSA_KEY_TYPE_AES, ENC_DEC, algs[i], key, 16);
        size_t iv_length = PSA_CIPHER_IV_LENGTH(PSA_KEY_TYPE_AES, algs[i]);
        size_t length = algs[i] == PSA_ALG_CBC_NO_PADDING ? 48 : 37;
        size_t expect = PSA_CIPHER_ENCRYPT_OUTPUT_SIZE(PSA_KEY_TYPE_AES, algs[i], length);
        size_t n = 0, m = 0;
        assert_int_equal(psa_cipher_encrypt(id, algs[i], pt, length, out, sizeof(out), &n),
                         PSA_SUCCESS);
        assert_int_equal(n, expect);
        static const size_t pieces[] = {5};
        assert_int_equal(
            run_multipart(id, algs[i], true, out, iv_length, pt, length, pieces, 1, again, &m),
            PSA_SUCCESS);
        assert_int_equal(m, n - iv_length);
        assert_memory_equal(again, out + iv_length, m);
        assert_int_equal(psa_cipher_decrypt(id, algs[i], out, n, back, sizeof(back), &m),
                         PSA_SUCCESS);
        assert_int_equal(m, length);
        assert_memory_equal(back, pt, length);
        /* Two encryptions use different IVs. */
        assert_int_equal(psa_cipher_encrypt(id, algs[i], pt, length, again, sizeof(again), &m),
                         PSA_SUCCESS);
        assert_memory_not_equal(again, out, iv_length);
        psa_destroy_key(id);
    }
}

/* Multi-part equals one-shot in every mode and key type, under several odd chunkings. */
static void test_multipart_equals_oneshot(void **state)
{
    (void)state;
    typedef struct mode_case {
        psa_key_type_t type;
        size_t key_length;
        psa_algorithm_t alg;
        size_t length;
    } mode_case_t;
    static const mode_case_t cases[] = {
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_ECB_NO_PADDING, 96},
        {PSA_KEY_TYPE_AES, 24, PSA_ALG_CBC_NO_PADDING, 96},
        {PSA_KEY_TYPE_AES, 32, PSA_ALG_CBC_PKCS7, 95},
        {PSA_KEY_TYPE_AES, 32, PSA_ALG_CBC_PKCS7, 96},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_CTR, 101},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_CFB, 101},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_OFB, 101},
        {PSA_KEY_TYPE_AES, 32, PSA_ALG_XTS, 101},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_CCM_STAR_NO_TAG, 101},
        {PSA_KEY_TYPE_ARIA, 16, PSA_ALG_CBC_PKCS7, 77},
        {PSA_KEY_TYPE_ARIA, 32, PSA_ALG_CCM_STAR_NO_TAG, 77},
        {PSA_KEY_TYPE_CAMELLIA, 24, PSA_ALG_CTR, 77},
        {PSA_KEY_TYPE_SM4, 16, PSA_ALG_CBC_NO_PADDING, 64},
        {PSA_KEY_TYPE_DES, 24, PSA_ALG_CBC_PKCS7, 77},
        {PSA_KEY_TYPE_DES, 16, PSA_ALG_ECB_NO_PADDING, 80},
        {PSA_KEY_TYPE_DES, 8, PSA_ALG_CBC_NO_PADDING, 80},
        {PSA_KEY_TYPE_DES, 24, PSA_ALG_OFB, 77},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_ALG_STREAM_CIPHER, 201},
        {PSA_KEY_TYPE_XCHACHA20, 32, PSA_ALG_STREAM_CIPHER, 201},
    };
    static const size_t chunkings[][4] = {
        {1, 1, 1, 1}, {3, 5, 7, 11}, {15, 16, 17, 2}, {0, 33, 0, 64}};
    uint8_t key[32], pt[256], oneshot[320], multi[320], back[320];
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(0x41 + 7 * i);
    }
    for (size_t i = 0; i < sizeof(pt); i++) {
        pt[i] = (uint8_t)(i * 13 + 5);
    }
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const mode_case_t *mc = &cases[c];
        psa_key_id_t id = import_key(mc->type, ENC_DEC, mc->alg, key, mc->key_length);
        size_t iv_length = PSA_CIPHER_IV_LENGTH(mc->type, mc->alg);
        size_t n = 0;
        assert_int_equal(
            psa_cipher_encrypt(id, mc->alg, pt, mc->length, oneshot, sizeof(oneshot), &n),
            PSA_SUCCESS);
        assert_int_equal(n, PSA_CIPHER_ENCRYPT_OUTPUT_SIZE(mc->type, mc->alg, mc->length));
        for (size_t k = 0; k < sizeof(chunkings) / sizeof(chunkings[0]); k++) {
            size_t m = 0;
            assert_int_equal(run_multipart(id, mc->alg, true, oneshot, iv_length, pt, mc->length,
                                           chunkings[k], 4, multi, &m),
                             PSA_SUCCESS);
            assert_int_equal(m, n - iv_length);
            assert_memory_equal(multi, oneshot + iv_length, m);
            assert_int_equal(run_multipart(id, mc->alg, false, oneshot, iv_length,
                                           oneshot + iv_length, m, chunkings[k], 4, back, &m),
                             PSA_SUCCESS);
            assert_int_equal(m, mc->length);
            assert_memory_equal(back, pt, m);
        }
        psa_destroy_key(id);
    }
}

/* Update returns exactly the whole blocks available, holding back the padding block when
 * decrypting with PKCS#7; BUFFER_TOO_SMALL exactly below that amount. */
static void test_update_output_sizes(void **state)
{
    (void)state;
    uint8_t key[16], iv[16] = {0}, in[64] = {0}, out[64];
    unhex(sp_key, key);
    psa_key_id_t id = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_PKCS7, key, 16);
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    size_t n = 99;
    assert_int_equal(psa_cipher_encrypt_setup(&op, id, PSA_ALG_CBC_PKCS7), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_SUCCESS);
    assert_int_equal(psa_cipher_update(&op, in, 5, out, 0, &n), PSA_SUCCESS);
    assert_int_equal(n, 0);
    assert_int_equal(psa_cipher_update(&op, in, 11, out, 16, &n), PSA_SUCCESS);
    assert_int_equal(n, 16);
    assert_int_equal(psa_cipher_update(&op, in, 20, out, 15, &n), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 0);
    /* The operation is now in the error state: only abort helps. */
    assert_int_equal(psa_cipher_update(&op, in, 20, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);

    assert_int_equal(psa_cipher_decrypt_setup(&op, id, PSA_ALG_CBC_PKCS7), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_SUCCESS);
    assert_int_equal(psa_cipher_update(&op, in, 16, out, 0, &n), PSA_SUCCESS);
    assert_int_equal(n, 0);
    assert_int_equal(psa_cipher_update(&op, in, 16, out, 16, &n), PSA_SUCCESS);
    assert_int_equal(n, 16);
    /* More input: the held-back block is no longer the last one and comes out. */
    assert_int_equal(psa_cipher_update(&op, in, 3, out, 16, &n), PSA_SUCCESS);
    assert_int_equal(n, 16);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);

    /* Stream modes: output equals input. */
    psa_key_id_t ctr = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CTR, key, 16);
    assert_int_equal(psa_cipher_encrypt_setup(&op, ctr, PSA_ALG_CTR), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_SUCCESS);
    assert_int_equal(psa_cipher_update(&op, in, 7, out, 6, &n), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_cipher_encrypt_setup(&op, ctr, PSA_ALG_CTR), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_SUCCESS);
    assert_int_equal(psa_cipher_update(&op, in, 7, out, 7, &n), PSA_SUCCESS);
    assert_int_equal(n, 7);
    assert_int_equal(psa_cipher_finish(&op, out, 0, &n), PSA_SUCCESS);
    assert_int_equal(n, 0);
    psa_destroy_key(id);
    psa_destroy_key(ctr);
}

static void test_pkcs7(void **state)
{
    (void)state;
    uint8_t key[16], pt[48], out[96], back[96];
    unhex(sp_key, key);
    memset(pt, 0xa5, sizeof(pt));
    psa_key_id_t id = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_PKCS7, key, 16);
    psa_key_id_t raw = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, key, 16);
    static const size_t lengths[] = {0, 1, 15, 16, 17, 32};
    for (size_t i = 0; i < 6; i++) {
        size_t n = 0, m = 0;
        assert_int_equal(
            psa_cipher_encrypt(id, PSA_ALG_CBC_PKCS7, pt, lengths[i], out, sizeof(out), &n),
            PSA_SUCCESS);
        assert_int_equal(n, 16 + (lengths[i] / 16 + 1) * 16);
        /* The padding is visible through the unpadded algorithm. */
        assert_int_equal(
            psa_cipher_decrypt(raw, PSA_ALG_CBC_NO_PADDING, out, n, back, sizeof(back), &m),
            PSA_SUCCESS);
        uint8_t pad = (uint8_t)(16 - lengths[i] % 16);
        for (size_t b = lengths[i]; b < m; b++) {
            assert_int_equal(back[b], pad);
        }
        /* Exact-size output buffer works, one byte less does not. */
        assert_int_equal(psa_cipher_decrypt(id, PSA_ALG_CBC_PKCS7, out, n, back, lengths[i], &m),
                         PSA_SUCCESS);
        assert_int_equal(m, lengths[i]);
        assert_memory_equal(back, pt, m);
        if (lengths[i] > 0) {
            assert_int_equal(
                psa_cipher_decrypt(id, PSA_ALG_CBC_PKCS7, out, n, back, lengths[i] - 1, &m),
                PSA_ERROR_BUFFER_TOO_SMALL);
            assert_int_equal(m, 0);
        }
    }
    /* Bad padding: a block ending in 0x00, and one ending in 0x11, encrypted without padding. */
    static const uint8_t bad_last[] = {0x00, 0x11, 0x03};
    for (size_t i = 0; i < 3; i++) {
        uint8_t block[32];
        size_t n = 0, m = 0;
        memset(block, 0x02, sizeof(block));
        block[31] = bad_last[i];
        assert_int_equal(
            psa_cipher_encrypt(raw, PSA_ALG_CBC_NO_PADDING, block, 32, out, sizeof(out), &n),
            PSA_SUCCESS);
        assert_int_equal(psa_cipher_decrypt(id, PSA_ALG_CBC_PKCS7, out, n, back, sizeof(back), &m),
                         PSA_ERROR_INVALID_PADDING);
        assert_int_equal(m, 0);
        psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
        assert_int_equal(psa_cipher_decrypt_setup(&op, id, PSA_ALG_CBC_PKCS7), PSA_SUCCESS);
        assert_int_equal(psa_cipher_set_iv(&op, out, 16), PSA_SUCCESS);
        assert_int_equal(psa_cipher_update(&op, out + 16, 32, back, sizeof(back), &m), PSA_SUCCESS);
        assert_int_equal(m, 16);
        assert_int_equal(psa_cipher_finish(&op, back, sizeof(back), &m), PSA_ERROR_INVALID_PADDING);
        assert_int_equal(psa_cipher_finish(&op, back, sizeof(back), &m), PSA_ERROR_BAD_STATE);
        assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    }
    /* Ciphertext that is not whole blocks, or empty: invalid. */
    size_t m = 0;
    assert_int_equal(
        psa_cipher_decrypt(id, PSA_ALG_CBC_PKCS7, out, 16 + 15, back, sizeof(back), &m),
        PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_cipher_decrypt(id, PSA_ALG_CBC_PKCS7, out, 16, back, sizeof(back), &m),
                     PSA_ERROR_INVALID_ARGUMENT);
    psa_destroy_key(id);
    psa_destroy_key(raw);
}

static void test_partial_blocks(void **state)
{
    (void)state;
    uint8_t key[32] = {1}, in[64] = {0}, out[96];
    size_t n = 0;
    static const psa_algorithm_t algs[] = {PSA_ALG_ECB_NO_PADDING, PSA_ALG_CBC_NO_PADDING};
    for (size_t i = 0; i < 2; i++) {
        psa_key_id_t id = import_key(PSA_KEY_TYPE_AES, ENC_DEC, algs[i], key, 16);
        assert_int_equal(psa_cipher_encrypt(id, algs[i], in, 15, out, sizeof(out), &n),
                         PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(psa_cipher_decrypt(id, algs[i], in, 16 + 17, out, sizeof(out), &n),
                         PSA_ERROR_INVALID_ARGUMENT);
        psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
        assert_int_equal(psa_cipher_encrypt_setup(&op, id, algs[i]), PSA_SUCCESS);
        if (algs[i] != PSA_ALG_ECB_NO_PADDING) {
            assert_int_equal(psa_cipher_set_iv(&op, in, 16), PSA_SUCCESS);
        }
        assert_int_equal(psa_cipher_update(&op, in, 20, out, sizeof(out), &n), PSA_SUCCESS);
        assert_int_equal(n, 16);
        assert_int_equal(psa_cipher_finish(&op, out, sizeof(out), &n), PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
        psa_destroy_key(id);
    }
    /* XTS needs at least one block, and all of it comes out at finish. */
    psa_key_id_t xts = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_XTS, key, 32);
    assert_int_equal(psa_cipher_encrypt(xts, PSA_ALG_XTS, in, 15, out, sizeof(out), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    assert_int_equal(psa_cipher_encrypt_setup(&op, xts, PSA_ALG_XTS), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, in, 16), PSA_SUCCESS);
    assert_int_equal(psa_cipher_update(&op, in, 15, out, 0, &n), PSA_SUCCESS);
    assert_int_equal(n, 0);
    assert_int_equal(psa_cipher_finish(&op, out, sizeof(out), &n), PSA_ERROR_INVALID_ARGUMENT);
    psa_cipher_abort(&op);
    assert_int_equal(psa_cipher_encrypt_setup(&op, xts, PSA_ALG_XTS), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, in, 16), PSA_SUCCESS);
    assert_int_equal(psa_cipher_update(&op, in, 40, out, 0, &n), PSA_SUCCESS);
    assert_int_equal(psa_cipher_finish(&op, out, 39, &n), PSA_ERROR_BUFFER_TOO_SMALL);
    psa_cipher_abort(&op);
    psa_destroy_key(xts);
}

static void test_state_machine(void **state)
{
    (void)state;
    uint8_t key[16] = {7}, iv[16] = {0}, buf[64] = {0}, out[64];
    size_t n = 0;
    psa_key_id_t cbc = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, key, 16);
    psa_key_id_t ecb = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_ECB_NO_PADDING, key, 16);
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;

    /* Inactive operation. */
    assert_int_equal(psa_cipher_update(&op, buf, 16, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_finish(&op, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_generate_iv(&op, iv, 16, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);

    /* Spec, every multi-part function after setup: "If this function returns an error status,
     * the operation enters an error state and must be aborted by calling psa_cipher_abort()" --
     * BAD_STATE included. Setup on an active operation is refused and leaves it as it was. */
    /* IV needed before data; only once; setup twice refused (the first setup stands). */
    assert_int_equal(psa_cipher_encrypt_setup(&op, cbc, PSA_ALG_CBC_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_encrypt_setup(&op, cbc, PSA_ALG_CBC_NO_PADDING),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_generate_iv(&op, iv, 15, &n), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(psa_cipher_generate_iv(&op, iv, 16, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_cipher_encrypt_setup(&op, cbc, PSA_ALG_CBC_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_update(&op, buf, 16, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_generate_iv(&op, iv, sizeof(iv), &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_cipher_encrypt_setup(&op, cbc, PSA_ALG_CBC_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_finish(&op, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_cipher_encrypt_setup(&op, cbc, PSA_ALG_CBC_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_generate_iv(&op, iv, sizeof(iv), &n), PSA_SUCCESS);
    assert_int_equal(n, 16);
    assert_int_equal(psa_cipher_update(&op, buf, 16, out, 64, &n), PSA_SUCCESS);
    assert_int_equal(psa_cipher_generate_iv(&op, iv, sizeof(iv), &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_update(&op, buf, 16, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_finish(&op, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_cipher_encrypt_setup(&op, cbc, PSA_ALG_CBC_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_SUCCESS);
    assert_int_equal(psa_cipher_update(&op, buf, 16, out, 64, &n), PSA_SUCCESS);
    assert_int_equal(psa_cipher_finish(&op, out, 64, &n), PSA_SUCCESS);
    /* Finished: inactive again. */
    assert_int_equal(psa_cipher_update(&op, buf, 16, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);

    /* Wrong IV length: error state. A decryption generates no IV: error state too. */
    assert_int_equal(psa_cipher_decrypt_setup(&op, cbc, PSA_ALG_CBC_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_generate_iv(&op, iv, 16, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_cipher_decrypt_setup(&op, cbc, PSA_ALG_CBC_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 15), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);

    /* ECB takes no IV. */
    assert_int_equal(psa_cipher_encrypt_setup(&op, ecb, PSA_ALG_ECB_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_generate_iv(&op, iv, 16, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_cipher_encrypt_setup(&op, ecb, PSA_ALG_ECB_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_cipher_update(&op, buf, 16, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_cipher_encrypt_setup(&op, ecb, PSA_ALG_ECB_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_update(&op, buf, 16, out, 64, &n), PSA_SUCCESS);
    assert_int_equal(psa_cipher_finish(&op, out, 64, &n), PSA_SUCCESS);

    /* Setup errors leave the operation inactive and reusable. */
    assert_int_equal(psa_cipher_encrypt_setup(&op, ecb, PSA_ALG_CBC_NO_PADDING),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_cipher_encrypt_setup(&op, ecb, PSA_ALG_ECB_NO_PADDING), PSA_SUCCESS);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    psa_destroy_key(cbc);
    psa_destroy_key(ecb);
}

static void test_iv_lengths(void **state)
{
    (void)state;
    uint8_t key[32] = {9}, in[80], out[96], ref[96];
    uint8_t iv[17] = {0}; /* one byte more than the longest IV, for the too-long case */
    memset(in, 0x3c, sizeof(in));
    psa_key_id_t cc = import_key(PSA_KEY_TYPE_CHACHA20, ENC_DEC, PSA_ALG_STREAM_CIPHER, key, 32);
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    static const size_t ok_sizes[] = {8, 12, 16};
    static const size_t bad_sizes[] = {0, 7, 11, 13, 15, 17};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(psa_cipher_encrypt_setup(&op, cc, PSA_ALG_STREAM_CIPHER), PSA_SUCCESS);
        assert_int_equal(psa_cipher_set_iv(&op, iv, ok_sizes[i]), PSA_SUCCESS);
        assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    }
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(psa_cipher_encrypt_setup(&op, cc, PSA_ALG_STREAM_CIPHER), PSA_SUCCESS);
        assert_int_equal(psa_cipher_set_iv(&op, iv, bad_sizes[i]), PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    }
    /* A 16-byte IV with counter 1 continues the 12-byte IV's stream one block later. */
    size_t n = 0;
    static const size_t whole[] = {80};
    assert_int_equal(
        run_multipart(cc, PSA_ALG_STREAM_CIPHER, true, iv, 12, in, 80, whole, 1, ref, &n),
        PSA_SUCCESS);
    uint8_t iv16[16] = {1, 0, 0, 0};
    assert_int_equal(
        run_multipart(cc, PSA_ALG_STREAM_CIPHER, true, iv16, 16, in, 16, whole, 1, out, &n),
        PSA_SUCCESS);
    assert_memory_equal(out, ref + 64, 16);
    /* generate_iv gives the default 12 bytes. */
    assert_int_equal(psa_cipher_encrypt_setup(&op, cc, PSA_ALG_STREAM_CIPHER), PSA_SUCCESS);
    assert_int_equal(psa_cipher_generate_iv(&op, iv16, 16, &n), PSA_SUCCESS);
    assert_int_equal(n, 12);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    psa_destroy_key(cc);

    /* CCM*: 13-byte nonce only; its keystream is CCM's (same counter blocks). */
    psa_key_id_t star = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CCM_STAR_NO_TAG, key, 16);
    assert_int_equal(psa_cipher_encrypt_setup(&op, star, PSA_ALG_CCM_STAR_NO_TAG), PSA_SUCCESS);
    assert_int_equal(psa_cipher_set_iv(&op, iv, 12), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
    psa_key_id_t ccm = import_key(PSA_KEY_TYPE_AES, ENC_DEC,
                                  PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 4), key, 16);
    assert_int_equal(psa_aead_encrypt(ccm, PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 4), iv, 13,
                                      NULL, 0, in, 40, ref, sizeof(ref), &n),
                     PSA_SUCCESS);
    assert_int_equal(
        run_multipart(star, PSA_ALG_CCM_STAR_NO_TAG, true, iv, 13, in, 40, whole, 1, out, &n),
        PSA_SUCCESS);
    assert_int_equal(n, 40);
    assert_memory_equal(out, ref, 40);
    psa_destroy_key(star);
    psa_destroy_key(ccm);
}

static void test_key_type_errors(void **state)
{
    (void)state;
    uint8_t key[32] = {3}, in[32] = {0}, out[64];
    size_t n = 0;
    typedef struct type_case {
        psa_key_type_t type;
        size_t key_length;
        psa_algorithm_t alg;
        psa_status_t expected;
    } type_case_t;
    static const type_case_t cases[] = {
        {PSA_KEY_TYPE_HMAC, 16, PSA_ALG_CBC_NO_PADDING, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_RAW_DATA, 16, PSA_ALG_CTR, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_STREAM_CIPHER, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_ALG_CBC_NO_PADDING, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_XCHACHA20, 32, PSA_ALG_CTR, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_DES, 24, PSA_ALG_CTR, PSA_ERROR_NOT_SUPPORTED},
        {PSA_KEY_TYPE_DES, 24, PSA_ALG_XTS, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_DES, 24, PSA_ALG_CCM_STAR_NO_TAG, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_XTS, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 24, PSA_ALG_XTS, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CAMELLIA, 32, PSA_ALG_XTS, PSA_ERROR_NOT_SUPPORTED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const type_case_t *c = &cases[i];
        psa_key_id_t id = import_key(c->type, ENC_DEC, c->alg, key, c->key_length);
        assert_int_equal(psa_cipher_encrypt(id, c->alg, in, 32, out, sizeof(out), &n), c->expected);
        assert_int_equal(psa_cipher_decrypt(id, c->alg, in, 32, out, sizeof(out), &n), c->expected);
        psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
        assert_int_equal(psa_cipher_encrypt_setup(&op, id, c->alg), c->expected);
        assert_null(op.ctx);
        assert_int_equal(psa_cipher_decrypt_setup(&op, id, c->alg), c->expected);
        psa_destroy_key(id);
    }
    /* Not a cipher algorithm at all. */
    psa_key_id_t aes = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CTR, key, 16);
    assert_int_equal(psa_cipher_encrypt(aes, PSA_ALG_GCM, in, 16, out, sizeof(out), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_cipher_encrypt(aes, PSA_ALG_SHA_256, in, 16, out, sizeof(out), &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    assert_int_equal(psa_cipher_decrypt_setup(&op, aes, PSA_ALG_CMAC), PSA_ERROR_INVALID_ARGUMENT);
    psa_destroy_key(aes);
}

static void test_policy_and_handles(void **state)
{
    (void)state;
    uint8_t key[16] = {5}, in[32] = {0}, out[64], ct[64];
    size_t n = 0, m = 0;
    psa_key_id_t enc_only =
        import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, key, 16);
    psa_key_id_t dec_only =
        import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_DECRYPT, PSA_ALG_CTR, key, 16);
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    assert_int_equal(psa_cipher_decrypt(enc_only, PSA_ALG_CTR, in, 32, out, 64, &n),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_cipher_decrypt_setup(&op, enc_only, PSA_ALG_CTR), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_cipher_encrypt(dec_only, PSA_ALG_CTR, in, 16, out, 64, &n),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_cipher_encrypt_setup(&op, dec_only, PSA_ALG_CTR), PSA_ERROR_NOT_PERMITTED);
    /* Algorithm not the key's. */
    assert_int_equal(psa_cipher_encrypt(enc_only, PSA_ALG_CFB, in, 16, out, 64, &n),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_cipher_encrypt_setup(&op, enc_only, PSA_ALG_OFB), PSA_ERROR_NOT_PERMITTED);
    /* Bad handles. */
    assert_int_equal(psa_cipher_encrypt(0, PSA_ALG_CTR, in, 16, out, 64, &n),
                     PSA_ERROR_INVALID_HANDLE);
    assert_int_equal(psa_cipher_encrypt_setup(&op, 0x12345, PSA_ALG_CTR), PSA_ERROR_INVALID_HANDLE);
    /* Nothing changed: the keys still work together. */
    assert_int_equal(psa_cipher_encrypt(enc_only, PSA_ALG_CTR, in, 32, ct, sizeof(ct), &n),
                     PSA_SUCCESS);
    assert_int_equal(psa_cipher_decrypt(dec_only, PSA_ALG_CTR, ct, n, out, sizeof(out), &m),
                     PSA_SUCCESS);
    assert_int_equal(m, 32);
    assert_memory_equal(out, in, 32);
    psa_destroy_key(enc_only);
    psa_destroy_key(dec_only);
    assert_int_equal(psa_cipher_encrypt(enc_only, PSA_ALG_CTR, in, 16, out, 64, &n),
                     PSA_ERROR_INVALID_HANDLE);
}

static void test_oneshot_buffers(void **state)
{
    (void)state;
    uint8_t key[16] = {6}, in[48], out[80], back[80];
    memset(in, 0x77, sizeof(in));
    psa_key_id_t id = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, key, 16);
    size_t n = 123, m = 0;
    memset(out, 0xee, sizeof(out));
    assert_int_equal(psa_cipher_encrypt(id, PSA_ALG_CBC_NO_PADDING, in, 48, out, 16 + 47, &n),
                     PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 0);
    assert_int_equal(out[0], 0xee); /* nothing written */
    assert_int_equal(psa_cipher_encrypt(id, PSA_ALG_CBC_NO_PADDING, in, 48, out, 64, &n),
                     PSA_SUCCESS);
    assert_int_equal(n, 64);
    assert_int_equal(psa_cipher_decrypt(id, PSA_ALG_CBC_NO_PADDING, out, 64, back, 47, &m),
                     PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(m, 0);
    /* Shorter than the IV. */
    assert_int_equal(psa_cipher_decrypt(id, PSA_ALG_CBC_NO_PADDING, out, 15, back, 80, &m),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_cipher_decrypt(id, PSA_ALG_CBC_NO_PADDING, out, 64, back, 48, &m),
                     PSA_SUCCESS);
    assert_memory_equal(back, in, 48);
    psa_destroy_key(id);
}

/* Many threads on one key: the per-key context cache must hand each its own context. */
typedef struct thread_arg {
    psa_key_id_t id;
    int failures;
} thread_arg_t;

static void *cipher_thread(void *p)
{
    thread_arg_t *arg = p;
    uint8_t in[100], out[160], back[160];
    for (int i = 0; i < 300; i++) {
        size_t n = 0, m = 0;
        memset(in, i, sizeof(in));
        if (psa_cipher_encrypt(arg->id, PSA_ALG_CBC_PKCS7, in, 100 - i % 50, out, sizeof(out),
                               &n) != PSA_SUCCESS ||
            psa_cipher_decrypt(arg->id, PSA_ALG_CBC_PKCS7, out, n, back, sizeof(back), &m) !=
                PSA_SUCCESS ||
            m != (size_t)(100 - i % 50) || memcmp(back, in, m) != 0) {
            arg->failures++;
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    uint8_t key[32] = {8};
    psa_key_id_t id = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_PKCS7, key, 32);
    pthread_t threads[6];
    thread_arg_t args[6];
    for (int i = 0; i < 6; i++) {
        args[i].id = id;
        args[i].failures = 0;
        assert_int_equal(pthread_create(&threads[i], NULL, cipher_thread, &args[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    psa_destroy_key(id);
}
/* psa_destroy_key: "If a key is currently in use in a multi-part operation, then destroying the
 * key will cause the multi-part operation to fail." The next call answers BAD_STATE and the
 * operation is in its error state until abort; the key's id is gone. */
static void test_destroy_key_in_use(void **state)
{
    (void)state;
    static const uint8_t key[16] = {1, 2, 3};
    uint8_t iv[16] = {0}, buf[32] = {0}, out[64];
    size_t n = 0;
    for (int at = 0; at < 3; at++) {
        psa_key_id_t k = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, key, 16);
        psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
        assert_int_equal(psa_cipher_encrypt_setup(&op, k, PSA_ALG_CBC_NO_PADDING), PSA_SUCCESS);
        if (at > 0) {
            assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_SUCCESS);
            assert_int_equal(psa_cipher_update(&op, buf, 16, out, sizeof(out), &n), PSA_SUCCESS);
        }
        assert_int_equal(psa_destroy_key(k), PSA_SUCCESS);
        n = 99;
        if (at == 0) {
            assert_int_equal(psa_cipher_set_iv(&op, iv, 16), PSA_ERROR_BAD_STATE);
        } else if (at == 1) {
            assert_int_equal(psa_cipher_update(&op, buf, 16, out, sizeof(out), &n),
                             PSA_ERROR_BAD_STATE);
        } else {
            assert_int_equal(psa_cipher_finish(&op, out, sizeof(out), &n), PSA_ERROR_BAD_STATE);
        }
        assert_int_equal(n, at == 0 ? 99 : 0);
        assert_int_equal(psa_cipher_update(&op, buf, 16, out, sizeof(out), &n),
                         PSA_ERROR_BAD_STATE);
        assert_int_equal(psa_cipher_abort(&op), PSA_SUCCESS);
        assert_int_equal(psa_cipher_encrypt_setup(&op, k, PSA_ALG_CBC_NO_PADDING),
                         PSA_ERROR_INVALID_HANDLE);
    }
}

/* AES keys of 384 and 512 bits are XTS's two-key form: no key of any other AES mode ("the key
 * is not compatible with alg": INVALID_ARGUMENT), in one-shot and multi-part calls alike. */
static void test_xts_only_key_sizes(void **state)
{
    (void)state;
    uint8_t key[64] = {7}, buf[32] = {0}, out[64];
    size_t n = 0;
    static const psa_algorithm_t algs[] = {PSA_ALG_ECB_NO_PADDING, PSA_ALG_CBC_NO_PADDING,
                                           PSA_ALG_CBC_PKCS7, PSA_ALG_CTR, PSA_ALG_CFB,
                                           PSA_ALG_OFB, PSA_ALG_CCM_STAR_NO_TAG};
    for (size_t bytes = 48; bytes <= 64; bytes += 16) {
        for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
            psa_key_id_t k = import_key(PSA_KEY_TYPE_AES, ENC_DEC, algs[i], key, bytes);
            assert_int_equal(psa_cipher_encrypt(k, algs[i], buf, 16, out, sizeof(out), &n),
                             PSA_ERROR_INVALID_ARGUMENT);
            assert_int_equal(psa_cipher_decrypt(k, algs[i], out, 32, buf, sizeof(buf), &n),
                             PSA_ERROR_INVALID_ARGUMENT);
            psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
            assert_int_equal(psa_cipher_encrypt_setup(&op, k, algs[i]),
                             PSA_ERROR_INVALID_ARGUMENT);
            assert_null(op.ctx);
            assert_int_equal(psa_destroy_key(k), PSA_SUCCESS);
        }
    }
    /* XTS itself still takes the 512-bit key. */
    psa_key_id_t k = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_XTS, key, 64);
    assert_int_equal(psa_cipher_encrypt(k, PSA_ALG_XTS, buf, 32, out, sizeof(out), &n),
                     PSA_SUCCESS);
    assert_int_equal(n, 48);
    assert_int_equal(psa_destroy_key(k), PSA_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sp800_38a_exact),
        cmocka_unit_test(test_oneshot_iv_and_roundtrip),
        cmocka_unit_test(test_multipart_equals_oneshot),
        cmocka_unit_test(test_update_output_sizes),
        cmocka_unit_test(test_pkcs7),
        cmocka_unit_test(test_partial_blocks),
        cmocka_unit_test(test_state_machine),
        cmocka_unit_test(test_destroy_key_in_use),
        cmocka_unit_test(test_xts_only_key_sizes),
        cmocka_unit_test(test_iv_lengths),
        cmocka_unit_test(test_key_type_errors),
        cmocka_unit_test(test_policy_and_handles),
        cmocka_unit_test(test_oneshot_buffers),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup_suite, NULL);
}
