/* libts: the rpc_caller_* wrappers and RPC caller sessions (shared-memory policy, one call). */
#include <stdint.h>
#include <string.h>

#include "rpc_caller_session.h"
#include "ts/ts_rpc_abi.h"

/*
 * Differences from upstream rpc_caller_session.c, on purpose:
 * - begin/end claim and release the session with an atomic flag, so a second thread's begin on
 *   a session with a call in progress fails cleanly (NULL) instead of racing on the buffer;
 * - invoke refuses an opcode above 0xFFFF with RPC_ERROR_INVALID_VALUE (upstream drops the high
 *   bits) and reports a response longer than the shared memory as
 *   RPC_ERROR_INVALID_RESPONSE_BODY (upstream returns RPC_SUCCESS with no buffer);
 * - a call with no request and no response (a doorbell) needs no shared memory at all.
 */

rpc_status_t rpc_caller_open_session(struct rpc_caller_interface *caller,
                                     const struct rpc_uuid *service_uuid, uint16_t endpoint_id)
{
    if (caller == NULL || caller->open_session == NULL || service_uuid == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    return caller->open_session(caller->context, service_uuid, endpoint_id);
}

rpc_status_t rpc_caller_find_and_open_session(struct rpc_caller_interface *caller,
                                              const struct rpc_uuid *service_uuid)
{
    if (caller == NULL || caller->find_and_open_session == NULL || service_uuid == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    return caller->find_and_open_session(caller->context, service_uuid);
}

rpc_status_t rpc_caller_close_session(struct rpc_caller_interface *caller)
{
    if (caller == NULL || caller->close_session == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    return caller->close_session(caller->context);
}

rpc_status_t rpc_caller_create_shared_memory(struct rpc_caller_interface *caller, size_t size,
                                             struct rpc_caller_shared_memory *shared_memory)
{
    if (caller == NULL || caller->create_shared_memory == NULL || shared_memory == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    return caller->create_shared_memory(caller->context, size, shared_memory);
}

rpc_status_t rpc_caller_release_shared_memory(struct rpc_caller_interface *caller,
                                              struct rpc_caller_shared_memory *shared_memory)
{
    if (caller == NULL || caller->release_shared_memory == NULL || shared_memory == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    return caller->release_shared_memory(caller->context, shared_memory);
}

rpc_status_t rpc_caller_call(struct rpc_caller_interface *caller, uint16_t opcode,
                             struct rpc_caller_shared_memory *shared_memory, size_t request_length,
                             size_t *response_length, service_status_t *service_status)
{
    if (caller == NULL || caller->call == NULL || shared_memory == NULL ||
        response_length == NULL || service_status == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    return caller->call(caller->context, opcode, shared_memory, request_length, response_length,
                        service_status);
}

static const struct rpc_caller_shared_memory no_memory = {TS_RPC_MEM_HANDLE_INVALID, NULL, 0};

static rpc_status_t session_setup(struct rpc_caller_session *session,
                                  struct rpc_caller_interface *caller, size_t shared_memory_size)
{
    session->caller = caller;
    session->shared_memory = no_memory;
    session->is_call_transaction_in_progress = false;
    session->request_length = 0;
    if (shared_memory_size == 0) {
        session->memory_policy = alloc_for_each_call;
        return RPC_SUCCESS;
    }
    session->memory_policy = alloc_for_session;
    rpc_status_t status =
        rpc_caller_create_shared_memory(caller, shared_memory_size, &session->shared_memory);
    if (status != RPC_SUCCESS) {
        session->shared_memory = no_memory;
        rpc_caller_close_session(caller);
    }
    return status;
}

rpc_status_t rpc_caller_session_open(struct rpc_caller_session *session,
                                     struct rpc_caller_interface *caller,
                                     const struct rpc_uuid *service_uuid, uint16_t endpoint_id,
                                     size_t shared_memory_size)
{
    if (session == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    rpc_status_t status = rpc_caller_open_session(caller, service_uuid, endpoint_id);
    return status == RPC_SUCCESS ? session_setup(session, caller, shared_memory_size) : status;
}

rpc_status_t rpc_caller_session_find_and_open(struct rpc_caller_session *session,
                                              struct rpc_caller_interface *caller,
                                              const struct rpc_uuid *service_uuid,
                                              size_t shared_memory_size)
{
    if (session == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    rpc_status_t status = rpc_caller_find_and_open_session(caller, service_uuid);
    return status == RPC_SUCCESS ? session_setup(session, caller, shared_memory_size) : status;
}

rpc_status_t rpc_caller_session_close(struct rpc_caller_session *session)
{
    if (session == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    if (__atomic_load_n(&session->is_call_transaction_in_progress, __ATOMIC_ACQUIRE)) {
        return RPC_ERROR_INVALID_STATE;
    }
    rpc_status_t status = RPC_SUCCESS;
    if (session->memory_policy == alloc_for_session && session->shared_memory.buffer != NULL) {
        status = rpc_caller_release_shared_memory(session->caller, &session->shared_memory);
        session->shared_memory = no_memory;
    }
    rpc_status_t closed = rpc_caller_close_session(session->caller);
    return status != RPC_SUCCESS ? status : closed;
}

rpc_call_handle rpc_caller_session_begin(struct rpc_caller_session *session,
                                         uint8_t **request_buffer, size_t request_length,
                                         size_t response_max_length)
{
    if (session == NULL || request_buffer == NULL) {
        return NULL;
    }
    size_t need = request_length > response_max_length ? request_length : response_max_length;
    if (need > UINT32_MAX) {
        return NULL;
    }
    bool idle = false;
    if (!__atomic_compare_exchange_n(&session->is_call_transaction_in_progress, &idle, true, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        return NULL; /* one call in flight per session */
    }
    if (session->memory_policy == alloc_for_session) {
        if (need > session->shared_memory.size) {
            __atomic_store_n(&session->is_call_transaction_in_progress, false, __ATOMIC_RELEASE);
            return NULL;
        }
    } else if (need != 0 && rpc_caller_create_shared_memory(
                                session->caller, need, &session->shared_memory) != RPC_SUCCESS) {
        session->shared_memory = no_memory;
        __atomic_store_n(&session->is_call_transaction_in_progress, false, __ATOMIC_RELEASE);
        return NULL;
    }
    session->request_length = request_length;
    *request_buffer = session->shared_memory.buffer;
    return session;
}

rpc_status_t rpc_caller_session_invoke(rpc_call_handle handle, uint32_t opcode,
                                       uint8_t **response_buffer, size_t *response_length,
                                       service_status_t *service_status)
{
    struct rpc_caller_session *session = handle;
    if (session == NULL || response_buffer == NULL || response_length == NULL ||
        service_status == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    *response_buffer = NULL;
    *response_length = 0;
    if (!__atomic_load_n(&session->is_call_transaction_in_progress, __ATOMIC_ACQUIRE)) {
        return RPC_ERROR_INVALID_STATE;
    }
    if (opcode > 0xffffu) {
        return RPC_ERROR_INVALID_VALUE; /* never truncated to 16 bits */
    }
    size_t length = 0;
    rpc_status_t status =
        rpc_caller_call(session->caller, (uint16_t)opcode, &session->shared_memory,
                        session->request_length, &length, service_status);
    if (status != RPC_SUCCESS) {
        return status;
    }
    if (length > session->shared_memory.size) {
        return RPC_ERROR_INVALID_RESPONSE_BODY;
    }
    *response_buffer = session->shared_memory.buffer;
    *response_length = length;
    return RPC_SUCCESS;
}

rpc_status_t rpc_caller_session_end(rpc_call_handle handle)
{
    struct rpc_caller_session *session = handle;
    if (session == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    if (!__atomic_load_n(&session->is_call_transaction_in_progress, __ATOMIC_ACQUIRE)) {
        return RPC_ERROR_INVALID_STATE;
    }
    rpc_status_t status = RPC_SUCCESS;
    if (session->memory_policy == alloc_for_each_call && session->shared_memory.buffer != NULL) {
        status = rpc_caller_release_shared_memory(session->caller, &session->shared_memory);
        session->shared_memory = no_memory;
    }
    session->request_length = 0;
    __atomic_store_n(&session->is_call_transaction_in_progress, false, __ATOMIC_RELEASE);
    return status;
}
