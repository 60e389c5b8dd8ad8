/* Unit tests of key derivation via libpsa-local: algorithms, ordering, capacity, policy, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psa/crypto.h>

static char state_dir[] = "/tmp/ss-test-kdf-XXXXXX";

/* ---- helpers --------------------------------------------------------------------------------- */

static size_t unhex(const char *hex, uint8_t *out, size_t out_size)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= out_size);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static psa_key_id_t import_key(psa_key_type_t type, psa_key_usage_t usage, psa_algorithm_t alg,
                               const uint8_t *data, size_t length)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, alg);
    psa_key_id_t id = 0;
    assert_int_equal(psa_import_key(&attr, data, length, &id), PSA_SUCCESS);
    return id;
}

/* Checks that the operation is in the error state: inputs and outputs are refused, abort works. */
static void assert_error_state(psa_key_derivation_operation_t *op)
{
    uint8_t b[1] = {0};
    size_t cap;
    assert_int_equal(psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_INFO, b, 1),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_output_bytes(op, b, 1), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_get_capacity(op, &cap), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_abort(op), PSA_SUCCESS);
    assert_null(op->ctx);
}

/* RFC 5869 A.1 (HKDF-SHA-256, basic case). */
#define RFC5869_IKM  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
#define RFC5869_SALT "000102030405060708090a0b0c"
#define RFC5869_INFO "f0f1f2f3f4f5f6f7f8f9"
#define RFC5869_PRK  "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"
#define RFC5869_OKM                                                                                \
    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"

typedef struct rfc5869 {
    uint8_t ikm[22], salt[13], info[10], prk[32], okm[42];
} rfc5869_t;

static rfc5869_t rfc5869(void)
{
    rfc5869_t v;
    unhex(RFC5869_IKM, v.ikm, sizeof(v.ikm));
    unhex(RFC5869_SALT, v.salt, sizeof(v.salt));
    unhex(RFC5869_INFO, v.info, sizeof(v.info));
    unhex(RFC5869_PRK, v.prk, sizeof(v.prk));
    unhex(RFC5869_OKM, v.okm, sizeof(v.okm));
    return v;
}

/* An HKDF-SHA-256 operation with the RFC 5869 A.1 inputs given as bytes. */
static void hkdf_setup_bytes(psa_key_derivation_operation_t *op, const rfc5869_t *v)
{
    assert_int_equal(psa_key_derivation_setup(op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_SALT, v->salt, sizeof(v->salt)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_SECRET, v->ikm, sizeof(v->ikm)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_INFO, v->info, sizeof(v->info)),
        PSA_SUCCESS);
}

/* Same, with the secret in a DERIVE key. */
static void hkdf_setup_key(psa_key_derivation_operation_t *op, const rfc5869_t *v,
                           psa_key_id_t secret)
{
    assert_int_equal(psa_key_derivation_setup(op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_SALT, v->salt, sizeof(v->salt)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(op, PSA_KEY_DERIVATION_INPUT_SECRET, secret),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_INFO, v->info, sizeof(v->info)),
        PSA_SUCCESS);
}

static psa_key_id_t hkdf_secret_key(psa_key_usage_t usage)
{
    rfc5869_t v = rfc5869();
    return import_key(PSA_KEY_TYPE_DERIVE, usage, PSA_ALG_HKDF(PSA_ALG_SHA_256), v.ikm,
                      sizeof(v.ikm));
}

/* ---- library state and setup ----------------------------------------------------------------- */

static void test_calls_before_init_are_bad_state(void **state)
{
    (void)state;
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHA_256)),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
}

static void test_setup_errors(void **state)
{
    (void)state;
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    /* Not a key derivation at all: INVALID_ARGUMENT, operation unchanged. */
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_SHA_256), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HMAC(PSA_ALG_SHA_256)),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_ECDH), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_NONE), PSA_ERROR_INVALID_ARGUMENT);
    assert_null(op.ctx);
    /* Key derivations this core does not build, or with an unusable hash. */
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_MD4)),
                     PSA_ERROR_NOT_SUPPORTED);
    /* ECJPAKE-to-PMS takes J-PAKE's point, which no key agreement gives. */
    assert_int_equal(psa_key_derivation_setup(
                         &op, PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_TLS12_ECJPAKE_TO_PMS)),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHAKE256_512)),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_ANY_HASH)),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(0)), PSA_ERROR_NOT_SUPPORTED);
    assert_null(op.ctx);
    /* A second setup of an active operation: BAD_STATE, the first stays usable. */
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHA_256)),
                     PSA_ERROR_BAD_STATE);
    size_t cap = 0;
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 255 * 32);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    /* Key agreement combined with a KDF sets up. */
    assert_int_equal(psa_key_derivation_setup(
                         &op, PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_HKDF(PSA_ALG_SHA_256))),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

static void test_inactive_operation(void **state)
{
    (void)state;
    psa_key_derivation_operation_t op = psa_key_derivation_operation_init();
    uint8_t buf[4] = {0};
    size_t cap = 0;
    psa_key_id_t id = 1234;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_RAW_DATA);
    psa_set_key_bits(&attr, 32);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_set_capacity(&op, 1), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, buf, 4),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 1),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, 1),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(
        psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_SECRET, 1, buf, 4),
        PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_output_bytes(&op, buf, 4), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &id), PSA_ERROR_BAD_STATE);
    assert_int_equal(id, PSA_KEY_ID_NULL);
    assert_int_equal(psa_key_derivation_verify_bytes(&op, buf, 4), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_verify_key(&op, 1), PSA_ERROR_BAD_STATE);
    /* Abort is always allowed, twice too. */
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

/* ---- HKDF family ----------------------------------------------------------------------------- */

static void test_hkdf_rfc5869_bytes_and_streaming(void **state)
{
    (void)state;
    rfc5869_t v = rfc5869();
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t out[42];

    hkdf_setup_bytes(&op, &v);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_memory_equal(out, v.okm, sizeof(out));
    size_t cap = 0;
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 255 * 32 - 42);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* Reading in uneven pieces across block boundaries gives the same stream. */
    hkdf_setup_bytes(&op, &v);
    memset(out, 0, sizeof(out));
    const size_t pieces[] = {1, 7, 0, 24, 10};
    size_t off = 0;
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        assert_int_equal(psa_key_derivation_output_bytes(&op, out + off, pieces[i]), PSA_SUCCESS);
        off += pieces[i];
    }
    assert_int_equal(off, sizeof(out));
    assert_memory_equal(out, v.okm, sizeof(out));
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* INFO may come first, SALT is optional (RFC 5869 A.3 uses neither salt nor info). */
    uint8_t okm3[42];
    unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
          okm3, sizeof(okm3));
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, NULL, 0),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_memory_equal(out, okm3, sizeof(out));
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

static void test_hkdf_capacity(void **state)
{
    (void)state;
    rfc5869_t v = rfc5869();
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t out[42];
    size_t cap = 0;

    hkdf_setup_bytes(&op, &v);
    /* Growing the capacity is refused and changes nothing. */
    assert_int_equal(psa_key_derivation_set_capacity(&op, 255 * 32 + 1),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 255 * 32);
    assert_int_equal(psa_key_derivation_set_capacity(&op, 255 * 32), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_set_capacity(&op, 20), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_set_capacity(&op, 21), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 10), PSA_SUCCESS);
    assert_memory_equal(out, v.okm, 10);
    /* Asking for more than is left: nothing written, capacity emptied, operation still valid. */
    memset(out, 0xa5, sizeof(out));
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 11), PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(out[0], 0xa5);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 0);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 0), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* The whole 255 * HashLen stream can be read, not one byte more. */
    hkdf_setup_bytes(&op, &v);
    uint8_t *all = malloc(255 * 32);
    assert_non_null(all);
    assert_int_equal(psa_key_derivation_output_bytes(&op, all, 255 * 32), PSA_SUCCESS);
    assert_memory_equal(all, v.okm, sizeof(v.okm));
    assert_int_equal(psa_key_derivation_output_bytes(&op, all, 1), PSA_ERROR_INSUFFICIENT_DATA);
    free(all);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

static void test_hkdf_ordering(void **state)
{
    (void)state;
    rfc5869_t v = rfc5869();
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t out[42];
    const psa_algorithm_t alg = PSA_ALG_HKDF(PSA_ALG_SHA_256);

    /* Out-of-order and repeated steps: BAD_STATE, which puts the operation in its error state. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_SUCCESS);
    /* Output before INFO: not all inputs given. */
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, v.info, sizeof(v.info)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, v.info, sizeof(v.info)),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, v.info, sizeof(v.info)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_memory_equal(out, v.okm, sizeof(out));
    /* No input once output has started. */
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, v.info, sizeof(v.info)),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, v.info, sizeof(v.info)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* Steps HKDF does not take: INVALID_ARGUMENT, then the error state. */
    const psa_key_derivation_step_t foreign[] = {PSA_KEY_DERIVATION_INPUT_SEED,
                                                 PSA_KEY_DERIVATION_INPUT_LABEL,
                                                 PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                                 PSA_KEY_DERIVATION_INPUT_OTHER_SECRET,
                                                 PSA_KEY_DERIVATION_INPUT_COST,
                                                 PSA_KEY_DERIVATION_INPUT_CONTEXT,
                                                 0x7777};
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_bytes(&op, foreign[i], v.salt, 4),
                         PSA_ERROR_INVALID_ARGUMENT);
        assert_error_state(&op);
    }
    /* Numeric input on a step that takes bytes. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_SALT, 5),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 5),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
}

static void test_hkdf_extract_and_expand(void **state)
{
    (void)state;
    rfc5869_t v = rfc5869();
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t out[42];
    size_t cap = 0;

    /* Extract: SALT then SECRET, output is the PRK and capacity HashLen. */
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXTRACT(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 32);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXTRACT(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXTRACT(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.ikm, sizeof(v.ikm)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 32), PSA_SUCCESS);
    assert_memory_equal(out, v.prk, 32);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXTRACT(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, v.info, sizeof(v.info)),
        PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);

    /* Expand: SECRET (the PRK) then INFO. */
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXPAND(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 255 * 32);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, v.info, sizeof(v.info)),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXPAND(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.prk, sizeof(v.prk)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXPAND(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, v.prk, sizeof(v.prk)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_INFO, v.info, sizeof(v.info)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_memory_equal(out, v.okm, sizeof(out));
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF_EXPAND(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, v.salt, sizeof(v.salt)),
        PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
}

/* ---- TLS 1.2 --------------------------------------------------------------------------------- */

/* Published TLS 1.2 PRF vectors (IETF TLS WG list, www.ietf.org/mail-archive/web/tls/current/
 * msg03416.html), label "test label". */
static void check_tls12_prf(psa_algorithm_t hash, const char *secret_hex, const char *seed_hex,
                            const char *out_hex)
{
    uint8_t secret[16], seed[16], expected[148], out[148];
    unhex(secret_hex, secret, sizeof(secret));
    unhex(seed_hex, seed, sizeof(seed));
    size_t n = unhex(out_hex, expected, sizeof(expected));
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_TLS12_PRF(hash)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, seed, 16),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, secret, 16),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL,
                                                    (const uint8_t *)"test label", 10),
                     PSA_SUCCESS);
    /* Two reads that split a block. */
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 33), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out + 33, n - 33), PSA_SUCCESS);
    assert_memory_equal(out, expected, n);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

static void test_tls12_prf_vectors(void **state)
{
    (void)state;
    check_tls12_prf(PSA_ALG_SHA_256, "9bbe436ba940f017b17652849a71db35",
                    "a0ba9f936cda311827a6f796ffd5198c",
                    "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
                    "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
                    "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
                    "87347b66");
    check_tls12_prf(PSA_ALG_SHA_384, "b80b733d6ceefcdc71566ea48e5567df",
                    "cd665cf6a8447dd6ff8b27555edb7465",
                    "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
                    "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
                    "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
                    "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
                    "91c8f3a26854308d5eaa3be85e0990703d73e56f");
}

static void test_tls12_prf_ordering(void **state)
{
    (void)state;
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    const psa_algorithm_t alg = PSA_ALG_TLS12_PRF(PSA_ALG_SHA_256);
    uint8_t b[16] = {1, 2, 3};
    size_t cap = 0;
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, PSA_KEY_DERIVATION_UNLIMITED_CAPACITY);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, b, 16),
                     PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL, b, 16),
                     PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, b, 16),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, b, 16),
                     PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, b, 16),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL, b, 16),
                     PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, b, 16),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, b, 16),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, b, 1), PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, b, 16),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, b, 16),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL, b, 16),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, b, 16), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* OTHER_SECRET belongs to PSK-to-MS only. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, b, 16),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_OTHER_SECRET, b, 16),
        PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
}

/*
 * TLS 1.2 PSK-to-MS expected values were computed independently of this code base with Python's
 * hmac/hashlib: premaster = uint16(len(other)) || other || uint16(len(psk)) || psk (RFC 4279 2,
 * other = len(psk) zero bytes when omitted), MS = P_hash(premaster, "master secret" || seed)[:48]
 * (RFC 5246 5); that P_hash code reproduces the published TLS 1.2 PRF vectors above.
 * Seed = 0x20..0x3f, PSK = 01020304, other secret = aabbccddeeff.
 */
static void check_psk_to_ms(psa_algorithm_t hash, bool with_other, const char *ms_hex)
{
    uint8_t seed[32], psk[4] = {1, 2, 3, 4}, other[6] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    uint8_t expected[48], out[48];
    for (size_t i = 0; i < sizeof(seed); i++) {
        seed[i] = (uint8_t)(0x20 + i);
    }
    unhex(ms_hex, expected, sizeof(expected));
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_TLS12_PSK_TO_MS(hash)), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, seed, sizeof(seed)),
        PSA_SUCCESS);
    if (with_other) {
        assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_OTHER_SECRET,
                                                        other, sizeof(other)),
                         PSA_SUCCESS);
    }
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, psk, sizeof(psk)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL,
                                                    (const uint8_t *)"master secret", 13),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_memory_equal(out, expected, sizeof(out));
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

static void test_tls12_psk_to_ms(void **state)
{
    (void)state;
    check_psk_to_ms(PSA_ALG_SHA_256, false,
                    "33203215dc602f689c8d504d783cf0a001f397773e8c9349"
                    "fcd6c0b2858f5abd057602290185c754b3ed38a8320e72ec");
    check_psk_to_ms(PSA_ALG_SHA_256, true,
                    "0316d3caef50bc6626411a517755ed259b527afcbfc12bc4"
                    "93c0b50c452b6c422a5db362eab427bcbbd218e7710863e7");
    check_psk_to_ms(PSA_ALG_SHA_384, false,
                    "829123c4d75a72a3070efe2b18d42029332bf791e303343c"
                    "2a80303d521657f254f9640e16a05c9ed9dc712740eb389d");

    /* PSK size limit, and OTHER_SECRET only between SEED and SECRET. */
    uint8_t psk[PSA_TLS12_PSK_TO_MS_PSK_MAX_SIZE + 1] = {0};
    const psa_algorithm_t alg = PSA_ALG_TLS12_PSK_TO_MS(PSA_ALG_SHA_256);
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, psk, 4),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, psk,
                                                    PSA_TLS12_PSK_TO_MS_PSK_MAX_SIZE),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_OTHER_SECRET, psk, 4),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, psk, 4),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, psk,
                                                    PSA_TLS12_PSK_TO_MS_PSK_MAX_SIZE),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SEED, psk, 4),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, psk, sizeof(psk)),
        PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);

    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_OTHER_SECRET, psk, 4),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

/* ---- PBKDF2 ---------------------------------------------------------------------------------- */

static void pbkdf2_bytes(psa_algorithm_t alg, uint64_t cost, const uint8_t *salt, size_t salt_len,
                         const uint8_t *pw, size_t pw_len, uint8_t *out, size_t out_len)
{
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, cost),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt, salt_len),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD, pw, pw_len),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, out_len), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

static void test_pbkdf2_hmac(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_1);
    uint8_t out[20], expected[20];
    /* RFC 6070 cases 1 and 2. */
    pbkdf2_bytes(alg, 1, (const uint8_t *)"salt", 4, (const uint8_t *)"password", 8, out, 20);
    unhex("0c60c80f961f0e71f3a9b524af6012062fe037a6", expected, sizeof(expected));
    assert_memory_equal(out, expected, 20);
    pbkdf2_bytes(alg, 2, (const uint8_t *)"salt", 4, (const uint8_t *)"password", 8, out, 20);
    unhex("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957", expected, sizeof(expected));
    assert_memory_equal(out, expected, 20);

    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    size_t cap = 0;
    /* Several SALT inputs are concatenated. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, (size_t)UINT32_MAX * 20);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 2),
                     PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                                    (const uint8_t *)"password", 8),
                     PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"sa", 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"lt", 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"sa", 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"lt", 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                                    (const uint8_t *)"password", 8),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, (const uint8_t *)"x", 1),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"sa", 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"lt", 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                                    (const uint8_t *)"password", 8),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                                    (const uint8_t *)"x", 1),
                     PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"sa", 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"lt", 2),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                                    (const uint8_t *)"password", 8),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 20), PSA_SUCCESS);
    assert_memory_equal(out, expected, 20);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* SALT before COST. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"salt", 4),
                     PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    /* Invalid and unsupported iteration counts. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 0),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST,
                                                      (uint64_t)UINT32_MAX + 1),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_error_state(&op);
    /* COST only as an integer; other steps never as integers. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_COST,
                                                    (const uint8_t *)"\x01", 1),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 1),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_SALT, 1),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    /* SECRET is not a PBKDF2 step. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET,
                                                    (const uint8_t *)"x", 1),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
}

/*
 * PBKDF2-AES-CMAC-PRF-128 expected values were computed with Python (python3-cryptography 48's
 * CMAC for AES-CMAC, a ten-line PBKDF2 loop per RFC 8018 5.2): the PRF keys AES with the password
 * itself when it is 16 bytes long, else with AES-CMAC(0^128, password) (RFC 4615 3). That Python
 * PRF reproduces the three RFC 4615 section 4 vectors (key lengths 18, 16, 10), and the loop
 * reproduces hashlib.pbkdf2_hmac.
 */
static void test_pbkdf2_aes_cmac_prf_128(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_PBKDF2_AES_CMAC_PRF_128;
    uint8_t out[40], expected[40], pw[18];
    size_t cap = 0;
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, (size_t)UINT32_MAX * 16);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* 16-byte password: used as the AES key directly. */
    unhex("000102030405060708090a0b0c0d0e0f", pw, sizeof(pw));
    pbkdf2_bytes(alg, 1, (const uint8_t *)"salt", 4, pw, 16, out, 16);
    unhex("f116245853c8c3ef40acaec885f25928", expected, sizeof(expected));
    assert_memory_equal(out, expected, 16);
    /* 18-byte password (RFC 4615's first key), 2 iterations, three blocks. */
    unhex("000102030405060708090a0b0c0d0e0fedcb", pw, sizeof(pw));
    pbkdf2_bytes(alg, 2, (const uint8_t *)"saltSALT", 8, pw, 18, out, 40);
    unhex("3f273399083b1cb22844a743ebcd2320659d6185d54b83ebd9b9ba91f69d3b530b73237520ef3fa8",
          expected, sizeof(expected));
    assert_memory_equal(out, expected, 40);
    /* 8-byte password, 4096 iterations. */
    pbkdf2_bytes(alg, 4096, (const uint8_t *)"salt", 4, (const uint8_t *)"password", 8, out, 32);
    unhex("38ba9795fe87e47d519eacb77e82e35daa795870859b57a82f35ce03f8ac43b2", expected,
          sizeof(expected));
    assert_memory_equal(out, expected, 32);
}

/* ---- keys as inputs: policy and types -------------------------------------------------------- */

static void test_input_key_policy_and_types(void **state)
{
    (void)state;
    rfc5869_t v = rfc5869();
    const psa_algorithm_t alg = PSA_ALG_HKDF(PSA_ALG_SHA_256);
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t out[42];

    psa_key_id_t good = hkdf_secret_key(PSA_KEY_USAGE_DERIVE);
    psa_key_id_t no_derive =
        import_key(PSA_KEY_TYPE_DERIVE, PSA_KEY_USAGE_EXPORT, alg, v.ikm, sizeof(v.ikm));
    psa_key_id_t other_alg = import_key(PSA_KEY_TYPE_DERIVE, PSA_KEY_USAGE_DERIVE,
                                        PSA_ALG_HKDF(PSA_ALG_SHA_1), v.ikm, sizeof(v.ikm));
    psa_key_id_t raw =
        import_key(PSA_KEY_TYPE_RAW_DATA, PSA_KEY_USAGE_DERIVE, alg, v.ikm, sizeof(v.ikm));
    psa_key_id_t password =
        import_key(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, alg, v.ikm, sizeof(v.ikm));
    const struct {
        psa_key_derivation_step_t step;
        psa_key_id_t key;
        psa_status_t expected;
    } cases[] = {
        {PSA_KEY_DERIVATION_INPUT_SECRET, 0, PSA_ERROR_INVALID_HANDLE},
        {PSA_KEY_DERIVATION_INPUT_SECRET, 0x7ffffff0, PSA_ERROR_INVALID_HANDLE},
        {PSA_KEY_DERIVATION_INPUT_SECRET, no_derive, PSA_ERROR_NOT_PERMITTED},
        {PSA_KEY_DERIVATION_INPUT_SECRET, other_alg, PSA_ERROR_NOT_PERMITTED},
        {PSA_KEY_DERIVATION_INPUT_SECRET, raw, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_DERIVATION_INPUT_SECRET, password, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_DERIVATION_INPUT_INFO, good, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_DERIVATION_INPUT_SEED, good, PSA_ERROR_INVALID_ARGUMENT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_key(&op, cases[i].step, cases[i].key),
                         cases[i].expected);
        assert_error_state(&op);
    }

    /* RAW_DATA keys are accepted for the non-secret steps, and the good key still works. */
    psa_key_id_t salt =
        import_key(PSA_KEY_TYPE_RAW_DATA, PSA_KEY_USAGE_DERIVE, alg, v.salt, sizeof(v.salt));
    psa_key_id_t info =
        import_key(PSA_KEY_TYPE_RAW_DATA, PSA_KEY_USAGE_DERIVE, alg, v.info, sizeof(v.info));
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SALT, salt),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, good),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_INFO, info),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_memory_equal(out, v.okm, sizeof(out));
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* PBKDF2: PASSWORD takes PASSWORD and DERIVE keys, SALT takes PEPPER, COST takes no key. */
    const psa_algorithm_t pbkdf2 = PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_1);
    psa_key_id_t pw_key = import_key(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, pbkdf2,
                                     (const uint8_t *)"password", 8);
    psa_key_id_t pw_derive = import_key(PSA_KEY_TYPE_DERIVE, PSA_KEY_USAGE_DERIVE, pbkdf2,
                                        (const uint8_t *)"password", 8);
    psa_key_id_t pepper =
        import_key(PSA_KEY_TYPE_PEPPER, PSA_KEY_USAGE_DERIVE, pbkdf2, (const uint8_t *)"lt", 2);
    uint8_t expected[20];
    unhex("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957", expected, sizeof(expected));
    psa_key_id_t passwords[] = {pw_key, pw_derive};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(psa_key_derivation_setup(&op, pbkdf2), PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_COST, pw_key),
                         PSA_ERROR_INVALID_ARGUMENT);
        assert_error_state(&op);
        assert_int_equal(psa_key_derivation_setup(&op, pbkdf2), PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 2),
                         PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                        (const uint8_t *)"sa", 2),
                         PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SALT, pepper),
                         PSA_SUCCESS);
        assert_int_equal(
            psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD, passwords[i]),
            PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_output_bytes(&op, out, 20), PSA_SUCCESS);
        assert_memory_equal(out, expected, 20);
        assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    }
    /* A PEPPER key is not an HKDF salt (HKDF's compatible types are DERIVE and RAW_DATA). */
    psa_key_id_t hkdf_pepper =
        import_key(PSA_KEY_TYPE_PEPPER, PSA_KEY_USAGE_DERIVE, alg, v.salt, sizeof(v.salt));
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SALT, hkdf_pepper),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);

    psa_key_id_t all[] = {good, no_derive, other_alg, raw,    password,   salt,
                          info, pw_key,    pw_derive, pepper, hkdf_pepper};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        assert_int_equal(psa_destroy_key(all[i]), PSA_SUCCESS);
    }
}

/* ---- outputs: permissions, keys, verification ------------------------------------------------ */

static void test_output_permissions(void **state)
{
    (void)state;
    rfc5869_t v = rfc5869();
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t out[42];
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_RAW_DATA);
    psa_set_key_bits(&attr, 128);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_EXPORT);
    psa_key_id_t id = 99;

    /* A secret given as bytes cannot become a key. */
    hkdf_setup_bytes(&op, &v);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &id), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(id, PSA_KEY_ID_NULL);
    assert_error_state(&op);

    /* A VERIFY_DERIVATION-only secret: verification yes, output no. */
    psa_key_id_t verify_only = hkdf_secret_key(PSA_KEY_USAGE_VERIFY_DERIVATION);
    hkdf_setup_key(&op, &v, verify_only);
    assert_int_equal(psa_key_derivation_verify_bytes(&op, v.okm, 20), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_NOT_PERMITTED);
    assert_error_state(&op);
    hkdf_setup_key(&op, &v, verify_only);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &id), PSA_ERROR_NOT_PERMITTED);
    assert_error_state(&op);

    /* A key with neither usage is refused at input. */
    psa_key_id_t neither = hkdf_secret_key(PSA_KEY_USAGE_SIGN_MESSAGE);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, neither),
                     PSA_ERROR_NOT_PERMITTED);
    assert_error_state(&op);

    /* A DERIVE secret: both outputs, and the derived key holds the next stream bytes. */
    psa_key_id_t derive = hkdf_secret_key(PSA_KEY_USAGE_DERIVE);
    hkdf_setup_key(&op, &v, derive);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 10), PSA_SUCCESS);
    assert_memory_equal(out, v.okm, 10);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &id), PSA_SUCCESS);
    uint8_t exported[16];
    size_t exported_length = 0;
    assert_int_equal(psa_export_key(id, exported, sizeof(exported), &exported_length), PSA_SUCCESS);
    assert_int_equal(exported_length, 16);
    assert_memory_equal(exported, v.okm + 10, 16);
    psa_key_attributes_t got = PSA_KEY_ATTRIBUTES_INIT;
    assert_int_equal(psa_get_key_attributes(id, &got), PSA_SUCCESS);
    assert_int_equal(psa_get_key_type(&got), PSA_KEY_TYPE_RAW_DATA);
    assert_int_equal(psa_get_key_bits(&got), 128);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_verify_bytes(&op, v.okm + 26, 16), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    assert_int_equal(psa_destroy_key(verify_only), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(neither), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(derive), PSA_SUCCESS);
}

static void test_output_key_attributes(void **state)
{
    (void)state;
    rfc5869_t v = rfc5869();
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_key_id_t secret = hkdf_secret_key(PSA_KEY_USAGE_DERIVE);
    const struct {
        psa_key_type_t type;
        size_t bits;
        psa_status_t expected;
    } cases[] = {
        {PSA_KEY_TYPE_NONE, 128, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 0, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_RAW_DATA, 12, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_AES, 100, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_DES, 56, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), 256, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_RSA_PUBLIC_KEY, 2048, PSA_ERROR_INVALID_ARGUMENT},
        {PSA_KEY_TYPE_RSA_KEY_PAIR, 2048, PSA_ERROR_NOT_SUPPORTED},
        {PSA_KEY_TYPE_RAW_DATA, 8 * 8192 + 8, PSA_ERROR_NOT_SUPPORTED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
        psa_set_key_type(&attr, cases[i].type);
        psa_set_key_bits(&attr, cases[i].bits);
        psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_EXPORT);
        psa_key_id_t id = 77;
        hkdf_setup_key(&op, &v, secret);
        assert_int_equal(psa_key_derivation_output_key(&attr, &op, &id), cases[i].expected);
        assert_int_equal(id, PSA_KEY_ID_NULL);
        assert_error_state(&op);
    }

    /* Not enough capacity: INSUFFICIENT_DATA, capacity emptied, no key, operation valid. */
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_EXPORT);
    psa_key_id_t id = 77;
    hkdf_setup_key(&op, &v, secret);
    assert_int_equal(psa_key_derivation_set_capacity(&op, 31), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &id), PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(id, PSA_KEY_ID_NULL);
    size_t cap = 1;
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 0);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* AES-256 from the stream, usable afterwards. */
    hkdf_setup_key(&op, &v, secret);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &id), PSA_SUCCESS);
    uint8_t exported[32];
    size_t n = 0;
    assert_int_equal(psa_export_key(id, exported, sizeof(exported), &n), PSA_SUCCESS);
    assert_int_equal(n, 32);
    assert_memory_equal(exported, v.okm, 32);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* 3-key 3DES: three 8-byte draws with odd parity fixed (none of these is a weak key). */
    psa_set_key_type(&attr, PSA_KEY_TYPE_DES);
    psa_set_key_bits(&attr, 192);
    hkdf_setup_key(&op, &v, secret);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &id), PSA_SUCCESS);
    assert_int_equal(psa_export_key(id, exported, sizeof(exported), &n), PSA_SUCCESS);
    assert_int_equal(n, 24);
    for (size_t i = 0; i < 24; i++) {
        assert_int_equal(exported[i] & 0xfe, v.okm[i] & 0xfe);
        assert_int_equal(__builtin_popcount(exported[i]) % 2, 1);
    }
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 255 * 32 - 24);
    assert_int_equal(psa_destroy_key(id), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* The secret key is unaffected by all of the above. */
    uint8_t out[42];
    hkdf_setup_key(&op, &v, secret);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_memory_equal(out, v.okm, sizeof(out));
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(secret), PSA_SUCCESS);
}

static void test_verify_bytes(void **state)
{
    (void)state;
    rfc5869_t v = rfc5869();
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t wrong[42];
    memcpy(wrong, v.okm, sizeof(wrong));
    wrong[5] ^= 1;
    size_t cap = 0;

    hkdf_setup_bytes(&op, &v);
    /* Mismatch: INVALID_SIGNATURE, bytes consumed, operation still valid. */
    assert_int_equal(psa_key_derivation_verify_bytes(&op, wrong, 10), PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 255 * 32 - 10);
    assert_int_equal(psa_key_derivation_verify_bytes(&op, v.okm + 10, 32), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_set_capacity(&op, 5), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_verify_bytes(&op, v.okm, 6), PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 0);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* Inputs incomplete. */
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_verify_bytes(&op, v.okm, 1), PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

/* Output a call consumed counts even when the call failed: after a mismatching verify_bytes the
 * next output starts past those bytes, and after an over-long read nothing is left. A persistent
 * output key makes libpsa's split mode move the derivation to rssd by replaying it, which must
 * give the same answers (RFC 5869 A.1). */
static void test_output_after_failed_calls(void **state)
{
    (void)state;
    rfc5869_t v = rfc5869();
    psa_key_id_t secret = hkdf_secret_key(PSA_KEY_USAGE_DERIVE);
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_RAW_DATA);
    psa_set_key_bits(&attr, 128);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_EXPORT);
    psa_set_key_lifetime(&attr, PSA_KEY_LIFETIME_PERSISTENT);
    psa_set_key_id(&attr, 0x00005a11);
    (void)psa_destroy_key(0x00005a11);
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t wrong[16] = {0};
    psa_key_id_t out = PSA_KEY_ID_NULL;

    hkdf_setup_key(&op, &v, secret);
    assert_int_equal(psa_key_derivation_verify_bytes(&op, wrong, sizeof(wrong)),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &out), PSA_SUCCESS);
    uint8_t key[16];
    size_t length = 0;
    assert_int_equal(psa_export_key(out, key, sizeof(key), &length), PSA_SUCCESS);
    assert_int_equal(length, 16);
    assert_memory_equal(key, v.okm + 16, 16);
    assert_int_equal(psa_destroy_key(out), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    hkdf_setup_key(&op, &v, secret);
    assert_int_equal(psa_key_derivation_set_capacity(&op, 20), PSA_SUCCESS);
    uint8_t bytes[32];
    assert_int_equal(psa_key_derivation_output_bytes(&op, bytes, sizeof(bytes)),
                     PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &out), PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(out, PSA_KEY_ID_NULL);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(secret), PSA_SUCCESS);
}

/* A PBKDF2-HMAC-SHA-256 operation over "password"/"salt", 1000 iterations. */
static void pbkdf2_setup(psa_key_derivation_operation_t *op, psa_key_id_t password,
                         const char *direct_password)
{
    assert_int_equal(psa_key_derivation_setup(op, PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256)),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(op, PSA_KEY_DERIVATION_INPUT_COST, 1000),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_SALT,
                                                    (const uint8_t *)"salt", 4),
                     PSA_SUCCESS);
    if (direct_password != NULL) {
        assert_int_equal(psa_key_derivation_input_bytes(op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                                        (const uint8_t *)direct_password,
                                                        strlen(direct_password)),
                         PSA_SUCCESS);
    } else {
        assert_int_equal(
            psa_key_derivation_input_key(op, PSA_KEY_DERIVATION_INPUT_PASSWORD, password),
            PSA_SUCCESS);
    }
}

static void test_password_hash_and_verify_key(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256);
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    /* PBKDF2-HMAC-SHA-256("password", "salt", 1000, 32), from Python's hashlib.pbkdf2_hmac. */
    uint8_t expected[32];
    unhex("632c2812e46d4604102ba7618e9d6d7d2f8128f6266b4a03264d2a0460b7dcb3", expected,
          sizeof(expected));

    psa_key_id_t password = import_key(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, alg,
                                       (const uint8_t *)"password", 8);
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_PASSWORD_HASH);
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_VERIFY_DERIVATION | PSA_KEY_USAGE_EXPORT);
    psa_key_id_t hash = 0;

    /* A password hash must name the operation's algorithm. */
    psa_set_key_algorithm(&attr, PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_1));
    pbkdf2_setup(&op, password, NULL);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &hash), PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);

    psa_set_key_algorithm(&attr, alg);
    pbkdf2_setup(&op, password, NULL);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &hash), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    uint8_t exported[32];
    size_t n = 0;
    assert_int_equal(psa_export_key(hash, exported, sizeof(exported), &n), PSA_SUCCESS);
    assert_int_equal(n, 32);
    assert_memory_equal(exported, expected, 32);

    /* The right password verifies (given as bytes too), a wrong one does not. */
    pbkdf2_setup(&op, 0, "password");
    assert_int_equal(psa_key_derivation_verify_key(&op, hash), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    pbkdf2_setup(&op, 0, "passw0rd");
    assert_int_equal(psa_key_derivation_verify_key(&op, hash), PSA_ERROR_INVALID_SIGNATURE);
    size_t cap = 0;
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, (size_t)UINT32_MAX * 32 - 32);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* Errors of the expected key. */
    psa_key_id_t not_hash = import_key(PSA_KEY_TYPE_RAW_DATA, PSA_KEY_USAGE_VERIFY_DERIVATION, alg,
                                       expected, sizeof(expected));
    psa_key_id_t no_usage = import_key(PSA_KEY_TYPE_PASSWORD_HASH, PSA_KEY_USAGE_DERIVE, alg,
                                       expected, sizeof(expected));
    psa_key_id_t other_alg =
        import_key(PSA_KEY_TYPE_PASSWORD_HASH, PSA_KEY_USAGE_VERIFY_DERIVATION,
                   PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_1), expected, sizeof(expected));
    const struct {
        psa_key_id_t key;
        psa_status_t expected;
    } cases[] = {
        {0, PSA_ERROR_INVALID_HANDLE},
        {not_hash, PSA_ERROR_INVALID_ARGUMENT},
        {no_usage, PSA_ERROR_NOT_PERMITTED},
        {other_alg, PSA_ERROR_NOT_PERMITTED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pbkdf2_setup(&op, 0, "password");
        assert_int_equal(psa_key_derivation_verify_key(&op, cases[i].key), cases[i].expected);
        assert_error_state(&op);
    }
    /* Capacity shorter than the expected key. */
    pbkdf2_setup(&op, 0, "password");
    assert_int_equal(psa_key_derivation_set_capacity(&op, 31), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_verify_key(&op, hash), PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    psa_key_id_t all[] = {password, hash, not_hash, no_usage, other_alg};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        assert_int_equal(psa_destroy_key(all[i]), PSA_SUCCESS);
    }
}

/* ---- key agreement (part 1: no agreement algorithm built) ------------------------------------ */

static void test_key_agreement_part1(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_KEY_AGREEMENT(PSA_ALG_ECDH, PSA_ALG_HKDF(PSA_ALG_SHA_256));
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t peer[65] = {4};
    uint8_t aes[16] = {0};
    psa_key_id_t aes_key = import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_DERIVE, alg, aes, 16);
    /* The step is checked after the key and the peer key (Mbed TLS's order), so the step cases
     * below use a P-256 pair and its own public key as the peer. */
    psa_key_attributes_t ec_attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&ec_attr, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&ec_attr, 256);
    psa_set_key_usage_flags(&ec_attr, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&ec_attr, alg);
    psa_key_id_t ec_key = 0;
    assert_int_equal(psa_generate_key(&ec_attr, &ec_key), PSA_SUCCESS);
    uint8_t ec_pub[65];
    size_t ec_pub_length = 0;
    assert_int_equal(psa_export_public_key(ec_key, ec_pub, sizeof(ec_pub), &ec_pub_length),
                     PSA_SUCCESS);

    /* Not a key agreement operation. */
    assert_int_equal(psa_key_derivation_setup(&op, PSA_ALG_HKDF(PSA_ALG_SHA_256)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_SECRET, aes_key,
                                                      peer, sizeof(peer)),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    /* A step that cannot take a shared secret. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_INFO, ec_key,
                                                      ec_pub, ec_pub_length),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    /* Out of order (SALT must come before the secret). */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, aes, 4),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_SECRET, ec_key,
                                                      ec_pub, ec_pub_length),
                     PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, aes, 4),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    /* Bad handle; a key that is not an ECC key pair. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_SECRET, 0, peer,
                                                      sizeof(peer)),
                     PSA_ERROR_INVALID_HANDLE);
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_key_agreement(&op, PSA_KEY_DERIVATION_INPUT_SECRET, aes_key,
                                                      peer, sizeof(peer)),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    assert_int_equal(psa_destroy_key(aes_key), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(ec_key), PSA_SUCCESS);
}

/* ---- TLS 1.2 ECJPAKE-to-PMS ------------------------------------------------------------------ */

/* The P-256 generator as an uncompressed point, and SHA-256 of its x coordinate (computed with
 * Python's hashlib: sha256(bytes.fromhex(X)).hexdigest()). */
#define P256_G_X        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
#define P256_G_Y        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
#define P256_G_X_SHA256 "40577091d962d2c36217b8e1a3c7eee4a08d3c1ad4debaacc9fa2e259ff45118"

static size_t p256_generator(uint8_t point[65])
{
    point[0] = 0x04;
    unhex(P256_G_X, point + 1, 32);
    unhex(P256_G_Y, point + 33, 32);
    return 65;
}

static void test_ecjpake_to_pms_known_answer(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_TLS12_ECJPAKE_TO_PMS;
    uint8_t point[65], expected[32], out[PSA_TLS12_ECJPAKE_TO_PMS_OUTPUT_SIZE];
    p256_generator(point);
    unhex(P256_G_X_SHA256, expected, sizeof(expected));
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    size_t cap = 0;

    /* Bytes in, bytes out: capacity 32, read in one call, then exhausted. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 32);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 32), PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, point, sizeof(point)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_memory_equal(out, expected, sizeof(out));
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 0);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* verify_bytes against the same value; a wrong value is INVALID_SIGNATURE. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, point, sizeof(point)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_verify_bytes(&op, expected, sizeof(expected)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);

    /* A DERIVE key in, a 256-bit key out whose value is the digest. */
    psa_key_id_t secret = import_key(PSA_KEY_TYPE_DERIVE, PSA_KEY_USAGE_DERIVE, alg, point, 65);
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    psa_set_key_bits(&attr, 256);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_EXPORT);
    psa_key_id_t derived = 0;
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, secret),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &derived), PSA_SUCCESS);
    size_t len = 0;
    assert_int_equal(psa_export_key(derived, out, sizeof(out), &len), PSA_SUCCESS);
    assert_int_equal(len, 32);
    assert_memory_equal(out, expected, 32);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(derived), PSA_SUCCESS);

    /* A key of another size than the 32-byte output would read it in part: refused. */
    psa_set_key_bits(&attr, 128);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, secret),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &derived),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(derived, PSA_KEY_ID_NULL);
    assert_error_state(&op);
    /* Secret given as bytes: no key may be derived (NOT_PERMITTED), bytes still may. */
    psa_set_key_bits(&attr, 256);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, point, sizeof(point)),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_key(&attr, &op, &derived), PSA_ERROR_NOT_PERMITTED);
    assert_error_state(&op);
    assert_int_equal(psa_destroy_key(secret), PSA_SUCCESS);
}

static void test_ecjpake_to_pms_errors(void **state)
{
    (void)state;
    const psa_algorithm_t alg = PSA_ALG_TLS12_ECJPAKE_TO_PMS;
    uint8_t point[66], out[32], expected[32];
    p256_generator(point);
    unhex(P256_G_X_SHA256, expected, sizeof(expected));
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;

    /* Malformed secrets: wrong length, compressed or unknown prefix, not on the curve. */
    uint8_t bad[66];
    const struct {
        size_t length;
        int at; /* byte to alter, or -1 */
        uint8_t value;
    } cases[] = {
        {64, -1, 0},   {66, -1, 0},   {33, -1, 0},   {0, -1, 0},     {65, 0, 0x02},
        {65, 0, 0x03}, {65, 0, 0x00}, {65, 0, 0x06}, {65, 64, 0xf4}, /* y altered: off the curve */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(bad, point, sizeof(bad));
        bad[65] = 0;
        if (cases[i].at >= 0) {
            bad[cases[i].at] = cases[i].value;
        }
        assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, bad,
                                                        cases[i].length),
                         PSA_ERROR_INVALID_ARGUMENT);
        assert_error_state(&op);
    }
    /* Steps it does not take, and integer inputs. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT, point, 65),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 1),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    /* A RAW_DATA key is not a compatible secret. */
    psa_key_id_t raw = import_key(PSA_KEY_TYPE_RAW_DATA, PSA_KEY_USAGE_DERIVE, alg, point, 65);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, raw),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    assert_int_equal(psa_destroy_key(raw), PSA_SUCCESS);
    /* The secret twice: BAD_STATE and the error state; set up again, the output is right. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, point, 65),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, point, 65),
        PSA_ERROR_BAD_STATE);
    /* The error state: BAD_STATE too ("If this function returns an error status, the
     * operation enters an error state"); set up again to go on. */
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, point, 65),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 32), PSA_SUCCESS);
    assert_memory_equal(out, expected, 32);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    /* The output is read in a single 32-byte call: a partial read is refused. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, point, 65),
        PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 16), PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    /* More than the capacity: INSUFFICIENT_DATA, capacity drops to 0, no output written. */
    assert_int_equal(psa_key_derivation_setup(&op, alg), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, point, 65),
        PSA_SUCCESS);
    uint8_t big[33];
    memset(big, 0xa5, sizeof(big));
    assert_int_equal(psa_key_derivation_output_bytes(&op, big, 33), PSA_ERROR_INSUFFICIENT_DATA);
    assert_int_equal(big[0], 0xa5);
    size_t cap = 1;
    assert_int_equal(psa_key_derivation_get_capacity(&op, &cap), PSA_SUCCESS);
    assert_int_equal(cap, 0);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
}

/* Runs an EC J-PAKE exchange on P-256 between two operations. */
static void jpake_pass(psa_pake_operation_t *from, psa_pake_operation_t *to, int triples)
{
    static const psa_pake_step_t steps[3] = {PSA_PAKE_STEP_KEY_SHARE, PSA_PAKE_STEP_ZK_PUBLIC,
                                             PSA_PAKE_STEP_ZK_PROOF};
    for (int i = 0; i < 3 * triples; i++) {
        uint8_t buf[PSA_PAKE_OUTPUT_MAX_SIZE];
        size_t len = 0;
        assert_int_equal(psa_pake_output(from, steps[i % 3], buf, sizeof(buf), &len), PSA_SUCCESS);
        assert_int_equal(psa_pake_input(to, steps[i % 3], buf, len), PSA_SUCCESS);
    }
}

/* End to end as TLS 1.2 uses it: J-PAKE, get_shared_key as a DERIVE key, then ECJPAKE-to-PMS
 * through input_key. Both sides get the same premaster secret, equal to SHA-256 of the x
 * coordinate of the exported point (computed here with psa_hash_compute). */
static void test_ecjpake_to_pms_after_jpake(void **state)
{
    (void)state;
    const psa_algorithm_t pms_alg = PSA_ALG_TLS12_ECJPAKE_TO_PMS;
    const psa_algorithm_t jpake = PSA_ALG_JPAKE(PSA_ALG_SHA_256);
    psa_key_id_t pw = import_key(PSA_KEY_TYPE_PASSWORD, PSA_KEY_USAGE_DERIVE, jpake,
                                 (const uint8_t *)"threadjpaketest", 15);
    psa_pake_cipher_suite_t cs = PSA_PAKE_CIPHER_SUITE_INIT;
    psa_pake_cs_set_algorithm(&cs, jpake);
    psa_pake_cs_set_primitive(
        &cs, PSA_PAKE_PRIMITIVE(PSA_PAKE_PRIMITIVE_TYPE_ECC, PSA_ECC_FAMILY_SECP_R1, 256));
    psa_pake_cs_set_key_confirmation(&cs, PSA_PAKE_UNCONFIRMED_KEY);
    psa_pake_operation_t side[2] = {PSA_PAKE_OPERATION_INIT, PSA_PAKE_OPERATION_INIT};
    const char *names[2] = {"client", "server"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(psa_pake_setup(&side[i], pw, &cs), PSA_SUCCESS);
        assert_int_equal(psa_pake_set_user(&side[i], (const uint8_t *)names[i], 6), PSA_SUCCESS);
        assert_int_equal(psa_pake_set_peer(&side[i], (const uint8_t *)names[1 - i], 6),
                         PSA_SUCCESS);
    }
    jpake_pass(&side[0], &side[1], 2);
    jpake_pass(&side[1], &side[0], 2);
    jpake_pass(&side[0], &side[1], 1);
    jpake_pass(&side[1], &side[0], 1);

    uint8_t pms[2][32];
    uint8_t point[65];
    for (int i = 0; i < 2; i++) {
        psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
        psa_set_key_type(&attr, PSA_KEY_TYPE_DERIVE);
        psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
        psa_set_key_algorithm(&attr, pms_alg);
        psa_key_id_t k = 0;
        assert_int_equal(psa_pake_get_shared_key(&side[i], &attr, &k), PSA_SUCCESS);
        size_t len = 0;
        assert_int_equal(psa_export_key(k, point, sizeof(point), &len), PSA_SUCCESS);
        assert_int_equal(len, 65);
        psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
        assert_int_equal(psa_key_derivation_setup(&op, pms_alg), PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, k),
                         PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_output_bytes(&op, pms[i], 32), PSA_SUCCESS);
        assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
        assert_int_equal(psa_destroy_key(k), PSA_SUCCESS);
        assert_int_equal(psa_pake_abort(&side[i]), PSA_SUCCESS);
    }
    assert_memory_equal(pms[0], pms[1], 32);
    uint8_t digest[32];
    size_t digest_len = 0;
    assert_int_equal(
        psa_hash_compute(PSA_ALG_SHA_256, point + 1, 32, digest, sizeof(digest), &digest_len),
        PSA_SUCCESS);
    assert_memory_equal(pms[0], digest, 32);
    assert_int_equal(psa_destroy_key(pw), PSA_SUCCESS);
}

/* ---- threads --------------------------------------------------------------------------------- */

static void *thread_pbkdf2(void *arg)
{
    const uint8_t *expected = arg;
    for (int i = 0; i < 20; i++) {
        uint8_t out[32];
        psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
        if (psa_key_derivation_setup(&op, PSA_ALG_PBKDF2_HMAC(PSA_ALG_SHA_256)) != PSA_SUCCESS ||
            psa_key_derivation_input_integer(&op, PSA_KEY_DERIVATION_INPUT_COST, 1000) !=
                PSA_SUCCESS ||
            psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SALT,
                                           (const uint8_t *)"salt", 4) != PSA_SUCCESS ||
            psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_PASSWORD,
                                           (const uint8_t *)"password", 8) != PSA_SUCCESS ||
            psa_key_derivation_output_bytes(&op, out, 32) != PSA_SUCCESS ||
            memcmp(out, expected, 32) != 0) {
            psa_key_derivation_abort(&op);
            return (void *)1;
        }
        psa_key_derivation_abort(&op);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    uint8_t expected[32];
    unhex("632c2812e46d4604102ba7618e9d6d7d2f8128f6266b4a03264d2a0460b7dcb3", expected,
          sizeof(expected));
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, thread_pbkdf2, expected), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *result = (void *)1;
        assert_int_equal(pthread_join(threads[i], &result), 0);
        assert_null(result);
    }
}

/* SP 800-108 counter mode: input order, the label's null byte, the CMAC key rule, the initial
 * capacity and the capacity frozen by the first output. (Output values: tests/vectors/kat_kdf.) */
static void test_sp800_108_rules(void **state)
{
    (void)state;
    static const uint8_t secret[32] = {1, 2, 3};
    static const uint8_t label[] = {'a', 'b'};
    static const uint8_t bad_label[] = {'a', 0, 'b'};
    const psa_algorithm_t hmac = PSA_ALG_SP800_108_COUNTER_HMAC(PSA_ALG_SHA_256);
    const psa_algorithm_t cmac = PSA_ALG_SP800_108_COUNTER_CMAC;
    psa_key_derivation_operation_t op = PSA_KEY_DERIVATION_OPERATION_INIT;
    uint8_t out[32];
    size_t capacity = 0;

    /* The initial capacity is 2^29 - 1; the label cannot come before the secret. */
    assert_int_equal(psa_key_derivation_setup(&op, hmac), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_get_capacity(&op, &capacity), PSA_SUCCESS);
    assert_int_equal(capacity, 0x1fffffff);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 1), PSA_ERROR_BAD_STATE);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_setup(&op, hmac), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL, label, sizeof(label)),
        PSA_ERROR_BAD_STATE);
    assert_error_state(&op);

    /* A label with a null byte; a context before the label is fine, a label after it is not. */
    assert_int_equal(psa_key_derivation_setup(&op, hmac), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, secret,
                                                    sizeof(secret)),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL, bad_label,
                                                    sizeof(bad_label)),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    assert_int_equal(psa_key_derivation_setup(&op, hmac), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, secret,
                                                    sizeof(secret)),
                     PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_CONTEXT, label, sizeof(label)),
        PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_LABEL, label, sizeof(label)),
        PSA_ERROR_BAD_STATE);
    assert_error_state(&op);

    /* After the first output the capacity (and so L) is fixed. */
    assert_int_equal(psa_key_derivation_setup(&op, hmac), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, secret,
                                                    sizeof(secret)),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_set_capacity(&op, 40), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, 8), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_set_capacity(&op, 16), PSA_ERROR_BAD_STATE);
    assert_error_state(&op);

    /* CMAC: the secret must be a block-cipher key given with input_key; an HMAC key or direct
     * bytes are invalid. */
    assert_int_equal(psa_key_derivation_setup(&op, cmac), PSA_SUCCESS);
    assert_int_equal(
        psa_key_derivation_input_bytes(&op, PSA_KEY_DERIVATION_INPUT_SECRET, secret, 16),
        PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    psa_key_id_t hmac_key = import_key(PSA_KEY_TYPE_HMAC, PSA_KEY_USAGE_DERIVE, cmac, secret, 16);
    assert_int_equal(psa_key_derivation_setup(&op, cmac), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, hmac_key),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_error_state(&op);
    psa_key_id_t aes_key = import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_DERIVE, cmac, secret, 16);
    assert_int_equal(psa_key_derivation_setup(&op, cmac), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_input_key(&op, PSA_KEY_DERIVATION_INPUT_SECRET, aes_key),
                     PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_output_bytes(&op, out, sizeof(out)), PSA_SUCCESS);
    assert_int_equal(psa_key_derivation_abort(&op), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(hmac_key), PSA_SUCCESS);
    assert_int_equal(psa_destroy_key(aes_key), PSA_SUCCESS);
}

int main(void)
{
    if (mkdtemp(state_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_before_init_are_bad_state),
        cmocka_unit_test(test_setup_errors),
        cmocka_unit_test(test_inactive_operation),
        cmocka_unit_test(test_hkdf_rfc5869_bytes_and_streaming),
        cmocka_unit_test(test_hkdf_capacity),
        cmocka_unit_test(test_hkdf_ordering),
        cmocka_unit_test(test_hkdf_extract_and_expand),
        cmocka_unit_test(test_tls12_prf_vectors),
        cmocka_unit_test(test_tls12_prf_ordering),
        cmocka_unit_test(test_tls12_psk_to_ms),
        cmocka_unit_test(test_pbkdf2_hmac),
        cmocka_unit_test(test_pbkdf2_aes_cmac_prf_128),
        cmocka_unit_test(test_input_key_policy_and_types),
        cmocka_unit_test(test_output_permissions),
        cmocka_unit_test(test_output_key_attributes),
        cmocka_unit_test(test_verify_bytes),
        cmocka_unit_test(test_output_after_failed_calls),
        cmocka_unit_test(test_password_hash_and_verify_key),
        cmocka_unit_test(test_key_agreement_part1),
        cmocka_unit_test(test_ecjpake_to_pms_known_answer),
        cmocka_unit_test(test_ecjpake_to_pms_errors),
        cmocka_unit_test(test_ecjpake_to_pms_after_jpake),
        cmocka_unit_test(test_sp800_108_rules),
        cmocka_unit_test(test_threads),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", state_dir);
    }
    return failed;
}
