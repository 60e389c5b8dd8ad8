/* EC J-PAKE interoperability: this project's PSA J-PAKE against Mbed TLS's mbedtls_ecjpake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psa/crypto.h>

#include <mbedtls/ecjpake.h>

/*
 * Mbed TLS speaks the TLS/Thread EC J-PAKE framing: round one is, for each of X1 and X2, an
 * ECPoint (1-byte length + uncompressed point), the proof's V as an ECPoint and r as a 1-byte
 * length + big-endian number (minimal length); round two is the same for A alone, prefixed by
 * a 3-byte ECParameters (named_curve secp256r1) when the server sends it. Its identities are
 * fixed by role: "client" and "server". Its derive_secret gives SHA-256 of K's x coordinate,
 * which is what PSA_ALG_TLS12_ECJPAKE_TO_PMS makes of the PSA shared secret (the point K in
 * uncompressed form): so SHA-256(shared key bytes 1..32) must equal it.
 */

static char state_dir[] = "/tmp/ss-test-pake-interop-XXXXXX";

#define JPAKE256 PSA_ALG_JPAKE(PSA_ALG_SHA_256)
#define P256     PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC, PSA_ECC_FAMILY_SECP_R1, 256)

static int rng(void *context, unsigned char *out, size_t length)
{
    (void)context;
    return psa_generate_random(out, length) == PSA_SUCCESS ? 0 : -1;
}

static const psa_pake_step_t steps[3] = {PSA_PAKE_STEP_KEY_SHARE, PSA_PAKE_STEP_ZK_PUBLIC,
                                         PSA_PAKE_STEP_ZK_PROOF};

/* PSA output of `triples` triples, framed as Mbed TLS reads them. */
static size_t psa_to_tls(psa_pake_operation_t *op, int triples, uint8_t *buf, size_t size)
{
    size_t at = 0;
    for (int i = 0; i < 3 * triples; i++) {
        size_t len = 0;
        assert_true(at + 1 < size);
        assert_int_equal(psa_pake_output(op, steps[i % 3], buf + at + 1, size - at - 1, &len),
                         PSA_SUCCESS);
        assert_true(len < 256);
        buf[at] = (uint8_t)len;
        at += 1 + len;
    }
    return at;
}

/* Mbed TLS's message into PSA inputs; returns the status of the first input that fails. */
static psa_status_t tls_to_psa(psa_pake_operation_t *op, int triples, const uint8_t *buf,
                               size_t length)
{
    size_t at = 0;
    for (int i = 0; i < 3 * triples; i++) {
        assert_true(at < length);
        size_t len = buf[at];
        assert_true(at + 1 + len <= length);
        psa_status_t status = psa_pake_input(op, steps[i % 3], buf + at + 1, len);
        if (status != PSA_SUCCESS) {
            return status;
        }
        at += 1 + len;
    }
    assert_int_equal(at, length);
    return PSA_SUCCESS;
}

static psa_key_id_t import_password(const char *password)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_PASSWORD);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&attr, JPAKE256);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, (const uint8_t *)password, strlen(password), &id),
                     PSA_SUCCESS);
    return id;
}

static void psa_side(psa_pake_operation_t *op, psa_key_id_t pw, int psa_is_client)
{
    psa_pake_cipher_suite_t cs = PSA_PAKE_CIPHER_SUITE_INIT;
    psa_pake_cs_set_algorithm(&cs, JPAKE256);
    psa_pake_cs_set_primitive(&cs, P256);
    psa_pake_cs_set_key_confirmation(&cs, PSA_PAKE_UNCONFIRMED_KEY);
    *op = psa_pake_operation_init();
    assert_int_equal(psa_pake_setup(op, pw, &cs), PSA_SUCCESS);
    const char *me = psa_is_client ? "client" : "server";
    const char *peer = psa_is_client ? "server" : "client";
    assert_int_equal(psa_pake_set_user(op, (const uint8_t *)me, 6), PSA_SUCCESS);
    assert_int_equal(psa_pake_set_peer(op, (const uint8_t *)peer, 6), PSA_SUCCESS);
}

/* SHA-256 of the x coordinate of the PSA shared key: the TLS 1.2 EC J-PAKE premaster secret. */
static void psa_premaster(psa_pake_operation_t *op, uint8_t pms[32])
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_DERIVE);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_EXPORT);
    psa_key_id_t key = 0;
    assert_int_equal(psa_pake_get_shared_key(op, &attr, &key), PSA_SUCCESS);
    uint8_t k[65];
    size_t len = 0;
    assert_int_equal(psa_export_key(key, k, sizeof(k), &len), PSA_SUCCESS);
    assert_int_equal(len, 65);
    assert_int_equal(k[0], 0x04);
    size_t hlen = 0;
    assert_int_equal(psa_hash_compute(PSA_ALG_SHA_256, k + 1, 32, pms, 32, &hlen), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

/* One whole exchange; returns whether both premaster secrets are equal. */
static int run(int psa_is_client, const char *psa_password, const char *tls_password)
{
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
    psa_key_id_t pw = import_password(psa_password);
    psa_pake_operation_t op;
    psa_side(&op, pw, psa_is_client);

    mbedtls_ecjpake_context tls;
    mbedtls_ecjpake_init(&tls);
    assert_int_equal(mbedtls_ecjpake_setup(&tls,
                                           psa_is_client ? MBEDTLS_ECJPAKE_SERVER
                                                         : MBEDTLS_ECJPAKE_CLIENT,
                                           MBEDTLS_MD_SHA256, MBEDTLS_ECP_DP_SECP256R1,
                                           (const unsigned char *)tls_password,
                                           strlen(tls_password)),
                     0);
    uint8_t buf[1024];
    size_t len = 0;

    /* Round one, both directions. */
    len = psa_to_tls(&op, 2, buf, sizeof(buf));
    assert_int_equal(mbedtls_ecjpake_read_round_one(&tls, buf, len), 0);
    assert_int_equal(mbedtls_ecjpake_write_round_one(&tls, buf, sizeof(buf), &len, rng, NULL), 0);
    assert_int_equal(tls_to_psa(&op, 2, buf, len), PSA_SUCCESS);

    /* Round two: the server's message carries the curve first. */
    static const uint8_t curve[3] = {0x03, 0x00, 0x17};
    size_t prefix = psa_is_client ? 0 : sizeof(curve);
    memcpy(buf, curve, prefix);
    len = prefix + psa_to_tls(&op, 1, buf + prefix, sizeof(buf) - prefix);
    assert_int_equal(mbedtls_ecjpake_read_round_two(&tls, buf, len), 0);
    assert_int_equal(mbedtls_ecjpake_write_round_two(&tls, buf, sizeof(buf), &len, rng, NULL), 0);
    prefix = psa_is_client ? sizeof(curve) : 0;
    assert_memory_equal(buf, curve, prefix);
    assert_int_equal(tls_to_psa(&op, 1, buf + prefix, len - prefix), PSA_SUCCESS);

    uint8_t pms_psa[32], pms_tls[32];
    psa_premaster(&op, pms_psa);
    assert_int_equal(mbedtls_ecjpake_derive_secret(&tls, pms_tls, sizeof(pms_tls), &len, rng, NULL),
                     0);
    assert_int_equal(len, 32);
    mbedtls_ecjpake_free(&tls);
    psa_pake_abort(&op);
    psa_destroy_key(pw);
    return memcmp(pms_psa, pms_tls, 32) == 0;
}

static void test_psa_client_mbedtls_server(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++) {
        assert_true(run(1, "threadjpaketest", "threadjpaketest"));
    }
}

static void test_psa_server_mbedtls_client(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++) {
        assert_true(run(0, "threadjpaketest", "threadjpaketest"));
    }
}

static void test_different_passwords(void **state)
{
    (void)state;
    assert_false(run(1, "threadjpaketest", "threadjpaketesT"));
    assert_false(run(0, "threadjpaketest", "threadjpaketesT"));
}

/* A tampered proof is refused on either side. */
static void test_tampered_proofs(void **state)
{
    (void)state;
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
    psa_key_id_t pw = import_password("threadjpaketest");
    uint8_t buf[1024];
    size_t len = 0;

    /* Mbed TLS refuses a PSA proof with one bit flipped in r1 (the last byte of the first
     * triple: 1+65 + 1+65 + 1+32). */
    psa_pake_operation_t op;
    psa_side(&op, pw, 1);
    mbedtls_ecjpake_context tls;
    mbedtls_ecjpake_init(&tls);
    assert_int_equal(mbedtls_ecjpake_setup(&tls, MBEDTLS_ECJPAKE_SERVER, MBEDTLS_MD_SHA256,
                                           MBEDTLS_ECP_DP_SECP256R1,
                                           (const unsigned char *)"threadjpaketest", 15),
                     0);
    len = psa_to_tls(&op, 2, buf, sizeof(buf));
    buf[66 + 66 + 32] ^= 1;
    assert_int_not_equal(mbedtls_ecjpake_read_round_one(&tls, buf, len), 0);
    mbedtls_ecjpake_free(&tls);
    psa_pake_abort(&op);

    /* PSA refuses an Mbed TLS proof with a bit flipped in its first r. */
    psa_side(&op, pw, 1);
    mbedtls_ecjpake_init(&tls);
    assert_int_equal(mbedtls_ecjpake_setup(&tls, MBEDTLS_ECJPAKE_SERVER, MBEDTLS_MD_SHA256,
                                           MBEDTLS_ECP_DP_SECP256R1,
                                           (const unsigned char *)"threadjpaketest", 15),
                     0);
    assert_int_equal(mbedtls_ecjpake_write_round_one(&tls, buf, sizeof(buf), &len, rng, NULL), 0);
    size_t r_at = 66 + 66; /* length byte of r1 */
    buf[r_at + buf[r_at]] ^= 1;
    assert_int_equal(tls_to_psa(&op, 2, buf, len), PSA_ERROR_INVALID_SIGNATURE);
    mbedtls_ecjpake_free(&tls);
    psa_pake_abort(&op);

    /* PSA with swapped identities refuses Mbed TLS's proofs (made under "server"). */
    psa_side(&op, pw, 0);
    mbedtls_ecjpake_init(&tls);
    assert_int_equal(mbedtls_ecjpake_setup(&tls, MBEDTLS_ECJPAKE_SERVER, MBEDTLS_MD_SHA256,
                                           MBEDTLS_ECP_DP_SECP256R1,
                                           (const unsigned char *)"threadjpaketest", 15),
                     0);
    assert_int_equal(mbedtls_ecjpake_write_round_one(&tls, buf, sizeof(buf), &len, rng, NULL), 0);
    assert_int_equal(tls_to_psa(&op, 2, buf, len), PSA_ERROR_INVALID_SIGNATURE);
    mbedtls_ecjpake_free(&tls);
    psa_pake_abort(&op);
    psa_destroy_key(pw);
}

int main(void)
{
    if (mkdtemp(state_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psa_client_mbedtls_server),
        cmocka_unit_test(test_psa_server_mbedtls_client),
        cmocka_unit_test(test_different_passwords),
        cmocka_unit_test(test_tampered_proofs),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
    if (system(cmd) != 0) {
        failed = failed != 0 ? failed : 1;
    }
    return failed;
}
