/* Argument parsing shared by the ITS and PS services: TF-M's vector layouts (sheet §3.6). */
#ifndef ENCLAVE_STORAGE_ARGS_H
#define ENCLAVE_STORAGE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/client.h>
#include <psa/storage_common.h>

/* Reads a fixed-size scalar vector: it must be exactly n bytes (8 for a UID, 4 for offsets,
 * flags and capacities). Anything else is PSA_ERROR_PROGRAMMER_ERROR, as TF-M's services do. */
bool storage_arg_uid(const psa_invec *in, size_t in_len, size_t index, psa_storage_uid_t *uid);
bool storage_arg_u32(const psa_invec *in, size_t in_len, size_t index, uint32_t *value);

/* Writes the 12-byte info record (capacity u32, size u32, flags u32). out must be exactly 12
 * bytes; false otherwise. */
bool storage_put_info(psa_outvec *out, size_t out_len, const struct psa_storage_info_t *info);

#endif /* ENCLAVE_STORAGE_ARGS_H */
