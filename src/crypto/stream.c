/* Streamed input: the core's reads of input that is still arriving, and its early output. */
#include <stdint.h>

#include "core.h"

static _Thread_local core_stream_t *current;

void core_stream_begin(core_stream_t *stream)
{
    stream->failed = false;
    current = stream;
}

void core_stream_end(void)
{
    current = NULL;
}

/* Where p lies in the streamed input: its offset, or SIZE_MAX when outside. Compared as
 * integers, since p may point into another object. */
static size_t in_offset(const core_stream_t *s, const uint8_t *p)
{
    uintptr_t base = (uintptr_t)s->in, at = (uintptr_t)p;
    return at >= base && at - base < s->in_len ? (size_t)(at - base) : SIZE_MAX;
}

size_t core_stream_chunk(const uint8_t *p, size_t n)
{
    const core_stream_t *s = current;
    size_t off;
    if (s == NULL || n == 0 || (off = in_offset(s, p)) == SIZE_MAX) {
        return n;
    }
    size_t room = CORE_STREAM_CHUNK - off % CORE_STREAM_CHUNK;
    return n < room ? n : room;
}

bool core_stream_await(const uint8_t *p, size_t n)
{
    core_stream_t *s = current;
    if (s == NULL || n == 0) {
        return true;
    }
    if (s->failed) {
        return false;
    }
    uintptr_t base = (uintptr_t)s->in, at = (uintptr_t)p;
    /* Any overlap with the input: wait for everything up to the range's end (within it). */
    if (at >= base + s->in_len || at + n <= base) {
        return true;
    }
    size_t end = at + n - base;
    if (end > s->in_len) {
        end = s->in_len;
    }
    if (!s->await(s->ctx, end)) {
        s->failed = true;
        return false;
    }
    return true;
}

void core_stream_wrote(const uint8_t *p, size_t n)
{
    const core_stream_t *s = current;
    if (s == NULL || s->out == NULL || s->wrote == NULL || n == 0) {
        return;
    }
    uintptr_t base = (uintptr_t)s->out, at = (uintptr_t)p;
    if (at < base || at - base >= s->out_len || n > s->out_len - (at - base)) {
        return;
    }
    s->wrote(s->ctx, (size_t)(at - base) + n);
}
