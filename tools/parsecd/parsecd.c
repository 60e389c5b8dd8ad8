/* parsecd: the Parsec front end as a daemon — Parsec's wire protocol on its stream socket, on the
 * daemon core (one request per connection, as Parsec), parsec_serve behind it. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/identity.h"
#include "daemon/log.h"
#include "daemon/server.h"
#include "parsec/parsec_start.h"

/*
 * Who may connect is Parsec's business, not a policy file's: every uid reaches parsec_serve,
 * which authenticates each request (Unix peer credentials against SO_PEERCRED, or Direct when
 * the configuration allows it) and keeps each application's keys apart. The core gives the
 * peer's credentials, the worker pool, the request timeout and a clean stop.
 */

static parsec_runtime_t rt;
static atomic_uint open_connections;

typedef struct parsec_conn {
    bool counted;
} parsec_conn_t;

static bool frame(const uint8_t *buf, size_t have, size_t *need)
{
    return parsec_frame(buf, have, rt.config.body_len_limit, need) == PARSEC_SUCCESS;
}

/* One request, then the connection closes (Parsec's rule). A request that fails framing gets
 * the 36-byte error header; the rest of it is never read. */
static size_t serve(daemon_conn_t *conn, const uint8_t *msg, size_t length, size_t full_length,
                    int fd, uint8_t *reply, size_t reply_size)
{
    (void)full_length;
    if (fd >= 0) {
        close(fd);
    }
    daemon_conn_drop(conn);
    size_t need = 0, reply_length = 0;
    parsec_status_t s = parsec_frame(msg, length, rt.config.body_len_limit, &need);
    uid_t uid;
    pid_t pid;
    daemon_conn_peer(conn, &uid, &pid);
    if (s == PARSEC_SUCCESS && need != length) {
        s = PARSEC_INVALID_HEADER; /* cannot happen: the core serves complete requests only */
    }
    if (s != PARSEC_SUCCESS) {
        parsec_encode_read_error(s, reply);
        reply_length = PARSEC_HEADER_SIZE;
    } else {
        parsec_caller_t caller = {.uid = uid, .pid = pid};
        s = parsec_serve(&rt.ctx, &caller, msg, length, reply, reply_size, &reply_length);
    }
    daemon_log(s == PARSEC_SUCCESS ? DAEMON_LOG_DEBUG : DAEMON_LOG_INFO, "uid %u pid %d: %s",
               (unsigned)uid, (int)pid, parsec_status_name(s));
    return reply_length;
}

/* [core] max_connections: beyond it a connection is closed at once. */
static bool on_connect(daemon_conn_t *conn)
{
    parsec_conn_t *pc = daemon_conn_state(conn);
    unsigned n = atomic_fetch_add(&open_connections, 1) + 1;
    pc->counted = true;
    if (rt.config.max_connections != 0 && n > rt.config.max_connections) {
        daemon_log(DAEMON_LOG_WARNING, "connection refused: max_connections (%u) reached",
                   rt.config.max_connections);
        return false;
    }
    return true;
}

static void on_disconnect(daemon_conn_t *conn)
{
    parsec_conn_t *pc = daemon_conn_state(conn);
    if (pc->counted) {
        atomic_fetch_sub(&open_connections, 1);
        pc->counted = false;
    }
}

static daemon_log_level_t log_level(parsec_log_level_t level)
{
    switch (level) {
    case PARSEC_LOG_ERROR:
        return DAEMON_LOG_ERROR;
    case PARSEC_LOG_INFO:
        return DAEMON_LOG_INFO;
    case PARSEC_LOG_DEBUG:
        return DAEMON_LOG_DEBUG;
    default:
        return DAEMON_LOG_WARNING;
    }
}

int main(int argc, char **argv)
{
    int code = 1;
    if (!parsec_start(argc, argv, &rt, stderr, &code)) {
        return code;
    }
    daemon_log_set_identity("parsecd");
    daemon_log_set_level(log_level(rt.config.log_level));
    /* The socket's directory (/run/parsec for the system service) may not exist yet. */
    char dir[sizeof(rt.socket_path)];
    snprintf(dir, sizeof(dir), "%s", rt.socket_path);
    char *parent = dirname(dir);
    if (mkdir(parent, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "parsecd: cannot create %s: %s\n", parent, strerror(errno));
        parsec_stop(&rt);
        return 1;
    }
    daemon_policy_t *policy = NULL;
    unsigned line = 0;
    if (daemon_policy_load(NULL, &policy, &line) != PSA_SUCCESS) {
        parsec_stop(&rt);
        return 1;
    }
    const daemon_protocol_t protocol = {
        .max_message = PARSEC_HEADER_SIZE + (size_t)rt.config.body_len_limit + UINT16_MAX,
        .max_reply = parsec_response_max(&rt.ctx),
        .state_size = sizeof(parsec_conn_t),
        .serve = serve,
        .connect = on_connect,
        .disconnect = on_disconnect,
        .stream = true,
        .frame = frame,
        .request_timeout_ms = rt.config.timeout_ms,
    };
    /* One uid may not hold every slot: a quarter of them unless the configuration says. */
    unsigned per_uid = rt.config.max_connections_per_uid;
    if (per_uid == 0) {
        per_uid = rt.config.max_connections / 4 > 0 ? rt.config.max_connections / 4 : 1;
    }
    daemon_limits_t limits = {.workers = rt.config.thread_pool_size,
                              .max_connections_per_uid = per_uid};
    int rc = daemon_run("parsecd", rt.socket_path, &protocol, &limits, policy, rt.foreground,
                        NULL, NULL);
    daemon_policy_free(policy);
    parsec_stop(&rt);
    return rc;
}
