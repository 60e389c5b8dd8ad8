/* Unit tests of the PSA AEAD calls through libpsa-local: exact bytes, statuses, state machine. */
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

#define ENC_DEC    (PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT)
#define GCM_TAG(n) PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_GCM, n)
#define CCM_TAG(n) PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, n)

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

static int setup_suite(void **state)
{
    (void)state;
    return psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
}

typedef struct exact_case {
    psa_key_type_t type;
    psa_algorithm_t alg;
    const char *key, *nonce, *ad, *pt, *ct_and_tag;
} exact_case_t;

static const exact_case_t exact_cases[] = {
    /* GCM spec (McGrew-Viega) test cases 1 and 2. */
    {PSA_KEY_TYPE_AES, PSA_ALG_GCM, "00000000000000000000000000000000", "000000000000000000000000",
     "", "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {PSA_KEY_TYPE_AES, PSA_ALG_GCM, "00000000000000000000000000000000", "000000000000000000000000",
     "", "00000000000000000000000000000000",
     "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf"},
    /* The same with the tag shortened to 8 bytes: a prefix of the full tag. */
    {PSA_KEY_TYPE_AES, GCM_TAG(8), "00000000000000000000000000000000", "000000000000000000000000",
     "", "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bd"},
    /* RFC 3610 packet vector #1 (CCM, M = 8, 13-byte nonce). */
    {PSA_KEY_TYPE_AES, CCM_TAG(8), "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000003020100a0a1a2a3a4a5",
     "0001020304050607", "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
     "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"},
    /* RFC 7539 section 2.8.2. */
    {PSA_KEY_TYPE_CHACHA20, PSA_ALG_CHACHA20_POLY1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647",
     "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a204966"
     "204920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f7220746865206675747572"
     "652c2073756e73637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da"
     "92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585"
     "808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
     "1ae10b594f09e26a7e902ecbd0600691"},
};

/* Multi-part run: lengths first or after the nonce, AD and data cut into the given pieces. */
static psa_status_t run_multipart(psa_key_id_t id, psa_algorithm_t alg, bool encrypt,
                                  bool lengths_first, bool with_lengths, const uint8_t *nonce,
                                  size_t nonce_length, const uint8_t *ad, size_t ad_length,
                                  const uint8_t *in, size_t length, size_t piece, uint8_t *out,
                                  size_t *out_length, uint8_t *tag, size_t *tag_length)
{
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    psa_status_t status =
        encrypt ? psa_aead_encrypt_setup(&op, id, alg) : psa_aead_decrypt_setup(&op, id, alg);
    if (status == PSA_SUCCESS && with_lengths && lengths_first) {
        status = psa_aead_set_lengths(&op, ad_length, length);
    }
    if (status == PSA_SUCCESS) {
        status = psa_aead_set_nonce(&op, nonce, nonce_length);
    }
    if (status == PSA_SUCCESS && with_lengths && !lengths_first) {
        status = psa_aead_set_lengths(&op, ad_length, length);
    }
    for (size_t done = 0; status == PSA_SUCCESS && done < ad_length; done += piece) {
        size_t chunk = ad_length - done < piece ? ad_length - done : piece;
        status = psa_aead_update_ad(&op, ad + done, chunk);
    }
    size_t total = 0;
    for (size_t done = 0; status == PSA_SUCCESS && done < length; done += piece) {
        size_t chunk = length - done < piece ? length - done : piece;
        size_t n = 0;
        status = psa_aead_update(&op, in + done, chunk, out + total,
                                 PSA_AEAD_UPDATE_OUTPUT_MAX_SIZE(chunk), &n);
        total += n;
    }
    if (status == PSA_SUCCESS) {
        size_t n = 0;
        if (encrypt) {
            status = psa_aead_finish(&op, out + total, PSA_AEAD_FINISH_OUTPUT_MAX_SIZE, &n, tag,
                                     PSA_AEAD_TAG_MAX_SIZE, tag_length);
        } else {
            status = psa_aead_verify(&op, out + total, PSA_AEAD_VERIFY_OUTPUT_MAX_SIZE, &n, tag,
                                     *tag_length);
        }
        total += n;
    }
    psa_aead_abort(&op);
    *out_length = total;
    return status;
}

static void test_exact_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(exact_cases) / sizeof(exact_cases[0]); i++) {
        const exact_case_t *c = &exact_cases[i];
        uint8_t key[32], nonce[16], ad[32], pt[160], expect[200], out[200], tag[16];
        size_t key_length = unhex(c->key, key), nonce_length = unhex(c->nonce, nonce);
        size_t ad_length = unhex(c->ad, ad), pt_length = unhex(c->pt, pt);
        size_t expect_length = unhex(c->ct_and_tag, expect);
        size_t tag_length = expect_length - pt_length;
        psa_key_id_t id = import_key(c->type, ENC_DEC, c->alg, key, key_length);
        size_t n = 0;
        assert_int_equal(psa_aead_encrypt(id, c->alg, nonce, nonce_length, ad, ad_length, pt,
                                          pt_length, out, sizeof(out), &n),
                         PSA_SUCCESS);
        assert_int_equal(n, expect_length);
        assert_int_equal(n, PSA_AEAD_ENCRYPT_OUTPUT_SIZE(c->type, c->alg, pt_length));
        assert_memory_equal(out, expect, n);
        assert_int_equal(psa_aead_decrypt(id, c->alg, nonce, nonce_length, ad, ad_length, expect,
                                          expect_length, out, sizeof(out), &n),
                         PSA_SUCCESS);
        assert_int_equal(n, pt_length);
        assert_memory_equal(out, pt, n);
        size_t t = 0;
        assert_int_equal(run_multipart(id, c->alg, true, false, true, nonce, nonce_length, ad,
                                       ad_length, pt, pt_length, 5, out, &n, tag, &t),
                         PSA_SUCCESS);
        assert_int_equal(n, pt_length);
        assert_memory_equal(out, expect, n);
        assert_int_equal(t, tag_length);
        assert_memory_equal(tag, expect + pt_length, t);
        psa_destroy_key(id);
    }
}

/* Multi-part equals one-shot: every mode, tag length, several nonce lengths and chunk sizes,
 * lengths before or after the nonce (or none, where the mode allows). */
static void test_multipart_equals_oneshot(void **state)
{
    (void)state;
    typedef struct mode_case {
        psa_key_type_t type;
        size_t key_length;
        psa_algorithm_t alg;
        size_t nonce_length;
    } mode_case_t;
    static const mode_case_t cases[] = {
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_GCM, 12},
        {PSA_KEY_TYPE_AES, 24, GCM_TAG(4), 1},
        {PSA_KEY_TYPE_AES, 32, GCM_TAG(13), 60},
        {PSA_KEY_TYPE_AES, 16, GCM_TAG(15), 128},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_CCM, 13},
        {PSA_KEY_TYPE_AES, 24, CCM_TAG(4), 7},
        {PSA_KEY_TYPE_AES, 32, CCM_TAG(6), 8},
        {PSA_KEY_TYPE_AES, 16, CCM_TAG(10), 11},
        {PSA_KEY_TYPE_AES, 16, CCM_TAG(14), 12},
        {PSA_KEY_TYPE_ARIA, 16, PSA_ALG_GCM, 12},
        {PSA_KEY_TYPE_ARIA, 32, CCM_TAG(12), 10},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_ALG_CHACHA20_POLY1305, 12},
        {PSA_KEY_TYPE_XCHACHA20, 32, PSA_ALG_XCHACHA20_POLY1305, 24},
    };
    static const size_t sizes[][2] = {{0, 0}, {0, 17}, {19, 0}, {1, 1}, {33, 100}, {300, 271}};
    static const size_t pieces[] = {1, 7, 16, 1000};
    uint8_t key[32], nonce[128], ad[300], pt[300], oneshot[320], multi[320], tag[16], back[320];
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(i * 3 + 1);
    }
    for (size_t i = 0; i < sizeof(nonce); i++) {
        nonce[i] = (uint8_t)(0xa0 + i);
    }
    for (size_t i = 0; i < sizeof(pt); i++) {
        pt[i] = (uint8_t)(i * 7);
        ad[i] = (uint8_t)(i * 5 + 2);
    }
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const mode_case_t *mc = &cases[c];
        psa_key_id_t id = import_key(mc->type, ENC_DEC, mc->alg, key, mc->key_length);
        size_t tag_length = PSA_AEAD_TAG_LENGTH(mc->type, mc->key_length * 8, mc->alg);
        bool ccm = PSA_ALG_AEAD_WITH_DEFAULT_LENGTH_TAG(mc->alg) == PSA_ALG_CCM;
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            size_t ad_length = sizes[s][0], pt_length = sizes[s][1], n = 0;
            assert_int_equal(psa_aead_encrypt(id, mc->alg, nonce, mc->nonce_length, ad, ad_length,
                                              pt, pt_length, oneshot, sizeof(oneshot), &n),
                             PSA_SUCCESS);
            assert_int_equal(n, pt_length + tag_length);
            for (size_t p = 0; p < 4; p++) {
                size_t m = 0, t = 0;
                bool first = p % 2 == 0;
                bool with_lengths = ccm || p != 3;
                assert_int_equal(run_multipart(id, mc->alg, true, first, with_lengths, nonce,
                                               mc->nonce_length, ad, ad_length, pt, pt_length,
                                               pieces[p], multi, &m, tag, &t),
                                 PSA_SUCCESS);
                assert_int_equal(m, pt_length);
                assert_memory_equal(multi, oneshot, m);
                assert_int_equal(t, tag_length);
                assert_memory_equal(tag, oneshot + pt_length, t);
                t = tag_length;
                assert_int_equal(run_multipart(id, mc->alg, false, !first, with_lengths, nonce,
                                               mc->nonce_length, ad, ad_length, oneshot, pt_length,
                                               pieces[p], back, &m, oneshot + pt_length, &t),
                                 PSA_SUCCESS);
                assert_int_equal(m, pt_length);
                assert_memory_equal(back, pt, m);
            }
        }
        psa_destroy_key(id);
    }
}

/* The one-shot context cache re-keys CCM when the nonce length changes: results must match a
 * fresh key each time. */
static void test_nonce_length_changes(void **state)
{
    (void)state;
    uint8_t key[16] = {0x42}, nonce[13] = {1, 2, 3}, pt[20] = {9}, a[64], b[64];
    static const psa_algorithm_t algs[] = {PSA_ALG_CCM, PSA_ALG_GCM};
    static const size_t lengths[] = {13, 7, 7, 12, 8, 13};
    for (size_t i = 0; i < 2; i++) {
        psa_key_id_t cached = import_key(PSA_KEY_TYPE_AES, ENC_DEC, algs[i], key, 16);
        for (size_t l = 0; l < 6; l++) {
            psa_key_id_t fresh = import_key(PSA_KEY_TYPE_AES, ENC_DEC, algs[i], key, 16);
            size_t n = 0, m = 0;
            assert_int_equal(psa_aead_encrypt(cached, algs[i], nonce, lengths[l], NULL, 0, pt, 20,
                                              a, sizeof(a), &n),
                             PSA_SUCCESS);
            assert_int_equal(psa_aead_encrypt(fresh, algs[i], nonce, lengths[l], NULL, 0, pt, 20, b,
                                              sizeof(b), &m),
                             PSA_SUCCESS);
            assert_int_equal(n, m);
            assert_memory_equal(a, b, n);
            assert_int_equal(psa_aead_decrypt(cached, algs[i], nonce, lengths[l], NULL, 0, a, n, b,
                                              sizeof(b), &m),
                             PSA_SUCCESS);
            assert_memory_equal(b, pt, 20);
            psa_destroy_key(fresh);
        }
        psa_destroy_key(cached);
    }
}

static void test_tag_and_nonce_lengths(void **state)
{
    (void)state;
    uint8_t key[32] = {1}, nonce[130] = {0}, pt[16] = {0}, out[64];
    size_t n = 0;
    typedef struct len_case {
        psa_key_type_t type;
        size_t key_length;
        psa_algorithm_t alg;
        size_t nonce_length;
        psa_status_t expected;
    } len_case_t;
    static const len_case_t cases[] = {
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_GCM, 0, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_GCM, 1, PSA_SUCCESS},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_GCM, 128, PSA_SUCCESS},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_GCM, 129, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_CCM, 6, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_CCM, 7, PSA_SUCCESS},
        {PSA_KEY_TYPE_AES, 16, PSA_ALG_CCM, 14, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_ALG_CHACHA20_POLY1305, 11, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_ALG_CHACHA20_POLY1305, 13, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_ALG_CHACHA20_POLY1305, 24, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_XCHACHA20, 32, PSA_ALG_XCHACHA20_POLY1305, 12, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_XCHACHA20, 32, PSA_ALG_XCHACHA20_POLY1305, 23, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_XCHACHA20, 32, PSA_ALG_XCHACHA20_POLY1305, 24, PSA_SUCCESS},
        /* Tag lengths the modes do not define. */
        {PSA_KEY_TYPE_AES, 16, GCM_TAG(5), 12, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 16, GCM_TAG(11), 12, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 16, CCM_TAG(5), 13, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 16, CCM_TAG(2), 13, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CHACHA20_POLY1305, 8),
         12, PSA_ERROR_INVALID_ARGUMENT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const len_case_t *c = &cases[i];
        psa_key_id_t id = import_key(c->type, ENC_DEC, c->alg, key, c->key_length);
        assert_int_equal(psa_aead_encrypt(id, c->alg, nonce, c->nonce_length, NULL, 0, pt, 16, out,
                                          sizeof(out), &n),
                         c->expected);
        psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
        psa_status_t setup = psa_aead_encrypt_setup(&op, id, c->alg);
        if (setup == PSA_SUCCESS) {
            assert_int_equal(psa_aead_set_nonce(&op, nonce, c->nonce_length), c->expected);
        } else {
            assert_int_equal(setup, c->expected);
        }
        psa_aead_abort(&op);
        psa_destroy_key(id);
    }
    /* CCM: a plaintext longer than the L-byte length field allows (nonce 13: L = 2). */
    psa_key_id_t ccm = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CCM, key, 16);
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    assert_int_equal(psa_aead_encrypt_setup(&op, ccm, PSA_ALG_CCM), PSA_SUCCESS);
    assert_int_equal(psa_aead_set_lengths(&op, 0, 65536), PSA_SUCCESS);
    assert_int_equal(psa_aead_set_nonce(&op, nonce, 13), PSA_ERROR_INVALID_ARGUMENT);
    psa_aead_abort(&op);
    psa_destroy_key(ccm);
}

static void test_bad_tag_and_buffers(void **state)
{
    (void)state;
    static const psa_algorithm_t algs[] = {PSA_ALG_GCM, CCM_TAG(8), PSA_ALG_CHACHA20_POLY1305};
    uint8_t key[32] = {0x11}, nonce[12] = {0x22}, ad[5] = {1, 2, 3, 4, 5}, pt[40], ct[64], out[64];
    memset(pt, 0x5a, sizeof(pt));
    for (size_t i = 0; i < 3; i++) {
        psa_key_type_t type = i == 2 ? PSA_KEY_TYPE_CHACHA20 : PSA_KEY_TYPE_AES;
        psa_key_id_t id = import_key(type, ENC_DEC, algs[i], key, i == 2 ? 32 : 16);
        size_t tag_length = PSA_AEAD_TAG_LENGTH(type, 0, algs[i]);
        size_t n = 77, m = 0;
        assert_int_equal(
            psa_aead_encrypt(id, algs[i], nonce, 12, ad, 5, pt, 40, ct, 40 + tag_length - 1, &n),
            PSA_ERROR_BUFFER_TOO_SMALL);
        assert_int_equal(n, 0);
        assert_int_equal(
            psa_aead_encrypt(id, algs[i], nonce, 12, ad, 5, pt, 40, ct, sizeof(ct), &n),
            PSA_SUCCESS);
        assert_int_equal(psa_aead_decrypt(id, algs[i], nonce, 12, ad, 5, ct, n, out, 39, &m),
                         PSA_ERROR_BUFFER_TOO_SMALL);
        assert_int_equal(psa_aead_decrypt(id, algs[i], nonce, 12, ad, 5, ct, tag_length - 1, out,
                                          sizeof(out), &m),
                         PSA_ERROR_INVALID_ARGUMENT);
        /* Any flipped bit: tag, ciphertext, AD. The plaintext is not released. */
        for (int which = 0; which < 3; which++) {
            uint8_t bad_ad[5];
            memcpy(bad_ad, ad, 5);
            if (which == 0) {
                ct[n - 1] ^= 1;
            } else if (which == 1) {
                ct[0] ^= 0x80;
            } else {
                bad_ad[4] ^= 4;
            }
            memset(out, 0, sizeof(out));
            assert_int_equal(
                psa_aead_decrypt(id, algs[i], nonce, 12, bad_ad, 5, ct, n, out, sizeof(out), &m),
                PSA_ERROR_INVALID_SIGNATURE);
            assert_int_equal(m, 0);
            assert_memory_not_equal(out, pt, 40);
            if (which == 0) {
                ct[n - 1] ^= 1;
            } else if (which == 1) {
                ct[0] ^= 0x80;
            }
        }
        /* Multi-part verify of a bad tag, and of a tag of the wrong length. */
        for (int variant = 0; variant < 2; variant++) {
            psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
            uint8_t tag[16];
            memcpy(tag, ct + 40, tag_length);
            tag[0] ^= (uint8_t)(variant == 0);
            assert_int_equal(psa_aead_decrypt_setup(&op, id, algs[i]), PSA_SUCCESS);
            assert_int_equal(psa_aead_set_lengths(&op, 5, 40), PSA_SUCCESS);
            assert_int_equal(psa_aead_set_nonce(&op, nonce, 12), PSA_SUCCESS);
            assert_int_equal(psa_aead_update_ad(&op, ad, 5), PSA_SUCCESS);
            assert_int_equal(psa_aead_update(&op, ct, 40, out, sizeof(out), &m), PSA_SUCCESS);
            assert_int_equal(
                psa_aead_verify(&op, out, sizeof(out), &m, tag, tag_length - (size_t)variant),
                PSA_ERROR_INVALID_SIGNATURE);
            assert_int_equal(psa_aead_verify(&op, out, sizeof(out), &m, tag, tag_length),
                             PSA_ERROR_BAD_STATE);
            assert_int_equal(psa_aead_abort(&op), PSA_SUCCESS);
        }
        /* Nothing changed: the key still decrypts the genuine message. */
        assert_int_equal(
            psa_aead_decrypt(id, algs[i], nonce, 12, ad, 5, ct, n, out, sizeof(out), &m),
            PSA_SUCCESS);
        assert_int_equal(m, 40);
        assert_memory_equal(out, pt, 40);
        psa_destroy_key(id);
    }
}

static void test_key_type_and_policy(void **state)
{
    (void)state;
    uint8_t key[32] = {4}, nonce[13] = {0}, pt[16] = {0}, out[64];
    size_t n = 0;
    typedef struct type_case {
        psa_key_type_t type;
        size_t key_length;
        psa_algorithm_t alg;
        psa_status_t expected;
    } type_case_t;
    static const type_case_t cases[] = {
        {PSA_KEY_TYPE_HMAC, 16, PSA_ALG_GCM, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_ALG_GCM, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 32, PSA_ALG_CHACHA20_POLY1305, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CHACHA20, 32, PSA_ALG_XCHACHA20_POLY1305, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_XCHACHA20, 32, PSA_ALG_CHACHA20_POLY1305, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_DES, 24, PSA_ALG_CCM, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_CAMELLIA, 16, PSA_ALG_GCM, PSA_ERROR_NOT_SUPPORTED},
        {PSA_KEY_TYPE_SM4, 16, PSA_ALG_CCM, PSA_ERROR_NOT_SUPPORTED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const type_case_t *c = &cases[i];
        psa_key_id_t id = import_key(c->type, ENC_DEC, c->alg, key, c->key_length);
        size_t nonce_length = c->alg == PSA_ALG_CCM ? 13 : 12;
        assert_int_equal(psa_aead_encrypt(id, c->alg, nonce, nonce_length, NULL, 0, pt, 16, out,
                                          sizeof(out), &n),
                         c->expected);
        assert_int_equal(
            psa_aead_decrypt(id, c->alg, nonce, nonce_length, NULL, 0, out, 32, pt, sizeof(pt), &n),
            c->expected);
        psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
        assert_int_equal(psa_aead_encrypt_setup(&op, id, c->alg), c->expected);
        assert_null(op.ctx);
        assert_int_equal(psa_aead_decrypt_setup(&op, id, c->alg), c->expected);
        psa_destroy_key(id);
    }

    /* At-least-this-length policy: GCM with 8 or more tag bytes. */
    psa_algorithm_t at_least = PSA_ALG_AEAD_WITH_AT_LEAST_THIS_LENGTH_TAG(PSA_ALG_GCM, 8);
    psa_key_id_t id = import_key(PSA_KEY_TYPE_AES, ENC_DEC, at_least, key, 16);
    assert_int_equal(psa_aead_encrypt(id, GCM_TAG(8), nonce, 12, NULL, 0, pt, 16, out, 64, &n),
                     PSA_SUCCESS);
    assert_int_equal(n, 24);
    assert_int_equal(psa_aead_encrypt(id, PSA_ALG_GCM, nonce, 12, NULL, 0, pt, 16, out, 64, &n),
                     PSA_SUCCESS);
    assert_int_equal(n, 32);
    assert_int_equal(psa_aead_encrypt(id, GCM_TAG(4), nonce, 12, NULL, 0, pt, 16, out, 64, &n),
                     PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_aead_encrypt(id, CCM_TAG(8), nonce, 13, NULL, 0, pt, 16, out, 64, &n),
                     PSA_ERROR_NOT_PERMITTED);
    /* The wildcard itself names no algorithm. */
    assert_int_equal(psa_aead_encrypt(id, at_least, nonce, 12, NULL, 0, pt, 16, out, 64, &n),
                     PSA_ERROR_INVALID_ARGUMENT);
    /* Not an AEAD algorithm. */
    assert_int_equal(
        psa_aead_encrypt(id, PSA_ALG_CBC_NO_PADDING, nonce, 12, NULL, 0, pt, 16, out, 64, &n),
        PSA_ERROR_INVALID_ARGUMENT);
    psa_destroy_key(id);

    /* Usage flags. */
    psa_key_id_t enc_only =
        import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_GCM, key, 16);
    psa_key_id_t dec_only =
        import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_DECRYPT, PSA_ALG_GCM, key, 16);
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    assert_int_equal(
        psa_aead_encrypt(dec_only, PSA_ALG_GCM, nonce, 12, NULL, 0, pt, 16, out, 64, &n),
        PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_aead_encrypt_setup(&op, dec_only, PSA_ALG_GCM), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_aead_decrypt_setup(&op, enc_only, PSA_ALG_GCM), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(
        psa_aead_encrypt(enc_only, PSA_ALG_GCM, nonce, 12, NULL, 0, pt, 16, out, 64, &n),
        PSA_SUCCESS);
    size_t m = 0;
    uint8_t back[16];
    assert_int_equal(
        psa_aead_decrypt(enc_only, PSA_ALG_GCM, nonce, 12, NULL, 0, out, n, back, 16, &m),
        PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(
        psa_aead_decrypt(dec_only, PSA_ALG_GCM, nonce, 12, NULL, 0, out, n, back, 16, &m),
        PSA_SUCCESS);
    assert_memory_equal(back, pt, 16);
    assert_int_equal(psa_aead_encrypt(0, PSA_ALG_GCM, nonce, 12, NULL, 0, pt, 16, out, 64, &n),
                     PSA_ERROR_INVALID_HANDLE);
    assert_int_equal(psa_aead_encrypt_setup(&op, 0x7654321, PSA_ALG_GCM), PSA_ERROR_INVALID_HANDLE);
    psa_destroy_key(enc_only);
    psa_destroy_key(dec_only);
}

static void test_state_machine(void **state)
{
    (void)state;
    uint8_t key[16] = {2}, nonce[13] = {0}, data[32] = {0}, out[64], tag[16];
    size_t n = 0, t = 0;
    psa_key_id_t gcm = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, key, 16);
    psa_key_id_t ccm = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CCM, key, 16);
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;

    /* Inactive. */
    assert_int_equal(psa_aead_set_nonce(&op, nonce, 12), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_aead_set_lengths(&op, 0, 0), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_aead_update_ad(&op, data, 1), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_aead_update(&op, data, 1, out, 64, &n), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_aead_finish(&op, out, 64, &n, tag, 16, &t), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_aead_verify(&op, out, 64, &n, tag, 16), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_aead_abort(&op), PSA_SUCCESS);

    /* Spec, every multi-part function after setup: "If this function returns an error status,
     * the operation enters an error state and must be aborted by calling psa_aead_abort()" --
     * BAD_STATE included. Setup on an active operation is refused and leaves it as it was. */
    /* Each out-of-order call: BAD_STATE, and the operation then refuses everything but abort. */
    typedef enum { NONE_SET, NONCE_SET, AD_DONE, BODY_DONE } stage_t;
    static const struct {
        psa_algorithm_t alg;
        bool encrypt;
        stage_t stage;
        int call; /* 0 update_ad, 1 update, 2 finish, 3 verify, 4 set_nonce, 5 generate_nonce,
                   * 6 set_lengths */
    } wrong[] = {
        {PSA_ALG_GCM, true, NONE_SET, 0},  {PSA_ALG_GCM, true, NONE_SET, 1},
        {PSA_ALG_GCM, true, NONE_SET, 2},  {PSA_ALG_GCM, true, NONCE_SET, 4},
        {PSA_ALG_GCM, true, NONCE_SET, 5}, {PSA_ALG_GCM, true, AD_DONE, 6},
        {PSA_ALG_GCM, true, BODY_DONE, 0}, {PSA_ALG_GCM, true, BODY_DONE, 3},
        {PSA_ALG_GCM, false, NONE_SET, 5}, {PSA_ALG_GCM, false, NONCE_SET, 2},
        {PSA_ALG_CCM, true, NONCE_SET, 0}, {PSA_ALG_CCM, true, NONCE_SET, 1},
        {PSA_ALG_CCM, true, NONCE_SET, 2},
    };
    for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
        psa_key_id_t k = wrong[w].alg == PSA_ALG_GCM ? gcm : ccm;
        size_t nl = wrong[w].alg == PSA_ALG_GCM ? 12 : 13;
        assert_int_equal(wrong[w].encrypt ? psa_aead_encrypt_setup(&op, k, wrong[w].alg)
                                          : psa_aead_decrypt_setup(&op, k, wrong[w].alg),
                         PSA_SUCCESS);
        /* A second setup is refused and leaves the operation as it was. */
        assert_int_equal(psa_aead_encrypt_setup(&op, k, wrong[w].alg), PSA_ERROR_BAD_STATE);
        if (wrong[w].stage >= NONCE_SET) {
            assert_int_equal(psa_aead_set_nonce(&op, nonce, nl), PSA_SUCCESS);
        }
        if (wrong[w].stage >= AD_DONE) {
            assert_int_equal(psa_aead_update_ad(&op, data, 3), PSA_SUCCESS);
        }
        if (wrong[w].stage >= BODY_DONE) {
            assert_int_equal(psa_aead_update(&op, data, 5, out, 64, &n), PSA_SUCCESS);
        }
        psa_status_t status = PSA_SUCCESS;
        switch (wrong[w].call) {
        case 0: status = psa_aead_update_ad(&op, data, 1); break;
        case 1: status = psa_aead_update(&op, data, 1, out, 64, &n); break;
        case 2: status = psa_aead_finish(&op, out, 64, &n, tag, 16, &t); break;
        case 3: status = psa_aead_verify(&op, out, 64, &n, tag, 16); break;
        case 4: status = psa_aead_set_nonce(&op, nonce, nl); break;
        case 5: status = psa_aead_generate_nonce(&op, nonce, sizeof(nonce), &n); break;
        default: status = psa_aead_set_lengths(&op, 3, 0); break;
        }
        assert_int_equal(status, PSA_ERROR_BAD_STATE);
        /* Error state: even what was valid before is refused. */
        assert_int_equal(psa_aead_update(&op, data, 0, out, 64, &n), PSA_ERROR_BAD_STATE);
        assert_int_equal(psa_aead_abort(&op), PSA_SUCCESS);
    }

    /* A too small nonce buffer: error state. */
    assert_int_equal(psa_aead_encrypt_setup(&op, gcm, PSA_ALG_GCM), PSA_SUCCESS);
    assert_int_equal(psa_aead_generate_nonce(&op, nonce, 11, &n), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(psa_aead_set_nonce(&op, nonce, 12), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_aead_abort(&op), PSA_SUCCESS);
    /* In order: generate, AD, data, finish (a short tag buffer: error state). */
    assert_int_equal(psa_aead_encrypt_setup(&op, gcm, PSA_ALG_GCM), PSA_SUCCESS);
    assert_int_equal(psa_aead_generate_nonce(&op, nonce, sizeof(nonce), &n), PSA_SUCCESS);
    assert_int_equal(n, 12);
    assert_int_equal(psa_aead_update_ad(&op, data, 3), PSA_SUCCESS);
    assert_int_equal(psa_aead_update(&op, data, 5, out, 64, &n), PSA_SUCCESS);
    assert_int_equal(psa_aead_finish(&op, out, 64, &n, tag, 15, &t), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(psa_aead_finish(&op, out, 64, &n, tag, 16, &t), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_aead_abort(&op), PSA_SUCCESS);

    /* Decryption: lengths once, in any order with the nonce. */
    assert_int_equal(psa_aead_decrypt_setup(&op, gcm, PSA_ALG_GCM), PSA_SUCCESS);
    assert_int_equal(psa_aead_set_nonce(&op, nonce, 12), PSA_SUCCESS);
    assert_int_equal(psa_aead_set_lengths(&op, 0, 0), PSA_SUCCESS);
    assert_int_equal(psa_aead_set_lengths(&op, 0, 0), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_aead_abort(&op), PSA_SUCCESS);

    /* CCM needs the lengths before data, in either order with the nonce. */
    assert_int_equal(psa_aead_encrypt_setup(&op, ccm, PSA_ALG_CCM), PSA_SUCCESS);
    assert_int_equal(psa_aead_set_nonce(&op, nonce, 13), PSA_SUCCESS);
    assert_int_equal(psa_aead_set_lengths(&op, 0, 0), PSA_SUCCESS);
    assert_int_equal(psa_aead_finish(&op, out, 64, &n, tag, 16, &t), PSA_SUCCESS);
    assert_int_equal(t, 16);
    assert_int_equal(psa_aead_abort(&op), PSA_SUCCESS);

    /* Declared lengths are enforced: too much AD, too much data, AD short at data, short at
     * finish; and a too small output buffer. Each error leaves the operation usable only for abort.
     */
    psa_key_id_t keys[] = {gcm, ccm};
    psa_algorithm_t algs[] = {PSA_ALG_GCM, PSA_ALG_CCM};
    for (size_t k = 0; k < 2; k++) {
        size_t nl = k == 0 ? 12 : 13;
        for (int variant = 0; variant < 5; variant++) {
            assert_int_equal(psa_aead_encrypt_setup(&op, keys[k], algs[k]), PSA_SUCCESS);
            assert_int_equal(psa_aead_set_lengths(&op, 4, 8), PSA_SUCCESS);
            assert_int_equal(psa_aead_set_nonce(&op, nonce, nl), PSA_SUCCESS);
            psa_status_t status;
            psa_status_t expected = PSA_ERROR_INVALID_ARGUMENT;
            if (variant == 0) {
                status = psa_aead_update_ad(&op, data, 5);
            } else if (variant == 1) {
                assert_int_equal(psa_aead_update_ad(&op, data, 4), PSA_SUCCESS);
                status = psa_aead_update(&op, data, 9, out, 64, &n);
            } else if (variant == 2) {
                assert_int_equal(psa_aead_update_ad(&op, data, 3), PSA_SUCCESS);
                status = psa_aead_update(&op, data, 1, out, 64, &n);
            } else if (variant == 3) {
                assert_int_equal(psa_aead_update_ad(&op, data, 4), PSA_SUCCESS);
                assert_int_equal(psa_aead_update(&op, data, 7, out, 64, &n), PSA_SUCCESS);
                status = psa_aead_finish(&op, out, 64, &n, tag, 16, &t);
            } else {
                assert_int_equal(psa_aead_update_ad(&op, data, 4), PSA_SUCCESS);
                status = psa_aead_update(&op, data, 8, out, 7, &n);
                expected = PSA_ERROR_BUFFER_TOO_SMALL;
            }
            assert_int_equal(status, expected);
            assert_int_equal(psa_aead_update_ad(&op, data, 0), PSA_ERROR_BAD_STATE);
            assert_int_equal(psa_aead_abort(&op), PSA_SUCCESS);
        }
    }
    psa_destroy_key(gcm);
    psa_destroy_key(ccm);
}

typedef struct thread_arg {
    psa_key_id_t id;
    int failures;
} thread_arg_t;

static void *aead_thread(void *p)
{
    thread_arg_t *arg = p;
    uint8_t nonce[12], in[64], out[96], back[96];
    for (int i = 0; i < 300; i++) {
        size_t n = 0, m = 0;
        memset(nonce, i, sizeof(nonce));
        memset(in, i + 1, sizeof(in));
        if (psa_aead_encrypt(arg->id, PSA_ALG_GCM, nonce, 12, nonce, 3, in, 64, out, sizeof(out),
                             &n) != PSA_SUCCESS ||
            psa_aead_decrypt(arg->id, PSA_ALG_GCM, nonce, 12, nonce, 3, out, n, back, sizeof(back),
                             &m) != PSA_SUCCESS ||
            m != 64 || memcmp(back, in, 64) != 0) {
            arg->failures++;
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    uint8_t key[16] = {3};
    psa_key_id_t id = import_key(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, key, 16);
    pthread_t threads[6];
    thread_arg_t args[6];
    for (int i = 0; i < 6; i++) {
        args[i].id = id;
        args[i].failures = 0;
        assert_int_equal(pthread_create(&threads[i], NULL, aead_thread, &args[i]), 0);
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
    static const uint8_t key[16] = {4};
    uint8_t nonce[13] = {1}, data[16] = {2}, out[64], tag[16];
    size_t n = 0, t = 0;
    static const psa_algorithm_t algs[2] = {PSA_ALG_GCM, PSA_ALG_CCM};
    for (int a = 0; a < 2; a++) {
        for (int at = 0; at < 4; at++) {
            psa_key_id_t k = import_key(PSA_KEY_TYPE_AES, ENC_DEC, algs[a], key, 16);
            psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
            assert_int_equal(psa_aead_encrypt_setup(&op, k, algs[a]), PSA_SUCCESS);
            assert_int_equal(psa_aead_set_lengths(&op, 4, 16), PSA_SUCCESS);
            if (at > 0) {
                assert_int_equal(psa_aead_set_nonce(&op, nonce, a == 0 ? 12 : 13), PSA_SUCCESS);
            }
            if (at > 1) {
                assert_int_equal(psa_aead_update_ad(&op, data, 4), PSA_SUCCESS);
            }
            assert_int_equal(psa_destroy_key(k), PSA_SUCCESS);
            psa_status_t status;
            if (at == 0) {
                status = psa_aead_set_nonce(&op, nonce, a == 0 ? 12 : 13);
            } else if (at == 1) {
                status = psa_aead_update_ad(&op, data, 4);
            } else if (at == 2) {
                status = psa_aead_update(&op, data, 16, out, sizeof(out), &n);
            } else {
                status = psa_aead_finish(&op, out, sizeof(out), &n, tag, sizeof(tag), &t);
            }
            assert_int_equal(status, PSA_ERROR_BAD_STATE);
            assert_int_equal(psa_aead_update(&op, data, 0, out, sizeof(out), &n),
                             PSA_ERROR_BAD_STATE);
            assert_int_equal(psa_aead_abort(&op), PSA_SUCCESS);
            assert_int_equal(psa_aead_encrypt_setup(&op, k, algs[a]), PSA_ERROR_INVALID_HANDLE);
        }
    }
}

/* AES keys of 384 and 512 bits are XTS's two-key form, not a GCM or CCM key: INVALID_ARGUMENT. */
static void test_xts_only_key_sizes(void **state)
{
    (void)state;
    uint8_t key[64] = {7}, nonce[13] = {0}, out[64];
    size_t n = 0;
    static const psa_algorithm_t algs[2] = {PSA_ALG_GCM, PSA_ALG_CCM};
    for (size_t bytes = 48; bytes <= 64; bytes += 16) {
        for (int a = 0; a < 2; a++) {
            psa_key_id_t k = import_key(PSA_KEY_TYPE_AES, ENC_DEC, algs[a], key, bytes);
            assert_int_equal(psa_aead_encrypt(k, algs[a], nonce, a == 0 ? 12 : 13, NULL, 0, key,
                                              16, out, sizeof(out), &n),
                             PSA_ERROR_INVALID_ARGUMENT);
            psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
            assert_int_equal(psa_aead_decrypt_setup(&op, k, algs[a]), PSA_ERROR_INVALID_ARGUMENT);
            assert_null(op.ctx);
            assert_int_equal(psa_destroy_key(k), PSA_SUCCESS);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_vectors),
        cmocka_unit_test(test_multipart_equals_oneshot),
        cmocka_unit_test(test_nonce_length_changes),
        cmocka_unit_test(test_tag_and_nonce_lengths),
        cmocka_unit_test(test_bad_tag_and_buffers),
        cmocka_unit_test(test_key_type_and_policy),
        cmocka_unit_test(test_state_machine),
        cmocka_unit_test(test_destroy_key_in_use),
        cmocka_unit_test(test_xts_only_key_sizes),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup_suite, NULL);
}
