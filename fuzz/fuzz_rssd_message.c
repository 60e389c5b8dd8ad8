/* libFuzzer harness: rssd's message path and the ITS/PS services' argument parsing, no socket. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comms/rss_msg.h"
#include "enclave/enclave.h"
#include "enclave/server.h"
#include "rssd_fuzz_env.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enclave_conn_t *fuzz_conn;
static uint8_t reply[RSS_MSG_EMBED_REPLY_FIXED + RSS_MSG_DEFAULT_EMBED_LIMIT];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    rssd_fuzz_env_init("rssd");
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
