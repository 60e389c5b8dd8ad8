/* psa/client.h over RSS comms to rssd: the connection pool, protocol choice and psa_call. */
#define _GNU_SOURCE
#include "client/client_call.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rss/connection.h>

#include "comms/rss_client.h"
#include "comms/rss_msg.h"
#include "comms/transport.h"

/*
 * One connection (an RSS comms client, comms/rss_client.h) carries one request at a time, like
 * a mailbox channel. Calls borrow a connection from a process-wide free list and return it, so
 * threads run in parallel on as many connections as there are concurrent calls, and the
 * connections (hence the process's volatile keys and operations in rssd) outlive the threads
 * that opened them.
 */
typedef struct client_conn {
    struct client_conn *next;
    rss_client_t *client;
} client_conn_t;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER; /* guards pool_free */
static client_conn_t *pool_free;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static size_t client_embed_limit = RSS_MSG_DEFAULT_EMBED_LIMIT;

static void conn_destroy(client_conn_t *conn)
{
    rss_client_close(conn->client);
    free(conn);
}

/* After fork the child must not share the parent's connections: a request from both processes
 * on one socket would interleave, and rssd would account the child's calls to the parent. */
static void pool_after_fork_child(void)
{
    pthread_mutex_init(&pool_lock, NULL);
    client_conn_t *conn = pool_free;
    pool_free = NULL;
    while (conn != NULL) {
        client_conn_t *next = conn->next;
        conn_destroy(conn);
        conn = next;
    }
}

static void pool_init(void)
{
    const char *env = secure_getenv("RSS_EMBED_LIMIT");
    if (env != NULL && env[0] != '\0') {
        char *end = NULL;
        unsigned long v = strtoul(env, &end, 10);
        if (end != NULL && *end == '\0' && v <= 1024ul * 1024ul) {
            client_embed_limit = (size_t)v;
        }
    }
    pthread_atfork(NULL, NULL, pool_after_fork_child);
}

/* Why the last connection attempt failed ("" after one that succeeded), for
 * rss_connection_error. */
static pthread_mutex_t connect_error_lock = PTHREAD_MUTEX_INITIALIZER; /* guards connect_error */
static char connect_error[2 * RSS_SOCKET_PATH_MAX + 128];

static void connect_error_set(const char *text)
{
    pthread_mutex_lock(&connect_error_lock);
    snprintf(connect_error, sizeof(connect_error), "%s", text);
    pthread_mutex_unlock(&connect_error_lock);
}

size_t rss_connection_error(char *text, size_t size)
{
    pthread_mutex_lock(&connect_error_lock);
    int n = snprintf(text, size, "%s", connect_error);
    pthread_mutex_unlock(&connect_error_lock);
    return n > 0 ? (size_t)n : 0;
}

size_t rss_connection_socket(char *path, size_t size)
{
    char paths[RSS_SOCKET_MAX_CANDIDATES][RSS_SOCKET_PATH_MAX];
    size_t count = rss_socket_candidates(paths);
    if (count == 0) {
        return 0;
    }
    size_t chosen = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISSOCK(st.st_mode)) {
            chosen = i;
            break;
        }
    }
    int n = snprintf(path, size, "%s", paths[chosen]);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* Connects to the first candidate socket that exists (rss_socket_candidates); records what
 * each attempt met when none answers. */
static psa_status_t connect_rssd(rss_transport_t *transport)
{
    char paths[RSS_SOCKET_MAX_CANDIDATES][RSS_SOCKET_PATH_MAX];
    size_t count = rss_socket_candidates(paths);
    if (count == 0) {
        connect_error_set("cannot reach rssd: the socket path ($RSS_SOCKET or "
                          "$XDG_RUNTIME_DIR/rss/rss.sock) is longer than 107 bytes");
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    char text[sizeof(connect_error)];
    size_t used = (size_t)snprintf(text, sizeof(text), "cannot reach rssd: tried");
    for (size_t i = 0; i < count; i++) {
        if (rss_transport_connect(paths[i], transport) == PSA_SUCCESS) {
            connect_error_set("");
            return PSA_SUCCESS;
        }
        int err = errno;
        if (used < sizeof(text)) {
            used += (size_t)snprintf(text + used, sizeof(text) - used, "%s %s (%s)",
                                     i == 0 ? "" : ",", paths[i], strerror(err));
        }
        /* Only a missing socket file sends us on to the next place. */
        if (err != ENOENT) {
            break;
        }
    }
    connect_error_set(text);
    return PSA_ERROR_COMMUNICATION_FAILURE;
}

static psa_status_t conn_open(client_conn_t **out)
{
    client_conn_t *conn = calloc(1, sizeof(*conn));
    if (conn == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    rss_transport_t transport;
    psa_status_t status = connect_rssd(&transport);
    if (status == PSA_SUCCESS) {
        status = rss_client_wrap(&transport, client_embed_limit, &conn->client);
    }
    if (status != PSA_SUCCESS) {
        free(conn);
        return status;
    }
    *out = conn;
    return PSA_SUCCESS;
}

static psa_status_t pool_get(client_conn_t **out)
{
    pthread_once(&pool_once, pool_init);
    pthread_mutex_lock(&pool_lock);
    client_conn_t *conn = pool_free;
    if (conn != NULL) {
        pool_free = conn->next;
    }
    pthread_mutex_unlock(&pool_lock);
    if (conn != NULL) {
        *out = conn;
        return PSA_SUCCESS;
    }
    return conn_open(out);
}

static void pool_put(client_conn_t *conn)
{
    pthread_mutex_lock(&pool_lock);
    conn->next = pool_free;
    pool_free = conn;
    pthread_mutex_unlock(&pool_lock);
}

void client_disconnect_all(void)
{
    pthread_mutex_lock(&pool_lock);
    client_conn_t *conn = pool_free;
    pool_free = NULL;
    pthread_mutex_unlock(&pool_lock);
    while (conn != NULL) {
        client_conn_t *next = conn->next;
        conn_destroy(conn);
        conn = next;
    }
}

psa_status_t client_call(psa_handle_t service, int32_t type, const psa_invec *in, size_t in_len,
                         psa_outvec *out, size_t out_len)
{
    psa_status_t status = rss_client_check(type, in, in_len, out, out_len);
    if (status != PSA_SUCCESS) {
        return status;
    }
    client_conn_t *conn = NULL;
    if (pool_get(&conn) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    for (int attempt = 0;; attempt++) {
        bool stale = false;
        status = rss_client_call(conn->client, service, type, in, in_len, out, out_len, &stale);
        if (!stale || attempt > 0) {
            break;
        }
        conn_destroy(conn);
        conn = NULL;
        if (conn_open(&conn) != PSA_SUCCESS) {
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
    }
    if (status == PSA_ERROR_COMMUNICATION_FAILURE) {
        /* The connection may be out of step with rssd (or dead): never reuse it. */
        conn_destroy(conn);
    } else {
        pool_put(conn);
    }
    return status;
}

/* ---- psa/client.h --------------------------------------------------------------------- */

static bool client_sid_known(uint32_t sid)
{
    /* TF-M's SIDs of the services rssd hosts (reference sheet §3.1); rssd's RSS comms carries
     * only psa_call, so version and connect are answered here, as TF-M answers them. */
    return sid == RSS_SID_CRYPTO || sid == RSS_SID_PS || sid == RSS_SID_ITS || sid == RSS_SID_ATTESTATION;
}

uint32_t psa_framework_version(void)
{
    return PSA_FRAMEWORK_VERSION;
}

uint32_t psa_version(uint32_t sid)
{
    return client_sid_known(sid) ? 1u : PSA_VERSION_NONE;
}

psa_handle_t psa_connect(uint32_t sid, uint32_t version)
{
    (void)version;
    /* Every hosted service is stateless: connecting to one is a programming error in TF-M. */
    return client_sid_known(sid) ? (psa_handle_t)PSA_ERROR_PROGRAMMER_ERROR
                                 : (psa_handle_t)PSA_ERROR_CONNECTION_REFUSED;
}

psa_status_t psa_call(psa_handle_t handle, int32_t type, const psa_invec *in_vec, size_t in_len,
                      psa_outvec *out_vec, size_t out_len)
{
    return client_call(handle, type, in_vec, in_len, out_vec, out_len);
}

void psa_close(psa_handle_t handle)
{
    /* The null handle is ignored; stateless handles cannot be closed (TF-M's PROGRAMMER_ERROR,
     * which this library reports by doing nothing rather than aborting the caller). */
    (void)handle;
}
