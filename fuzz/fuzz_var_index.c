/* libFuzzer harness: the stored variable index decoder; what decodes re-encodes identically. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uefi/var_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct collect {
    uint8_t *out;
    size_t cap;
    wire_writer_t w;
} collect_t;

static psa_status_t on_record(void *ctx, const var_record_t *record)
{
    collect_t *c = ctx;
    var_index_put_record(&c->w, record);
    return PSA_SUCCESS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    var_index_limits_t limits = {
        .max_records = 64, .max_name_size = 1024, .max_data_size = 32768, .max_uid = 65};
    var_index_header_t header;
    collect_t c;
    c.cap = size + VAR_INDEX_HEADER_SIZE;
    c.out = malloc(c.cap);
    if (c.out == NULL) {
        return 0;
    }
    wire_writer_init(&c.w, c.out, c.cap);
    wire_reserve(&c.w, VAR_INDEX_HEADER_SIZE, &(uint8_t *){NULL});
    if (var_index_decode(data, size, &limits, &header, on_record, &c) == PSA_SUCCESS) {
        wire_writer_t h;
        wire_writer_init(&h, c.out, VAR_INDEX_HEADER_SIZE);
        var_index_put_header(&h, &header);
        if (!wire_writer_ok(&c.w) || wire_writer_length(&c.w) != size ||
            memcmp(c.out, data, size) != 0) {
            __builtin_trap();
        }
    }
    uint64_t counter;
    var_index_decode_counter(data, size, &counter);
    free(c.out);
    return 0;
}
