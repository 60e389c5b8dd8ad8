/* libFuzzer harness: rssd's pointer-access path on a real shared mapping (checks, copies, output). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

#include "comms/rss_msg.h"
#include "comms/transport.h"
#include "crypto/core.h"
#include "enclave/enclave.h"
#include "enclave/enclave_config.h"
#include "enclave/server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small, so random offsets and sizes often land inside it. */
#define FUZZ_SHM_SIZE 8192u

static enclave_conn_t *fuzz_conn;
static rss_shm_t fuzz_shm; /* the client's view of the mapping rssd maps too */
static char fuzz_dir[] = "/tmp/fuzz-rssd-ptr.XXXXXX";
static uint8_t reply[RSS_MSG_EMBED_REPLY_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void fuzz_exit(void)
{
    enclave_serve_thread_exit();
    nftw(fuzz_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (mkdtemp(fuzz_dir) == NULL) {
        abort();
    }
    atexit(fuzz_exit);
    char its_dir[64], ps_dir[64];
    snprintf(its_dir, sizeof(its_dir), "%s/its", fuzz_dir);
    snprintf(ps_dir, sizeof(ps_dir), "%s/ps", fuzz_dir);
    its_store_config_t ic = {.dir = its_dir};
    ps_store_config_t pc = {.trusted_dir = its_dir, .external_dir = ps_dir};
    its_store_t *its = NULL;
    ps_store_t *ps = NULL;
    if (its_store_open(&ic, &its) != PSA_SUCCESS || ps_store_open(&pc, &ps) != PSA_SUCCESS) {
        abort();
    }
    enclave_storage_set(its, ps);
    core_config_t config = {.volatile_id_min = ENCLAVE_VOLATILE_ID_MIN,
                            .volatile_id_max = ENCLAVE_VOLATILE_ID_MAX};
    if (core_crypto_init(&config) != PSA_SUCCESS) {
        abort();
    }
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
 * Input: u16 length L, then L bytes written at offset 0 of the shared memory (vectors, headers),
 * then the message; the protocol byte is forced to pointer access. The rest of the mapping is
 * reset to one pattern each run, so every run starts from the same shared memory.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
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
    if (n > sizeof(reply)) {
        __builtin_trap();
    }
    free(copy);
    return 0;
}
