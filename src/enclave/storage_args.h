/* Argument parsing shared by the ITS and PS services: TF-M's vector layouts (sheet §3.6). */
#ifndef ENCLAVE_STORAGE_ARGS_H
#define ENCLAVE_STORAGE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/client.h>
#include <psa/storage_common.h>

#include "enclave/service.h"

/* Reads a fixed-size scalar vector: it must be exactly n bytes (8 for a UID, 4 for offsets,
 * flags and capacities). Anything else is PSA_ERROR_PROGRAMMER_ERROR, as TF-M's services do. */
bool storage_arg_uid(const psa_invec *in, size_t in_len, size_t index, psa_storage_uid_t *uid);
bool storage_arg_u32(const psa_invec *in, size_t in_len, size_t index, uint32_t *value);

/* Writes the 12-byte info record (capacity u32, size u32, flags u32). out must be exactly 12
 * bytes; false otherwise. */
bool storage_put_info(psa_outvec *out, size_t out_len, const struct psa_storage_info_t *info);

/* Sets every output length to 0 (nothing is returned). */
void storage_clear_outputs(psa_outvec *out, size_t out_len);

/* One storage engine seen through the four calls ITS and PS share. */
typedef struct storage_engine {
    void *store;
    psa_status_t (*set)(void *store, int32_t owner, psa_storage_uid_t uid, size_t length,
                        const void *data, psa_storage_create_flags_t flags);
    psa_status_t (*get)(void *store, int32_t owner, psa_storage_uid_t uid, size_t offset,
                        size_t length, void *data, size_t *data_length);
    psa_status_t (*get_info)(void *store, int32_t owner, psa_storage_uid_t uid,
                             struct psa_storage_info_t *info);
    psa_status_t (*remove)(void *store, int32_t owner, psa_storage_uid_t uid);
} storage_engine_t;

/* Serves SET, GET, GET_INFO and REMOVE (TF-M's types 1001-1004, the same vectors for ITS and
 * PS) on `engine`; returns false, touching nothing, for any other type. */
bool storage_serve_common(const storage_engine_t *engine, const enclave_caller_t *caller,
                          int32_t type, const psa_invec *in, size_t in_len, psa_outvec *out,
                          size_t out_len, psa_status_t *status);

#endif /* ENCLAVE_STORAGE_ARGS_H */
