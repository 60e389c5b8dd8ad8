/* The small interface through which the crypto core persists keys; the core never includes an engine. */
#ifndef CORE_KEY_STORAGE_H
#define CORE_KEY_STORAGE_H

#include <stddef.h>
#include <stdint.h>
#include <psa/error.h>

/*
 * One record per (owner, key id). The core serialises and parses the record itself; a backend only
 * stores opaque bytes durably (on disk before the call returns, never torn by a crash).
 * Status conventions: load/remove of a missing record -> PSA_ERROR_DOES_NOT_EXIST;
 * store of an existing record -> PSA_ERROR_ALREADY_EXISTS (keys are never overwritten);
 * disk full -> PSA_ERROR_INSUFFICIENT_STORAGE; other I/O errors -> PSA_ERROR_STORAGE_FAILURE.
 */
typedef struct core_key_storage {
    void *ctx;
    /* Writes the record's length to *length; copies it when it fits in size bytes,
     * else returns PSA_ERROR_BUFFER_TOO_SMALL (with *length set). */
    psa_status_t (*load)(void *ctx, int32_t owner, uint32_t key_id, uint8_t *data, size_t size,
                         size_t *length);
    psa_status_t (*store)(void *ctx, int32_t owner, uint32_t key_id, const uint8_t *data,
                          size_t length);
    psa_status_t (*remove)(void *ctx, int32_t owner, uint32_t key_id);
    /* The owner's key ids greater than `after`, ascending: the `max` smallest in ids[0..*count)
     * (*count < max: no more). NULL when the backend cannot enumerate (NOT_SUPPORTED). */
    psa_status_t (*list)(void *ctx, int32_t owner, uint32_t after, uint32_t *ids, size_t max,
                         size_t *count);
} core_key_storage_t;

#endif /* CORE_KEY_STORAGE_H */
