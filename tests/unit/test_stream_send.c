/* rss_unix_send_stream, the daemons' reply path on stream sockets: the whole reply reaches a
 * reading peer, and a peer that does not read releases the sender when the daemon stops (its
 * stop descriptor) or the reply's deadline passes -- never a wait without end. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "comms/transport.h"

#define REPLY_SIZE (8u << 20) /* far more than any socket buffer holds */

typedef struct sender {
    int sock;
    int timeout_ms;
    int stop_fd;
    uint8_t *reply;
    bool sent;
} sender_t;

static void *send_main(void *arg)
{
    sender_t *s = arg;
    s->sent = rss_unix_send_stream(s->sock, s->reply, REPLY_SIZE, s->timeout_ms, s->stop_fd);
    return NULL;
}

static void start(sender_t *s, int pair[2], pthread_t *thread, int timeout_ms, int stop_fd)
{
    /* The sender's end is non-blocking, as the daemons' sockets are; the peer's blocks. */
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    assert_int_equal(fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK), 0);
    s->sock = pair[0];
    s->timeout_ms = timeout_ms;
    s->stop_fd = stop_fd;
    s->reply = calloc(1, REPLY_SIZE);
    assert_non_null(s->reply);
    s->sent = true;
    assert_int_equal(pthread_create(thread, NULL, send_main, s), 0);
}

static void finish(sender_t *s, int pair[2], pthread_t thread)
{
    assert_int_equal(pthread_join(thread, NULL), 0);
    close(pair[0]);
    close(pair[1]);
    free(s->reply);
}

/* A peer that reads gets every byte. */
static void test_reading_peer(void **state)
{
    (void)state;
    int pair[2];
    pthread_t thread;
    sender_t s;
    int stop = eventfd(0, EFD_CLOEXEC);
    start(&s, pair, &thread, 0, stop);
    uint8_t *buf = malloc(65536);
    assert_non_null(buf);
    size_t got = 0;
    while (got < REPLY_SIZE) {
        ssize_t n = recv(pair[1], buf, 65536, 0);
        assert_true(n > 0);
        got += (size_t)n;
    }
    free(buf);
    finish(&s, pair, thread);
    assert_true(s.sent);
    close(stop);
}

/* A peer that never reads, no deadline: the stop descriptor releases the sender. Without it
 * the sender would wait forever (and the test would never end). */
static void test_stop_releases_sender(void **state)
{
    (void)state;
    int pair[2];
    pthread_t thread;
    sender_t s;
    int stop = eventfd(0, EFD_CLOEXEC);
    start(&s, pair, &thread, 0, stop);
    uint64_t one = 1;
    assert_int_equal(write(stop, &one, sizeof(one)), (ssize_t)sizeof(one));
    finish(&s, pair, thread);
    assert_false(s.sent);
    close(stop);
}

/* A peer that never reads, no stop descriptor: the reply's deadline releases the sender. */
static void test_deadline_releases_sender(void **state)
{
    (void)state;
    int pair[2];
    pthread_t thread;
    sender_t s;
    start(&s, pair, &thread, 50, -1);
    finish(&s, pair, thread);
    assert_false(s.sent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reading_peer),
        cmocka_unit_test(test_stop_releases_sender),
        cmocka_unit_test(test_deadline_releases_sender),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
