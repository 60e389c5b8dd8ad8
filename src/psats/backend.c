/* libpsa-ts's crypto backend: every record is one call of se-proxy's crypto service through libts
 * (the Primary Compute path), by the generic packed-c rows of ts/ts_crypto.h. */
#include "psats/psats.h"

#include <stdatomic.h>
#include <string.h>

#include "api/crypto_front.h"
#include "api/remote.h"
#include "ts/ts_crypto.h"
#include "ts/ts_rpc_abi.h"

/* Random bytes and derivation output longer than this are read in pieces of it, so that no
 * request outgrows the binding's shared memory. */
#define READ_PIECE (TS_RPC_MAX_SHARED_MEMORY / 2)

static atomic_bool crypto_initialised;

psa_status_t psa_crypto_init(void)
{
    pthread_mutex_lock(&psats_crypto.lock);
    bool reached = psats_session(&psats_crypto) != NULL;
    pthread_mutex_unlock(&psats_crypto.lock);
    if (!reached) {
        return PSA_ERROR_COMMUNICATION_FAILURE; /* no se-proxy to be found */
    }
    atomic_store(&crypto_initialised, true);
    return PSA_SUCCESS;
}

/* One record, one TS call: request and response in memory sized for this call. A call that
 * cannot fit the binding's shared memory is INSUFFICIENT_MEMORY, before anything is sent. */
static psa_status_t ts_raw(crypto_args_t *a)
{
    if (crypto_call_find(a->function_id) == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    size_t request_size = ts_crypto_generic_request_size(a);
    size_t response_size = ts_crypto_generic_response_size(a);
    if (request_size > TS_RPC_MAX_SHARED_MEMORY || response_size > TS_RPC_MAX_SHARED_MEMORY) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    pthread_mutex_lock(&psats_crypto.lock);
    psa_status_t status = PSA_ERROR_COMMUNICATION_FAILURE;
    struct rpc_caller_session *session = psats_session(&psats_crypto);
    uint8_t *request = NULL;
    rpc_call_handle call =
        session != NULL ? rpc_caller_session_begin(session, &request, request_size, response_size)
                        : NULL;
    if (call != NULL) {
        size_t length = 0;
        uint8_t *response = NULL;
        size_t response_length = 0;
        service_status_t service_status = 0;
        rpc_status_t rpc = RPC_ERROR_INTERNAL;
        if (ts_crypto_generic_encode(a, request, request_size, &length)) {
            rpc = rpc_caller_session_invoke(call, TS_CRYPTO_OP_GENERIC | a->function_id, &response,
                                            &response_length, &service_status);
        }
        if (rpc == RPC_SUCCESS) {
            status = (psa_status_t)service_status;
            if (status == PSA_SUCCESS) {
                status = ts_crypto_generic_decode(a, response, response_length);
            }
        }
        rpc_caller_session_end(call);
        if (rpc == RPC_ERROR_TRANSPORT_LAYER) {
            psats_broken(&psats_crypto); /* se-proxy went away: the next call starts afresh */
        }
    }
    pthread_mutex_unlock(&psats_crypto.lock);
    if (status != PSA_SUCCESS) {
        memset(a->out_len, 0, sizeof(a->out_len));
        a->new_key = PSA_KEY_ID_NULL;
    }
    return status;
}

/* Random bytes and derivation output of any length: pieces of at most READ_PIECE. */
static psa_status_t read_in_pieces(crypto_args_t *a)
{
    uint8_t *out = a->out[CRYPTO_OUT_OUTPUT];
    size_t left = a->out_size[CRYPTO_OUT_OUTPUT];
    psa_status_t status = PSA_SUCCESS;
    while (left > 0 && status == PSA_SUCCESS) {
        crypto_args_t piece = *a;
        size_t n = left < READ_PIECE ? left : READ_PIECE;
        piece.out[CRYPTO_OUT_OUTPUT] = out;
        piece.out_size[CRYPTO_OUT_OUTPUT] = n;
        status = remote_call(&piece, ts_raw);
        out += n;
        left -= n;
    }
    a->out_len[CRYPTO_OUT_OUTPUT] = status == PSA_SUCCESS ? a->out_size[CRYPTO_OUT_OUTPUT] : 0;
    return status;
}

psa_status_t crypto_backend_call(crypto_args_t *a)
{
    if (!atomic_load(&crypto_initialised)) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t answer;
    if (remote_answers_here(a, &answer)) {
        return answer;
    }
    if ((a->function_id == CRYPTO_FID_GENERATE_RANDOM ||
         a->function_id == CRYPTO_FID_KEY_DERIVATION_OUTPUT_BYTES) &&
        a->out_size[CRYPTO_OUT_OUTPUT] > READ_PIECE) {
        return read_in_pieces(a);
    }
    return remote_call(a, ts_raw);
}
