/* The fast path's channel: control words, the two slots, futex sleep and wake. */
#define _GNU_SOURCE
#include "comms/rss_channel.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

size_t rss_channel_size_for(size_t slot)
{
    size_t size = RSS_CHANNEL_HEADER_SIZE + 2 * slot;
    return (size + 4095u) & ~(size_t)4095u;
}

size_t rss_channel_slot_of(uint64_t size)
{
    if (size < RSS_CHANNEL_HEADER_SIZE + 2u * RSS_CHANNEL_MIN_SLOT || size > RSS_CHANNEL_MAX_SIZE ||
        size % 64u != 0) {
        return 0;
    }
    return (size_t)((size - RSS_CHANNEL_HEADER_SIZE) / 2u) & ~(size_t)63u;
}

bool rss_channel_init(rss_channel_t *ch, rss_shm_t shm)
{
    size_t slot = rss_channel_slot_of(shm.size);
    if (slot == 0 || shm.base == NULL) {
        return false;
    }
    ch->shm = shm;
    ch->slot = slot;
    return true;
}

void rss_channel_destroy(rss_channel_t *ch)
{
    rss_shm_destroy(&ch->shm);
    ch->slot = 0;
}

_Atomic uint32_t *rss_channel_word(const rss_channel_t *ch, size_t offset)
{
    return (_Atomic uint32_t *)(void *)(ch->shm.base + offset);
}

uint8_t *rss_channel_request(const rss_channel_t *ch)
{
    return ch->shm.base + RSS_CHANNEL_HEADER_SIZE;
}

uint8_t *rss_channel_reply(const rss_channel_t *ch)
{
    return ch->shm.base + RSS_CHANNEL_HEADER_SIZE + ch->slot;
}

static long futex(_Atomic uint32_t *word, int op, uint32_t value, const struct timespec *timeout)
{
    /* Not FUTEX_PRIVATE_FLAG: the word is in memory two processes map. */
    return syscall(SYS_futex, (uint32_t *)(void *)word, op, value, timeout, NULL, 0);
}

void rss_channel_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    atomic_signal_fence(memory_order_seq_cst);
#endif
}

/* ---- daemon ---- */

bool rss_channel_pending(const rss_channel_t *ch, uint32_t served)
{
    return atomic_load_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_REQ_SEQ),
                                memory_order_acquire) != served;
}

bool rss_channel_take(const rss_channel_t *ch, uint32_t *seq, size_t *full, uint8_t *buf,
                      size_t size, size_t *kept)
{
    *seq =
        atomic_load_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_REQ_SEQ), memory_order_acquire);
    uint32_t length =
        atomic_load_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_REQ_LEN), memory_order_relaxed);
    *full = length;
    size_t n = length;
    if (n > ch->slot) {
        n = ch->slot;
    }
    if (n > size) {
        n = size;
    }
    /* One copy: whatever the client writes from now on is not what is parsed. */
    memcpy(buf, rss_channel_request(ch), n);
    *kept = n;
    /* The claim. An honest client changes req_taken at most once per request (its withdrawal),
     * so a second failed swap means a client rewriting the word: only its own call is lost. */
    _Atomic uint32_t *taken = rss_channel_word(ch, RSS_CHANNEL_OFF_REQ_TAKEN);
    uint32_t seen = atomic_load(taken);
    for (int tries = 0; tries < 2; tries++) {
        if (seen == ~*seq) {
            return false;
        }
        if (atomic_compare_exchange_strong(taken, &seen, *seq)) {
            return true;
        }
    }
    return false;
}

bool rss_channel_put_reply(const rss_channel_t *ch, uint32_t seq, const uint8_t *reply,
                           size_t length, uint32_t hint)
{
    bool fits = length <= ch->slot;
    if (!fits) {
        length = 0;
    }
    if (length > 0) {
        memcpy(rss_channel_reply(ch), reply, length);
    }
    atomic_store_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_REP_LEN), (uint32_t)length,
                          memory_order_relaxed);
    atomic_store_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_REP_HINT), hint,
                          memory_order_relaxed);
    /* Sequentially consistent with the client's store of client_sleeping: either it sees the
     * reply before it sleeps, or this sees it sleeping and wakes it. */
    atomic_store(rss_channel_word(ch, RSS_CHANNEL_OFF_REP_SEQ), seq);
    if (atomic_load(rss_channel_word(ch, RSS_CHANNEL_OFF_CLIENT_SLEEPING)) != 0) {
        futex(rss_channel_word(ch, RSS_CHANNEL_OFF_REP_SEQ), FUTEX_WAKE, INT_MAX, NULL);
    }
    return fits;
}

bool rss_channel_stream_of(const rss_channel_t *ch, uint32_t seq, rss_channel_stream_t *stream)
{
    *stream = (rss_channel_stream_t){
        .in_vec = RSS_CHANNEL_NO_VEC,
        .out_vec = RSS_CHANNEL_NO_VEC,
        .in_ready = rss_channel_word(ch, RSS_CHANNEL_OFF_IN_READY),
        .out_done = rss_channel_word(ch, RSS_CHANNEL_OFF_OUT_DONE),
    };
    /* Published before req_seq, which rss_channel_take loaded with acquire. */
    if (atomic_load_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_STREAM_SEQ),
                             memory_order_relaxed) != seq) {
        return false;
    }
    uint32_t vecs = atomic_load_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_STREAM_VECS),
                                         memory_order_relaxed);
    stream->in_vec = (uint8_t)(vecs & 0xffu);
    stream->out_vec = (uint8_t)((vecs >> 8) & 0xffu);
    return stream->in_vec != RSS_CHANNEL_NO_VEC || stream->out_vec != RSS_CHANNEL_NO_VEC;
}

void rss_channel_set_polling(const rss_channel_t *ch, bool polling)
{
    atomic_store(rss_channel_word(ch, RSS_CHANNEL_OFF_DAEMON_POLLING), polling ? 1u : 0u);
    /* The caller's next look at req_seq (an acquire load) must not be ordered before this. */
    atomic_thread_fence(memory_order_seq_cst);
}

/* ---- client ---- */

bool rss_channel_post(const rss_channel_t *ch, uint32_t seq, const uint8_t *msg, size_t length)
{
    memcpy(rss_channel_request(ch), msg, length);
    atomic_store_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_REQ_LEN), (uint32_t)length,
                          memory_order_relaxed);
    /* Sequentially consistent with the daemon clearing daemon_polling and looking again. */
    atomic_store(rss_channel_word(ch, RSS_CHANNEL_OFF_REQ_SEQ), seq);
    return atomic_load(rss_channel_word(ch, RSS_CHANNEL_OFF_DAEMON_POLLING)) == 0;
}

void rss_channel_stream_start(const rss_channel_t *ch, uint32_t seq, uint8_t in_vec,
                              uint8_t out_vec, rss_channel_stream_t *stream)
{
    *stream = (rss_channel_stream_t){
        .in_vec = in_vec,
        .out_vec = out_vec,
        .in_ready = rss_channel_word(ch, RSS_CHANNEL_OFF_IN_READY),
        .out_done = rss_channel_word(ch, RSS_CHANNEL_OFF_OUT_DONE),
    };
    /* All published by the post's store of req_seq. No earlier request of this client runs any
     * more, so nothing else writes these words now. */
    atomic_store_explicit(stream->in_ready, 0u, memory_order_relaxed);
    atomic_store_explicit(stream->out_done, 0u, memory_order_relaxed);
    atomic_store_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_STREAM_VECS),
                          (uint32_t)in_vec | (uint32_t)out_vec << 8, memory_order_relaxed);
    atomic_store_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_STREAM_SEQ), seq,
                          memory_order_relaxed);
}

bool rss_channel_answered(const rss_channel_t *ch, uint32_t seq)
{
    return atomic_load_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_REP_SEQ),
                                memory_order_acquire) == seq;
}

bool rss_channel_withdraw(const rss_channel_t *ch, uint32_t seq)
{
    _Atomic uint32_t *taken = rss_channel_word(ch, RSS_CHANNEL_OFF_REQ_TAKEN);
    uint32_t seen = atomic_load(taken);
    while (seen != seq) {
        if (atomic_compare_exchange_strong(taken, &seen, ~seq)) {
            return true;
        }
    }
    return false;
}

bool rss_channel_sleep(const rss_channel_t *ch, uint32_t seq, unsigned timeout_ms)
{
    _Atomic uint32_t *rep = rss_channel_word(ch, RSS_CHANNEL_OFF_REP_SEQ);
    _Atomic uint32_t *sleeping = rss_channel_word(ch, RSS_CHANNEL_OFF_CLIENT_SLEEPING);
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += timeout_ms / 1000;
    end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (end.tv_nsec >= 1000000000L) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000L;
    }
    atomic_store(sleeping, 1u);
    bool answered = false;
    for (;;) {
        uint32_t seen = atomic_load(rep);
        if (seen == seq) {
            answered = true;
            break;
        }
        struct timespec now, left;
        clock_gettime(CLOCK_MONOTONIC, &now);
        left.tv_sec = end.tv_sec - now.tv_sec;
        left.tv_nsec = end.tv_nsec - now.tv_nsec;
        if (left.tv_nsec < 0) {
            left.tv_sec--;
            left.tv_nsec += 1000000000L;
        }
        if (left.tv_sec < 0) {
            break;
        }
        if (futex(rep, FUTEX_WAIT, seen, &left) != 0 && errno == ETIMEDOUT) {
            answered = atomic_load(rep) == seq;
            break;
        }
    }
    atomic_store(sleeping, 0u);
    if (answered) {
        atomic_thread_fence(memory_order_acquire);
    }
    return answered;
}

size_t rss_channel_reply_length(const rss_channel_t *ch, uint32_t *hint)
{
    uint32_t length =
        atomic_load_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_REP_LEN), memory_order_relaxed);
    *hint =
        atomic_load_explicit(rss_channel_word(ch, RSS_CHANNEL_OFF_REP_HINT), memory_order_relaxed);
    return length <= ch->slot ? length : SIZE_MAX;
}
