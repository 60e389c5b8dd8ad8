/* Unit tests of the TS RPC endpoint and the packed-c secure storage interface (sheet vectors). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "ts/ts_endpoint.h"
#include "ts/ts_packet.h"
#include "ts/ts_storage.h"
#include "base/wire.h"

/* Interface ids in the order added: ITS 0, PS 1 (as the SE proxy orders them, sheet §3.1). */
#define IFID_ITS 0
#define IFID_PS  1

#define HANDLE_LSW    0x55667788u
#define HANDLE_MSW    0x11223344u
#define RPC_STATUS(s) ((uint32_t)(int32_t)(s))

static char state_dir[] = "/tmp/test-ts-XXXXXX";
static ts_endpoint_t endpoint;
static ts_connection_t conn;
static uint8_t *shm; /* the client's view of the memory lent with HANDLE_* */
static size_t shm_size;

static int sealed_memfd(size_t size, unsigned int seals)
{
    int fd = memfd_create("test-ts", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    if (seals != 0) {
        assert_int_equal(fcntl(fd, F_ADD_SEALS, seals), 0);
    }
    return fd;
}

static void serve(uint32_t w3, uint32_t w4, uint32_t w5, uint32_t w6, uint32_t w7, int fd,
                  uint32_t out[5])
{
    const uint32_t in[5] = {w3, w4, w5, w6, w7};
    ts_connection_serve(&conn, in, fd, out);
    assert_int_equal(out[0], w3); /* W3 always comes back unchanged */
}

static int setup(void **state)
{
    (void)state;
    ts_endpoint_init(&endpoint);
    const ts_interface_t its = {TS_UUID_ITS, (void *)&ts_storage_its_backend, ts_storage_serve};
    const ts_interface_t ps = {TS_UUID_PS, (void *)&ts_storage_ps_backend, ts_storage_serve};
    assert_int_equal(ts_endpoint_add(&endpoint, &its), IFID_ITS);
    assert_int_equal(ts_endpoint_add(&endpoint, &ps), IFID_PS);
    assert_int_equal(ts_endpoint_add(&endpoint, &ps), -1); /* a UUID is hosted once */
    const ts_caller_t caller = {.uid = getuid(), .pid = getpid()};
    assert_true(ts_connection_open(&conn, &endpoint, &caller));

    shm_size = 4096;
    int fd = sealed_memfd(shm_size, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
    shm = mmap(NULL, shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(shm != MAP_FAILED);
    uint32_t out[5];
    serve(TS_RPC_W3(0xff, 1), HANDLE_LSW, HANDLE_MSW, 0, 0, fd, out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_connection_close(&conn);
    munmap(shm, shm_size);
    return 0;
}

/* A service call on the lent memory: request bytes in, the reply words out. */
static void call(uint8_t ifid, uint16_t opcode, const uint8_t *req, size_t len, uint32_t out[5])
{
    if (len > 0) {
        memcpy(shm, req, len);
    }
    serve(TS_RPC_W3(ifid, opcode), HANDLE_LSW, HANDLE_MSW, (uint32_t)len, 0xdeadbeef, -1, out);
}

static void test_packet(void **state)
{
    (void)state;
    const uint8_t packet[20] = {0x00, 0x00, 0xff, 0x00, 1,  2,  3,  4,  5,  6,
                                7,    8,    9,    10,   11, 12, 13, 14, 15, 16};
    uint32_t w[5];
    assert_true(ts_packet_decode(packet, 20, w));
    assert_int_equal(w[0], 0x00ff0000u);
    assert_int_equal(w[1], 0x04030201u);
    assert_int_equal(w[4], 0x100f0e0du);
    uint8_t again[20];
    ts_packet_encode(w, again);
    assert_memory_equal(again, packet, 20);
    assert_false(ts_packet_decode(packet, 19, w));
    uint8_t longer[21] = {0};
    assert_false(ts_packet_decode(longer, 21, w));
}

static void test_version_get(void **state)
{
    (void)state;
    uint32_t out[5];
    serve(0x00ff0000u, 0, 0, 0, 0, -1, out);
    const uint32_t expect[5] = {0x00ff0000u, 1, 0, 0, 0};
    assert_memory_equal(out, expect, sizeof(expect));
}

static void test_service_info_get(void **state)
{
    (void)state;
    uint32_t out[5];
    /* ITS dc1eef48-b17a-4ccf-ac8b-dfcff7711b14 (sheet §1.2): its bytes raw in W4..W7 (LE words). */
    serve(0x00ff0003u, 0x48ef1edcu, 0xcf4c7ab1u, 0xcfdf8bacu, 0x141b71f7u, -1, out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], IFID_ITS);
    /* PS 751bf801-3dde-4768-a514-0f10aeed1790 */
    serve(0x00ff0003u, 0x01f81b75u, 0x6847de3du, 0x100f14a5u, 0x9017edaeu, -1, out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], IFID_PS);
    /* Crypto d9df52d5-...: not hosted here. */
    serve(0x00ff0003u, 0xd552dfd9u, 0xb24ba216u, 0x6dd2a49au, 0xc0e8843bu, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_NOT_FOUND));
    assert_int_equal(out[2], 0);
    /* Unknown management opcode. */
    serve(0x00ff0004u, 0, 0, 0, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_VALUE));
}

static void test_mem_retrieve_rules(void **state)
{
    (void)state;
    uint32_t out[5];
    /* No descriptor, an unsealed memfd, an empty one, a non-page multiple: all transport. */
    serve(0x00ff0001u, 7, 0, 0, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_TRANSPORT_LAYER));
    serve(0x00ff0001u, 7, 0, 0, 0, sealed_memfd(4096, 0), out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_TRANSPORT_LAYER));
    serve(0x00ff0001u, 7, 0, 0, 0, sealed_memfd(0, F_SEAL_SHRINK), out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_TRANSPORT_LAYER));
    serve(0x00ff0001u, 7, 0, 0, 0, sealed_memfd(100, F_SEAL_SHRINK), out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_TRANSPORT_LAYER));
    serve(0x00ff0001u, 7, 0, 0, 0, sealed_memfd(2 * TS_ENDPOINT_MAX_SHARED_MEMORY, F_SEAL_SHRINK),
          out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_TRANSPORT_LAYER));
    /* A handle already lent, and the doorbell handle, name no new memory. */
    serve(0x00ff0001u, HANDLE_LSW, HANDLE_MSW, 0, 0, sealed_memfd(4096, F_SEAL_SHRINK), out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_VALUE));
    serve(0x00ff0001u, 0xffffffffu, 0xffffffffu, 0, 0, sealed_memfd(4096, F_SEAL_SHRINK), out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_VALUE));
    /* A descriptor on any other request is refused. */
    serve(0x00ff0000u, 0, 0, 0, 0, sealed_memfd(4096, F_SEAL_SHRINK), out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_VALUE));
    /* 2 * 2 interfaces + 6 = 10 slots, one already used by setup. */
    for (uint32_t h = 100; h < 109; h++) {
        serve(0x00ff0001u, h, 0, 0, 0, sealed_memfd(4096, F_SEAL_SHRINK), out);
        assert_int_equal(out[1], TS_RPC_SUCCESS);
    }
    serve(0x00ff0001u, 109, 0, 0, 0, sealed_memfd(4096, F_SEAL_SHRINK), out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_NOT_FOUND));
    for (uint32_t h = 100; h < 109; h++) {
        serve(0x00ff0002u, h, 0, 0, 0, -1, out);
        assert_int_equal(out[1], TS_RPC_SUCCESS);
    }
    serve(0x00ff0002u, 100, 0, 0, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_NOT_FOUND));
    /* The setup memory is still there. */
    static const uint8_t get_support[1] = {0};
    call(IFID_PS, TS_STORAGE_OP_GET_SUPPORT, get_support, 0, out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
}

static void test_call_checks_in_order(void **state)
{
    (void)state;
    uint32_t out[5];
    /* Interface id beyond the slots, then an empty slot, then an unknown handle, then a request
     * longer than the memory; each check wins over the ones after it. */
    serve(TS_RPC_W3(8, 0x106), 1, 2, 5000, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_VALUE));
    serve(TS_RPC_W3(2, 0x106), 1, 2, 5000, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INTERNAL));
    serve(TS_RPC_W3(IFID_PS, 0x106), 1, 2, 5000, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_NOT_FOUND));
    serve(TS_RPC_W3(IFID_PS, 0x106), HANDLE_LSW, HANDLE_MSW, 4097, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_VALUE));
    const uint32_t zeros[3] = {0, 0, 0};
    assert_memory_equal(&out[2], zeros, sizeof(zeros));
    /* Doorbell: no memory, so a non-zero length is refused and a reply cannot fit. */
    serve(TS_RPC_W3(IFID_PS, 0x106), 0xffffffffu, 0xffffffffu, 1, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_VALUE));
    serve(TS_RPC_W3(IFID_PS, 0x106), 0xffffffffu, 0xffffffffu, 0, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_RESPONSE_BODY));
    serve(TS_RPC_W3(IFID_PS, 0x103), 0xffffffffu, 0xffffffffu, 0, 0, -1, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_REQUEST_BODY));
    /* Unknown storage opcode. */
    call(IFID_PS, 0x107, NULL, 0, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_VALUE));
}

/* Request bodies written from secure_storage_proto.h (sheet §2.3): packed, little-endian. */
static const uint8_t set_req[23] = {
    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* uid 0x0102030405060708 */
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* data_length 3 */
    0x00, 0x00, 0x00, 0x00,                         /* create_flags NONE */
    'a',  'b',  'c'};
static const uint8_t get_req[24] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
                                    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  /* off 1 */
                                    0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}; /* 16 */
static const uint8_t uid_req[8] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
static const uint8_t get_info_resp[20] = {
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* capacity 3 */
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* size 3 */
    0x00, 0x00, 0x00, 0x00};                        /* flags */

static void storage_round_trip(uint8_t ifid)
{
    uint32_t out[5];
    call(ifid, TS_STORAGE_OP_SET, set_req, sizeof(set_req), out);
    const uint32_t ok[5] = {TS_RPC_W3(ifid, 0x100), 0, 0, 0, 0};
    assert_memory_equal(out, ok, sizeof(ok));

    call(ifid, TS_STORAGE_OP_GET, get_req, sizeof(get_req), out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 2); /* raw data, no header */
    assert_memory_equal(shm, "bc", 2);

    call(ifid, TS_STORAGE_OP_GET_INFO, uid_req, sizeof(uid_req), out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 20);
    assert_memory_equal(shm, get_info_resp, 20);

    /* Short fixed parts and data that runs past the request: refused, nothing changed. */
    call(ifid, TS_STORAGE_OP_SET, set_req, 19, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_REQUEST_BODY));
    call(ifid, TS_STORAGE_OP_SET, set_req, 22, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_REQUEST_BODY));
    call(ifid, TS_STORAGE_OP_GET, get_req, 23, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_REQUEST_BODY));
    call(ifid, TS_STORAGE_OP_GET_INFO, uid_req, 7, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_REQUEST_BODY));
    call(ifid, TS_STORAGE_OP_REMOVE, uid_req, 7, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_REQUEST_BODY));
    call(ifid, TS_STORAGE_OP_GET_INFO, uid_req, sizeof(uid_req), out);
    assert_int_equal(out[3], 20);
    assert_memory_equal(shm, get_info_resp, 20);

    call(ifid, TS_STORAGE_OP_REMOVE, uid_req, sizeof(uid_req), out);
    assert_memory_equal(out, ((uint32_t[5]){TS_RPC_W3(ifid, 0x103), 0, 0, 0, 0}), 20);
    call(ifid, TS_STORAGE_OP_GET_INFO, uid_req, sizeof(uid_req), out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], RPC_STATUS(PSA_ERROR_DOES_NOT_EXIST));
    assert_int_equal(out[3], 0);
}

static void test_its_opcodes(void **state)
{
    (void)state;
    storage_round_trip(IFID_ITS);
    uint32_t out[5];
    const uint8_t create_req[20] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x01,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    call(IFID_ITS, TS_STORAGE_OP_CREATE, create_req, sizeof(create_req), out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], 0xffffff7au); /* PSA_ERROR_NOT_SUPPORTED, -134 */
    call(IFID_ITS, TS_STORAGE_OP_GET_SUPPORT, NULL, 0, out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 4);
    const uint8_t none[4] = {0, 0, 0, 0};
    assert_memory_equal(shm, none, 4);
}

static void test_ps_opcodes(void **state)
{
    (void)state;
    storage_round_trip(IFID_PS);
    uint32_t out[5];
    const uint8_t create_req[20] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* uid */
                                    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 256 */
                                    0x00, 0x00, 0x00, 0x00};
    call(IFID_PS, TS_STORAGE_OP_CREATE, create_req, sizeof(create_req), out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], 0);
    call(IFID_PS, TS_STORAGE_OP_CREATE, create_req, sizeof(create_req), out);
    assert_int_equal(out[2], RPC_STATUS(PSA_ERROR_ALREADY_EXISTS));
    const uint8_t ext_req[26] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* uid */
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* offset 0 */
                                 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* length 2 */
                                 'x',  'y'};
    call(IFID_PS, TS_STORAGE_OP_SET_EXTENDED, ext_req, sizeof(ext_req), out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], 0);
    call(IFID_PS, TS_STORAGE_OP_SET_EXTENDED, ext_req, 25, out);
    assert_int_equal(out[1], RPC_STATUS(TS_RPC_ERROR_INVALID_REQUEST_BODY));
    call(IFID_PS, TS_STORAGE_OP_GET_INFO, uid_req, sizeof(uid_req), out);
    const uint8_t info[20] = {0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(out[3], 20);
    assert_memory_equal(shm, info, 20);
    call(IFID_PS, TS_STORAGE_OP_GET_SUPPORT, NULL, 0, out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[3], 4);
    const uint8_t set_extended[4] = {0x01, 0, 0, 0}; /* the real flags, not upstream's 0 */
    assert_memory_equal(shm, set_extended, 4);
    call(IFID_PS, TS_STORAGE_OP_REMOVE, uid_req, sizeof(uid_req), out);
    assert_int_equal(out[2], 0);
}

/* GET asks for more than the memory holds: cut down to the memory, as upstream. */
static void test_get_cut_to_memory(void **state)
{
    (void)state;
    static uint8_t big[20 + 5000];
    memset(big, 0x5a, sizeof(big));
    memcpy(big, set_req, 8);
    wire_store_u64(big + 8, 4000);
    wire_store_u32(big + 16, 0);
    uint32_t out[5];
    call(IFID_PS, TS_STORAGE_OP_SET, big, 20 + 4000, out);
    assert_int_equal(out[2], 0);
    uint8_t get[24] = {0};
    memcpy(get, uid_req, 8);
    wire_store_u64(get + 16, UINT64_MAX);
    call(IFID_PS, TS_STORAGE_OP_GET, get, sizeof(get), out);
    assert_int_equal(out[1], TS_RPC_SUCCESS);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 4000);
    assert_int_equal(shm[3999], 0x5a);
    call(IFID_PS, TS_STORAGE_OP_REMOVE, uid_req, sizeof(uid_req), out);
    assert_int_equal(out[2], 0);
}

int main(void)
{
    if (mkdtemp(state_dir) == NULL) {
        return 1;
    }
    setenv("PSA_STATE_DIR", state_dir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet),
        cmocka_unit_test_setup_teardown(test_version_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_service_info_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mem_retrieve_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_checks_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_its_opcodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ps_opcodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_cut_to_memory, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
    if (system(cmd) != 0) {
        return 1;
    }
    return failed;
}
