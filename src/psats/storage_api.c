/* libpsa-ts's storage backend: each ITS or PS record is one call of se-proxy's packed-c secure
 * storage interface through libts (sheet §2.3). The argument checks are libpsa's: the record goes
 * through storage_call (comms/storage_calls.h), and the TF-M vectors it builds are carried as
 * packed-c requests. */
#include "psats/psats.h"

#include <string.h>

#include "api/storage_front.h"
#include "base/wire.h"
#include "ts/ts_rpc_abi.h"
#include "ts/ts_storage.h"

/* The largest object rssd keeps (1 MiB): a GET never needs a larger buffer, and a set beyond
 * what the binding's memory holds can be no object. */
#define STORAGE_OBJECT_MAX (TS_RPC_MAX_SHARED_MEMORY / 2)

/* The vector of in[index] as a little-endian integer (its size was set by storage_calls). */
static uint64_t vec_u64(const psa_invec *in, size_t index)
{
    return in[index].len == 8 ? wire_load_u64(in[index].base) : wire_load_u32(in[index].base);
}

/* storage_call_fn: TF-M's vectors of one call (comms/storage_calls.c) as the packed-c request of
 * the same call, and its response back into the output vector. */
static psa_status_t ts_storage_call(void *ctx, psa_handle_t handle, int32_t type,
                                    const psa_invec *in, size_t in_len, psa_outvec *out,
                                    size_t out_len)
{
    (void)ctx;
    (void)in_len;
    psats_service_t *service = handle == RSS_HANDLE_ITS ? &psats_its : &psats_ps;
    uint8_t fixed[24];
    wire_writer_t w;
    wire_writer_init(&w, fixed, sizeof(fixed));
    const void *data = NULL;
    size_t data_length = 0, response_max = 0;
    uint32_t opcode;
    switch (type) {
    case RSS_STORAGE_SET: /* uid, data, flags -> uid u64, length u64, flags u32, data */
        opcode = TS_STORAGE_OP_SET;
        wire_put_u64(&w, vec_u64(in, 0));
        wire_put_u64(&w, in[1].len);
        wire_put_u32(&w, (uint32_t)vec_u64(in, 2));
        data = in[1].base, data_length = in[1].len;
        break;
    case RSS_STORAGE_GET: /* uid, offset; out data -> uid u64, offset u64, size u64 */
        opcode = TS_STORAGE_OP_GET;
        wire_put_u64(&w, vec_u64(in, 0));
        wire_put_u64(&w, vec_u64(in, 1));
        response_max = out[0].len < STORAGE_OBJECT_MAX ? out[0].len : STORAGE_OBJECT_MAX;
        wire_put_u64(&w, response_max);
        break;
    case RSS_STORAGE_GET_INFO: /* uid -> capacity u64, size u64, flags u32 */
        opcode = TS_STORAGE_OP_GET_INFO;
        wire_put_u64(&w, vec_u64(in, 0));
        response_max = 20;
        break;
    case RSS_STORAGE_REMOVE:
        opcode = TS_STORAGE_OP_REMOVE;
        wire_put_u64(&w, vec_u64(in, 0));
        break;
    case RSS_PS_CREATE: /* uid, capacity, flags -> uid u64, capacity u64, flags u32 */
        opcode = TS_STORAGE_OP_CREATE;
        wire_put_u64(&w, vec_u64(in, 0));
        wire_put_u64(&w, vec_u64(in, 1));
        wire_put_u32(&w, (uint32_t)vec_u64(in, 2));
        break;
    case RSS_PS_SET_EXTENDED: /* uid, offset, data -> uid u64, offset u64, length u64, data */
        opcode = TS_STORAGE_OP_SET_EXTENDED;
        wire_put_u64(&w, vec_u64(in, 0));
        wire_put_u64(&w, vec_u64(in, 1));
        wire_put_u64(&w, in[2].len);
        data = in[2].base, data_length = in[2].len;
        break;
    case RSS_PS_GET_SUPPORT_RSSD: /* -> flags u32 */
        opcode = TS_STORAGE_OP_GET_SUPPORT;
        response_max = 4;
        break;
    default:
        return PSA_ERROR_NOT_SUPPORTED;
    }
    size_t fixed_length = wire_writer_length(&w);
    if (fixed_length + data_length > TS_RPC_MAX_SHARED_MEMORY) {
        /* Larger than any object: as storage_calls answers beyond what a call can carry. */
        return type == RSS_STORAGE_SET ? PSA_ERROR_INSUFFICIENT_STORAGE
                                       : PSA_ERROR_INVALID_ARGUMENT;
    }
    pthread_mutex_lock(&service->lock);
    struct rpc_caller_session *session = psats_session(service);
    uint8_t *request = NULL;
    rpc_call_handle call =
        session != NULL
            ? rpc_caller_session_begin(session, &request, fixed_length + data_length, response_max)
            : NULL;
    psa_status_t status = PSA_ERROR_COMMUNICATION_FAILURE;
    if (call != NULL) {
        memcpy(request, fixed, fixed_length);
        if (data_length > 0) {
            memcpy(request + fixed_length, data, data_length);
        }
        uint8_t *response = NULL;
        size_t response_length = 0;
        service_status_t service_status = 0;
        rpc_status_t rpc =
            rpc_caller_session_invoke(call, opcode, &response, &response_length, &service_status);
        if (rpc == RPC_SUCCESS) {
            status = (psa_status_t)service_status;
        }
        if (status == PSA_SUCCESS && out_len > 0) {
            status = ts_storage_reply(type, response, response_length, &out[0]);
        }
        rpc_caller_session_end(call);
        if (rpc == RPC_ERROR_TRANSPORT_LAYER) {
            psats_broken(service); /* se-proxy went away: the next call starts afresh */
        }
    }
    pthread_mutex_unlock(&service->lock);
    return status;
}

psa_status_t storage_backend_call(storage_args_t *a)
{
    return storage_call(ts_storage_call, NULL, a);
}
