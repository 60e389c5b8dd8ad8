/* The variable index as stored in Protected Storage: encoder and bounds-checked decoder. */
#ifndef UEFI_VAR_INDEX_H
#define UEFI_VAR_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/error.h>
#include "base/wire.h"
#include "uefi/efi_defs.h"

/*
 * Layout (little-endian), one copy per index object (A and B):
 *   magic "UVIX" | version u32 (1) | counter u64 | uid_limit u64 | count u32
 *   count records: guid[16] | attributes u32 | flags u32 | uid u64 | data_size u64 |
 *                  timestamp[16] | fingerprint[32] | constraints (revision u16, property u16,
 *                  attributes u32, min_size u64, max_size u64) | name_size u32 | name bytes
 * Only set non-volatile variables are recorded. uid_limit is the largest data-object UID the
 * writer could have used, so that start-up can purge orphans even after the limit shrinks.
 */
#define VAR_INDEX_MAGIC             0x58495655u /* "UVIX" */
#define VAR_INDEX_VERSION           1u
#define VAR_INDEX_HEADER_SIZE       28u
#define VAR_INDEX_RECORD_FIXED_SIZE 116u

#define VAR_RECORD_HAS_CONSTRAINTS 0x1u
#define VAR_RECORD_HAS_FINGERPRINT 0x2u
#define VAR_RECORD_FLAGS_MASK      0x3u

typedef struct var_check_property {
    uint16_t revision;
    uint16_t property;
    uint32_t attributes;
    uint64_t min_size;
    uint64_t max_size;
} var_check_property_t;

typedef struct var_record {
    efi_guid_t guid;
    uint32_t attributes;
    uint32_t flags;
    uint64_t uid;
    uint64_t data_size;
    uint8_t timestamp[EFI_TIME_SIZE];
    uint8_t fingerprint[32];
    var_check_property_t constraints;
    const uint8_t *name; /* UTF-16LE, NUL included; points into the decoded bytes */
    size_t name_size;
} var_record_t;

typedef struct var_index_header {
    uint64_t counter;
    uint64_t uid_limit;
    uint32_t count;
} var_index_header_t;

/* What a decoded index may contain; anything beyond is DATA_CORRUPT. */
typedef struct var_index_limits {
    size_t max_records;
    size_t max_name_size; /* bytes, NUL included */
    size_t max_data_size;
    uint64_t max_uid; /* largest UID a record may name (uid_limit is checked against it) */
} var_index_limits_t;

/* Size of one encoded record. */
size_t var_index_record_size(const var_record_t *record);
bool var_index_put_header(wire_writer_t *w, const var_index_header_t *header);
bool var_index_put_record(wire_writer_t *w, const var_record_t *record);

/*
 * Decodes a whole index: the header, then every record through on_record (which may refuse a
 * record, e.g. a duplicate, by returning non-SUCCESS). Malformed bytes, a record outside the
 * limits, a duplicate UID or trailing bytes give PSA_ERROR_DATA_CORRUPT.
 */
psa_status_t var_index_decode(const uint8_t *data, size_t length, const var_index_limits_t *limits,
                              var_index_header_t *header,
                              psa_status_t (*on_record)(void *ctx, const var_record_t *record),
                              void *ctx);
/* Reads only the counter of an index copy (for choosing the active copy). */
psa_status_t var_index_decode_counter(const uint8_t *data, size_t length, uint64_t *counter);

/* True when a UTF-16LE name of name_size bytes is well formed: even, >= 2, NUL-terminated, and
 * the terminating NUL is the first one. */
bool var_name_valid(const uint8_t *name, size_t name_size);

#endif /* UEFI_VAR_INDEX_H */
