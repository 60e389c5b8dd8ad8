/* Encoding of a persistent key record: attributes and key material, as stored by a backend. */
#ifndef CORE_KEY_RECORD_H
#define CORE_KEY_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <psa/crypto.h>

/* Records larger than this are refused on load (an RSA-4096 or DH-8192 pair fits easily). */
#define KEY_RECORD_MAX_SIZE 16384u
#define KEY_RECORD_HEADER_SIZE 28u

/*
 * Layout, little-endian: magic "PSK1" (4) | lifetime u32 | type u16 | reserved u16 (0) |
 * bits u32 | usage u32 | alg u32 | material length u32 | material.
 * The id is not stored: the backend's key names the record.
 */
psa_status_t key_record_encode(const psa_key_attributes_t *attr, const uint8_t *material,
                               size_t material_length, uint8_t **record, size_t *record_length);
/* Parses a record of `key_id`; *material points into `record`. Malformed -> DATA_CORRUPT. */
psa_status_t key_record_decode_for(psa_key_id_t key_id, const uint8_t *record, size_t length,
                                   psa_key_attributes_t *attr, const uint8_t **material,
                                   size_t *material_length);

#endif /* CORE_KEY_RECORD_H */
