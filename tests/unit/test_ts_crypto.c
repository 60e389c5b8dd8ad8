/* Packed-c crypto (ts_crypto_serve): requests and responses as literal bytes written from the
 * sheet's §2.1/§2.2 tables, and the RSS comms call each becomes, checked by a recording backend. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "comms/crypto_calls.h"
#include "base/wire.h"
#include "ts/ts_crypto.h"

/* What the backend saw, and what it answers. */
static crypto_iovec_t seen_iov;
static size_t seen_in_len, seen_out_len;
static uint8_t seen_in[3][128];
static size_t seen_in_size[3];
static uint8_t answer[3][128];
static size_t answer_len[3];
static psa_status_t answer_status;

static psa_status_t backend_call(void *session, const psa_invec *in, size_t in_len, psa_outvec *out,
                                 size_t out_len)
{
    (void)session;
    assert_int_equal(crypto_iovec_decode(in[0].base, in[0].len, &seen_iov), PSA_SUCCESS);
    seen_in_len = in_len - 1;
    for (size_t i = 1; i < in_len; i++) {
        assert_true(in[i].len <= sizeof(seen_in[0]));
        if (in[i].len > 0) {
            memcpy(seen_in[i - 1], in[i].base, in[i].len);
        }
        seen_in_size[i - 1] = in[i].len;
    }
    seen_out_len = out_len;
    for (size_t i = 0; i < out_len; i++) {
        assert_true(answer_len[i] <= out[i].len);
        memcpy(out[i].base, answer[i], answer_len[i]);
        out[i].len = answer_len[i];
    }
    return answer_status;
}

static const ts_crypto_backend_t backend = {.call = backend_call};
static uint8_t response[4096];

static int32_t serve(uint16_t opcode, const uint8_t *req, size_t len, size_t *resp_len,
                     int32_t *status)
{
    ts_caller_t caller = {1000, 1};
    ts_call_t call = {.caller = &caller,
                      .opcode = opcode,
                      .request = req,
                      .request_length = len,
                      .response = response,
                      .response_size = sizeof(response)};
    memset(&seen_iov, 0, sizeof(seen_iov));
    int32_t rpc = ts_crypto_serve((void *)&backend, &call);
    *resp_len = call.response_length;
    *status = call.service_status;
    return rpc;
}

static void reset(void)
{
    memset(answer_len, 0, sizeof(answer_len));
    answer_status = PSA_SUCCESS;
}

/* SIGN_HASH 0x0108: fixed id, alg; TLV1 hash. The RSS call: SIGN_HASH with key_id and alg in
 * the header and the hash as in_vec[1]; the 64-byte signature back in TLV1. */
static void test_sign_hash_bytes(void **state)
{
    (void)state;
    reset();
    uint8_t req[12 + 32] = {0x01, 0x01, 0x00, 0x00,  /* key id 0x101 */
                            0x09, 0x06, 0x00, 0x06,  /* PSA_ALG_ECDSA(SHA-256) 0x06000609 */
                            0x00, 0x01, 0x00, 0x20}; /* TLV tag 1, length 32 (big-endian) */
    memset(req + 12, 0x5a, 32);
    answer_len[0] = 64;
    memset(answer[0], 0xc3, 64);
    size_t n;
    int32_t st;
    assert_int_equal(serve(0x0108, req, sizeof(req), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(st, PSA_SUCCESS);
    assert_int_equal(seen_iov.function_id, CRYPTO_FID_SIGN_HASH);
    assert_int_equal(seen_iov.key_id, 0x101);
    assert_int_equal(seen_iov.alg, 0x06000609);
    assert_int_equal(seen_in_len, 1);
    assert_int_equal(seen_in_size[0], 32);
    assert_memory_equal(seen_in[0], req + 12, 32);
    uint8_t expect[4 + 64] = {0x00, 0x01, 0x00, 0x40};
    memset(expect + 4, 0xc3, 64);
    assert_int_equal(n, sizeof(expect));
    assert_memory_equal(response, expect, sizeof(expect));

    /* A failing status: no response bytes, the status as the service status. */
    answer_status = PSA_ERROR_NOT_PERMITTED;
    assert_int_equal(serve(0x0108, req, sizeof(req), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(st, PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(n, 0);
}

/* GENERATE_KEY 0x0101: the 24-byte ts_crypto_key_attributes become RSS comms' attributes; the
 * new id comes back as the fixed u32. A persistent lifetime other than 1 keeps its id (ours). */
static void test_generate_key_bytes(void **state)
{
    (void)state;
    reset();
    static const uint8_t req[24] = {
        0x12, 0x71, 0x00, 0x00, /* type ECC_KEY_PAIR(SECP_R1) 0x7112 */
        0x00, 0x01, 0x00, 0x00, /* key_bits 256 */
        0x01, 0x01, 0x00, 0x00, /* lifetime 0x101: persistent, location 1 */
        0x34, 0x12, 0x00, 0x00, /* id 0x1234 */
        0x00, 0x10, 0x00, 0x00, /* usage SIGN_HASH */
        0x09, 0x06, 0x00, 0x06, /* alg ECDSA(SHA-256) */
    };
    answer_len[0] = 4;
    memcpy(answer[0], "\x34\x12\x00\x00", 4);
    size_t n;
    int32_t st;
    assert_int_equal(serve(0x0101, req, sizeof(req), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(seen_iov.function_id, CRYPTO_FID_GENERATE_KEY);
    psa_key_attributes_t a;
    assert_int_equal(crypto_attributes_decode(seen_in[0], seen_in_size[0], &a), PSA_SUCCESS);
    assert_int_equal(psa_get_key_type(&a), 0x7112);
    assert_int_equal(psa_get_key_bits(&a), 256);
    assert_int_equal(psa_get_key_lifetime(&a), 0x101);
    assert_int_equal(psa_get_key_id(&a), 0x1234);
    assert_int_equal(psa_get_key_usage_flags(&a), 0x1000);
    assert_int_equal(psa_get_key_algorithm(&a), 0x06000609);
    assert_int_equal(n, 4);
    assert_memory_equal(response, "\x34\x12\x00\x00", 4);

    /* Cut short: INVALID_REQUEST_BODY, and nothing reaches the service. */
    seen_iov.function_id = 0;
    assert_int_equal(serve(0x0101, req, 23, &n, &st), TS_RPC_ERROR_INVALID_REQUEST_BODY);
    assert_int_equal(seen_iov.function_id, 0);
}

/* GET_KEY_ATTRIBUTES 0x010f: RSS comms' attributes back as the TS 24 bytes. */
static void test_get_attributes_bytes(void **state)
{
    (void)state;
    reset();
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, 0x2400);
    psa_set_key_bits(&a, 128);
    psa_set_key_usage_flags(&a, 0x300);
    psa_set_key_algorithm(&a, 0x05500200);
    answer_len[0] = CRYPTO_ATTRIBUTES_SIZE;
    crypto_attributes_encode(&a, answer[0]);
    static const uint8_t req[4] = {0x07, 0x00, 0x00, 0x00};
    size_t n;
    int32_t st;
    assert_int_equal(serve(0x010f, req, sizeof(req), &n, &st), TS_RPC_SUCCESS);
    static const uint8_t expect[24] = {0x00, 0x24, 0, 0, 0x80, 0, 0, 0, 0, 0, 0,    0,
                                       0,    0,    0, 0, 0x00, 3, 0, 0, 0, 2, 0x50, 0x05};
    assert_int_equal(n, 24);
    assert_memory_equal(response, expect, 24);
}

/* AEAD_FINISH 0x0608: TLV1 ciphertext, TLV2 tag, in that order, although the RSS call returns
 * the handle, then the tag, then the ciphertext. */
static void test_aead_finish_order(void **state)
{
    (void)state;
    reset();
    answer_len[0] = 4;  /* handle */
    answer_len[1] = 16; /* tag */
    memset(answer[1], 0x77, 16);
    answer_len[2] = 3; /* last ciphertext bytes */
    memcpy(answer[2], "\x01\x02\x03", 3);
    static const uint8_t req[4] = {0x09, 0x00, 0x00, 0x00};
    size_t n;
    int32_t st;
    assert_int_equal(serve(0x0608, req, sizeof(req), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(seen_iov.op_handle, 9);
    uint8_t expect[4 + 3 + 4 + 16] = {0x00, 0x01, 0x00, 0x03, 0x01, 0x02,
                                      0x03, 0x00, 0x02, 0x00, 0x10};
    memset(expect + 11, 0x77, 16);
    assert_int_equal(n, sizeof(expect));
    assert_memory_equal(response, expect, sizeof(expect));
}

/* TLV decoding as upstream's: an unknown smaller tag is skipped; a larger tag ends the search
 * (so TLV2 before TLV1 hides TLV1); an optional one (asymmetric salt) may be absent. */
static void test_tlv_rules(void **state)
{
    (void)state;
    reset();
    size_t n;
    int32_t st;
    /* VERIFY_HASH with TLV1 and TLV2 after an unknown tag 0 */
    uint8_t verify[8 + 5 + 6 + 6] = {0x01, 0,    0,    0,    0x09, 0x06, 0x00,
                                     0x06, 0x00, 0x00, 0x00, 0x01, 0xee, /* tag 0, 1 byte */
                                     0x00, 0x01, 0x00, 0x02, 0xaa, 0xbb, 0x00,
                                     0x02, 0x00, 0x02, 0xcc, 0xdd};
    assert_int_equal(serve(0x0109, verify, sizeof(verify), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(seen_in_len, 2);
    assert_memory_equal(seen_in[0], "\xaa\xbb", 2);
    assert_memory_equal(seen_in[1], "\xcc\xdd", 2);
    /* TLV2 first: TLV1 is not found */
    uint8_t swapped[8 + 6 + 6] = {0x01, 0,    0,    0,    0x09, 0x06, 0x00, 0x06, 0x00, 0x02,
                                  0x00, 0x02, 0xcc, 0xdd, 0x00, 0x01, 0x00, 0x02, 0xaa, 0xbb};
    assert_int_equal(serve(0x0109, swapped, sizeof(swapped), &n, &st),
                     TS_RPC_ERROR_INVALID_REQUEST_BODY);
    /* ASYMMETRIC_ENCRYPT without the optional salt: an empty salt, which the RSS call carries
     * as libpsa does, by leaving the trailing vector out */
    answer_len[0] = 8;
    uint8_t encrypt[8 + 6] = {0x01, 0,    0,    0,    0x00, 0x02, 0x00,
                              0x07, 0x00, 0x01, 0x00, 0x02, 0x10, 0x20};
    assert_int_equal(serve(0x010b, encrypt, sizeof(encrypt), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(seen_in_len, 1);
    assert_int_equal(seen_in_size[0], 2);
    assert_memory_equal(seen_in[0], "\x10\x20", 2);
    /* A record whose length runs past the body */
    encrypt[11] = 0x10;
    assert_int_equal(serve(0x010b, encrypt, sizeof(encrypt), &n, &st),
                     TS_RPC_ERROR_INVALID_REQUEST_BODY);
}

/* KD_GET_CAPACITY 0x0402: a capacity beyond 32 bits is reported saturated; opcodes 0x0103 and
 * 0x0104 are unused (INVALID_VALUE); GENERATE_RANDOM beyond the memory is INTERNAL. */
static void test_capacity_and_limits(void **state)
{
    (void)state;
    reset();
    answer_len[0] = 8;
    wire_store_u64(answer[0], UINT64_C(1) << 40);
    static const uint8_t req[4] = {0x03, 0x00, 0x00, 0x00};
    size_t n;
    int32_t st;
    assert_int_equal(serve(0x0402, req, sizeof(req), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(n, 4);
    assert_memory_equal(response, "\xff\xff\xff\xff", 4);
    assert_int_equal(serve(0x0103, req, sizeof(req), &n, &st), TS_RPC_ERROR_INVALID_VALUE);
    assert_int_equal(serve(0x0104, req, sizeof(req), &n, &st), TS_RPC_ERROR_INVALID_VALUE);
    static const uint8_t big[4] = {0x00, 0x10, 0x00, 0x00}; /* 4096 bytes: beyond 4096 - 4 */
    assert_int_equal(serve(0x010c, big, sizeof(big), &n, &st), TS_RPC_ERROR_INTERNAL);
}

/* The service UUIDs of ts_rpc_abi.h against the sheet's canonical text (§1.2), which upstream
 * clients look services up by: a wrong byte would keep our own client and endpoint agreeing
 * while every TS client misses the service. */
static void parse_uuid(const char *text, uint8_t out[16])
{
    size_t n = 0;
    for (const char *p = text; *p != '\0' && n < 16; p++) {
        if (*p == '-') {
            continue;
        }
        unsigned v;
        assert_int_equal(sscanf(p, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
        p++;
    }
    assert_int_equal(n, 16);
}

static void test_uuids_from_sheet(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint8_t ours[16];
    } uuids[] = {
        {"d9df52d5-16a2-4bb2-9aa4-d26d3b84e8c0", TS_UUID_CRYPTO},
        {"6ba9de75-393e-4c7f-aabb-7f71cc6b142e", TS_UUID_CRYPTO_PROTOBUF},
        {"dc1eef48-b17a-4ccf-ac8b-dfcff7711b14", TS_UUID_ITS},
        {"751bf801-3dde-4768-a514-0f10aeed1790", TS_UUID_PS},
        {"ed32d533-99e6-4209-9cc0-2d72cdd998a7", TS_UUID_SMM_VARIABLE},
    };
    for (size_t i = 0; i < sizeof(uuids) / sizeof(uuids[0]); i++) {
        uint8_t sheet[16];
        parse_uuid(uuids[i].text, sheet);
        assert_memory_equal(uuids[i].ours, sheet, 16);
    }
}

/* The generic extension (ts_crypto.h): SIGN_HASH as opcode 0x8702 -- key u32, alg u32, the
 * input as u32 length + bytes, the output size the caller can take as u64 -- and the signature
 * back as u32 length + bytes. The RSS call is the schema's. */
static void test_generic_sign_hash_bytes(void **state)
{
    (void)state;
    reset();
    static const uint8_t req[] = {0x11, 0x00, 0x00, 0x00,                  /* key 0x11 */
                                  0x09, 0x06, 0x00, 0x06,                  /* ECDSA-SHA256 */
                                  0x03, 0x00, 0x00, 0x00, 'a',  'b',  'c', /* input */
                                  0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}; /* size 64 */
    static const uint8_t sig[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    memcpy(answer[0], sig, sizeof(sig));
    answer_len[0] = sizeof(sig);
    size_t n;
    int32_t st;
    assert_int_equal(serve(0x8702, req, sizeof(req), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(st, PSA_SUCCESS);
    assert_int_equal(seen_iov.function_id, CRYPTO_FID_SIGN_HASH);
    assert_int_equal(seen_iov.key_id, 0x11);
    assert_int_equal(seen_iov.alg, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    assert_int_equal(seen_in_len, 1);
    assert_int_equal(seen_in_size[0], 3);
    assert_memory_equal(seen_in[0], "abc", 3);
    static const uint8_t expect[] = {0x08, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(n, sizeof(expect));
    assert_memory_equal(response, expect, sizeof(expect));
    /* A failure: the status, no response. */
    answer_status = PSA_ERROR_NOT_PERMITTED;
    assert_int_equal(serve(0x8702, req, sizeof(req), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(st, PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(n, 0);
}

/* Generic GET_KEY_ATTRIBUTES (0x8200): the attributes in RSS comms' exact 24-byte layout, with
 * the id of a volatile key kept (packed-c's own layout drops it). */
static void test_generic_attributes_bytes(void **state)
{
    (void)state;
    reset();
    static const uint8_t req[] = {0x00, 0x00, 0xe0, 0x7f};         /* key 0x7fe00000, volatile */
    static const uint8_t attributes[24] = {0x00, 0x24, 0x80, 0x00, /* AES, 128 bits */
                                           0x00, 0x00, 0x00, 0x00, /* volatile */
                                           0x00, 0x01, 0x00, 0x00, /* ENCRYPT */
                                           0x00, 0x01, 0x40, 0x05, /* GCM */
                                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x7f};
    memcpy(answer[0], attributes, sizeof(attributes));
    answer_len[0] = sizeof(attributes);
    size_t n;
    int32_t st;
    assert_int_equal(serve(0x8200, req, sizeof(req), &n, &st), TS_RPC_SUCCESS);
    assert_int_equal(st, PSA_SUCCESS);
    assert_int_equal(seen_iov.key_id, 0x7fe00000);
    assert_int_equal(n, sizeof(attributes));
    assert_memory_equal(response, attributes, sizeof(attributes));
}

/* Generic requests that do not parse, outputs the memory cannot hold, ids without a row. */
static void test_generic_rules(void **state)
{
    (void)state;
    reset();
    uint8_t req[] = {0x11, 0x00, 0x00, 0x00, 0x09, 0x06, 0x00, 0x06, 0x03, 0x00, 0x00, 0x00,
                     'a',  'b',  'c',  0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    uint8_t longer[sizeof(req) + 1] = {0};
    memcpy(longer, req, sizeof(req));
    size_t n;
    int32_t st;
    assert_int_equal(serve(0x8702, req, sizeof(req) - 1, &n, &st),
                     TS_RPC_ERROR_INVALID_REQUEST_BODY); /* short */
    assert_int_equal(serve(0x8702, longer, sizeof(longer), &n, &st),
                     TS_RPC_ERROR_INVALID_REQUEST_BODY); /* a byte too many */
    req[8] = 0x30;                                       /* the input's length runs past the body */
    assert_int_equal(serve(0x8702, req, sizeof(req), &n, &st), TS_RPC_ERROR_INVALID_REQUEST_BODY);
    req[8] = 0x03;
    req[16] = 0x20; /* asks for 8 KiB + 64 of output: more than the 4 KiB response memory */
    assert_int_equal(serve(0x8702, req, sizeof(req), &n, &st), TS_RPC_ERROR_INVALID_RESPONSE_BODY);
    assert_int_equal(serve(0x8fff, req, sizeof(req), &n, &st), TS_RPC_ERROR_INVALID_VALUE);
    assert_int_equal(serve(0x8201, req, sizeof(req), &n, &st), TS_RPC_ERROR_INVALID_VALUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_hash_bytes),
        cmocka_unit_test(test_generate_key_bytes),
        cmocka_unit_test(test_get_attributes_bytes),
        cmocka_unit_test(test_aead_finish_order),
        cmocka_unit_test(test_tlv_rules),
        cmocka_unit_test(test_capacity_and_limits),
        cmocka_unit_test(test_uuids_from_sheet),
        cmocka_unit_test(test_generic_sign_hash_bytes),
        cmocka_unit_test(test_generic_attributes_bytes),
        cmocka_unit_test(test_generic_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
