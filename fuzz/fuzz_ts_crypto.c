/* libFuzzer harness: the TS packed-c crypto translator (ts_crypto_serve) on arbitrary opcodes,
 * bodies and response sizes, with a backend that checks the RSS comms call it is given (the
 * header decodes, every vector lies inside the request or the translator's buffers) and answers
 * with fuzzer-chosen output lengths and status. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "comms/crypto_calls.h"
#include "base/wire.h"
#include "ts/ts_crypto.h"
#include "uefi/var_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t answer_len;
static int32_t answer_status;

static psa_status_t backend_call(void *session, const psa_invec *in, size_t in_len, psa_outvec *out,
                                 size_t out_len)
{
    (void)session;
    crypto_iovec_t iov;
    if (in_len < 1 || crypto_iovec_decode(in[0].base, in[0].len, &iov) != PSA_SUCCESS) {
        abort(); /* the translator always sends a well-formed header */
    }
    for (size_t i = 1; i < in_len; i++) {
        volatile uint8_t sink = 0;
        for (size_t k = 0; k < in[i].len; k++) {
            sink ^= ((const uint8_t *)in[i].base)[k]; /* ASan checks every byte is readable */
        }
        (void)sink;
    }
    for (size_t i = 0; i < out_len; i++) {
        size_t n = answer_len < out[i].len ? answer_len : out[i].len;
        memset(out[i].base, 0xa5, n);
        out[i].len = n;
    }
    return answer_status;
}

/* The UEFI opcodes on the real PKCS#7 checks (OpenSSL, src/uefi/var_auth.c). */
static const ts_crypto_backend_t backend = {backend_call, var_pkcs7_verify_hash,
                                            var_pkcs7_fingerprint};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* opcode u16, response size u16, answer length, answer status byte, then the body */
    if (size < 6) {
        return 0;
    }
    uint16_t opcode = wire_load_u16(data);
    size_t response_size = wire_load_u16(data + 2);
    answer_len = data[4];
    answer_status = data[5] & 1 ? PSA_SUCCESS : -(int32_t)(128 + (data[5] >> 1) % 26);
    size_t body = size - 6;
    uint8_t *request = malloc(body > 0 ? body : 1);
    uint8_t *response = malloc(response_size > 0 ? response_size : 1);
    if (request == NULL || response == NULL) {
        free(request);
        free(response);
        return 0;
    }
    memcpy(request, data + 6, body);
    ts_caller_t caller = {1000, 1};
    ts_call_t call = {.caller = &caller,
                      .opcode = opcode,
                      .request = request,
                      .request_length = body,
                      .response = response,
                      .response_size = response_size};
    int32_t rpc = ts_crypto_serve((void *)&backend, &call);
    if (rpc == TS_RPC_SUCCESS && call.response_length > response_size) {
        abort();
    }
    free(request);
    free(response);
    return 0;
}
