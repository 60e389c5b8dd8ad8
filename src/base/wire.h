/* Bounds-checked little-endian byte reader and writer: the only way peer bytes are parsed. */
#ifndef BASE_WIRE_H
#define BASE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every decoder of bytes from a peer (RSS comms messages, crypto iovec headers, ITS/PS
 * arguments, set-up messages) reads through a wire_reader_t, in the spirit of OpenSSH's sshbuf:
 * a getter either consumes exactly the bytes it asks for or returns false and consumes nothing,
 * so a handler cannot read past the end of a message. Once a getter has failed the reader is
 * "failed" and every later getter fails too, which lets a decoder chain several reads and test
 * once (wire_reader_ok) without a half-read value slipping through.
 *
 * The writer is symmetric: a put that does not fit fails, writes nothing and marks the writer
 * failed. Integers are little-endian whatever the host's byte order, except through the _be
 * functions, which formats that define big-endian fields use.
 */

typedef struct wire_reader {
    const uint8_t *data;
    size_t length;
    size_t pos;
    bool failed;
} wire_reader_t;

typedef struct wire_writer {
    uint8_t *data;
    size_t size;
    size_t pos;
    bool failed;
} wire_writer_t;

void wire_reader_init(wire_reader_t *r, const void *data, size_t length);
/* Bytes not yet consumed (0 once the reader has failed). */
size_t wire_remaining(const wire_reader_t *r);
/* True while no getter has failed. */
bool wire_reader_ok(const wire_reader_t *r);
/* True when no getter has failed and every byte has been consumed. */
bool wire_reader_done(const wire_reader_t *r);

bool wire_get_u8(wire_reader_t *r, uint8_t *value);
bool wire_get_u16(wire_reader_t *r, uint16_t *value);
bool wire_get_u32(wire_reader_t *r, uint32_t *value);
bool wire_get_u64(wire_reader_t *r, uint64_t *value);
bool wire_get_i32(wire_reader_t *r, int32_t *value);
/* Big-endian, for formats that define it (the PSA hash suspend state). */
bool wire_get_u32_be(wire_reader_t *r, uint32_t *value);
bool wire_get_u64_be(wire_reader_t *r, uint64_t *value);
/* Copies n bytes out. */
bool wire_get_bytes(wire_reader_t *r, void *out, size_t n);
/* Returns a pointer to the next n bytes inside the message without copying them. */
bool wire_get_ref(wire_reader_t *r, size_t n, const uint8_t **ref);
bool wire_skip(wire_reader_t *r, size_t n);

void wire_writer_init(wire_writer_t *w, void *data, size_t size);
/* Bytes written so far. */
size_t wire_writer_length(const wire_writer_t *w);
bool wire_writer_ok(const wire_writer_t *w);

bool wire_put_u8(wire_writer_t *w, uint8_t value);
bool wire_put_u16(wire_writer_t *w, uint16_t value);
bool wire_put_u32(wire_writer_t *w, uint32_t value);
bool wire_put_u64(wire_writer_t *w, uint64_t value);
bool wire_put_i32(wire_writer_t *w, int32_t value);
/* Copies n bytes in; data may be NULL when n is 0. memmove semantics, so data may lie later in
 * the same buffer (used to compact embed replies in place). */
bool wire_put_bytes(wire_writer_t *w, const void *data, size_t n);
bool wire_put_zeros(wire_writer_t *w, size_t n);
/* Reserves n bytes for the caller to fill and returns where they are. */
bool wire_reserve(wire_writer_t *w, size_t n, uint8_t **where);

/* ---- TLV records of TS packed-c (sheet §2.1): tag u16 BE, length u16 BE, value ------------- */
#define WIRE_TLV_HEADER    4u
#define WIRE_TLV_VALUE_MAX 0xffffu
/* The value of the first record with `tag` in data[0..length), scanning as upstream's decoder:
 * records of other tags are skipped, and a tag larger than the one wanted ends the search.
 * False when it is absent or a record runs past the end. */
bool wire_tlv_find(const uint8_t *data, size_t length, uint16_t tag, const uint8_t **value,
                   size_t *value_length);
/* Appends one record; false when it does not fit or value_length exceeds WIRE_TLV_VALUE_MAX. */
bool wire_put_tlv(wire_writer_t *w, uint16_t tag, const void *value, size_t value_length);

/* Fixed-position helpers for code that has already checked the length. */
static inline uint16_t wire_load_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t wire_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t wire_load_u64(const uint8_t *p)
{
    return (uint64_t)wire_load_u32(p) | ((uint64_t)wire_load_u32(p + 4) << 32);
}

static inline void wire_store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void wire_store_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void wire_store_u64(uint8_t *p, uint64_t v)
{
    wire_store_u32(p, (uint32_t)v);
    wire_store_u32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t wire_load_u32_be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void wire_store_u32_be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void wire_store_u64_be(uint8_t *p, uint64_t v)
{
    wire_store_u32_be(p, (uint32_t)(v >> 32));
    wire_store_u32_be(p + 4, (uint32_t)v);
}

#endif /* BASE_WIRE_H */
