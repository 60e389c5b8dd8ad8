/* Tests of the crypto call table, its codecs and rssd's crypto service called in-process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <psa/crypto.h>

#include "comms/crypto_calls.h"
#include "base/wire.h"
#include "crypto/core.h"
#include "enclave/crypto_service.h"
#include "enclave/enclave_config.h"

static const enclave_caller_t alice = {.client_id = -0x04000001, .session = 11};
static const enclave_caller_t alice2 = {.client_id = -0x04000001, .session = 12};
static const enclave_caller_t bob = {.client_id = -0x04000002, .session = 21};

static const uint8_t sha256_abc[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};

/* One call through the service's handler, vectors given raw. */
static psa_status_t call_raw(const enclave_caller_t *who, int32_t type, const psa_invec *in,
                             size_t in_len, psa_outvec *out, size_t out_len)
{
    return enclave_crypto_service.call(who, type, in, in_len, out, out_len);
}

/* A call whose header is `iov`, with up to two data inputs and two outputs. */
static psa_status_t call(const enclave_caller_t *who, const crypto_iovec_t *iov, const void *in0,
                         size_t in0_len, const void *in1, size_t in1_len, psa_outvec *out,
                         size_t out_len)
{
    uint8_t header[CRYPTO_IOVEC_SIZE];
    crypto_iovec_encode(iov, header);
    psa_invec in[3] = {{header, sizeof(header)}, {in0, in0_len}, {in1, in1_len}};
    size_t in_len = in1 != NULL ? 3 : in0 != NULL ? 2 : 1;
    return call_raw(who, PSA_IPC_CALL, in, in_len, out, out_len);
}

static uint32_t hash_setup(const enclave_caller_t *who, psa_status_t expect)
{
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_SETUP, .alg = PSA_ALG_SHA_256};
    uint8_t handle[4] = {0};
    psa_outvec out[1] = {{handle, sizeof(handle)}};
    assert_int_equal(call(who, &iov, NULL, 0, NULL, 0, out, 1), expect);
    return wire_load_u32(handle);
}

static psa_status_t hash_update(const enclave_caller_t *who, uint32_t handle, const char *data)
{
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_UPDATE, .op_handle = handle};
    return call(who, &iov, data, strlen(data), NULL, 0, NULL, 0);
}

static psa_status_t hash_finish(const enclave_caller_t *who, uint32_t handle, uint8_t digest[32],
                                uint32_t *handle_after)
{
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_FINISH, .op_handle = handle};
    uint8_t h[4] = {0xff, 0xff, 0xff, 0xff};
    psa_outvec out[2] = {{h, sizeof(h)}, {digest, 32}};
    psa_status_t status = call(who, &iov, NULL, 0, NULL, 0, out, 2);
    *handle_after = wire_load_u32(h);
    return status;
}

static void test_table_is_sorted_and_fits(void **state)
{
    (void)state;
    assert_true(crypto_call_table_size >= 75);
    for (size_t i = 0; i < crypto_call_table_size; i++) {
        const crypto_call_desc_t *d = &crypto_call_table[i];
        if (i > 0) {
            assert_true(crypto_call_table[i - 1].function_id < d->function_id);
        }
        assert_true(1u + d->in_count + d->out_count <= PSA_MAX_IOVEC);
        assert_ptr_equal(crypto_call_find(d->function_id), d);
    }
    assert_null(crypto_call_find(0x0201)); /* abandoned open_key */
    assert_null(crypto_call_find(0x0308)); /* can_do_hash: not carried */
    assert_null(crypto_call_find(0xffff));
}

static void test_iovec_layout(void **state)
{
    (void)state;
    crypto_iovec_t iov;
    memset(&iov, 0, sizeof(iov));
    iov = (crypto_iovec_t){
        .key_id = 0x11223344,
        .alg = 0x05500200,
        .op_handle = 7,
        .ad_length = 0x100,
        .plaintext_length = 0x20000,
        .nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
        .nonce_length = 12,
        .function_id = CRYPTO_FID_AEAD_ENCRYPT,
        .step = 0x0201,
        .value = 0x0102030405060708ull,
    };
    static const uint8_t expect[56] = {
        0x44, 0x33, 0x22, 0x11, 0x00, 0x02, 0x50, 0x05, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 1,    2,    3,    4,    5,    6,    7,    8,
        9,    10,   11,   12,   0,    0,    0,    0,    0x0c, 0x00, 0x00, 0x00, 0x00, 0x06,
        0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
    uint8_t got[56];
    crypto_iovec_encode(&iov, got);
    assert_memory_equal(got, expect, sizeof(expect));
    crypto_iovec_t back;
    assert_int_equal(crypto_iovec_decode(got, sizeof(got), &back), PSA_SUCCESS);
    assert_int_equal(back.key_id, iov.key_id);
    assert_int_equal(back.alg, iov.alg);
    assert_int_equal(back.op_handle, iov.op_handle);
    assert_int_equal(back.ad_length, iov.ad_length);
    assert_int_equal(back.plaintext_length, iov.plaintext_length);
    assert_memory_equal(back.nonce, iov.nonce, sizeof(iov.nonce));
    assert_int_equal(back.nonce_length, iov.nonce_length);
    assert_int_equal(back.function_id, iov.function_id);
    assert_int_equal(back.step, iov.step);
    assert_int_equal(back.value, iov.value);
    assert_int_equal(crypto_iovec_decode(got, 55, &back), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(crypto_iovec_decode(got, 52, &back), PSA_ERROR_PROGRAMMER_ERROR);
}

static void test_attributes_layout(void **state)
{
    (void)state;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_AES);
    psa_set_key_bits(&attr, 256);
    psa_set_key_id(&attr, 0x1234);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT);
    psa_set_key_algorithm(&attr, PSA_ALG_GCM);
    static const uint8_t expect[24] = {0x00, 0x24, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00,
                                       0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x50, 0x05,
                                       0x00, 0x00, 0x00, 0x00, 0x34, 0x12, 0x00, 0x00};
    uint8_t got[24];
    crypto_attributes_encode(&attr, got);
    assert_memory_equal(got, expect, sizeof(expect));
    psa_key_attributes_t back;
    assert_int_equal(crypto_attributes_decode(got, sizeof(got), &back), PSA_SUCCESS);
    assert_int_equal(psa_get_key_type(&back), PSA_KEY_TYPE_AES);
    assert_int_equal(psa_get_key_bits(&back), 256);
    assert_int_equal(psa_get_key_id(&back), 0x1234);
    assert_int_equal(psa_get_key_lifetime(&back), PSA_KEY_LIFETIME_PERSISTENT);
    assert_int_equal(psa_get_key_usage_flags(&back), PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT);
    assert_int_equal(psa_get_key_algorithm(&back), PSA_ALG_GCM);
    assert_int_equal(crypto_attributes_decode(got, 28, &back), PSA_ERROR_PROGRAMMER_ERROR);
    /* Bits beyond 16 bits: 0xffff, with the real size in the alg2 slot. */
    psa_set_key_bits(&attr, 0x10008);
    crypto_attributes_encode(&attr, got);
    static const uint8_t large[6] = {0xff, 0xff, 0x08, 0x00, 0x01, 0x00};
    assert_memory_equal(got + 2, large, 2);
    assert_memory_equal(got + 16, large + 2, 4);
    assert_int_equal(crypto_attributes_decode(got, sizeof(got), &back), PSA_SUCCESS);
    assert_int_equal(psa_get_key_bits(&back), 0x10008);
}

static void test_malformed_calls(void **state)
{
    (void)state;
    uint8_t header[57] = {0};
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_GENERATE_RANDOM};
    crypto_iovec_encode(&iov, header);
    uint8_t buf[8];
    psa_outvec out[1] = {{buf, sizeof(buf)}};

    /* The header must be exactly 56 bytes. */
    psa_invec in55[1] = {{header, 55}};
    assert_int_equal(call_raw(&alice, PSA_IPC_CALL, in55, 1, out, 1), PSA_ERROR_PROGRAMMER_ERROR);
    psa_invec in57[1] = {{header, 57}};
    assert_int_equal(call_raw(&alice, PSA_IPC_CALL, in57, 1, out, 1), PSA_ERROR_PROGRAMMER_ERROR);
    /* No header at all, or only an empty one (trimmed away). */
    assert_int_equal(call_raw(&alice, PSA_IPC_CALL, NULL, 0, out, 1), PSA_ERROR_PROGRAMMER_ERROR);
    psa_invec empty[1] = {{header, 0}};
    assert_int_equal(call_raw(&alice, PSA_IPC_CALL, empty, 1, out, 1), PSA_ERROR_PROGRAMMER_ERROR);
    /* Crypto is called with PSA_IPC_CALL only. */
    psa_invec in56[1] = {{header, 56}};
    assert_int_equal(call_raw(&alice, 1, in56, 1, out, 1), PSA_ERROR_PROGRAMMER_ERROR);
    out[0].len = sizeof(buf);
    assert_int_equal(call_raw(&alice, PSA_IPC_CALL, in56, 1, out, 1), PSA_SUCCESS);
    assert_int_equal(out[0].len, sizeof(buf));

    /* Unknown and abandoned function ids. */
    uint16_t unknown[] = {0x0000, 0x0101, 0x0201, 0x0202, 0x0308, 0x0509, 0x0B00, 0xffff};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        crypto_iovec_t u = {.function_id = unknown[i]};
        out[0].len = sizeof(buf);
        assert_int_equal(call(&alice, &u, NULL, 0, NULL, 0, out, 1), PSA_ERROR_NOT_SUPPORTED);
        assert_int_equal(out[0].len, 0);
    }

    /* More vectors than the function carries. */
    crypto_iovec_t destroy = {.function_id = CRYPTO_FID_DESTROY_KEY, .key_id = 1};
    assert_int_equal(call(&alice, &destroy, "x", 1, NULL, 0, NULL, 0), PSA_ERROR_PROGRAMMER_ERROR);
    /* Attributes of the wrong size (TF-M's 28-byte server view included). */
    uint8_t attr[28] = {0};
    uint8_t id[4];
    psa_outvec id_out[1] = {{id, sizeof(id)}};
    crypto_iovec_t import = {.function_id = CRYPTO_FID_IMPORT_KEY};
    assert_int_equal(call(&alice, &import, attr, 28, "k", 1, id_out, 1),
                     PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(call(&alice, &import, attr, 23, "k", 1, id_out, 1),
                     PSA_ERROR_PROGRAMMER_ERROR);
    /* A key id output that is not 4 bytes. */
    psa_outvec id3[1] = {{id, 3}};
    assert_int_equal(call(&alice, &import, attr, 24, "k", 1, id3, 1), PSA_ERROR_PROGRAMMER_ERROR);
    /* A handle output missing entirely. */
    crypto_iovec_t setup = {.function_id = CRYPTO_FID_HASH_SETUP, .alg = PSA_ALG_SHA_256};
    assert_int_equal(call(&alice, &setup, NULL, 0, NULL, 0, NULL, 0), PSA_ERROR_PROGRAMMER_ERROR);
    /* A one-shot AEAD nonce length beyond the header's 16 bytes. */
    crypto_iovec_t aead = {.function_id = CRYPTO_FID_AEAD_ENCRYPT, .nonce_length = 17};
    assert_int_equal(call(&alice, &aead, "p", 1, NULL, 0, out, 1), PSA_ERROR_PROGRAMMER_ERROR);
}

static void test_hash_through_service(void **state)
{
    (void)state;
    uint32_t h = hash_setup(&alice, PSA_SUCCESS);
    assert_int_not_equal(h, 0);
    assert_int_equal(hash_update(&alice, h, "a"), PSA_SUCCESS);
    /* A trailing empty input is trimmed, as TF-M does, and reads as empty. */
    crypto_iovec_t upd = {.function_id = CRYPTO_FID_HASH_UPDATE, .op_handle = h};
    assert_int_equal(call(&alice, &upd, "", 0, NULL, 0, NULL, 0), PSA_SUCCESS);
    assert_int_equal(hash_update(&alice, h, "bc"), PSA_SUCCESS);
    uint8_t digest[32];
    uint32_t after = 99;
    assert_int_equal(hash_finish(&alice, h, digest, &after), PSA_SUCCESS);
    assert_memory_equal(digest, sha256_abc, 32);
    assert_int_equal(after, 0);
    /* The operation is gone: its handle now names an inactive operation. */
    assert_int_equal(hash_update(&alice, h, "x"), PSA_ERROR_BAD_STATE);
    assert_int_equal(hash_finish(&alice, h, digest, &after), PSA_ERROR_BAD_STATE);
    assert_int_equal(after, 0);
}

/* A clone into a live operation is refused (BAD_STATE) and names no target: handle 0, never the
 * source's. */
static void test_clone_into_live_operation(void **state)
{
    (void)state;
    uint32_t source = hash_setup(&alice, PSA_SUCCESS);
    uint32_t live = hash_setup(&alice, PSA_SUCCESS);
    crypto_iovec_t clone = {.function_id = CRYPTO_FID_HASH_CLONE, .op_handle = source};
    uint8_t target[4], got[4] = {0xff, 0xff, 0xff, 0xff};
    wire_store_u32(target, live);
    psa_outvec out[1] = {{got, sizeof(got)}};
    assert_int_equal(call(&alice, &clone, target, sizeof(target), NULL, 0, out, 1),
                     PSA_ERROR_BAD_STATE);
    assert_int_equal(wire_load_u32(got), 0);
    /* Both operations are untouched. */
    assert_int_equal(hash_update(&alice, source, "abc"), PSA_SUCCESS);
    assert_int_equal(hash_update(&alice, live, "abc"), PSA_SUCCESS);
    enclave_crypto_service.release_session(&alice);
}

static void test_foreign_handles(void **state)
{
    (void)state;
    uint32_t h = hash_setup(&alice, PSA_SUCCESS);
    assert_int_equal(hash_update(&alice, h, "a"), PSA_SUCCESS);
    /* Another client, or another process of the same client, cannot use or end it. */
    assert_int_equal(hash_update(&bob, h, "zzz"), PSA_ERROR_BAD_STATE);
    assert_int_equal(hash_update(&alice2, h, "zzz"), PSA_ERROR_BAD_STATE);
    uint8_t digest[32];
    uint32_t after = 0;
    assert_int_equal(hash_finish(&bob, h, digest, &after), PSA_ERROR_BAD_STATE);
    crypto_iovec_t abort_iov = {.function_id = CRYPTO_FID_HASH_ABORT, .op_handle = h};
    uint8_t hb[4];
    psa_outvec out[1] = {{hb, sizeof(hb)}};
    assert_int_equal(call(&bob, &abort_iov, NULL, 0, NULL, 0, out, 1), PSA_SUCCESS);
    assert_int_equal(wire_load_u32(hb), 0);
    /* A setup naming someone else's handle is a setup on an inactive object: it succeeds. */
    crypto_iovec_t setup = {
        .function_id = CRYPTO_FID_HASH_SETUP, .alg = PSA_ALG_SHA_256, .op_handle = h};
    assert_int_equal(call(&bob, &setup, NULL, 0, NULL, 0, out, 1), PSA_SUCCESS);
    uint32_t bobs = wire_load_u32(hb);
    assert_int_not_equal(bobs, h);
    /* ...but not on the caller's own live operation. */
    assert_int_equal(call(&alice, &setup, NULL, 0, NULL, 0, out, 1), PSA_ERROR_BAD_STATE);
    /* A handle of the wrong kind. */
    crypto_iovec_t mac_update = {.function_id = CRYPTO_FID_MAC_UPDATE, .op_handle = h};
    assert_int_equal(call(&alice, &mac_update, "a", 1, NULL, 0, NULL, 0), PSA_ERROR_BAD_STATE);
    /* Alice's operation is untouched by all of that. */
    assert_int_equal(hash_update(&alice, h, "bc"), PSA_SUCCESS);
    assert_int_equal(hash_finish(&alice, h, digest, &after), PSA_SUCCESS);
    assert_memory_equal(digest, sha256_abc, 32);
    assert_int_equal(hash_finish(&bob, bobs, digest, &after), PSA_SUCCESS);
}

static void test_operation_limit(void **state)
{
    (void)state;
    enclave_config_t config = *enclave_config();
    config.max_operations_per_session = 3;
    enclave_config_set(&config);
    uint32_t h[3];
    for (int i = 0; i < 3; i++) {
        h[i] = hash_setup(&alice, PSA_SUCCESS);
    }
    assert_int_equal(hash_setup(&alice, PSA_ERROR_INSUFFICIENT_MEMORY), 0);
    /* The limit is per session: another process still has room. */
    uint32_t other = hash_setup(&alice2, PSA_SUCCESS);
    /* Ending one operation frees its slot. */
    uint8_t digest[32];
    uint32_t after = 0;
    assert_int_equal(hash_finish(&alice, h[0], digest, &after), PSA_SUCCESS);
    h[0] = hash_setup(&alice, PSA_SUCCESS);
    assert_int_equal(hash_setup(&alice, PSA_ERROR_INSUFFICIENT_MEMORY), 0);
    /* A setup that fails in the core does not keep a slot. */
    enclave_crypto_service.release_session(&alice);
    crypto_iovec_t bad = {.function_id = CRYPTO_FID_HASH_SETUP, .alg = PSA_ALG_CTR};
    uint8_t hb[4];
    psa_outvec out[1] = {{hb, sizeof(hb)}};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(call(&alice, &bad, NULL, 0, NULL, 0, out, 1), PSA_ERROR_INVALID_ARGUMENT);
    }
    for (int i = 0; i < 3; i++) {
        h[i] = hash_setup(&alice, PSA_SUCCESS);
    }
    enclave_crypto_service.release_session(&alice);
    enclave_crypto_service.release_session(&alice2);
    (void)other;
    config.max_operations_per_session = ENCLAVE_DEFAULT_MAX_OPERATIONS;
    enclave_config_set(&config);
}

static void test_release_session(void **state)
{
    (void)state;
    /* A volatile key and open operations of one session... */
    uint8_t attr[24];
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_HMAC);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_MESSAGE);
    psa_set_key_algorithm(&a, PSA_ALG_HMAC(PSA_ALG_SHA_256));
    crypto_attributes_encode(&a, attr);
    uint8_t id[4];
    psa_outvec id_out[1] = {{id, sizeof(id)}};
    crypto_iovec_t import = {.function_id = CRYPTO_FID_IMPORT_KEY};
    assert_int_equal(call(&bob, &import, attr, 24, "0123456789abcdef", 16, id_out, 1), PSA_SUCCESS);
    uint32_t key = wire_load_u32(id);
    assert_true(key >= ENCLAVE_VOLATILE_ID_MIN && key <= ENCLAVE_VOLATILE_ID_MAX);
    crypto_iovec_t mac_setup = {.function_id = CRYPTO_FID_MAC_SIGN_SETUP,
                                .key_id = key,
                                .alg = PSA_ALG_HMAC(PSA_ALG_SHA_256)};
    uint8_t hb[4];
    psa_outvec out[1] = {{hb, sizeof(hb)}};
    assert_int_equal(call(&bob, &mac_setup, NULL, 0, NULL, 0, out, 1), PSA_SUCCESS);
    uint32_t mac = wire_load_u32(hb);
    uint32_t h = hash_setup(&bob, PSA_SUCCESS);
    /* ...are all gone after release (LeakSanitizer checks that nothing is left over). */
    enclave_crypto_service.release_session(&bob);
    assert_int_equal(hash_update(&bob, h, "a"), PSA_ERROR_BAD_STATE);
    crypto_iovec_t mac_update = {.function_id = CRYPTO_FID_MAC_UPDATE, .op_handle = mac};
    assert_int_equal(call(&bob, &mac_update, "a", 1, NULL, 0, NULL, 0), PSA_ERROR_BAD_STATE);
    crypto_iovec_t get = {.function_id = CRYPTO_FID_GET_KEY_ATTRIBUTES, .key_id = key};
    psa_outvec attr_out[1] = {{attr, sizeof(attr)}};
    assert_int_equal(call(&bob, &get, NULL, 0, NULL, 0, attr_out, 1), PSA_ERROR_INVALID_HANDLE);
    /* Releasing an unknown session is harmless. */
    enclave_crypto_service.release_session(&bob);
}

static void test_capacity_sizes(void **state)
{
    (void)state;
    crypto_iovec_t setup = {.function_id = CRYPTO_FID_KEY_DERIVATION_SETUP,
                            .alg = PSA_ALG_HKDF(PSA_ALG_SHA_256)};
    uint8_t hb[4];
    psa_outvec out[1] = {{hb, sizeof(hb)}};
    assert_int_equal(call(&alice, &setup, NULL, 0, NULL, 0, out, 1), PSA_SUCCESS);
    uint32_t h = wire_load_u32(hb);
    crypto_iovec_t get = {.function_id = CRYPTO_FID_KEY_DERIVATION_GET_CAPACITY, .op_handle = h};
    uint8_t cap[8];
    psa_outvec cap4[1] = {{cap, 4}};
    assert_int_equal(call(&alice, &get, NULL, 0, NULL, 0, cap4, 1), PSA_SUCCESS);
    assert_int_equal(cap4[0].len, 4);
    assert_int_equal(wire_load_u32(cap), 255 * 32);
    psa_outvec cap8[1] = {{cap, 8}};
    assert_int_equal(call(&alice, &get, NULL, 0, NULL, 0, cap8, 1), PSA_SUCCESS);
    assert_int_equal(cap8[0].len, 8);
    assert_int_equal(wire_load_u64(cap), 255 * 32);
    psa_outvec cap5[1] = {{cap, 5}};
    assert_int_equal(call(&alice, &get, NULL, 0, NULL, 0, cap5, 1), PSA_ERROR_PROGRAMMER_ERROR);
    enclave_crypto_service.release_session(&alice);
}

/* Every row of the table unmarshals with vectors of the row's sizes, and a call on an operation
 * that does not exist answers BAD_STATE. */
static void test_every_function_has_a_handler(void **state)
{
    (void)state;
    for (size_t i = 0; i < crypto_call_table_size; i++) {
        const crypto_call_desc_t *d = &crypto_call_table[i];
        crypto_iovec_t iov = {.function_id = d->function_id, .op_handle = 12345, .key_id = 77};
        uint8_t header[CRYPTO_IOVEC_SIZE];
        uint8_t bufs[6][32];
        memset(bufs, 0, sizeof(bufs));
        static const size_t sizes[] = {0, 32, 24, 4, 4, 8, 12};
        psa_invec in[4] = {{header, sizeof(header)}};
        psa_outvec out[3];
        crypto_iovec_encode(&iov, header);
        for (size_t j = 0; j < d->in_count; j++) {
            in[1 + j].base = bufs[j];
            in[1 + j].len = sizes[crypto_in_kind(d->in_role[j])];
        }
        for (size_t j = 0; j < d->out_count; j++) {
            out[j].base = bufs[3 + j];
            out[j].len = sizes[crypto_out_kind(d->out_role[j])];
        }
        psa_status_t status =
            call_raw(&alice, PSA_IPC_CALL, in, 1 + d->in_count, out, d->out_count);
        if (status == PSA_ERROR_PROGRAMMER_ERROR) {
            print_error("%s answered %d\n", d->name, (int)status);
            fail();
        }
        /* Calls on an operation that does not exist: BAD_STATE, abort succeeds. */
        bool on_operation = crypto_call_uses_op(d) && !(d->flags & CRYPTO_CALL_ABORT);
        if (on_operation && status != PSA_ERROR_BAD_STATE) {
            print_error("%s answered %d\n", d->name, (int)status);
            fail();
        }
    }
    enclave_crypto_service.release_session(&alice);
}

static int setup_core(void **state)
{
    (void)state;
    core_config_t config = {.volatile_id_min = ENCLAVE_VOLATILE_ID_MIN,
                            .volatile_id_max = ENCLAVE_VOLATILE_ID_MAX};
    return core_crypto_init(&config) == PSA_SUCCESS ? 0 : -1;
}

static int teardown_core(void **state)
{
    (void)state;
    crypto_service_shutdown();
    core_crypto_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_sorted_and_fits),
        cmocka_unit_test(test_iovec_layout),
        cmocka_unit_test(test_attributes_layout),
        cmocka_unit_test(test_malformed_calls),
        cmocka_unit_test(test_hash_through_service),
        cmocka_unit_test(test_clone_into_live_operation),
        cmocka_unit_test(test_foreign_handles),
        cmocka_unit_test(test_operation_limit),
        cmocka_unit_test(test_release_session),
        cmocka_unit_test(test_capacity_sizes),
        cmocka_unit_test(test_every_function_has_a_handler),
    };
    return cmocka_run_group_tests(tests, setup_core, teardown_core);
}
