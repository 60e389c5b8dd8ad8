/* libFuzzer harness for the ITS record decoder (bytes read back from the trusted directory). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/its_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    its_record_t rec;
    if (its_record_decode_header(data, size, &rec) == PSA_SUCCESS) {
        (void)rec.flags;
    }
    if (its_record_decode(data, size, &rec) == PSA_SUCCESS) {
        /* A decoded record must round-trip byte for byte. */
        uint8_t *again;
        size_t len;
        if (its_record_encode(&rec, &again, &len) == PSA_SUCCESS) {
            if (len != size || memcmp(again, data, size) != 0) {
                abort();
            }
            free(again);
        }
    }
    /* Also give the decoder a record with a valid digest around the fuzz bytes as data. */
    if (size <= 4096) {
        its_record_t mk = {
            .ns = 0, .owner = 1, .uid = 1, .flags = 0, .size = (uint32_t)size, .data = data};
        uint8_t *buf;
        size_t len;
        if (its_record_encode(&mk, &buf, &len) == PSA_SUCCESS) {
            if (size > 0) {
                buf[data[0] % len] ^= 0x01; /* one flipped bit must be caught */
                if (its_record_decode(buf, len, &rec) == PSA_SUCCESS) {
                    abort();
                }
                buf[data[0] % len] ^= 0x01;
            }
            (void)its_record_decode(buf, len, &rec);
            free(buf);
        }
    }
    return 0;
}
