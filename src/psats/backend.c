/* libpsa-ts's crypto backend: every record is one call of se-proxy's crypto service through libts
 * (the Primary Compute path), by the generic packed-c rows of ts/ts_crypto.h. */
#include "psats/psats.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "api/crypto_front.h"
#include "api/remote.h"
#include "ts/ts_crypto.h"

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static psats_service_t crypto = {.name = "sn:trustedfirmware.org:crypto:0",
                                 .lock = PTHREAD_MUTEX_INITIALIZER};
static atomic_bool crypto_initialised;

static void crypto_open(void)
{
    psats_service_open(&crypto);
}

psa_status_t psa_crypto_init(void)
{
    pthread_once(&crypto_once, crypto_open);
    if (crypto.session == NULL) {
        return PSA_ERROR_COMMUNICATION_FAILURE; /* no se-proxy to be found */
    }
    atomic_store(&crypto_initialised, true);
    return PSA_SUCCESS;
}

/* One record, one TS call: request and response in memory sized for this call. */
static psa_status_t ts_raw(crypto_args_t *a)
{
    size_t request_size = ts_crypto_generic_request_size(a);
    size_t response_size = ts_crypto_generic_response_size(a);
    if (request_size == 0 && response_size == 0 && crypto_call_find(a->function_id) == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    pthread_mutex_lock(&crypto.lock);
    uint8_t *request = NULL;
    rpc_call_handle call =
        rpc_caller_session_begin(crypto.session, &request, request_size, response_size);
    psa_status_t status = PSA_ERROR_COMMUNICATION_FAILURE;
    if (call != NULL) {
        size_t length = 0;
        uint8_t *response = NULL;
        size_t response_length = 0;
        service_status_t service_status = 0;
        if (ts_crypto_generic_encode(a, request, request_size, &length) &&
            rpc_caller_session_invoke(call, TS_CRYPTO_OP_GENERIC | a->function_id, &response,
                                      &response_length, &service_status) == RPC_SUCCESS) {
            status = (psa_status_t)service_status;
            if (status == PSA_SUCCESS) {
                status = ts_crypto_generic_decode(a, response, response_length);
            }
        }
        rpc_caller_session_end(call);
    }
    pthread_mutex_unlock(&crypto.lock);
    if (status != PSA_SUCCESS) {
        memset(a->out_len, 0, sizeof(a->out_len));
        a->new_key = PSA_KEY_ID_NULL;
    }
    return status;
}

psa_status_t crypto_backend_call(crypto_args_t *a)
{
    if (!atomic_load(&crypto_initialised)) {
        return PSA_ERROR_BAD_STATE;
    }
    if ((a->function_id == CRYPTO_FID_DESTROY_KEY && a->key == PSA_KEY_ID_NULL) ||
        (a->function_id == CRYPTO_FID_GENERATE_RANDOM && a->out_size[CRYPTO_OUT_OUTPUT] == 0)) {
        return PSA_SUCCESS;
    }
    /* A PAKE object is set up only from its initial state (an ended one must be aborted). */
    if (a->function_id == CRYPTO_FID_PAKE_SETUP && *a->op_ref.route != ROUTE_NONE) {
        return PSA_ERROR_BAD_STATE;
    }
    return remote_call(a, ts_raw);
}
