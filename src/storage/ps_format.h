/* On-disk formats of Protected Storage: encrypted object files and the trusted object table. */
#ifndef PS_FORMAT_H
#define PS_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <psa/error.h>
#include <psa/storage_common.h>

/*
 * Object file, one per object version, in the external directory, named
 * "<owner:08x>_<uid:016x>_<version:016x>.ps" (little-endian fields):
 *   "PSO1" | format u8 (=1) | reserved u8, u16 (=0) | owner i32 | uid u64 | flags u32 |
 *   size u32 | capacity u32 | version u64 | nonce[12] | ciphertext[size] | GCM tag[16]
 * The 52 header bytes are the AES-256-GCM associated data, so owner, UID, flags, size, capacity
 * and version are all authenticated.
 */
#define PS_OBJECT_HEADER_SIZE 52u
#define PS_NONCE_SIZE         12u
#define PS_TAG_SIZE           16u
#define PS_OBJECT_OVERHEAD    (PS_OBJECT_HEADER_SIZE + PS_TAG_SIZE)
#define PS_OBJECT_FORMAT      1u

#define PS_KNOWN_FLAGS                                                                            \
    (PSA_STORAGE_FLAG_WRITE_ONCE | PSA_STORAGE_FLAG_NO_CONFIDENTIALITY |                          \
     PSA_STORAGE_FLAG_NO_REPLAY_PROTECTION)

typedef struct ps_object_header {
    int32_t owner;
    uint64_t uid;
    uint32_t flags;
    uint32_t size;
    uint32_t capacity;
    uint64_t version;
    uint8_t nonce[PS_NONCE_SIZE];
} ps_object_header_t;

/* A parsed object file: header fields plus pointers into the caller's buffer. */
typedef struct ps_object_view {
    ps_object_header_t header;
    const uint8_t *aad; /* PS_OBJECT_HEADER_SIZE bytes */
    const uint8_t *ciphertext;
    const uint8_t *tag;
} ps_object_view_t;

/* Structural parse of an object file (no cryptography). Malformed -> PSA_ERROR_DATA_CORRUPT. */
psa_status_t ps_object_parse(const uint8_t *buf, size_t len, ps_object_view_t *out);

/* Writes the 52-byte header. */
void ps_object_header_encode(const ps_object_header_t *h, uint8_t out[PS_OBJECT_HEADER_SIZE]);

/*
 * Object table, kept in the trusted directory ("ps.table"): two equal regions (A/B); each holds
 * one slot, updated in place with the other left intact, so a torn update falls back to the
 * previous slot. Slot layout (little-endian):
 *   "PST1" | format u8 (=1) | reserved u8, u16 | generation u64 | count u32 |
 *   count x { owner i32 | uid u64 | version u64 | flags u32 | size u32 | capacity u32 | tag[16] }
 *   | HMAC-SHA-256 over everything before (32 bytes), then zero padding to the region's end.
 * Entries are sorted by (owner, uid) and unique.
 */
#define PS_TABLE_HEADER_SIZE 20u
#define PS_TABLE_ENTRY_SIZE  48u
#define PS_TABLE_MAC_SIZE    32u
#define PS_TABLE_FORMAT      1u
#define PS_TABLE_MIN_REGION  4096u

typedef struct ps_table_entry {
    int32_t owner;
    uint64_t uid;
    uint64_t version;
    uint32_t flags;
    uint32_t size;
    uint32_t capacity;
    uint8_t tag[PS_TAG_SIZE];
} ps_table_entry_t;

typedef struct ps_table {
    uint64_t generation;
    size_t count;
    size_t alloc;
    ps_table_entry_t *entries;
} ps_table_t;

/* Bytes an encoded slot with `count` entries takes. */
size_t ps_table_slot_size(size_t count);

/* Decodes one slot from a region after checking its HMAC with mac_key (32 bytes).
 * Malformed, unsorted or failing the MAC -> PSA_ERROR_DATA_CORRUPT. */
psa_status_t ps_table_decode(const uint8_t *region, size_t len, const uint8_t *mac_key,
                             ps_table_t *out);
/* Encodes a slot into out (ps_table_slot_size(t->count) bytes). */
psa_status_t ps_table_encode(const ps_table_t *t, const uint8_t *mac_key, uint8_t *out);

void ps_table_free(ps_table_t *t);
/* Index of (owner, uid) or -1. */
long ps_table_find(const ps_table_t *t, int32_t owner, uint64_t uid);
/* Inserts or replaces an entry, keeping the order. */
psa_status_t ps_table_upsert(ps_table_t *t, const ps_table_entry_t *e);
void ps_table_delete(ps_table_t *t, size_t index);
psa_status_t ps_table_copy(const ps_table_t *src, ps_table_t *dst);

/* HMAC-SHA-256 helper used for the table. */
psa_status_t ps_hmac_sha256(const uint8_t *key, const uint8_t *buf, size_t len, uint8_t out[32]);

#endif /* PS_FORMAT_H */
