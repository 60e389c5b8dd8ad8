/* Encoder and bounds-checked decoder for ITS object records. */
#include "storage/its_format.h"
#include "storage/storage_io.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

static const uint8_t its_magic[4] = {'I', 'T', 'S', '1'};

static psa_status_t digest(const uint8_t *buf, size_t len, uint8_t out[ITS_RECORD_DIGEST_SIZE])
{
    unsigned int n = 0;
    if (EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL) != 1 || n != ITS_RECORD_DIGEST_SIZE) {
        return PSA_ERROR_GENERIC_ERROR;
    }
    return PSA_SUCCESS;
}

psa_status_t its_record_decode_header(const uint8_t *buf, size_t len, its_record_t *out)
{
    wire_reader_t r;
    const uint8_t *magic;
    uint8_t format, ns;
    uint16_t reserved;
    uint32_t owner;
    wire_reader_init(&r, buf, len);
    if (!wire_get_ref(&r, sizeof(its_magic), &magic) ||
        !wire_get_u8(&r, &format) || !wire_get_u8(&r, &ns) ||
        !wire_get_u16(&r, &reserved) || !wire_get_u32(&r, &owner) ||
        !wire_get_u64(&r, &out->uid) || !wire_get_u32(&r, &out->flags) ||
        !wire_get_u32(&r, &out->size)) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    if (memcmp(magic, its_magic, sizeof(its_magic)) != 0 || format != ITS_RECORD_FORMAT ||
        reserved != 0 || (out->flags & ~ITS_KNOWN_FLAGS) != 0 || out->uid == 0) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    out->ns = ns;
    out->owner = (int32_t)owner;
    out->data = NULL;
    return PSA_SUCCESS;
}

psa_status_t its_record_decode(const uint8_t *buf, size_t len, its_record_t *out)
{
    psa_status_t status = its_record_decode_header(buf, len, out);
    if (status != PSA_SUCCESS) {
        return status;
    }
    wire_reader_t r;
    const uint8_t *header, *data, *stored;
    wire_reader_init(&r, buf, len);
    if (!wire_get_ref(&r, ITS_RECORD_HEADER_SIZE, &header) ||
        !wire_get_ref(&r, out->size, &data) ||
        !wire_get_ref(&r, ITS_RECORD_DIGEST_SIZE, &stored) ||
        wire_remaining(&r) != 0) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    uint8_t computed[ITS_RECORD_DIGEST_SIZE];
    status = digest(buf, ITS_RECORD_HEADER_SIZE + (size_t)out->size, computed);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (CRYPTO_memcmp(computed, stored, sizeof(computed)) != 0) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    out->data = data;
    return PSA_SUCCESS;
}

psa_status_t its_record_encode(const its_record_t *rec, uint8_t **out, size_t *out_len)
{
    size_t len = ITS_RECORD_OVERHEAD + (size_t)rec->size;
    uint8_t *buf = malloc(len);
    if (buf == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    uint8_t *p = buf;
    memcpy(p, its_magic, sizeof(its_magic));
    p += sizeof(its_magic);
    *p++ = ITS_RECORD_FORMAT;
    *p++ = rec->ns;
    p = storage_put_u16(p, 0);
    p = storage_put_u32(p, (uint32_t)rec->owner);
    p = storage_put_u64(p, rec->uid);
    p = storage_put_u32(p, rec->flags);
    p = storage_put_u32(p, rec->size);
    if (rec->size > 0) {
        memcpy(p, rec->data, rec->size);
    }
    p += rec->size;
    psa_status_t status = digest(buf, (size_t)(p - buf), p);
    if (status != PSA_SUCCESS) {
        free(buf);
        return status;
    }
    *out = buf;
    *out_len = len;
    return PSA_SUCCESS;
}
