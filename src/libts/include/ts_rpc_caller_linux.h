/* libts 2.0.0 ABI: the Linux RPC caller (here: the socket binding of DESIGN.md). */
#ifndef LIBTS_TS_RPC_CALLER_LINUX_H
#define LIBTS_TS_RPC_CALLER_LINUX_H

#include "rpc_caller.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Endpoints are the sockets of the TS runtime directory ($TS_RUNTIME_DIR, else /run/ts for
 * root, else $XDG_RUNTIME_DIR/ts), in name order: endpoint_id N is the N-th. Each initialised
 * caller has its own connection, so callers (and the sessions on them) work in parallel.
 */
rpc_status_t ts_rpc_caller_linux_init(struct rpc_caller_interface *rpc_caller);
rpc_status_t ts_rpc_caller_linux_deinit(struct rpc_caller_interface *rpc_caller);

#ifdef __cplusplus
}
#endif

#endif /* LIBTS_TS_RPC_CALLER_LINUX_H */
