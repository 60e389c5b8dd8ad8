/* ts_endpoint: the TS RPC ABI v1 endpoint, five words in, five words out, no transport. */
#ifndef TS_ENDPOINT_H
#define TS_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ts/ts_rpc_abi.h"

/*
 * The transport (a daemon's socket loop, or tests/integration/ts_test_server.c until
 * src/daemon exists) owns one ts_connection_t per accepted socket: it is the FF-A source
 * endpoint. For each 20-byte packet it calls ts_connection_serve with the five words and the
 * descriptor that came with the packet by SCM_RIGHTS (-1 if none), and sends back the five
 * words it fills in. The connection keeps the handle -> mapping table of the memories the peer
 * lent it, and unmaps them all in ts_connection_close.
 *
 * Deliberate differences from ts_rpc_endpoint_sp.c: a service never sees the shared memory
 * itself. The endpoint copies the request out before the service parses it (the peer can write
 * the memory at any time, so parsing it in place would let it change bytes already checked) and
 * copies the response in after the service has written it to a private buffer.
 */

/* Who is on the other end, from SO_PEERCRED. W7's client id is never used. */
typedef struct ts_caller {
    uid_t uid;
    pid_t pid;
} ts_caller_t;

/* One service call as a service sees it. */
typedef struct ts_call {
    const ts_caller_t *caller;
    uint16_t opcode;
    const uint8_t *request; /* private copy, request_length bytes */
    size_t request_length;
    uint8_t *response; /* private, response_size bytes (the shared memory's size) */
    size_t response_size;
    size_t response_length; /* set by the service */
    int32_t service_status; /* set by the service; 32 bits on the wire */
    void *session;          /* the connection's (ts_connection_t.session) */
} ts_call_t;

/* Returns the RPC status; response_length and service_status count only with TS_RPC_SUCCESS. */
typedef int32_t (*ts_serve_fn)(void *context, ts_call_t *call);

typedef struct ts_interface {
    uint8_t uuid[16];
    void *context;
    ts_serve_fn serve;
} ts_interface_t;

#define TS_ENDPOINT_MAX_INTERFACES 8
/* Largest memory a peer may lend. */
#define TS_ENDPOINT_MAX_SHARED_MEMORY TS_RPC_MAX_SHARED_MEMORY

/* The registry: interface id = index, in the order the interfaces were added (sheet §1.3). */
typedef struct ts_endpoint {
    ts_interface_t interfaces[TS_ENDPOINT_MAX_INTERFACES];
    size_t count;
} ts_endpoint_t;

void ts_endpoint_init(ts_endpoint_t *endpoint);
/* Adds an interface; returns its interface id, or -1 if the registry is full or the UUID is
 * already hosted. */
int ts_endpoint_add(ts_endpoint_t *endpoint, const ts_interface_t *interface);

typedef struct ts_shared_memory {
    bool used;
    uint64_t handle;
    uint64_t tag;
    uint8_t *map;
    size_t size;
} ts_shared_memory_t;

typedef struct ts_connection {
    const ts_endpoint_t *endpoint;
    ts_caller_t caller;
    size_t slot_count; /* 2 * interfaces + 6, as the SE proxy sizes its table */
    ts_shared_memory_t *slots;
    /* The hosting program's per-connection state, handed to every service call (NULL unless
     * it sets it after ts_connection_open). */
    void *session;
} ts_connection_t;

/* Returns false when out of memory. */
bool ts_connection_open(ts_connection_t *conn, const ts_endpoint_t *endpoint,
                        const ts_caller_t *caller);
/* Unmaps every memory still retrieved. */
void ts_connection_close(ts_connection_t *conn);

/*
 * Serves one request. fd is the descriptor that came with it (-1 if none); the connection takes
 * ownership of it in every case. A descriptor is accepted only on MEM_RETRIEVE; with any other
 * request it is closed and the request is refused with TS_RPC_ERROR_INVALID_VALUE. out[] is
 * always written: zeroed, W3 copied from in[0], the status in W4.
 */
void ts_connection_serve(ts_connection_t *conn, const uint32_t in[TS_RPC_WORDS], int fd,
                         uint32_t out[TS_RPC_WORDS]);

#endif /* TS_ENDPOINT_H */
