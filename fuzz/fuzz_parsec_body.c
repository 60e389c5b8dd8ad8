/* libFuzzer harness: every operation's body decoder and executor, behind a valid header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/wire.h"
#include "parsec/parsec_ops.h"
#include "parsec_fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* First byte: a row of the operation table; the rest: its body. The header is valid and
 * authenticated as uid 1000 for the row's provider, so the fuzzer reaches the decoders. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 4096) {
        return 0;
    }
    const parsec_op_t *op = &parsec_op_table[data[0] % parsec_op_table_size];
    size_t body = size - 1;
    uint8_t *req = malloc(PARSEC_HEADER_SIZE + body + 4);
    if (req == NULL) {
        return 0;
    }
    memset(req, 0, PARSEC_HEADER_SIZE);
    wire_store_u32(req, PARSEC_MAGIC);
    wire_store_u16(req + 4, PARSEC_HEADER_SIZE_WIRE);
    req[6] = PARSEC_VERSION_MAJOR;
    req[10] = op->provider;
    req[21] = PARSEC_AUTH_UNIX_PEER;
    wire_store_u32(req + 22, (uint32_t)body);
    wire_store_u16(req + 26, 4);
    wire_store_u32(req + 28, op->opcode);
    memcpy(req + PARSEC_HEADER_SIZE, data + 1, body);
    wire_store_u32(req + PARSEC_HEADER_SIZE + body, 1000);
    parsec_fuzz_serve(req, PARSEC_HEADER_SIZE + body + 4);
    free(req);
    return 0;
}
