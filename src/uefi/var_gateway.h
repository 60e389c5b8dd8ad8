/* The UEFI variable client's transport to smm-gateway (smm_endpoint.h's binding). */
#ifndef UEFI_VAR_GATEWAY_H
#define UEFI_VAR_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/error.h>
#include "uefi/var_client.h"

#define VAR_GATEWAY_BUFFER_SIZE (64u * 1024u)

typedef struct var_gateway {
    char path[108];
    int sock;   /* -1 after a failed exchange: the next call connects again */
    int memfd;  /* the MM buffer, lent again on every new connection */
    uint8_t *buffer;
    size_t size;
    var_client_t client; /* calls go through the gateway */
} var_gateway_t;

/*
 * Connects to smm-gateway at socket_path, or (NULL) at $SMM_GATEWAY_SOCKET, else
 * smm-gateway.sock in the TS runtime directory; checks that the endpoint speaks TS RPC version 1
 * and hosts the smm-variable service, and lends it the MM buffer (64 KiB, more when the
 * gateway's QueryVariableInfo says a variable may be larger; at most 1 MiB). PSA_ERROR_COMMUNICATION_FAILURE when nothing answers
 * there, PSA_ERROR_NOT_SUPPORTED when what answers is not the gateway, PSA_ERROR_CONNECTION_REFUSED
 * when the gateway's policy closes the connection.
 */
psa_status_t var_gateway_open(var_gateway_t *gateway, const char *socket_path);
void var_gateway_close(var_gateway_t *gateway);
/* A sentence for var_gateway_open's status, for messages. */
const char *var_gateway_status_text(psa_status_t status);

#endif /* UEFI_VAR_GATEWAY_H */
