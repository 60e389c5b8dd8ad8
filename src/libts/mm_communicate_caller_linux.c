/* libts: mm_communicate_caller_init/deinit (sheet §1.6) on smm-gateway's socket binding
 * (src/uefi/smm_endpoint.h): MM communicate requests in the memory a caller lends. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "comms/transport.h"
#include "base/wire.h"
#include "rpc_caller.h"
#include "rpc_status.h"
#include "rpc_uuid.h"
#include "ts/ts_rpc_abi.h"
#include "ts/ts_socket.h"

rpc_status_t mm_communicate_caller_init(struct rpc_caller_interface *rpc_caller,
                                        const char *ffa_device_path);
rpc_status_t mm_communicate_caller_deinit(struct rpc_caller_interface *rpc_caller);

/*
 * Upstream's caller takes the FF-A device path and a fixed 32 KiB carveout; here the path is
 * the gateway's socket and the carveout is a sealed memfd lent with MEM_RETRIEVE, at least
 * 32 KiB (more when a session asks for more, up to 1 MiB). As upstream, the memory handed to
 * the caller starts after the 24-byte MM header and the 16-byte SMM variable header, which
 * `call` writes: the opcode is the SMM function, the service status its ReturnStatus. Only the
 * SMM variable service has a serializer (upstream's table), so other UUIDs fail to open with
 * RPC_ERROR_INTERNAL.
 */

#define MM_HEADERS      40u /* EFI_MM_COMMUNICATE_HEADER + SMM_VARIABLE_COMMUNICATE_HEADER */
#define CARVEOUT_BYTES  (32u * 1024u)
#define MM_MAX_MEMORY   (1u << 20)

static const uint8_t smm_variable_uuid[16] = TS_UUID_SMM_VARIABLE;

typedef struct mm_caller {
    pthread_mutex_t lock;
    char *path;
    int sock; /* -1: no session */
    int memfd;
    uint8_t *map; /* the lent memory; NULL: none */
    size_t map_size;
    uint8_t guid[16]; /* the session's service as an EFI_GUID (the MM header's bytes) */
} mm_caller_t;

static rpc_status_t open_session(void *context, const struct rpc_uuid *uuid, uint16_t endpoint)
{
    (void)endpoint; /* one gateway per socket path */
    mm_caller_t *c = context;
    if (c == NULL || uuid == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    if (memcmp(uuid->uuid, smm_variable_uuid, 16) != 0) {
        return RPC_ERROR_INTERNAL;
    }
    pthread_mutex_lock(&c->lock);
    rpc_status_t status = RPC_ERROR_INVALID_STATE;
    if (c->sock < 0) {
        int sock = ts_socket_connect(c->path);
        uint8_t interface_id;
        status = sock < 0 ? RPC_ERROR_INTERNAL
                          : ts_socket_query_service(sock, uuid->uuid, &interface_id);
        if (status == RPC_SUCCESS) {
            c->sock = sock;
            /* canonical (big-endian) fields to the EFI_GUID's little-endian ones */
            const uint8_t *u = uuid->uuid;
            const uint8_t g[16] = {u[3], u[2], u[1], u[0], u[5],  u[4],  u[7],  u[6],
                                   u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]};
            memcpy(c->guid, g, 16);
        } else if (sock >= 0) {
            close(sock);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return status;
}

static rpc_status_t find_and_open_session(void *context, const struct rpc_uuid *uuid)
{
    return open_session(context, uuid, 0);
}

static void drop_memory(mm_caller_t *c)
{
    if (c->map != NULL) {
        memset(c->map, 0, c->map_size); /* as upstream, the buffer is cleared when released */
        munmap(c->map, c->map_size);
        c->map = NULL;
    }
    if (c->memfd >= 0) {
        close(c->memfd);
        c->memfd = -1;
    }
}

static rpc_status_t close_session(void *context)
{
    mm_caller_t *c = context;
    if (c == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    pthread_mutex_lock(&c->lock);
    rpc_status_t status = RPC_ERROR_INVALID_STATE;
    if (c->sock >= 0) {
        drop_memory(c);
        close(c->sock); /* the gateway unmaps what the connection lent */
        c->sock = -1;
        status = RPC_SUCCESS;
    }
    pthread_mutex_unlock(&c->lock);
    return status;
}

static rpc_status_t create_shared_memory(void *context, size_t size,
                                         struct rpc_caller_shared_memory *shm)
{
    mm_caller_t *c = context;
    if (c == NULL || shm == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    memset(shm, 0, sizeof(*shm));
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || size > MM_MAX_MEMORY - MM_HEADERS) {
        return RPC_ERROR_INVALID_VALUE;
    }
    size_t total = MM_HEADERS + size < CARVEOUT_BYTES ? CARVEOUT_BYTES : MM_HEADERS + size;
    total = (total + (size_t)page - 1) / (size_t)page * (size_t)page;
    pthread_mutex_lock(&c->lock);
    rpc_status_t status = RPC_ERROR_INVALID_STATE;
    if (c->sock >= 0 && c->map == NULL) {
        status = RPC_ERROR_RESOURCE_FAILURE;
        rss_shm_t mem; /* a sealed memfd, as the gateway requires */
        int fd = -1;
        void *map = MAP_FAILED;
        if (rss_shm_create(total, &mem) == PSA_SUCCESS) {
            fd = mem.fd;
            map = mem.base;
        }
        if (map != MAP_FAILED) {
            const uint32_t in[TS_RPC_WORDS] = {
                TS_RPC_W3(TS_RPC_MGMT_INTERFACE, TS_RPC_MGMT_MEM_RETRIEVE), 0, 0, 0, 0};
            uint32_t out[TS_RPC_WORDS];
            status = ts_socket_exchange(c->sock, in, fd, out);
            if (status == RPC_SUCCESS) {
                status = (int32_t)out[1];
            }
            if (status == RPC_SUCCESS) {
                c->memfd = fd;
                c->map = map;
                c->map_size = total;
                shm->id = 0;
                shm->buffer = c->map + MM_HEADERS;
                shm->size = total - MM_HEADERS;
                fd = -1;
            } else {
                munmap(map, total);
            }
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return status;
}

/* The memory handed out: inside the lent one, after the headers. */
static bool is_ours(const mm_caller_t *c, const struct rpc_caller_shared_memory *shm)
{
    return c->map != NULL && shm->buffer == c->map + MM_HEADERS &&
           shm->size == c->map_size - MM_HEADERS;
}

static rpc_status_t release_shared_memory(void *context, struct rpc_caller_shared_memory *shm)
{
    mm_caller_t *c = context;
    if (c == NULL || shm == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    pthread_mutex_lock(&c->lock);
    rpc_status_t status = c->map == NULL ? RPC_ERROR_INVALID_STATE
                          : !is_ours(c, shm) ? RPC_ERROR_INVALID_VALUE
                                             : RPC_SUCCESS;
    if (status == RPC_SUCCESS) {
        const uint32_t in[TS_RPC_WORDS] = {
            TS_RPC_W3(TS_RPC_MGMT_INTERFACE, TS_RPC_MGMT_MEM_RELINQUISH), 0, 0, 0, 0};
        uint32_t out[TS_RPC_WORDS];
        status = ts_socket_exchange(c->sock, in, -1, out);
        if (status == RPC_SUCCESS) {
            status = (int32_t)out[1];
        }
        drop_memory(c); /* ours is gone whatever the gateway said */
        memset(shm, 0, sizeof(*shm));
    }
    pthread_mutex_unlock(&c->lock);
    return status;
}

/* Upstream's mapping of MM return codes to RPC statuses (sheet §4.1). */
static rpc_status_t rpc_from_mm(int32_t rc)
{
    switch (rc) {
    case -1:
        return RPC_ERROR_NOT_FOUND;
    case -2:
        return RPC_ERROR_INVALID_VALUE;
    case -3:
        return RPC_ERROR_INVALID_STATE;
    default:
        return RPC_ERROR_INTERNAL;
    }
}

static rpc_status_t call(void *context, uint16_t opcode, struct rpc_caller_shared_memory *shm,
                         size_t request_length, size_t *response_length,
                         service_status_t *service_status)
{
    mm_caller_t *c = context;
    if (c == NULL || shm == NULL || response_length == NULL || service_status == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    pthread_mutex_lock(&c->lock);
    rpc_status_t status = RPC_ERROR_INVALID_VALUE;
    if (is_ours(c, shm) && request_length <= shm->size) {
        memcpy(c->map, c->guid, 16);
        wire_store_u64(c->map + 16, 16 + (uint64_t)request_length);
        wire_store_u64(c->map + 24, opcode);
        wire_store_u64(c->map + 32, 0);
        const uint32_t in[TS_RPC_WORDS] = {0, 0, 0, 0, 0}; /* the MM header at offset 0 */
        uint32_t out[TS_RPC_WORDS];
        status = ts_socket_transact(c->sock, in, -1, out);
        if (status == RPC_SUCCESS && (int32_t)out[0] != 0) {
            status = rpc_from_mm((int32_t)out[0]);
        }
        if (status == RPC_SUCCESS) {
            uint64_t message = wire_load_u64(c->map + 16);
            if (message < 16 || message - 16 > shm->size) {
                status = RPC_ERROR_INVALID_RESPONSE_BODY;
            } else {
                *response_length = (size_t)(message - 16);
                *service_status = (service_status_t)wire_load_u64(c->map + 32);
            }
        }
    }
    pthread_mutex_unlock(&c->lock);
    return status;
}

rpc_status_t mm_communicate_caller_init(struct rpc_caller_interface *rpc_caller,
                                        const char *ffa_device_path)
{
    if (rpc_caller == NULL || ffa_device_path == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    mm_caller_t *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->path = strdup(ffa_device_path)) == NULL) {
        free(c);
        return RPC_ERROR_INTERNAL;
    }
    pthread_mutex_init(&c->lock, NULL);
    c->sock = -1;
    c->memfd = -1;
    *rpc_caller = (struct rpc_caller_interface){
        .context = c,
        .open_session = open_session,
        .find_and_open_session = find_and_open_session,
        .close_session = close_session,
        .create_shared_memory = create_shared_memory,
        .release_shared_memory = release_shared_memory,
        .call = call,
    };
    return RPC_SUCCESS;
}

rpc_status_t mm_communicate_caller_deinit(struct rpc_caller_interface *rpc_caller)
{
    if (rpc_caller == NULL || rpc_caller->context == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    mm_caller_t *c = rpc_caller->context;
    if (c->sock >= 0) {
        close_session(c);
    }
    pthread_mutex_destroy(&c->lock);
    free(c->path);
    free(c);
    rpc_caller->context = NULL;
    return RPC_SUCCESS;
}
