/* libFuzzer harness: libpsa-ts's decoders of what se-proxy answers -- the generic crypto rows'
 * response (ts_crypto_generic_decode) for any schema row, and the packed-c storage replies
 * (ts_storage_reply). A reply must never write past the caller's buffers or read past itself.
 * Input: selector byte; for crypto a function id (u16) and two output sizes (u8 each), then the
 * response; for storage the TF-M type index, then the reply. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/wire.h"
#include "comms/rss_services.h"
#include "ts/ts_crypto.h"
#include "ts/ts_storage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (data[0] & 1) {
        if (size < 5) {
            return 0;
        }
        crypto_args_t a = {.function_id = wire_load_u16(data + 1)};
        size_t sizes[2] = {data[3], data[4]};
        uint8_t *out[2];
        for (size_t i = 0; i < 2; i++) {
            out[i] = malloc(sizes[i] > 0 ? sizes[i] : 1); /* exact sizes: ASan sees overruns */
            a.out[CRYPTO_OUT_OUTPUT + i] = out[i];
            a.out_size[CRYPTO_OUT_OUTPUT + i] = sizes[i];
        }
        (void)ts_crypto_generic_decode(&a, data + 5, size - 5);
        for (size_t i = 0; i < 2; i++) {
            if (a.out_len[CRYPTO_OUT_OUTPUT + i] > sizes[i]) {
                abort();
            }
            free(out[i]);
        }
        return 0;
    }
    static const int32_t types[] = {RSS_STORAGE_GET, RSS_STORAGE_GET_INFO, RSS_PS_GET_SUPPORT_RSSD,
                                    RSS_STORAGE_SET};
    if (size < 3) {
        return 0;
    }
    size_t cap = data[2];
    uint8_t *buf = malloc(cap > 0 ? cap : 1);
    psa_outvec out = {buf, cap};
    (void)ts_storage_reply(types[data[1] % 4], data + 3, size - 3, &out);
    if (out.len > cap) {
        abort();
    }
    free(buf);
    return 0;
}
