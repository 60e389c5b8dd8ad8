/* ts_storage: the packed-c secure storage interface (ITS and PS) served on the PSA storage APIs. */
#include "ts/ts_storage.h"

#include <string.h>

#include "comms/rss_services.h"
#include "base/wire.h"

/*
 * The codec is one table: for each opcode the fixed request fields (in wire order, with their
 * widths), whether variable data follows and which field gives its length, and the fixed
 * response fields or raw data. One decoder and one encoder walk it; the decoded values become a
 * storage record (comms/storage_calls.h) for the backend.
 */

_Static_assert(sizeof(size_t) >= sizeof(uint64_t), "u64 wire sizes must fit size_t");

enum ts_storage_slot { S_UID, S_OFFSET, S_LENGTH, S_CAPACITY, S_FLAGS, S_SIZE, S_SUPPORT, S_N };

typedef struct ts_storage_field {
    uint8_t slot;
    uint8_t width; /* 4 or 8 bytes */
} ts_storage_field_t;

typedef struct ts_storage_args {
    uint64_t v[S_N];
    const uint8_t *data; /* request data (SET, SET_EXTENDED) */
    uint8_t *out;        /* response data (GET) */
    size_t out_size;
    size_t out_length;
    void *session; /* the call's, for the backend */
} ts_storage_args_t;

typedef struct ts_storage_op {
    uint16_t opcode;
    int32_t type; /* the storage record's */
    uint8_t request_count;
    ts_storage_field_t request[3];
    int8_t data_length_slot; /* -1: no data follows the fixed part */
    uint8_t response_count;
    ts_storage_field_t response[3];
    bool response_data; /* raw bytes, no header */
} ts_storage_op_t;

/* The request as a storage record, run by the backend; results back into the slots. */
static psa_status_t run(const ts_storage_backend_t *b, const ts_storage_op_t *op,
                        ts_storage_args_t *a)
{
    struct psa_storage_info_t info = {0};
    uint32_t support = 0;
    bool its = b->service == RSS_HANDLE_ITS;
    storage_args_t r = {
        .type = op->type,
        .service = b->service,
        .uid = a->v[S_UID],
        .offset = a->v[S_OFFSET],
        .length = op->type == RSS_PS_CREATE ? a->v[S_CAPACITY] : a->v[S_LENGTH],
        .data = a->data,
        .buffer = a->out,
        .data_length = &a->out_length,
        .flags = (psa_storage_create_flags_t)a->v[S_FLAGS],
        .info = &info,
        .support = &support,
    };
    if (op->type == RSS_STORAGE_GET) {
        r.length = a->v[S_SIZE] < a->out_size ? a->v[S_SIZE] : a->out_size;
    }
    psa_status_t status;
    if (its && (op->type == RSS_PS_CREATE || op->type == RSS_PS_SET_EXTENDED)) {
        status = PSA_ERROR_NOT_SUPPORTED;
    } else if (its && op->type == RSS_PS_GET_SUPPORT_RSSD) {
        status = PSA_SUCCESS;
    } else {
        status = b->call(a->session, &r);
    }
    if (status == PSA_SUCCESS && op->type == RSS_STORAGE_GET_INFO) {
        a->v[S_CAPACITY] = info.capacity;
        a->v[S_SIZE] = info.size;
        a->v[S_FLAGS] = info.flags;
    }
    /* As upstream, the feature map with PSA_SUCCESS; unlike upstream's SE proxy, a failure to
     * learn it is a status, not flags 0. */
    a->v[S_SUPPORT] = status == PSA_SUCCESS ? support : 0;
    return status;
}

#define F8(s)                                                                                      \
    {                                                                                              \
        (s), 8                                                                                     \
    }
#define F4(s)                                                                                      \
    {                                                                                              \
        (s), 4                                                                                     \
    }

/* secure_storage_proto.h, sheet §2.3. */
static const ts_storage_op_t ts_storage_ops[] = {
    {TS_STORAGE_OP_SET,
     RSS_STORAGE_SET,
     3,
     {F8(S_UID), F8(S_LENGTH), F4(S_FLAGS)},
     S_LENGTH,
     0,
     {{0}},
     false},
    {TS_STORAGE_OP_GET,
     RSS_STORAGE_GET,
     3,
     {F8(S_UID), F8(S_OFFSET), F8(S_SIZE)},
     -1,
     0,
     {{0}},
     true},
    {TS_STORAGE_OP_GET_INFO,
     RSS_STORAGE_GET_INFO,
     1,
     {F8(S_UID)},
     -1,
     3,
     {F8(S_CAPACITY), F8(S_SIZE), F4(S_FLAGS)},
     false},
    {TS_STORAGE_OP_REMOVE, RSS_STORAGE_REMOVE, 1, {F8(S_UID)}, -1, 0, {{0}}, false},
    {TS_STORAGE_OP_CREATE,
     RSS_PS_CREATE,
     3,
     {F8(S_UID), F8(S_CAPACITY), F4(S_FLAGS)},
     -1,
     0,
     {{0}},
     false},
    {TS_STORAGE_OP_SET_EXTENDED,
     RSS_PS_SET_EXTENDED,
     3,
     {F8(S_UID), F8(S_OFFSET), F8(S_LENGTH)},
     S_LENGTH,
     0,
     {{0}},
     false},
    {TS_STORAGE_OP_GET_SUPPORT, RSS_PS_GET_SUPPORT_RSSD, 0, {{0}}, -1, 1, {F4(S_SUPPORT)}, false},
};

static const ts_storage_op_t *find_op(uint16_t opcode)
{
    for (size_t i = 0; i < sizeof(ts_storage_ops) / sizeof(ts_storage_ops[0]); i++) {
        if (ts_storage_ops[i].opcode == opcode) {
            return &ts_storage_ops[i];
        }
    }
    return NULL;
}

static size_t fields_size(const ts_storage_field_t *fields, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        n += fields[i].width;
    }
    return n;
}

static bool decode_request(const ts_storage_op_t *op, const ts_call_t *call, ts_storage_args_t *a)
{
    wire_reader_t r;
    wire_reader_init(&r, call->request, call->request_length);
    for (size_t i = 0; i < op->request_count; i++) {
        const ts_storage_field_t *f = &op->request[i];
        if (f->width == 8) {
            wire_get_u64(&r, &a->v[f->slot]);
        } else {
            uint32_t v = 0;
            wire_get_u32(&r, &v);
            a->v[f->slot] = v;
        }
    }
    /* The data must lie inside the request; bytes after it are ignored, as upstream does. */
    if (op->data_length_slot >= 0) {
        uint64_t length = a->v[op->data_length_slot];
        if (length > wire_remaining(&r)) {
            return false;
        }
        wire_get_ref(&r, (size_t)length, &a->data);
    }
    return wire_reader_ok(&r);
}

static void encode_response(const ts_storage_op_t *op, const ts_storage_args_t *a, ts_call_t *call)
{
    if (op->response_data) {
        call->response_length = a->out_length;
        return;
    }
    wire_writer_t w;
    wire_writer_init(&w, call->response, call->response_size);
    for (size_t i = 0; i < op->response_count; i++) {
        const ts_storage_field_t *f = &op->response[i];
        if (f->width == 8) {
            wire_put_u64(&w, a->v[f->slot]);
        } else {
            wire_put_u32(&w, (uint32_t)a->v[f->slot]);
        }
    }
    call->response_length = wire_writer_length(&w);
}

int32_t ts_storage_serve(void *context, ts_call_t *call)
{
    const ts_storage_backend_t *backend = context;
    const ts_storage_op_t *op = find_op(call->opcode);
    if (op == NULL) {
        return TS_RPC_ERROR_INVALID_VALUE; /* unknown opcode, no successor provider */
    }
    ts_storage_args_t a;
    memset(&a, 0, sizeof(a));
    if (!decode_request(op, call, &a)) {
        return TS_RPC_ERROR_INVALID_REQUEST_BODY;
    }
    if (fields_size(op->response, op->response_count) > call->response_size) {
        return TS_RPC_ERROR_INVALID_RESPONSE_BODY;
    }
    a.out = call->response;
    a.out_size = call->response_size;
    a.session = call->session;
    psa_status_t status = run(backend, op, &a);
    call->service_status = status;
    call->response_length = 0;
    if (status == PSA_SUCCESS) {
        encode_response(op, &a, call);
    }
    return TS_RPC_SUCCESS;
}

/* ---- client side ----------------------------------------------------------------------------- */

psa_status_t ts_storage_reply(int32_t type, const uint8_t *response, size_t response_length,
                              psa_outvec *out)
{
    psa_status_t status = PSA_SUCCESS;
    wire_reader_t r;
    wire_reader_init(&r, response, response_length);
    uint64_t capacity = 0, size = 0;
    uint32_t flags = 0;
    switch (type) {
    case RSS_STORAGE_GET:
        if (response_length > out->len) {
            status = PSA_ERROR_COMMUNICATION_FAILURE;
        } else {
            if (response_length > 0) {
                memcpy(out->base, response, response_length);
            }
            out->len = response_length;
        }
        break;
    case RSS_STORAGE_GET_INFO: /* back in TF-M's 12-byte record */
        if (!wire_get_u64(&r, &capacity) || !wire_get_u64(&r, &size) || !wire_get_u32(&r, &flags) ||
            !wire_reader_done(&r) || capacity > UINT32_MAX || size > UINT32_MAX || out->len < 12) {
            status = PSA_ERROR_COMMUNICATION_FAILURE;
        } else {
            wire_store_u32(out->base, (uint32_t)capacity);
            wire_store_u32((uint8_t *)out->base + 4, (uint32_t)size);
            wire_store_u32((uint8_t *)out->base + 8, flags);
            out->len = 12;
        }
        break;
    case RSS_PS_GET_SUPPORT_RSSD:
        if (response_length != 4 || out->len < 4) {
            status = PSA_ERROR_COMMUNICATION_FAILURE;
        } else {
            memcpy(out->base, response, 4);
            out->len = 4;
        }
        break;
    default:
        break;
    }
    return status;
}
