/* Encoding of a persistent key record: attributes and key material, as stored by a backend. */
#include "key_record.h"
#include "core.h"
#include "key_types.h"

#include <string.h>
#include <openssl/crypto.h>

#include "base/wire.h"

static const uint8_t key_record_magic[4] = {'P', 'S', 'K', '1'};

psa_status_t key_record_encode(const psa_key_attributes_t *attr, const uint8_t *material,
                               size_t material_length, uint8_t **record, size_t *record_length)
{
    if (material_length > KEY_RECORD_MAX_SIZE - KEY_RECORD_HEADER_SIZE) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    size_t length = KEY_RECORD_HEADER_SIZE + material_length;
    uint8_t *p = OPENSSL_malloc(length);
    if (p == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    wire_writer_t w;
    wire_writer_init(&w, p, length);
    wire_put_bytes(&w, key_record_magic, 4);
    wire_put_u32(&w, attr->lifetime);
    wire_put_u16(&w, attr->type);
    wire_put_u16(&w, 0);
    wire_put_u32(&w, (uint32_t)attr->bits);
    wire_put_u32(&w, attr->usage);
    wire_put_u32(&w, attr->alg);
    wire_put_u32(&w, (uint32_t)material_length);
    wire_put_bytes(&w, material, material_length);
    *record = p;
    *record_length = length;
    return PSA_SUCCESS;
}

psa_status_t key_record_decode_for(psa_key_id_t key_id, const uint8_t *record, size_t length,
                                   psa_key_attributes_t *attr, const uint8_t **material,
                                   size_t *material_length)
{
    if (length > KEY_RECORD_MAX_SIZE) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    wire_reader_t r;
    wire_reader_init(&r, record, length);
    const uint8_t *magic = NULL, *key = NULL;
    uint16_t type = 0, reserved = 0;
    uint32_t bits = 0, stated = 0;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    wire_get_ref(&r, sizeof(key_record_magic), &magic);
    wire_get_u32(&r, &a.lifetime);
    wire_get_u16(&r, &type);
    wire_get_u16(&r, &reserved);
    wire_get_u32(&r, &bits);
    wire_get_u32(&r, &a.usage);
    wire_get_u32(&r, &a.alg);
    wire_get_u32(&r, &stated);
    /* The material is the rest of the record, exactly as long as stated. */
    if (!wire_reader_ok(&r) || memcmp(magic, key_record_magic, sizeof(key_record_magic)) != 0 ||
        reserved != 0 || stated == 0 || stated != wire_remaining(&r) ||
        !wire_get_ref(&r, stated, &key)) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    a.type = type;
    a.bits = bits;
    a.id = key_id;
    if (PSA_KEY_LIFETIME_IS_VOLATILE(a.lifetime)) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    /* The material must be a valid key of the recorded type and size. */
    size_t valid_bits = 0;
    if (core_key_types_validate(a.type, key, stated, &valid_bits) != PSA_SUCCESS ||
        valid_bits != a.bits) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    *attr = a;
    *material = key;
    *material_length = stated;
    return PSA_SUCCESS;
}
