/* libFuzzer harness: smm-gateway's endpoint (smm_connection_serve) on arbitrary packet
 * sequences — management words, MM requests at any offset and with any W4..W7, descriptors
 * where none belong — with the MM buffer a real memfd whose bytes the fuzzer writes; the
 * gateway in-process on libpsa-local in a temporary directory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/wire.h"
#include "uefi/smm_endpoint.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEMORY_SIZE 8192u

static smm_gateway_t *gateway;
static ts_endpoint_t endpoint;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static char dir[] = "/tmp/fuzz-smm-endpoint.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        abort();
    }
    setenv("PSA_STATE_DIR", dir, 1);
    smm_gateway_config_t config;
    memset(&config, 0, sizeof(config));
    config.store.max_variables = 16;
    config.store.max_data_size = 512;
    config.store.nv_capacity = 2048;
    config.store.volatile_capacity = 2048;
    if (smm_gateway_open(&config, &gateway) != PSA_SUCCESS) {
        abort();
    }
    smm_endpoint_init(&endpoint);
    return 0;
}

/* A sealed memfd of MEMORY_SIZE holding the given bytes, as a client lends it. */
static int make_memory(const uint8_t *bytes, size_t len)
{
    int fd = memfd_create("fuzz-mm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        return -1;
    }
    if (ftruncate(fd, MEMORY_SIZE) != 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    if (len > MEMORY_SIZE) {
        len = MEMORY_SIZE;
    }
    if (len > 0 && pwrite(fd, bytes, len, 0) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * Input: a count byte n (low 3 bits + 1 packets), then n records of 21 bytes: a flag byte
 * (bit 0: send a descriptor with the packet; bit 1: force W3 to MEM_RETRIEVE; bit 2: force W3
 * to an MM request at the offset in W3's low 13 bits) and the 20 packet bytes; the rest of the
 * input is the content of every memory lent.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    size_t packets = (size_t)(data[0] & 7u) + 1;
    size_t pos = 1;
    if (size < pos + packets * 21) {
        return 0;
    }
    const uint8_t *memory = data + pos + packets * 21;
    size_t memory_len = size - pos - packets * 21;
    smm_connection_t conn;
    if (!smm_connection_open(&conn, &endpoint, 1000, 1)) {
        return 0;
    }
    for (size_t i = 0; i < packets; i++, pos += 21) {
        uint8_t flags = data[pos];
        uint32_t in[TS_RPC_WORDS], out[TS_RPC_WORDS];
        for (int w = 0; w < TS_RPC_WORDS; w++) {
            in[w] = wire_load_u32(data + pos + 1 + 4 * w);
        }
        if (flags & 2) {
            in[0] = TS_RPC_W3(TS_RPC_MGMT_INTERFACE, TS_RPC_MGMT_MEM_RETRIEVE);
        } else if (flags & 4) {
            in[0] &= 0x1fffu;
        }
        int fd = (flags & 1) ? make_memory(memory, memory_len) : -1;
        smm_connection_serve(&conn, gateway, in, fd, out);
    }
    smm_connection_close(&conn);
    return 0;
}
