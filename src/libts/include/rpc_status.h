/* libts 2.0.0 ABI: RPC and service status types and the RPC status values. */
#ifndef LIBTS_RPC_STATUS_H
#define LIBTS_RPC_STATUS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t rpc_status_t;
/* 64 bits in the API; the TS RPC ABI carries 32 of them, sign-extended here. */
typedef int64_t service_status_t;

#define RPC_SUCCESS                     ((rpc_status_t)0)
#define RPC_ERROR_INTERNAL              ((rpc_status_t)-1)
#define RPC_ERROR_INVALID_VALUE         ((rpc_status_t)-2)
#define RPC_ERROR_NOT_FOUND             ((rpc_status_t)-3)
#define RPC_ERROR_INVALID_STATE         ((rpc_status_t)-4)
#define RPC_ERROR_TRANSPORT_LAYER       ((rpc_status_t)-5)
#define RPC_ERROR_INVALID_REQUEST_BODY  ((rpc_status_t)-6)
#define RPC_ERROR_INVALID_RESPONSE_BODY ((rpc_status_t)-7)
#define RPC_ERROR_RESOURCE_FAILURE      ((rpc_status_t)-8)

#ifdef __cplusplus
}
#endif

#endif /* LIBTS_RPC_STATUS_H */
