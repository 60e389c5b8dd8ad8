/* RSS comms client: one connection, embed or pointer-access calls, SHM_SETUP, ASSERT_CLIENT. */
#define _GNU_SOURCE
#include "comms/rss_client.h"

#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "comms/rss_channel.h"
#include "comms/rss_msg.h"

/* Header client id: ignored by rssd for plain clients (identity comes from the transport's peer
 * credentials), and nonzero because TF-M refuses 0; TF-A sends 1 too. */
#define CLIENT_HEADER_ID 1u
/* Smallest shared region; pages are only committed when touched. */
#define CLIENT_SHM_MIN_SIZE ((size_t)1 << 20)
#define CLIENT_SHM_ALIGN    64u
/* The fast path: the longest a caller spins for a reply before it sleeps (ns), the least it spins
 * while rssd says it may (a sleep and its wake-up cost more: the socket path's round trip, which
 * is one, takes 55-80 us on the development VM, and a missed spin made one call in nine there
 * pay it), and how often a sleeping caller looks whether rssd is still there (ms). */
#define CLIENT_SPIN_MAX_NS 100000
#define CLIENT_SPIN_MIN_NS 20000
#define CLIENT_SLEEP_MS    100u
/* Streamed calls (docs/rss-comms-linux.md): an input of at least CLIENT_STREAM_MIN bytes is
 * copied into the shared memory in CLIENT_STREAM_CHUNK pieces after the request is posted, so
 * that rssd works on the first piece while the next is copied, and the output comes back the
 * same way; the client keeps copying output while it comes (for at most CLIENT_STREAM_IDLE_NS
 * without any). */
#define CLIENT_STREAM_MIN     ((size_t)128 << 10)
#define CLIENT_STREAM_CHUNK   ((size_t)64 << 10)
#define CLIENT_STREAM_IDLE_NS 50000

struct rss_client {
    rss_transport_t transport;
    rss_shm_t shm; /* base == NULL until the first pointer-access call */
    uint8_t seq;
    /* The fast path: wanted (RSS_FAST_PATH is not "0"), asked for, the channel when granted,
     * its request count, and rssd's last hint: whether to spin, and what the last call took to
     * serve (ns). */
    bool fast_path, channel_asked, channel_on;
    rss_channel_t channel;
    uint32_t channel_seq;
    bool hint;
    int_fast64_t served_ns;
    size_t embed_limit;
    size_t buf_size;
    uint8_t buf[];
};

psa_status_t rss_client_wrap(const rss_transport_t *transport, size_t embed_limit,
                             rss_client_t **out)
{
    size_t buf_size = RSS_MSG_EMBED_CALL_FIXED + embed_limit;
    if (buf_size < RSS_MSG_POINTER_CALL_SIZE) {
        buf_size = RSS_MSG_POINTER_CALL_SIZE;
    }
    rss_client_t *client = calloc(1, sizeof(*client) + buf_size);
    if (client == NULL) {
        rss_transport_t t = *transport;
        rss_transport_close(&t);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    client->transport = *transport;
    client->shm = RSS_SHM_EMPTY;
    client->embed_limit = embed_limit;
    client->buf_size = buf_size;
    const char *fast = secure_getenv("RSS_FAST_PATH");
    client->fast_path = fast == NULL || strcmp(fast, "0") != 0;
    *out = client;
    return PSA_SUCCESS;
}

psa_status_t rss_client_open(const char *address, size_t embed_limit, rss_client_t **out)
{
    rss_transport_t transport;
    psa_status_t status = rss_transport_connect(address, &transport);
    if (status != PSA_SUCCESS) {
        return status;
    }
    return rss_client_wrap(&transport, embed_limit, out);
}

void rss_client_close(rss_client_t *client)
{
    if (client != NULL) {
        rss_transport_close(&client->transport);
        rss_shm_destroy(&client->shm);
        if (client->channel_on) {
            rss_channel_destroy(&client->channel);
        }
        free(client);
    }
}

/* Sends the first message of a call. A pooled connection whose rssd has gone away fails here
 * (EPIPE) before anything was delivered: *stale tells the caller it may safely rerun the call
 * once on a fresh connection, which is how a restarted rssd is picked up transparently. */
static psa_status_t conn_send_first(rss_client_t *conn, size_t length, int fd, bool *stale)
{
    if (rss_transport_send(&conn->transport, conn->buf, length, fd) == PSA_SUCCESS) {
        return PSA_SUCCESS;
    }
    *stale = true;
    return PSA_ERROR_COMMUNICATION_FAILURE;
}

static psa_status_t conn_recv(rss_client_t *conn, size_t *length)
{
    psa_status_t status = rss_transport_recv(&conn->transport, conn->buf, conn->buf_size, length);
    return status == PSA_SUCCESS ? PSA_SUCCESS : PSA_ERROR_COMMUNICATION_FAILURE;
}

/* One control message on the socket (with descriptor fd, -1 for none) and its reply, whose
 * status goes to *reply_status. COMMUNICATION_FAILURE when no matching reply came. */
static psa_status_t conn_ctrl(rss_client_t *conn, rss_ctrl_msg_t *ctrl, int fd, bool *stale,
                              psa_status_t *reply_status)
{
    uint8_t seq = ++conn->seq;
    ctrl->header.seq_num = seq;
    ctrl->header.client_id = CLIENT_HEADER_ID;
    size_t length = rss_msg_encode_ctrl(ctrl, conn->buf, conn->buf_size);
    if (conn_send_first(conn, length, fd, stale) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    rss_msg_header_t header;
    if (conn_recv(conn, &length) != PSA_SUCCESS ||
        rss_msg_decode_ctrl_reply(conn->buf, length, &header, reply_status) != PSA_SUCCESS ||
        header.protocol_ver != ctrl->header.protocol_ver || header.seq_num != seq) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return PSA_SUCCESS;
}

static int_fast64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int_fast64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* How long to spin for this call's reply: about what the last call took rssd to serve, plus the
 * transport, but no less than CLIENT_SPIN_MIN_NS, when rssd said no other worker was busy and
 * that is under the cap. */
static int_fast64_t spin_budget(const rss_client_t *conn)
{
    int_fast64_t expect = conn->served_ns;
    if (!conn->hint || expect > CLIENT_SPIN_MAX_NS) {
        return 0;
    }
    int_fast64_t budget = expect + expect / 2 + 2000;
    if (budget < CLIENT_SPIN_MIN_NS) {
        return CLIENT_SPIN_MIN_NS;
    }
    return budget > CLIENT_SPIN_MAX_NS ? CLIENT_SPIN_MAX_NS : budget;
}

/* Whether rssd has hung up (the fast path's wait has no socket to see it on otherwise). */
static bool peer_gone(const rss_client_t *conn)
{
    struct pollfd p = {.fd = rss_transport_poll_handle(&conn->transport), .events = POLLRDHUP};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* DOORBELL on the socket: a request waits in the channel. False when rssd is gone. */
static bool ring_doorbell(rss_client_t *conn)
{
    uint8_t bell[RSS_MSG_HEADER_SIZE];
    rss_ctrl_msg_t ctrl = {.header = {.protocol_ver = RSS_CTRL_DOORBELL,
                                      .seq_num = conn->seq,
                                      .client_id = CLIENT_HEADER_ID}};
    size_t n = rss_msg_encode_ctrl(&ctrl, bell, sizeof(bell));
    return rss_transport_send(&conn->transport, bell, n, -1) == PSA_SUCCESS;
}

/* A streamed call's two copies, done while rssd serves it: the input from the caller's buffer
 * into the shared memory, the output back as rssd finishes it (out_dst NULL: at the end). */
typedef struct client_feed {
    rss_channel_stream_t words;
    const uint8_t *in_src;
    uint8_t *in_dst;
    size_t in_len;
    const uint8_t *out_src;
    uint8_t *out_dst;
    size_t out_size;
    size_t out_copied;
} client_feed_t;

/* Copies what rssd has finished of the output since the last look; true when there was some. */
static bool feed_output(client_feed_t *f)
{
    if (f->out_dst == NULL) {
        return false;
    }
    size_t done = atomic_load_explicit(f->words.out_done, memory_order_acquire);
    if (done > f->out_size) {
        done = f->out_size;
    }
    if (done <= f->out_copied) {
        return false;
    }
    memcpy(f->out_dst + f->out_copied, f->out_src + f->out_copied, done - f->out_copied);
    f->out_copied = done;
    return true;
}

/* Feeds the input piece by piece (stopping early if rssd has answered already), then copies
 * output for as long as it keeps coming. */
static void feed_run(const rss_channel_t *ch, uint32_t seq, client_feed_t *f)
{
    for (size_t done = 0; done < f->in_len && !rss_channel_answered(ch, seq);) {
        size_t n = f->in_len - done < CLIENT_STREAM_CHUNK ? f->in_len - done : CLIENT_STREAM_CHUNK;
        memcpy(f->in_dst + done, f->in_src + done, n);
        done += n;
        atomic_store_explicit(f->words.in_ready, (uint32_t)done, memory_order_release);
        feed_output(f);
    }
    if (f->out_dst == NULL) {
        return;
    }
    int_fast64_t idle_since = now_ns();
    for (unsigned i = 1; !rss_channel_answered(ch, seq) && f->out_copied < f->out_size; i++) {
        if (feed_output(f)) {
            idle_since = now_ns();
            continue;
        }
        rss_channel_relax();
        if (i % 16 == 0) {
            if (now_ns() - idle_since > CLIENT_STREAM_IDLE_NS) {
                break;
            }
            if (i % 64 == 0) {
                sched_yield();
            }
        }
    }
}

/* One call through the channel: the request in conn->buf (length bytes) goes out, the reply
 * comes back into conn->buf (*length). The doorbell is rung only when no worker polls. When
 * rssd has gone away meanwhile (or shut the connection down), a reply it published still
 * counts; without one, the call may be rerun on a new connection (*stale) only if the client
 * could withdraw the request before rssd claimed it (req_taken), since then it never runs. */
static psa_status_t channel_exchange(rss_client_t *conn, size_t *length, client_feed_t *feed,
                                     bool *stale)
{
    const rss_channel_t *ch = &conn->channel;
    uint32_t seq = ++conn->channel_seq;
    if (feed != NULL) {
        rss_channel_stream_start(ch, seq, feed->words.in_vec, feed->words.out_vec, &feed->words);
    }
    int_fast64_t start = now_ns();
    bool lost = rss_channel_post(ch, seq, conn->buf, *length) && !ring_doorbell(conn);
    if (feed != NULL && !lost) {
        feed_run(ch, seq, feed);
        start = now_ns();
    }
    bool answered = false;
    int_fast64_t deadline = start + spin_budget(conn);
    for (unsigned i = 1; !answered && !lost; i++) {
        answered = rss_channel_answered(ch, seq);
        if (!answered) {
            rss_channel_relax();
        }
        if (!answered && i % 16 == 0) {
            if (now_ns() > deadline) {
                break;
            }
            if (i % 64 == 0) {
                sched_yield();
            }
        }
    }
    while (!answered && !lost) {
        answered = rss_channel_sleep(ch, seq, CLIENT_SLEEP_MS);
        /* Asleep for long: ring again, so that no lost wake-up can outlast a timeout. */
        lost = !answered && (peer_gone(conn) || !ring_doorbell(conn));
    }
    if (lost && !rss_channel_answered(ch, seq)) {
        /* Withdrawn, it never runs: the caller may rerun it on a new connection. Claimed, it
         * may have run, unless its answer came meanwhile. */
        *stale = rss_channel_withdraw(ch, seq);
        if (*stale || !rss_channel_answered(ch, seq)) {
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
    }
    uint32_t hint = 0;
    size_t n = rss_channel_reply_length(ch, &hint);
    conn->hint = hint != 0;
    conn->served_ns = hint != 0 ? (int_fast64_t)(hint - 1) * 1000 : 0;
    if (n == 0 || n > conn->buf_size) {
        return PSA_ERROR_COMMUNICATION_FAILURE; /* unanswered, or longer than any reply */
    }
    memcpy(conn->buf, rss_channel_reply(ch), n);
    *length = n;
    return PSA_SUCCESS;
}

/* Sends the call in conn->buf and receives its reply there: through the channel when there is
 * one, else on the socket. */
static psa_status_t conn_exchange(rss_client_t *conn, size_t *length, bool *stale)
{
    if (conn->channel_on) {
        return channel_exchange(conn, length, NULL, stale);
    }
    if (conn_send_first(conn, *length, -1, stale) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return conn_recv(conn, length);
}

/* Asks rssd for the fast path's channel once per connection; a refusal (--no-fast-path, a
 * smaller slot than rssd's messages) keeps the socket path. */
static psa_status_t conn_ensure_channel(rss_client_t *conn, bool *stale)
{
    conn->channel_asked = true;
    size_t slot = (conn->buf_size + 63u) & ~(size_t)63u;
    size_t size = rss_channel_size_for(slot);
    rss_shm_t shm;
    if (rss_transport_shm_create(&conn->transport, size, &shm) != PSA_SUCCESS) {
        return PSA_SUCCESS; /* no memory for it: the socket path serves */
    }
    rss_ctrl_msg_t ctrl = {.header.protocol_ver = RSS_CTRL_CHANNEL_SETUP, .shm_size = size};
    psa_status_t reply_status;
    if (conn_ctrl(conn, &ctrl, rss_shm_handle(&shm), stale, &reply_status) != PSA_SUCCESS) {
        rss_shm_destroy(&shm);
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    if (reply_status != PSA_SUCCESS || !rss_channel_init(&conn->channel, shm)) {
        rss_shm_destroy(&shm);
        return PSA_SUCCESS;
    }
    conn->channel_on = true;
    conn->hint = true;
    return PSA_SUCCESS;
}

static bool reply_matches(const rss_msg_reply_t *reply, uint8_t protocol, uint8_t seq)
{
    return reply->header.protocol_ver == protocol && reply->header.seq_num == seq;
}

static psa_status_t call_embed(rss_client_t *conn, psa_handle_t service, int32_t type,
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
    if (conn_exchange(conn, &length, stale) != PSA_SUCCESS) {
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
static psa_status_t conn_ensure_shm(rss_client_t *conn, size_t need, bool *stale)
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
    rss_ctrl_msg_t ctrl = {.header.protocol_ver = RSS_CTRL_SHM_SETUP, .shm_size = size};
    psa_status_t reply_status;
    if (conn_ctrl(conn, &ctrl, rss_shm_handle(&shm), stale, &reply_status) != PSA_SUCCESS ||
        reply_status != PSA_SUCCESS) {
        rss_shm_destroy(&shm);
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    rss_shm_destroy(&conn->shm);
    conn->shm = shm;
    return PSA_SUCCESS;
}

static psa_status_t call_pointer(rss_client_t *conn, psa_handle_t service, int32_t type,
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
    /* On the fast path the largest input, when large, streams: it is copied after the request
     * goes out, while rssd works on it. */
    size_t stream_in = PSA_MAX_IOVEC, stream_out = PSA_MAX_IOVEC;
    for (size_t i = 0; conn->channel_on && i < in_len; i++) {
        if (in[i].len >= CLIENT_STREAM_MIN &&
            (stream_in == PSA_MAX_IOVEC || in[i].len > in[stream_in].len)) {
            stream_in = i;
        }
    }
    /* Its output comes back as it is finished, unless writing it early could overwrite input
     * still to be fed (the caller's buffers overlap). */
    for (size_t i = 0; stream_in != PSA_MAX_IOVEC && i < out_len; i++) {
        if (out[i].len > 0 && (stream_out == PSA_MAX_IOVEC || out[i].len > out[stream_out].len)) {
            stream_out = i;
        }
    }
    if (stream_out != PSA_MAX_IOVEC) {
        uintptr_t a = (uintptr_t)in[stream_in].base, b = (uintptr_t)out[stream_out].base;
        if (a < b + out[stream_out].len && b < a + in[stream_in].len) {
            stream_out = PSA_MAX_IOVEC;
        }
    }
    /* Inputs packed first, then room for the outputs, as Trusted Services lays out its carveout. */
    size_t offset = 0;
    for (size_t i = 0; i < in_len; i++) {
        if (in[i].len > 0 && i != stream_in) {
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
    client_feed_t feed = {0};
    if (stream_in != PSA_MAX_IOVEC) {
        feed.words.in_vec = (uint8_t)stream_in;
        feed.words.out_vec = stream_out != PSA_MAX_IOVEC ? (uint8_t)stream_out : RSS_CHANNEL_NO_VEC;
        feed.in_src = in[stream_in].base;
        feed.in_dst = rss_shm_at(&conn->shm, call.in_addr[stream_in]);
        feed.in_len = in[stream_in].len;
        if (stream_out != PSA_MAX_IOVEC) {
            feed.out_src = rss_shm_at(&conn->shm, call.out_addr[stream_out]);
            feed.out_dst = out[stream_out].base;
            feed.out_size = out[stream_out].len;
        }
        status = channel_exchange(conn, &length, &feed, stale);
    } else {
        status = conn_exchange(conn, &length, stale);
    }
    rss_msg_reply_t reply;
    if (status == PSA_SUCCESS && (rss_msg_decode_reply(conn->buf, length, &reply) != PSA_SUCCESS ||
                                  !reply_matches(&reply, RSS_PROTOCOL_POINTER_ACCESS, seq))) {
        status = PSA_ERROR_COMMUNICATION_FAILURE;
    }
    for (size_t i = 0; status == PSA_SUCCESS && i < RSS_MSG_MAX_IOVEC; i++) {
        if ((i < out_len && reply.out_size[i] > out[i].len) ||
            (i >= out_len && reply.out_size[i] != 0)) {
            status = PSA_ERROR_COMMUNICATION_FAILURE;
        }
    }
    if (status != PSA_SUCCESS || reply.status < PSA_SUCCESS) {
        /* Output copied early belongs to a call that failed: none of it stays. */
        if (feed.out_copied > 0) {
            memset(feed.out_dst, 0, feed.out_copied);
        }
        return status != PSA_SUCCESS ? PSA_ERROR_COMMUNICATION_FAILURE : reply.status;
    }
    for (size_t i = 0; i < out_len; i++) {
        size_t from = i == stream_out ? feed.out_copied : 0;
        uint8_t *dst = out[i].base;
        if (reply.out_size[i] > from) {
            memcpy(dst + from, rss_shm_at(&conn->shm, call.out_addr[i]) + from,
                   reply.out_size[i] - from);
        } else if (from > reply.out_size[i]) {
            memset(dst + reply.out_size[i], 0, from - reply.out_size[i]);
        }
        out[i].len = reply.out_size[i];
    }
    return reply.status;
}

psa_status_t rss_client_check(int32_t type, const psa_invec *in, size_t in_len,
                              const psa_outvec *out, size_t out_len)
{
    if (in_len > PSA_MAX_IOVEC || out_len > PSA_MAX_IOVEC || in_len + out_len > PSA_MAX_IOVEC ||
        type < PSA_CALL_TYPE_MIN || type > PSA_CALL_TYPE_MAX || (in_len > 0 && in == NULL) ||
        (out_len > 0 && out == NULL)) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    for (size_t i = 0; i < in_len; i++) {
        if ((in[i].len > 0 && in[i].base == NULL) || in[i].len > UINT32_MAX) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
    }
    for (size_t i = 0; i < out_len; i++) {
        if ((out[i].len > 0 && out[i].base == NULL) || out[i].len > UINT32_MAX) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
    }
    return PSA_SUCCESS;
}

psa_status_t rss_client_call(rss_client_t *conn, psa_handle_t service, int32_t type,
                             const psa_invec *in, size_t in_len, psa_outvec *out, size_t out_len,
                             bool *stale)
{
    uint64_t in_total = 0, out_total = 0;
    bool fits_u16 = true;
    for (size_t i = 0; i < in_len; i++) {
        in_total += in[i].len;
        fits_u16 = fits_u16 && in[i].len <= RSS_MSG_EMBED_MAX_VECTOR;
    }
    for (size_t i = 0; i < out_len; i++) {
        out_total += out[i].len;
        fits_u16 = fits_u16 && out[i].len <= RSS_MSG_EMBED_MAX_VECTOR;
    }
    if (conn->fast_path && !conn->channel_asked &&
        conn_ensure_channel(conn, stale) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    /* Embed when inputs and outputs fit in the payload buffer rssd carves both from (so the
     * reply, 16 + outputs, fits too); pointer access otherwise. */
    if (!fits_u16 || in_total + out_total > conn->embed_limit) {
        return call_pointer(conn, service, type, in, in_len, out, out_len, stale);
    }
    size_t saved_len[PSA_MAX_IOVEC];
    for (size_t i = 0; i < out_len; i++) {
        saved_len[i] = out[i].len;
    }
    bool busy = false;
    psa_status_t status = call_embed(conn, service, type, in, in_len, out, out_len, &busy, stale);
    if (busy) {
        /* A server configured with a smaller embed limit refuses the message; pointer access
         * has no such limit. */
        for (size_t i = 0; i < out_len; i++) {
            out[i].len = saved_len[i];
        }
        status = call_pointer(conn, service, type, in, in_len, out, out_len, stale);
    }
    return status;
}

psa_status_t rss_client_assert_client(rss_client_t *conn, int32_t client_id)
{
    rss_ctrl_msg_t ctrl = {.header.protocol_ver = RSS_CTRL_ASSERT_CLIENT, .client_id = client_id};
    bool stale = false;
    psa_status_t reply_status;
    if (conn_ctrl(conn, &ctrl, -1, &stale, &reply_status) != PSA_SUCCESS) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return reply_status;
}
