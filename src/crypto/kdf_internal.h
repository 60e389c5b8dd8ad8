/* Internal hooks of the key derivation family, for key agreement to feed a shared secret. */
#ifndef KDF_INTERNAL_H
#define KDF_INTERNAL_H

#include "core.h"

/*
 * How key agreement plugs in (PSA_ALG_KEY_AGREEMENT(ka, kdf) operations):
 *   1. core_kdf_agreement_check() validates the operation state without changing anything, and
 *      returns the raw agreement algorithm (ECDH, FFDH) of the operation.
 *   2. the caller acquires the private key, computes the shared secret, and on failure calls
 *      core_kdf_set_error() so the operation enters the error state the specification requires.
 *   3. core_kdf_input_secret_internal() feeds the shared secret; it counts as a secret that came
 *      from a key with PSA_KEY_USAGE_DERIVE, so output_key() is permitted afterwards.
 */

/* BAD_STATE: inactive or in the error state; INVALID_ARGUMENT: the operation is not a key
 * agreement operation. The step is checked in step 3, after the key (Mbed TLS's order). */
psa_status_t core_kdf_agreement_check(const psa_key_derivation_operation_t *operation,
                                      psa_algorithm_t *ka_alg);

/* Feeds `bytes` as SECRET, OTHER_SECRET or PASSWORD with the rights of a DERIVE key: another
 * step is INVALID_ARGUMENT, one out of order BAD_STATE. Errors put the operation in the error
 * state. */
psa_status_t core_kdf_input_secret_internal(psa_key_derivation_operation_t *operation,
                                            psa_key_derivation_step_t step, const uint8_t *bytes,
                                            size_t len);

/* Puts an active operation in the error state (only abort is useful afterwards). */
void core_kdf_set_error(psa_key_derivation_operation_t *operation);

#endif /* KDF_INTERNAL_H */
