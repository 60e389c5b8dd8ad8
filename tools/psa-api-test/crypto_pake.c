/* Crypto suite, PAKE (Crypto API 1.2): operation states, setup checks, EC J-PAKE and SPAKE2+. */
#include <string.h>

#include "runner.h"

#define TEST(name) static void name(test_state_t *T)

#define JPAKE256 PSA_ALG_JPAKE(PSA_ALG_SHA_256)

/* An EC J-PAKE shared secret is the point K (65 bytes for P-256, the input that
 * PSA_ALG_TLS12_ECJPAKE_TO_PMS takes); a group element always fits a PAKE output buffer. */
#define SHARED_KEY_MAX PSA_PAKE_OUTPUT_MAX_SIZE

static psa_pake_cipher_suite_t jpake_suite(void)
{
    psa_pake_cipher_suite_t cs = PSA_PAKE_CIPHER_SUITE_INIT;
    psa_pake_cs_set_algorithm(&cs, JPAKE256);
    psa_pake_cs_set_primitive(&cs,
                              PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC,
                                                 PSA_ECC_FAMILY_SECP_R1, 256));
    psa_pake_cs_set_key_confirmation(&cs, PSA_PAKE_UNCONFIRMED_KEY);
    return cs;
}

TEST(t_abort_inactive)
{
    psa_pake_operation_t op = PSA_PAKE_OPERATION_INIT;
    CHECK_OK(psa_pake_abort(&op));
    CHECK_OK(psa_pake_abort(&op));
cleanup:;
}

TEST(t_set_role_inactive)
{
    psa_pake_operation_t op = PSA_PAKE_OPERATION_INIT;
    CHECK_STATUS(psa_pake_set_role(&op, PSA_PAKE_ROLE_CLIENT), PSA_ERROR_BAD_STATE);
cleanup:
    psa_pake_abort(&op);
}

TEST(t_output_inactive)
{
    psa_pake_operation_t op = PSA_PAKE_OPERATION_INIT;
    uint8_t out[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 0;
    CHECK_STATUS(psa_pake_output(&op, PSA_PAKE_STEP_KEY_SHARE, out, sizeof(out), &len),
                 PSA_ERROR_BAD_STATE);
cleanup:
    psa_pake_abort(&op);
}

TEST(t_setup_not_pake)
{
    psa_pake_operation_t op = PSA_PAKE_OPERATION_INIT;
    psa_pake_cipher_suite_t cs = jpake_suite();
    psa_key_id_t pw = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256,
                       (const uint8_t *)"secret", 6, &pw));
    psa_pake_cs_set_algorithm(&cs, PSA_ALG_SHA_256);
    CHECK_STATUS(psa_pake_setup(&op, pw, &cs), PSA_ERROR_INVALID_ARGUMENT);
cleanup:
    psa_pake_abort(&op);
    tk_destroy(&pw);
}

TEST(t_setup_no_derive)
{
    psa_pake_operation_t op = PSA_PAKE_OPERATION_INIT;
    psa_pake_cipher_suite_t cs = jpake_suite();
    psa_key_id_t pw = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_EXPORT, JPAKE256,
                       (const uint8_t *)"secret", 6, &pw));
    CHECK_STATUS(psa_pake_setup(&op, pw, &cs), PSA_ERROR_NOT_PERMITTED);
cleanup:
    psa_pake_abort(&op);
    tk_destroy(&pw);
}

/* Moves one step's message from one operation to the other. */
static psa_status_t pass(psa_pake_operation_t *from, psa_pake_operation_t *to,
                         psa_pake_step_t step)
{
    uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 0;
    psa_status_t s = psa_pake_output(from, step, buf, sizeof(buf), &len);
    return s != PSA_SUCCESS ? s : psa_pake_input(to, step, buf, len);
}

static psa_status_t pass_round(psa_pake_operation_t *from, psa_pake_operation_t *to, int parts)
{
    psa_status_t s = PSA_SUCCESS;
    for (int i = 0; i < parts && s == PSA_SUCCESS; i++) {
        s = pass(from, to, PSA_PAKE_STEP_KEY_SHARE);
        if (s == PSA_SUCCESS) {
            s = pass(from, to, PSA_PAKE_STEP_ZK_PUBLIC);
        }
        if (s == PSA_SUCCESS) {
            s = pass(from, to, PSA_PAKE_STEP_ZK_PROOF);
        }
    }
    return s;
}

TEST(t_jpake_exchange)
{
    psa_pake_operation_t a = PSA_PAKE_OPERATION_INIT, b = PSA_PAKE_OPERATION_INIT;
    psa_pake_cipher_suite_t cs = jpake_suite();
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t pw = 0, ka = 0, kb = 0;
    uint8_t ea[SHARED_KEY_MAX], eb[SHARED_KEY_MAX];
    size_t la = 0, lb = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256,
                       (const uint8_t *)"secret", 6, &pw));
    CHECK_OK(psa_pake_setup(&a, pw, &cs));
    CHECK_OK(psa_pake_setup(&b, pw, &cs));
    CHECK_OK(psa_pake_set_user(&a, (const uint8_t *)"client", 6));
    CHECK_OK(psa_pake_set_peer(&a, (const uint8_t *)"server", 6));
    CHECK_OK(psa_pake_set_user(&b, (const uint8_t *)"server", 6));
    CHECK_OK(psa_pake_set_peer(&b, (const uint8_t *)"client", 6));
    CHECK_OK(pass_round(&a, &b, 2));
    CHECK_OK(pass_round(&b, &a, 2));
    CHECK_OK(pass_round(&a, &b, 1));
    CHECK_OK(pass_round(&b, &a, 1));
    psa_set_key_type(&attr, PSA_KEY_TYPE_DERIVE);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
    CHECK_OK(psa_pake_get_shared_key(&a, &attr, &ka));
    CHECK_OK(psa_pake_get_shared_key(&b, &attr, &kb));
    CHECK_OK(psa_export_key(ka, ea, sizeof(ea), &la));
    CHECK_OK(psa_export_key(kb, eb, sizeof(eb), &lb));
    CHECK_BYTES(ea, la, eb, lb);
cleanup:
    psa_pake_abort(&a);
    psa_pake_abort(&b);
    tk_destroy(&pw);
    tk_destroy(&ka);
    tk_destroy(&kb);
}

TEST(t_jpake_wrong_password)
{
    psa_pake_operation_t a = PSA_PAKE_OPERATION_INIT, b = PSA_PAKE_OPERATION_INIT;
    psa_pake_cipher_suite_t cs = jpake_suite();
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t pw1 = 0, pw2 = 0, ka = 0, kb = 0;
    uint8_t ea[SHARED_KEY_MAX], eb[SHARED_KEY_MAX];
    size_t la = 0, lb = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256,
                       (const uint8_t *)"secret", 6, &pw1));
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256,
                       (const uint8_t *)"secreT", 6, &pw2));
    CHECK_OK(psa_pake_setup(&a, pw1, &cs));
    CHECK_OK(psa_pake_setup(&b, pw2, &cs));
    CHECK_OK(psa_pake_set_user(&a, (const uint8_t *)"client", 6));
    CHECK_OK(psa_pake_set_peer(&a, (const uint8_t *)"server", 6));
    CHECK_OK(psa_pake_set_user(&b, (const uint8_t *)"server", 6));
    CHECK_OK(psa_pake_set_peer(&b, (const uint8_t *)"client", 6));
    CHECK_OK(pass_round(&a, &b, 2));
    CHECK_OK(pass_round(&b, &a, 2));
    CHECK_OK(pass_round(&a, &b, 1));
    CHECK_OK(pass_round(&b, &a, 1));
    /* Unconfirmed keys: the exchange completes, and different passwords give different keys. */
    psa_set_key_type(&attr, PSA_KEY_TYPE_DERIVE);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
    CHECK_OK(psa_pake_get_shared_key(&a, &attr, &ka));
    CHECK_OK(psa_pake_get_shared_key(&b, &attr, &kb));
    CHECK_OK(psa_export_key(ka, ea, sizeof(ea), &la));
    CHECK_OK(psa_export_key(kb, eb, sizeof(eb), &lb));
    CHECK(la != lb || memcmp(ea, eb, la) != 0);
cleanup:
    psa_pake_abort(&a);
    psa_pake_abort(&b);
    tk_destroy(&pw1);
    tk_destroy(&pw2);
    tk_destroy(&ka);
    tk_destroy(&kb);
}

/* A SPAKE2+ (P-256, HMAC-SHA-256) key pair imported from w0 || w1 (RFC 9383 Appendix C's), and
 * the verifier's public key w0 || L exported from it and imported. */
static psa_status_t spake2p_keys(psa_key_id_t *pair, psa_key_id_t *pub)
{
    HEX(material, "bb8e1bbcf3c48f62c08db243652ae55d3e5586053fca77102994f23ad95491b3"
                  "7e945f34d78785b8a3ef44d0df5a1a97d6b3b460409a345ca7830387a74b1dba");
    /* L = w1*P from the same appendix. */
    HEX(l, "04eb7c9db3d9a9eb1f8adab81b5794c1f13ae3e225efbe91ea487425854c7fc00f00bfedcbd09b2400"
           "142d40a14f2064ef31dfaa903b91d1faea7093d835966efd");
    uint8_t exported[97];
    size_t length = 0;
    psa_status_t s = tk_import(PSA_KEY_TYPE_SPAKE2P_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1),
                               PSA_KEY_USAGE_DERIVE, PSA_ALG_SPAKE2P_HMAC(PSA_ALG_SHA_256),
                               material, material_len, pair);
    if (s == PSA_SUCCESS) {
        s = psa_export_public_key(*pair, exported, sizeof(exported), &length);
    }
    if (s == PSA_SUCCESS && (length != 97 || memcmp(exported, material, 32) != 0 ||
                             memcmp(exported + 32, l, l_len) != 0)) {
        s = PSA_ERROR_CORRUPTION_DETECTED;
    }
    if (s == PSA_SUCCESS) {
        s = tk_import(PSA_KEY_TYPE_SPAKE2P_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1),
                      PSA_KEY_USAGE_DERIVE, PSA_ALG_SPAKE2P_HMAC(PSA_ALG_SHA_256), exported,
                      length, pub);
    }
    return s;
}

static psa_status_t spake2p_side(psa_pake_operation_t *op, psa_key_id_t key,
                                 psa_pake_role_t role)
{
    psa_pake_cipher_suite_t cs = PSA_PAKE_CIPHER_SUITE_INIT;
    psa_pake_cs_set_algorithm(&cs, PSA_ALG_SPAKE2P_HMAC(PSA_ALG_SHA_256));
    psa_pake_cs_set_primitive(
        &cs, PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC, PSA_ECC_FAMILY_SECP_R1, 256));
    psa_pake_cs_set_key_confirmation(&cs, PSA_PAKE_CONFIRMED_KEY);
    psa_status_t s = psa_pake_setup(op, key, &cs);
    if (s == PSA_SUCCESS) {
        s = psa_pake_set_role(op, role);
    }
    if (s == PSA_SUCCESS) {
        s = psa_pake_set_context(op, (const uint8_t *)"psa-api-test", 12);
    }
    return s;
}

/* One message; returns the receiver's status. */
static psa_status_t spake2p_pass(psa_pake_operation_t *from, psa_pake_operation_t *to,
                                 psa_pake_step_t step)
{
    uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 0;
    psa_status_t s = psa_pake_output(from, step, buf, sizeof(buf), &len);
    return s == PSA_SUCCESS ? psa_pake_input(to, step, buf, len) : s;
}

TEST(t_spake2p_exchange)
{
    psa_pake_operation_t p = PSA_PAKE_OPERATION_INIT, v = PSA_PAKE_OPERATION_INIT;
    psa_key_id_t pair = 0, pub = 0, kp = 0, kv = 0;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t ep[32], ev[32];
    size_t lp = 0, lv = 0;
    CHECK_OK(spake2p_keys(&pair, &pub));
    CHECK_OK(spake2p_side(&p, pair, PSA_PAKE_ROLE_CLIENT));
    CHECK_OK(spake2p_side(&v, pub, PSA_PAKE_ROLE_SERVER));
    CHECK_OK(spake2p_pass(&p, &v, PSA_PAKE_STEP_KEY_SHARE));
    CHECK_OK(spake2p_pass(&v, &p, PSA_PAKE_STEP_KEY_SHARE));
    CHECK_OK(spake2p_pass(&v, &p, PSA_PAKE_STEP_CONFIRM));
    CHECK_OK(spake2p_pass(&p, &v, PSA_PAKE_STEP_CONFIRM));
    psa_set_key_type(&attr, PSA_KEY_TYPE_DERIVE);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
    CHECK_OK(psa_pake_get_shared_key(&p, &attr, &kp));
    CHECK_OK(psa_pake_get_shared_key(&v, &attr, &kv));
    CHECK_OK(psa_export_key(kp, ep, sizeof(ep), &lp));
    CHECK_OK(psa_export_key(kv, ev, sizeof(ev), &lv));
    CHECK_BYTES(ep, lp, ev, lv);
    CHECK_VALUE(lp, 32);
cleanup:
    psa_pake_abort(&p);
    psa_pake_abort(&v);
    tk_destroy(&pair);
    tk_destroy(&pub);
    tk_destroy(&kp);
    tk_destroy(&kv);
}

TEST(t_spake2p_bad_confirmation)
{
    psa_pake_operation_t p = PSA_PAKE_OPERATION_INIT, v = PSA_PAKE_OPERATION_INIT;
    psa_key_id_t pair = 0, pub = 0;
    uint8_t confirm[32];
    size_t len = 0;
    CHECK_OK(spake2p_keys(&pair, &pub));
    CHECK_OK(spake2p_side(&p, pair, PSA_PAKE_ROLE_CLIENT));
    CHECK_OK(spake2p_side(&v, pub, PSA_PAKE_ROLE_SERVER));
    CHECK_OK(spake2p_pass(&p, &v, PSA_PAKE_STEP_KEY_SHARE));
    CHECK_OK(spake2p_pass(&v, &p, PSA_PAKE_STEP_KEY_SHARE));
    CHECK_OK(psa_pake_output(&v, PSA_PAKE_STEP_CONFIRM, confirm, sizeof(confirm), &len));
    confirm[0] ^= 0x80;
    CHECK_STATUS(psa_pake_input(&p, PSA_PAKE_STEP_CONFIRM, confirm, len),
                 PSA_ERROR_INVALID_SIGNATURE);
    CHECK_STATUS(psa_pake_output(&p, PSA_PAKE_STEP_CONFIRM, confirm, sizeof(confirm), &len),
                 PSA_ERROR_BAD_STATE);
cleanup:
    psa_pake_abort(&p);
    psa_pake_abort(&v);
    tk_destroy(&pair);
    tk_destroy(&pub);
}

/* psa_destroy_key: "If a key is currently in use in a multi-part operation, then destroying the
 * key will cause the multi-part operation to fail": destroying the password key mid-exchange
 * makes the next step BAD_STATE, and the operation is then in its error state. */
TEST(t_destroy_password_during_exchange)
{
    psa_pake_operation_t a = PSA_PAKE_OPERATION_INIT, b = PSA_PAKE_OPERATION_INIT;
    psa_pake_cipher_suite_t cs = jpake_suite();
    psa_key_id_t pw = 0;
    uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256,
                       (const uint8_t *)"secret", 6, &pw));
    CHECK_OK(psa_pake_setup(&a, pw, &cs));
    CHECK_OK(psa_pake_setup(&b, pw, &cs));
    CHECK_OK(psa_pake_set_user(&a, (const uint8_t *)"client", 6));
    CHECK_OK(psa_pake_set_peer(&a, (const uint8_t *)"server", 6));
    CHECK_OK(psa_pake_set_user(&b, (const uint8_t *)"server", 6));
    CHECK_OK(psa_pake_set_peer(&b, (const uint8_t *)"client", 6));
    CHECK_OK(pass_round(&a, &b, 2));
    tk_destroy(&pw);
    CHECK_STATUS(psa_pake_output(&b, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                 PSA_ERROR_BAD_STATE);
    CHECK_VALUE(len, 0);
    CHECK_STATUS(psa_pake_input(&a, PSA_PAKE_STEP_KEY_SHARE, buf, 65), PSA_ERROR_BAD_STATE);
    CHECK_STATUS(psa_pake_output(&a, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                 PSA_ERROR_BAD_STATE);
cleanup:
    psa_pake_abort(&a);
    psa_pake_abort(&b);
    tk_destroy(&pw);
}

/* A pseudorandom PAKE secret (SPAKE2+) may become a block-cipher key: both sides get the same
 * AES-256 key from the 32-byte secret, and it encrypts. A J-PAKE secret (a curve point) may not. */
TEST(t_spake2p_aes_key)
{
    psa_pake_operation_t p = PSA_PAKE_OPERATION_INIT, v = PSA_PAKE_OPERATION_INIT;
    psa_key_id_t pair = 0, pub = 0, kp = 0, kv = 0;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT, got = PSA_KEY_ATTRIBUTES_INIT;
    const uint8_t block[16] = {0};
    uint8_t cp[16], cv[16];
    size_t lp = 0, lv = 0;
    CHECK_OK(spake2p_keys(&pair, &pub));
    CHECK_OK(spake2p_side(&p, pair, PSA_PAKE_ROLE_CLIENT));
    CHECK_OK(spake2p_side(&v, pub, PSA_PAKE_ROLE_SERVER));
    CHECK_OK(spake2p_pass(&p, &v, PSA_PAKE_STEP_KEY_SHARE));
    CHECK_OK(spake2p_pass(&v, &p, PSA_PAKE_STEP_KEY_SHARE));
    CHECK_OK(spake2p_pass(&v, &p, PSA_PAKE_STEP_CONFIRM));
    CHECK_OK(spake2p_pass(&p, &v, PSA_PAKE_STEP_CONFIRM));
    psa_set_key_type(&attr, PSA_KEY_TYPE_AES);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_ENCRYPT);
    psa_set_key_algorithm(&attr, PSA_ALG_ECB_NO_PADDING);
    CHECK_OK(psa_pake_get_shared_key(&p, &attr, &kp));
    CHECK_OK(psa_pake_get_shared_key(&v, &attr, &kv));
    CHECK_OK(psa_get_key_attributes(kp, &got));
    CHECK_VALUE(psa_get_key_type(&got), PSA_KEY_TYPE_AES);
    CHECK_VALUE(psa_get_key_bits(&got), 256);
    CHECK_OK(psa_cipher_encrypt(kp, PSA_ALG_ECB_NO_PADDING, block, 16, cp, sizeof(cp), &lp));
    CHECK_OK(psa_cipher_encrypt(kv, PSA_ALG_ECB_NO_PADDING, block, 16, cv, sizeof(cv), &lv));
    CHECK_BYTES(cp, lp, cv, lv);
cleanup:
    psa_pake_abort(&p);
    psa_pake_abort(&v);
    tk_destroy(&pair);
    tk_destroy(&pub);
    tk_destroy(&kp);
    tk_destroy(&kv);
}

TEST(t_jpake_aes_key_refused)
{
    psa_pake_operation_t a = PSA_PAKE_OPERATION_INIT, b = PSA_PAKE_OPERATION_INIT;
    psa_pake_cipher_suite_t cs = jpake_suite();
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t pw = 0, ka = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256,
                       (const uint8_t *)"secret", 6, &pw));
    CHECK_OK(psa_pake_setup(&a, pw, &cs));
    CHECK_OK(psa_pake_setup(&b, pw, &cs));
    CHECK_OK(psa_pake_set_user(&a, (const uint8_t *)"client", 6));
    CHECK_OK(psa_pake_set_peer(&a, (const uint8_t *)"server", 6));
    CHECK_OK(psa_pake_set_user(&b, (const uint8_t *)"server", 6));
    CHECK_OK(psa_pake_set_peer(&b, (const uint8_t *)"client", 6));
    CHECK_OK(pass_round(&a, &b, 2));
    CHECK_OK(pass_round(&b, &a, 2));
    CHECK_OK(pass_round(&a, &b, 1));
    CHECK_OK(pass_round(&b, &a, 1));
    psa_set_key_type(&attr, PSA_KEY_TYPE_AES);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_ENCRYPT);
    CHECK_STATUS(psa_pake_get_shared_key(&a, &attr, &ka), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(ka, PSA_KEY_ID_NULL);
cleanup:
    psa_pake_abort(&a);
    psa_pake_abort(&b);
    tk_destroy(&pw);
    tk_destroy(&ka);
}

/* A NULL buffer with a non-zero length is INVALID_ARGUMENT (the library neither reads it nor
 * crashes), in the set-up calls of both PAKEs and in input/output; a zero length with NULL is a
 * valid empty string. */
TEST(t_null_buffers)
{
    psa_pake_operation_t a = PSA_PAKE_OPERATION_INIT, p = PSA_PAKE_OPERATION_INIT;
    psa_pake_cipher_suite_t cs = jpake_suite();
    psa_key_id_t pw = 0, pair = 0, pub = 0;
    size_t len = 0;
    CHECK_OK(tk_import(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256,
                       (const uint8_t *)"secret", 6, &pw));
    CHECK_OK(psa_pake_setup(&a, pw, &cs));
    CHECK_STATUS(psa_pake_set_user(&a, NULL, 6), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_pake_set_peer(&a, NULL, 6), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_pake_input(&a, PSA_PAKE_STEP_KEY_SHARE, NULL, 65), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_pake_output(&a, PSA_PAKE_STEP_KEY_SHARE, NULL, 65, &len),
                 PSA_ERROR_INVALID_ARGUMENT);
    CHECK_VALUE(len, 0);
    CHECK_OK(spake2p_keys(&pair, &pub));
    psa_pake_cs_set_algorithm(&cs, PSA_ALG_SPAKE2P_HMAC(PSA_ALG_SHA_256));
    psa_pake_cs_set_key_confirmation(&cs, PSA_PAKE_CONFIRMED_KEY);
    CHECK_OK(psa_pake_setup(&p, pair, &cs));
    CHECK_OK(psa_pake_set_role(&p, PSA_PAKE_ROLE_CLIENT));
    CHECK_STATUS(psa_pake_set_user(&p, NULL, 6), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_pake_set_peer(&p, NULL, 6), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(psa_pake_set_context(&p, NULL, 12), PSA_ERROR_INVALID_ARGUMENT);
    CHECK_OK(psa_pake_set_context(&p, NULL, 0));
cleanup:
    psa_pake_abort(&a);
    psa_pake_abort(&p);
    tk_destroy(&pw);
    tk_destroy(&pair);
    tk_destroy(&pub);
}

const test_case_t crypto_pake_tests[] = {
    {"C-PAKE-001", "psa_pake_abort on an inactive operation succeeds, twice", t_abort_inactive},
    {"C-PAKE-002", "psa_pake_set_role on an inactive operation is BAD_STATE", t_set_role_inactive},
    {"C-PAKE-003", "psa_pake_output on an inactive operation is BAD_STATE", t_output_inactive},
    {"C-PAKE-004", "psa_pake_setup with a hash as PAKE algorithm is INVALID_ARGUMENT",
     t_setup_not_pake},
    {"C-PAKE-005", "psa_pake_setup with a password key lacking DERIVE is NOT_PERMITTED",
     t_setup_no_derive},
    {"C-PAKE-006", "EC J-PAKE (P-256, SHA-256): both sides get the same shared key",
     t_jpake_exchange},
    {"C-PAKE-007", "EC J-PAKE with different passwords gives different shared keys",
     t_jpake_wrong_password},
    {"C-PAKE-008", "SPAKE2+ (P-256, HMAC-SHA-256): prover and verifier confirm and share a key",
     t_spake2p_exchange},
    {"C-PAKE-009", "SPAKE2+: an altered confirmation is INVALID_SIGNATURE, then BAD_STATE",
     t_spake2p_bad_confirmation},
    {"C-PAKE-010", "destroying the password key mid-exchange makes the operations fail",
     t_destroy_password_during_exchange},
    {"C-PAKE-011", "SPAKE2+ (pseudorandom secret): get_shared_key may output an AES key",
     t_spake2p_aes_key},
    {"C-PAKE-012", "EC J-PAKE (secret not pseudorandom): an AES shared key is INVALID_ARGUMENT",
     t_jpake_aes_key_refused},
    {"C-PAKE-013", "J-PAKE and SPAKE2+: a NULL buffer with a non-zero length is INVALID_ARGUMENT",
     t_null_buffers},
    {NULL, NULL, NULL},
};
