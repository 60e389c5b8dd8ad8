/* The operation-object rules of a remote PSA service (api/remote.h). */
#include "api/remote.h"

#include <stdbool.h>

static bool row_has_out(const crypto_call_desc_t *desc, uint8_t role)
{
    for (size_t i = 0; i < desc->out_count; i++) {
        if (desc->out_role[i] == role) {
            return true;
        }
    }
    return false;
}

psa_status_t remote_call(crypto_args_t *a, remote_raw_fn raw)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    const crypto_op_ref_t *o = &a->op_ref;
    const crypto_op_ref_t *t = &a->target_ref;
    psa_status_t status;
    if (desc == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (desc->flags & CRYPTO_CALL_SETUP) {
        a->handle = *o->route == ROUTE_REMOTE ? *o->handle : 0;
        status = raw(a);
        if (status == PSA_SUCCESS && a->handle == 0) {
            status = PSA_ERROR_COMMUNICATION_FAILURE; /* every operation set up has a handle */
        }
        if (status == PSA_SUCCESS) {
            *o->handle = a->handle;
            *o->route = ROUTE_REMOTE;
        } else if (status != PSA_ERROR_BAD_STATE && status != PSA_ERROR_COMMUNICATION_FAILURE) {
            op_clear(o); /* the service would have answered BAD_STATE for a live one */
        }
        return status;
    }
    if (desc->flags & CRYPTO_CALL_ABORT) {
        status = PSA_SUCCESS;
        if (*o->route == ROUTE_REMOTE) {
            a->handle = *o->handle;
            status = raw(a);
        }
        /* Whatever the service said, this object is inactive now; an operation the service
         * still held is released with the session at the latest. */
        op_clear(o);
        return status == PSA_ERROR_COMMUNICATION_FAILURE ? status : PSA_SUCCESS;
    }
    if (crypto_call_uses_op(desc)) {
        if (*o->route != ROUTE_REMOTE) {
            return PSA_ERROR_BAD_STATE;
        }
        a->handle = *o->handle;
        if (a->function_id == CRYPTO_FID_HASH_CLONE) {
            a->target_handle = op_route(t) == ROUTE_REMOTE ? *t->handle : 0;
            status = raw(a);
            if (status == PSA_SUCCESS) {
                *t->handle = a->handle;
                *t->route = ROUTE_REMOTE;
            }
            return status;
        }
        status = raw(a);
        if (status == PSA_SUCCESS && row_has_out(desc, CRYPTO_OUT_HANDLE)) {
            *o->handle = a->handle;
            if (a->handle == 0) {
                *o->route = ROUTE_NONE;
            }
        }
        if (status == PSA_SUCCESS && a->function_id == CRYPTO_FID_PAKE_GET_SHARED_KEY) {
            op_clear(o); /* the service ended the operation */
        }
        return status;
    }
    return raw(a);
}
