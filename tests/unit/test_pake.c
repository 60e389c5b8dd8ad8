/* Unit tests of the PAKE API (EC J-PAKE, SPAKE2+) through the public API: exchanges, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psa/crypto.h>

static char state_dir[] = "/tmp/ss-test-pake-XXXXXX";

#define JPAKE256 PSA_ALG_JPAKE(PSA_ALG_SHA_256)
#define P256     PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC, PSA_ECC_FAMILY_SECP_R1, 256)

/* ---- helpers --------------------------------------------------------------------------------- */

static psa_key_id_t import_password(psa_key_type_t type, psa_key_usage_t usage, psa_algorithm_t alg,
                                    const char *password)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, alg);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, (const uint8_t *)password, strlen(password), &id),
                     PSA_SUCCESS);
    return id;
}

static psa_pake_cipher_suite_t suite(psa_algorithm_t alg, psa_pake_primitive_t primitive)
{
    psa_pake_cipher_suite_t cs = PSA_PAKE_CIPHER_SUITE_INIT;
    psa_pake_cs_set_algorithm(&cs, alg);
    psa_pake_cs_set_primitive(&cs, primitive);
    psa_pake_cs_set_key_confirmation(&cs, PSA_PAKE_UNCONFIRMED_KEY);
    return cs;
}

/* Sets up one side with its own and its peer's identity. */
static void setup_side(psa_pake_operation_t *op, psa_key_id_t pw, const psa_pake_cipher_suite_t *cs,
                       const char *user, const char *peer)
{
    *op = psa_pake_operation_init();
    assert_int_equal(psa_pake_setup(op, pw, cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_user(op, (const uint8_t *)user, strlen(user)), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_peer(op, (const uint8_t *)peer, strlen(peer)), PSA_SUCCESS);
}

/* Passes `triples` KEY_SHARE/ZK_PUBLIC/ZK_PROOF triples from one side to the other and checks
 * the lengths of each message for a curve of `bytes`-byte coordinates. */
static void pass(psa_pake_operation_t *from, psa_pake_operation_t *to, int triples, size_t bytes)
{
    static const psa_pake_step_t steps[3] = {PSA_PAKE_STEP_KEY_SHARE, PSA_PAKE_STEP_ZK_PUBLIC,
                                             PSA_PAKE_STEP_ZK_PROOF};
    for (int i = 0; i < 3 * triples; i++) {
        uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
        size_t len = 0;
        assert_int_equal(psa_pake_output(from, steps[i % 3], buf, sizeof(buf), &len), PSA_SUCCESS);
        if (i % 3 == 2) {
            assert_int_equal(len, bytes);
        } else {
            assert_int_equal(len, 1 + 2 * bytes);
            assert_int_equal(buf[0], 0x04);
        }
        assert_int_equal(psa_pake_input(to, steps[i % 3], buf, len), PSA_SUCCESS);
    }
}

static void assert_error_state(psa_pake_operation_t *op);

static psa_key_id_t shared_key(psa_pake_operation_t *op, psa_status_t expected)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_DERIVE);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
    psa_set_key_algorithm(&attr, PSA_ALG_HKDF(PSA_ALG_SHA_256));
    psa_key_id_t id = 0;
    assert_int_equal(psa_pake_get_shared_key(op, &attr, &id), expected);
    return id;
}

static size_t export(psa_key_id_t id, uint8_t *out, size_t size)
{
    size_t len = 0;
    assert_int_equal(psa_export_key(id, out, size, &len), PSA_SUCCESS);
    return len;
}

/* The full exchange on two operations already set up; `peer_first` makes b take its round
 * inputs before giving its outputs (the order the specification allows within a round). */
static void exchange(psa_pake_operation_t *a, psa_pake_operation_t *b, size_t bytes,
                     int peer_first)
{
    if (peer_first) {
        pass(a, b, 2, bytes);
        pass(b, a, 2, bytes);
        pass(a, b, 1, bytes);
        pass(b, a, 1, bytes);
    } else {
        pass(a, b, 2, bytes);
        pass(b, a, 2, bytes);
        pass(b, a, 1, bytes);
        pass(a, b, 1, bytes);
    }
}

/* Both sides with the same password end with the same 65-byte (for P-256) point. */
static void run_exchange(psa_pake_primitive_t primitive, psa_algorithm_t alg, size_t bytes,
                         int peer_first)
{
    psa_key_id_t pw = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, alg, "hunter2");
    psa_pake_cipher_suite_t cs = suite(alg, primitive);
    psa_pake_operation_t a, b;
    setup_side(&a, pw, &cs, "client", "server");
    setup_side(&b, pw, &cs, "server", "client");
    exchange(&a, &b, bytes, peer_first);
    psa_key_id_t ka = shared_key(&a, PSA_SUCCESS);
    psa_key_id_t kb = shared_key(&b, PSA_SUCCESS);
    uint8_t ea[PSA_PAKE_OUTPUT_MAX_SIZE], eb[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t la = export(ka, ea, sizeof(ea));
    size_t lb = export(kb, eb, sizeof(eb));
    assert_int_equal(la, 1 + 2 * bytes);
    assert_int_equal(ea[0], 0x04);
    assert_memory_equal(ea, eb, lb);
    assert_int_equal(la, lb);
    psa_key_attributes_t got = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(ka, &got), PSA_SUCCESS);
    assert_int_equal(psa_get_key_type(&got), PSA_KEY_TYPE_DERIVE);
    assert_int_equal(psa_get_key_bits(&got), 8 * la);
    /* A successful get_shared_key ends the operation. */
    uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 7;
    assert_int_equal(psa_pake_output(&a, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(len, 0);
    shared_key(&a, PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_abort(&a), PSA_SUCCESS);
    assert_int_equal(psa_pake_abort(&b), PSA_SUCCESS);
    psa_destroy_key(ka);
    psa_destroy_key(kb);
    psa_destroy_key(pw);
}

static void init(void **state)
{
    (void)state;
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_exchange_p256(void **state)
{
    init(state);
    run_exchange(P256, JPAKE256, 32, 0);
    run_exchange(P256, JPAKE256, 32, 1);
}

static void test_exchange_other_curves_and_hashes(void **state)
{
    init(state);
    run_exchange(PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC, PSA_ECC_FAMILY_SECP_R1, 384),
                 PSA_ALG_JPAKE(PSA_ALG_SHA_384), 48, 0);
    run_exchange(PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC, PSA_ECC_FAMILY_SECP_R1, 521),
                 PSA_ALG_JPAKE(PSA_ALG_SHA_512), 66, 1);
    run_exchange(P256, PSA_ALG_JPAKE(PSA_ALG_SHA_512), 32, 0);
}

/* The shared key works as the specification's example uses it: HKDF on both sides agrees. */
static void test_shared_key_feeds_hkdf(void **state)
{
    init(state);
    psa_key_id_t pw =
        import_password(PSA_KEY_TYPE_PASSWORD_HASH, PSA_KEY_USAGE_DERIVE, JPAKE256, "hash-value");
    psa_pake_cipher_suite_t cs = suite(JPAKE256, P256);
    psa_pake_operation_t a, b;
    setup_side(&a, pw, &cs, "a", "b");
    setup_side(&b, pw, &cs, "b", "a");
    exchange(&a, &b, 32, 0);
    psa_key_id_t k[2] = {shared_key(&a, PSA_SUCCESS), shared_key(&b, PSA_SUCCESS)};
    uint8_t out[2][42];
    for (int i = 0; i < 2; i++) {
        psa_key_derivation_operation_t kdf = PSA_KEY_DERIVATION_OPERATION_INIT;
        assert_int_equal(psa_key_derivation_setup(&kdf, PSA_ALG_HKDF(PSA_ALG_SHA_256)),
                         PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_key(&kdf, PSA_KEY_DERIVATION_INPUT_SECRET, k[i]),
                         PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_bytes(&kdf, PSA_KEY_DERIVATION_INPUT_INFO,
                                                        (const uint8_t *)"ctx", 3),
                         PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_output_bytes(&kdf, out[i], sizeof(out[i])),
                         PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_abort(&kdf), PSA_SUCCESS);
        psa_destroy_key(k[i]);
    }
    assert_memory_equal(out[0], out[1], sizeof(out[0]));
    psa_destroy_key(pw);
}

static void test_wrong_password(void **state)
{
    init(state);
    psa_key_id_t pw1 = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256, "pw1");
    psa_key_id_t pw2 = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256, "pw2");
    psa_pake_cipher_suite_t cs = suite(JPAKE256, P256);
    psa_pake_operation_t a, b;
    setup_side(&a, pw1, &cs, "client", "server");
    setup_side(&b, pw2, &cs, "server", "client");
    /* J-PAKE does not confirm: the proofs still verify, the keys differ. */
    exchange(&a, &b, 32, 0);
    psa_key_id_t ka = shared_key(&a, PSA_SUCCESS), kb = shared_key(&b, PSA_SUCCESS);
    uint8_t ea[65], eb[65];
    assert_int_equal(export(ka, ea, sizeof(ea)), 65);
    assert_int_equal(export(kb, eb, sizeof(eb)), 65);
    assert_true(memcmp(ea, eb, 65) != 0);
    psa_destroy_key(ka);
    psa_destroy_key(kb);
    psa_destroy_key(pw1);
    psa_destroy_key(pw2);
}

static void test_setup_errors(void **state)
{
    init(state);
    psa_key_id_t pw = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256, "pw");
    psa_key_id_t no_derive =
        import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_EXPORT, JPAKE256, "pw");
    psa_key_id_t other_alg = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE,
                                             PSA_ALG_JPAKE(PSA_ALG_SHA_384), "pw");
    psa_key_id_t derive_type =
        import_password(PSA_KEY_TYPE_DERIVE, PSA_KEY_USAGE_DERIVE, JPAKE256, "pw");
    psa_key_id_t spake_pw = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE,
                                            PSA_ALG_SPAKE2P_HMAC(PSA_ALG_SHA_256), "pw");
    psa_pake_operation_t op = PSA_PAKE_OPERATION_INIT;
    psa_pake_cipher_suite_t cs = suite(JPAKE256, P256);

    psa_pake_cipher_suite_t bad = cs;
    psa_pake_cs_set_algorithm(&bad, PSA_ALG_HKDF(PSA_ALG_SHA_256));
    assert_int_equal(psa_pake_setup(&op, pw, &bad), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_pake_setup(&op, 0, &cs), PSA_ERROR_INVALID_HANDLE);
    assert_int_equal(psa_pake_setup(&op, 0x3fff1234, &cs), PSA_ERROR_INVALID_HANDLE);
    assert_int_equal(psa_pake_setup(&op, no_derive, &cs), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_pake_setup(&op, other_alg, &cs), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_pake_setup(&op, derive_type, &cs), PSA_ERROR_INVALID_ARGUMENT);

    bad = cs;
    psa_pake_cs_set_key_confirmation(&bad, PSA_PAKE_CONFIRMED_KEY);
    assert_int_equal(psa_pake_setup(&op, pw, &bad), PSA_ERROR_INVALID_ARGUMENT);
    psa_pake_cs_set_key_confirmation(&bad, 7);
    assert_int_equal(psa_pake_setup(&op, pw, &bad), PSA_ERROR_INVALID_ARGUMENT);
    bad = cs;
    psa_pake_cs_set_primitive(&bad, 0);
    assert_int_equal(psa_pake_setup(&op, pw, &bad), PSA_ERROR_INVALID_ARGUMENT);
    psa_pake_cs_set_primitive(&bad, PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_DH,
                                                       PSA_DH_FAMILY_RFC7919, 2048));
    assert_int_equal(psa_pake_setup(&op, pw, &bad), PSA_ERROR_NOT_SUPPORTED);
    psa_pake_cs_set_primitive(&bad, PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC,
                                                       PSA_ECC_FAMILY_SECP_K1, 256));
    assert_int_equal(psa_pake_setup(&op, pw, &bad), PSA_ERROR_NOT_SUPPORTED);
    psa_pake_cs_set_primitive(&bad, PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC,
                                                       PSA_ECC_FAMILY_SECP_R1, 255));
    assert_int_equal(psa_pake_setup(&op, pw, &bad), PSA_ERROR_NOT_SUPPORTED);

    /* SPAKE2+ takes a SPAKE2+ key, not a password. */
    psa_pake_cipher_suite_t spake = suite(PSA_ALG_SPAKE2P_HMAC(PSA_ALG_SHA_256), P256);
    psa_pake_cs_set_key_confirmation(&spake, PSA_PAKE_CONFIRMED_KEY);
    assert_int_equal(psa_pake_setup(&op, spake_pw, &spake), PSA_ERROR_INVALID_ARGUMENT);

    /* None of the failures left the operation active: setup succeeds, a second one does not. */
    assert_int_equal(psa_pake_set_user(&op, (const uint8_t *)"u", 1), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_setup(&op, pw, &cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_setup(&op, pw, &cs), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_pake_abort(&op), PSA_SUCCESS);

    /* A password that reduces to 0 mod n (here: n itself) is refused. */
    static const uint8_t p256_order[32] = {
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_PASSWORD);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&attr, JPAKE256);
    psa_key_id_t zero = 0;
    assert_int_equal(psa_import_key(&attr, p256_order, sizeof(p256_order), &zero), PSA_SUCCESS);
    assert_int_equal(psa_pake_setup(&op, zero, &cs), PSA_ERROR_INVALID_ARGUMENT);

    psa_destroy_key(zero);
    psa_destroy_key(pw);
    psa_destroy_key(no_derive);
    psa_destroy_key(other_alg);
    psa_destroy_key(derive_type);
    psa_destroy_key(spake_pw);
}

static void test_setup_calls(void **state)
{
    init(state);
    psa_key_id_t pw = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256, "pw");
    psa_pake_cipher_suite_t cs = suite(JPAKE256, P256);
    psa_pake_operation_t op = PSA_PAKE_OPERATION_INIT;
    uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 0;

    /* Inactive operation. */
    assert_int_equal(psa_pake_set_role(&op, PSA_PAKE_ROLE_NONE), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_set_user(&op, (const uint8_t *)"u", 1), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_input(&op, PSA_PAKE_STEP_KEY_SHARE, buf, 65), PSA_ERROR_BAD_STATE);

    /* Each call out of order is BAD_STATE and, as every PAKE function says, "If this function
     * returns an error status, the operation enters an error state and must be aborted by
     * calling psa_pake_abort()". `done` calls are made in order first, then `wrong`. */
    for (int done = 0; done <= 4; done++) {
        for (int wrong = 0; wrong < 5; wrong++) {
            /* The wrong calls for each stage: 0 output, 1 role, 2 context, 3 user, 4 peer. */
            static const unsigned char refused[5] = {0x05, 0x07, 0x0f, 0x1e, 0x1f};
            if ((refused[done] & (1u << wrong)) == 0) {
                continue;
            }
            assert_int_equal(psa_pake_setup(&op, pw, &cs), PSA_SUCCESS);
            if (done >= 1) {
                assert_int_equal(psa_pake_set_role(&op, PSA_PAKE_ROLE_NONE), PSA_SUCCESS);
            }
            if (done >= 2) {
                assert_int_equal(psa_pake_set_user(&op, (const uint8_t *)"alice", 5),
                                 PSA_SUCCESS);
            }
            if (done >= 3) {
                assert_int_equal(psa_pake_set_peer(&op, (const uint8_t *)"bob", 3), PSA_SUCCESS);
            }
            if (done >= 4) {
                assert_int_equal(psa_pake_output(&op, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf),
                                                 &len),
                                 PSA_SUCCESS);
                assert_int_equal(len, 65);
            }
            psa_status_t status;
            if (wrong == 0) {
                status = psa_pake_output(&op, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len);
            } else if (wrong == 1) {
                status = psa_pake_set_role(&op, PSA_PAKE_ROLE_NONE);
            } else if (wrong == 2) {
                status = psa_pake_set_context(&op, (const uint8_t *)"c", 1); /* J-PAKE: none */
            } else if (wrong == 3) {
                status = psa_pake_set_user(&op, (const uint8_t *)"alice", 5);
            } else {
                status = psa_pake_set_peer(&op, (const uint8_t *)"bob", 3);
            }
            assert_int_equal(status, PSA_ERROR_BAD_STATE);
            assert_error_state(&op);
        }
    }

    /* A role J-PAKE does not have: INVALID_ARGUMENT, and the operation is in its error state. */
    assert_int_equal(psa_pake_setup(&op, pw, &cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_role(&op, PSA_PAKE_ROLE_CLIENT), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_pake_set_user(&op, (const uint8_t *)"alice", 5), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_abort(&op), PSA_SUCCESS);

    /* The same identity for both sides, and an empty identity, are refused. */
    assert_int_equal(psa_pake_setup(&op, pw, &cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_user(&op, (const uint8_t *)"same", 4), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_peer(&op, (const uint8_t *)"same", 4),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_pake_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_pake_setup(&op, pw, &cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_user(&op, NULL, 0), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_pake_abort(&op), PSA_SUCCESS);
    psa_destroy_key(pw);
}

/* One out-of-order call on side a after `stage` steps of an in-order exchange (0: none; 1: a's
 * first KEY_SHARE given to b; 2: a's round one given to b; 3: b's round one given to a; 4: a's
 * round two given to b; 5: everything): BAD_STATE, then the error state. */
static void jpake_wrong_step(psa_key_id_t pw, const psa_pake_cipher_suite_t *cs, int stage,
                             int wrong)
{
    psa_pake_operation_t a, b;
    setup_side(&a, pw, cs, "client", "server");
    setup_side(&b, pw, cs, "server", "client");
    uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 0;
    if (stage >= 1) {
        assert_int_equal(psa_pake_output(&a, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                         PSA_SUCCESS);
        assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_KEY_SHARE, buf, len), PSA_SUCCESS);
    }
    if (stage >= 2) {
        static const psa_pake_step_t rest[5] = {PSA_PAKE_STEP_ZK_PUBLIC, PSA_PAKE_STEP_ZK_PROOF,
                                                PSA_PAKE_STEP_KEY_SHARE, PSA_PAKE_STEP_ZK_PUBLIC,
                                                PSA_PAKE_STEP_ZK_PROOF};
        for (int i = 0; i < 5; i++) {
            assert_int_equal(psa_pake_output(&a, rest[i], buf, sizeof(buf), &len), PSA_SUCCESS);
            assert_int_equal(psa_pake_input(&b, rest[i], buf, len), PSA_SUCCESS);
        }
    }
    if (stage >= 3) {
        pass(&b, &a, 2, 32);
    }
    if (stage >= 4) {
        pass(&a, &b, 1, 32);
    }
    if (stage >= 5) {
        pass(&b, &a, 1, 32);
    }
    psa_status_t status;
    switch (wrong) {
    case 0:
        status = psa_pake_output(&a, PSA_PAKE_STEP_ZK_PUBLIC, buf, sizeof(buf), &len);
        break;
    case 1:
        status = psa_pake_output(&a, PSA_PAKE_STEP_ZK_PROOF, buf, sizeof(buf), &len);
        break;
    case 2:
        status = psa_pake_input(&a, PSA_PAKE_STEP_ZK_PROOF, buf, 32);
        break;
    case 3:
        status = shared_key(&a, PSA_ERROR_BAD_STATE) == 0 ? PSA_ERROR_BAD_STATE : PSA_SUCCESS;
        break;
    case 4:
        status = psa_pake_input(&a, PSA_PAKE_STEP_KEY_SHARE, buf, 65);
        break;
    default:
        status = psa_pake_output(&a, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len);
        break;
    }
    assert_int_equal(status, PSA_ERROR_BAD_STATE);
    assert_error_state(&a);
    assert_int_equal(psa_pake_abort(&b), PSA_SUCCESS);
}

/* Steps out of order answer BAD_STATE and put the operation in its error state ("If this function
 * returns an error status, the operation enters an error state and must be aborted by calling
 * psa_pake_abort()"); an exchange in order then completes with equal keys. */
static void test_step_order(void **state)
{
    init(state);
    psa_key_id_t pw = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256, "pw");
    psa_pake_cipher_suite_t cs = suite(JPAKE256, P256);
    /* Before anything: ZK_PUBLIC or ZK_PROOF first, an input of a proof, the key. */
    for (int wrong = 0; wrong < 4; wrong++) {
        jpake_wrong_step(pw, &cs, 0, wrong);
    }
    /* In the middle of a's output group: an input, or KEY_SHARE again. */
    jpake_wrong_step(pw, &cs, 1, 4);
    jpake_wrong_step(pw, &cs, 1, 5);
    /* a's round-one outputs are done; its round-two output needs b's round-one shares first. */
    jpake_wrong_step(pw, &cs, 2, 5);
    /* Round one both ways, round two not yet: no key. */
    jpake_wrong_step(pw, &cs, 3, 3);
    /* Every step is done: no more output. */
    jpake_wrong_step(pw, &cs, 5, 5);

    psa_pake_operation_t a, b;
    setup_side(&a, pw, &cs, "client", "server");
    setup_side(&b, pw, &cs, "server", "client");
    pass(&a, &b, 2, 32);
    pass(&b, &a, 2, 32);
    pass(&a, &b, 1, 32);
    pass(&b, &a, 1, 32);
    psa_key_id_t ka = shared_key(&a, PSA_SUCCESS), kb = shared_key(&b, PSA_SUCCESS);
    uint8_t ea[65], eb[65];
    export(ka, ea, sizeof(ea));
    export(kb, eb, sizeof(eb));
    assert_memory_equal(ea, eb, 65);
    psa_destroy_key(ka);
    psa_destroy_key(kb);
    psa_destroy_key(pw);
}

/* Checks the error state: every call but abort answers BAD_STATE. */
static void assert_error_state(psa_pake_operation_t *op)
{
    uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE] = {0};
    size_t len = 0;
    assert_int_equal(psa_pake_output(op, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_input(op, PSA_PAKE_STEP_KEY_SHARE, buf, 65), PSA_ERROR_BAD_STATE);
    assert_int_equal(shared_key(op, PSA_ERROR_BAD_STATE), 0);
    assert_int_equal(psa_pake_abort(op), PSA_SUCCESS);
    assert_int_equal(psa_pake_output(op, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_ERROR_BAD_STATE);
}

/* One side's first round-one triple, for tampering tests. */
static void first_triple(psa_pake_operation_t *a, uint8_t x[65], uint8_t v[65], uint8_t r[32])
{
    size_t len = 0;
    assert_int_equal(psa_pake_output(a, PSA_PAKE_STEP_KEY_SHARE, x, 65, &len), PSA_SUCCESS);
    assert_int_equal(psa_pake_output(a, PSA_PAKE_STEP_ZK_PUBLIC, v, 65, &len), PSA_SUCCESS);
    assert_int_equal(psa_pake_output(a, PSA_PAKE_STEP_ZK_PROOF, r, 32, &len), PSA_SUCCESS);
}

static void test_bad_inputs(void **state)
{
    init(state);
    psa_key_id_t pw = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256, "pw");
    psa_pake_cipher_suite_t cs = suite(JPAKE256, P256);
    psa_pake_operation_t a, b;
    uint8_t x[65], v[65], r[32];

    /* A proof that does not verify. */
    setup_side(&a, pw, &cs, "client", "server");
    setup_side(&b, pw, &cs, "server", "client");
    first_triple(&a, x, v, r);
    r[31] ^= 1;
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_KEY_SHARE, x, 65), PSA_SUCCESS);
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_ZK_PUBLIC, v, 65), PSA_SUCCESS);
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_ZK_PROOF, r, 32),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_error_state(&b);
    psa_pake_abort(&a);

    /* A peer that proves under another identity than the one set with set_peer. */
    setup_side(&a, pw, &cs, "mallory", "server");
    setup_side(&b, pw, &cs, "server", "client");
    first_triple(&a, x, v, r);
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_KEY_SHARE, x, 65), PSA_SUCCESS);
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_ZK_PUBLIC, v, 65), PSA_SUCCESS);
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_ZK_PROOF, r, 32),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_error_state(&b);
    psa_pake_abort(&a);

    /* Malformed points and scalars: INVALID_ARGUMENT, then the error state. */
    setup_side(&a, pw, &cs, "client", "server");
    first_triple(&a, x, v, r);
    uint8_t off_curve[65];
    memcpy(off_curve, x, 65);
    off_curve[64] ^= 1;
    uint8_t compressed[33];
    memcpy(compressed, x, 33);
    compressed[0] = 0x02;
    uint8_t big_r[32];
    memset(big_r, 0xff, sizeof(big_r)); /* above the group order */
    uint8_t long_r[33] = {0};
    memcpy(long_r + 1, r, 32);
    struct {
        int prefix; /* how many valid steps come before the bad one */
        const uint8_t *data;
        size_t length;
    } cases[] = {
        {0, off_curve, 65}, {0, x, 64},      {0, compressed, 33},
        {1, off_curve, 65}, {2, big_r, 32},  {2, long_r, 33},
        {2, r, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup_side(&b, pw, &cs, "server", "client");
        const uint8_t *valid[2] = {x, v};
        psa_pake_step_t steps[3] = {PSA_PAKE_STEP_KEY_SHARE, PSA_PAKE_STEP_ZK_PUBLIC,
                                    PSA_PAKE_STEP_ZK_PROOF};
        for (int k = 0; k < cases[i].prefix; k++) {
            assert_int_equal(psa_pake_input(&b, steps[k], valid[k], 65), PSA_SUCCESS);
        }
        assert_int_equal(psa_pake_input(&b, steps[cases[i].prefix], cases[i].data,
                                        cases[i].length),
                         PSA_ERROR_INVALID_ARGUMENT);
        assert_error_state(&b);
    }
    /* A proof sent without its leading zero bytes (as TLS EC J-PAKE peers send it) verifies. */
    setup_side(&b, pw, &cs, "server", "client");
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_KEY_SHARE, x, 65), PSA_SUCCESS);
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_ZK_PUBLIC, v, 65), PSA_SUCCESS);
    size_t skip = 0;
    while (skip < 31 && r[skip] == 0) {
        skip++;
    }
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_ZK_PROOF, r + skip, 32 - skip), PSA_SUCCESS);
    psa_pake_abort(&b);

    /* A step J-PAKE does not have. */
    setup_side(&b, pw, &cs, "server", "client");
    assert_int_equal(psa_pake_input(&b, PSA_PAKE_STEP_CONFIRM, r, 32), PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&b);
    setup_side(&b, pw, &cs, "server", "client");
    size_t len = 0;
    assert_int_equal(psa_pake_output(&b, 0x77, x, sizeof(x), &len), PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&b);

    /* An output buffer one byte short. */
    setup_side(&b, pw, &cs, "server", "client");
    assert_int_equal(psa_pake_output(&b, PSA_PAKE_STEP_KEY_SHARE, x, 64, &len),
                     PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 0);
    assert_error_state(&b);

    psa_pake_abort(&a);
    /* The password key is untouched by all of this. */
    setup_side(&a, pw, &cs, "client", "server");
    setup_side(&b, pw, &cs, "server", "client");
    exchange(&a, &b, 32, 0);
    psa_key_id_t ka = shared_key(&a, PSA_SUCCESS), kb = shared_key(&b, PSA_SUCCESS);
    psa_destroy_key(ka);
    psa_destroy_key(kb);
    psa_destroy_key(pw);
}

/*
 * Reference EC J-PAKE round-one messages from Mbed TLS's self test (library/ecjpake.c, password
 * "threadjpaketest", P-256, SHA-256), in its TLS framing: for each of X1 and X2, 1-byte length +
 * point, 1-byte length + V, 1-byte length + r. The client's proofs are made under the identity
 * "client", the server's under "server". That our input side accepts them shows that the Schnorr
 * challenge is computed with the same encoding as Mbed TLS and the Thread/TLS profile.
 */
static const char mbedtls_cli_one[] =
    "4104accf0106ef858fa2d919331346805a78b58bbad0b844e5c7892879146187dd2666ada781bb7f11137225"
    "1a8910621f634df128ac48e381fd6ef9060731f694a441041dd0bd5d4566c9bed9ce7de701b5e82e08e84b73"
    "0466018ab903c79eb982172236c0c1728ae4bf73610d34de44246ef3d9c05a2236fb66a6583d7449308babce"
    "2072fe16662992e9235c25002f11b15087b82738e03c945bf7a2995dda1e98345841047ea6e3a4487037a9e0"
    "dbd79262b2cc273e779930fc18409ac5361c5fe669d702e147790aeb4ce7fd6575ab0f6c7fd1c335939aa863"
    "ba37ec91b7e32bb013bb2b4104a49558d32ed1ebfc1816af4ff09b55fcb4ca47b2a02d1e7caf1179ea3fe139"
    "5b22b861964016fabaf72c975695d93d4df0e5197fe9f040634ed59764937787be20bc4deebbf9b8d60a335f"
    "046ca3aa941e45864c7cadef9cf75b3d8b010e443ef0";
static const char mbedtls_srv_one[] =
    "41047ea6e3a4487037a9e0dbd79262b2cc273e779930fc18409ac5361c5fe669d702e147790aeb4ce7fd6575"
    "ab0f6c7fd1c335939aa863ba37ec91b7e32bb013bb2b410409f85b3d20ebd7885ce464c08d056d6428fe4dd9"
    "287aa365f131f4360ff386d846898bc4b41583c2a5197f65d78742746c12a5ec0a4ffe2f270a750a1d8fb516"
    "20934d74eb43e54df424fd96306c0117bf131afabf90a9d33d1198d905193735144104190a07700ffa4be6ae"
    "1d79ee0f06aeb544cd5addaabedf70f8623321332c54f355f0fbfec783ed359e5d0bf7377a0fc4ea7ace473c"
    "9c112b41ccd41ac56a56124104360a1cea33fce641156458e0a4eac219e96831e6aebc88b3f3752f93a0281d"
    "1bf1fb106051db9694a8d6e862a5ef1324a3d9e27894f1ee4f7c59199965a8dd4a2091847d2d22df3ee55faa"
    "2a3fb33fd2d1e055a07a7c61ecfb8d80ec00c2c9eb12";

static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= size);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

/* Feeds a framed round-one message to `op`; returns the first failing status. */
static psa_status_t input_tls_round_one(psa_pake_operation_t *op, const uint8_t *msg, size_t length)
{
    static const psa_pake_step_t steps[3] = {PSA_PAKE_STEP_KEY_SHARE, PSA_PAKE_STEP_ZK_PUBLIC,
                                             PSA_PAKE_STEP_ZK_PROOF};
    size_t at = 0;
    for (int i = 0; i < 6; i++) {
        assert_true(at < length && at + 1 + msg[at] <= length);
        psa_status_t status = psa_pake_input(op, steps[i % 3], msg + at + 1, msg[at]);
        if (status != PSA_SUCCESS) {
            return status;
        }
        at += 1 + msg[at];
    }
    assert_int_equal(at, length);
    return PSA_SUCCESS;
}

static void test_mbedtls_reference_round_one(void **state)
{
    init(state);
    psa_key_id_t pw =
        import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256, "threadjpaketest");
    psa_pake_cipher_suite_t cs = suite(JPAKE256, P256);
    uint8_t cli[330], srv[330];
    assert_int_equal(unhex(mbedtls_cli_one, cli, sizeof(cli)), 330);
    assert_int_equal(unhex(mbedtls_srv_one, srv, sizeof(srv)), 330);
    psa_pake_operation_t op;

    setup_side(&op, pw, &cs, "client", "server");
    assert_int_equal(input_tls_round_one(&op, srv, sizeof(srv)), PSA_SUCCESS);
    psa_pake_abort(&op);
    setup_side(&op, pw, &cs, "server", "client");
    assert_int_equal(input_tls_round_one(&op, cli, sizeof(cli)), PSA_SUCCESS);
    psa_pake_abort(&op);

    /* The same messages under the wrong peer identity, or with r2's last byte changed, fail. */
    setup_side(&op, pw, &cs, "client", "server");
    assert_int_equal(input_tls_round_one(&op, cli, sizeof(cli)), PSA_ERROR_INVALID_SIGNATURE);
    psa_pake_abort(&op);
    srv[sizeof(srv) - 1] ^= 0x01;
    setup_side(&op, pw, &cs, "client", "server");
    assert_int_equal(input_tls_round_one(&op, srv, sizeof(srv)), PSA_ERROR_INVALID_SIGNATURE);
    psa_pake_abort(&op);
    psa_destroy_key(pw);
}

static void test_shared_key_attributes(void **state)
{
    init(state);
    psa_key_id_t pw = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256, "pw");
    psa_pake_cipher_suite_t cs = suite(JPAKE256, P256);
    psa_pake_operation_t a, b;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_id_t id = 1;

    for (int i = 0; i < 2; i++) {
        setup_side(&a, pw, &cs, "client", "server");
        setup_side(&b, pw, &cs, "server", "client");
        exchange(&a, &b, 32, 0);
        psa_set_key_type(&attr, i == 0 ? PSA_KEY_TYPE_AES : PSA_KEY_TYPE_DERIVE);
        psa_set_key_bits(&attr, i == 0 ? 0 : 520);
        psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_EXPORT);
        assert_int_equal(psa_pake_get_shared_key(&a, &attr, &id), PSA_ERROR_INVALID_ARGUMENT);
        assert_int_equal(id, PSA_KEY_ID_NULL);
        assert_error_state(&a);
        psa_pake_abort(&b);
    }

    /* HMAC keys are allowed; the key's bits are those of the point. */
    setup_side(&a, pw, &cs, "client", "server");
    setup_side(&b, pw, &cs, "server", "client");
    exchange(&a, &b, 32, 1);
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    psa_set_key_bits(&attr, 0);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_MESSAGE);
    psa_set_key_algorithm(&attr, PSA_ALG_HMAC(PSA_ALG_SHA_256));
    psa_key_id_t ka = 0, kb = 0;
    assert_int_equal(psa_pake_get_shared_key(&a, &attr, &ka), PSA_SUCCESS);
    assert_int_equal(psa_pake_get_shared_key(&b, &attr, &kb), PSA_SUCCESS);
    uint8_t mac[32];
    size_t mac_len = 0;
    assert_int_equal(psa_mac_compute(ka, PSA_ALG_HMAC(PSA_ALG_SHA_256), (const uint8_t *)"m", 1,
                                     mac, sizeof(mac), &mac_len),
                     PSA_SUCCESS);
    assert_int_equal(psa_mac_verify(kb, PSA_ALG_HMAC(PSA_ALG_SHA_256), (const uint8_t *)"m", 1, mac,
                                    mac_len),
                     PSA_SUCCESS);
    psa_key_attributes_t got = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(ka, &got), PSA_SUCCESS);
    assert_int_equal(psa_get_key_bits(&got), 520);
    psa_destroy_key(ka);
    psa_destroy_key(kb);
    psa_destroy_key(pw);
}

/* ---- SPAKE2+ --------------------------------------------------------------------------------- */

#define SPAKE_HMAC PSA_ALG_SPAKE2P_HMAC(PSA_ALG_SHA_256)
#define SPAKE_PAIR PSA_KEY_TYPE_SPAKE2P_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1)
#define SPAKE_PUB  PSA_KEY_TYPE_SPAKE2P_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1)

/* A SPAKE2+ key pair registered from `password` with PBKDF2-HMAC-SHA-256, as the specification's
 * registration example does. */
static psa_key_id_t spake_register(psa_algorithm_t alg, const char *password)
{
    psa_key_derivation_operation_t kdf = PSA_KEY_DERIVATION_OPERATION_INIT;
    assert_int_equal(psa_key_derivation_setup(&kdf, PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&kdf, PSA_KEY_DERIVATION_INPUT_COST, 1000),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&kdf, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"SPAKE2P salt", 12),
                     PSA_SUCCESS);
    psa_key_id_t pw = import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE,
                                      PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256), password);
    assert_int_equal(psa_key_derivation_input_key(&kdf, PSA_KEY_DERIVATION_INPUT_PASSWORD, pw),
                     PSA_SUCCESS);
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, SPAKE_PAIR);
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
    psa_set_key_algorithm(&attr, alg);
    psa_key_id_t key = 0;
    assert_int_equal(psa_key_derivation_output_key(&attr, &kdf, &key), PSA_SUCCESS);
    /* Each of w0s and w1s took 40 bytes of the stream. */
    size_t cap = 0;
    assert_int_equal(psa_key_derivation_get_capacity(&kdf, &cap), PSA_SUCCESS);
    assert_int_equal(cap, (size_t)UINT32_MAX * 32 - 80);
    assert_int_equal(psa_key_derivation_abort(&kdf), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(pw), PSA_SUCCESS);
    return key;
}

/* The verifier's public key (w0 || L) exported from a pair and imported. */
static psa_key_id_t spake_public(psa_key_id_t pair, psa_algorithm_t alg)
{
    uint8_t pub[97];
    size_t len = 0;
    assert_int_equal(psa_export_public_key(pair, pub, sizeof(pub), &len), PSA_SUCCESS);
    assert_int_equal(len, 97);
    assert_int_equal(pub[32], 0x04);
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, SPAKE_PUB);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&attr, alg);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, pub, len, &id), PSA_SUCCESS);
    return id;
}

static void spake_setup(psa_pake_operation_t *op, psa_key_id_t key, psa_algorithm_t alg,
                        uint32_t confirmation, psa_pake_role_t role)
{
    psa_pake_cipher_suite_t cs = suite(alg, P256);
    psa_pake_cs_set_key_confirmation(&cs, confirmation);
    *op = psa_pake_operation_init();
    assert_int_equal(psa_pake_setup(op, key, &cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_role(op, role), PSA_SUCCESS);
    const char *user = role == PSA_PAKE_ROLE_CLIENT ? "prover" : "verifier";
    const char *peer = role == PSA_PAKE_ROLE_CLIENT ? "verifier" : "prover";
    assert_int_equal(psa_pake_set_user(op, (const uint8_t *)user, strlen(user)), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_peer(op, (const uint8_t *)peer, strlen(peer)), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_context(op, (const uint8_t *)"test context", 12), PSA_SUCCESS);
}

/* One message from `from` to `to`; returns the input's status. */
static psa_status_t spake_pass(psa_pake_operation_t *from, psa_pake_operation_t *to,
                               psa_pake_step_t step, size_t expected_length)
{
    uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 0;
    assert_int_equal(psa_pake_output(from, step, buf, sizeof(buf), &len), PSA_SUCCESS);
    assert_int_equal(len, expected_length);
    return psa_pake_input(to, step, buf, len);
}

static void spake_exchange(psa_algorithm_t alg, size_t confirm_length, size_t shared_length,
                           bool verifier_public)
{
    psa_key_id_t pair = spake_register(alg, "correct horse");
    psa_key_id_t vkey = verifier_public ? spake_public(pair, alg) : pair;
    psa_pake_operation_t p, v;
    /* A confirmed key is not available before confirmation: BAD_STATE, then the error state. */
    spake_setup(&p, pair, alg, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    spake_setup(&v, vkey, alg, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_SERVER);
    assert_int_equal(spake_pass(&p, &v, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    assert_int_equal(spake_pass(&v, &p, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    shared_key(&v, PSA_ERROR_BAD_STATE);
    assert_error_state(&v);
    assert_int_equal(psa_pake_abort(&p), PSA_SUCCESS);

    spake_setup(&p, pair, alg, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    spake_setup(&v, vkey, alg, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_SERVER);
    assert_int_equal(spake_pass(&p, &v, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    assert_int_equal(spake_pass(&v, &p, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    assert_int_equal(spake_pass(&v, &p, PSA_PAKE_STEP_CONFIRM, confirm_length), PSA_SUCCESS);
    assert_int_equal(spake_pass(&p, &v, PSA_PAKE_STEP_CONFIRM, confirm_length), PSA_SUCCESS);
    psa_key_id_t kp = shared_key(&p, PSA_SUCCESS);
    psa_key_id_t kv = shared_key(&v, PSA_SUCCESS);
    uint8_t ep[64], ev[64];
    size_t lp = export(kp, ep, sizeof(ep)), lv = export(kv, ev, sizeof(ev));
    assert_int_equal(lp, shared_length);
    assert_int_equal(lp, lv);
    assert_memory_equal(ep, ev, lp);
    assert_int_equal(psa_pake_abort(&p), PSA_SUCCESS);
    assert_int_equal(psa_pake_abort(&v), PSA_SUCCESS);
    psa_destroy_key(kp);
    psa_destroy_key(kv);
    if (vkey != pair) {
        psa_destroy_key(vkey);
    }
    psa_destroy_key(pair);
}

static void test_spake2p_exchanges(void **state)
{
    init(state);
    /* Confirmation and shared-key lengths: a hash for HMAC suites, 16 bytes for CMAC; K_shared
     * is a hash long, Matter's Ke half a SHA-256. */
    spake_exchange(SPAKE_HMAC, 32, 32, true);
    spake_exchange(SPAKE_HMAC, 32, 32, false);
    spake_exchange(PSA_ALG_SPAKE2P_HMAC(PSA_ALG_SHA_512), 64, 64, true);
    spake_exchange(PSA_ALG_SPAKE2P_CMAC(PSA_ALG_SHA_256), 16, 32, true);
    spake_exchange(PSA_ALG_SPAKE2P_MATTER, 32, 16, true);
}

/* Different passwords: the prover refuses the verifier's confirmation with INVALID_SIGNATURE and
 * the operation is then in its error state; the same holds the other way round. */
static void test_spake2p_wrong_password(void **state)
{
    init(state);
    psa_key_id_t good = spake_register(SPAKE_HMAC, "correct horse");
    psa_key_id_t bad = spake_register(SPAKE_HMAC, "battery staple");
    psa_key_id_t vkey = spake_public(good, SPAKE_HMAC);
    psa_pake_operation_t p, v;
    spake_setup(&p, bad, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    spake_setup(&v, vkey, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_SERVER);
    assert_int_equal(spake_pass(&p, &v, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    assert_int_equal(spake_pass(&v, &p, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    uint8_t confirm_v[32];
    size_t len = 0;
    assert_int_equal(psa_pake_output(&v, PSA_PAKE_STEP_CONFIRM, confirm_v, sizeof(confirm_v),
                                     &len),
                     PSA_SUCCESS);
    assert_int_equal(psa_pake_input(&p, PSA_PAKE_STEP_CONFIRM, confirm_v, len),
                     PSA_ERROR_INVALID_SIGNATURE);
    uint8_t buf[64];
    assert_int_equal(psa_pake_output(&p, PSA_PAKE_STEP_CONFIRM, buf, sizeof(buf), &len),
                     PSA_ERROR_BAD_STATE);
    shared_key(&p, PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_abort(&p), PSA_SUCCESS);
    /* The verifier, given a confirmation made with the wrong keys, refuses it too. */
    confirm_v[0] ^= 1;
    assert_int_equal(psa_pake_input(&v, PSA_PAKE_STEP_CONFIRM, confirm_v, 32),
                     PSA_ERROR_INVALID_SIGNATURE);
    shared_key(&v, PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_abort(&v), PSA_SUCCESS);
    /* The good key still works. */
    spake_setup(&p, good, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    spake_setup(&v, vkey, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_SERVER);
    assert_int_equal(spake_pass(&p, &v, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    assert_int_equal(spake_pass(&v, &p, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    assert_int_equal(spake_pass(&v, &p, PSA_PAKE_STEP_CONFIRM, 32), PSA_SUCCESS);
    assert_int_equal(spake_pass(&p, &v, PSA_PAKE_STEP_CONFIRM, 32), PSA_SUCCESS);
    psa_pake_abort(&p);
    psa_pake_abort(&v);
    psa_destroy_key(good);
    psa_destroy_key(bad);
    psa_destroy_key(vkey);
}

static void test_spake2p_states_and_errors(void **state)
{
    init(state);
    psa_key_id_t pair = spake_register(SPAKE_HMAC, "pw");
    psa_key_id_t pub = spake_public(pair, SPAKE_HMAC);
    psa_pake_cipher_suite_t cs = suite(SPAKE_HMAC, P256);
    psa_pake_cs_set_key_confirmation(&cs, PSA_PAKE_CONFIRMED_KEY);
    psa_pake_operation_t op = PSA_PAKE_OPERATION_INIT;
    uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
    size_t len = 0;

    /* Suite mismatches: primitive of another size or family; P-384 is not built. */
    psa_pake_cipher_suite_t bad = cs;
    psa_pake_cs_set_primitive(&bad, PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC,
                                                       PSA_ECC_FAMILY_SECP_R1, 384));
    assert_int_equal(psa_pake_setup(&op, pair, &bad), PSA_ERROR_INVALID_ARGUMENT);
    bad = cs;
    psa_pake_cs_set_key_confirmation(&bad, 9);
    assert_int_equal(psa_pake_setup(&op, pair, &bad), PSA_ERROR_INVALID_ARGUMENT);
    assert_null(op.ctx);

    /* No role yet: outputs are BAD_STATE; J-PAKE-only roles and steps are refused. Each error
     * puts the operation in its error state. */
    assert_int_equal(psa_pake_setup(&op, pair, &cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_output(&op, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_ERROR_BAD_STATE);
    assert_error_state(&op);
    assert_int_equal(psa_pake_setup(&op, pair, &cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_role(&op, PSA_PAKE_ROLE_FIRST), PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);

    /* A public key can only verify. */
    assert_int_equal(psa_pake_setup(&op, pub, &cs), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_role(&op, PSA_PAKE_ROLE_CLIENT), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_pake_abort(&op), PSA_SUCCESS);

    /* Prover order: share out, share in, confirm in, confirm out. */
    spake_setup(&op, pair, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    assert_int_equal(psa_pake_set_context(&op, (const uint8_t *)"x", 1), PSA_ERROR_BAD_STATE);
    assert_error_state(&op);
    spake_setup(&op, pair, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    assert_int_equal(psa_pake_output(&op, PSA_PAKE_STEP_ZK_PUBLIC, buf, sizeof(buf), &len),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    spake_setup(&op, pair, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    assert_int_equal(psa_pake_input(&op, PSA_PAKE_STEP_KEY_SHARE, buf, 65), PSA_ERROR_BAD_STATE);
    assert_error_state(&op);
    spake_setup(&op, pair, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    assert_int_equal(psa_pake_output(&op, PSA_PAKE_STEP_CONFIRM, buf, sizeof(buf), &len),
                     PSA_ERROR_BAD_STATE);
    assert_error_state(&op);
    spake_setup(&op, pair, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    assert_int_equal(psa_pake_output(&op, PSA_PAKE_STEP_KEY_SHARE, buf, 64, &len),
                     PSA_ERROR_BUFFER_TOO_SMALL);
    assert_error_state(&op);
    spake_setup(&op, pair, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    assert_int_equal(psa_pake_output(&op, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_SUCCESS);
    assert_int_equal(psa_pake_set_user(&op, (const uint8_t *)"late", 4), PSA_ERROR_BAD_STATE);
    assert_error_state(&op);
    spake_setup(&op, pair, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    assert_int_equal(psa_pake_output(&op, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_SUCCESS);
    assert_int_equal(psa_pake_output(&op, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_ERROR_BAD_STATE);
    assert_error_state(&op);
    spake_setup(&op, pair, SPAKE_HMAC, PSA_PAKE_CONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    assert_int_equal(psa_pake_output(&op, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                     PSA_SUCCESS);
    /* An invalid share (not on the curve) is INVALID_ARGUMENT and ends the operation. */
    buf[64] ^= 1;
    assert_int_equal(psa_pake_input(&op, PSA_PAKE_STEP_KEY_SHARE, buf, 65),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_pake_input(&op, PSA_PAKE_STEP_KEY_SHARE, buf, 65), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_pake_abort(&op), PSA_SUCCESS);

    /* Unconfirmed key: available once the shares are exchanged. */
    psa_pake_operation_t p, v;
    spake_setup(&v, pub, SPAKE_HMAC, PSA_PAKE_UNCONFIRMED_KEY, PSA_PAKE_ROLE_SERVER);
    shared_key(&v, PSA_ERROR_BAD_STATE);
    assert_error_state(&v);
    spake_setup(&p, pair, SPAKE_HMAC, PSA_PAKE_UNCONFIRMED_KEY, PSA_PAKE_ROLE_CLIENT);
    spake_setup(&v, pub, SPAKE_HMAC, PSA_PAKE_UNCONFIRMED_KEY, PSA_PAKE_ROLE_SERVER);
    assert_int_equal(spake_pass(&p, &v, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    assert_int_equal(spake_pass(&v, &p, PSA_PAKE_STEP_KEY_SHARE, 65), PSA_SUCCESS);
    psa_key_id_t k1 = shared_key(&p, PSA_SUCCESS);
    psa_key_id_t k2 = shared_key(&v, PSA_SUCCESS);
    uint8_t e1[32], e2[32];
    assert_int_equal(export(k1, e1, sizeof(e1)), 32);
    assert_int_equal(export(k2, e2, sizeof(e2)), 32);
    assert_memory_equal(e1, e2, 32);
    psa_destroy_key(k1);
    psa_destroy_key(k2);

    /* Key import checks: wrong length, w0 = 0, w1 >= n, L off the curve. */
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, SPAKE_PAIR);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&attr, SPAKE_HMAC);
    uint8_t material[97];
    memset(material, 0x11, sizeof(material));
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, material, 63, &id), PSA_ERROR_INVALID_ARGUMENT);
    memset(material, 0, 32);
    assert_int_equal(psa_import_key(&attr, material, 64, &id), PSA_ERROR_INVALID_ARGUMENT);
    memset(material, 0x11, 32);
    memset(material + 32, 0xff, 32);
    assert_int_equal(psa_import_key(&attr, material, 64, &id), PSA_ERROR_INVALID_ARGUMENT);
    psa_set_key_type(&attr, SPAKE_PUB);
    assert_int_equal(psa_export_public_key(pair, material, sizeof(material), &len), PSA_SUCCESS);
    material[96] ^= 1;
    assert_int_equal(psa_import_key(&attr, material, 97, &id), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(id, PSA_KEY_ID_NULL);
    psa_destroy_key(pair);
    psa_destroy_key(pub);
}
/* psa_destroy_key of the password key: "If a key is currently in use in a multi-part operation, then destroying the
 * key will cause the multi-part operation to fail." The next call answers BAD_STATE and the
 * operation is in its error state until abort; the key's id is gone. */
static void test_destroy_password_in_use(void **state)
{
    init(state);
    psa_pake_cipher_suite_t cs = suite(JPAKE256, P256);
    for (int at = 0; at < 2; at++) {
        psa_key_id_t pw =
            import_password(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, JPAKE256, "pw");
        psa_pake_operation_t a, b;
        setup_side(&a, pw, &cs, "client", "server");
        setup_side(&b, pw, &cs, "server", "client");
        if (at == 1) {
            pass(&a, &b, 2, 32);
            pass(&b, &a, 2, 32);
        }
        assert_int_equal(psa_destroy_key(pw), PSA_SUCCESS);
        uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
        size_t len = 0;
        assert_int_equal(psa_pake_output(&a, PSA_PAKE_STEP_KEY_SHARE, buf, sizeof(buf), &len),
                         PSA_ERROR_BAD_STATE);
        assert_int_equal(len, 0);
        assert_error_state(&a);
        assert_int_equal(psa_pake_abort(&b), PSA_SUCCESS);
    }
}

int main(void)
{
    if (mkdtemp(state_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_p256),
        cmocka_unit_test(test_exchange_other_curves_and_hashes),
        cmocka_unit_test(test_shared_key_feeds_hkdf),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_setup_errors),
        cmocka_unit_test(test_setup_calls),
        cmocka_unit_test(test_step_order),
        cmocka_unit_test(test_destroy_password_in_use),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_shared_key_attributes),
        cmocka_unit_test(test_mbedtls_reference_round_one),
        cmocka_unit_test(test_spake2p_exchanges),
        cmocka_unit_test(test_spake2p_wrong_password),
        cmocka_unit_test(test_spake2p_states_and_errors),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
    if (system(cmd) != 0) {
        failed = failed != 0 ? failed : 1;
    }
    return failed;
}
