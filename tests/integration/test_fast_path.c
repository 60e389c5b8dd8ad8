/* The fast path (comms/rss_channel.h) against rssd: the channel by hand, its refusals, a client
 * that scribbles on its page while another calls, rssd going away (and what a client may rerun
 * then), and --no-fast-path. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <psa/crypto.h>

#include "comms/rss_channel.h"
#include "comms/rss_client.h"
#include "comms/rss_msg.h"
#include "comms/rss_services.h"
#include "rssd_harness.h"

/* ITS answers an unknown type with NOT_SUPPORTED without touching storage. */
#define NULL_CALL_TYPE 1999
#define SLOT           ((RSS_MSG_EMBED_CALL_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT + 63u) & ~63u)

static rssd_instance_t rssd;

static int setup(void **state)
{
    (void)state;
    return rssd_start(&rssd, NULL, NULL) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    int rc = rssd_stop(&rssd);
    rssd_cleanup(&rssd);
    return rc == 0 ? 0 : -1;
}

/* Sends a control message with fd and returns the status of its reply. */
static psa_status_t ctrl(rss_transport_t *t, uint8_t type, uint64_t size, int fd)
{
    rss_ctrl_msg_t msg = {.header = {.protocol_ver = type, .seq_num = 7, .client_id = 1},
                          .shm_size = size};
    uint8_t buf[32];
    size_t n = rss_msg_encode_ctrl(&msg, buf, sizeof(buf));
    assert_int_equal(rss_transport_send(t, buf, n, fd), PSA_SUCCESS);
    size_t length = 0;
    assert_int_equal(rss_transport_recv(t, buf, sizeof(buf), &length), PSA_SUCCESS);
    rss_msg_header_t header;
    psa_status_t status;
    assert_int_equal(rss_msg_decode_ctrl_reply(buf, length, &header, &status), PSA_SUCCESS);
    assert_int_equal(header.protocol_ver, type);
    assert_int_equal(header.seq_num, 7);
    return status;
}

static void ring(rss_transport_t *t)
{
    uint8_t bell[4] = {RSS_CTRL_DOORBELL, 0, 1, 0};
    assert_int_equal(rss_transport_send(t, bell, sizeof(bell), -1), PSA_SUCCESS);
}

/* CHANNEL_SETUP with a new region of the size libpsa offers (*shm); rssd's answer. */
static psa_status_t offer_channel(rss_transport_t *t, rss_shm_t *shm)
{
    size_t size = rss_channel_size_for(SLOT);
    assert_int_equal(rss_shm_create(size, shm), PSA_SUCCESS);
    return ctrl(t, RSS_CTRL_CHANNEL_SETUP, size, rss_shm_handle(shm));
}

/* A channel set up by hand on a new connection. */
static void open_channel(rss_transport_t *t, rss_channel_t *ch)
{
    assert_int_equal(rss_transport_connect(rssd.socket, t), PSA_SUCCESS);
    rss_shm_t shm;
    assert_int_equal(offer_channel(t, &shm), PSA_SUCCESS);
    assert_true(rss_channel_init(ch, shm));
}

static size_t null_call(uint8_t seq, uint8_t *buf, size_t size)
{
    rss_msg_call_t call = {
        .header = {.protocol_ver = RSS_PROTOCOL_EMBED, .seq_num = seq, .client_id = 1},
        .handle = RSS_HANDLE_ITS,
        .type = NULL_CALL_TYPE};
    size_t length = 0;
    assert_int_equal(rss_msg_encode_call(&call, buf, size, &length), PSA_SUCCESS);
    return length;
}

/* The channel carries RSS comms messages byte for byte: a null call and its reply. */
static void test_channel_round_trip(void **state)
{
    (void)state;
    rss_transport_t t;
    rss_channel_t ch;
    open_channel(&t, &ch);
    for (uint32_t seq = 1; seq <= 50; seq++) {
        uint8_t msg[64];
        size_t n = null_call((uint8_t)seq, msg, sizeof(msg));
        if (rss_channel_post(&ch, seq, msg, n)) {
            ring(&t);
        }
        while (!rss_channel_sleep(&ch, seq, 1000)) {
        }
        uint32_t hint;
        size_t length = rss_channel_reply_length(&ch, &hint);
        assert_int_equal(length, RSS_MSG_EMBED_REPLY_FIXED);
        rss_msg_reply_t reply;
        assert_int_equal(rss_msg_decode_reply(rss_channel_reply(&ch), length, &reply), PSA_SUCCESS);
        assert_int_equal(reply.header.seq_num, (uint8_t)seq);
        assert_int_equal(reply.status, PSA_ERROR_NOT_SUPPORTED);
    }
    /* A message with no answer on the socket (unknown protocol) gets an empty reply. */
    uint8_t junk[8] = {0x42, 1, 1, 0};
    if (rss_channel_post(&ch, 51, junk, sizeof(junk))) {
        ring(&t);
    }
    while (!rss_channel_sleep(&ch, 51, 1000)) {
    }
    uint32_t hint;
    assert_int_equal(rss_channel_reply_length(&ch, &hint), 0);
    rss_channel_destroy(&ch);
    rss_transport_close(&t);
}

/* CHANNEL_SETUP's refusals: no descriptor, a size that is no channel, slots smaller than rssd's
 * messages, a memfd that is not sealed. */
static void test_setup_refusals(void **state)
{
    (void)state;
    rss_transport_t t;
    assert_int_equal(rss_transport_connect(rssd.socket, &t), PSA_SUCCESS);
    assert_int_equal(ctrl(&t, RSS_CTRL_CHANNEL_SETUP, rss_channel_size_for(SLOT), -1),
                     PSA_ERROR_INVALID_ARGUMENT);
    rss_shm_t shm;
    assert_int_equal(rss_shm_create(8192, &shm), PSA_SUCCESS);
    assert_int_equal(ctrl(&t, RSS_CTRL_CHANNEL_SETUP, 4097, rss_shm_handle(&shm)),
                     PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(ctrl(&t, RSS_CTRL_CHANNEL_SETUP, 8192, rss_shm_handle(&shm)),
                     PSA_ERROR_INVALID_ARGUMENT); /* slots of 2048 bytes */
    rss_shm_destroy(&shm);
    int fd = memfd_create("unsealed", MFD_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)rss_channel_size_for(SLOT)), 0);
    assert_int_equal(ctrl(&t, RSS_CTRL_CHANNEL_SETUP, rss_channel_size_for(SLOT), fd),
                     PSA_ERROR_INVALID_ARGUMENT);
    close(fd);
    rss_transport_close(&t);
}

/* SHA-256("abc") through libpsa, n times, in a child (its own connections, fast path). */
static pid_t honest_client(int n)
{
    pid_t pid = fork();
    if (pid != 0) {
        return pid;
    }
    static const uint8_t expected[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                         0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                         0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                         0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    if (psa_crypto_init() != PSA_SUCCESS) {
        _exit(2);
    }
    for (int i = 0; i < n; i++) {
        uint8_t hash[32];
        size_t len = 0;
        if (psa_hash_compute(PSA_ALG_SHA_256, (const uint8_t *)"abc", 3, hash, sizeof(hash),
                             &len) != PSA_SUCCESS ||
            len != 32 || memcmp(hash, expected, 32) != 0) {
            _exit(1);
        }
    }
    _exit(0);
}

typedef struct flipper {
    rss_channel_t *ch;
    atomic_bool stop;
} flipper_t;

/* Rewrites random bytes of the page, control words included, as fast as it can. */
static void *flip(void *arg)
{
    flipper_t *f = arg;
    uint32_t x = 0x9e3779b9u;
    while (!atomic_load(&f->stop)) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        size_t where = (x % 8 == 0) ? (x >> 8) % 512 : (x >> 8) % f->ch->shm.size;
        ((volatile uint8_t *)f->ch->shm.base)[where] = (uint8_t)(x >> 3);
    }
    return NULL;
}

/* A client scribbling on its own page while it rings and posts hurts nobody else: an honest
 * client's hashes stay right, and rssd keeps serving and stops cleanly (teardown). */
static void test_hostile_page(void **state)
{
    (void)state;
    rss_transport_t t;
    rss_channel_t ch;
    open_channel(&t, &ch);
    flipper_t f = {.ch = &ch};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, flip, &f), 0);
    pid_t honest = honest_client(20000);
    uint8_t msg[64];
    int status = 0;
    pid_t done = 0;
    for (uint32_t seq = 1; done == 0; seq++) {
        size_t n = null_call((uint8_t)seq, msg, sizeof(msg));
        rss_channel_post(&ch, seq * 7919u, msg, n);
        ring(&t);
        if (seq % 64 == 0) {
            usleep(100);
            done = waitpid(honest, &status, WNOHANG);
        }
    }
    assert_int_equal(done, honest);
    atomic_store(&f.stop, true);
    pthread_join(thread, NULL);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    rss_channel_destroy(&ch);
    rss_transport_close(&t);
    /* Still serving. */
    rss_client_t *c = NULL;
    assert_int_equal(rss_client_open(rssd.socket, RSS_MSG_DEFAULT_EMBED_LIMIT, &c), PSA_SUCCESS);
    bool stale = false;
    assert_int_equal(rss_client_call(c, RSS_HANDLE_ITS, NULL_CALL_TYPE, NULL, 0, NULL, 0, &stale),
                     PSA_ERROR_NOT_SUPPORTED);
    rss_client_close(c);
}

/* A client waiting on its channel learns that rssd went away instead of sleeping for ever. */
static void test_rssd_gone(void **state)
{
    (void)state;
    rss_client_t *c = NULL;
    assert_int_equal(rss_client_open(rssd.socket, RSS_MSG_DEFAULT_EMBED_LIMIT, &c), PSA_SUCCESS);
    bool stale = false;
    assert_int_equal(rss_client_call(c, RSS_HANDLE_ITS, NULL_CALL_TYPE, NULL, 0, NULL, 0, &stale),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(rssd_stop(&rssd), 0);
    assert_int_equal(rss_client_call(c, RSS_HANDLE_ITS, NULL_CALL_TYPE, NULL, 0, NULL, 0, &stale),
                     PSA_ERROR_COMMUNICATION_FAILURE);
    rss_client_close(c);
    assert_true(rssd_restart(&rssd, NULL));
}

/*
 * A stand-in for rssd on path: it grants the first connection's channel, answers the first call
 * there (NOT_SUPPORTED), then (taken) marks the second request taken, as a worker that copied it
 * out would, and goes away. The listener is made before the fork, so a client can connect at
 * once.
 */
static pid_t vanishing_rssd(const char *path, bool taken)
{
    rss_listener_t listener;
    assert_int_equal(rss_transport_listen(path, 0600, 4, &listener), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid != 0) {
        rss_listener_close(&listener);
        return pid;
    }
    rss_transport_t t;
    struct pollfd p = {.fd = rss_listener_poll_handle(&listener), .events = POLLIN};
    if (poll(&p, 1, 10000) != 1 || rss_listener_accept(&listener, &t) != 0) {
        _exit(2);
    }
    uint8_t buf[SLOT];
    int fd = -1;
    /* Accepted sockets do not block: wait for the client's CHANNEL_SETUP. */
    p = (struct pollfd){.fd = rss_transport_poll_handle(&t), .events = POLLIN};
    ssize_t n =
        poll(&p, 1, 10000) == 1 ? rss_transport_recv_message(&t, buf, sizeof(buf), &fd) : -1;
    rss_ctrl_msg_t ctrl;
    rss_shm_t shm;
    rss_channel_t ch;
    if (n <= 0 || rss_msg_decode_ctrl(buf, (size_t)n, &ctrl) != PSA_SUCCESS ||
        ctrl.header.protocol_ver != RSS_CTRL_CHANNEL_SETUP ||
        rss_transport_shm_map_peer(&t, fd, ctrl.shm_size, &shm) != PSA_SUCCESS ||
        !rss_channel_init(&ch, shm)) {
        _exit(3);
    }
    size_t length = rss_msg_encode_ctrl_reply(&ctrl.header, PSA_SUCCESS, buf, sizeof(buf));
    if (rss_transport_send(&t, buf, length, -1) != PSA_SUCCESS) {
        _exit(4);
    }
    /* The first call: its doorbell, the request, and an answer. */
    p = (struct pollfd){.fd = rss_transport_poll_handle(&t), .events = POLLIN};
    rss_msg_call_t call;
    uint32_t seq = 0;
    size_t full = 0;
    if (poll(&p, 1, 10000) != 1 || rss_transport_recv_message(&t, buf, sizeof(buf), &fd) <= 0 ||
        !rss_channel_pending(&ch, 0)) {
        _exit(5);
    }
    if (!rss_channel_take(&ch, &seq, &full, buf, sizeof(buf), &length) ||
        rss_msg_decode_call(buf, length, RSS_MSG_DEFAULT_EMBED_LIMIT, &call) != PSA_SUCCESS) {
        _exit(6);
    }
    rss_msg_reply_t reply = {.header = call.header, .status = PSA_ERROR_NOT_SUPPORTED};
    if (rss_msg_encode_reply(&reply, buf, sizeof(buf), &length) != PSA_SUCCESS) {
        _exit(7);
    }
    rss_channel_put_reply(&ch, seq, buf, length, 1);
    if (taken) {
        /* What rss_channel_take's claim of the next request would leave. */
        atomic_store(rss_channel_word(&ch, RSS_CHANNEL_OFF_REQ_TAKEN), seq + 1);
    }
    _exit(0);
}

/* rssd goes away with a channel request posted: the client may rerun the call elsewhere (stale)
 * only when rssd never took the request, since a taken one may have run. */
static void test_vanished_request(void **state)
{
    (void)state;
    char dir[] = "/tmp/ss-fast-path-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/rss.sock", dir);
    for (int taken = 0; taken <= 1; taken++) {
        pid_t pid = vanishing_rssd(path, taken);
        rss_client_t *c = NULL;
        assert_int_equal(rss_client_open(path, RSS_MSG_DEFAULT_EMBED_LIMIT, &c), PSA_SUCCESS);
        bool stale = false;
        assert_int_equal(
            rss_client_call(c, RSS_HANDLE_ITS, NULL_CALL_TYPE, NULL, 0, NULL, 0, &stale),
            PSA_ERROR_NOT_SUPPORTED);
        int status = -1;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        /* The stand-in has gone: this request finds no worker and its doorbell a closed socket. */
        assert_int_equal(
            rss_client_call(c, RSS_HANDLE_ITS, NULL_CALL_TYPE, NULL, 0, NULL, 0, &stale),
            PSA_ERROR_COMMUNICATION_FAILURE);
        assert_int_equal(stale, !taken);
        rss_client_close(c);
        assert_int_equal(unlink(path), 0);
    }
    assert_int_equal(rmdir(dir), 0);
}

/* A request is either claimed by the daemon or withdrawn by its client, never both. */
static void test_claim_or_withdraw(void **state)
{
    (void)state;
    rss_shm_t shm;
    assert_int_equal(rss_shm_create(rss_channel_size_for(SLOT), &shm), PSA_SUCCESS);
    rss_channel_t ch;
    assert_true(rss_channel_init(&ch, shm));
    uint8_t msg[64], buf[64];
    size_t length = null_call(1, msg, sizeof(msg));
    uint32_t seq = 0;
    size_t full = 0, kept = 0;
    /* Claimed first: the client cannot withdraw it. */
    rss_channel_post(&ch, 1, msg, length);
    assert_true(rss_channel_take(&ch, &seq, &full, buf, sizeof(buf), &kept));
    assert_int_equal(seq, 1);
    assert_int_equal(kept, length);
    assert_false(rss_channel_withdraw(&ch, 1));
    /* Withdrawn first: the daemon does not claim it. */
    rss_channel_post(&ch, 2, msg, length);
    assert_true(rss_channel_withdraw(&ch, 2));
    assert_false(rss_channel_take(&ch, &seq, &full, buf, sizeof(buf), &kept));
    assert_int_equal(seq, 2);
    /* The next request is claimed as usual. */
    rss_channel_post(&ch, 3, msg, length);
    assert_true(rss_channel_take(&ch, &seq, &full, buf, sizeof(buf), &kept));
    assert_int_equal(seq, 3);
    rss_channel_destroy(&ch);
}

/* rssd --no-fast-path refuses the channel; the client library keeps the socket path. */
static void test_no_fast_path(void **state)
{
    (void)state;
    assert_int_equal(rssd_stop(&rssd), 0);
    const char *const args[] = {"--no-fast-path", NULL};
    assert_true(rssd_restart(&rssd, args));
    rss_transport_t t;
    assert_int_equal(rss_transport_connect(rssd.socket, &t), PSA_SUCCESS);
    rss_shm_t shm;
    assert_int_equal(offer_channel(&t, &shm), PSA_ERROR_NOT_SUPPORTED);
    rss_shm_destroy(&shm);
    rss_transport_close(&t);
    rss_client_t *c = NULL;
    assert_int_equal(rss_client_open(rssd.socket, RSS_MSG_DEFAULT_EMBED_LIMIT, &c), PSA_SUCCESS);
    bool stale = false;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(
            rss_client_call(c, RSS_HANDLE_ITS, NULL_CALL_TYPE, NULL, 0, NULL, 0, &stale),
            PSA_ERROR_NOT_SUPPORTED);
    }
    rss_client_close(c);
    assert_int_equal(rssd_stop(&rssd), 0);
    assert_true(rssd_restart(&rssd, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_channel_round_trip), cmocka_unit_test(test_setup_refusals),
        cmocka_unit_test(test_hostile_page),       cmocka_unit_test(test_rssd_gone),
        cmocka_unit_test(test_claim_or_withdraw),  cmocka_unit_test(test_vanished_request),
        cmocka_unit_test(test_no_fast_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
