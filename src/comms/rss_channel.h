/* The fast path: a call channel in shared memory beside a connection's socket. */
#ifndef COMMS_RSS_CHANNEL_H
#define COMMS_RSS_CHANNEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "comms/transport.h"

/*
 * One region per connection (a sealed memfd announced with CHANNEL_SETUP, docs/rss-comms-linux.md
 * "The fast path"): a page of control words, then a request slot and a reply slot of `slot`
 * bytes each, which carry the same RSS comms messages as the socket, byte for byte. Words are
 * 32-bit in host byte order, each on its own cache line:
 *   0   req_seq   the client's count of requests; a new value publishes the request slot
 *   4   req_len   the request's length
 *   64  rep_seq   the daemon's: set to the req_seq it answers once the reply slot is written
 *                 (the word the client sleeps on with a futex)
 *   68  rep_len   the reply's length (0: the message had no answer)
 *   72  rep_hint  0 when other workers were busy as it replied (the client should not spin
 *                 for its next reply), else 1 + the microseconds the call took to serve
 *   128 client_sleeping  1 while the client sleeps on rep_seq (the daemon must wake it)
 *   192 daemon_polling   1 while a worker spins on req_seq (the client need not ring)
 *   256 req_taken which side has a request: the daemon claims request seq by swapping in seq
 *                 before it serves it; a client giving up on seq withdraws it by swapping in
 *                 ~seq. Both compare-and-swap, so exactly one wins: a withdrawn request never
 *                 runs, and only a withdrawn one may be rerun on a new connection.
 *   320 stream_seq  the request whose input streams (any other value: none streams)
 *   324 stream_vecs byte 0: the pointer-access in_vec still being written, byte 1: the out_vec
 *                   whose progress the daemon publishes (0xff: none)
 *   384 in_ready    the client's: bytes of that in_vec written so far (store-release)
 *   448 out_done    the daemon's: bytes at the start of that out_vec that are final
 * One request in flight; a request that finds no worker polling rings the DOORBELL on the socket.
 * Both ends treat the page as hostile: the daemon copies a request out before parsing it and
 * never trusts a length or sequence number it has not checked; a client that scribbles on the
 * page only garbles its own calls.
 */
#define RSS_CHANNEL_HEADER_SIZE 4096u
#define RSS_CHANNEL_MIN_SLOT    64u
/* Largest channel region: two slots for the largest embed limit (1 MiB) and the header. */
#define RSS_CHANNEL_MAX_SIZE ((size_t)(RSS_CHANNEL_HEADER_SIZE + 2u * ((1u << 20) + 4096u)))

#define RSS_CHANNEL_OFF_REQ_SEQ         0u
#define RSS_CHANNEL_OFF_REQ_LEN         4u
#define RSS_CHANNEL_OFF_REP_SEQ         64u
#define RSS_CHANNEL_OFF_REP_LEN         68u
#define RSS_CHANNEL_OFF_REP_HINT        72u
#define RSS_CHANNEL_OFF_CLIENT_SLEEPING 128u
#define RSS_CHANNEL_OFF_DAEMON_POLLING  192u
#define RSS_CHANNEL_OFF_REQ_TAKEN       256u
#define RSS_CHANNEL_OFF_STREAM_SEQ      320u
#define RSS_CHANNEL_OFF_STREAM_VECS     324u
#define RSS_CHANNEL_OFF_IN_READY        384u
#define RSS_CHANNEL_OFF_OUT_DONE        448u
#define RSS_CHANNEL_NO_VEC              0xffu

typedef struct rss_channel {
    rss_shm_t shm;
    size_t slot; /* bytes of each slot */
} rss_channel_t;

/* The region size for slots of slot bytes (a whole number of pages). */
size_t rss_channel_size_for(size_t slot);
/* The slot size of a region of size bytes; 0 when it is not a valid channel size (smaller than
 * the header and two minimal slots, larger than RSS_CHANNEL_MAX_SIZE, not a multiple of 64). */
size_t rss_channel_slot_of(uint64_t size);
/* Takes over a mapped region (checked with rss_channel_slot_of); false leaves shm untouched. */
bool rss_channel_init(rss_channel_t *ch, rss_shm_t shm);
void rss_channel_destroy(rss_channel_t *ch);

_Atomic uint32_t *rss_channel_word(const rss_channel_t *ch, size_t offset);
uint8_t *rss_channel_request(const rss_channel_t *ch);
uint8_t *rss_channel_reply(const rss_channel_t *ch);

/* A streamed request (docs/rss-comms-linux.md "Streamed calls"): which pointer-access vectors
 * move while the call runs, and the two progress words. */
typedef struct rss_channel_stream {
    uint8_t in_vec;  /* RSS_CHANNEL_NO_VEC: none */
    uint8_t out_vec; /* RSS_CHANNEL_NO_VEC: none */
    _Atomic uint32_t *in_ready;
    _Atomic uint32_t *out_done;
} rss_channel_stream_t;

/* ---- the daemon's side ---- */

/* Whether a request other than the one answered last (*served) waits. */
bool rss_channel_pending(const rss_channel_t *ch, uint32_t served);
/*
 * Copies the waiting request into buf (size bytes) and claims it (req_taken): *seq gets its
 * sequence number, *full its length as the page says, and *kept how many bytes were copied (the
 * length cut to the slot and to size; a cut message is to be answered as too long). Reads each
 * control word once, so a client rewriting them meanwhile changes nothing the caller decided
 * on. False when the client has withdrawn the request (or keeps rewriting req_taken): it is not
 * to be served, and gets no answer.
 */
bool rss_channel_take(const rss_channel_t *ch, uint32_t *seq, size_t *full, uint8_t *buf,
                      size_t size, size_t *kept);
/* Publishes the answer to request seq: length bytes (0: none) into the reply slot, the hint
 * (rep_hint above), then rep_seq; wakes the client if it sleeps. False when the reply does not
 * fit the slot (an empty answer is published instead). */
bool rss_channel_put_reply(const rss_channel_t *ch, uint32_t seq, const uint8_t *reply,
                           size_t length, uint32_t hint);
/* What streams in request seq (just taken): read once; both vectors RSS_CHANNEL_NO_VEC when the
 * request streams nothing. False when nothing streams. */
bool rss_channel_stream_of(const rss_channel_t *ch, uint32_t seq, rss_channel_stream_t *stream);
/* The daemon's polling flag. Clearing it is followed by a full barrier: the caller looks at
 * rss_channel_pending once more afterwards, so a request published meanwhile is not missed. */
void rss_channel_set_polling(const rss_channel_t *ch, bool polling);

/* ---- the client's side ---- */

/* Writes request length bytes (at most the slot), publishes it as seq; true when no worker is
 * polling, so the caller must ring the doorbell. */
bool rss_channel_post(const rss_channel_t *ch, uint32_t seq, const uint8_t *msg, size_t length);
/* Makes request seq (posted next) a streamed one: in_vec's bytes follow with
 * rss_channel_stream_fed, out_vec's come back as out_done grows. Progress words start at 0. */
void rss_channel_stream_start(const rss_channel_t *ch, uint32_t seq, uint8_t in_vec,
                              uint8_t out_vec, rss_channel_stream_t *stream);
/* Whether the reply to seq is there. */
bool rss_channel_answered(const rss_channel_t *ch, uint32_t seq);
/* Withdraws request seq unless the daemon has claimed it: true when withdrawn (the daemon will
 * never serve it), false when claimed (it may have run). */
bool rss_channel_withdraw(const rss_channel_t *ch, uint32_t seq);
/* Sleeps until the reply to seq is there or timeout_ms passes; false on timeout. */
bool rss_channel_sleep(const rss_channel_t *ch, uint32_t seq, unsigned timeout_ms);
/* The reply to seq, once answered: its length (SIZE_MAX when longer than the slot), and the
 * hint (rep_hint). */
size_t rss_channel_reply_length(const rss_channel_t *ch, uint32_t *hint);

/* A spin-loop pause (the CPU's hint that this is a busy wait). */
void rss_channel_relax(void);

#endif /* COMMS_RSS_CHANNEL_H */
