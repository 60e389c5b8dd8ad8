/* Encoding of a persistent key record: attributes and key material, as stored by a backend. */
#include "key_record.h"
#include "core.h"
#include "key_types.h"

#include <string.h>
#include <openssl/crypto.h>

static const uint8_t key_record_magic[4] = {'P', 'S', 'K', '1'};

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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
    memcpy(p, key_record_magic, 4);
    put_u32(p + 4, attr->lifetime);
    put_u16(p + 8, attr->type);
    put_u16(p + 10, 0);
    put_u32(p + 12, (uint32_t)attr->bits);
    put_u32(p + 16, attr->usage);
    put_u32(p + 20, attr->alg);
    put_u32(p + 24, (uint32_t)material_length);
    memcpy(p + KEY_RECORD_HEADER_SIZE, material, material_length);
    *record = p;
    *record_length = length;
    return PSA_SUCCESS;
}

psa_status_t key_record_decode_for(psa_key_id_t key_id, const uint8_t *record, size_t length,
                                   psa_key_attributes_t *attr, const uint8_t **material,
                                   size_t *material_length)
{
    if (length < KEY_RECORD_HEADER_SIZE || length > KEY_RECORD_MAX_SIZE ||
        memcmp(record, key_record_magic, 4) != 0 || get_u16(record + 10) != 0) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    size_t stated = get_u32(record + 24);
    if (stated != length - KEY_RECORD_HEADER_SIZE || stated == 0) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    a.lifetime = get_u32(record + 4);
    a.type = get_u16(record + 8);
    a.bits = get_u32(record + 12);
    a.usage = get_u32(record + 16);
    a.alg = get_u32(record + 20);
    a.id = key_id;
    if (PSA_KEY_LIFETIME_IS_VOLATILE(a.lifetime)) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    /* The material must be a valid key of the recorded type and size. */
    size_t bits = 0;
    if (core_key_types_validate(a.type, record + KEY_RECORD_HEADER_SIZE, stated, &bits) !=
            PSA_SUCCESS ||
        bits != a.bits) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    *attr = a;
    *material = record + KEY_RECORD_HEADER_SIZE;
    *material_length = stated;
    return PSA_SUCCESS;
}
