/* The psa_* crypto front functions (crypto_front.c) and the backend each library gives them. */
#ifndef API_CRYPTO_FRONT_H
#define API_CRYPTO_FRONT_H

#include "comms/crypto_calls.h"

/*
 * The front functions are defined once, in crypto_front.c: each checks its buffer arguments,
 * packs its arguments into an argument record by role (the schema of comms/crypto_calls.h) and
 * hands it to the backend of the library it is linked into:
 *   libpsa-local - the in-process core, through the one dispatcher (src/local/backend.c);
 *   libpsa       - rssd over RSS comms, or in split mode the router that chooses per key
 *                  location (src/client/backend.c).
 * The backend answers BAD_STATE before psa_crypto_init, and fills the record's outputs.
 */
psa_status_t crypto_backend_call(crypto_args_t *a);

#endif /* API_CRYPTO_FRONT_H */
