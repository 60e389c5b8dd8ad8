/* Encoders and bounds-checked decoders for PS object files and the trusted object table. */
#include "storage/ps_format.h"
#include "storage/storage_io.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const uint8_t object_magic[4] = {'P', 'S', 'O', '1'};
static const uint8_t table_magic[4] = {'P', 'S', 'T', '1'};

psa_status_t ps_object_parse(const uint8_t *buf, size_t len, ps_object_view_t *out)
{
    wire_reader_t r;
    const uint8_t *magic, *nonce;
    uint8_t format, res8;
    uint16_t res16;
    uint32_t owner;
    ps_object_header_t *h = &out->header;
    wire_reader_init(&r, buf, len);
    if (!wire_get_ref(&r, sizeof(object_magic), &magic) ||
        !wire_get_u8(&r, &format) || !wire_get_u8(&r, &res8) ||
        !wire_get_u16(&r, &res16) || !wire_get_u32(&r, &owner) ||
        !wire_get_u64(&r, &h->uid) || !wire_get_u32(&r, &h->flags) ||
        !wire_get_u32(&r, &h->size) || !wire_get_u32(&r, &h->capacity) ||
        !wire_get_u64(&r, &h->version) ||
        !wire_get_ref(&r, PS_NONCE_SIZE, &nonce)) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    if (memcmp(magic, object_magic, sizeof(object_magic)) != 0 || format != PS_OBJECT_FORMAT ||
        res8 != 0 || res16 != 0 || h->uid == 0 || (h->flags & ~PS_KNOWN_FLAGS) != 0 ||
        h->size > h->capacity) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    h->owner = (int32_t)owner;
    memcpy(h->nonce, nonce, PS_NONCE_SIZE);
    out->aad = buf;
    if (!wire_get_ref(&r, h->size, &out->ciphertext) ||
        !wire_get_ref(&r, PS_TAG_SIZE, &out->tag) || wire_remaining(&r) != 0) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    return PSA_SUCCESS;
}

void ps_object_header_encode(const ps_object_header_t *h, uint8_t out[PS_OBJECT_HEADER_SIZE])
{
    uint8_t *p = out;
    memcpy(p, object_magic, sizeof(object_magic));
    p += sizeof(object_magic);
    *p++ = PS_OBJECT_FORMAT;
    *p++ = 0;
    p = storage_put_u16(p, 0);
    p = storage_put_u32(p, (uint32_t)h->owner);
    p = storage_put_u64(p, h->uid);
    p = storage_put_u32(p, h->flags);
    p = storage_put_u32(p, h->size);
    p = storage_put_u32(p, h->capacity);
    p = storage_put_u64(p, h->version);
    memcpy(p, h->nonce, PS_NONCE_SIZE);
}

psa_status_t ps_hmac_sha256(const uint8_t *key, const uint8_t *buf, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    if (HMAC(EVP_sha256(), key, 32, buf, len, out, &n) == NULL || n != 32) {
        return PSA_ERROR_GENERIC_ERROR;
    }
    return PSA_SUCCESS;
}

size_t ps_table_slot_size(size_t count)
{
    return PS_TABLE_HEADER_SIZE + count * PS_TABLE_ENTRY_SIZE + PS_TABLE_MAC_SIZE;
}

/* Orders entries by (owner, uid). */
static int entry_cmp(int32_t owner_a, uint64_t uid_a, int32_t owner_b, uint64_t uid_b)
{
    if (owner_a != owner_b) {
        return owner_a < owner_b ? -1 : 1;
    }
    if (uid_a != uid_b) {
        return uid_a < uid_b ? -1 : 1;
    }
    return 0;
}

psa_status_t ps_table_decode(const uint8_t *region, size_t len, const uint8_t *mac_key,
                             ps_table_t *out)
{
    wire_reader_t r;
    const uint8_t *magic, *mac;
    uint8_t format, res8;
    uint16_t res16;
    uint32_t count;
    memset(out, 0, sizeof(*out));
    wire_reader_init(&r, region, len);
    if (!wire_get_ref(&r, sizeof(table_magic), &magic) ||
        !wire_get_u8(&r, &format) || !wire_get_u8(&r, &res8) ||
        !wire_get_u16(&r, &res16) || !wire_get_u64(&r, &out->generation) ||
        !wire_get_u32(&r, &count)) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    if (memcmp(magic, table_magic, sizeof(table_magic)) != 0 || format != PS_TABLE_FORMAT ||
        res8 != 0 || res16 != 0 || count > wire_remaining(&r) / PS_TABLE_ENTRY_SIZE) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    size_t body = PS_TABLE_HEADER_SIZE + (size_t)count * PS_TABLE_ENTRY_SIZE;
    wire_reader_t mr;
    const uint8_t *skip;
    wire_reader_init(&mr, region, len);
    if (!wire_get_ref(&mr, body, &skip) ||
        !wire_get_ref(&mr, PS_TABLE_MAC_SIZE, &mac)) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    uint8_t computed[PS_TABLE_MAC_SIZE];
    if (ps_hmac_sha256(mac_key, region, body, computed) != PSA_SUCCESS) {
        return PSA_ERROR_GENERIC_ERROR;
    }
    if (CRYPTO_memcmp(computed, mac, sizeof(computed)) != 0) {
        return PSA_ERROR_DATA_CORRUPT;
    }
    out->entries = calloc(count ? count : 1, sizeof(*out->entries));
    if (out->entries == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    out->alloc = count ? count : 1;
    for (uint32_t i = 0; i < count; i++) {
        ps_table_entry_t *e = &out->entries[i];
        uint32_t owner;
        const uint8_t *tag;
        if (!wire_get_u32(&r, &owner) || !wire_get_u64(&r, &e->uid) ||
            !wire_get_u64(&r, &e->version) || !wire_get_u32(&r, &e->flags) ||
            !wire_get_u32(&r, &e->size) || !wire_get_u32(&r, &e->capacity) ||
            !wire_get_ref(&r, PS_TAG_SIZE, &tag)) {
            ps_table_free(out);
            return PSA_ERROR_DATA_CORRUPT;
        }
        e->owner = (int32_t)owner;
        memcpy(e->tag, tag, PS_TAG_SIZE);
        if (e->uid == 0 || (e->flags & ~PS_KNOWN_FLAGS) != 0 || e->size > e->capacity ||
            (i > 0 && entry_cmp(out->entries[i - 1].owner, out->entries[i - 1].uid, e->owner,
                                e->uid) >= 0)) {
            ps_table_free(out);
            return PSA_ERROR_DATA_CORRUPT;
        }
        out->count = i + 1;
    }
    return PSA_SUCCESS;
}

psa_status_t ps_table_encode(const ps_table_t *t, const uint8_t *mac_key, uint8_t *out)
{
    uint8_t *p = out;
    memcpy(p, table_magic, sizeof(table_magic));
    p += sizeof(table_magic);
    *p++ = PS_TABLE_FORMAT;
    *p++ = 0;
    p = storage_put_u16(p, 0);
    p = storage_put_u64(p, t->generation);
    p = storage_put_u32(p, (uint32_t)t->count);
    for (size_t i = 0; i < t->count; i++) {
        const ps_table_entry_t *e = &t->entries[i];
        p = storage_put_u32(p, (uint32_t)e->owner);
        p = storage_put_u64(p, e->uid);
        p = storage_put_u64(p, e->version);
        p = storage_put_u32(p, e->flags);
        p = storage_put_u32(p, e->size);
        p = storage_put_u32(p, e->capacity);
        memcpy(p, e->tag, PS_TAG_SIZE);
        p += PS_TAG_SIZE;
    }
    return ps_hmac_sha256(mac_key, out, (size_t)(p - out), p);
}

void ps_table_free(ps_table_t *t)
{
    free(t->entries);
    memset(t, 0, sizeof(*t));
}

long ps_table_find(const ps_table_t *t, int32_t owner, uint64_t uid)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = entry_cmp(t->entries[mid].owner, t->entries[mid].uid, owner, uid);
        if (c == 0) {
            return (long)mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -1;
}

psa_status_t ps_table_upsert(ps_table_t *t, const ps_table_entry_t *e)
{
    long found = ps_table_find(t, e->owner, e->uid);
    if (found >= 0) {
        t->entries[found] = *e;
        return PSA_SUCCESS;
    }
    if (t->count == t->alloc) {
        size_t alloc = t->alloc ? t->alloc * 2 : 8;
        ps_table_entry_t *n = realloc(t->entries, alloc * sizeof(*n));
        if (n == NULL) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        t->entries = n;
        t->alloc = alloc;
    }
    size_t pos = 0;
    while (pos < t->count &&
           entry_cmp(t->entries[pos].owner, t->entries[pos].uid, e->owner, e->uid) < 0) {
        pos++;
    }
    memmove(&t->entries[pos + 1], &t->entries[pos], (t->count - pos) * sizeof(*e));
    t->entries[pos] = *e;
    t->count++;
    return PSA_SUCCESS;
}

void ps_table_delete(ps_table_t *t, size_t index)
{
    if (index >= t->count) {
        return;
    }
    memmove(&t->entries[index], &t->entries[index + 1],
            (t->count - index - 1) * sizeof(*t->entries));
    t->count--;
}

psa_status_t ps_table_copy(const ps_table_t *src, ps_table_t *dst)
{
    dst->generation = src->generation;
    dst->count = src->count;
    dst->alloc = src->count + 1;
    dst->entries = malloc(dst->alloc * sizeof(*dst->entries));
    if (dst->entries == NULL) {
        memset(dst, 0, sizeof(*dst));
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (src->count > 0) {
        memcpy(dst->entries, src->entries, src->count * sizeof(*dst->entries));
    }
    return PSA_SUCCESS;
}
