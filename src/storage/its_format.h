/* On-disk record format of an ITS object: encoder and bounds-checked decoder. */
#ifndef ITS_FORMAT_H
#define ITS_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <psa/error.h>
#include <psa/storage_common.h>

/*
 * Record layout (little-endian), one file per object:
 *   "ITS1" | format u8 (=1) | namespace u8 | reserved u16 (=0) | owner i32 | uid u64 |
 *   flags u32 | size u32 | data[size] | SHA-256 of everything before (32 bytes)
 * The trusted directory is not attacker-controlled; the digest catches torn or rotted files and
 * a record filed under the wrong name.
 */
#define ITS_RECORD_HEADER_SIZE 28u
#define ITS_RECORD_DIGEST_SIZE 32u
#define ITS_RECORD_OVERHEAD    (ITS_RECORD_HEADER_SIZE + ITS_RECORD_DIGEST_SIZE)
#define ITS_RECORD_FORMAT      1u

#define ITS_KNOWN_FLAGS                                                                           \
    (PSA_STORAGE_FLAG_WRITE_ONCE | PSA_STORAGE_FLAG_NO_CONFIDENTIALITY |                          \
     PSA_STORAGE_FLAG_NO_REPLAY_PROTECTION)

typedef struct its_record {
    uint8_t ns;
    int32_t owner;
    uint64_t uid;
    uint32_t flags;
    uint32_t size;
    const uint8_t *data; /* points into the decoded buffer */
} its_record_t;

/* Parses the fixed header only (no digest check); used where only flags and size matter. */
psa_status_t its_record_decode_header(const uint8_t *buf, size_t len, its_record_t *out);

/* Parses and verifies a whole record. Malformed or digest mismatch -> PSA_ERROR_DATA_CORRUPT. */
psa_status_t its_record_decode(const uint8_t *buf, size_t len, its_record_t *out);

/* Builds a record in a new buffer of *out_len bytes (free with free()). */
psa_status_t its_record_encode(const its_record_t *rec, uint8_t **out, size_t *out_len);

#endif /* ITS_FORMAT_H */
