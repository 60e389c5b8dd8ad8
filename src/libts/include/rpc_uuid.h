/* libts 2.0.0 ABI: a service UUID, its 16 bytes in wire order. */
#ifndef LIBTS_RPC_UUID_H
#define LIBTS_RPC_UUID_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rpc_uuid {
    uint8_t uuid[16];
};

#ifdef __cplusplus
}
#endif

#endif /* LIBTS_RPC_UUID_H */
