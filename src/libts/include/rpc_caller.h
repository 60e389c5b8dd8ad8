/* libts 2.0.0 ABI: the RPC caller, a transport back-end as a table of function pointers. */
#ifndef LIBTS_RPC_CALLER_H
#define LIBTS_RPC_CALLER_H

#include <stddef.h>
#include <stdint.h>

#include "rpc_status.h"
#include "rpc_uuid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 24 bytes: id @0, buffer @8, size @16. */
struct rpc_caller_shared_memory {
    uint64_t id;
    void *buffer;
    size_t size;
};

/* 56 bytes: the context, then six functions that each take the context first. */
struct rpc_caller_interface {
    void *context;
    rpc_status_t (*open_session)(void *context, const struct rpc_uuid *service_uuid,
                                 uint16_t endpoint_id);
    rpc_status_t (*find_and_open_session)(void *context, const struct rpc_uuid *service_uuid);
    rpc_status_t (*close_session)(void *context);
    rpc_status_t (*create_shared_memory)(void *context, size_t size,
                                         struct rpc_caller_shared_memory *shared_memory);
    rpc_status_t (*release_shared_memory)(void *context,
                                          struct rpc_caller_shared_memory *shared_memory);
    rpc_status_t (*call)(void *context, uint16_t opcode,
                         struct rpc_caller_shared_memory *shared_memory, size_t request_length,
                         size_t *response_length, service_status_t *service_status);
};

rpc_status_t rpc_caller_open_session(struct rpc_caller_interface *caller,
                                     const struct rpc_uuid *service_uuid, uint16_t endpoint_id);
rpc_status_t rpc_caller_find_and_open_session(struct rpc_caller_interface *caller,
                                              const struct rpc_uuid *service_uuid);
rpc_status_t rpc_caller_close_session(struct rpc_caller_interface *caller);
rpc_status_t rpc_caller_create_shared_memory(struct rpc_caller_interface *caller, size_t size,
                                             struct rpc_caller_shared_memory *shared_memory);
rpc_status_t rpc_caller_release_shared_memory(struct rpc_caller_interface *caller,
                                              struct rpc_caller_shared_memory *shared_memory);
rpc_status_t rpc_caller_call(struct rpc_caller_interface *caller, uint16_t opcode,
                             struct rpc_caller_shared_memory *shared_memory, size_t request_length,
                             size_t *response_length, service_status_t *service_status);

#ifdef __cplusplus
}
#endif

#endif /* LIBTS_RPC_CALLER_H */
