/* The contract between rssd's partition manager and each service it hosts (crypto, ITS, PS, ...).
 */
#ifndef ENCLAVE_SERVICE_H
#define ENCLAVE_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <psa/client.h>

#include "daemon/sessions.h"

/* Who a request is for, as the daemon core established it (daemon/sessions.h): the PSA client id
 * that owns persistent keys and storage UIDs, and the session that owns volatile keys and
 * multi-part operations. */
typedef daemon_caller_t enclave_caller_t;

/*
 * A service's handler runs on a worker thread. Input vectors are read-only and bounds are already
 * checked by the transport; the handler writes at most out[i].len bytes to out[i].base and sets
 * out[i].len to the number of bytes written. It returns the psa_call status. A handler must not
 * keep pointers into the vectors after it returns.
 */
typedef psa_status_t (*enclave_handler_t)(const enclave_caller_t *caller, int32_t type,
                                          const psa_invec *in, size_t in_len, psa_outvec *out,
                                          size_t out_len);

typedef struct enclave_service {
    const char *name;
    uint32_t sid;        /* TF-M service id */
    psa_handle_t handle; /* TF-M stateless handle, e.g. 0x40000100 for crypto */
    uint32_t version;
    enclave_handler_t call;
    /* Frees everything `session` of `client_id` held (volatile keys, operations); called when the
     * last connection of a client process closes. May be NULL. */
    void (*release_session)(const enclave_caller_t *caller);
} enclave_service_t;

/* TF-M's SIDs and stateless handles (reference sheet §3.1). */
#define ENCLAVE_SID_CRYPTO      RSS_SID_CRYPTO
#define ENCLAVE_SID_PS          RSS_SID_PS
#define ENCLAVE_SID_ITS         RSS_SID_ITS
#define ENCLAVE_SID_ATTESTATION RSS_SID_ATTESTATION
/* The stateless handles: comms/rss_services.h. */
#include "comms/rss_services.h"

#endif /* ENCLAVE_SERVICE_H */
