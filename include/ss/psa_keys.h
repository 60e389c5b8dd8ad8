/*
 * Enumeration of the calling application's persistent keys: an extension of this project (the
 * PSA Certified Crypto API has no such call). Part of libpsa (answered by rssd, for the caller's
 * own keys only) and libpsa-local.
 */
#ifndef SS_PSA_KEYS_H
#define SS_PSA_KEYS_H

#include <stddef.h>

#include <psa/crypto.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Writes to ids[0..*count) the ids of the caller's persistent keys greater than `after`, in
 * ascending order, at most `max` of them; *count < max means there are no more. Start with
 * after = 0 and go on from the last id returned. psa_get_key_attributes gives each key's
 * attributes. PSA_ERROR_BAD_STATE before psa_crypto_init; PSA_ERROR_NOT_SUPPORTED when the key
 * storage cannot be enumerated.
 */
psa_status_t ss_list_keys(psa_key_id_t after, psa_key_id_t *ids, size_t max, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* SS_PSA_KEYS_H */
