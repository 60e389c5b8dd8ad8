/* The operation-object rules of a PSA service in another process (rssd, se-proxy), shared by the
 * backends that send records there. */
#ifndef API_REMOTE_H
#define API_REMOTE_H

#include <stdbool.h>

#include "comms/crypto_calls.h"

/* Where an operation object runs: the `route` field of every operation object. */
enum { ROUTE_NONE = 0, ROUTE_REMOTE = 1, ROUTE_LOCAL = 2 };

/* Where an operation runs now: a local operation whose core state has ended (the core aborted
 * it after an error) is inactive. */
static inline uint32_t op_route(const crypto_op_ref_t *o)
{
    return *o->route == ROUTE_LOCAL && *o->ctx == NULL ? (uint32_t)ROUTE_NONE : *o->route;
}

static inline void op_clear(const crypto_op_ref_t *o)
{
    *o->handle = 0;
    *o->route = ROUTE_NONE;
    *o->ctx = NULL;
}

/* One call of a record to the service, by the backend's wire; the handle the service reports
 * (CRYPTO_OUT_HANDLE) comes back in a->handle. */
typedef psa_status_t (*remote_raw_fn)(crypto_args_t *a);

/*
 * A record on the service, with the operation object's handle and route kept as the service
 * reports them. A setup sends the handle the object still holds: the service refuses it only if
 * it names a live operation (BAD_STATE), exactly when the in-process core would; a setup answered
 * with handle 0 is a broken reply (COMMUNICATION_FAILURE). A failed call returns no outputs and
 * leaves the service's operation in its error state, so the object keeps its handle and a later
 * abort releases it. An abort always leaves the object inactive.
 */
psa_status_t remote_call(crypto_args_t *a, remote_raw_fn raw);

/* Calls a remote backend answers without asking the service: destroying PSA_KEY_ID_NULL and 0
 * random bytes (SUCCESS), setting up a PAKE object that is not in its initial state (BAD_STATE:
 * an ended one must be aborted first). True with *status set for those. */
bool remote_answers_here(const crypto_args_t *a, psa_status_t *status);

#endif /* API_REMOTE_H */
