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

#include "comms/rss_msg.h"
#include "comms/transport.h"

/*
 * One connection carries one request at a time, like a mailbox channel. Calls borrow a
 * connection from a process-wide free list and return it, so threads run in parallel on as many
 * connections as there are concurrent calls, and the connections (hence the process's volatile
 * keys and operations in rssd) outlive the threads that opened them.
 *
 * Each connection owns its message buffer (sized for the largest embed message) and, once a
 * call needs pointer access, one shared-memory region with rssd: a call allocates nothing.
 */
typedef struct client_conn {
    struct client_conn *next;
    rss_transport_t transport;
    rss_shm_t shm; /* base == NULL until the first pointer-access call */
    uint8_t seq;
    size_t buf_size;
    uint8_t buf[];
} client_conn_t;

/* Header client id: ignored by rssd for plain clients (identity comes from SO_PEERCRED), and
 * nonzero because TF-M refuses 0; TF-A sends 1 too. */
#define CLIENT_HEADER_ID 1u
/* Smallest shared region; pages are only committed when touched. */
#define CLIENT_SHM_MIN_SIZE ((size_t)1 << 20)
#define CLIENT_SHM_ALIGN    64u

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER; /* guards pool_free */
static client_conn_t *pool_free;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static size_t client_embed_limit = RSS_MSG_DEFAULT_EMBED_LIMIT;

static void conn_destroy(client_conn_t *conn)
{
    rss_transport_close(&conn->transport);
    rss_shm_destroy(&conn->shm);
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
    size_t buf_size = RSS_MSG_EMBED_CALL_FIXED + client_embed_limit;
    if (buf_size < RSS_MSG_POINTER_CALL_SIZE) {
        buf_size = RSS_MSG_POINTER_CALL_SIZE;
    }
    client_conn_t *conn = calloc(1, sizeof(*conn) + buf_size);
    if (conn == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    conn->buf_size = buf_size;
    conn->shm = RSS_SHM_EMPTY;
    psa_status_t status = connect_rssd(&conn->transport);
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

/* Sends the first message of a call. A pooled connection whose rssd has gone away fails here
 * (EPIPE) before anything was delivered: *stale tells the caller it may safely rerun the call
 * once on a fresh connection, which is how a restarted rssd is picked up transparently. */
static psa_status_t conn_send_first(client_conn_t *conn, size_t length, int fd, bool *stale)
{
    if (rss_transport_send(&conn->transport, conn->buf, length, fd) == PSA_SUCCESS) {
        return PSA_SUCCESS;
    }
    *stale = true;
    return PSA_ERROR_COMMUNICATION_FAILURE;
}

static psa_status_t conn_recv(client_conn_t *conn, size_t *length)
{
    psa_status_t status = rss_transport_recv(&conn->transport, conn->buf, conn->buf_size, length);
    return status == PSA_SUCCESS ? PSA_SUCCESS : PSA_ERROR_COMMUNICATION_FAILURE;
}

static bool reply_matches(const rss_msg_reply_t *reply, uint8_t protocol, uint8_t seq)
{
    return reply->header.protocol_ver == protocol && reply->header.seq_num == seq;
}

static psa_status_t call_embed(client_conn_t *conn, psa_handle_t service, int32_t type,
                               const psa_invec *in, size_t in_len, psa_outvec *out, size_t out_len,
                               bool *connection_busy, bool *stale)
{
    uint8_t seq = ++conn->seq;
    rss_msg_call_t call = {
        .header = {.protocol_ver = RSS_PROTOCOL_EMBED,
                   .seq_num = seq,
                   .client_id = CLIENT_HEADER_ID},
        .handle = service,
        .type = type,
        .in_len = (uint32_t)in_len,
        .out_len = (uint32_t)out_len,
    };
    for (size_t i = 0; i < in_len; i++) {
        call.in_size[i] = (uint32_t)in[i].len;
        call.in_data[i] = in[i].base;
    }
    for (size_t i = 0; i < out_len; i++) {
        call.out_size[i] = (uint32_t)out[i].len;
    }
    size_t length = 0;
    psa_status_t status = rss_msg_encode_call(&call, conn->buf, conn->buf_size, &length);
    if (status != PSA_SUCCESS) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    if (conn_send_first(conn, length, -1, stale) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    if (conn_recv(conn, &length) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    rss_msg_reply_t reply;
    if (rss_msg_decode_reply(conn->buf, length, &reply) != PSA_SUCCESS ||
        !reply_matches(&reply, RSS_PROTOCOL_EMBED, conn->seq)) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    for (size_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
        if ((i < out_len && reply.out_size[i] > out[i].len) ||
            (i >= out_len && reply.out_size[i] != 0)) {
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
    }
    for (size_t i = 0; i < out_len; i++) {
        if (reply.out_size[i] > 0) {
            memcpy(out[i].base, reply.out_data[i], reply.out_size[i]);
        }
        out[i].len = reply.out_size[i];
    }
    *connection_busy = reply.status == PSA_ERROR_CONNECTION_BUSY;
    return reply.status;
}

static size_t align_up(size_t v)
{
    return (v + CLIENT_SHM_ALIGN - 1) & ~(size_t)(CLIENT_SHM_ALIGN - 1);
}

/* Gives the connection a shared region of at least need bytes, announcing it with SHM_SETUP. */
static psa_status_t conn_ensure_shm(client_conn_t *conn, size_t need, bool *stale)
{
    if (conn->shm.base != NULL && conn->shm.size >= need) {
        return PSA_SUCCESS;
    }
    size_t size = CLIENT_SHM_MIN_SIZE;
    while (size < need) {
        if (size > RSS_SHM_MAX_SIZE / 2) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        size *= 2;
    }
    rss_shm_t shm;
    psa_status_t status = rss_transport_shm_create(&conn->transport, size, &shm);
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint8_t seq = ++conn->seq;
    rss_ctrl_msg_t ctrl = {
        .header = {.protocol_ver = RSS_CTRL_SHM_SETUP,
                   .seq_num = seq,
                   .client_id = CLIENT_HEADER_ID},
        .shm_size = size,
    };
    size_t length = rss_msg_encode_ctrl(&ctrl, conn->buf, conn->buf_size);
    if (conn_send_first(conn, length, rss_shm_handle(&shm), stale) != PSA_SUCCESS) {
        rss_shm_destroy(&shm);
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    rss_msg_header_t header;
    psa_status_t reply_status;
    if (conn_recv(conn, &length) != PSA_SUCCESS ||
        rss_msg_decode_ctrl_reply(conn->buf, length, &header, &reply_status) != PSA_SUCCESS ||
        header.protocol_ver != RSS_CTRL_SHM_SETUP || header.seq_num != seq) {
        rss_shm_destroy(&shm);
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    if (reply_status != PSA_SUCCESS) {
        rss_shm_destroy(&shm);
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    rss_shm_destroy(&conn->shm);
    conn->shm = shm;
    return PSA_SUCCESS;
}

static psa_status_t call_pointer(client_conn_t *conn, psa_handle_t service, int32_t type,
                                 const psa_invec *in, size_t in_len, psa_outvec *out,
                                 size_t out_len, bool *stale)
{
    size_t need = 0;
    for (size_t i = 0; i < in_len; i++) {
        need += align_up(in[i].len);
    }
    for (size_t i = 0; i < out_len; i++) {
        need += align_up(out[i].len);
    }
    psa_status_t status = conn_ensure_shm(conn, need > 0 ? need : 1, stale);
    if (status != PSA_SUCCESS) {
        return status;
    }
    uint8_t seq = ++conn->seq;
    rss_msg_call_t call = {
        .header = {.protocol_ver = RSS_PROTOCOL_POINTER_ACCESS,
                   .seq_num = seq,
                   .client_id = CLIENT_HEADER_ID},
        .handle = service,
        .type = type,
        .in_len = (uint32_t)in_len,
        .out_len = (uint32_t)out_len,
    };
    /* Inputs packed first, then room for the outputs, as Trusted Services lays out its carveout. */
    size_t offset = 0;
    for (size_t i = 0; i < in_len; i++) {
        if (in[i].len > 0) {
            memcpy(rss_shm_at(&conn->shm, offset), in[i].base, in[i].len);
        }
        call.in_size[i] = (uint32_t)in[i].len;
        call.in_addr[i] = offset;
        offset += align_up(in[i].len);
    }
    for (size_t i = 0; i < out_len; i++) {
        call.out_size[i] = (uint32_t)out[i].len;
        call.out_addr[i] = offset;
        offset += align_up(out[i].len);
    }
    size_t length = 0;
    if (rss_msg_encode_call(&call, conn->buf, conn->buf_size, &length) != PSA_SUCCESS) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    if (conn_send_first(conn, length, -1, stale) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    if (conn_recv(conn, &length) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    rss_msg_reply_t reply;
    if (rss_msg_decode_reply(conn->buf, length, &reply) != PSA_SUCCESS ||
        !reply_matches(&reply, RSS_PROTOCOL_POINTER_ACCESS, seq)) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    for (size_t i = 0; i < RSS_MSG_MAX_IOVEC; i++) {
        if ((i < out_len && reply.out_size[i] > out[i].len) ||
            (i >= out_len && reply.out_size[i] != 0)) {
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
    }
    for (size_t i = 0; i < out_len; i++) {
        if (reply.out_size[i] > 0) {
            memcpy(out[i].base, rss_shm_at(&conn->shm, call.out_addr[i]), reply.out_size[i]);
        }
        out[i].len = reply.out_size[i];
    }
    return reply.status;
}

psa_status_t client_call(psa_handle_t service, int32_t type, const psa_invec *in, size_t in_len,
                         psa_outvec *out, size_t out_len)
{
    if (in_len > PSA_MAX_IOVEC || out_len > PSA_MAX_IOVEC || in_len + out_len > PSA_MAX_IOVEC ||
        type < PSA_CALL_TYPE_MIN || type > PSA_CALL_TYPE_MAX || (in_len > 0 && in == NULL) ||
        (out_len > 0 && out == NULL)) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    uint64_t in_total = 0, out_total = 0;
    bool fits_u16 = true;
    for (size_t i = 0; i < in_len; i++) {
        if ((in[i].len > 0 && in[i].base == NULL) || in[i].len > UINT32_MAX) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        in_total += in[i].len;
        fits_u16 = fits_u16 && in[i].len <= RSS_MSG_EMBED_MAX_VECTOR;
    }
    for (size_t i = 0; i < out_len; i++) {
        if ((out[i].len > 0 && out[i].base == NULL) || out[i].len > UINT32_MAX) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        out_total += out[i].len;
        fits_u16 = fits_u16 && out[i].len <= RSS_MSG_EMBED_MAX_VECTOR;
    }

    client_conn_t *conn = NULL;
    psa_status_t status = pool_get(&conn);
    if (status != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    size_t saved_len[PSA_MAX_IOVEC];
    for (size_t i = 0; i < out_len; i++) {
        saved_len[i] = out[i].len;
    }
    /* Embed when inputs and outputs fit in the payload buffer rssd carves both from (so the
     * reply, 16 + outputs, fits too); pointer access otherwise, as TF-A and TS choose. */
    bool embed = fits_u16 && in_total + out_total <= client_embed_limit;
    for (int attempt = 0;; attempt++) {
        bool stale = false, busy = false;
        if (embed) {
            status = call_embed(conn, service, type, in, in_len, out, out_len, &busy, &stale);
            if (busy) {
                /* An rssd configured with a smaller embed limit refuses the message; pointer
                 * access has no such limit. */
                for (size_t i = 0; i < out_len; i++) {
                    out[i].len = saved_len[i];
                }
                embed = false;
                status = call_pointer(conn, service, type, in, in_len, out, out_len, &stale);
            }
        } else {
            status = call_pointer(conn, service, type, in, in_len, out, out_len, &stale);
        }
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
    return sid == 0x00000080u || sid == 0x00000060u || sid == 0x00000070u || sid == 0x00000020u;
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
