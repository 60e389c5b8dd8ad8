/* Unit tests of the RSS comms codec against byte vectors written by hand from the reference sheet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "comms/rss_msg.h"
#include "base/wire.h"

/* ctrl_param: type bits 0-15, out_len 16-18, in_len 24-26 (sheet §1.5). */
static void test_ctrl_param(void **state)
{
    (void)state;
    assert_int_equal(rss_msg_ctrl_pack(1001, 3, 0), 0x030003e9u);
    assert_int_equal(rss_msg_ctrl_pack(0, 1, 2), 0x01020000u);
    assert_int_equal(rss_msg_ctrl_pack(1003, 1, 1), 0x010103ebu);
    int32_t type;
    uint32_t in_len, out_len;
    /* Reserved bits (19, 27, 31) are ignored; the type is sign-extended. */
    rss_msg_ctrl_unpack(0x8b0affffu, &type, &in_len, &out_len);
    assert_int_equal(type, -1);
    assert_int_equal(in_len, 3);
    assert_int_equal(out_len, 2);
    rss_msg_ctrl_unpack(0x02017fffu, &type, &in_len, &out_len);
    assert_int_equal(type, 0x7fff);
    assert_int_equal(in_len, 2);
    assert_int_equal(out_len, 1);
}

/* psa_its_set(uid 5, "hi", flags 1) to ITS (0x40000102), seq 7, client id 0x1234. */
static const uint8_t embed_its_set[] = {
    0x00, 0x07, 0x34, 0x12,                         /* ver 0, seq 7, client_id 0x1234 */
    0x02, 0x01, 0x00, 0x40,                         /* handle 0x40000102 */
    0xe9, 0x03, 0x00, 0x03,                         /* type 1001, out 0, in 3 */
    0x08, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, /* io_size 8, 2, 4, 0 */
    0x05, 0, 0, 0, 0, 0, 0, 0,                      /* uid */
    'h', 'i',                                       /* data */
    0x01, 0x00, 0x00, 0x00,                         /* flags */
};

static void test_encode_embed_call(void **state)
{
    (void)state;
    uint8_t uid[8] = {5}, flags[4] = {1};
    rss_msg_call_t call = {
        .header = {.protocol_ver = 0, .seq_num = 7, .client_id = 0x1234},
        .handle = 0x40000102,
        .type = 1001,
        .in_len = 3,
        .in_size = {8, 2, 4},
        .in_data = {uid, (const uint8_t *)"hi", flags},
    };
    uint8_t buf[64];
    size_t length = 0;
    assert_int_equal(rss_msg_encode_call(&call, buf, sizeof(buf), &length), PSA_SUCCESS);
    assert_int_equal(length, sizeof(embed_its_set));
    assert_memory_equal(buf, embed_its_set, sizeof(embed_its_set));
    /* One byte short of room. */
    assert_int_equal(rss_msg_encode_call(&call, buf, sizeof(embed_its_set) - 1, &length),
                     PSA_ERROR_BUFFER_TOO_SMALL);
}

static void test_decode_embed_call(void **state)
{
    (void)state;
    rss_msg_call_t call;
    assert_int_equal(rss_msg_decode_call(embed_its_set, sizeof(embed_its_set), 8320, &call),
                     PSA_SUCCESS);
    assert_int_equal(call.header.protocol_ver, 0);
    assert_int_equal(call.header.seq_num, 7);
    assert_int_equal(call.header.client_id, 0x1234);
    assert_int_equal(call.handle, 0x40000102);
    assert_int_equal(call.type, 1001);
    assert_int_equal(call.in_len, 3);
    assert_int_equal(call.out_len, 0);
    assert_int_equal(call.in_size[1], 2);
    assert_ptr_equal(call.in_data[0], embed_its_set + 20);
    assert_memory_equal(call.in_data[1], "hi", 2);
    assert_ptr_equal(call.in_data[2], embed_its_set + 30);

    /* Trailing padding is tolerated (sheet §1.3). */
    uint8_t padded[sizeof(embed_its_set) + 3];
    memcpy(padded, embed_its_set, sizeof(embed_its_set));
    memset(padded + sizeof(embed_its_set), 0xaa, 3);
    assert_int_equal(rss_msg_decode_call(padded, sizeof(padded), 8320, &call), PSA_SUCCESS);

    /* Truncated: the header survives, so CONNECTION_BUSY with it. */
    assert_int_equal(rss_msg_decode_call(embed_its_set, sizeof(embed_its_set) - 1, 8320, &call),
                     PSA_ERROR_CONNECTION_BUSY);
    assert_int_equal(call.header.seq_num, 7);
    assert_int_equal(rss_msg_decode_call(embed_its_set, 19, 8320, &call),
                     PSA_ERROR_CONNECTION_BUSY);
    /* No header at all, or an unknown protocol: no reply possible. */
    assert_int_equal(rss_msg_decode_call(embed_its_set, 3, 8320, &call),
                     PSA_ERROR_COMMUNICATION_FAILURE);
    uint8_t wrong[sizeof(embed_its_set)];
    memcpy(wrong, embed_its_set, sizeof(wrong));
    wrong[0] = 2;
    assert_int_equal(rss_msg_decode_call(wrong, sizeof(wrong), 8320, &call),
                     PSA_ERROR_COMMUNICATION_FAILURE);
    /* in_len + out_len > 4. */
    memcpy(wrong, embed_its_set, sizeof(wrong));
    wrong[10] = 2;
    assert_int_equal(rss_msg_decode_call(wrong, sizeof(wrong), 8320, &call),
                     PSA_ERROR_CONNECTION_BUSY);
    /* Inputs plus outputs over the embed limit. */
    assert_int_equal(rss_msg_decode_call(embed_its_set, sizeof(embed_its_set), 13, &call),
                     PSA_ERROR_CONNECTION_BUSY);
    assert_int_equal(rss_msg_decode_call(embed_its_set, sizeof(embed_its_set), 14, &call),
                     PSA_SUCCESS);
}

/* A 1 MiB-class call by pointer access: crypto (0x40000100), type 0, in 2, out 1. */
static const uint8_t pointer_call[] = {
    0x01, 0xff, 0x01, 0x00,                         /* ver 1, seq 255, client_id 1 */
    0x00, 0x01, 0x00, 0x40,                         /* handle 0x40000100 */
    0x00, 0x00, 0x01, 0x02,                         /* type 0, out 1, in 2 */
    0x38, 0x00, 0x00, 0x00,                         /* in 56 */
    0x00, 0x00, 0x10, 0x00,                         /* in 1 MiB */
    0x10, 0x00, 0x10, 0x00,                         /* out 1 MiB + 16 */
    0x00, 0x00, 0x00, 0x00,                         /* unused */
    0, 0, 0, 0, 0, 0, 0, 0,                         /* in at 0 */
    0x40, 0, 0, 0, 0, 0, 0, 0,                      /* in at 64 */
    0x40, 0x00, 0x10, 0x00, 0, 0, 0, 0,             /* out at 0x100040 */
    0, 0, 0, 0, 0, 0, 0, 0,                         /* unused */
};

static void test_pointer_call(void **state)
{
    (void)state;
    rss_msg_call_t call = {
        .header = {.protocol_ver = 1, .seq_num = 255, .client_id = 1},
        .handle = 0x40000100,
        .type = 0,
        .in_len = 2,
        .out_len = 1,
        .in_size = {56, 0x100000},
        .out_size = {0x100010},
        .in_addr = {0, 64},
        .out_addr = {0x100040},
    };
    uint8_t buf[64];
    size_t length = 0;
    assert_int_equal(rss_msg_encode_call(&call, buf, sizeof(buf), &length), PSA_SUCCESS);
    assert_int_equal(length, 60);
    assert_memory_equal(buf, pointer_call, 60);

    rss_msg_call_t d;
    assert_int_equal(rss_msg_decode_call(pointer_call, 60, 8320, &d), PSA_SUCCESS);
    assert_int_equal(d.in_len, 2);
    assert_int_equal(d.out_len, 1);
    assert_int_equal(d.in_size[1], 0x100000);
    assert_int_equal(d.out_size[0], 0x100010);
    assert_int_equal(d.in_addr[1], 64);
    assert_int_equal(d.out_addr[0], 0x100040);
    /* The body must be exactly 56 bytes: neither shorter nor padded. */
    assert_int_equal(rss_msg_decode_call(pointer_call, 59, 8320, &d), PSA_ERROR_CONNECTION_BUSY);
    uint8_t longer[61];
    memcpy(longer, pointer_call, 60);
    longer[60] = 0;
    assert_int_equal(rss_msg_decode_call(longer, 61, 8320, &d), PSA_ERROR_CONNECTION_BUSY);
    assert_int_equal(d.header.seq_num, 255);
}

/* Embed reply: status 0, out sizes 12 and 3, data back to back. */
static const uint8_t embed_reply[] = {
    0x00, 0x07, 0x34, 0x12,                         /* header echoed */
    0x00, 0x00, 0x00, 0x00,                         /* return_val 0 */
    0x0c, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, /* out_size 12, 3, 0, 0 */
    1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,             /* out 0 */
    'a', 'b', 'c',                                  /* out 1 */
};

static void test_embed_reply(void **state)
{
    (void)state;
    /* Outputs lying later in the same buffer, at their maximum-size offsets, as rssd carves
     * them: encoding moves them down into place. */
    uint8_t buf[64];
    memset(buf, 0xcc, sizeof(buf));
    const uint8_t info[12] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0};
    memcpy(buf + 16, info, 12);
    memcpy(buf + 16 + 20, "abc", 3); /* out 0 had room for 20 bytes */
    rss_msg_reply_t reply = {
        .header = {.protocol_ver = 0, .seq_num = 7, .client_id = 0x1234},
        .status = PSA_SUCCESS,
        .out_len = 2,
        .out_size = {12, 3},
        .out_data = {buf + 16, buf + 36},
    };
    size_t length = 0;
    assert_int_equal(rss_msg_encode_reply(&reply, buf, sizeof(buf), &length), PSA_SUCCESS);
    assert_int_equal(length, sizeof(embed_reply));
    assert_memory_equal(buf, embed_reply, sizeof(embed_reply));

    rss_msg_reply_t d;
    assert_int_equal(rss_msg_decode_reply(embed_reply, sizeof(embed_reply), &d), PSA_SUCCESS);
    assert_int_equal(d.status, PSA_SUCCESS);
    assert_int_equal(d.out_size[0], 12);
    assert_int_equal(d.out_size[1], 3);
    assert_memory_equal(d.out_data[1], "abc", 3);
    /* Sizes that do not match the data are malformed. */
    assert_int_equal(rss_msg_decode_reply(embed_reply, sizeof(embed_reply) - 1, &d),
                     PSA_ERROR_COMMUNICATION_FAILURE);
}

static void test_pointer_reply(void **state)
{
    (void)state;
    static const uint8_t expect[] = {
        0x01, 0x09, 0x01, 0x00,                   /* header */
        0x76, 0xff, 0xff, 0xff,                   /* return_val -138 BUFFER_TOO_SMALL */
        0x10, 0x00, 0x10, 0x00, 0, 0, 0, 0,       /* out_size 0x100010, 0 */
        0, 0, 0, 0, 0, 0, 0, 0,
    };
    rss_msg_reply_t reply = {
        .header = {.protocol_ver = 1, .seq_num = 9, .client_id = 1},
        .status = PSA_ERROR_BUFFER_TOO_SMALL,
        .out_len = 1,
        .out_size = {0x100010},
    };
    uint8_t buf[32];
    size_t length = 0;
    assert_int_equal(rss_msg_encode_reply(&reply, buf, sizeof(buf), &length), PSA_SUCCESS);
    assert_int_equal(length, 24);
    assert_memory_equal(buf, expect, 24);
    rss_msg_reply_t d;
    assert_int_equal(rss_msg_decode_reply(expect, 24, &d), PSA_SUCCESS);
    assert_int_equal(d.status, -138);
    assert_int_equal(d.out_size[0], 0x100010);
}

/* Error replies: the request's header, CONNECTION_BUSY (-131 = 0xffffff7d), zero sizes. */
static void test_error_reply(void **state)
{
    (void)state;
    static const uint8_t embed_busy[] = {0x00, 0x07, 0x34, 0x12, 0x7d, 0xff, 0xff, 0xff,
                                         0, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t pointer_busy[] = {0x01, 0xff, 0x01, 0x00, 0x7d, 0xff, 0xff, 0xff,
                                           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    rss_msg_header_t h0 = {0, 7, 0x1234}, h1 = {1, 255, 1}, h2 = {2, 1, 1};
    uint8_t buf[32];
    assert_int_equal(rss_msg_encode_error_reply(&h0, PSA_ERROR_CONNECTION_BUSY, buf, 32), 16);
    assert_memory_equal(buf, embed_busy, 16);
    assert_int_equal(rss_msg_encode_error_reply(&h1, PSA_ERROR_CONNECTION_BUSY, buf, 32), 24);
    assert_memory_equal(buf, pointer_busy, 24);
    assert_int_equal(rss_msg_encode_error_reply(&h2, PSA_ERROR_CONNECTION_BUSY, buf, 32), 0);
    assert_int_equal(rss_msg_encode_error_reply(&h1, PSA_ERROR_CONNECTION_BUSY, buf, 23), 0);
}

static void test_encode_limits(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t length;
    rss_msg_call_t call = {.header = {0, 1, 1}, .handle = 1, .in_len = 3, .out_len = 2};
    assert_int_equal(rss_msg_encode_call(&call, buf, sizeof(buf), &length),
                     PSA_ERROR_PROGRAMMER_ERROR);
    call = (rss_msg_call_t){.header = {0, 1, 1}, .handle = 1, .out_len = 1,
                            .out_size = {0x10000}};
    assert_int_equal(rss_msg_encode_call(&call, buf, sizeof(buf), &length),
                     PSA_ERROR_PROGRAMMER_ERROR);
    call.header.protocol_ver = 1;
    assert_int_equal(rss_msg_encode_call(&call, buf, sizeof(buf), &length), PSA_SUCCESS);
    call.type = 0x8000;
    assert_int_equal(rss_msg_encode_call(&call, buf, sizeof(buf), &length),
                     PSA_ERROR_PROGRAMMER_ERROR);
}

static void test_ctrl_messages(void **state)
{
    (void)state;
    static const uint8_t setup[] = {0x80, 0x03, 0x01, 0x00, 0, 0, 0x10, 0, 0, 0, 0, 0};
    static const uint8_t assert_id[] = {0x81, 0x04, 0x01, 0x00, 0xe8, 0xff, 0xfe, 0xff};
    static const uint8_t reply[] = {0x81, 0x04, 0x01, 0x00, 0x7b, 0xff, 0xff, 0xff};
    uint8_t buf[16];
    rss_ctrl_msg_t c = {.header = {0x80, 3, 1}, .shm_size = 0x100000};
    assert_int_equal(rss_msg_encode_ctrl(&c, buf, sizeof(buf)), 12);
    assert_memory_equal(buf, setup, 12);
    c = (rss_ctrl_msg_t){.header = {0x81, 4, 1}, .client_id = -(0x10000 + 24)};
    assert_int_equal(rss_msg_encode_ctrl(&c, buf, sizeof(buf)), 8);
    assert_memory_equal(buf, assert_id, 8);
    assert_true(rss_msg_is_ctrl(setup, 12));
    assert_false(rss_msg_is_ctrl(embed_its_set, sizeof(embed_its_set)));

    rss_ctrl_msg_t d;
    assert_int_equal(rss_msg_decode_ctrl(assert_id, 8, &d), PSA_SUCCESS);
    assert_int_equal(d.client_id, -(0x10000 + 24));
    assert_int_equal(rss_msg_decode_ctrl(setup, 12, &d), PSA_SUCCESS);
    assert_int_equal(d.shm_size, 0x100000);
    assert_int_equal(rss_msg_decode_ctrl(setup, 11, &d), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(rss_msg_decode_ctrl(setup, 2, &d), PSA_ERROR_COMMUNICATION_FAILURE);

    rss_msg_header_t h = {0x81, 4, 1};
    assert_int_equal(rss_msg_encode_ctrl_reply(&h, PSA_ERROR_NOT_PERMITTED, buf, sizeof(buf)), 8);
    assert_memory_equal(buf, reply, 8);
    psa_status_t st;
    assert_int_equal(rss_msg_decode_ctrl_reply(reply, 8, &h, &st), PSA_SUCCESS);
    assert_int_equal(st, PSA_ERROR_NOT_PERMITTED);
}

static void test_wire(void **state)
{
    (void)state;
    static const uint8_t bytes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    wire_reader_t r;
    wire_reader_init(&r, bytes, sizeof(bytes));
    uint64_t v64;
    uint32_t v32;
    assert_true(wire_get_u64(&r, &v64));
    assert_true(v64 == 0x0807060504030201ull);
    assert_false(wire_get_u32(&r, &v32)); /* one byte left: fails, consumes nothing */
    assert_false(wire_reader_ok(&r));
    uint8_t v8;
    assert_false(wire_get_u8(&r, &v8)); /* a failed reader stays failed */

    uint8_t out[6];
    wire_writer_t w;
    wire_writer_init(&w, out, sizeof(out));
    assert_true(wire_put_u32(&w, 0xa1b2c3d4));
    assert_false(wire_put_u32(&w, 1));
    assert_false(wire_put_u8(&w, 1));
    assert_int_equal(wire_writer_length(&w), 4);
    assert_memory_equal(out, "\xd4\xc3\xb2\xa1", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctrl_param),      cmocka_unit_test(test_encode_embed_call),
        cmocka_unit_test(test_decode_embed_call), cmocka_unit_test(test_pointer_call),
        cmocka_unit_test(test_embed_reply),     cmocka_unit_test(test_pointer_reply),
        cmocka_unit_test(test_error_reply),     cmocka_unit_test(test_encode_limits),
        cmocka_unit_test(test_ctrl_messages),   cmocka_unit_test(test_wire),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
