/* libts: the Linux RPC caller, TS RPC ABI v1 over the endpoint sockets of the TS runtime dir. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <limits.h>

#include "ts/ts_runtime.h"
#include "ts/ts_socket.h"
#include "ts/ts_rpc_abi.h"
#include "ts_rpc_caller_linux.h"

/*
 * One caller = one connection (the FF-A source endpoint) to one endpoint socket, and the
 * interface id the endpoint gave for the session's service. The lock serialises the request /
 * reply exchanges on that connection, so a caller shared by threads stays consistent.
 */
typedef struct ts_socket_caller {
    pthread_mutex_t lock;
    int fd;
    bool broken; /* the connection failed; calls fail until the session is closed */
    uint8_t interface_id;
    uint64_t next_handle;
    struct rpc_caller_shared_memory cached; /* lent, kept for the next call; buffer NULL: none */
} ts_socket_caller_t;

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int socket_entry(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/*
 * Tries the endpoint sockets in name order; index >= 0 picks exactly that one (open_session's
 * endpoint id), -1 takes the first that hosts the service (find_and_open_session).
 */
static rpc_status_t open_endpoint(ts_socket_caller_t *c, const struct rpc_uuid *uuid, int index)
{
    char dir[PATH_MAX];
    if (!ts_runtime_dir(dir, sizeof(dir))) {
        return RPC_ERROR_NOT_FOUND;
    }
    struct dirent **names = NULL;
    int count = scandir(dir, &names, socket_entry, by_name);
    if (count < 0) {
        return RPC_ERROR_NOT_FOUND;
    }
    rpc_status_t status = RPC_ERROR_NOT_FOUND;
    int sockets_seen = 0;
    for (int i = 0; i < count && c->fd < 0; i++) {
        char path[PATH_MAX];
        struct stat st;
        int n = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        if (n <= 0 || (size_t)n >= sizeof(path) || stat(path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
            continue;
        }
        if (index >= 0 && sockets_seen++ != index) {
            continue;
        }
        int sock = ts_socket_connect(path);
        if (sock < 0) {
            continue;
        }
        uint8_t ifid = 0;
        rpc_status_t s = ts_socket_query_service(sock, uuid->uuid, &ifid);
        if (s == RPC_SUCCESS) {
            c->fd = sock;
            c->interface_id = ifid;
            status = RPC_SUCCESS;
        } else {
            close(sock);
            if (index >= 0) {
                status = s;
            }
        }
    }
    for (int i = 0; i < count; i++) {
        free(names[i]);
    }
    free(names);
    return status;
}

/* With the lock held: the exchange on this caller's connection. A transport failure ends the
 * connection, so later calls fail at once instead of reading a stale reply. */
static rpc_status_t caller_exchange(ts_socket_caller_t *c, const uint32_t in[TS_RPC_WORDS], int fd,
                                    uint32_t out[TS_RPC_WORDS])
{
    if (c->fd < 0) {
        return c->broken ? RPC_ERROR_TRANSPORT_LAYER : RPC_ERROR_INVALID_STATE;
    }
    rpc_status_t status = ts_socket_exchange(c->fd, in, fd, out);
    if (status == RPC_ERROR_TRANSPORT_LAYER) {
        close(c->fd);
        c->fd = -1;
        c->broken = true;
    }
    return status;
}

static rpc_status_t caller_open_session(void *context, const struct rpc_uuid *uuid,
                                        uint16_t endpoint_id)
{
    ts_socket_caller_t *c = context;
    pthread_mutex_lock(&c->lock);
    rpc_status_t status =
        c->fd >= 0 ? RPC_ERROR_INVALID_STATE : open_endpoint(c, uuid, endpoint_id);
    if (status == RPC_SUCCESS) {
        c->broken = false;
    }
    pthread_mutex_unlock(&c->lock);
    return status;
}

static rpc_status_t caller_find_and_open_session(void *context, const struct rpc_uuid *uuid)
{
    ts_socket_caller_t *c = context;
    pthread_mutex_lock(&c->lock);
    rpc_status_t status = c->fd >= 0 ? RPC_ERROR_INVALID_STATE : open_endpoint(c, uuid, -1);
    if (status == RPC_SUCCESS) {
        c->broken = false;
    }
    pthread_mutex_unlock(&c->lock);
    return status;
}

/* With the lock held: drops the kept memory (the endpoint unmaps it when the connection ends). */
static void drop_cached(ts_socket_caller_t *c)
{
    if (c->cached.buffer != NULL) {
        munmap(c->cached.buffer, c->cached.size);
        memset(&c->cached, 0, sizeof(c->cached));
    }
}

static rpc_status_t caller_close_session(void *context)
{
    ts_socket_caller_t *c = context;
    pthread_mutex_lock(&c->lock);
    rpc_status_t status = RPC_ERROR_INVALID_STATE;
    drop_cached(c);
    if (c->fd >= 0 || c->broken) {
        if (c->fd >= 0) {
            close(c->fd); /* the endpoint unmaps whatever this connection still lent it */
        }
        c->fd = -1;
        c->broken = false;
        status = RPC_SUCCESS;
    }
    pthread_mutex_unlock(&c->lock);
    return status;
}

/* With the lock held: MEM_RELINQUISH of a lent memory, then our mapping goes. */
static rpc_status_t relinquish(ts_socket_caller_t *c, struct rpc_caller_shared_memory *shm)
{
    const uint32_t in[TS_RPC_WORDS] = {TS_RPC_W3(TS_RPC_MGMT_INTERFACE, TS_RPC_MGMT_MEM_RELINQUISH),
                                       (uint32_t)shm->id, (uint32_t)(shm->id >> 32), 0, 0};
    uint32_t out[TS_RPC_WORDS];
    rpc_status_t status = caller_exchange(c, in, -1, out);
    if (status == RPC_SUCCESS) {
        status = (int32_t)out[1];
    }
    munmap(shm->buffer, shm->size);
    return status;
}

/*
 * Memory lent to the endpoint is kept for the next call when it is released (one per caller),
 * and reused when it is large enough: a memfd, its seals, two mappings and a descriptor passing
 * per call would cost more than the call itself (bench/ts_bench). A larger request replaces it.
 */
static rpc_status_t caller_create_shared_memory(void *context, size_t size,
                                                struct rpc_caller_shared_memory *shm)
{
    ts_socket_caller_t *c = context;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || size == 0 || size > TS_RPC_MAX_SHARED_MEMORY) {
        return RPC_ERROR_INVALID_VALUE;
    }
    size_t rounded = (size + (size_t)page - 1) / (size_t)page * (size_t)page;
    pthread_mutex_lock(&c->lock);
    if (c->cached.buffer != NULL) {
        if (c->cached.size >= rounded) {
            *shm = c->cached;
            memset(&c->cached, 0, sizeof(c->cached));
            pthread_mutex_unlock(&c->lock);
            return RPC_SUCCESS;
        }
        struct rpc_caller_shared_memory old = c->cached;
        memset(&c->cached, 0, sizeof(c->cached));
        rpc_status_t status = relinquish(c, &old);
        if (status != RPC_SUCCESS) {
            pthread_mutex_unlock(&c->lock);
            return status;
        }
    }
    pthread_mutex_unlock(&c->lock);

    int fd = memfd_create("libts-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        return RPC_ERROR_RESOURCE_FAILURE;
    }
    void *map = MAP_FAILED;
    if (ftruncate(fd, (off_t)rounded) == 0 &&
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0) {
        map = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    if (map == MAP_FAILED) {
        close(fd);
        return RPC_ERROR_RESOURCE_FAILURE;
    }
    pthread_mutex_lock(&c->lock);
    uint64_t handle = c->next_handle++;
    const uint32_t in[TS_RPC_WORDS] = {TS_RPC_W3(TS_RPC_MGMT_INTERFACE, TS_RPC_MGMT_MEM_RETRIEVE),
                                       (uint32_t)handle, (uint32_t)(handle >> 32), 0, 0};
    uint32_t out[TS_RPC_WORDS];
    rpc_status_t status = caller_exchange(c, in, fd, out);
    if (status == RPC_SUCCESS) {
        status = (int32_t)out[1];
    }
    pthread_mutex_unlock(&c->lock);
    close(fd);
    if (status != RPC_SUCCESS) {
        munmap(map, rounded);
        return status;
    }
    shm->id = handle;
    shm->buffer = map;
    shm->size = rounded;
    return RPC_SUCCESS;
}

static rpc_status_t caller_release_shared_memory(void *context,
                                                 struct rpc_caller_shared_memory *shm)
{
    ts_socket_caller_t *c = context;
    if (shm->buffer == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    pthread_mutex_lock(&c->lock);
    rpc_status_t status = RPC_SUCCESS;
    if (c->fd < 0) {
        /* The connection is gone, and the endpoint's mapping with it. */
        munmap(shm->buffer, shm->size);
        status = c->broken ? RPC_ERROR_TRANSPORT_LAYER : RPC_ERROR_INVALID_STATE;
    } else if (c->cached.buffer == NULL) {
        c->cached = *shm;
    } else {
        status = relinquish(c, shm);
    }
    pthread_mutex_unlock(&c->lock);
    shm->buffer = NULL;
    shm->size = 0;
    shm->id = TS_RPC_MEM_HANDLE_INVALID;
    return status;
}

static rpc_status_t caller_call(void *context, uint16_t opcode,
                                struct rpc_caller_shared_memory *shm, size_t request_length,
                                size_t *response_length, service_status_t *service_status)
{
    ts_socket_caller_t *c = context;
    if (request_length > shm->size) {
        return RPC_ERROR_INVALID_VALUE;
    }
    uint64_t handle = shm->buffer != NULL ? shm->id : TS_RPC_MEM_HANDLE_INVALID;
    uint32_t out[TS_RPC_WORDS];
    pthread_mutex_lock(&c->lock);
    const uint32_t in[TS_RPC_WORDS] = {TS_RPC_W3(c->interface_id, opcode), (uint32_t)handle,
                                       (uint32_t)(handle >> 32), (uint32_t)request_length, 0};
    rpc_status_t status = caller_exchange(c, in, -1, out);
    pthread_mutex_unlock(&c->lock);
    if (status != RPC_SUCCESS) {
        return status;
    }
    status = (int32_t)out[1]; /* the endpoint's real RPC status */
    if (status == RPC_SUCCESS) {
        *service_status = (int32_t)out[2]; /* 32 bits on the wire, sign-extended */
        *response_length = out[3];
    }
    return status;
}

rpc_status_t ts_rpc_caller_linux_init(struct rpc_caller_interface *rpc_caller)
{
    if (rpc_caller == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    ts_socket_caller_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return RPC_ERROR_RESOURCE_FAILURE;
    }
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return RPC_ERROR_RESOURCE_FAILURE;
    }
    c->fd = -1;
    c->next_handle = 1;
    rpc_caller->context = c;
    rpc_caller->open_session = caller_open_session;
    rpc_caller->find_and_open_session = caller_find_and_open_session;
    rpc_caller->close_session = caller_close_session;
    rpc_caller->create_shared_memory = caller_create_shared_memory;
    rpc_caller->release_shared_memory = caller_release_shared_memory;
    rpc_caller->call = caller_call;
    return RPC_SUCCESS;
}

rpc_status_t ts_rpc_caller_linux_deinit(struct rpc_caller_interface *rpc_caller)
{
    if (rpc_caller == NULL || rpc_caller->context == NULL) {
        return RPC_ERROR_INVALID_VALUE;
    }
    ts_socket_caller_t *c = rpc_caller->context;
    drop_cached(c);
    if (c->fd >= 0) {
        close(c->fd);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
    memset(rpc_caller, 0, sizeof(*rpc_caller));
    return RPC_SUCCESS;
}
