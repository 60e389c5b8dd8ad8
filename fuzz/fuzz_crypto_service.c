/* libFuzzer harness: random vectors into rssd's crypto service (call table unmarshalling and the
 * handlers behind it), as a peer could send them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "comms/crypto_calls.h"
#include "crypto/core.h"
#include "enclave/crypto_service.h"

/*
 * Input layout: byte 0 = in_len (low 2 bits, +1) and out_len (bits 2-3); then for each input
 * vector a length byte and that many bytes (the first input is the iovec header, so a long
 * first length is let through as 56 more often); then one size byte per output vector. To reach
 * the handlers, the header's function id is taken from the table when byte 1's top bit is set.
 * The same session makes several calls per input, so handles created by one call can be named
 * by the next (the op_handle field is small and often hits); the session is released at the end.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    core_config_t config = {.volatile_id_min = ENCLAVE_VOLATILE_ID_MIN,
                            .volatile_id_max = ENCLAVE_VOLATILE_ID_MAX,
                            .max_volatile_keys_per_session = 16};
    return core_crypto_init(&config) == PSA_SUCCESS ? 0 : 1;
}

static size_t take(const uint8_t **data, size_t *size, size_t n)
{
    n = n < *size ? n : *size;
    *data += n;
    *size -= n;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enclave_caller_t caller = {.client_id = -0x04000001, .session = 1};
    static uint8_t outputs[4][300];
    for (int call = 0; call < 4 && size > 2; call++) {
        uint8_t shape = data[0];
        bool use_table = (data[1] & 0x80) != 0;
        uint8_t row = data[1] & 0x7f;
        take(&data, &size, 2);
        size_t in_len = 1 + (shape & 3);
        size_t out_len = (shape >> 2) & 3;
        if (in_len + out_len > PSA_MAX_IOVEC) {
            out_len = PSA_MAX_IOVEC - in_len;
        }
        psa_invec in[PSA_MAX_IOVEC];
        uint8_t header[CRYPTO_IOVEC_SIZE];
        for (size_t i = 0; i < in_len; i++) {
            size_t n = size > 0 ? data[0] : 0;
            take(&data, &size, 1);
            if (i == 0 && n >= 40) {
                n = CRYPTO_IOVEC_SIZE;
            }
            const uint8_t *p = data;
            n = take(&data, &size, n);
            in[i].base = p;
            in[i].len = n;
            if (i == 0 && n == CRYPTO_IOVEC_SIZE && use_table) {
                /* A valid function id, with the small handles this harness's calls create. */
                memcpy(header, p, n);
                uint16_t fid = crypto_call_table[row % crypto_call_table_size].function_id;
                header[40] = (uint8_t)fid;
                header[41] = (uint8_t)(fid >> 8);
                in[0].base = header;
            }
        }
        psa_outvec out[PSA_MAX_IOVEC];
        for (size_t i = 0; i < out_len; i++) {
            size_t n = size > 0 ? data[0] : 0;
            take(&data, &size, 1);
            out[i].base = outputs[i];
            out[i].len = n;
        }
        (void)enclave_crypto_service.call(&caller, PSA_IPC_CALL, in, in_len, out, out_len);
    }
    enclave_crypto_service.release_session(&caller);
    return 0;
}
