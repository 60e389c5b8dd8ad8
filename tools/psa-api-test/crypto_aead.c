/* Crypto suite, AEAD: GCM, CCM (RFC 3610), ChaCha20-Poly1305 (RFC 8439), one-shot, multi-part. */
#include <string.h>

#include "runner.h"

#define TEST(name) static void name(test_state_t *T)

#define ENC_DEC (PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT)
/* GCM specification (McGrew-Viega) test case 4 */
#define GCM_K "feffe9928665731c6d6a8f9467308308"
#define GCM_N "cafebabefacedbaddecaf888"
#define GCM_P                                                                                     \
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6" \
    "b525b16aedf5aa0de657ba637b39"
#define GCM_A "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define GCM_C                                                                                     \
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84" \
    "aa051ba30b396a0aac973d58e091"
#define GCM_T "5bc94fbc3221a5db94fae95ae7121a47"
/* RFC 3610 packet vector #1 (8-byte tag) */
#define CCM_K "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
#define CCM_N "00000003020100a0a1a2a3a4a5"
#define CCM_A "0001020304050607"
#define CCM_P "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e"
#define CCM_CT "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"
#define CCM8 PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 8)
/* RFC 8439 section 2.8.2 */
#define CP_K "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
#define CP_N "070000004041424344454647"
#define CP_A "50515253c0c1c2c3c4c5c6c7"
#define CP_P                                                                                      \
    "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a20" \
    "4966204920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f722074686520" \
    "6675747572652c2073756e73637265656e20776f756c642062652069742e"
#define CP_C                                                                                      \
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92" \
    "728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b" \
    "4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
#define CP_T "1ae10b594f09e26a7e902ecbd0600691"

TEST(t_gcm_encrypt)
{
    psa_key_id_t key = 0;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    HEX(p, GCM_P);
    HEX(a, GCM_A);
    HEX(expected, GCM_C GCM_T);
    uint8_t out[128];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt(key, PSA_ALG_GCM, n, n_len, a, a_len, p, p_len, out, sizeof(out),
                              &len));
    CHECK_BYTES(out, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_gcm_decrypt)
{
    psa_key_id_t key = 0;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    HEX(p, GCM_P);
    HEX(a, GCM_A);
    HEX(c, GCM_C GCM_T);
    uint8_t out[128];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_decrypt(key, PSA_ALG_GCM, n, n_len, a, a_len, c, c_len, out, sizeof(out),
                              &len));
    CHECK_BYTES(out, len, p, p_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_gcm_zero)
{
    psa_key_id_t key = 0;
    uint8_t k[16] = {0}, n[12] = {0}, p[16] = {0}, out[32];
    HEX(expected, "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf");
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, 16, &key));
    CHECK_OK(psa_aead_encrypt(key, PSA_ALG_GCM, n, 12, NULL, 0, p, 16, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_gcm_short_tag)
{
    psa_key_id_t key = 0;
    const psa_algorithm_t alg = PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_GCM, 12);
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    HEX(p, GCM_P);
    HEX(a, GCM_A);
    HEX(expected, GCM_C GCM_T);
    uint8_t out[128];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, alg, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt(key, alg, n, n_len, a, a_len, p, p_len, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, p_len + 12);
cleanup:
    tk_destroy(&key);
}

TEST(t_ccm_encrypt)
{
    psa_key_id_t key = 0;
    HEX(k, CCM_K);
    HEX(n, CCM_N);
    HEX(p, CCM_P);
    HEX(a, CCM_A);
    HEX(expected, CCM_CT);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, CCM8, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt(key, CCM8, n, n_len, a, a_len, p, p_len, out, sizeof(out), &len));
    CHECK_BYTES(out, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_ccm_decrypt)
{
    psa_key_id_t key = 0;
    HEX(k, CCM_K);
    HEX(n, CCM_N);
    HEX(p, CCM_P);
    HEX(a, CCM_A);
    HEX(c, CCM_CT);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, CCM8, k, k_len, &key));
    CHECK_OK(psa_aead_decrypt(key, CCM8, n, n_len, a, a_len, c, c_len, out, sizeof(out), &len));
    CHECK_BYTES(out, len, p, p_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_chachapoly_encrypt)
{
    psa_key_id_t key = 0;
    HEX(k, CP_K);
    HEX(n, CP_N);
    HEX(p, CP_P);
    HEX(a, CP_A);
    HEX(expected, CP_C CP_T);
    uint8_t out[160];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_CHACHA20, ENC_DEC, PSA_ALG_CHACHA20_POLY1305, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt(key, PSA_ALG_CHACHA20_POLY1305, n, n_len, a, a_len, p, p_len, out,
                              sizeof(out), &len));
    CHECK_BYTES(out, len, expected, expected_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_chachapoly_decrypt)
{
    psa_key_id_t key = 0;
    HEX(k, CP_K);
    HEX(n, CP_N);
    HEX(p, CP_P);
    HEX(a, CP_A);
    HEX(c, CP_C CP_T);
    uint8_t out[160];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_CHACHA20, ENC_DEC, PSA_ALG_CHACHA20_POLY1305, k, k_len, &key));
    CHECK_OK(psa_aead_decrypt(key, PSA_ALG_CHACHA20_POLY1305, n, n_len, a, a_len, c, c_len, out,
                              sizeof(out), &len));
    CHECK_BYTES(out, len, p, p_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_tampered_ciphertext)
{
    psa_key_id_t key = 0;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    HEX(a, GCM_A);
    HEX(c, GCM_C GCM_T);
    uint8_t out[128];
    size_t len = 0;
    c[3] ^= 1;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_STATUS(psa_aead_decrypt(key, PSA_ALG_GCM, n, n_len, a, a_len, c, c_len, out,
                                  sizeof(out), &len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&key);
}

TEST(t_tampered_ad)
{
    psa_key_id_t key = 0;
    HEX(k, CP_K);
    HEX(n, CP_N);
    HEX(a, CP_A);
    HEX(c, CP_C CP_T);
    uint8_t out[160];
    size_t len = 0;
    a[0] ^= 1;
    CHECK_OK(tk_import(PSA_KEY_TYPE_CHACHA20, ENC_DEC, PSA_ALG_CHACHA20_POLY1305, k, k_len, &key));
    CHECK_STATUS(psa_aead_decrypt(key, PSA_ALG_CHACHA20_POLY1305, n, n_len, a, a_len, c, c_len,
                                  out, sizeof(out), &len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    tk_destroy(&key);
}

TEST(t_small_output)
{
    psa_key_id_t key = 0;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    HEX(p, GCM_P);
    uint8_t out[128];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_STATUS(psa_aead_encrypt(key, PSA_ALG_GCM, n, n_len, NULL, 0, p, p_len, out,
                                  p_len + 15, &len),
                 PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    tk_destroy(&key);
}

TEST(t_usage_denied)
{
    psa_key_id_t key = 0;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    uint8_t p[16] = {0}, out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_DECRYPT, PSA_ALG_GCM, k, k_len, &key));
    CHECK_STATUS(psa_aead_encrypt(key, PSA_ALG_GCM, n, n_len, NULL, 0, p, 16, out, sizeof(out),
                                  &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_ccm_bad_nonce)
{
    psa_key_id_t key = 0;
    HEX(k, CCM_K);
    HEX(p, CCM_P);
    uint8_t n[6] = {0}, out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, CCM8, k, k_len, &key));
    CHECK_STATUS(psa_aead_encrypt(key, CCM8, n, 6, NULL, 0, p, p_len, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_not_aead_alg)
{
    psa_key_id_t key = 0;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    uint8_t p[16] = {0}, out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CTR, k, k_len, &key));
    CHECK_STATUS(psa_aead_encrypt(key, PSA_ALG_CTR, n, n_len, NULL, 0, p, 16, out, sizeof(out),
                                  &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_tag_policy)
{
    psa_key_id_t key = 0;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    uint8_t p[16] = {0}, out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC,
                       PSA_ALG_AEAD_WITH_AT_LEAST_THIS_LENGTH_TAG(PSA_ALG_GCM, 12), k, k_len,
                       &key));
    CHECK_OK(psa_aead_encrypt(key, PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_GCM, 12), n, n_len,
                              NULL, 0, p, 16, out, sizeof(out), &len));
    CHECK_VALUE(len, 28);
    CHECK_OK(psa_aead_encrypt(key, PSA_ALG_GCM, n, n_len, NULL, 0, p, 16, out, sizeof(out),
                              &len));
    CHECK_VALUE(len, 32);
    CHECK_STATUS(psa_aead_encrypt(key, PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_GCM, 8), n, n_len,
                                  NULL, 0, p, 16, out, sizeof(out), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_multipart_encrypt)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    HEX(p, GCM_P);
    HEX(a, GCM_A);
    HEX(c, GCM_C);
    HEX(t, GCM_T);
    uint8_t out[128], tag[16];
    size_t len = 0, total = 0, tlen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_OK(psa_aead_update_ad(&op, a, 7));
    CHECK_OK(psa_aead_update_ad(&op, a + 7, a_len - 7));
    CHECK_OK(psa_aead_update(&op, p, 13, out, sizeof(out), &len));
    total += len;
    CHECK_OK(psa_aead_update(&op, p + 13, p_len - 13, out + total, sizeof(out) - total, &len));
    total += len;
    CHECK_OK(psa_aead_finish(&op, out + total, sizeof(out) - total, &len, tag, sizeof(tag),
                             &tlen));
    total += len;
    CHECK_BYTES(out, total, c, c_len);
    CHECK_BYTES(tag, tlen, t, t_len);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_multipart_decrypt)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, CP_K);
    HEX(n, CP_N);
    HEX(p, CP_P);
    HEX(a, CP_A);
    HEX(c, CP_C);
    HEX(t, CP_T);
    uint8_t out[160];
    size_t len = 0, total = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_CHACHA20, ENC_DEC, PSA_ALG_CHACHA20_POLY1305, k, k_len, &key));
    CHECK_OK(psa_aead_decrypt_setup(&op, key, PSA_ALG_CHACHA20_POLY1305));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_OK(psa_aead_update_ad(&op, a, a_len));
    CHECK_OK(psa_aead_update(&op, c, 50, out, sizeof(out), &len));
    total += len;
    CHECK_OK(psa_aead_update(&op, c + 50, c_len - 50, out + total, sizeof(out) - total, &len));
    total += len;
    CHECK_OK(psa_aead_verify(&op, out + total, sizeof(out) - total, &len, t, t_len));
    total += len;
    CHECK_BYTES(out, total, p, p_len);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_multipart_verify_bad)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    HEX(a, GCM_A);
    HEX(c, GCM_C);
    HEX(t, GCM_T);
    uint8_t out[128];
    size_t len = 0, total = 0;
    t[15] ^= 1;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_decrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_OK(psa_aead_update_ad(&op, a, a_len));
    CHECK_OK(psa_aead_update(&op, c, c_len, out, sizeof(out), &len));
    total += len;
    CHECK_STATUS(psa_aead_verify(&op, out + total, sizeof(out) - total, &len, t, t_len),
                 PSA_ERROR_INVALID_SIGNATURE);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_ccm_multipart)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, CCM_K);
    HEX(n, CCM_N);
    HEX(p, CCM_P);
    HEX(a, CCM_A);
    HEX(expected, CCM_CT);
    uint8_t out[64], tag[16];
    size_t len = 0, total = 0, tlen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, CCM8, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, CCM8));
    CHECK_OK(psa_aead_set_lengths(&op, a_len, p_len));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_OK(psa_aead_update_ad(&op, a, a_len));
    CHECK_OK(psa_aead_update(&op, p, 5, out, sizeof(out), &len));
    total += len;
    CHECK_OK(psa_aead_update(&op, p + 5, p_len - 5, out + total, sizeof(out) - total, &len));
    total += len;
    CHECK_OK(psa_aead_finish(&op, out + total, sizeof(out) - total, &len, tag, sizeof(tag),
                             &tlen));
    total += len;
    memcpy(out + total, tag, tlen);
    CHECK_BYTES(out, total + tlen, expected, expected_len);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_ccm_needs_lengths)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, CCM_K);
    HEX(n, CCM_N);
    HEX(a, CCM_A);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, CCM8, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, CCM8));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_STATUS(psa_aead_update_ad(&op, a, a_len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_lengths_exceeded)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    HEX(a, GCM_A);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_lengths(&op, 4, 16));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_STATUS(psa_aead_update_ad(&op, a, a_len), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_lengths_short)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    uint8_t p[8] = {0}, out[64], tag[16];
    size_t len = 0, tlen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_lengths(&op, 0, 16));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_OK(psa_aead_update(&op, p, 8, out, sizeof(out), &len));
    CHECK_STATUS(psa_aead_finish(&op, out, sizeof(out), &len, tag, sizeof(tag), &tlen),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_update_before_nonce)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    uint8_t p[16] = {0}, out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_STATUS(psa_aead_update(&op, p, 16, out, sizeof(out), &len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_ad_after_update)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    uint8_t p[16] = {0}, out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_OK(psa_aead_update(&op, p, 16, out, sizeof(out), &len));
    CHECK_STATUS(psa_aead_update_ad(&op, p, 4), PSA_ERROR_BAD_STATE);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_finish_on_decrypt)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    uint8_t out[64], tag[16];
    size_t len = 0, tlen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_decrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_STATUS(psa_aead_finish(&op, out, sizeof(out), &len, tag, sizeof(tag), &tlen),
                 PSA_ERROR_BAD_STATE);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_verify_on_encrypt)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    HEX(t, GCM_T);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_STATUS(psa_aead_verify(&op, out, sizeof(out), &len, t, t_len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_generate_nonce)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    uint8_t nonce[PSA_AEAD_NONCE_MAX_SIZE], p[16] = {0}, ct[64], tag[16], back[16];
    size_t nlen = 0, len = 0, total = 0, tlen = 0, blen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_generate_nonce(&op, nonce, sizeof(nonce), &nlen));
    CHECK_VALUE(nlen, 12);
    CHECK_OK(psa_aead_update(&op, p, 16, ct, sizeof(ct), &len));
    total = len;
    CHECK_OK(psa_aead_finish(&op, ct + total, sizeof(ct) - total, &len, tag, sizeof(tag), &tlen));
    total += len;
    memcpy(ct + total, tag, tlen);
    CHECK_OK(psa_aead_decrypt(key, PSA_ALG_GCM, nonce, nlen, NULL, 0, ct, total + tlen, back,
                              sizeof(back), &blen));
    CHECK_BYTES(back, blen, p, 16);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_generate_nonce_on_decrypt)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    uint8_t nonce[16];
    size_t nlen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_decrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_STATUS(psa_aead_generate_nonce(&op, nonce, sizeof(nonce), &nlen), PSA_ERROR_BAD_STATE);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_set_nonce_twice)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_STATUS(psa_aead_set_nonce(&op, n, n_len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_abort_reuse)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(n, GCM_N);
    CHECK_OK(psa_aead_abort(&op));
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_nonce(&op, n, n_len));
    CHECK_OK(psa_aead_abort(&op));
    CHECK_OK(psa_aead_abort(&op));
    CHECK_OK(psa_aead_decrypt_setup(&op, key, PSA_ALG_GCM));
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

TEST(t_setup_twice)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_STATUS(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM), PSA_ERROR_BAD_STATE);
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

/* psa_destroy_key: "If a key is currently in use in a multi-part operation, then destroying the
 * key will cause the multi-part operation to fail." This implementation answers BAD_STATE and the
 * operation is then in its error state until psa_aead_abort(). */
TEST(t_destroy_during_op)
{
    psa_key_id_t key = 0;
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    HEX(k, GCM_K);
    HEX(nonce, GCM_N);
    uint8_t in[16] = {0}, out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt_setup(&op, key, PSA_ALG_GCM));
    CHECK_OK(psa_aead_set_nonce(&op, nonce, nonce_len));
    tk_destroy(&key);
    CHECK_STATUS(psa_aead_update(&op, in, 16, out, sizeof(out), &len), PSA_ERROR_BAD_STATE);
    CHECK_VALUE(len, 0);
    CHECK_STATUS(psa_aead_update_ad(&op, in, 1), PSA_ERROR_BAD_STATE);
    CHECK_OK(psa_aead_abort(&op));
cleanup:
    psa_aead_abort(&op);
    tk_destroy(&key);
}

/* PSA_ALG_CCM_STAR_ANY_TAG "permits the PSA_ALG_CCM_STAR_NO_TAG cipher algorithm, the PSA_ALG_CCM
 * AEAD algorithm, and PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, tag_length) for tag_length
 * equal to 4, 8 or 16" (RFC 3610 packet vector 1 with its 8-byte tag). */
TEST(t_ccm_star_any_tag_policy)
{
    psa_key_id_t key = 0;
    HEX(k, CCM_K);
    HEX(nonce, CCM_N);
    HEX(ad, CCM_A);
    HEX(pt, CCM_P);
    HEX(ct, CCM_CT);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CCM_STAR_ANY_TAG, k, k_len, &key));
    CHECK_OK(psa_aead_encrypt(key, CCM8, nonce, nonce_len, ad, ad_len, pt, pt_len, out,
                              sizeof(out), &len));
    CHECK_BYTES(out, len, ct, ct_len);
    CHECK_OK(psa_aead_encrypt(key, PSA_ALG_CCM, nonce, nonce_len, ad, ad_len, pt, pt_len, out,
                              sizeof(out), &len));
    CHECK_VALUE(len, pt_len + 16);
    CHECK_OK(psa_cipher_encrypt(key, PSA_ALG_CCM_STAR_NO_TAG, pt, pt_len, out, sizeof(out),
                                &len));
    CHECK_VALUE(len, 13 + pt_len);
    CHECK_STATUS(psa_aead_encrypt(key, PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, 12), nonce,
                                  nonce_len, ad, ad_len, pt, pt_len, out, sizeof(out), &len),
                 PSA_ERROR_NOT_PERMITTED);
    CHECK_STATUS(psa_aead_encrypt(key, PSA_ALG_GCM, nonce, 12, ad, ad_len, pt, pt_len, out,
                                  sizeof(out), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

const test_case_t crypto_aead_tests[] = {
    {"C-AEAD-001", "AES-128-GCM encrypt matches GCM spec test case 4", t_gcm_encrypt},
    {"C-AEAD-002", "AES-128-GCM decrypt matches GCM spec test case 4", t_gcm_decrypt},
    {"C-AEAD-003", "AES-128-GCM of a zero block matches GCM spec test case 2", t_gcm_zero},
    {"C-AEAD-004", "AES-GCM with a 12-byte tag outputs the truncated tag", t_gcm_short_tag},
    {"C-AEAD-005", "AES-CCM (8-byte tag) encrypt matches RFC 3610 packet vector 1",
     t_ccm_encrypt},
    {"C-AEAD-006", "AES-CCM (8-byte tag) decrypt matches RFC 3610 packet vector 1",
     t_ccm_decrypt},
    {"C-AEAD-007", "ChaCha20-Poly1305 encrypt matches RFC 8439 2.8.2", t_chachapoly_encrypt},
    {"C-AEAD-008", "ChaCha20-Poly1305 decrypt matches RFC 8439 2.8.2", t_chachapoly_decrypt},
    {"C-AEAD-009", "psa_aead_decrypt of a modified ciphertext is INVALID_SIGNATURE",
     t_tampered_ciphertext},
    {"C-AEAD-010", "psa_aead_decrypt with modified associated data is INVALID_SIGNATURE",
     t_tampered_ad},
    {"C-AEAD-011", "psa_aead_encrypt into a short buffer is BUFFER_TOO_SMALL", t_small_output},
    {"C-AEAD-012", "psa_aead_encrypt without ENCRYPT usage is NOT_PERMITTED", t_usage_denied},
    {"C-AEAD-013", "AES-CCM with a 6-byte nonce is INVALID_ARGUMENT", t_ccm_bad_nonce},
    {"C-AEAD-014", "psa_aead_encrypt with a cipher algorithm is INVALID_ARGUMENT",
     t_not_aead_alg},
    {"C-AEAD-015", "an at-least-12-byte tag policy permits 12 and 16 bytes, refuses 8",
     t_tag_policy},
    {"C-AEAD-016", "multi-part GCM encrypt (split AD and input) matches test case 4",
     t_multipart_encrypt},
    {"C-AEAD-017", "multi-part ChaCha20-Poly1305 decrypt and verify match RFC 8439",
     t_multipart_decrypt},
    {"C-AEAD-018", "psa_aead_verify with a wrong tag is INVALID_SIGNATURE",
     t_multipart_verify_bad},
    {"C-AEAD-019", "multi-part CCM with set_lengths matches RFC 3610 packet vector 1",
     t_ccm_multipart},
    {"C-AEAD-020", "multi-part CCM without set_lengths: update_ad is BAD_STATE",
     t_ccm_needs_lengths},
    {"C-AEAD-021", "more associated data than set_lengths declared is INVALID_ARGUMENT",
     t_lengths_exceeded},
    {"C-AEAD-022", "finish with less plaintext than set_lengths declared is INVALID_ARGUMENT",
     t_lengths_short},
    {"C-AEAD-023", "psa_aead_update before the nonce is set is BAD_STATE", t_update_before_nonce},
    {"C-AEAD-024", "psa_aead_update_ad after psa_aead_update is BAD_STATE", t_ad_after_update},
    {"C-AEAD-025", "psa_aead_finish on a decrypt operation is BAD_STATE", t_finish_on_decrypt},
    {"C-AEAD-026", "psa_aead_verify on an encrypt operation is BAD_STATE", t_verify_on_encrypt},
    {"C-AEAD-027", "psa_aead_generate_nonce gives a 12-byte GCM nonce that decrypts",
     t_generate_nonce},
    {"C-AEAD-028", "psa_aead_generate_nonce on a decrypt operation is BAD_STATE",
     t_generate_nonce_on_decrypt},
    {"C-AEAD-029", "psa_aead_set_nonce twice is BAD_STATE", t_set_nonce_twice},
    {"C-AEAD-030", "psa_aead_abort: inactive abort succeeds, an aborted operation is reusable",
     t_abort_reuse},
    {"C-AEAD-031", "psa_aead_encrypt_setup on an active operation is BAD_STATE", t_setup_twice},
    {"C-AEAD-032", "destroying the key of an active AEAD operation makes it fail (BAD_STATE)",
     t_destroy_during_op},
    {"C-AEAD-033", "a CCM_STAR_ANY_TAG policy permits CCM* no-tag and CCM with 4/8/16-byte tags",
     t_ccm_star_any_tag_policy},
    {NULL, NULL, NULL},
};
