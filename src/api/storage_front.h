/* The psa_its_* and psa_ps_* front functions (storage_front.c) and the backend each library gives
 * them. */
#ifndef API_STORAGE_FRONT_H
#define API_STORAGE_FRONT_H

#include "comms/storage_calls.h"

/* Runs one storage record: libpsa on rssd (src/client/storage_api.c), libpsa-local on the
 * in-process engines (src/local/storage_api.c). */
psa_status_t storage_backend_call(storage_args_t *a);

#endif /* API_STORAGE_FRONT_H */
