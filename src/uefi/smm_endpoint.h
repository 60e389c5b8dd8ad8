/* The smm-gateway endpoint: MM communicate on the TS RPC socket binding (DESIGN.md). */
#ifndef UEFI_SMM_ENDPOINT_H
#define UEFI_SMM_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "ts/ts_endpoint.h"
#include "uefi/smm_service.h"

/*
 * What the gateway's socket carries, each message one 20-byte packet (W3..W7) each way:
 *   - the TS RPC management interface (W3 interface id 0xff): VERSION_GET, MEM_RETRIEVE with the
 *     memfd by SCM_RIGHTS, MEM_RELINQUISH, SERVICE_INFO_GET (the endpoint hosts the smm-variable
 *     UUID, so TS discovery over the runtime directory finds the gateway);
 *   - anything else is an MM communicate request in the platform's shape: W3 the offset of the
 *     EFI_MM_COMMUNICATE_HEADER in the connection's MM buffer (X3), W4..W7 zero; the reply's W3 is
 *     the MM return code, W4..W7 zero. Offsets are below TS_RPC_MAX_SHARED_MEMORY (2 MiB), so
 *     their bits 23:16 are never 0xff and the two kinds cannot be confused.
 * The MM buffer is the one memory the connection lent (the platform has one carveout): a second
 * MEM_RETRIEVE while one is held is refused with RPC_ERROR_NOT_FOUND, the sheet's "no free memory
 * slot". With no memory, every MM request is INVALID_PARAMETER, as an offset past the buffer is.
 */

/* An endpoint hosting the smm-variable service for discovery. */
void smm_endpoint_init(ts_endpoint_t *endpoint);

typedef struct smm_connection {
    ts_connection_t ts;
    smm_caller_t caller;
} smm_connection_t;

bool smm_connection_open(smm_connection_t *conn, const ts_endpoint_t *endpoint, uid_t uid,
                         pid_t pid);
void smm_connection_close(smm_connection_t *conn);

/* Serves one packet's words; fd is the descriptor that came with it (-1: none), owned by the
 * call in every case. out[] is always written. */
void smm_connection_serve(smm_connection_t *conn, smm_gateway_t *gateway,
                          const uint32_t in[TS_RPC_WORDS], int fd, uint32_t out[TS_RPC_WORDS]);

#endif /* UEFI_SMM_ENDPOINT_H */
