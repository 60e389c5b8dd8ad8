/* libFuzzer harness: rssd's message path and the ITS/PS services' argument parsing, no socket. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

#include "comms/rss_msg.h"
#include "enclave/enclave.h"
#include "enclave/server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enclave_conn_t *fuzz_conn;
static char fuzz_dir[] = "/tmp/fuzz-rssd.XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* libFuzzer ends with exit(), so the state directory goes with the process. */
static void remove_fuzz_dir(void)
{
    nftw(fuzz_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
static uint8_t reply[RSS_MSG_EMBED_REPLY_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (mkdtemp(fuzz_dir) == NULL) {
        abort();
    }
    atexit(remove_fuzz_dir);
    const char *dir = fuzz_dir;
    char its_dir[64], ps_dir[64];
    snprintf(its_dir, sizeof(its_dir), "%s/its", dir);
    snprintf(ps_dir, sizeof(ps_dir), "%s/ps", dir);
    its_store_config_t ic = {.dir = its_dir};
    ps_store_config_t pc = {.trusted_dir = its_dir, .external_dir = ps_dir};
    its_store_t *its = NULL;
    ps_store_t *ps = NULL;
    if (its_store_open(&ic, &its) != PSA_SUCCESS || ps_store_open(&pc, &ps) != PSA_SUCCESS) {
        abort();
    }
    enclave_storage_set(its, ps);
    fuzz_conn = enclave_conn_new_detached(-0x10001, 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The crypto service has its own harness; keep this one on the comms layer and storage. */
    if (size >= 8 && data[0] == RSS_PROTOCOL_EMBED && data[4] == 0x00 && data[5] == 0x01 &&
        data[6] == 0x00 && data[7] == 0x40) {
        return 0;
    }
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    /* Exact-size copy, so reads past the message are caught by AddressSanitizer. */
    size_t n = enclave_serve_message(fuzz_conn, copy, size, size, -1, reply, sizeof(reply));
    if (n > sizeof(reply)) {
        __builtin_trap();
    }
    free(copy);
    return 0;
}
