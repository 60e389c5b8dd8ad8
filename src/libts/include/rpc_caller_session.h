/* libts 2.0.0 ABI: an RPC session to one service, with its shared-memory policy. */
#ifndef LIBTS_RPC_CALLER_SESSION_H
#define LIBTS_RPC_CALLER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc_caller.h"
#include "rpc_status.h"
#include "rpc_uuid.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rpc_caller_memory_policy {
    alloc_for_each_call = 0,
    alloc_for_session = 1,
};

/* 48 bytes; clients read `caller` directly, so the layout is ABI. */
struct rpc_caller_session {
    struct rpc_caller_interface *caller;
    struct rpc_caller_shared_memory shared_memory;
    enum rpc_caller_memory_policy memory_policy;
    bool is_call_transaction_in_progress;
    size_t request_length;
};

typedef void *rpc_call_handle;

rpc_status_t rpc_caller_session_open(struct rpc_caller_session *session,
                                     struct rpc_caller_interface *caller,
                                     const struct rpc_uuid *service_uuid, uint16_t endpoint_id,
                                     size_t shared_memory_size);
rpc_status_t rpc_caller_session_find_and_open(struct rpc_caller_session *session,
                                              struct rpc_caller_interface *caller,
                                              const struct rpc_uuid *service_uuid,
                                              size_t shared_memory_size);
rpc_status_t rpc_caller_session_close(struct rpc_caller_session *session);
rpc_call_handle rpc_caller_session_begin(struct rpc_caller_session *session,
                                         uint8_t **request_buffer, size_t request_length,
                                         size_t response_max_length);
rpc_status_t rpc_caller_session_invoke(rpc_call_handle handle, uint32_t opcode,
                                       uint8_t **response_buffer, size_t *response_length,
                                       service_status_t *service_status);
rpc_status_t rpc_caller_session_end(rpc_call_handle handle);

#ifdef __cplusplus
}
#endif

#endif /* LIBTS_RPC_CALLER_SESSION_H */
