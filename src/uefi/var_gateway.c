/* The client side of smm-gateway's socket (var_gateway.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "comms/transport.h"
#include "ts/ts_runtime.h"
#include "ts/ts_rpc_abi.h"
#include "ts/ts_socket.h"
#include "uefi/var_gateway.h"

static const uint8_t smm_variable_uuid[16] = TS_UUID_SMM_VARIABLE;

/* Connects, checks the service and lends the MM buffer. */
static psa_status_t attach(var_gateway_t *g)
{
    int sock = ts_socket_connect(g->path);
    if (sock < 0) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    uint8_t interface_id;
    int32_t rpc = ts_socket_query_service(sock, smm_variable_uuid, &interface_id);
    if (rpc != TS_RPC_SUCCESS) {
        close(sock);
        /* A refused peer is closed before any reply; a TS endpoint without the service says
         * NOT_FOUND. */
        return rpc == TS_RPC_ERROR_TRANSPORT_LAYER ? PSA_ERROR_CONNECTION_REFUSED
                                                   : PSA_ERROR_NOT_SUPPORTED;
    }
    const uint32_t in[TS_RPC_WORDS] = {TS_RPC_W3(TS_RPC_MGMT_INTERFACE, TS_RPC_MGMT_MEM_RETRIEVE),
                                       0, 0, 0, 0};
    uint32_t out[TS_RPC_WORDS];
    rpc = ts_socket_exchange(sock, in, g->memfd, out);
    if (rpc != TS_RPC_SUCCESS || (int32_t)out[1] != TS_RPC_SUCCESS) {
        close(sock);
        return PSA_ERROR_COMMUNICATION_FAILURE; /* the gateway would not map our memory */
    }
    g->sock = sock;
    return PSA_SUCCESS;
}

/* var_client_call_fn: the MM header is at offset 0 of the lent buffer. A connection that fails
 * (the gateway restarted) gives NOT_SUPPORTED, U-Boot's EFI_DEVICE_ERROR, for this call; the next
 * one connects again. A request is never sent twice. */
static mm_return_t gateway_call(void *ctx, uint8_t *buffer, size_t size)
{
    var_gateway_t *g = ctx;
    (void)buffer;
    (void)size;
    if (g->sock < 0 && attach(g) != PSA_SUCCESS) {
        return MM_RETURN_NOT_SUPPORTED;
    }
    const uint32_t in[TS_RPC_WORDS] = {0, 0, 0, 0, 0};
    uint32_t out[TS_RPC_WORDS];
    if (ts_socket_transact(g->sock, in, -1, out) != TS_RPC_SUCCESS) {
        close(g->sock);
        g->sock = -1;
        return MM_RETURN_NOT_SUPPORTED;
    }
    return (mm_return_t)out[0];
}

static psa_status_t make_buffer(var_gateway_t *g, size_t size)
{
    rss_shm_t shm; /* a sealed memfd, as the gateway requires */
    psa_status_t status = rss_shm_create(size, &shm);
    if (status != PSA_SUCCESS) {
        return status;
    }
    g->memfd = shm.fd;
    g->buffer = shm.base;
    g->size = shm.size;
    g->client = (var_client_t){gateway_call, g, g->buffer, g->size};
    return PSA_SUCCESS;
}

static void drop_buffer(var_gateway_t *g)
{
    if (g->sock >= 0) {
        close(g->sock); /* the gateway unmaps what the connection lent */
        g->sock = -1;
    }
    if (g->buffer != NULL) {
        munmap(g->buffer, g->size);
        g->buffer = NULL;
    }
    if (g->memfd >= 0) {
        close(g->memfd);
        g->memfd = -1;
    }
}

psa_status_t var_gateway_open(var_gateway_t *g, const char *socket_path)
{
    memset(g, 0, sizeof(*g));
    g->sock = -1;
    g->memfd = -1;
    if (socket_path != NULL) {
        int n = snprintf(g->path, sizeof(g->path), "%s", socket_path);
        if (n < 0 || (size_t)n >= sizeof(g->path)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
    } else if (!ts_runtime_smm_gateway(g->path, sizeof(g->path))) {
        return PSA_ERROR_COMMUNICATION_FAILURE; /* no runtime directory to look in */
    }
    psa_status_t status = make_buffer(g, VAR_GATEWAY_BUFFER_SIZE);
    if (status == PSA_SUCCESS) {
        status = attach(g);
    }
    /* Room for the largest variable the gateway takes (QueryVariableInfo's MaximumVariableSize
     * of either kind), the headers, and the longest name the gateway's limit allows. */
    uint64_t largest = 0;
    static const uint32_t kinds[2] = {0x7 /* NV|BS|RT */, 0x6 /* BS|RT */};
    for (size_t i = 0; status == PSA_SUCCESS && i < 2; i++) {
        smm_query_t q;
        if (var_client_query(&g->client, kinds[i], &q) == EFI_SUCCESS &&
            q.maximum_variable_size > largest) {
            largest = q.maximum_variable_size;
        }
    }
    uint64_t need = largest + MM_HEADER_SIZE + SMM_VAR_HEADER_SIZE + 64 + 2 * 4096;
    if (need > TS_RPC_MAX_SHARED_MEMORY) {
        need = TS_RPC_MAX_SHARED_MEMORY;
    }
    long page = sysconf(_SC_PAGESIZE);
    if (status == PSA_SUCCESS && need > g->size && page > 0) {
        size_t rounded = ((size_t)need + (size_t)page - 1) / (size_t)page * (size_t)page;
        drop_buffer(g);
        status = make_buffer(g, rounded);
        if (status == PSA_SUCCESS) {
            status = attach(g);
        }
    }
    if (status != PSA_SUCCESS) {
        drop_buffer(g);
    }
    return status;
}

void var_gateway_close(var_gateway_t *g)
{
    drop_buffer(g);
}

const char *var_gateway_status_text(psa_status_t status)
{
    switch (status) {
    case PSA_ERROR_COMMUNICATION_FAILURE:
        return "nothing answers there (is smm-gateway running?), or it would not map the MM "
               "buffer";
    case PSA_ERROR_NOT_SUPPORTED:
        return "the endpoint there does not host the SMM variable service";
    case PSA_ERROR_CONNECTION_REFUSED:
        return "smm-gateway's policy refuses this uid";
    case PSA_ERROR_INVALID_ARGUMENT:
        return "the socket path is too long";
    default:
        return "out of memory";
    }
}
