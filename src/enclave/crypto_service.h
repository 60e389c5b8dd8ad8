/* rssd's crypto service: the service object and its shutdown hook. */
#ifndef ENCLAVE_CRYPTO_SERVICE_H
#define ENCLAVE_CRYPTO_SERVICE_H

#include <stddef.h>

#include <psa/crypto.h>

#include "enclave/enclave_config.h"
#include "enclave/service.h"

/* The volatile key id range rssd's core hands out (ENCLAVE_VOLATILE_ID_MIN..MAX) and the limit
 * of concurrent multi-part operations per session are in enclave/enclave_config.h. */

extern const enclave_service_t enclave_crypto_service;

/* Aborts every operation of every session and frees the table (orderly shutdown, leak checks).
 * No call may be in flight. */
void crypto_service_shutdown(void);

#endif /* ENCLAVE_CRYPTO_SERVICE_H */
