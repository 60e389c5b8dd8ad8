/* Crypto suite, unauthenticated ciphers: AES ECB/CBC/CTR (FIPS 197, SP 800-38A) and errors. */
#include <string.h>

#include "runner.h"

#define TEST(name) static void name(test_state_t *T)

#define ENC_DEC (PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT)
/* FIPS 197 appendix C */
#define FIPS_PT "00112233445566778899aabbccddeeff"
/* SP 800-38A F.2.1 (CBC) and F.5.1 (CTR), two blocks */
#define SP_KEY "2b7e151628aed2a6abf7158809cf4f3c"
#define SP_PT "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
#define SP_CBC_IV "000102030405060708090a0b0c0d0e0f"
#define SP_CBC_CT "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
#define SP_CTR_IV "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
#define SP_CTR_CT "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"

static void ecb_kat(test_state_t *T, const char *key_hex, const char *ct_hex)
{
    psa_key_id_t key = 0;
    uint8_t k[32], ct[16], out[32];
    size_t klen = test_unhex(key_hex, k, sizeof(k)), clen = test_unhex(ct_hex, ct, sizeof(ct));
    size_t len = 0;
    HEX(pt, FIPS_PT);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_ECB_NO_PADDING, k, klen, &key));
    CHECK_OK(psa_cipher_encrypt(key, PSA_ALG_ECB_NO_PADDING, pt, pt_len, out, sizeof(out), &len));
    CHECK_BYTES(out, len, ct, clen);
cleanup:
    tk_destroy(&key);
}

TEST(t_ecb128)
{
    ecb_kat(T, "000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a");
}
TEST(t_ecb192)
{
    ecb_kat(T, "000102030405060708090a0b0c0d0e0f1011121314151617",
            "dda97ca4864cdfe06eaf70a0ec0d7191");
}
TEST(t_ecb256)
{
    ecb_kat(T, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "8ea2b7ca516745bfeafc49904b496089");
}

TEST(t_ecb_decrypt)
{
    psa_key_id_t key = 0;
    HEX(k, "000102030405060708090a0b0c0d0e0f");
    HEX(ct, "69c4e0d86a7b0430d8cdb78070b4c55a");
    HEX(pt, FIPS_PT);
    uint8_t out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_ECB_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_decrypt(key, PSA_ALG_ECB_NO_PADDING, ct, ct_len, out, sizeof(out), &len));
    CHECK_BYTES(out, len, pt, pt_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_cbc_decrypt_oneshot)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    HEX(in, SP_CBC_IV SP_CBC_CT);
    HEX(pt, SP_PT);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_decrypt(key, PSA_ALG_CBC_NO_PADDING, in, in_len, out, sizeof(out), &len));
    CHECK_BYTES(out, len, pt, pt_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_cbc_multipart_encrypt)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    HEX(iv, SP_CBC_IV);
    HEX(pt, SP_PT);
    HEX(ct, SP_CBC_CT);
    uint8_t out[64];
    size_t len = 0, total = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_OK(psa_cipher_set_iv(&op, iv, iv_len));
    CHECK_OK(psa_cipher_update(&op, pt, 10, out, sizeof(out), &len));
    total += len;
    CHECK_OK(psa_cipher_update(&op, pt + 10, pt_len - 10, out + total, sizeof(out) - total, &len));
    total += len;
    CHECK_OK(psa_cipher_finish(&op, out + total, sizeof(out) - total, &len));
    total += len;
    CHECK_BYTES(out, total, ct, ct_len);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_ctr_multipart_encrypt)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    HEX(iv, SP_CTR_IV);
    HEX(pt, SP_PT);
    HEX(ct, SP_CTR_CT);
    uint8_t out[64];
    size_t len = 0, total = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CTR, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CTR));
    CHECK_OK(psa_cipher_set_iv(&op, iv, iv_len));
    CHECK_OK(psa_cipher_update(&op, pt, 7, out, sizeof(out), &len));
    total += len;
    CHECK_OK(psa_cipher_update(&op, pt + 7, pt_len - 7, out + total, sizeof(out) - total, &len));
    total += len;
    CHECK_OK(psa_cipher_finish(&op, out + total, sizeof(out) - total, &len));
    total += len;
    CHECK_BYTES(out, total, ct, ct_len);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_ctr_decrypt_oneshot)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    HEX(in, SP_CTR_IV SP_CTR_CT);
    HEX(pt, SP_PT);
    uint8_t out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CTR, k, k_len, &key));
    CHECK_OK(psa_cipher_decrypt(key, PSA_ALG_CTR, in, in_len, out, sizeof(out), &len));
    CHECK_BYTES(out, len, pt, pt_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_cbc_encrypt_roundtrip)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    HEX(pt, SP_PT);
    uint8_t ct[64], back[64];
    size_t clen = 0, blen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt(key, PSA_ALG_CBC_NO_PADDING, pt, pt_len, ct, sizeof(ct), &clen));
    CHECK_VALUE(clen, 16 + pt_len);
    CHECK_OK(psa_cipher_decrypt(key, PSA_ALG_CBC_NO_PADDING, ct, clen, back, sizeof(back), &blen));
    CHECK_BYTES(back, blen, pt, pt_len);
cleanup:
    tk_destroy(&key);
}

TEST(t_pkcs7_roundtrip)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    HEX(pt, SP_PT);
    uint8_t ct[80], back[80];
    size_t clen = 0, blen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_PKCS7, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt(key, PSA_ALG_CBC_PKCS7, pt, 20, ct, sizeof(ct), &clen));
    CHECK_VALUE(clen, 16 + 32);
    CHECK_OK(psa_cipher_decrypt(key, PSA_ALG_CBC_PKCS7, ct, clen, back, sizeof(back), &blen));
    CHECK_BYTES(back, blen, pt, 20);
cleanup:
    tk_destroy(&key);
}

TEST(t_pkcs7_bad_padding)
{
    /* A CBC block that decrypts to all zeroes has a padding byte of 0: invalid for PKCS#7. */
    psa_key_id_t raw = 0, padded = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    HEX(iv, SP_CBC_IV);
    uint8_t zero[16] = {0}, in[32], out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &raw));
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_PKCS7, k, k_len, &padded));
    CHECK_OK(psa_cipher_encrypt_setup(&op, raw, PSA_ALG_CBC_NO_PADDING));
    CHECK_OK(psa_cipher_set_iv(&op, iv, iv_len));
    CHECK_OK(psa_cipher_update(&op, zero, 16, in + 16, 16, &len));
    memcpy(in, iv, 16);
    CHECK_STATUS(psa_cipher_decrypt(padded, PSA_ALG_CBC_PKCS7, in, 32, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_PADDING);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&raw);
    tk_destroy(&padded);
}

TEST(t_ecb_partial_block)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    uint8_t in[20] = {0}, out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_ECB_NO_PADDING, k, k_len, &key));
    CHECK_STATUS(psa_cipher_encrypt(key, PSA_ALG_ECB_NO_PADDING, in, 20, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_usage_denied)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    uint8_t in[16] = {0}, out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_DECRYPT, PSA_ALG_CTR, k, k_len, &key));
    CHECK_STATUS(psa_cipher_encrypt(key, PSA_ALG_CTR, in, 16, out, sizeof(out), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_alg_denied)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    uint8_t in[16] = {0}, out[48];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_STATUS(psa_cipher_encrypt(key, PSA_ALG_CTR, in, 16, out, sizeof(out), &len),
                 PSA_ERROR_NOT_PERMITTED);
cleanup:
    tk_destroy(&key);
}

TEST(t_not_cipher_alg)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    uint8_t in[16] = {0}, out[64];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_GCM, k, k_len, &key));
    CHECK_STATUS(psa_cipher_encrypt(key, PSA_ALG_GCM, in, 16, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_small_output)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    uint8_t in[32] = {0}, out[48];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_STATUS(psa_cipher_encrypt(key, PSA_ALG_CBC_NO_PADDING, in, 32, out, 47, &len),
                 PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    tk_destroy(&key);
}

TEST(t_decrypt_short_input)
{
    psa_key_id_t key = 0;
    HEX(k, SP_KEY);
    uint8_t in[8] = {0}, out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_STATUS(psa_cipher_decrypt(key, PSA_ALG_CBC_NO_PADDING, in, 8, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

TEST(t_update_before_iv)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    uint8_t in[16] = {0}, out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_STATUS(psa_cipher_update(&op, in, 16, out, sizeof(out), &len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_set_iv_twice)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    HEX(iv, SP_CBC_IV);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_OK(psa_cipher_set_iv(&op, iv, iv_len));
    CHECK_STATUS(psa_cipher_set_iv(&op, iv, iv_len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_set_iv_bad_length)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    HEX(iv, SP_CBC_IV);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_STATUS(psa_cipher_set_iv(&op, iv, 8), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_generate_iv)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT, dec = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    HEX(pt, SP_PT);
    uint8_t iv[16], ct[32], back[32];
    size_t ivlen = 0, len = 0, total = 0, blen = 0, btotal = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_OK(psa_cipher_generate_iv(&op, iv, sizeof(iv), &ivlen));
    CHECK_VALUE(ivlen, 16);
    CHECK_OK(psa_cipher_update(&op, pt, pt_len, ct, sizeof(ct), &len));
    total = len;
    CHECK_OK(psa_cipher_finish(&op, ct + total, sizeof(ct) - total, &len));
    total += len;
    CHECK_OK(psa_cipher_decrypt_setup(&dec, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_OK(psa_cipher_set_iv(&dec, iv, ivlen));
    CHECK_OK(psa_cipher_update(&dec, ct, total, back, sizeof(back), &blen));
    btotal = blen;
    CHECK_OK(psa_cipher_finish(&dec, back + btotal, sizeof(back) - btotal, &blen));
    btotal += blen;
    CHECK_BYTES(back, btotal, pt, pt_len);
cleanup:
    psa_cipher_abort(&op);
    psa_cipher_abort(&dec);
    tk_destroy(&key);
}

TEST(t_generate_iv_small)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    uint8_t iv[16];
    size_t ivlen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_STATUS(psa_cipher_generate_iv(&op, iv, 15, &ivlen), PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_generate_iv_after_set)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    HEX(civ, SP_CBC_IV);
    uint8_t iv[16];
    size_t ivlen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_OK(psa_cipher_set_iv(&op, civ, civ_len));
    CHECK_STATUS(psa_cipher_generate_iv(&op, iv, sizeof(iv), &ivlen), PSA_ERROR_BAD_STATE);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_generate_iv_on_decrypt)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    uint8_t iv[16];
    size_t ivlen = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_decrypt_setup(&op, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_STATUS(psa_cipher_generate_iv(&op, iv, sizeof(iv), &ivlen), PSA_ERROR_BAD_STATE);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_finish_inactive)
{
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    uint8_t out[16];
    size_t len = 0;
    CHECK_STATUS(psa_cipher_finish(&op, out, sizeof(out), &len), PSA_ERROR_BAD_STATE);
cleanup:
    psa_cipher_abort(&op);
}

TEST(t_setup_twice)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CTR, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CTR));
    CHECK_STATUS(psa_cipher_decrypt_setup(&op, key, PSA_ALG_CTR), PSA_ERROR_BAD_STATE);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_update_small_output)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    HEX(iv, SP_CTR_IV);
    uint8_t in[32] = {0}, out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CTR, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CTR));
    CHECK_OK(psa_cipher_set_iv(&op, iv, iv_len));
    CHECK_STATUS(psa_cipher_update(&op, in, 32, out, 16, &len), PSA_ERROR_BUFFER_TOO_SMALL);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

TEST(t_cbc_finish_partial)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    HEX(k, SP_KEY);
    HEX(iv, SP_CBC_IV);
    uint8_t in[20] = {0}, out[48];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, ENC_DEC, PSA_ALG_CBC_NO_PADDING, k, k_len, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CBC_NO_PADDING));
    CHECK_OK(psa_cipher_set_iv(&op, iv, iv_len));
    CHECK_OK(psa_cipher_update(&op, in, 20, out, sizeof(out), &len));
    CHECK_STATUS(psa_cipher_finish(&op, out, sizeof(out), &len), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

/* psa_destroy_key: "If a key is currently in use in a multi-part operation, then destroying the
 * key will cause the multi-part operation to fail." This implementation answers BAD_STATE and the
 * operation is then in its error state until psa_cipher_abort(). */
TEST(t_destroy_during_op)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    uint8_t k[16] = {1}, iv[16] = {0}, in[16] = {0}, out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, k, 16, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CTR));
    CHECK_OK(psa_cipher_set_iv(&op, iv, 16));
    tk_destroy(&key);
    CHECK_STATUS(psa_cipher_update(&op, in, 16, out, sizeof(out), &len), PSA_ERROR_BAD_STATE);
    CHECK_VALUE(len, 0);
    CHECK_STATUS(psa_cipher_finish(&op, out, sizeof(out), &len), PSA_ERROR_BAD_STATE);
    CHECK_OK(psa_cipher_abort(&op));
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

/* "If this function returns an error status, the operation enters an error state and must be
 * aborted by calling psa_cipher_abort()": BAD_STATE from a call on an active operation too. */
TEST(t_update_before_iv_error_state)
{
    psa_key_id_t key = 0;
    psa_cipher_operation_t op = PSA_CIPHER_OPERATION_INIT;
    uint8_t k[16] = {1}, iv[16] = {0}, in[16] = {0}, out[32];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, k, 16, &key));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CTR));
    CHECK_STATUS(psa_cipher_update(&op, in, 16, out, sizeof(out), &len), PSA_ERROR_BAD_STATE);
    CHECK_STATUS(psa_cipher_set_iv(&op, iv, 16), PSA_ERROR_BAD_STATE);
    CHECK_OK(psa_cipher_abort(&op));
    CHECK_OK(psa_cipher_encrypt_setup(&op, key, PSA_ALG_CTR));
    CHECK_OK(psa_cipher_set_iv(&op, iv, 16));
    CHECK_OK(psa_cipher_update(&op, in, 16, out, sizeof(out), &len));
    CHECK_VALUE(len, 16);
cleanup:
    psa_cipher_abort(&op);
    tk_destroy(&key);
}

/* AES keys of 384/512 bits are XTS's two-key form: for CTR "the key is not compatible with alg". */
TEST(t_ctr_aes512)
{
    psa_key_id_t key = 0;
    uint8_t k64[64] = {1}, in[16] = {0}, out[48];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_CTR, k64, 64, &key));
    CHECK_STATUS(psa_cipher_encrypt(key, PSA_ALG_CTR, in, 16, out, sizeof(out), &len),
                 PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    tk_destroy(&key);
}

const test_case_t crypto_cipher_tests[] = {
    {"C-CIPH-001", "AES-128 ECB encrypt matches FIPS 197 C.1", t_ecb128},
    {"C-CIPH-002", "AES-192 ECB encrypt matches FIPS 197 C.2", t_ecb192},
    {"C-CIPH-003", "AES-256 ECB encrypt matches FIPS 197 C.3", t_ecb256},
    {"C-CIPH-004", "AES-128 ECB decrypt matches FIPS 197 C.1", t_ecb_decrypt},
    {"C-CIPH-005", "psa_cipher_decrypt AES-CBC (IV prefix) matches SP 800-38A F.2.2",
     t_cbc_decrypt_oneshot},
    {"C-CIPH-006", "multi-part AES-CBC encrypt with set_iv matches SP 800-38A F.2.1",
     t_cbc_multipart_encrypt},
    {"C-CIPH-007", "multi-part AES-CTR encrypt in odd chunks matches SP 800-38A F.5.1",
     t_ctr_multipart_encrypt},
    {"C-CIPH-008", "psa_cipher_decrypt AES-CTR matches SP 800-38A F.5.2", t_ctr_decrypt_oneshot},
    {"C-CIPH-009", "psa_cipher_encrypt CBC prepends a 16-byte IV and decrypts back",
     t_cbc_encrypt_roundtrip},
    {"C-CIPH-010", "CBC-PKCS7 pads 20 bytes to 32 and decrypts back", t_pkcs7_roundtrip},
    {"C-CIPH-011", "CBC-PKCS7 decrypt of a bad padding byte is INVALID_PADDING",
     t_pkcs7_bad_padding},
    {"C-CIPH-012", "ECB encrypt of a partial block is INVALID_ARGUMENT", t_ecb_partial_block},
    {"C-CIPH-013", "psa_cipher_encrypt without ENCRYPT usage is NOT_PERMITTED", t_usage_denied},
    {"C-CIPH-014", "psa_cipher_encrypt with an algorithm outside the policy is NOT_PERMITTED",
     t_alg_denied},
    {"C-CIPH-015", "psa_cipher_encrypt with an AEAD algorithm is INVALID_ARGUMENT",
     t_not_cipher_alg},
    {"C-CIPH-016", "psa_cipher_encrypt into a short buffer is BUFFER_TOO_SMALL", t_small_output},
    {"C-CIPH-017", "psa_cipher_decrypt of input shorter than the IV is INVALID_ARGUMENT",
     t_decrypt_short_input},
    {"C-CIPH-018", "psa_cipher_update before the IV is set is BAD_STATE", t_update_before_iv},
    {"C-CIPH-019", "psa_cipher_set_iv twice is BAD_STATE", t_set_iv_twice},
    {"C-CIPH-020", "psa_cipher_set_iv with an 8-byte IV for CBC is INVALID_ARGUMENT",
     t_set_iv_bad_length},
    {"C-CIPH-021", "psa_cipher_generate_iv gives a 16-byte IV that decrypts the output",
     t_generate_iv},
    {"C-CIPH-022", "psa_cipher_generate_iv into 15 bytes is BUFFER_TOO_SMALL",
     t_generate_iv_small},
    {"C-CIPH-023", "psa_cipher_generate_iv after set_iv is BAD_STATE", t_generate_iv_after_set},
    {"C-CIPH-024", "psa_cipher_generate_iv on a decrypt operation is BAD_STATE",
     t_generate_iv_on_decrypt},
    {"C-CIPH-025", "psa_cipher_finish on an inactive operation is BAD_STATE", t_finish_inactive},
    {"C-CIPH-026", "psa_cipher_decrypt_setup on an active operation is BAD_STATE",
     t_setup_twice},
    {"C-CIPH-027", "psa_cipher_update into a short buffer is BUFFER_TOO_SMALL",
     t_update_small_output},
    {"C-CIPH-028", "CBC without padding: finish with a partial block is INVALID_ARGUMENT",
     t_cbc_finish_partial},
    {"C-CIPH-029", "destroying the key of an active cipher operation makes it fail (BAD_STATE)",
     t_destroy_during_op},
    {"C-CIPH-030", "update before the IV: BAD_STATE, then the error state until abort",
     t_update_before_iv_error_state},
    {"C-CIPH-031", "CTR with a 512-bit AES key is INVALID_ARGUMENT", t_ctr_aes512},
    {NULL, NULL, NULL},
};
