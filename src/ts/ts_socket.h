/* The client side of the TS RPC socket binding (DESIGN.md): connect, one exchange, discovery. */
#ifndef TS_SOCKET_H
#define TS_SOCKET_H

#include <stdint.h>

#include "ts/ts_rpc_abi.h"

/* A SOCK_SEQPACKET connection to the endpoint socket at path, or -1. */
int ts_socket_connect(const char *path);

/* One request packet out (with the descriptor fd by SCM_RIGHTS when fd >= 0), one reply packet
 * back, whose W3 must echo the request's. TS_RPC_SUCCESS, or TS_RPC_ERROR_TRANSPORT_LAYER when
 * the connection failed, closed, or answered with anything but a reply to this request. */
int32_t ts_socket_exchange(int sock, const uint32_t in[TS_RPC_WORDS], int fd,
                           uint32_t out[TS_RPC_WORDS]);

/* The same without the W3 check, for smm-gateway's MM requests, whose reply's W3 is the MM
 * return code. */
int32_t ts_socket_transact(int sock, const uint32_t in[TS_RPC_WORDS], int fd,
                           uint32_t out[TS_RPC_WORDS]);

/* VERSION_GET must answer 1 (else TS_RPC_ERROR_NOT_FOUND: not a TS endpoint), then
 * SERVICE_INFO_GET for the 16 UUID bytes (wire order) must answer TS_RPC_SUCCESS; its status
 * otherwise. The interface id the endpoint gave goes to *interface_id. */
int32_t ts_socket_query_service(int sock, const uint8_t uuid[16], uint8_t *interface_id);

#endif /* TS_SOCKET_H */
