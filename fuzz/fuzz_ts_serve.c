/* libFuzzer harness: TS RPC words through ts_connection_serve onto the packed-c ITS and PS
 * interfaces (libpsa-local in a temporary directory), with fuzzed shared-memory contents. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ts/ts_endpoint.h"
#include "ts/ts_packet.h"
#include "ts/ts_storage.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ts_endpoint_t endpoint;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static char dir[] = "/tmp/fuzz-ts.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        abort();
    }
    setenv("PSA_STATE_DIR", dir, 1);
    ts_endpoint_init(&endpoint);
    const ts_interface_t its = {TS_UUID_ITS, (void *)&ts_storage_its_backend, ts_storage_serve};
    const ts_interface_t ps = {TS_UUID_PS, (void *)&ts_storage_ps_backend, ts_storage_serve};
    if (ts_endpoint_add(&endpoint, &its) != 0 || ts_endpoint_add(&endpoint, &ps) != 1) {
        abort();
    }
    return 0;
}

static int make_memory(size_t size)
{
    int fd = memfd_create("fuzz-ts", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
        abort();
    }
    return fd;
}

/*
 * Input: a sequence of records, each one control byte, a 20-byte packet and then, if bit 1 of
 * the control byte is set, a length byte and that many bytes written at the start of memory
 * handle 1 before the packet is served. Bit 0 attaches a fresh sealed 4 KiB memfd to the packet.
 * Memory handle 1 is retrieved first, so service calls reach the storage codec.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ts_caller_t caller = {.uid = 1000, .pid = 1};
    ts_connection_t conn;
    if (!ts_connection_open(&conn, &endpoint, &caller)) {
        abort();
    }
    int fd = make_memory(4096);
    uint8_t *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED) {
        abort();
    }
    uint32_t out[TS_RPC_WORDS];
    const uint32_t retrieve[TS_RPC_WORDS] = {TS_RPC_W3(0xff, 1), 1, 0, 0, 0};
    ts_connection_serve(&conn, retrieve, fd, out);

    size_t pos = 0;
    while (size - pos >= 1 + TS_RPC_PACKET_BYTES) {
        uint8_t control = data[pos++];
        uint32_t in[TS_RPC_WORDS];
        if (!ts_packet_decode(data + pos, TS_RPC_PACKET_BYTES, in)) {
            abort();
        }
        pos += TS_RPC_PACKET_BYTES;
        if ((control & 2) != 0 && pos < size) {
            size_t n = data[pos++];
            n = n < size - pos ? n : size - pos;
            memcpy(mem, data + pos, n);
            pos += n;
        }
        ts_connection_serve(&conn, in, (control & 1) ? make_memory(4096) : -1, out);
        if (out[0] != in[0]) {
            abort(); /* W3 always comes back */
        }
    }
    ts_connection_close(&conn);
    munmap(mem, 4096);
    return 0;
}
