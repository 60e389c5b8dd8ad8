/* libFuzzer harness: rssd's pointer-access path on a real shared mapping (checks, copies, output),
 * plain and as a streamed fast-path call. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdatomic.h>

#include "comms/rss_channel.h"
#include "comms/rss_msg.h"
#include "comms/transport.h"
#include "enclave/enclave_config.h"
#include "enclave/server.h"
#include "rssd_fuzz_env.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small, so random offsets and sizes often land inside it. */
#define FUZZ_SHM_SIZE 8192u

static enclave_conn_t *fuzz_conn;
static rss_shm_t fuzz_shm; /* the client's view of the mapping rssd maps too */
static uint8_t reply[RSS_MSG_EMBED_REPLY_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT];
/* A streamed call's progress words, as the channel's page holds them. */
static _Atomic uint32_t in_ready, out_done;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    rssd_fuzz_env_init("rssd-ptr");
    /* A stalled stream costs a millisecond, not rssd's 10 s. */
    enclave_config_t config = *enclave_config();
    config.stream_stall_ms = 1;
    enclave_config_set(&config);
    fuzz_conn = enclave_conn_new_detached(-0x10001, 1);
    /* Map the memory into the connection the way a client's SHM_SETUP does. */
    if (rss_shm_create(FUZZ_SHM_SIZE, &fuzz_shm) != PSA_SUCCESS) {
        abort();
    }
    uint8_t msg[32];
    rss_ctrl_msg_t ctrl = {.header = {RSS_CTRL_SHM_SETUP, 1, 1}, .shm_size = FUZZ_SHM_SIZE};
    size_t n = rss_msg_encode_ctrl(&ctrl, msg, sizeof(msg));
    size_t r = enclave_serve_message(fuzz_conn, msg, n, n, dup(fuzz_shm.fd), reply, sizeof(reply));
    if (r < 8 || reply[4] != 0 || reply[5] != 0 || reply[6] != 0 || reply[7] != 0) {
        abort();
    }
    return 0;
}

/*
 * Input: the stream words (in_vec, out_vec: 0xff for none; u32 in_ready), u16 length L, then L
 * bytes written at offset 0 of the shared memory (vectors, headers),
 * then the message; the protocol byte is forced to pointer access. The rest of the mapping is
 * reset to one pattern each run, so every run starts from the same shared memory.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8) {
        return 0;
    }
    rss_channel_stream_t stream = {
        .in_vec = data[0], .out_vec = data[1], .in_ready = &in_ready, .out_done = &out_done};
    uint32_t ready;
    memcpy(&ready, data + 2, 4);
    atomic_store(&in_ready, ready);
    atomic_store(&out_done, 0);
    bool streams = data[0] != RSS_CHANNEL_NO_VEC || data[1] != RSS_CHANNEL_NO_VEC;
    daemon_conn_set_stream(fuzz_conn, streams ? &stream : NULL);
    data += 6;
    size -= 6;
    size_t fill = (size_t)data[0] | ((size_t)data[1] << 8);
    data += 2;
    size -= 2;
    if (fill > size) {
        fill = size;
    }
    if (fill > FUZZ_SHM_SIZE) {
        fill = FUZZ_SHM_SIZE;
    }
    memset(fuzz_shm.base, 0xa5, FUZZ_SHM_SIZE);
    memcpy(fuzz_shm.base, data, fill);
    data += fill;
    size -= fill;
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    if (size > 0) {
        copy[0] = RSS_PROTOCOL_POINTER_ACCESS;
    }
    size_t n = enclave_serve_message(fuzz_conn, copy, size, size, -1, reply, sizeof(reply));
    /* out_done never claims more than the largest vector. */
    if (n > sizeof(reply) || atomic_load(&out_done) > FUZZ_SHM_SIZE) {
        __builtin_trap();
    }
    daemon_conn_set_stream(fuzz_conn, NULL);
    free(copy);
    return 0;
}
