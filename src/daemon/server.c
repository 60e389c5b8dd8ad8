/* The daemon core's server: epoll, a worker pool, one request in flight per connection. */
#define _GNU_SOURCE
#include "daemon/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "comms/transport.h"
#include "daemon/log.h"

/*
 * Threads: N workers, each with its own epoll set, and a monitor. A new connection is given to
 * the worker that serves the fewest, and only the worker whose set holds it touches it: one
 * request in flight per connection, no locking of connection state (shared memory, asserted
 * id), and the connection stays on a warm thread. Connections of one client process (libpsa
 * opens one per concurrent thread) are spread over workers, so they run in parallel. A call
 * costs epoll_wait, one recvmsg and one sendmsg (level-triggered: no re-arm); buffers are per
 * worker, nothing is allocated per call.
 * (A single shared epoll set with EPOLLONESHOT needed one more syscall per call to re-arm, and
 * woke the coldest waiting thread each time: 1.45x a raw round trip instead of ~1.0x.)
 * The listening socket is in every set with EPOLLEXCLUSIVE, so one idle worker accepts.
 *
 * Long calls. Pinning means a connection waits for whatever its worker is doing, and a PBKDF2 at
 * the iteration cap or an RSA-4096 generation takes seconds. So each worker publishes the
 * connection it is serving (`current`) and since when; the monitor thread looks every
 * MONITOR_TICK_MS and, for a worker busy for more than LONG_CALL_MS, moves every other
 * connection of that worker to the least-loaded worker that is not itself in a long call
 * (EPOLL_CTL_ADD to the new set, then DEL from the old one). The connection being served stays.
 * A moved connection is never seen by two workers: the monitor moves only while holding the
 * busy worker's `lock` and seeing `current` set, and a worker takes that lock to clear `current`
 * before it returns to epoll_wait; with one event per epoll_wait, a worker inside a call holds
 * no event of another connection, so the old set cannot hand out a moved connection and the
 * old worker has none in hand. Data that arrived before the move stays queued in the socket
 * (level-triggered), and the new set reports it at once. The fast path pays a few atomic
 * stores, one uncontended mutex and a coarse clock read (vDSO) per call, no system call, and
 * keeps the warm pinned thread that made the shared-set design lose. Polling in a separate
 * thread (rather than epoll timeouts in every worker) keeps idle workers asleep.
 *
 * Busy cap. A client id (all processes of one uid, or one asserted id) may keep at most
 * busy_cap workers busy at once (default workers - 1, at least 1), so some worker is always left
 * for the other clients even if one client starts long calls on many connections. A worker
 * about to serve a request checks the ids the other workers publish; at the cap, the
 * connection is parked (its epoll interest set to nothing, the request left in the socket) and
 * the worker goes on; the end of any call of that client re-arms the client's parked
 * connections. Ordering (both sides sequentially consistent): a parker marks the connection
 * parked and withdraws its own id before re-counting; a finisher withdraws its id before
 * looking for parked connections; so either the parker sees the freed worker and un-parks
 * itself, or the finisher sees the parked connection. The check costs one load per other
 * worker, from cache lines that only change when those workers serve. With two workers the
 * default cap is 1: one client's concurrent calls take turns, and the other worker stays free.
 *
 * Lock order: worker->lock, then server->lock (connection list, parking, placement); neither is
 * held around a service call.
 */

#define MONITOR_TICK_MS 20
#define LONG_CALL_MS    50
/* The fast path's spin for a channel's next request (ns): twice the gap between the last reply
 * and its next request plus SPIN_FLOOR_NS, at most SPIN_MAX_NS, halved by each miss and none
 * once under SPIN_MIN_NS. The floor is there because a request that comes just too late pays a
 * doorbell and a wake-up (tens of microseconds, the socket path's cost): with only 2 us above
 * the gap, one call in nine paid it on the development VM. */
#define SPIN_MIN_NS   2000
#define LOOK_NS       20000
#define SPIN_FLOOR_NS 20000
#define SPIN_MAX_NS   50000
/* busy_client of a worker that is serving no client call. */
#define NO_CLIENT INT64_MIN

struct daemon_conn {
    daemon_conn_t *prev, *next; /* server->conns, under server->lock */
    rss_transport_t transport;
    int fd; /* its poll handle, in a worker's epoll set; -1 for detached ones */
    daemon_role_t role;
    uid_t uid;
    pid_t pid;
    daemon_process_t *process;  /* NULL for refused connections and detached ones */
    daemon_caller_t caller;     /* own, or the client id a forwarder asserted */
    struct uid_count *uid_slot; /* its uid's connection count (NULL when not counted) */
    unsigned worker;            /* whose epoll set holds it (under server->lock) */
    bool parked;                /* waiting for its client's busy count (under server->lock) */
    bool drop;                  /* serve() asked to close it after this reply */
    /* Sessions a forwarder opened on this connection by asserting client ids; released when
     * it closes. */
    daemon_caller_t *asserted;
    size_t asserted_count;
    daemon_sessions_t *sessions; /* the server's table (NULL for detached connections) */
    /* Stream protocols: the message being received, and when it must be complete
     * (CLOCK_MONOTONIC_COARSE ms; 0 while it is served, or with no timeout). */
    uint8_t *rx;
    size_t rx_have, rx_size;
    atomic_int_fast64_t deadline;
    /* The fast path: the channel (has_channel), one set up by the call being served
     * (new_channel, swapped in once it returns), the last request answered, the spin budget and
     * when the last reply went out (CLOCK_MONOTONIC ns). fast_path_ok and slot_need are fixed
     * at accept. Only the owning worker touches them; has_channel is read by others to re-arm. */
    rss_channel_t channel, new_channel;
    atomic_bool has_channel;
    bool has_new_channel;
    bool fast_path_ok;
    size_t slot_need;
    uint32_t served;
    bool polling; /* its polling flag is up: the worker spins on it next */
    int_fast64_t spin_ns;
    int_fast64_t last_reply_ns;
    /* The request being served streams (daemon_conn_stream); stopping is the server's flag. */
    bool streaming;
    rss_channel_stream_t stream;
    const atomic_bool *stopping;
    _Alignas(max_align_t) unsigned char state[]; /* the protocol's state_size bytes */
};

typedef struct daemon_worker {
    /* Written by the worker on every call, read by the monitor and the other workers. */
    _Alignas(64) _Atomic(daemon_conn_t *) current; /* being served; NULL between calls */
    atomic_int_fast64_t busy_since;                /* CLOCK_MONOTONIC_COARSE ms */
    atomic_int_fast64_t busy_client;               /* client id of the call, or NO_CLIENT */
    pthread_mutex_t lock; /* held by the monitor while moving this worker's connections */
    daemon_server_t *server;
    unsigned index;
    int epoll_fd;
    atomic_uint connections;
    pthread_t thread;
    bool started;
} daemon_worker_t;

/* Open connections of one peer uid (server->uids, under server->lock). */
typedef struct uid_count {
    struct uid_count *next;
    uid_t uid;
    size_t connections;
} uid_count_t;

struct daemon_server {
    rss_listener_t listener;
    int listen_fd; /* the listener's poll handle; -1 before there is one */
    /* A descriptor held in reserve: when accept fails for want of descriptors, closing it lets
     * rssd accept the pending connection and close it at once, instead of leaving it queued
     * with the listening socket readable (which woke the workers in a loop). */
    int reserve_fd;
    pthread_mutex_t reserve_lock;
    atomic_uint_fast64_t dropped; /* connections refused for want of descriptors or over a cap */
    atomic_int_fast64_t last_warning; /* CLOCK_MONOTONIC second of the last warning about it */
    int stop_fd;
    char *socket_path;
    const daemon_policy_t *policy;
    daemon_sessions_t *sessions; /* client processes and their sessions */
    daemon_protocol_t protocol;
    daemon_limits_t limits;
    unsigned worker_count;
    daemon_worker_t *workers;
    unsigned busy_cap;  /* busy workers per client id */
    atomic_uint parked; /* parked connections */
    pthread_t monitor;
    bool monitor_started;
    atomic_bool stopping;
    pthread_mutex_t lock; /* guards conns, uids, conn->worker, conn->parked */
    daemon_conn_t *conns;
    uid_count_t *uids;
};

/* epoll data of the two non-connection descriptors. */
static char listen_marker, stop_marker;

/* ---- connections ---------------------------------------------------------------------------- */

static void conn_channels_free(daemon_conn_t *conn)
{
    if (atomic_load(&conn->has_channel)) {
        rss_channel_destroy(&conn->channel);
        atomic_store(&conn->has_channel, false);
    }
    if (conn->has_new_channel) {
        rss_channel_destroy(&conn->new_channel);
        conn->has_new_channel = false;
    }
}

/* The events a connection waits for: its messages and hang-ups, and, with a channel, a
 * writable socket, which is reported at once: how a connection re-armed after parking or moved
 * to another worker gets its channel looked at without the client ringing again. */
static uint32_t conn_events(const daemon_conn_t *conn)
{
    return EPOLLIN | EPOLLRDHUP | (atomic_load(&conn->has_channel) ? EPOLLOUT : 0u);
}

static void conn_close(daemon_server_t *server, daemon_conn_t *conn)
{
    pthread_mutex_lock(&server->lock);
    if (conn->prev != NULL) {
        conn->prev->next = conn->next;
    } else {
        server->conns = conn->next;
    }
    if (conn->next != NULL) {
        conn->next->prev = conn->prev;
    }
    if (conn->uid_slot != NULL && --conn->uid_slot->connections == 0) {
        for (uid_count_t **p = &server->uids; *p != NULL; p = &(*p)->next) {
            if (*p == conn->uid_slot) {
                *p = conn->uid_slot->next;
                break;
            }
        }
        free(conn->uid_slot);
    }
    if (conn->fd >= 0 && server->workers != NULL) {
        atomic_fetch_sub(&server->workers[conn->worker].connections, 1);
    }
    if (conn->parked) {
        atomic_fetch_sub(&server->parked, 1);
    }
    pthread_mutex_unlock(&server->lock);
    rss_transport_close(&conn->transport); /* also leaves the epoll set */
    if (server->protocol.disconnect != NULL) {
        server->protocol.disconnect(conn);
    }
    for (size_t i = 0; i < conn->asserted_count; i++) {
        daemon_sessions_release(server->sessions, &conn->asserted[i]);
    }
    free(conn->asserted);
    if (conn->process != NULL) {
        daemon_process_detach(conn->process);
    }
    if (conn->rx != NULL) {
        OPENSSL_clear_free(conn->rx, conn->rx_size);
    }
    conn_channels_free(conn);
    daemon_log(DAEMON_LOG_DEBUG, "connection closed (uid %u pid %d)", (unsigned)conn->uid,
               (int)conn->pid);
    free(conn);
}

/* Counts a dropped connection; logs at most one warning per 10 seconds, with the count. */
static void note_dropped(daemon_server_t *server, const char *why)
{
    uint64_t dropped = atomic_fetch_add(&server->dropped, 1) + 1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int_fast64_t last = atomic_load(&server->last_warning);
    if (now.tv_sec - last >= 10 &&
        atomic_compare_exchange_strong(&server->last_warning, &last, (int_fast64_t)now.tv_sec)) {
        daemon_log(DAEMON_LOG_WARNING, "connection dropped (%s); %llu dropped so far", why,
                   (unsigned long long)dropped);
    }
}

/* Counts one more connection of `uid`, unless it already has the configured maximum. */
static bool uid_admit(daemon_server_t *server, uid_t uid, uid_count_t **slot)
{
    size_t max = server->limits.max_connections_per_uid;
    bool ok = true;
    pthread_mutex_lock(&server->lock);
    uid_count_t *u = server->uids;
    while (u != NULL && u->uid != uid) {
        u = u->next;
    }
    if (u == NULL) {
        u = calloc(1, sizeof(*u));
        if (u == NULL) {
            ok = false;
        } else {
            u->uid = uid;
            u->next = server->uids;
            server->uids = u;
        }
    } else if (max != 0 && u->connections >= max) {
        /* Closes are seen asynchronously: a client that closes and reconnects may arrive before
         * its worker has read the hang-up. Count only the uid's connections whose peer is still
         * there, so a sequential client is never refused for connections it has closed. */
        size_t live = 0;
        for (daemon_conn_t *c = server->conns; c != NULL; c = c->next) {
            struct pollfd p = {.fd = c->fd, .events = POLLRDHUP};
            if (c->uid == uid && c->fd >= 0 &&
                !(poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0)) {
                live++;
            }
        }
        ok = live < max;
    }
    if (ok) {
        u->connections++;
        *slot = u;
    }
    pthread_mutex_unlock(&server->lock);
    return ok;
}

/* Out of descriptors: accept the pending connection on the reserve descriptor and close it, so
 * the client sees its connection closed and the listening socket stops being readable. */
static bool shed_connection(daemon_server_t *server)
{
    pthread_mutex_lock(&server->reserve_lock);
    if (server->reserve_fd >= 0) {
        close(server->reserve_fd);
        server->reserve_fd = -1;
    }
    rss_transport_t t;
    bool accepted = rss_listener_accept(&server->listener, &t) == 0;
    if (accepted) {
        rss_transport_close(&t);
    }
    server->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pthread_mutex_unlock(&server->reserve_lock);
    note_dropped(server, "out of file descriptors");
    return accepted;
}

static int_fast64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int_fast64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool in_long_call(daemon_worker_t *w, int_fast64_t now)
{
    return atomic_load(&w->current) != NULL && now - atomic_load(&w->busy_since) > LONG_CALL_MS;
}

/* The worker with the fewest connections among those not in a long call, other than `except`;
 * when all are, the least loaded of all (or -1 when except is the only one). */
static int pick_worker(daemon_server_t *server, int_fast64_t now, unsigned except)
{
    int best = -1, best_any = -1;
    for (unsigned i = 0; i < server->worker_count; i++) {
        if (i == except) {
            continue;
        }
        unsigned n = atomic_load(&server->workers[i].connections);
        if (best_any < 0 || n < atomic_load(&server->workers[best_any].connections)) {
            best_any = (int)i;
        }
        if (!in_long_call(&server->workers[i], now) &&
            (best < 0 || n < atomic_load(&server->workers[best].connections))) {
            best = (int)i;
        }
    }
    return best >= 0 ? best : except == server->worker_count ? best_any : -1;
}

static void accept_one(daemon_server_t *server, rss_transport_t *t)
{
    rss_peer_t cred;
    if (!rss_transport_peer(t, false, &cred)) {
        rss_transport_close(t);
        return;
    }
    daemon_conn_t *conn = calloc(1, sizeof(*conn) + server->protocol.state_size);
    if (conn == NULL) {
        rss_transport_close(t);
        return;
    }
    if (!uid_admit(server, cred.uid, &conn->uid_slot)) {
        free(conn);
        rss_transport_close(t);
        note_dropped(server, "connections per uid capped");
        return;
    }
    conn->transport = *t;
    conn->fd = rss_transport_poll_handle(t);
    conn->uid = cred.uid;
    conn->pid = cred.pid;
    conn->role = daemon_policy_role(server->policy, cred.uid);
    conn->sessions = server->sessions;
    conn->fast_path_ok = !server->limits.no_fast_path && !server->protocol.stream;
    conn->slot_need = server->protocol.max_message > server->protocol.max_reply
                          ? server->protocol.max_message
                          : server->protocol.max_reply;
    conn->spin_ns = SPIN_MAX_NS / 2;
    if (server->protocol.stream && server->protocol.request_timeout_ms > 0) {
        atomic_store(&conn->deadline, now_ms() + (int_fast64_t)server->protocol.request_timeout_ms);
    }
    int32_t client_id = 0;
    uint64_t start_time = 0;
    rss_peer_t pinned = {.pidfd = -1};
    if (conn->role != DAEMON_ROLE_REFUSED) {
        rss_transport_peer(t, true, &pinned);
    }
    int pidfd = pinned.pidfd;
    if (conn->role != DAEMON_ROLE_REFUSED &&
        (!daemon_client_id_for_uid(cred.uid, &client_id) ||
         !daemon_process_start_time(cred.pid, &start_time) ||
         /* The start time read must be the connecting process's own, not that of a process
          * that got its pid after it exited. */
         (pidfd >= 0 && !daemon_pidfd_is(pidfd, cred.pid)) ||
         daemon_process_attach(server->sessions, cred.pid, start_time, client_id, &conn->process) !=
             PSA_SUCCESS)) {
        /* No id for this uid, or the process is already gone: nothing it may do. */
        conn->role = DAEMON_ROLE_REFUSED;
    }
    if (pidfd >= 0) {
        close(pidfd);
    }
    if (conn->process != NULL) {
        conn->caller = daemon_process_caller(conn->process);
    }
    daemon_log(DAEMON_LOG_DEBUG, "connection from uid %u pid %d: %s", (unsigned)cred.uid,
               (int)cred.pid,
               conn->role == DAEMON_ROLE_CLIENT      ? "client"
               : conn->role == DAEMON_ROLE_FORWARDER ? "forwarder"
                                                     : "refused");

    bool connected = server->protocol.connect == NULL || server->protocol.connect(conn);

    /* Listed, placed and added under the lock: the monitor sees it only once it is in a set,
     * and the worker that serves it first cannot close it before it is listed. */
    pthread_mutex_lock(&server->lock);
    conn->next = server->conns;
    if (server->conns != NULL) {
        server->conns->prev = conn;
    }
    server->conns = conn;
    int best = pick_worker(server, now_ms(), server->worker_count);
    conn->worker = best >= 0 ? (unsigned)best : 0;
    atomic_fetch_add(&server->workers[conn->worker].connections, 1);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = conn};
    bool added = connected && epoll_ctl(server->workers[conn->worker].epoll_fd, EPOLL_CTL_ADD,
                                        conn->fd, &ev) == 0;
    pthread_mutex_unlock(&server->lock);
    if (!added) {
        conn_close(server, conn);
    }
}

static void accept_all(daemon_server_t *server)
{
    for (;;) {
        rss_transport_t t;
        int err = rss_listener_accept(&server->listener, &t);
        if (err != 0) {
            if (err == EINTR || err == ECONNABORTED) {
                continue;
            }
            if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
                /* Shed the pending connection: returning to epoll_wait with it still queued
                 * was the busy loop. */
                if (shed_connection(server)) {
                    continue;
                }
                /* Not even the reserve helped (another thread took the descriptor, or the
                 * system is out of them): back off briefly rather than spin on a readable
                 * listening socket. */
                struct timespec pause = {0, 20 * 1000 * 1000};
                nanosleep(&pause, NULL);
                break;
            }
            if (err != EAGAIN && err != EWOULDBLOCK) {
                daemon_log(DAEMON_LOG_WARNING, "accept: %s", strerror(err));
            }
            break;
        }
        accept_one(server, &t);
    }
}

static int_fast64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int_fast64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A channel set up by the call just served takes over from the old one. Requests already in
 * its page (a client that published before the set-up was answered) count as answered. */
static void conn_apply_channel(daemon_conn_t *conn)
{
    if (!conn->has_new_channel) {
        return;
    }
    if (atomic_load(&conn->has_channel)) {
        rss_channel_destroy(&conn->channel);
    }
    conn->channel = conn->new_channel;
    conn->has_new_channel = false;
    rss_channel_set_polling(&conn->channel, false);
    conn->served = atomic_load(rss_channel_word(&conn->channel, RSS_CHANNEL_OFF_REQ_SEQ));
    conn->last_reply_ns = now_ns();
    atomic_store(&conn->has_channel, true);
}

typedef struct worker_buffers {
    size_t rx_size, tx_size;
    uint8_t *rx, *tx;
} worker_buffers_t;

/* Serves one readable connection; false when the connection is finished. */
static bool serve_connection(daemon_server_t *server, daemon_conn_t *conn, worker_buffers_t *b)
{
    int fd = -1;
    ssize_t n = rss_transport_recv_message(&conn->transport, b->rx, b->rx_size, &fd);
    if (n < 0) {
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    if (n == 0) {
        if (fd >= 0) {
            close(fd);
        }
        return false;
    }
    size_t kept = (size_t)n < b->rx_size ? (size_t)n : b->rx_size;
    size_t reply = server->protocol.serve(conn, b->rx, kept, (size_t)n, fd, b->tx, b->tx_size);
    conn_apply_channel(conn);
    bool sent = reply == 0 || rss_transport_send(&conn->transport, b->tx, reply, -1) == PSA_SUCCESS;
    /* Both buffers serve every client of this worker next, and held this call's keys, plaintext
     * or stored data: wipe what was used (serve() left nothing secret past the reply). */
    OPENSSL_cleanse(b->rx, kept);
    if (reply > 0) {
        OPENSSL_cleanse(b->tx, reply);
    }
    /* Not sent: gone, or not reading its replies (more than one request in flight); drop it
     * rather than block a worker. */
    return sent && !conn->drop;
}

/* The peer made progress: it has the request timeout again. False when the monitor has expired
 * the deadline meanwhile (it set it to 0 and shut the connection down). */
static bool deadline_renew(daemon_conn_t *conn, unsigned timeout_ms)
{
    int_fast64_t current = atomic_load(&conn->deadline);
    do {
        if (current == 0) {
            return false;
        }
    } while (!atomic_compare_exchange_weak(&conn->deadline, &current,
                                           now_ms() + (int_fast64_t)timeout_ms));
    return true;
}

/* Stream protocols: reads what is there of the message; serves it once complete. False when
 * the connection is finished. */
static bool serve_stream(daemon_server_t *server, daemon_conn_t *conn, worker_buffers_t *b)
{
    const daemon_protocol_t *p = &server->protocol;
    int sock = rss_unix_fd(&conn->transport);
    size_t need = 0;
    for (;;) {
        bool framed = p->frame(conn->rx, conn->rx_have, &need);
        if (!framed || need > p->max_message) {
            /* It cannot be a message: serve() answers, and the rest of it is never read, so
             * the connection ends after the reply whatever the protocol does. */
            conn->drop = true;
            break;
        }
        if (need <= conn->rx_have) {
            break; /* complete */
        }
        if (need > conn->rx_size) {
            uint8_t *grown = OPENSSL_clear_realloc(conn->rx, conn->rx_size, need);
            if (grown == NULL) {
                return false;
            }
            conn->rx = grown;
            conn->rx_size = need;
        }
        ssize_t n = rss_unix_recv_stream(sock, conn->rx + conn->rx_have, need - conn->rx_have);
        if (n < 0) {
            return errno == EAGAIN || errno == EWOULDBLOCK; /* the rest comes later */
        }
        if (n == 0) {
            return false;
        }
        conn->rx_have += (size_t)n;
        if (p->request_timeout_ms > 0 && !deadline_renew(conn, p->request_timeout_ms)) {
            return false;
        }
    }
    /* Serving: the request timeout is for receiving. A deadline the monitor has just taken
     * (expired) means the connection is already shut down. */
    if (atomic_exchange(&conn->deadline, 0) == 0 && p->request_timeout_ms > 0) {
        return false;
    }
    size_t have = conn->rx_have;
    size_t reply = p->serve(conn, conn->rx, have, have, -1, b->tx, b->tx_size);
    bool sent = reply == 0 || rss_unix_send_stream(sock, b->tx, reply, (int)p->request_timeout_ms,
                                                   server->stop_fd);
    if (have > 0) {
        OPENSSL_cleanse(conn->rx, have);
    }
    if (reply > 0) {
        OPENSSL_cleanse(b->tx, reply);
    }
    conn->rx_have = 0;
    if (p->request_timeout_ms > 0) {
        atomic_store(&conn->deadline, now_ms() + (int_fast64_t)p->request_timeout_ms);
    }
    return sent && !conn->drop;
}

/* How many workers other than `self` are serving a call of `client`. */
static unsigned busy_for_client(daemon_server_t *server, const daemon_worker_t *self,
                                int_fast64_t client)
{
    unsigned n = 0;
    for (unsigned i = 0; i < server->worker_count; i++) {
        if (&server->workers[i] != self && atomic_load(&server->workers[i].busy_client) == client) {
            n++;
        }
    }
    return n;
}

/* Stops reporting conn's requests (the request stays in the socket); hang-ups are still
 * reported, so a parked connection whose client goes away is closed. Called with self serving
 * conn, whose client (self->busy_client) is at its cap. */
static void park(daemon_server_t *server, daemon_worker_t *self, daemon_conn_t *conn)
{
    int_fast64_t client = atomic_load(&self->busy_client);
    pthread_mutex_lock(&server->lock);
    struct epoll_event ev = {.events = 0, .data.ptr = conn};
    if (epoll_ctl(self->epoll_fd, EPOLL_CTL_MOD, conn->fd, &ev) == 0) {
        conn->parked = true;
        atomic_fetch_add(&server->parked, 1);
        atomic_store(&self->busy_client, NO_CLIENT);
        if (busy_for_client(server, self, client) < server->busy_cap) {
            /* A call of the client ended meanwhile, and its worker may have looked for parked
             * connections before this one was: try again. */
            ev.events = conn_events(conn);
            epoll_ctl(self->epoll_fd, EPOLL_CTL_MOD, conn->fd, &ev);
            conn->parked = false;
            atomic_fetch_sub(&server->parked, 1);
        }
    }
    atomic_store(&self->busy_client, NO_CLIENT);
    pthread_mutex_unlock(&server->lock);
}

/* A call of `client` ended: its parked connections may go on. */
static void unpark_client(daemon_server_t *server, int_fast64_t client)
{
    pthread_mutex_lock(&server->lock);
    for (daemon_conn_t *c = server->conns; c != NULL; c = c->next) {
        if (c->parked && c->caller.client_id == client) {
            struct epoll_event ev = {.events = conn_events(c), .data.ptr = c};
            if (epoll_ctl(server->workers[c->worker].epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) == 0) {
                c->parked = false;
                atomic_fetch_sub(&server->parked, 1);
            }
        }
    }
    pthread_mutex_unlock(&server->lock);
}

/* Whether a worker other than self is serving a call (the CPUs are better left to the callers
 * then: neither side spins). */
static bool others_busy(daemon_server_t *server, const daemon_worker_t *self)
{
    for (unsigned i = 0; i < server->worker_count; i++) {
        if (&server->workers[i] != self && atomic_load(&server->workers[i].current) != NULL) {
            return true;
        }
    }
    return false;
}

/* Serves the request waiting in conn's channel, if one does. False when the connection is
 * finished. When the worker means to spin for the next request, it raises the polling flag
 * before the reply goes out: a client that posts its next call at once then rings no doorbell. */
static bool serve_channel(daemon_server_t *server, daemon_worker_t *self, daemon_conn_t *conn,
                          worker_buffers_t *b)
{
    if (!atomic_load(&conn->has_channel) || !rss_channel_pending(&conn->channel, conn->served)) {
        return true;
    }
    /* The spin budget follows the gap between the last reply and this request. */
    int_fast64_t gap = now_ns() - conn->last_reply_ns;
    if (gap <= SPIN_MAX_NS) {
        int_fast64_t budget = 2 * gap + SPIN_FLOOR_NS;
        conn->spin_ns = budget > SPIN_MAX_NS ? SPIN_MAX_NS : budget;
    } else if ((conn->spin_ns /= 2) < SPIN_MIN_NS) {
        conn->spin_ns = 0;
    }
    uint32_t seq = 0;
    size_t full = 0;
    int_fast64_t start = now_ns();
    size_t kept = 0;
    bool claimed = rss_channel_take(&conn->channel, &seq, &full, b->rx, b->rx_size, &kept);
    conn->served = seq;
    if (!claimed) {
        /* Withdrawn: its client has given up on it (and may run it elsewhere). */
        OPENSSL_cleanse(b->rx, kept);
        return true;
    }
    conn->streaming = rss_channel_stream_of(&conn->channel, seq, &conn->stream);
    conn->stopping = &server->stopping;
    size_t reply = server->protocol.serve(conn, b->rx, kept, full, -1, b->tx, b->tx_size);
    conn->streaming = false;
    conn_apply_channel(conn);
    /* The hint: the client may spin for its next reply when no other worker is busy (with more
     * active clients than workers, waiting callers sleep at once). */
    bool busy = others_busy(server, self);
    conn->polling = !conn->drop && !busy && conn->spin_ns > 0;
    if (conn->polling) {
        rss_channel_set_polling(&conn->channel, true);
    }
    /* The hint carries the call's own cost, so the client's spin follows what calls take to
     * serve, not what its waits took (a wait that slept includes waking up). */
    int_fast64_t took_us = (now_ns() - start) / 1000;
    uint32_t hint = busy ? 0u : 1u + (uint32_t)(took_us < 0xffffff ? took_us : 0xffffff);
    rss_channel_put_reply(&conn->channel, seq, b->tx, reply, hint);
    conn->last_reply_ns = now_ns();
    OPENSSL_cleanse(b->rx, kept);
    if (reply > 0) {
        OPENSSL_cleanse(b->tx, reply);
    }
    return !conn->drop;
}

/* Spins up to conn's budget for a request in its channel, yielding the CPU now and then to any
 * thread waiting for it (the caller, on a machine with few CPUs). True when one waits. */
static bool channel_spin(daemon_server_t *server, daemon_conn_t *conn)
{
    const rss_channel_t *ch = &conn->channel;
    int_fast64_t deadline = now_ns() + conn->spin_ns;
    bool found = false;
    for (unsigned i = 1; !found; i++) {
        found = rss_channel_pending(ch, conn->served);
        if (!found) {
            rss_channel_relax();
        }
        if (!found && i % 16 == 0) {
            if (now_ns() > deadline || atomic_load(&server->stopping)) {
                break;
            }
            if (i % 64 == 0) {
                sched_yield();
            }
        }
    }
    rss_channel_set_polling(ch, false);
    conn->polling = false;
    /* A request published as the flag went down rang no doorbell: look once more. */
    found = found || rss_channel_pending(ch, conn->served);
    if (!found && (conn->spin_ns /= 2) < SPIN_MIN_NS) {
        conn->spin_ns = 0;
    }
    return found;
}

/* The worker will not spin on conn after all: the polling flag goes down, and a request its
 * client published meanwhile (ringing no doorbell) is reported by arming EPOLLOUT. */
static void stop_polling(daemon_worker_t *self, daemon_conn_t *conn)
{
    if (!conn->polling) {
        return;
    }
    rss_channel_set_polling(&conn->channel, false);
    conn->polling = false;
    if (rss_channel_pending(&conn->channel, conn->served)) {
        struct epoll_event ev = {.events = conn_events(conn), .data.ptr = conn};
        epoll_ctl(self->epoll_fd, EPOLL_CTL_MOD, conn->fd, &ev);
    }
}

/* One event of conn (or, channel_ready, a request its channel holds): serves it, or parks it at
 * its client's busy cap, or closes it on a hang-up. Returns whether conn stays open and was
 * served (not parked). */
static bool serve_event(daemon_server_t *server, daemon_worker_t *self, daemon_conn_t *conn,
                        uint32_t events, bool channel_ready, worker_buffers_t *b)
{
    /* Published before anything is done with conn: from here the monitor leaves conn
     * where it is. busy_since first, so the monitor never pairs conn with an old time. */
    atomic_store(&self->busy_since, now_ms());
    atomic_store(&self->current, conn);
    if ((events & EPOLLOUT) != 0) {
        /* The re-arm after parking or a move has done its job. */
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = conn};
        epoll_ctl(self->epoll_fd, EPOLL_CTL_MOD, conn->fd, &ev);
    }
    int_fast64_t client = NO_CLIENT;
    bool keep = false, served = false;
    /* A hang-up with data still queued is reported with EPOLLIN: serve the data first; the
     * next wake-up then reads end-of-stream and closes. */
    bool hung_up = (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 && (events & EPOLLIN) == 0;
    if (!hung_up && ((events & (EPOLLIN | EPOLLOUT)) != 0 || channel_ready)) {
        client = conn->caller.client_id;
        atomic_store(&self->busy_client, client);
        if (busy_for_client(server, self, client) >= server->busy_cap) {
            park(server, self, conn);
            client = NO_CLIENT; /* park withdrew it; no call of the client ended here */
            keep = true;
        } else {
            keep = true;
            if ((events & EPOLLIN) != 0) {
                keep = server->protocol.stream ? serve_stream(server, conn, b)
                                               : serve_connection(server, conn, b);
            }
            keep = keep && serve_channel(server, self, conn, b);
            served = keep;
        }
    }
    if (!keep) {
        conn_close(server, conn);
    }
    /* The lock waits out a move the monitor is making, so that the old set hands out no
     * moved connection once this worker is back in epoll_wait. */
    pthread_mutex_lock(&self->lock);
    atomic_store(&self->current, NULL);
    pthread_mutex_unlock(&self->lock);
    if (client != NO_CLIENT) {
        atomic_store(&self->busy_client, NO_CLIENT);
        if (atomic_load(&server->parked) > 0) {
            unpark_client(server, client);
        }
    }
    return served;
}

static void *worker_main(void *arg)
{
    daemon_worker_t *self = arg;
    daemon_server_t *server = self->server;
    worker_buffers_t b;
    /* A stream protocol receives into each connection's own buffer. */
    b.rx_size = server->protocol.stream ? 1 : server->protocol.max_message;
    b.tx_size = server->protocol.max_reply;
    b.rx = calloc(1, b.rx_size);
    b.tx = calloc(1, b.tx_size);
    if (b.rx == NULL || b.tx == NULL) {
        daemon_log(DAEMON_LOG_ERROR, "worker: out of memory");
        free(b.rx);
        free(b.tx);
        return NULL;
    }
    /* The connection whose channel this worker spins on once nothing else waits. */
    daemon_conn_t *spin = NULL;
    int_fast64_t looked = 0; /* when the worker last looked at its epoll set */
    while (!atomic_load(&server->stopping)) {
        struct epoll_event ev;
        int n = 0;
        /* The spin for a channel's next call starts without a look at the other connections
         * unless the last look is LOOK_NS old: a syscall less per quick call, and no connection
         * of this worker waits longer than that, one call and one spin. */
        if (spin == NULL || now_ns() - looked >= LOOK_NS) {
            n = epoll_wait(self->epoll_fd, &ev, 1, spin != NULL ? 0 : -1);
            looked = now_ns();
        }
        bool channel_ready = false;
        if (n == 0 && spin != NULL) {
            channel_ready = channel_spin(server, spin);
            ev = (struct epoll_event){.events = 0, .data.ptr = spin};
            n = channel_ready ? 1 : 0;
        }
        if (spin != NULL && !channel_ready) {
            stop_polling(self, spin); /* something else came first */
        }
        spin = NULL;
        if (n <= 0) {
            continue;
        }
        if (ev.data.ptr == &stop_marker) {
            break;
        }
        if (ev.data.ptr == &listen_marker) {
            accept_all(server);
            continue;
        }
        daemon_conn_t *conn = ev.data.ptr;
        if (serve_event(server, self, conn, ev.events, channel_ready, &b) && conn->polling) {
            spin = conn;
        }
    }
    if (spin != NULL) {
        stop_polling(self, spin); /* a stopping rssd leaves no client waiting without a bell */
    }
    free(b.rx);
    free(b.tx);
    if (server->protocol.thread_exit != NULL) {
        server->protocol.thread_exit();
    }
    return NULL;
}

/* Moves the connections of `w`, which has been in one call for more than LONG_CALL_MS, except
 * the one it serves and parked ones, to workers that are not in a long call. */
static void move_off(daemon_server_t *server, daemon_worker_t *w, int_fast64_t now)
{
    pthread_mutex_lock(&w->lock);
    daemon_conn_t *busy = atomic_load(&w->current);
    if (busy == NULL || now - atomic_load(&w->busy_since) <= LONG_CALL_MS) {
        pthread_mutex_unlock(&w->lock); /* it finished meanwhile */
        return;
    }
    unsigned moved = 0;
    pthread_mutex_lock(&server->lock);
    for (daemon_conn_t *c = server->conns; c != NULL; c = c->next) {
        if (c->worker != w->index || c == busy || c->parked) {
            continue;
        }
        int to = pick_worker(server, now, w->index);
        if (to < 0) {
            break; /* every other worker is in a long call too */
        }
        /* Into the new set first: if that fails the connection stays where it was. */
        struct epoll_event ev = {.events = conn_events(c), .data.ptr = c};
        if (epoll_ctl(server->workers[to].epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
            continue;
        }
        epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
        atomic_fetch_sub(&w->connections, 1);
        atomic_fetch_add(&server->workers[to].connections, 1);
        c->worker = (unsigned)to;
        moved++;
    }
    pthread_mutex_unlock(&server->lock);
    pthread_mutex_unlock(&w->lock);
    if (moved > 0) {
        daemon_log(DAEMON_LOG_DEBUG, "worker %u in a long call: %u connections moved", w->index,
                   moved);
    }
}

/* Stream connections whose peer has sent nothing for the timeout: shut down, so their worker
 * reads the end of the stream and closes them (the monitor never closes a connection itself).
 * Bytes that wait unread in the socket mean the delay is ours (a busy worker), not the peer's:
 * such a connection is left alone. */
static void expire_requests(daemon_server_t *server, int_fast64_t now)
{
    pthread_mutex_lock(&server->lock);
    for (daemon_conn_t *c = server->conns; c != NULL; c = c->next) {
        int_fast64_t deadline = atomic_load(&c->deadline);
        int pending = 0;
        /* Taken with a compare-and-swap, so a worker that has just started serving (deadline 0)
         * or seen progress (a new deadline) keeps its connection. */
        if (deadline != 0 && now > deadline &&
            !(ioctl(c->fd, FIONREAD, &pending) == 0 && pending > 0) &&
            atomic_compare_exchange_strong(&c->deadline, &deadline, 0)) {
            rss_transport_shutdown(&c->transport);
            daemon_log(DAEMON_LOG_DEBUG, "uid %u pid %d: request timeout", (unsigned)c->uid,
                       (int)c->pid);
        }
    }
    pthread_mutex_unlock(&server->lock);
}

static void *monitor_main(void *arg)
{
    daemon_server_t *server = arg;
    /* stop_fd is level-triggered and never read: it ends the wait for good once written. */
    struct pollfd stop = {.fd = server->stop_fd, .events = POLLIN};
    while (!atomic_load(&server->stopping)) {
        if (poll(&stop, 1, MONITOR_TICK_MS) != 0) {
            continue;
        }
        int_fast64_t now = now_ms();
        for (unsigned i = 0; i < server->worker_count; i++) {
            if (in_long_call(&server->workers[i], now)) {
                move_off(server, &server->workers[i], now);
            }
        }
        if (server->protocol.stream && server->protocol.request_timeout_ms > 0) {
            expire_requests(server, now);
        }
    }
    return NULL;
}

/* ---- life cycle ------------------------------------------------------------------------------ */

/* A server on `adopted` when socket_path is NULL (closed on failure), else listening on
 * socket_path (removed at the end). */
static psa_status_t server_create(const char *socket_path, rss_listener_t *adopted,
                                  const daemon_protocol_t *protocol, const daemon_limits_t *limits,
                                  const daemon_policy_t *policy, daemon_server_t **out)
{
    daemon_server_t *server = calloc(1, sizeof(*server));
    if (server == NULL) {
        if (socket_path == NULL) {
            rss_listener_close(adopted);
        }
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    server->listen_fd = server->stop_fd = -1;
    server->policy = policy;
    server->protocol = *protocol;
    server->limits = *limits;
    if (daemon_sessions_create(protocol->release_session, protocol->release_ctx,
                               &server->sessions) != PSA_SUCCESS) {
        if (socket_path == NULL) {
            rss_listener_close(adopted);
        }
        free(server);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    pthread_mutex_init(&server->lock, NULL);
    pthread_mutex_init(&server->reserve_lock, NULL);
    server->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    atomic_store(&server->last_warning, INT64_MIN / 2);
    if (socket_path == NULL) {
        server->listener = *adopted;
        server->listen_fd = rss_listener_poll_handle(adopted);
    } else {
        server->socket_path = strdup(socket_path);
        if (server->socket_path == NULL) {
            daemon_server_destroy(server);
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        int listening = protocol->stream
                            ? rss_transport_listen_stream(socket_path, 0666, 128, &server->listener)
                            : rss_transport_listen(socket_path, 0666, 128, &server->listener);
        if (listening != 0) {
            daemon_log(DAEMON_LOG_ERROR, "cannot listen on %s: %s", socket_path, strerror(errno));
            free(server->socket_path);
            server->socket_path = NULL; /* not ours: do not unlink it */
            daemon_server_destroy(server);
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
        server->listen_fd = rss_listener_poll_handle(&server->listener);
    }
    server->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (server->stop_fd < 0) {
        daemon_server_destroy(server);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    *out = server;
    return PSA_SUCCESS;
}

psa_status_t daemon_server_create(const char *socket_path, const daemon_protocol_t *protocol,
                                  const daemon_limits_t *limits, const daemon_policy_t *policy,
                                  daemon_server_t **out)
{
    return server_create(socket_path, NULL, protocol, limits, policy, out);
}

psa_status_t daemon_server_create_on(int listen_fd, const daemon_protocol_t *protocol,
                                     const daemon_limits_t *limits, const daemon_policy_t *policy,
                                     daemon_server_t **out)
{
    rss_listener_t listener;
    if (rss_transport_adopt_listener(listen_fd, &listener) != 0) {
        daemon_log(DAEMON_LOG_ERROR, "inherited socket %d: %s", listen_fd, strerror(errno));
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return server_create(NULL, &listener, protocol, limits, policy, out);
}

size_t daemon_server_drop_connections(daemon_server_t *server, bool (*drop)(uid_t uid, void *ctx),
                                      void *ctx)
{
    size_t count = 0;
    pthread_mutex_lock(&server->lock);
    /* A listed connection's descriptor stays open until conn_close unlists it under this
     * lock, so shutdown() here cannot hit a descriptor that was closed and reused. */
    for (daemon_conn_t *conn = server->conns; conn != NULL; conn = conn->next) {
        if (drop(conn->uid, ctx) && rss_transport_shutdown(&conn->transport)) {
            count++;
        }
    }
    pthread_mutex_unlock(&server->lock);
    return count;
}

psa_status_t daemon_server_start(daemon_server_t *server)
{
    unsigned count = server->limits.workers > 0 ? server->limits.workers : 1;
    server->busy_cap = (unsigned)server->limits.max_busy_workers_per_client;
    if (server->busy_cap == 0 || server->busy_cap > count) {
        server->busy_cap = count > 1 ? count - 1 : 1;
    }
    server->workers = aligned_alloc(64, ((count * sizeof(daemon_worker_t) + 63) / 64) * 64);
    if (server->workers != NULL) {
        memset(server->workers, 0, count * sizeof(daemon_worker_t));
    }
    if (server->workers == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    for (unsigned i = 0; i < count; i++) {
        daemon_worker_t *w = &server->workers[i];
        w->server = server;
        w->index = i;
        atomic_store(&w->busy_client, NO_CLIENT);
        pthread_mutex_init(&w->lock, NULL);
        w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        server->worker_count++;
        /* Level-triggered and never read: once written, every worker sees it. */
        struct epoll_event sev = {.events = EPOLLIN, .data.ptr = &stop_marker};
        struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &listen_marker};
        if (w->epoll_fd < 0 || epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, server->stop_fd, &sev) < 0 ||
            epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, server->listen_fd, &lev) < 0) {
            daemon_server_stop(server);
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
    }
    for (unsigned i = 0; i < count; i++) {
        daemon_worker_t *w = &server->workers[i];
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            daemon_server_stop(server);
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        w->started = true;
    }
    if (pthread_create(&server->monitor, NULL, monitor_main, server) != 0) {
        daemon_server_stop(server);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    server->monitor_started = true;
    return PSA_SUCCESS;
}

void daemon_server_stop(daemon_server_t *server)
{
    atomic_store(&server->stopping, true);
    uint64_t one = 1;
    ssize_t ignored = write(server->stop_fd, &one, sizeof(one));
    (void)ignored;
}

bool daemon_server_shutdown(daemon_server_t *server, unsigned grace_seconds)
{
    daemon_server_stop(server);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += grace_seconds;
    bool all = true;
    if (server->monitor_started) { /* never in a service call: ends at once */
        pthread_join(server->monitor, NULL);
        server->monitor_started = false;
    }
    for (unsigned i = 0; i < server->worker_count; i++) {
        daemon_worker_t *w = &server->workers[i];
        if (w->started && pthread_timedjoin_np(w->thread, NULL, &deadline) == 0) {
            w->started = false; /* joined */
        } else if (w->started) {
            all = false;
        }
    }
    if (all) {
        daemon_server_destroy(server);
    }
    return all;
}

void daemon_server_destroy(daemon_server_t *server)
{
    if (server == NULL) {
        return;
    }
    daemon_server_stop(server);
    if (server->monitor_started) {
        pthread_join(server->monitor, NULL);
        server->monitor_started = false;
    }
    for (unsigned i = 0; i < server->worker_count; i++) {
        if (server->workers[i].started) {
            pthread_join(server->workers[i].thread, NULL);
        }
    }
    /* Workers are gone: the remaining connections are ours alone. */
    while (server->conns != NULL) {
        conn_close(server, server->conns);
    }
    for (unsigned i = 0; i < server->worker_count; i++) {
        if (server->workers[i].epoll_fd >= 0) {
            close(server->workers[i].epoll_fd);
        }
        pthread_mutex_destroy(&server->workers[i].lock);
    }
    free(server->workers);
    server->workers = NULL;
    rss_listener_close(&server->listener);
    if (server->socket_path != NULL) {
        unlink(server->socket_path);
        free(server->socket_path);
    }
    if (server->stop_fd >= 0) {
        close(server->stop_fd);
    }
    if (server->reserve_fd >= 0) {
        close(server->reserve_fd);
    }
    while (server->uids != NULL) { /* only if a connection was never counted down */
        uid_count_t *next = server->uids->next;
        free(server->uids);
        server->uids = next;
    }
    pthread_mutex_destroy(&server->reserve_lock);
    daemon_sessions_free(server->sessions);
    pthread_mutex_destroy(&server->lock);
    free(server);
}

/* ---- for the protocol's hooks --------------------------------------------------------------- */

daemon_role_t daemon_conn_role(const daemon_conn_t *conn)
{
    return conn->role;
}

void daemon_conn_drop(daemon_conn_t *conn)
{
    conn->drop = true;
}

void daemon_conn_peer(const daemon_conn_t *conn, uid_t *uid, pid_t *pid)
{
    *uid = conn->uid;
    *pid = conn->pid;
}

const daemon_caller_t *daemon_conn_caller(const daemon_conn_t *conn)
{
    return &conn->caller;
}

psa_status_t daemon_conn_assert_client(daemon_conn_t *conn, int32_t client_id)
{
    if (conn->role != DAEMON_ROLE_FORWARDER || conn->process == NULL) {
        return PSA_ERROR_NOT_PERMITTED;
    }
    if (client_id == 0) {
        conn->caller = daemon_process_caller(conn->process);
        return PSA_SUCCESS;
    }
    if (!daemon_client_id_assertable(client_id)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < conn->asserted_count; i++) {
        if (conn->asserted[i].client_id == client_id) {
            conn->caller = conn->asserted[i];
            return PSA_SUCCESS;
        }
    }
    daemon_caller_t *grown = realloc(conn->asserted, (conn->asserted_count + 1) * sizeof(*grown));
    if (grown == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    conn->asserted = grown;
    grown[conn->asserted_count] =
        (daemon_caller_t){.client_id = client_id, .session = daemon_sessions_new(conn->sessions)};
    conn->caller = grown[conn->asserted_count++];
    return PSA_SUCCESS;
}

rss_transport_t *daemon_conn_transport(daemon_conn_t *conn)
{
    return &conn->transport;
}

const rss_channel_stream_t *daemon_conn_stream(const daemon_conn_t *conn)
{
    return conn->streaming ? &conn->stream : NULL;
}

void daemon_conn_set_stream(daemon_conn_t *conn, const rss_channel_stream_t *stream)
{
    conn->streaming = stream != NULL;
    if (stream != NULL) {
        conn->stream = *stream;
    }
}

bool daemon_conn_abandoned(daemon_conn_t *conn)
{
    if (conn->stopping != NULL && atomic_load(conn->stopping)) {
        return true;
    }
    struct pollfd p = {.fd = rss_transport_poll_handle(&conn->transport), .events = POLLRDHUP};
    return p.fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

psa_status_t daemon_conn_set_channel(daemon_conn_t *conn, rss_channel_t *ch)
{
    if (!conn->fast_path_ok) {
        rss_channel_destroy(ch);
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (ch->slot < conn->slot_need) {
        rss_channel_destroy(ch);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (conn->has_new_channel) {
        rss_channel_destroy(&conn->new_channel);
    }
    conn->new_channel = *ch;
    conn->has_new_channel = true;
    return PSA_SUCCESS;
}

void *daemon_conn_state(daemon_conn_t *conn)
{
    return conn->state;
}

daemon_conn_t *daemon_conn_new_detached(const daemon_protocol_t *protocol, int32_t client_id,
                                        uint64_t session)
{
    daemon_conn_t *conn = calloc(1, sizeof(*conn) + protocol->state_size);
    if (conn == NULL) {
        return NULL;
    }
    conn->fd = -1;
    rss_transport_unconnected(&conn->transport);
    conn->role = DAEMON_ROLE_CLIENT;
    conn->caller = (daemon_caller_t){client_id, session};
    conn->fast_path_ok = !protocol->stream;
    conn->slot_need =
        protocol->max_message > protocol->max_reply ? protocol->max_message : protocol->max_reply;
    if (protocol->connect != NULL && !protocol->connect(conn)) {
        daemon_conn_free_detached(protocol, conn);
        return NULL;
    }
    return conn;
}

void daemon_conn_free_detached(const daemon_protocol_t *protocol, daemon_conn_t *conn)
{
    if (protocol->disconnect != NULL) {
        protocol->disconnect(conn);
    }
    conn_channels_free(conn);
    free(conn);
}
