/* rssd on the daemon core: the RSS comms protocol (embed and pointer access, control messages). */
#include "enclave/server.h"

#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "comms/rss_channel.h"
#include "comms/rss_msg.h"
#include "comms/transport.h"
#include "crypto/core.h"
#include "daemon/log.h"
#include "enclave/enclave.h"
#include "enclave/enclave_config.h"

static size_t embed_limit(void)
{
    return enclave_config()->embed_limit;
}

/* A connection's state: the shared memory of pointer access (none until SHM_SETUP). */
static rss_shm_t *conn_shm(daemon_conn_t *conn)
{
    return daemon_conn_state(conn);
}

/* ---- message handling (no sockets here: the daemon core moves the messages) ----------------- */

/* CHANNEL_SETUP: maps the memfd that came with it as the connection's channel. */
static psa_status_t setup_channel(enclave_conn_t *conn, int *fd, uint64_t size)
{
    if (*fd < 0 || rss_channel_slot_of(size) == 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    rss_shm_t shm;
    psa_status_t status = rss_transport_shm_map_peer(daemon_conn_transport(conn), *fd, size, &shm);
    *fd = -1; /* consumed, mapped or closed */
    if (status != PSA_SUCCESS) {
        return status;
    }
    rss_channel_t ch;
    if (!rss_channel_init(&ch, shm)) {
        rss_shm_destroy(&shm);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return daemon_conn_set_channel(conn, &ch);
}

static size_t serve_ctrl(enclave_conn_t *conn, const uint8_t *msg, size_t length, int *fd,
                         uint8_t *reply, size_t reply_size)
{
    rss_ctrl_msg_t ctrl;
    psa_status_t status = rss_msg_decode_ctrl(msg, length, &ctrl);
    if (status == PSA_ERROR_COMMUNICATION_FAILURE) {
        return 0;
    }
    if (status != PSA_SUCCESS) {
        return rss_msg_encode_ctrl_reply(&ctrl.header, status, reply, reply_size);
    }
    if (ctrl.header.protocol_ver == RSS_CTRL_DOORBELL) {
        return 0; /* never answered: the core looks at the channel after every message */
    }
    if (daemon_conn_role(conn) == DAEMON_ROLE_REFUSED) {
        return rss_msg_encode_ctrl_reply(&ctrl.header, PSA_ERROR_CONNECTION_REFUSED, reply,
                                         reply_size);
    }
    if (ctrl.header.protocol_ver == RSS_CTRL_CHANNEL_SETUP) {
        status = setup_channel(conn, fd, ctrl.shm_size);
    } else if (ctrl.header.protocol_ver == RSS_CTRL_SHM_SETUP) {
        if (*fd < 0) {
            status = PSA_ERROR_INVALID_ARGUMENT;
        } else {
            rss_shm_t shm;
            status =
                rss_transport_shm_map_peer(daemon_conn_transport(conn), *fd, ctrl.shm_size, &shm);
            *fd = -1; /* consumed, mapped or closed */
            if (status == PSA_SUCCESS) {
                rss_shm_destroy(conn_shm(conn));
                *conn_shm(conn) = shm;
            }
        }
    } else { /* RSS_CTRL_ASSERT_CLIENT */
        status = daemon_conn_assert_client(conn, ctrl.client_id);
    }
    return rss_msg_encode_ctrl_reply(&ctrl.header, status, reply, reply_size);
}

/* Whether two non-empty ranges of the shared memory overlap. */
static bool ranges_overlap(uint64_t a, uint32_t a_len, uint64_t b, uint32_t b_len)
{
    return a_len > 0 && b_len > 0 && a < b + b_len && b < a + a_len;
}

/*
 * The one place the reply to a call is built; every path of both protocols ends here. The rule
 * (issue 9, where a refused call's reply carried whatever the worker's reply buffer still held
 * from an earlier call of another client): a reply carries only bytes that the service wrote for
 * this very call, and a call that fails carries none.
 *  - status < 0 (refused by the comms layer or the partition manager, or failed in the service):
 *    TF-M's error reply, the request's header and the status with every out_size 0; `out` is not
 *    looked at (NULL when no service ran). serve_pointer copies no output of such a call.
 *  - status >= 0: out[i].len bytes of each output, as the service set them; call_status() has
 *    already refused lengths over the vector's size. The memory handed to the service for its
 *    outputs was zeroed (embed) or is the wiped private buffer (pointer access), so a service
 *    reporting more than it wrote would expose zeroes, never older data.
 */
static size_t reply_to_call(const rss_msg_call_t *call, psa_status_t status, const psa_outvec *out,
                            uint8_t *reply, size_t reply_size)
{
    if (out == NULL && status >= PSA_SUCCESS) {
        status = PSA_ERROR_GENERIC_ERROR; /* no service ran, so nothing succeeded */
    }
    if (status < PSA_SUCCESS) {
        return rss_msg_encode_error_reply(&call->header, status, reply, reply_size);
    }
    rss_msg_reply_t rep = {.header = call->header, .status = status, .out_len = call->out_len};
    for (uint32_t i = 0; i < call->out_len; i++) {
        rep.out_size[i] = (uint32_t)out[i].len;
        rep.out_data[i] = out[i].base;
    }
    size_t n = 0;
    if (rss_msg_encode_reply(&rep, reply, reply_size, &n) != PSA_SUCCESS) {
        return rss_msg_encode_error_reply(&call->header, PSA_ERROR_GENERIC_ERROR, reply,
                                          reply_size);
    }
    return n;
}

/* The status a served call answers with: the service's, unless it reported an output longer than
 * its vector (a service bug: refused with GENERIC_ERROR, so nothing of the call is released). */
static psa_status_t call_status(const rss_msg_call_t *call, psa_status_t status,
                                const psa_outvec *out)
{
    if (status < PSA_SUCCESS) {
        return status;
    }
    for (uint32_t i = 0; i < call->out_len; i++) {
        if (out[i].len > call->out_size[i]) {
            daemon_log(DAEMON_LOG_ERROR, "service returned %zu bytes in a %u-byte vector",
                       out[i].len, call->out_size[i]);
            return PSA_ERROR_GENERIC_ERROR;
        }
    }
    return status;
}

/*
 * Private memory for pointer-access calls, one per thread (a worker serves one call at a time):
 * grown as needed and never shrunk, so the hot path allocates nothing. Its size is bounded by
 * the largest shared memory a client mapped, since the vectors it holds are disjoint ranges of
 * that memory. Every byte a call used is wiped when the call ends: it held plaintext, exported
 * keys or key material being imported.
 */
static _Thread_local uint8_t *scratch;
static _Thread_local size_t scratch_size;

#define SCRATCH_ALIGN 16u

static size_t scratch_round(size_t n)
{
    return (n + SCRATCH_ALIGN - 1) & ~(size_t)(SCRATCH_ALIGN - 1);
}

static bool scratch_reserve(size_t need)
{
    if (need <= scratch_size) {
        return true;
    }
    /* The old buffer holds only zeroes (wiped after each call): free it rather than realloc. */
    uint8_t *grown = calloc(1, need);
    if (grown == NULL) {
        return false;
    }
    free(scratch);
    scratch = grown;
    scratch_size = need;
    return true;
}

void enclave_serve_thread_exit(void)
{
    free(scratch);
    scratch = NULL;
    scratch_size = 0;
}

/*
 * A streamed call (docs/rss-comms-linux.md "Streamed calls"): one input vector is still being
 * written by the client, which says how far it has got in in_ready; in_place output may be
 * published as it is finished, in out_done. in_ready is hostile like the rest of the page: it is
 * only ever believed up to the vector's size, and never backwards.
 */
typedef struct pointer_stream {
    daemon_conn_t *conn;
    const rss_channel_stream_t *words;
    uint32_t in_size;
    uint32_t ready; /* bytes of the input known to be there */
    uint32_t published;
} pointer_stream_t;

#define STREAM_SPIN_NS  50000
#define STREAM_NAP_NS   20000
#define STREAM_CHECK_NS 1000000

static int_fast64_t stream_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int_fast64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool stream_look(pointer_stream_t *s)
{
    uint32_t r = atomic_load_explicit(s->words->in_ready, memory_order_acquire);
    if (r > s->in_size) {
        r = s->in_size;
    }
    if (r > s->ready) {
        s->ready = r;
        return true;
    }
    return false;
}

/*
 * Waits for the first need bytes of the input: spins while they come (a client copying 64 KiB
 * takes microseconds), naps once they stop for a while, and gives up when none came for
 * stream_stall_ms or the call is for no one any more (its client hung up, rssd stops).
 */
static bool stream_await(void *ctx, size_t need)
{
    pointer_stream_t *s = ctx;
    if (s->ready >= need || (stream_look(s) && s->ready >= need)) {
        return true;
    }
    int_fast64_t stall_ns = (int_fast64_t)enclave_config()->stream_stall_ms * 1000000;
    int_fast64_t progress = stream_now_ns(), checked = progress;
    for (unsigned i = 1;; i++) {
        if (stream_look(s)) {
            if (s->ready >= need) {
                return true;
            }
            progress = stream_now_ns();
            continue;
        }
        if (i % 16 != 0) {
            rss_channel_relax();
            continue;
        }
        int_fast64_t now = stream_now_ns();
        if (now - progress > stall_ns) {
            daemon_log(DAEMON_LOG_WARNING, "streamed call: no input for %zu ms, failed",
                       enclave_config()->stream_stall_ms);
            return false;
        }
        if (now - checked > STREAM_CHECK_NS) {
            checked = now;
            if (daemon_conn_abandoned(s->conn)) {
                return false;
            }
        }
        if (now - progress < STREAM_SPIN_NS) {
            if (i % 64 == 0) {
                sched_yield();
            }
        } else {
            struct timespec nap = {0, STREAM_NAP_NS};
            nanosleep(&nap, NULL);
        }
    }
}

static void stream_wrote(void *ctx, size_t end)
{
    pointer_stream_t *s = ctx;
    if (end > s->published) {
        s->published = (uint32_t)end;
        atomic_store_explicit(s->words->out_done, s->published, memory_order_release);
    }
}

/*
 * A pointer-access call. The client can write its shared memory at any time, so a service that
 * read one input byte twice could see two values (a deterministic signature over two messages
 * with one nonce gives the key away), and output written there during the call is visible
 * before the call has decided whether to release it. Hence every vector is copied: inputs into
 * private memory before the call, outputs out of it after a successful one. The exception is the
 * bulk data of the calls the crypto call table marks CRYPTO_CALL_BULK_IN_PLACE, read and written
 * in place so a 1 MiB encryption is not copied twice more (docs/crypto-calls.md says why that
 * gives a racing client nothing).
 */
static size_t serve_pointer(enclave_conn_t *conn, const rss_msg_call_t *call, uint8_t *reply,
                            size_t reply_size)
{
    /* Every vector must lie inside this connection's shared memory (the comms layer's memory
     * check: CONNECTION_BUSY, sheet §1.7). */
    for (uint32_t i = 0; i < call->in_len; i++) {
        if (!rss_shm_range_ok(conn_shm(conn), call->in_addr[i], call->in_size[i])) {
            return reply_to_call(call, PSA_ERROR_CONNECTION_BUSY, NULL, reply, reply_size);
        }
    }
    for (uint32_t i = 0; i < call->out_len; i++) {
        if (!rss_shm_range_ok(conn_shm(conn), call->out_addr[i], call->out_size[i])) {
            return reply_to_call(call, PSA_ERROR_CONNECTION_BUSY, NULL, reply, reply_size);
        }
    }
    /* Overlapping input vectors, and an output overlapping an input or another output (a
     * service would read what it has just written), are the SPM's PROGRAMMER_ERROR (§2.3). */
    for (uint32_t i = 0; i < call->in_len; i++) {
        for (uint32_t j = 0; j < i; j++) {
            if (ranges_overlap(call->in_addr[i], call->in_size[i], call->in_addr[j],
                               call->in_size[j])) {
                return reply_to_call(call, PSA_ERROR_PROGRAMMER_ERROR, NULL, reply, reply_size);
            }
        }
    }
    for (uint32_t i = 0; i < call->out_len; i++) {
        for (uint32_t j = 0; j < call->in_len; j++) {
            if (ranges_overlap(call->out_addr[i], call->out_size[i], call->in_addr[j],
                               call->in_size[j])) {
                return reply_to_call(call, PSA_ERROR_PROGRAMMER_ERROR, NULL, reply, reply_size);
            }
        }
        for (uint32_t j = 0; j < i; j++) {
            if (ranges_overlap(call->out_addr[i], call->out_size[i], call->out_addr[j],
                               call->out_size[j])) {
                return reply_to_call(call, PSA_ERROR_PROGRAMMER_ERROR, NULL, reply, reply_size);
            }
        }
    }

    /* Disjoint ranges of the shared memory: together no larger than it (plus alignment). */
    size_t need = 0;
    for (uint32_t i = 0; i < call->in_len; i++) {
        need += scratch_round(call->in_size[i]);
    }
    for (uint32_t i = 0; i < call->out_len; i++) {
        need += scratch_round(call->out_size[i]);
    }
    if (!scratch_reserve(need)) {
        return reply_to_call(call, PSA_ERROR_INSUFFICIENT_MEMORY, NULL, reply, reply_size);
    }

    /* A streamed input (the fast path) is waited for before it is copied, or before the call
     * when the service does not read it as it comes; a stream naming no vector of this call is
     * no stream. */
    const rss_channel_stream_t *words = daemon_conn_stream(conn);
    pointer_stream_t ps = {.conn = conn, .words = words};
    uint32_t stream_in = RSS_CHANNEL_NO_VEC, stream_out = RSS_CHANNEL_NO_VEC;
    if (words != NULL && words->in_vec < call->in_len) {
        stream_in = words->in_vec;
        ps.in_size = call->in_size[stream_in];
        if (words->out_vec < call->out_len) {
            stream_out = words->out_vec;
        }
    }
    bool stream_failed = false;

    /* The first input (the crypto iovec header) is copied before anything is decided from it,
     * so the policy and the service see the same function id. */
    psa_invec in[RSS_MSG_MAX_IOVEC];
    psa_outvec out[RSS_MSG_MAX_IOVEC];
    size_t used = 0;
    crypto_vec_policy_t policy = {0};
    for (uint32_t i = 0; i < call->in_len; i++) {
        const uint8_t *shared = rss_shm_at(conn_shm(conn), call->in_addr[i]);
        size_t len = call->in_size[i];
        if (len == 0) {
            in[i] = (psa_invec){NULL, 0};
        } else if ((policy.in_place_in & (1u << i)) != 0) {
            in[i] = (psa_invec){shared, len};
        } else {
            if (i == stream_in && !stream_await(&ps, len)) {
                stream_failed = true;
                break;
            }
            memcpy(scratch + used, shared, len);
            in[i] = (psa_invec){scratch + used, len};
            used += scratch_round(len);
        }
        if (i == 0) {
            enclave_vec_policy(call->handle, in[0].base, in[0].len, &policy);
        }
    }
    if (call->in_len == 0) {
        enclave_vec_policy(call->handle, NULL, 0, &policy);
    }
    for (uint32_t i = 0; i < call->out_len; i++) {
        size_t len = call->out_size[i];
        if (len == 0) {
            out[i] = (psa_outvec){NULL, 0};
        } else if ((policy.in_place_out & (1u << i)) != 0) {
            out[i] = (psa_outvec){rss_shm_at(conn_shm(conn), call->out_addr[i]), len};
        } else {
            out[i] = (psa_outvec){scratch + used, len};
            used += scratch_round(len);
        }
    }

    psa_status_t status = PSA_ERROR_COMMUNICATION_FAILURE;
    if (!stream_failed && stream_in != RSS_CHANNEL_NO_VEC &&
        (policy.streams_in & (1u << stream_in)) == 0) {
        stream_failed = !stream_await(&ps, ps.in_size);
        stream_in = RSS_CHANNEL_NO_VEC; /* all there: an ordinary call now */
    }
    if (!stream_failed && stream_in != RSS_CHANNEL_NO_VEC && ps.in_size > 0) {
        /* Only an output the service writes in place can be published as it goes. */
        bool publish = stream_out != RSS_CHANNEL_NO_VEC && out[stream_out].len > 0 &&
                       (policy.in_place_out & (1u << stream_out)) != 0;
        core_stream_t gate = {
            .in = in[stream_in].base,
            .in_len = in[stream_in].len,
            .out = publish ? out[stream_out].base : NULL,
            .out_len = publish ? out[stream_out].len : 0,
            .await = stream_await,
            .wrote = stream_wrote,
            .ctx = &ps,
        };
        core_stream_begin(&gate);
        status = call_status(call,
                             enclave_dispatch(daemon_conn_caller(conn), call->handle, call->type,
                                              in, call->in_len, out, call->out_len),
                             out);
        core_stream_end();
        stream_failed = gate.failed;
    } else if (!stream_failed) {
        status = call_status(call,
                             enclave_dispatch(daemon_conn_caller(conn), call->handle, call->type,
                                              in, call->in_len, out, call->out_len),
                             out);
    }
    if (stream_failed) {
        status = PSA_ERROR_COMMUNICATION_FAILURE;
    }
    /* Only a successful call's outputs reach the client's memory. The exception is the bulk
     * output the call table lets the service write in place (issue 5: no extra copy of a 1 MiB
     * encryption): the core checks every argument before it writes the first byte there, so
     * only a failure inside OpenSSL can follow such a write, and what was written is this
     * caller's own IV and ciphertext of its own input (docs/crypto-calls.md). */
    for (uint32_t i = 0; status >= PSA_SUCCESS && i < call->out_len; i++) {
        if (out[i].len > 0 && (policy.in_place_out & (1u << i)) == 0) {
            memcpy(rss_shm_at(conn_shm(conn), call->out_addr[i]), out[i].base, out[i].len);
        }
    }
    if (used > 0) {
        OPENSSL_cleanse(scratch, used);
    }
    return reply_to_call(call, status, out, reply, reply_size);
}

size_t enclave_serve_message(enclave_conn_t *conn, const uint8_t *msg, size_t length,
                             size_t full_length, int fd, uint8_t *reply, size_t reply_size)
{
    if (rss_msg_is_ctrl(msg, length)) {
        size_t n = 0;
        if (full_length == length) {
            n = serve_ctrl(conn, msg, length, &fd, reply, reply_size);
        } else if (length >= RSS_MSG_HEADER_SIZE) {
            rss_ctrl_msg_t ctrl;
            rss_msg_decode_ctrl(msg, RSS_MSG_HEADER_SIZE, &ctrl);
            n = rss_msg_encode_ctrl_reply(&ctrl.header, PSA_ERROR_PROGRAMMER_ERROR, reply,
                                          reply_size);
        }
        if (fd >= 0) {
            close(fd);
        }
        return n;
    }
    if (fd >= 0) {
        close(fd); /* descriptors only travel with SHM_SETUP */
    }

    rss_msg_call_t call;
    psa_status_t status = rss_msg_decode_call(msg, length, embed_limit(), &call);
    if (status == PSA_ERROR_COMMUNICATION_FAILURE) {
        return 0; /* no header or unknown protocol: nothing to answer to (sheet §1.7) */
    }
    if (full_length > length) {
        /* Longer than any valid message: the header is known, so answer rather than leave the
         * client waiting (TF-M's MHU drops such frames because it knows nothing of them). */
        status = PSA_ERROR_CONNECTION_BUSY;
    }
    if (status != PSA_SUCCESS) {
        return reply_to_call(&call, status, NULL, reply, reply_size);
    }
    if (daemon_conn_role(conn) == DAEMON_ROLE_REFUSED) {
        return reply_to_call(&call, PSA_ERROR_CONNECTION_REFUSED, NULL, reply, reply_size);
    }
    if (call.header.protocol_ver != RSS_PROTOCOL_EMBED) {
        return serve_pointer(conn, &call, reply, reply_size);
    }

    psa_invec in[RSS_MSG_MAX_IOVEC];
    psa_outvec out[RSS_MSG_MAX_IOVEC];
    for (uint32_t i = 0; i < call.in_len; i++) {
        in[i] = (psa_invec){call.in_data[i], call.in_size[i]};
    }
    /* Outputs are carved from the reply buffer right where the reply's data goes (the decoder
     * has checked that they fit in the embed limit), zeroed first: the buffer is reused, and
     * whatever a service does not write must not be an earlier call's bytes. */
    size_t end = RSS_MSG_EMBED_REPLY_FIXED;
    for (uint32_t i = 0; i < call.out_len; i++) {
        out[i] = (psa_outvec){reply + end, call.out_size[i]};
        end += call.out_size[i];
    }
    if (end > reply_size) {
        return reply_to_call(&call, PSA_ERROR_CONNECTION_BUSY, NULL, reply, reply_size);
    }
    memset(reply + RSS_MSG_EMBED_REPLY_FIXED, 0, end - RSS_MSG_EMBED_REPLY_FIXED);
    status = call_status(&call,
                         enclave_dispatch(daemon_conn_caller(conn), call.handle, call.type, in,
                                          call.in_len, out, call.out_len),
                         out);
    size_t n = reply_to_call(&call, status, out, reply, reply_size);
    /* What the service wrote beyond the reply (a failed call's outputs, bytes it did not report,
     * data the encoder moved down) is wiped now; the caller wipes the reply once it is sent. */
    if (end > n) {
        OPENSSL_cleanse(reply + n, end - n);
    }
    return n;
}

/* ---- on the daemon core ---------------------------------------------------------------------- */

static bool rss_connect(daemon_conn_t *conn)
{
    *conn_shm(conn) = RSS_SHM_EMPTY;
    return true;
}

static void rss_disconnect(daemon_conn_t *conn)
{
    rss_shm_destroy(conn_shm(conn));
}

/* A process's last connection closed: its sessions end in every service. */
static void rss_release_session(const daemon_caller_t *caller, void *ctx)
{
    (void)ctx;
    enclave_release_session(caller);
}

void enclave_rss_protocol(daemon_protocol_t *out)
{
    size_t rx = RSS_MSG_EMBED_CALL_FIXED + embed_limit();
    size_t tx = RSS_MSG_EMBED_REPLY_FIXED + embed_limit();
    *out = (daemon_protocol_t){
        .max_message = rx > RSS_MSG_POINTER_CALL_SIZE ? rx : RSS_MSG_POINTER_CALL_SIZE,
        .max_reply = tx > RSS_MSG_POINTER_REPLY_SIZE ? tx : RSS_MSG_POINTER_REPLY_SIZE,
        .state_size = sizeof(rss_shm_t),
        .serve = enclave_serve_message,
        .connect = rss_connect,
        .disconnect = rss_disconnect,
        .release_session = rss_release_session,
        .thread_exit = enclave_serve_thread_exit,
    };
}

daemon_limits_t enclave_daemon_limits(void)
{
    const enclave_config_t *config = enclave_config();
    return (daemon_limits_t){
        .workers = config->workers,
        .max_busy_workers_per_client = config->max_busy_workers_per_client,
        .max_connections_per_uid = config->max_connections_per_uid,
        .no_fast_path = config->no_fast_path,
    };
}

enclave_conn_t *enclave_conn_new_detached(int32_t client_id, uint64_t session)
{
    daemon_protocol_t protocol;
    enclave_rss_protocol(&protocol);
    return daemon_conn_new_detached(&protocol, client_id, session);
}

void enclave_conn_free_detached(enclave_conn_t *conn)
{
    daemon_protocol_t protocol;
    enclave_rss_protocol(&protocol);
    daemon_conn_free_detached(&protocol, conn);
}
