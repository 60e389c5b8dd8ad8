/* rssd's partition manager: the service table, the storage the services run on, and dispatch. */
#ifndef ENCLAVE_H
#define ENCLAVE_H

#include <stddef.h>
#include <stdint.h>

#include "comms/crypto_calls.h"
#include "enclave/service.h"
#include "storage/its_store.h"
#include "storage/ps_store.h"

/* The services, one table (services.c). enclave_crypto_service lives in crypto_service.c. */
extern const enclave_service_t enclave_crypto_service;
extern const enclave_service_t enclave_ps_service;
extern const enclave_service_t enclave_its_service;
extern const enclave_service_t enclave_attestation_service;

extern const enclave_service_t *const enclave_services[];
extern const size_t enclave_service_count;

/* The service a stateless handle names, or NULL (bad handle, unknown index, version mismatch:
 * the caller answers PSA_ERROR_PROGRAMMER_ERROR, as TF-M's SPM does). */
const enclave_service_t *enclave_service_by_handle(psa_handle_t handle);
const enclave_service_t *enclave_service_by_sid(uint32_t sid);

/* Runs one call: handle lookup, type check, then the service's handler. */
psa_status_t enclave_dispatch(const enclave_caller_t *caller, psa_handle_t handle, int32_t type,
                              const psa_invec *in, size_t in_len, psa_outvec *out,
                              size_t out_len);

/*
 * Which vectors of a pointer-access call may stay in the client's shared memory, given the call's
 * first input vector (already copied to private memory). Only the crypto service grants any
 * (the bulk rows of its call table); ITS, PS and attestation get private copies of everything,
 * so no service ever reads a client-writable byte twice unless the table says that is harmless.
 */
void enclave_vec_policy(psa_handle_t handle, const uint8_t *in0, size_t in0_len,
                        crypto_vec_policy_t *policy);

/* Tells every service that a session ended (its process's last connection closed). */
void enclave_release_session(const enclave_caller_t *caller);

/* Storage engines the ITS and PS services use; set by main before workers start. */
void enclave_storage_set(its_store_t *its, ps_store_t *ps);
its_store_t *enclave_its_store(void);
ps_store_t *enclave_ps_store(void);

/* ITS and PS message types: comms/rss_services.h. */
#include "comms/rss_services.h"

#endif /* ENCLAVE_H */
