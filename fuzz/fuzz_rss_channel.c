/* libFuzzer harness: the fast path's channel as rssd serves it, on a real sealed memfd. */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comms/rss_channel.h"
#include "comms/rss_msg.h"
#include "enclave/server.h"
#include "rssd_fuzz_env.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SLOT ((RSS_MSG_EMBED_CALL_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT + 63u) & ~63u)

static enclave_conn_t *fuzz_conn;
static rss_channel_t fuzz_ch; /* the client's view of the page rssd maps too */
static uint8_t rx[RSS_MSG_EMBED_CALL_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT];
static uint8_t reply[RSS_MSG_EMBED_REPLY_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT];
static uint32_t served;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    rssd_fuzz_env_init("rss-channel");
    fuzz_conn = enclave_conn_new_detached(-0x10001, 1);
    size_t size = rss_channel_size_for(SLOT);
    rss_shm_t shm;
    if (rss_shm_create(size, &shm) != PSA_SUCCESS || !rss_channel_init(&fuzz_ch, shm)) {
        abort();
    }
    /* Set up the way a client's CHANNEL_SETUP is: through rssd's control path. */
    uint8_t msg[32];
    rss_ctrl_msg_t ctrl = {.header = {RSS_CTRL_CHANNEL_SETUP, 1, 1}, .shm_size = size};
    size_t n = rss_msg_encode_ctrl(&ctrl, msg, sizeof(msg));
    size_t r =
        enclave_serve_message(fuzz_conn, msg, n, n, dup(fuzz_ch.shm.fd), reply, sizeof(reply));
    if (r != RSS_CTRL_REPLY_SIZE || reply[4] != 0 || reply[5] != 0 || reply[6] != 0 ||
        reply[7] != 0) {
        abort();
    }
    return 0;
}

/*
 * Input: the page's first 8 bytes (req_seq, req_len as the client writes them), 4 bytes of
 * req_taken, then the request slot's bytes. The daemon's side runs as a worker does: pending?
 * take (one copy, cut to the slot and the receive buffer) and claim, serve, publish the reply;
 * then the client's side reads the reply length, which must fit the slot. A request whose
 * req_taken says withdrawn must not be claimed, and a claim must leave req_taken at its seq.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12) {
        return 0;
    }
    memcpy(fuzz_ch.shm.base, data, 8);
    uint32_t taken_before;
    memcpy(&taken_before, data + 8, 4);
    atomic_store(rss_channel_word(&fuzz_ch, RSS_CHANNEL_OFF_REQ_TAKEN), taken_before);
    size_t fill = size - 12 < fuzz_ch.slot ? size - 12 : fuzz_ch.slot;
    memset(rss_channel_request(&fuzz_ch), 0x5a, fuzz_ch.slot);
    memcpy(rss_channel_request(&fuzz_ch), data + 12, fill);
    if (!rss_channel_pending(&fuzz_ch, served)) {
        return 0;
    }
    uint32_t seq = 0;
    size_t full = 0;
    size_t kept = 0;
    bool claimed = rss_channel_take(&fuzz_ch, &seq, &full, rx, sizeof(rx), &kept);
    if (kept > sizeof(rx) || kept > fuzz_ch.slot || kept > full ||
        claimed != (taken_before != ~seq) ||
        (claimed && atomic_load(rss_channel_word(&fuzz_ch, RSS_CHANNEL_OFF_REQ_TAKEN)) != seq)) {
        __builtin_trap();
    }
    served = seq;
    if (!claimed) {
        return 0;
    }
    size_t n = enclave_serve_message(fuzz_conn, rx, kept, full, -1, reply, sizeof(reply));
    if (n > sizeof(reply)) {
        __builtin_trap();
    }
    rss_channel_put_reply(&fuzz_ch, seq, reply, n, true);
    uint32_t hint;
    size_t length = rss_channel_reply_length(&fuzz_ch, &hint);
    if (!rss_channel_answered(&fuzz_ch, seq) || length != n) {
        __builtin_trap();
    }
    return 0;
}
