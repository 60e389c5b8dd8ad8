/* rssd end to end: ITS/PS through libpsa, isolation by uid, forwarders, refused uids, robustness.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <psa/client.h>
#include <psa/crypto.h>
#include <psa/internal_trusted_storage.h>
#include <psa/protected_storage.h>
#include <ss/psa_keys.h>

#include "client/client_call.h"
#include "comms/rss_msg.h"
#include "comms/transport.h"
#include "rssd_harness.h"

#define UID_A          60001
#define UID_B          60002
#define UID_REFUSED    60003
#define UID_FORWARDER  60004
#define CLIENT_ID(uid) (-(0x10000 + (uid)))

static rssd_instance_t rssd;
static const char policy[] = "# test policy\n"
                             "uid 60003 refused\n"
                             "uid 60004 forwarder\n";

/* ---- raw socket helpers -------------------------------------------------------------------- */

static int raw_connect(void)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, rssd.socket, strlen(rssd.socket) + 1);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        return -1;
    }
    return fd;
}

/* Sends one packet (with fd_to_pass if >= 0) and waits up to timeout_ms for one back. Returns its
 * length, 0 when nothing came, -1 when the connection closed. */
static ssize_t raw_exchange(int fd, const void *msg, size_t len, int fd_to_pass, uint8_t *reply,
                            size_t size, int timeout_ms)
{
    if (!rss_unix_send_packet(fd, msg, len, fd_to_pass)) {
        return -1;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) == 0) {
        return 0;
    }
    ssize_t n = recv(fd, reply, size, 0);
    return n <= 0 ? -1 : n;
}

static size_t embed_its_get_info(uint8_t *buf, uint8_t seq, uint64_t uid)
{
    uint8_t uid_le[8];
    memcpy(uid_le, &uid, 8);
    rss_msg_call_t call = {.header = {0, seq, 1},
                           .handle = RSS_HANDLE_ITS,
                           .type = 1003,
                           .in_len = 1,
                           .out_len = 1,
                           .in_size = {8},
                           .out_size = {12},
                           .in_data = {uid_le}};
    size_t n = 0;
    assert_int_equal(rss_msg_encode_call(&call, buf, 64, &n), PSA_SUCCESS);
    return n;
}

/* A healthy exchange on a fresh connection: rssd is still serving. */
static void assert_rssd_serves(void)
{
    int fd = raw_connect();
    assert_true(fd >= 0);
    uint8_t msg[64], reply[64];
    size_t n = embed_its_get_info(msg, 42, 0x5eed);
    assert_int_equal(raw_exchange(fd, msg, n, -1, reply, sizeof(reply), 5000), 16);
    static const uint8_t expect[] = {0, 42, 1, 0, 0x74, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(reply, expect, 16); /* DOES_NOT_EXIST (-140), no data */
    close(fd);
}

/* Runs fn in a child with the given uid; returns the child's exit status. */
static int run_as(uid_t uid, int (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    if (pid == 0) {
        client_disconnect_all();
        if (setgid(uid) < 0 || setuid(uid) < 0) {
            _exit(100);
        }
        _exit(fn(arg));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

/* ---- ITS and PS through libpsa ------------------------------------------------------------ */

static void test_framework_calls(void **state)
{
    (void)state;
    assert_int_equal(psa_framework_version(), 0x0101);
    assert_int_equal(psa_version(0x70), 1);
    assert_int_equal(psa_version(0x12345), PSA_VERSION_NONE);
    assert_int_equal(psa_connect(0x80, 1), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(psa_connect(0x12345, 1), PSA_ERROR_CONNECTION_REFUSED);
    psa_close(PSA_NULL_HANDLE);
    /* Bad handles, bad types, too many vectors. */
    assert_int_equal(psa_call(PSA_NULL_HANDLE, 0, NULL, 0, NULL, 0), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(psa_call(0x40000104, 0, NULL, 0, NULL, 0), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(psa_call(0x40000202, 1001, NULL, 0, NULL, 0), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(psa_call(RSS_HANDLE_ITS, -1, NULL, 0, NULL, 0), PSA_ERROR_PROGRAMMER_ERROR);
    psa_invec five[5] = {{0}};
    assert_int_equal(psa_call(RSS_HANDLE_ITS, 1001, five, 5, NULL, 0),
                     PSA_ERROR_PROGRAMMER_ERROR);
    /* Unknown types: ITS NOT_SUPPORTED, PS PROGRAMMER_ERROR; attestation is not built. */
    assert_int_equal(psa_call(RSS_HANDLE_ITS, 1999, NULL, 0, NULL, 0), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(psa_call(RSS_HANDLE_PS, 1999, NULL, 0, NULL, 0),
                     PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(psa_call(RSS_HANDLE_ATTESTATION, 1001, NULL, 0, NULL, 0),
                     PSA_ERROR_NOT_SUPPORTED);
}

static void test_its(void **state)
{
    (void)state;
    struct psa_storage_info_t info;
    char buf[32];
    size_t n = 99;
    assert_int_equal(psa_its_get_info(0x1001, &info), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(psa_its_set(0x1001, 5, "hello", PSA_STORAGE_FLAG_NONE), PSA_SUCCESS);
    assert_int_equal(psa_its_get(0x1001, 1, sizeof(buf), buf, &n), PSA_SUCCESS);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "ello", 4);
    assert_int_equal(psa_its_get_info(0x1001, &info), PSA_SUCCESS);
    assert_int_equal(info.size, 5);
    assert_int_equal(info.capacity, 5);
    assert_int_equal(info.flags, 0);
    assert_int_equal(psa_its_get(0x1001, 6, sizeof(buf), buf, &n), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_its_set(0, 1, "x", 0), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(psa_its_set(0x1002, 1, "w", PSA_STORAGE_FLAG_WRITE_ONCE), PSA_SUCCESS);
    assert_int_equal(psa_its_set(0x1002, 1, "v", 0), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_its_remove(0x1002), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_its_get(0x1002, 0, sizeof(buf), buf, &n), PSA_SUCCESS);
    assert_int_equal(n, 1);
    assert_memory_equal(buf, "w", 1);
    assert_int_equal(psa_its_remove(0x1001), PSA_SUCCESS);
    assert_int_equal(psa_its_remove(0x1001), PSA_ERROR_DOES_NOT_EXIST);

    /* Server-enforced vector sizes: a 4-byte UID or a short info vector. */
    uint32_t short_uid = 1;
    psa_invec in[1] = {{&short_uid, 4}};
    uint8_t info_buf[16];
    psa_outvec out[1] = {{info_buf, 16}};
    assert_int_equal(psa_call(RSS_HANDLE_ITS, 1004, in, 1, NULL, 0), PSA_ERROR_PROGRAMMER_ERROR);
    uint64_t uid = 0x1002;
    in[0] = (psa_invec){&uid, 8};
    assert_int_equal(psa_call(RSS_HANDLE_ITS, 1003, in, 1, out, 1), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(out[0].len, 0);
}

static void test_ps_large_and_extended(void **state)
{
    (void)state;
    /* 200 KB each way: pointer access through the shared memory. */
    size_t size = 200 * 1024;
    uint8_t *data = malloc(size), *back = malloc(size);
    for (size_t i = 0; i < size; i++) {
        data[i] = (uint8_t)(i * 7 + 3);
    }
    size_t n = 0;
    assert_int_equal(psa_ps_set(0x2001, size, data, 0), PSA_SUCCESS);
    assert_int_equal(psa_ps_get(0x2001, 0, size, back, &n), PSA_SUCCESS);
    assert_int_equal(n, size);
    assert_memory_equal(back, data, size);
    assert_int_equal(psa_ps_remove(0x2001), PSA_SUCCESS);
    free(data);
    free(back);

    assert_int_equal(psa_ps_get_support(), PSA_STORAGE_SUPPORT_SET_EXTENDED);
    assert_int_equal(psa_ps_create(0x2002, 16, 0), PSA_SUCCESS);
    assert_int_equal(psa_ps_create(0x2002, 16, 0), PSA_ERROR_ALREADY_EXISTS);
    assert_int_equal(psa_ps_set_extended(0x2002, 0, 4, "abcd"), PSA_SUCCESS);
    assert_int_equal(psa_ps_set_extended(0x2002, 4, 3, "efg"), PSA_SUCCESS);
    struct psa_storage_info_t info;
    assert_int_equal(psa_ps_get_info(0x2002, &info), PSA_SUCCESS);
    assert_int_equal(info.capacity, 16);
    assert_int_equal(info.size, 7);
    char buf[16];
    assert_int_equal(psa_ps_get(0x2002, 0, sizeof(buf), buf, &n), PSA_SUCCESS);
    assert_int_equal(n, 7);
    assert_memory_equal(buf, "abcdefg", 7);
    assert_int_equal(psa_ps_remove(0x2002), PSA_SUCCESS);
}

/* GET_SUPPORT (1005) answers exactly TF-M's 0, for TF-M's and Trusted Services' clients, which
 * refuse psa_ps_create and psa_ps_set_extended themselves; libpsa learns the real flags from
 * rssd's own query (0x7F05). */
static void test_ps_get_support_answers(void **state)
{
    (void)state;
    assert_int_equal(psa_ps_get_support(), PSA_STORAGE_SUPPORT_SET_EXTENDED);

    uint8_t flags[8];
    memset(flags, 0xff, sizeof(flags));
    psa_outvec out[1] = {{flags, 4}};
    assert_int_equal(psa_call(RSS_HANDLE_PS, 1005, NULL, 0, out, 1), PSA_SUCCESS);
    assert_int_equal(out[0].len, 4);
    static const uint8_t zero[4] = {0, 0, 0, 0};
    assert_memory_equal(flags, zero, 4);
    /* Trusted Services sends a dummy 4-byte input. */
    uint32_t dummy = 0;
    psa_invec in[1] = {{&dummy, sizeof(dummy)}};
    memset(flags, 0xff, sizeof(flags));
    out[0].len = 4;
    assert_int_equal(psa_call(RSS_HANDLE_PS, 1005, in, 1, out, 1), PSA_SUCCESS);
    assert_int_equal(out[0].len, 4);
    assert_memory_equal(flags, zero, 4);
    /* The flags vector must be exactly 4 bytes, as in TF-M. */
    out[0].len = 8;
    assert_int_equal(psa_call(RSS_HANDLE_PS, 1005, NULL, 0, out, 1), PSA_ERROR_PROGRAMMER_ERROR);
    assert_int_equal(out[0].len, 0);

    /* rssd's query: SET_EXTENDED (1), little-endian. */
    memset(flags, 0xff, sizeof(flags));
    out[0].len = 4;
    assert_int_equal(psa_call(RSS_HANDLE_PS, 0x7F05, NULL, 0, out, 1), PSA_SUCCESS);
    assert_int_equal(out[0].len, 4);
    static const uint8_t set_extended[4] = {1, 0, 0, 0};
    assert_memory_equal(flags, set_extended, 4);
    out[0].len = 3;
    assert_int_equal(psa_call(RSS_HANDLE_PS, 0x7F05, NULL, 0, out, 1),
                     PSA_ERROR_PROGRAMMER_ERROR);
    /* It is a PS type: ITS does not know it. */
    out[0].len = 4;
    assert_int_equal(psa_call(RSS_HANDLE_ITS, 0x7F05, NULL, 0, out, 1), PSA_ERROR_NOT_SUPPORTED);

    /* The bytes a TF-M client sends (embed, no input, one 4-byte output) and gets back. */
    int fd = raw_connect();
    assert_true(fd >= 0);
    static const uint8_t tfm_call[] = {0,    7,    1, 0, 0x01, 0x01, 0x00, 0x40, 0xed, 0x03,
                                       0x01, 0x00, 4, 0, 0,    0,    0,    0,    0,    0};
    uint8_t reply[64];
    assert_int_equal(raw_exchange(fd, tfm_call, sizeof(tfm_call), -1, reply, sizeof(reply), 5000),
                     20);
    static const uint8_t tfm_reply[] = {0, 7, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(reply, tfm_reply, sizeof(tfm_reply));
    close(fd);
}

static void *thread_worker(void *arg)
{
    uintptr_t t = (uintptr_t)arg;
    for (int i = 0; i < 100; i++) {
        uint64_t uid = 0x3000 + t;
        uint32_t v = (uint32_t)(t << 16 | (uint32_t)i), back = 0;
        size_t n = 0;
        if (psa_its_set(uid, 4, &v, 0) != PSA_SUCCESS ||
            psa_its_get(uid, 0, 4, &back, &n) != PSA_SUCCESS || n != 4 || back != v) {
            return (void *)1;
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t threads[8];
    for (uintptr_t t = 0; t < 8; t++) {
        assert_int_equal(pthread_create(&threads[t], NULL, thread_worker, (void *)t), 0);
    }
    for (int t = 0; t < 8; t++) {
        void *result = (void *)2;
        pthread_join(threads[t], &result);
        assert_null(result);
    }
}

/* ---- identities ----------------------------------------------------------------------------- */

static int child_set(void *arg)
{
    return psa_its_set(7, strlen(arg), arg, 0) == PSA_SUCCESS ? 0 : 1;
}

static int child_expect(void *arg)
{
    char buf[32];
    size_t n = 0;
    psa_status_t status = psa_its_get(7, 0, sizeof(buf), buf, &n);
    if (arg == NULL) {
        return status == PSA_ERROR_DOES_NOT_EXIST ? 0 : 1;
    }
    return status == PSA_SUCCESS && n == strlen(arg) && memcmp(buf, arg, n) == 0 ? 0 : 2;
}

static void test_isolation_by_uid(void **state)
{
    (void)state;
    assert_int_equal(run_as(UID_A, child_set, "alice"), 0);
    assert_int_equal(run_as(UID_B, child_expect, NULL), 0);
    assert_int_equal(run_as(UID_B, child_set, "bob"), 0);
    assert_int_equal(run_as(UID_A, child_expect, "alice"), 0);
    assert_int_equal(run_as(UID_B, child_expect, "bob"), 0);
    /* Client ids are stable across restarts: the same uid finds its object again. */
    assert_int_equal(rssd_stop(&rssd), 0);
    assert_true(rssd_restart(&rssd, NULL));
    assert_int_equal(run_as(UID_A, child_expect, "alice"), 0);
}

/* Key enumeration (LIST_KEYS) answers for the caller's own keys only. */
typedef struct key_set {
    psa_key_id_t ids[4];
    size_t n;
} key_set_t;

static int child_make_keys(void *arg)
{
    const key_set_t *set = arg;
    if (psa_crypto_init() != PSA_SUCCESS) {
        return 1;
    }
    for (size_t i = 0; i < set->n; i++) {
        psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
        psa_set_key_id(&attr, set->ids[i]);
        psa_set_key_type(&attr, PSA_KEY_TYPE_AES);
        psa_set_key_bits(&attr, 128);
        psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_ENCRYPT);
        psa_set_key_algorithm(&attr, PSA_ALG_GCM);
        psa_key_id_t key = 0;
        if (psa_generate_key(&attr, &key) != PSA_SUCCESS) {
            return 2;
        }
    }
    return 0;
}

static int child_expect_keys(void *arg)
{
    const key_set_t *set = arg;
    psa_key_id_t ids[8];
    size_t count = 99;
    if (psa_crypto_init() != PSA_SUCCESS ||
        ss_list_keys(0, ids, sizeof(ids) / sizeof(ids[0]), &count) != PSA_SUCCESS) {
        return 1;
    }
    if (count != set->n || memcmp(ids, set->ids, count * sizeof(ids[0])) != 0) {
        return 2;
    }
    /* Paging: one at a time from each id gives the next. */
    psa_key_id_t after = 0;
    for (size_t i = 0; i <= set->n; i++) {
        psa_key_id_t one = 0;
        if (ss_list_keys(after, &one, 1, &count) != PSA_SUCCESS ||
            count != (i < set->n ? 1u : 0u) || (count == 1 && one != set->ids[i])) {
            return 3;
        }
        after = one;
    }
    for (size_t i = 0; i < set->n; i++) {
        if (psa_destroy_key(set->ids[i]) != PSA_SUCCESS) {
            return 4;
        }
    }
    return ss_list_keys(0, ids, 8, &count) == PSA_SUCCESS && count == 0 ? 0 : 5;
}

static void test_key_list_by_uid(void **state)
{
    (void)state;
    key_set_t a = {{0x11, 0x22, 0x3fffffff}, 3}, b = {{0x22, 0x33}, 2};
    assert_int_equal(run_as(UID_A, child_make_keys, &a), 0);
    assert_int_equal(run_as(UID_B, child_make_keys, &b), 0);
    assert_int_equal(run_as(UID_A, child_expect_keys, &a), 0);
    assert_int_equal(run_as(UID_B, child_expect_keys, &b), 0);
}

static int child_refused(void *arg)
{
    (void)arg;
    char buf[8];
    size_t n;
    if (psa_its_set(7, 1, "x", 0) != PSA_ERROR_CONNECTION_REFUSED ||
        psa_its_get(7, 0, sizeof(buf), buf, &n) != PSA_ERROR_CONNECTION_REFUSED) {
        return 1;
    }
    /* No shared memory for it either, so large calls fail in the transport. */
    static uint8_t big[20000];
    return psa_ps_set(7, sizeof(big), big, 0) == PSA_ERROR_COMMUNICATION_FAILURE ? 0 : 2;
}

static void test_refused_uid(void **state)
{
    (void)state;
    assert_int_equal(run_as(UID_REFUSED, child_refused, NULL), 0);
}

static psa_status_t ctrl_exchange(int fd, uint8_t type, int32_t client_id)
{
    rss_ctrl_msg_t c = {.header = {type, 9, 1}, .client_id = client_id};
    uint8_t msg[16], reply[16];
    size_t n = rss_msg_encode_ctrl(&c, msg, sizeof(msg));
    if (raw_exchange(fd, msg, n, -1, reply, sizeof(reply), 5000) != 8) {
        return 1;
    }
    rss_msg_header_t h;
    psa_status_t status;
    if (rss_msg_decode_ctrl_reply(reply, 8, &h, &status) != PSA_SUCCESS || h.seq_num != 9) {
        return 2;
    }
    return status;
}

/* Reads ITS uid 7 over a raw embed call; 0 = matches expect, else a code. */
static int raw_get7(int fd, const char *expect)
{
    uint8_t uid[8] = {7}, offset[4] = {0};
    rss_msg_call_t call = {.header = {0, 3, 1},
                           .handle = RSS_HANDLE_ITS,
                           .type = 1002,
                           .in_len = 2,
                           .out_len = 1,
                           .in_size = {8, 4},
                           .out_size = {32},
                           .in_data = {uid, offset}};
    uint8_t msg[64], reply[64];
    size_t n = 0;
    rss_msg_encode_call(&call, msg, sizeof(msg), &n);
    ssize_t r = raw_exchange(fd, msg, n, -1, reply, sizeof(reply), 5000);
    rss_msg_reply_t rep;
    if (r <= 0 || rss_msg_decode_reply(reply, (size_t)r, &rep) != PSA_SUCCESS) {
        return 10;
    }
    if (expect == NULL) {
        return rep.status == PSA_ERROR_DOES_NOT_EXIST ? 0 : 11;
    }
    return rep.status == PSA_SUCCESS && rep.out_size[0] == strlen(expect) &&
                   memcmp(rep.out_data[0], expect, strlen(expect)) == 0
               ? 0
               : 12;
}

static int child_forwarder(void *arg)
{
    (void)arg;
    int fd = raw_connect();
    if (fd < 0) {
        return 20;
    }
    /* Its own identity first: nothing stored under uid 7. */
    int rc = raw_get7(fd, NULL);
    if (rc != 0) {
        return rc;
    }
    /* Acting for alice, then bob, then itself again. */
    if (ctrl_exchange(fd, RSS_CTRL_ASSERT_CLIENT, CLIENT_ID(UID_A)) != PSA_SUCCESS ||
        (rc = raw_get7(fd, "alice")) != 0) {
        return rc ? rc : 21;
    }
    if (ctrl_exchange(fd, RSS_CTRL_ASSERT_CLIENT, CLIENT_ID(UID_B)) != PSA_SUCCESS ||
        (rc = raw_get7(fd, "bob")) != 0) {
        return rc ? rc : 22;
    }
    /* Only negative (non-secure) ids may be asserted. */
    if (ctrl_exchange(fd, RSS_CTRL_ASSERT_CLIENT, 5) != PSA_ERROR_INVALID_ARGUMENT) {
        return 23;
    }
    if (ctrl_exchange(fd, RSS_CTRL_ASSERT_CLIENT, 0) != PSA_SUCCESS ||
        (rc = raw_get7(fd, NULL)) != 0) {
        return rc ? rc : 24;
    }
    close(fd);
    return 0;
}

static int child_not_forwarder(void *arg)
{
    (void)arg;
    int fd = raw_connect();
    if (ctrl_exchange(fd, RSS_CTRL_ASSERT_CLIENT, CLIENT_ID(UID_A)) != PSA_ERROR_NOT_PERMITTED) {
        return 30;
    }
    /* Still itself: bob's object. */
    int rc = raw_get7(fd, "bob");
    close(fd);
    return rc;
}

static void test_forwarder(void **state)
{
    (void)state;
    assert_int_equal(run_as(UID_FORWARDER, child_forwarder, NULL), 0);
    assert_int_equal(run_as(UID_B, child_not_forwarder, NULL), 0);
}

/* ---- robustness ----------------------------------------------------------------------------- */

static void test_malformed_messages(void **state)
{
    (void)state;
    int fd = raw_connect();
    assert_true(fd >= 0);
    uint8_t msg[64], reply[64];
    size_t n = embed_its_get_info(msg, 5, 1);

    /* Truncated: CONNECTION_BUSY with the request's header and zero sizes. */
    static const uint8_t busy5[] = {0, 5, 1, 0, 0x7d, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(raw_exchange(fd, msg, n - 1, -1, reply, sizeof(reply), 5000), 16);
    assert_memory_equal(reply, busy5, 16);
    assert_int_equal(raw_exchange(fd, msg, 10, -1, reply, sizeof(reply), 5000), 16);
    assert_memory_equal(reply, busy5, 16);

    /* Wrong protocol version, or under 4 bytes: no reply, connection still usable. */
    msg[0] = 7;
    assert_int_equal(raw_exchange(fd, msg, n, -1, reply, sizeof(reply), 200), 0);
    assert_int_equal(raw_exchange(fd, msg, 2, -1, reply, sizeof(reply), 200), 0);
    msg[0] = 0;
    assert_int_equal(raw_exchange(fd, msg, n, -1, reply, sizeof(reply), 5000), 16);
    assert_int_equal(reply[4], 0x74); /* DOES_NOT_EXIST */

    /* Oversized: longer than any embed message rssd accepts. */
    size_t big = RSS_MSG_EMBED_CALL_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT + 100;
    uint8_t *huge = calloc(1, big);
    memcpy(huge, msg, n);
    huge[1] = 6;
    assert_int_equal(raw_exchange(fd, huge, big, -1, reply, sizeof(reply), 5000), 16);
    static const uint8_t busy6[] = {0, 6, 1, 0, 0x7d, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(reply, busy6, 16);
    free(huge);

    /* Pointer access without shared memory, then with offsets outside it. */
    uint8_t pmsg[64];
    rss_msg_call_t call = {.header = {1, 8, 1},
                           .handle = RSS_HANDLE_ITS,
                           .type = 1003,
                           .in_len = 1,
                           .out_len = 1,
                           .in_size = {8},
                           .out_size = {12},
                           .in_addr = {0},
                           .out_addr = {64}};
    assert_int_equal(rss_msg_encode_call(&call, pmsg, sizeof(pmsg), &n), PSA_SUCCESS);
    static const uint8_t pbusy[] = {1, 8, 1, 0, 0x7d, 0xff, 0xff, 0xff, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0,    0,    0,    0,    0, 0, 0, 0};
    assert_int_equal(raw_exchange(fd, pmsg, n, -1, reply, sizeof(reply), 5000), 24);
    assert_memory_equal(reply, pbusy, 24);

    /* Set-up refusals: no descriptor, a pipe, an unsealed memfd. */
    rss_ctrl_msg_t setup = {.header = {RSS_CTRL_SHM_SETUP, 1, 1}, .shm_size = 4096};
    uint8_t smsg[16];
    size_t sn = rss_msg_encode_ctrl(&setup, smsg, sizeof(smsg));
    static const uint8_t inval[] = {0x80, 1, 1, 0, 0x79, 0xff, 0xff, 0xff};
    assert_int_equal(raw_exchange(fd, smsg, sn, -1, reply, sizeof(reply), 5000), 8);
    assert_memory_equal(reply, inval, 8);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    assert_int_equal(raw_exchange(fd, smsg, sn, pipefd[0], reply, sizeof(reply), 5000), 8);
    assert_memory_equal(reply, inval, 8);
    close(pipefd[0]);
    close(pipefd[1]);
    int unsealed = memfd_create("t", MFD_CLOEXEC);
    assert_int_equal(ftruncate(unsealed, 4096), 0);
    assert_int_equal(raw_exchange(fd, smsg, sn, unsealed, reply, sizeof(reply), 5000), 8);
    assert_memory_equal(reply, inval, 8);
    close(unsealed);

    /* A proper region; then vectors outside it, wrapping, overlapping. */
    rss_shm_t shm;
    assert_int_equal(rss_shm_create(4096, &shm), PSA_SUCCESS);
    static const uint8_t ok[] = {0x80, 1, 1, 0, 0, 0, 0, 0};
    assert_int_equal(raw_exchange(fd, smsg, sn, shm.fd, reply, sizeof(reply), 5000), 8);
    assert_memory_equal(reply, ok, 8);
    uint64_t uid = 0x77;
    memcpy(shm.base, &uid, 8);
    uint64_t bad_out[] = {4096 - 11, UINT64_MAX - 3, 4096};
    for (size_t i = 0; i < 3; i++) {
        call.out_addr[0] = bad_out[i];
        rss_msg_encode_call(&call, pmsg, sizeof(pmsg), &n);
        assert_int_equal(raw_exchange(fd, pmsg, n, -1, reply, sizeof(reply), 5000), 24);
        assert_memory_equal(reply, pbusy, 24);
    }
    call.out_addr[0] = 4;
    rss_msg_encode_call(&call, pmsg, sizeof(pmsg), &n);
    assert_int_equal(raw_exchange(fd, pmsg, n, -1, reply, sizeof(reply), 5000), 24);
    assert_int_equal(reply[4], 0x7f); /* PROGRAMMER_ERROR (-129): output overlaps input */
    call.out_addr[0] = 64;
    rss_msg_encode_call(&call, pmsg, sizeof(pmsg), &n);
    assert_int_equal(raw_exchange(fd, pmsg, n, -1, reply, sizeof(reply), 5000), 24);
    assert_int_equal(reply[4], 0x74); /* DOES_NOT_EXIST: a well-formed call works */
    rss_shm_destroy(&shm);
    close(fd);
    assert_rssd_serves();
}

/* rssd runs with per-client totals equal to the per-process limits (setup), so a fresh process
 * of this uid reaches the full limits only if everything earlier processes held was released. */
#define LIMIT_OPS  32
#define LIMIT_KEYS 64
static const char *const rssd_args[] = {"--max-operations",
                                        "32",
                                        "--max-operations-per-client",
                                        "32",
                                        "--max-volatile-keys",
                                        "64",
                                        "--max-volatile-keys-per-client",
                                        "64",
                                        NULL};

static int child_reach_limits(void *arg)
{
    (void)arg;
    if (psa_crypto_init() != PSA_SUCCESS) {
        return 1;
    }
    static psa_hash_operation_t ops[LIMIT_OPS + 1];
    for (int i = 0; i <= LIMIT_OPS; i++) {
        ops[i] = psa_hash_operation_init();
        psa_status_t status = psa_hash_setup(&ops[i], PSA_ALG_SHA_256);
        if (status != (i < LIMIT_OPS ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY)) {
            return 10;
        }
    }
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    psa_set_key_bits(&attr, 128);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_MESSAGE);
    psa_set_key_algorithm(&attr, PSA_ALG_HMAC(PSA_ALG_SHA_256));
    for (int i = 0; i <= LIMIT_KEYS; i++) {
        psa_key_id_t key;
        psa_status_t status = psa_generate_key(&attr, &key);
        if (status != (i < LIMIT_KEYS ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY)) {
            return 20;
        }
    }
    return 0;
}

/* Forks a process of this uid that must reach both limits exactly. */
static void assert_resources_released(void)
{
    struct timespec settle = {0, 200 * 1000 * 1000}; /* let rssd see the last close */
    nanosleep(&settle, NULL);
    assert_int_equal(run_as(0, child_reach_limits, NULL), 0);
}

static void test_random_messages(void **state)
{
    (void)state;
    int fd = raw_connect();
    assert_true(fd >= 0);
    srand(12345);
    uint8_t msg[128], reply[9000];
    for (int i = 0; i < 2000; i++) {
        size_t len = 1 + (size_t)(rand() % 100);
        for (size_t j = 0; j < len; j++) {
            msg[j] = (uint8_t)rand();
        }
        /* Mostly valid versions, so the decoders past the header are exercised. */
        msg[0] = (uint8_t)(i % 5 == 0 ? msg[0] : (i % 5) & 1 ? 0 : 1);
        ssize_t r = raw_exchange(fd, msg, len, -1, reply, sizeof(reply), 50);
        if (r < 0) {
            close(fd);
            fd = raw_connect();
            assert_true(fd >= 0);
        }
    }
    close(fd);
    assert_rssd_serves();
    assert_resources_released();
}

static void test_client_dies_mid_call(void **state)
{
    (void)state;
    for (int i = 0; i < 20; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            int fd = raw_connect();
            uint8_t msg[64];
            size_t n = embed_its_get_info(msg, 1, 1);
            rss_unix_send_packet(fd, msg, n, -1);
            _exit(0); /* gone before the reply */
        }
        waitpid(pid, NULL, 0);
    }
    /* A client that set up shared memory and large calls, then was killed. */
    pid_t pid = fork();
    if (pid == 0) {
        client_disconnect_all();
        static uint8_t big[300000];
        for (;;) {
            psa_ps_set(0x4444, sizeof(big), big, 0);
        }
    }
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_rssd_serves();
    /* The object is either absent or whole. */
    struct psa_storage_info_t info;
    psa_status_t status = psa_ps_get_info(0x4444, &info);
    assert_true(status == PSA_ERROR_DOES_NOT_EXIST ||
                (status == PSA_SUCCESS && info.size == 300000));
}

/* A process that holds volatile keys and open operations and then disappears: rssd releases
 * them with its last connection (the sanitized build's LeakSanitizer checks nothing is left at
 * shutdown) and keeps serving. */
static void test_client_disappears_with_operations(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            client_disconnect_all();
            if (psa_crypto_init() != PSA_SUCCESS) {
                _exit(1);
            }
            psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
            psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
            psa_set_key_bits(&attr, 256);
            psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_MESSAGE);
            psa_set_key_algorithm(&attr, PSA_ALG_HMAC(PSA_ALG_SHA_256));
            psa_key_id_t key = 0;
            static psa_hash_operation_t hash[4];
            static psa_mac_operation_t mac[4];
            if (psa_generate_key(&attr, &key) != PSA_SUCCESS) {
                _exit(2);
            }
            for (int i = 0; i < 4; i++) {
                hash[i] = psa_hash_operation_init();
                mac[i] = psa_mac_operation_init();
                if (psa_hash_setup(&hash[i], PSA_ALG_SHA_256) != PSA_SUCCESS ||
                    psa_hash_update(&hash[i], (const uint8_t *)"abc", 3) != PSA_SUCCESS ||
                    psa_mac_sign_setup(&mac[i], key, PSA_ALG_HMAC(PSA_ALG_SHA_256)) !=
                        PSA_SUCCESS) {
                    _exit(3);
                }
            }
            if (round == 2) {
                kill(getpid(), SIGKILL);
            }
            _exit(0); /* no abort, no destroy */
        }
        int status = 0;
        waitpid(pid, &status, 0);
        assert_true((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
                    (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    }
    assert_rssd_serves();
    assert_resources_released();
}

static void test_restart_and_absent_daemon(void **state)
{
    (void)state;
    assert_int_equal(psa_its_set(0x5001, 1, "r", 0), PSA_SUCCESS);
    assert_int_equal(rssd_stop(&rssd), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(psa_its_set(0x5001, 1, "s", 0), PSA_ERROR_COMMUNICATION_FAILURE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    assert_true(ms < 100.0); /* fails fast */
    assert_true(rssd_restart(&rssd, NULL));
    /* Pooled connections to the old daemon are replaced without the caller noticing. */
    char c = 0;
    size_t n = 0;
    assert_int_equal(psa_its_get(0x5001, 0, 1, &c, &n), PSA_SUCCESS);
    assert_int_equal(c, 'r');
}

static int setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    return rssd_start(&rssd, policy, rssd_args) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    client_disconnect_all();
    /* Exit status 0 after SIGTERM: clean shutdown, and no leaks under LeakSanitizer. */
    int status = rssd_stop(&rssd);
    rssd_cleanup(&rssd);
    if (status != 0) {
        fprintf(stderr, "rssd exited with status %d\n", status);
        return -1;
    }
    return 0;
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test_rssd needs root for its set-uid children; skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framework_calls),
        cmocka_unit_test(test_its),
        cmocka_unit_test(test_ps_large_and_extended),
        cmocka_unit_test(test_ps_get_support_answers),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_isolation_by_uid),
        cmocka_unit_test(test_key_list_by_uid),
        cmocka_unit_test(test_refused_uid),
        cmocka_unit_test(test_forwarder),
        cmocka_unit_test(test_malformed_messages),
        cmocka_unit_test(test_random_messages),
        cmocka_unit_test(test_client_dies_mid_call),
        cmocka_unit_test(test_client_disappears_with_operations),
        cmocka_unit_test(test_restart_and_absent_daemon),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
