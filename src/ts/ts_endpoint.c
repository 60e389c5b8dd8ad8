/* ts_endpoint: the TS RPC ABI v1 endpoint, five words in, five words out, no transport. */
#define _GNU_SOURCE
#include "ts/ts_endpoint.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "comms/transport.h"

void ts_endpoint_init(ts_endpoint_t *endpoint)
{
    memset(endpoint, 0, sizeof(*endpoint));
}

static int find_interface(const ts_endpoint_t *endpoint, const uint8_t uuid[16])
{
    for (size_t i = 0; i < endpoint->count; i++) {
        if (memcmp(endpoint->interfaces[i].uuid, uuid, 16) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int ts_endpoint_add(ts_endpoint_t *endpoint, const ts_interface_t *interface)
{
    if (endpoint->count == TS_ENDPOINT_MAX_INTERFACES || interface->serve == NULL ||
        find_interface(endpoint, interface->uuid) >= 0) {
        return -1;
    }
    endpoint->interfaces[endpoint->count] = *interface;
    return (int)endpoint->count++;
}

bool ts_connection_open(ts_connection_t *conn, const ts_endpoint_t *endpoint,
                        const ts_caller_t *caller)
{
    memset(conn, 0, sizeof(*conn));
    conn->endpoint = endpoint;
    conn->caller = *caller;
    conn->slot_count = 2 * endpoint->count + 6;
    conn->slots = calloc(conn->slot_count, sizeof(*conn->slots));
    return conn->slots != NULL;
}

static void release_slot(ts_shared_memory_t *slot)
{
    munmap(slot->map, slot->size);
    memset(slot, 0, sizeof(*slot));
}

void ts_connection_close(ts_connection_t *conn)
{
    for (size_t i = 0; i < conn->slot_count; i++) {
        if (conn->slots[i].used) {
            release_slot(&conn->slots[i]);
        }
    }
    free(conn->slots);
    conn->slots = NULL;
    conn->slot_count = 0;
}

static ts_shared_memory_t *find_memory(ts_connection_t *conn, uint64_t handle)
{
    for (size_t i = 0; i < conn->slot_count; i++) {
        if (conn->slots[i].used && conn->slots[i].handle == handle) {
            return &conn->slots[i];
        }
    }
    return NULL;
}

static uint64_t join64(uint32_t lsw, uint32_t msw)
{
    return (uint64_t)lsw | ((uint64_t)msw << 32);
}

/*
 * Maps the peer's memfd. It must be sealed against shrinking (a peer that could truncate it
 * would turn our next access into SIGBUS), a non-empty page multiple, and within the limit.
 * These are the Linux binding's equivalent of an FF-A retrieve failing.
 */
static int32_t map_memory(int fd, uint8_t **map, size_t *size)
{
    struct stat st;
    int seals = fcntl(fd, F_GET_SEALS);
    long page = sysconf(_SC_PAGESIZE);
    if (seals < 0 || (seals & F_SEAL_SHRINK) == 0 || !rss_shm_is_shmem(fd) ||
        fstat(fd, &st) != 0 || page <= 0 ||
        st.st_size <= 0 || (uint64_t)st.st_size > TS_ENDPOINT_MAX_SHARED_MEMORY ||
        (uint64_t)st.st_size % (uint64_t)page != 0) {
        return TS_RPC_ERROR_TRANSPORT_LAYER;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        return TS_RPC_ERROR_TRANSPORT_LAYER;
    }
    *map = p;
    *size = (size_t)st.st_size;
    return TS_RPC_SUCCESS;
}

static int32_t mem_retrieve(ts_connection_t *conn, const uint32_t in[TS_RPC_WORDS], int fd)
{
    uint64_t handle = join64(in[1], in[2]);
    ts_shared_memory_t *slot = NULL;
    for (size_t i = 0; i < conn->slot_count && slot == NULL; i++) {
        if (!conn->slots[i].used) {
            slot = &conn->slots[i];
        }
    }
    if (slot == NULL) {
        return TS_RPC_ERROR_NOT_FOUND; /* no free memory slot (sheet §1.3) */
    }
    /* Our rule: a handle names one memory, and the doorbell handle names none. */
    if (handle == TS_RPC_MEM_HANDLE_INVALID || find_memory(conn, handle) != NULL) {
        return TS_RPC_ERROR_INVALID_VALUE;
    }
    if (fd < 0) {
        return TS_RPC_ERROR_TRANSPORT_LAYER;
    }
    int32_t status = map_memory(fd, &slot->map, &slot->size);
    if (status == TS_RPC_SUCCESS) {
        slot->used = true;
        slot->handle = handle;
        slot->tag = join64(in[3], in[4]);
    }
    return status;
}

static int32_t mem_relinquish(ts_connection_t *conn, const uint32_t in[TS_RPC_WORDS])
{
    ts_shared_memory_t *slot = find_memory(conn, join64(in[1], in[2]));
    if (slot == NULL) {
        return TS_RPC_ERROR_NOT_FOUND;
    }
    release_slot(slot);
    return TS_RPC_SUCCESS;
}

static void serve_management(ts_connection_t *conn, const uint32_t in[TS_RPC_WORDS], int fd,
                             uint32_t out[TS_RPC_WORDS])
{
    int32_t status;
    switch (TS_RPC_W3_OPCODE(in[0])) {
    case TS_RPC_MGMT_VERSION_GET:
        out[1] = TS_RPC_ABI_VERSION; /* the version only, no status */
        return;
    case TS_RPC_MGMT_MEM_RETRIEVE:
        status = mem_retrieve(conn, in, fd);
        break;
    case TS_RPC_MGMT_MEM_RELINQUISH:
        status = mem_relinquish(conn, in);
        break;
    case TS_RPC_MGMT_SERVICE_INFO_GET: {
        uint8_t uuid[16];
        /* W4..W7 carry the UUID's bytes as a raw copy: byte k is byte k%4 (LE) of W4+k/4. */
        for (size_t k = 0; k < 16; k++) {
            uuid[k] = (uint8_t)(in[1 + k / 4] >> (8 * (k % 4)));
        }
        int id = find_interface(conn->endpoint, uuid);
        if (id < 0) {
            status = TS_RPC_ERROR_NOT_FOUND;
        } else {
            status = TS_RPC_SUCCESS;
            out[2] = (uint32_t)id;
        }
        break;
    }
    default:
        status = TS_RPC_ERROR_INVALID_VALUE;
        break;
    }
    out[1] = (uint32_t)status;
}

/* Service call: the endpoint's checks in the order of ts_rpc_endpoint_sp.c (sheet §1.3). */
static void serve_call(ts_connection_t *conn, const uint32_t in[TS_RPC_WORDS],
                       uint32_t out[TS_RPC_WORDS])
{
    uint8_t ifid = TS_RPC_W3_INTERFACE(in[0]);
    uint64_t handle = join64(in[1], in[2]);
    size_t request_length = in[3];
    const ts_interface_t *interface;
    const uint8_t *shared = NULL;
    size_t shared_size = 0;
    int32_t status;

    if (ifid >= TS_ENDPOINT_MAX_INTERFACES) {
        status = TS_RPC_ERROR_INVALID_VALUE;
        goto done;
    }
    if (ifid >= conn->endpoint->count) {
        status = TS_RPC_ERROR_INTERNAL; /* an empty slot */
        goto done;
    }
    interface = &conn->endpoint->interfaces[ifid];
    if (handle != TS_RPC_MEM_HANDLE_INVALID) {
        ts_shared_memory_t *mem = find_memory(conn, handle);
        if (mem == NULL) {
            status = TS_RPC_ERROR_NOT_FOUND;
            goto done;
        }
        shared = mem->map;
        shared_size = mem->size;
    }
    if (request_length > shared_size) {
        status = TS_RPC_ERROR_INVALID_VALUE;
        goto done;
    }

    uint8_t *request = NULL;
    uint8_t *response = NULL;
    if (shared_size != 0) {
        request = malloc(shared_size);
        response = calloc(1, shared_size);
        if (request == NULL || response == NULL) {
            free(request);
            free(response);
            status = TS_RPC_ERROR_RESOURCE_FAILURE;
            goto done;
        }
        memcpy(request, shared, request_length);
    }
    ts_call_t call = {
        .caller = &conn->caller,
        .session = conn->session,
        .opcode = TS_RPC_W3_OPCODE(in[0]),
        .request = request,
        .request_length = request_length,
        .response = response,
        .response_size = shared_size,
    };
    status = interface->serve(interface->context, &call);
    if (status == TS_RPC_SUCCESS) {
        if (call.response_length > shared_size) {
            status = TS_RPC_ERROR_INTERNAL;
        } else {
            if (call.response_length != 0) {
                memcpy((uint8_t *)shared, response, call.response_length);
            }
            out[2] = (uint32_t)call.service_status;
            out[3] = (uint32_t)call.response_length;
        }
    }
    /* Both buffers may hold stored secrets. */
    if (shared_size != 0) {
        OPENSSL_cleanse(request, shared_size);
        OPENSSL_cleanse(response, shared_size);
    }
    free(request);
    free(response);
done:
    out[1] = (uint32_t)status;
}

void ts_connection_serve(ts_connection_t *conn, const uint32_t in[TS_RPC_WORDS], int fd,
                         uint32_t out[TS_RPC_WORDS])
{
    memset(out, 0, TS_RPC_WORDS * sizeof(out[0]));
    out[0] = in[0];
    bool is_retrieve = TS_RPC_W3_INTERFACE(in[0]) == TS_RPC_MGMT_INTERFACE &&
                       TS_RPC_W3_OPCODE(in[0]) == TS_RPC_MGMT_MEM_RETRIEVE;
    if (fd >= 0 && !is_retrieve) {
        close(fd);
        out[1] = (uint32_t)TS_RPC_ERROR_INVALID_VALUE;
        return;
    }
    if (TS_RPC_W3_INTERFACE(in[0]) == TS_RPC_MGMT_INTERFACE) {
        serve_management(conn, in, fd, out);
    } else {
        serve_call(conn, in, out);
    }
    if (fd >= 0) {
        close(fd); /* mapped or refused; the mapping outlives the descriptor */
    }
}
