/* libFuzzer harness for the PS decoders: object files (parse + open) and object table slots. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/ps_format.h"
#include "storage/ps_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                     12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                     23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Object file: structural parse, then the full open against the entry it claims to be. */
    ps_object_view_t view;
    if (ps_object_parse(data, size, &view) == PSA_SUCCESS) {
        ps_table_entry_t expect = {
            .owner = view.header.owner,
            .uid = view.header.uid,
            .version = view.header.version,
            .flags = view.header.flags,
            .size = view.header.size,
            .capacity = view.header.capacity,
        };
        memcpy(expect.tag, view.tag, PS_TAG_SIZE);
        uint8_t *plain = malloc(view.header.size ? view.header.size : 1);
        if (plain != NULL) {
            (void)ps_object_open(data, size, &expect, fuzz_key, plain);
            free(plain);
        }
    }
    /* Table slot as stored (MAC almost always wrong) ... */
    ps_table_t table;
    if (ps_table_decode(data, size, fuzz_key, &table) == PSA_SUCCESS) {
        ps_table_free(&table);
    }
    /* ... and with a correct MAC appended, so the entry parser sees fuzz bytes too. */
    if (size >= PS_TABLE_HEADER_SIZE && size <= 1u << 16) {
        uint8_t *buf = malloc(size + PS_TABLE_MAC_SIZE);
        if (buf != NULL) {
            memcpy(buf, data, size);
            size_t body = size;
            if (body >= PS_TABLE_HEADER_SIZE) {
                /* Make the count field match the bytes present. */
                uint32_t count = (uint32_t)((body - PS_TABLE_HEADER_SIZE) / PS_TABLE_ENTRY_SIZE);
                body = PS_TABLE_HEADER_SIZE + (size_t)count * PS_TABLE_ENTRY_SIZE;
                buf[16] = (uint8_t)count;
                buf[17] = (uint8_t)(count >> 8);
                buf[18] = (uint8_t)(count >> 16);
                buf[19] = (uint8_t)(count >> 24);
            }
            if (ps_hmac_sha256(fuzz_key, buf, body, buf + body) == PSA_SUCCESS &&
                ps_table_decode(buf, body + PS_TABLE_MAC_SIZE, fuzz_key, &table) == PSA_SUCCESS) {
                /* A decoded table re-encodes to the same bytes. */
                uint8_t *again = malloc(ps_table_slot_size(table.count));
                if (again != NULL && ps_table_encode(&table, fuzz_key, again) == PSA_SUCCESS &&
                    memcmp(again, buf, body + PS_TABLE_MAC_SIZE) != 0) {
                    abort();
                }
                free(again);
                ps_table_free(&table);
            }
            free(buf);
        }
    }
    return 0;
}
