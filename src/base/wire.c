/* Bounds-checked little-endian byte reader and writer (see wire.h for the contract). */
#include "base/wire.h"

#include <string.h>

void wire_reader_init(wire_reader_t *r, const void *data, size_t length)
{
    r->data = data;
    r->length = data != NULL ? length : 0;
    r->pos = 0;
    r->failed = false;
}

size_t wire_remaining(const wire_reader_t *r)
{
    return r->failed ? 0 : r->length - r->pos;
}

bool wire_reader_ok(const wire_reader_t *r)
{
    return !r->failed;
}

bool wire_reader_done(const wire_reader_t *r)
{
    return !r->failed && r->pos == r->length;
}

/* The single place that decides whether n more bytes exist. */
static const uint8_t *wire_take(wire_reader_t *r, size_t n)
{
    if (r->failed || n > r->length - r->pos) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

bool wire_get_u8(wire_reader_t *r, uint8_t *value)
{
    const uint8_t *p = wire_take(r, 1);
    if (p == NULL) {
        return false;
    }
    *value = p[0];
    return true;
}

bool wire_get_u16(wire_reader_t *r, uint16_t *value)
{
    const uint8_t *p = wire_take(r, 2);
    if (p == NULL) {
        return false;
    }
    *value = wire_load_u16(p);
    return true;
}

bool wire_get_u32(wire_reader_t *r, uint32_t *value)
{
    const uint8_t *p = wire_take(r, 4);
    if (p == NULL) {
        return false;
    }
    *value = wire_load_u32(p);
    return true;
}

bool wire_get_u64(wire_reader_t *r, uint64_t *value)
{
    const uint8_t *p = wire_take(r, 8);
    if (p == NULL) {
        return false;
    }
    *value = wire_load_u64(p);
    return true;
}

bool wire_get_u32_be(wire_reader_t *r, uint32_t *value)
{
    const uint8_t *p = wire_take(r, 4);
    if (p == NULL) {
        return false;
    }
    *value = wire_load_u32_be(p);
    return true;
}

bool wire_get_u64_be(wire_reader_t *r, uint64_t *value)
{
    const uint8_t *p = wire_take(r, 8);
    if (p == NULL) {
        return false;
    }
    *value = (uint64_t)wire_load_u32_be(p) << 32 | wire_load_u32_be(p + 4);
    return true;
}

bool wire_get_i32(wire_reader_t *r, int32_t *value)
{
    uint32_t u;
    if (!wire_get_u32(r, &u)) {
        return false;
    }
    *value = (int32_t)u;
    return true;
}

bool wire_get_bytes(wire_reader_t *r, void *out, size_t n)
{
    const uint8_t *p = wire_take(r, n);
    if (p == NULL) {
        return false;
    }
    if (n > 0) {
        memcpy(out, p, n);
    }
    return true;
}

bool wire_get_ref(wire_reader_t *r, size_t n, const uint8_t **ref)
{
    const uint8_t *p = wire_take(r, n);
    if (p == NULL) {
        return false;
    }
    *ref = p;
    return true;
}

bool wire_skip(wire_reader_t *r, size_t n)
{
    return wire_take(r, n) != NULL;
}

void wire_writer_init(wire_writer_t *w, void *data, size_t size)
{
    w->data = data;
    w->size = data != NULL ? size : 0;
    w->pos = 0;
    w->failed = false;
}

size_t wire_writer_length(const wire_writer_t *w)
{
    return w->pos;
}

bool wire_writer_ok(const wire_writer_t *w)
{
    return !w->failed;
}

static uint8_t *wire_room(wire_writer_t *w, size_t n)
{
    if (w->failed || n > w->size - w->pos) {
        w->failed = true;
        return NULL;
    }
    uint8_t *p = w->data + w->pos;
    w->pos += n;
    return p;
}

bool wire_put_u8(wire_writer_t *w, uint8_t value)
{
    uint8_t *p = wire_room(w, 1);
    if (p == NULL) {
        return false;
    }
    p[0] = value;
    return true;
}

bool wire_put_u16(wire_writer_t *w, uint16_t value)
{
    uint8_t *p = wire_room(w, 2);
    if (p == NULL) {
        return false;
    }
    wire_store_u16(p, value);
    return true;
}

bool wire_put_u32(wire_writer_t *w, uint32_t value)
{
    uint8_t *p = wire_room(w, 4);
    if (p == NULL) {
        return false;
    }
    wire_store_u32(p, value);
    return true;
}

bool wire_put_u64(wire_writer_t *w, uint64_t value)
{
    uint8_t *p = wire_room(w, 8);
    if (p == NULL) {
        return false;
    }
    wire_store_u64(p, value);
    return true;
}

bool wire_put_i32(wire_writer_t *w, int32_t value)
{
    return wire_put_u32(w, (uint32_t)value);
}

bool wire_put_bytes(wire_writer_t *w, const void *data, size_t n)
{
    if (n > 0 && data == NULL) {
        w->failed = true;
        return false;
    }
    uint8_t *p = wire_room(w, n);
    if (p == NULL) {
        return false;
    }
    if (n > 0 && p != data) {
        memmove(p, data, n);
    }
    return true;
}

bool wire_put_zeros(wire_writer_t *w, size_t n)
{
    uint8_t *p = wire_room(w, n);
    if (p == NULL) {
        return false;
    }
    if (n > 0) {
        memset(p, 0, n);
    }
    return true;
}

bool wire_reserve(wire_writer_t *w, size_t n, uint8_t **where)
{
    uint8_t *p = wire_room(w, n);
    if (p == NULL) {
        return false;
    }
    *where = p;
    return true;
}

bool wire_tlv_find(const uint8_t *data, size_t length, uint16_t tag, const uint8_t **value,
                   size_t *value_length)
{
    size_t pos = 0;
    while (length - pos >= WIRE_TLV_HEADER) {
        uint16_t t = (uint16_t)((data[pos] << 8) | data[pos + 1]);
        size_t n = (size_t)((data[pos + 2] << 8) | data[pos + 3]);
        if (n > length - pos - WIRE_TLV_HEADER || t > tag) {
            return false;
        }
        if (t == tag) {
            *value = data + pos + WIRE_TLV_HEADER;
            *value_length = n;
            return true;
        }
        pos += WIRE_TLV_HEADER + n;
    }
    return false;
}

bool wire_put_tlv(wire_writer_t *w, uint16_t tag, const void *value, size_t value_length)
{
    if (value_length > WIRE_TLV_VALUE_MAX) {
        return false;
    }
    uint8_t *p;
    if (!wire_reserve(w, WIRE_TLV_HEADER, &p)) {
        return false;
    }
    p[0] = (uint8_t)(tag >> 8);
    p[1] = (uint8_t)tag;
    p[2] = (uint8_t)(value_length >> 8);
    p[3] = (uint8_t)value_length;
    return wire_put_bytes(w, value, value_length);
}
