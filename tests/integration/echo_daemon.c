/* A toy daemon on the daemon core (src/daemon): echoes each message with who sent it. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/server.h"

/*
 * Requests and replies are text, one per packet:
 *   "assert ID"  a forwarder speaks for client ID (0: itself) -> "assert STATUS"
 *   "released"   -> "released S1 S2 ...", the sessions the core has released so far
 *   anything     -> "CLIENT_ID SESSION N anything", N counting this connection's messages
 * A refused peer gets "refused" to everything.
 */

typedef struct echo_conn {
    unsigned messages;
} echo_conn_t;

static pthread_mutex_t released_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t released[256];
static size_t released_count;

static void echo_release(const daemon_caller_t *caller, void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&released_lock);
    if (released_count < sizeof(released) / sizeof(released[0])) {
        released[released_count++] = caller->session;
    }
    pthread_mutex_unlock(&released_lock);
}

/* Appends to reply (used bytes so far), never past size. */
static size_t put(uint8_t *reply, size_t size, size_t used, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf((char *)reply + used, size - used, format, ap);
    va_end(ap);
    size_t added = n < 0 ? 0 : (size_t)n;
    return used + added < size ? used + added : size - 1;
}

static size_t echo_serve(daemon_conn_t *conn, const uint8_t *msg, size_t length, size_t full_length,
                         int fd, uint8_t *reply, size_t reply_size)
{
    if (fd >= 0) {
        close(fd);
    }
    if (daemon_conn_role(conn) == DAEMON_ROLE_REFUSED) {
        return put(reply, reply_size, 0, "refused");
    }
    if (full_length > length) {
        return put(reply, reply_size, 0, "too long");
    }
    echo_conn_t *state = daemon_conn_state(conn);
    state->messages++;
    char text[128];
    snprintf(text, sizeof(text), "%.*s", (int)length, (const char *)msg);
    int32_t id = 0;
    if (sscanf(text, "assert %" SCNd32, &id) == 1) {
        return put(reply, reply_size, 0, "assert %d", (int)daemon_conn_assert_client(conn, id));
    }
    if (strcmp(text, "released") == 0) {
        size_t n = put(reply, reply_size, 0, "released");
        pthread_mutex_lock(&released_lock);
        for (size_t i = 0; i < released_count; i++) {
            n = put(reply, reply_size, n, " %" PRIu64, released[i]);
        }
        pthread_mutex_unlock(&released_lock);
        return n;
    }
    const daemon_caller_t *caller = daemon_conn_caller(conn);
    return put(reply, reply_size, 0, "%d %" PRIu64 " %u %s", (int)caller->client_id,
               caller->session, state->messages, text);
}

static const daemon_protocol_t echo_protocol = {
    .max_message = 128,
    .max_reply = 4096,
    .state_size = sizeof(echo_conn_t),
    .serve = echo_serve,
    .release_session = echo_release,
};

/* echo_daemon SOCKET POLICY: prints "ready" once listening, stops on SIGTERM. */
int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: echo_daemon SOCKET POLICY\n");
        return 2;
    }
    daemon_log_set_identity("echo_daemon");
    daemon_log_set_level(DAEMON_LOG_WARNING);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the workers inherit it; sigwait takes it */
    daemon_policy_t *policy = NULL;
    unsigned line = 0;
    if (daemon_policy_load(argv[2], &policy, &line) != PSA_SUCCESS) {
        fprintf(stderr, "echo_daemon: bad policy %s (line %u)\n", argv[2], line);
        return 1;
    }
    daemon_limits_t limits = {.workers = 2};
    daemon_server_t *server = NULL;
    if (daemon_server_create(argv[1], &echo_protocol, &limits, policy, &server) != PSA_SUCCESS ||
        daemon_server_start(server) != PSA_SUCCESS) {
        daemon_server_destroy(server);
        daemon_policy_free(policy);
        return 1;
    }
    if (printf("ready\n") < 0 || fflush(stdout) != 0) {
        return 1;
    }
    int sig = 0;
    sigwait(&stop, &sig);
    if (!daemon_server_shutdown(server, 10)) {
        return 1; /* a call still runs: leave what it uses */
    }
    daemon_policy_free(policy);
    return 0;
}
