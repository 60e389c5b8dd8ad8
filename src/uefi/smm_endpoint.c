/* MM communicate on the TS RPC socket binding (smm_endpoint.h). */
#include <string.h>
#include <unistd.h>

#include "uefi/smm_endpoint.h"

static const uint8_t smm_variable_uuid[16] = TS_UUID_SMM_VARIABLE;

/* Service calls never reach it (their W3 is an MM offset here); it exists for discovery. */
static int32_t no_service_calls(void *context, ts_call_t *call)
{
    (void)context;
    (void)call;
    return TS_RPC_ERROR_INVALID_VALUE;
}

void smm_endpoint_init(ts_endpoint_t *endpoint)
{
    ts_endpoint_init(endpoint);
    ts_interface_t smm = {.context = NULL, .serve = no_service_calls};
    memcpy(smm.uuid, smm_variable_uuid, sizeof(smm.uuid));
    (void)ts_endpoint_add(endpoint, &smm); /* an empty registry always has room */
}

bool smm_connection_open(smm_connection_t *conn, const ts_endpoint_t *endpoint, uid_t uid,
                         pid_t pid)
{
    conn->caller.uid = uid;
    conn->caller.pid = pid;
    const ts_caller_t caller = {uid, pid};
    return ts_connection_open(&conn->ts, endpoint, &caller);
}

void smm_connection_close(smm_connection_t *conn)
{
    ts_connection_close(&conn->ts);
}

static const ts_shared_memory_t *held_memory(const smm_connection_t *conn)
{
    for (size_t i = 0; i < conn->ts.slot_count; i++) {
        if (conn->ts.slots[i].used) {
            return &conn->ts.slots[i];
        }
    }
    return NULL;
}

void smm_connection_serve(smm_connection_t *conn, smm_gateway_t *gateway,
                          const uint32_t in[TS_RPC_WORDS], int fd, uint32_t out[TS_RPC_WORDS])
{
    if (TS_RPC_W3_INTERFACE(in[0]) == TS_RPC_MGMT_INTERFACE) {
        if (TS_RPC_W3_OPCODE(in[0]) == TS_RPC_MGMT_MEM_RETRIEVE && held_memory(conn) != NULL) {
            if (fd >= 0) {
                close(fd);
            }
            memset(out, 0, TS_RPC_WORDS * sizeof(out[0]));
            out[0] = in[0];
            out[1] = (uint32_t)TS_RPC_ERROR_NOT_FOUND;
            return;
        }
        ts_connection_serve(&conn->ts, in, fd, out);
        return;
    }
    memset(out, 0, TS_RPC_WORDS * sizeof(out[0]));
    mm_return_t rc = MM_RETURN_INVALID_PARAMETER;
    const ts_shared_memory_t *mem = held_memory(conn);
    if (fd >= 0) {
        close(fd); /* a descriptor comes only with MEM_RETRIEVE */
    } else if (in[1] == 0 && in[2] == 0 && in[3] == 0 && in[4] == 0 && mem != NULL &&
               in[0] <= mem->size) {
        rc = smm_serve(gateway, &conn->caller, mem->map + in[0], mem->size - in[0]);
    }
    out[0] = (uint32_t)rc;
}
