/* libFuzzer harness: smm_serve() on arbitrary MM buffers (MM header, SMM variable header, every
 * function's payload), the gateway in-process on libpsa-local in a temporary directory. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/wire.h"
#include "uefi/smm_service.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static smm_gateway_t *gateway;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static char dir[] = "/tmp/fuzz-smm.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        abort();
    }
    setenv("PSA_STATE_DIR", dir, 1);
    smm_gateway_config_t config;
    memset(&config, 0, sizeof(config));
    config.store.max_variables = 16; /* small, so the fuzzer also reaches the limits */
    config.store.max_data_size = 512;
    config.store.nv_capacity = 2048;
    config.store.volatile_capacity = 2048;
    if (smm_gateway_open(&config, &gateway) != PSA_SUCCESS) {
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Input: flags, room, then the buffer. Flag bits let the fuzzer keep a valid MM header and
     * a defined function id while it mutates the payload: bit 0 writes the SMM variable GUID,
     * bit 1 a MessageLength that matches the bytes given, bits 3..6 the function (0..15).
     * The room byte sets how much larger than the input the shared memory is. */
    static const efi_guid_t smm = SMM_VARIABLE_GUID;
    if (size < 2) {
        return 0;
    }
    uint8_t flags = data[0];
    size_t body = size - 2;
    size_t room = body + (size_t)data[1] * 16;
    uint8_t *buffer = calloc(1, room > 0 ? room : 1);
    if (buffer == NULL) {
        return 0;
    }
    memcpy(buffer, data + 2, body);
    if ((flags & 1) && room >= 16) {
        memcpy(buffer, smm.b, 16);
    }
    if ((flags & 2) && room >= MM_HEADER_SIZE) {
        wire_store_u64(buffer + 16, body > MM_HEADER_SIZE ? body - MM_HEADER_SIZE : 0);
    }
    if ((flags & 4) && room >= MM_HEADER_SIZE + 8) {
        wire_store_u64(buffer + 24, (flags >> 3) & 0xf);
    }
    smm_caller_t caller = {0, 0};
    mm_return_t rc = smm_serve(gateway, &caller, buffer, room);
    if (rc == MM_RETURN_SUCCESS) {
        /* A reply always fits the buffer and never claims more than it holds. */
        if (room < MM_HEADER_SIZE + SMM_VAR_HEADER_SIZE ||
            wire_load_u64(buffer + 16) > room - MM_HEADER_SIZE) {
            __builtin_trap();
        }
    }
    free(buffer);
    return 0;
}
