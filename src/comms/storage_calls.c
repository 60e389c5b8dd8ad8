/* The ITS and PS APIs as RSS comms calls (comms/storage_calls.h). */
#include "comms/storage_calls.h"

#include <stdbool.h>

#include "comms/transport.h"
#include "base/wire.h"

/*
 * Argument limits, checked before anything is sent so that every client answers as libpsa-local
 * does:
 * - a range [offset, offset + length) ending beyond 32 bits names no byte of any object (object
 *   sizes are 32-bit, on the wire and in the engines, which refuse it first, storage_io.h):
 *   INVALID_ARGUMENT. Without this check libpsa tried to map a shared region for it and
 *   answered INSUFFICIENT_MEMORY.
 * - one call carries at most STORAGE_MAX_DATA bytes of data (the largest shared memory, less
 *   room for the other vectors), far beyond rssd's largest object: a longer set cannot be
 *   stored (INSUFFICIENT_STORAGE), a longer set_extended exceeds any capacity
 *   (INVALID_ARGUMENT), and a get never needs a larger buffer than that.
 */
#define STORAGE_MAX_DATA (RSS_SHM_MAX_SIZE - 4096u)

static int range_fits_u32(size_t offset, size_t length)
{
    return length <= UINT32_MAX && offset <= UINT32_MAX - length;
}

psa_status_t storage_call_set(const storage_service_t *s, psa_storage_uid_t uid, size_t data_length,
                              const void *p_data, psa_storage_create_flags_t create_flags)
{
    uint8_t uid_le[8], flags_le[4];
    wire_store_u64(uid_le, uid);
    wire_store_u32(flags_le, create_flags);
    if ((data_length > 0 && p_data == NULL) || !range_fits_u32(0, data_length)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (data_length > STORAGE_MAX_DATA) {
        return PSA_ERROR_INSUFFICIENT_STORAGE;
    }
    psa_invec in[3] = {{uid_le, 8}, {p_data, data_length}, {flags_le, 4}};
    return s->call(s->ctx, s->service, RSS_STORAGE_SET, in, 3, NULL, 0);
}

psa_status_t storage_call_get(const storage_service_t *s, psa_storage_uid_t uid, size_t data_offset,
                              size_t data_length, void *p_data, size_t *p_data_length)
{
    if (p_data_length == NULL || (data_length > 0 && p_data == NULL)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *p_data_length = 0;
    if (!range_fits_u32(data_offset, data_length)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (data_length > STORAGE_MAX_DATA) {
        data_length = STORAGE_MAX_DATA; /* no object has more to return */
    }
    uint8_t uid_le[8], offset_le[4];
    wire_store_u64(uid_le, uid);
    wire_store_u32(offset_le, (uint32_t)data_offset);
    psa_invec in[2] = {{uid_le, 8}, {offset_le, 4}};
    psa_outvec out[1] = {{p_data, data_length}};
    psa_status_t status = s->call(s->ctx, s->service, RSS_STORAGE_GET, in, 2, out, 1);
    if (status == PSA_SUCCESS) {
        *p_data_length = out[0].len;
    }
    return status;
}

psa_status_t storage_call_get_info(const storage_service_t *s, psa_storage_uid_t uid,
                                   struct psa_storage_info_t *p_info)
{
    if (p_info == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    uint8_t uid_le[8], info_le[12];
    wire_store_u64(uid_le, uid);
    psa_invec in[1] = {{uid_le, 8}};
    psa_outvec out[1] = {{info_le, sizeof(info_le)}};
    psa_status_t status = s->call(s->ctx, s->service, RSS_STORAGE_GET_INFO, in, 1, out, 1);
    if (status != PSA_SUCCESS) {
        return status;
    }
    wire_reader_t r;
    wire_reader_init(&r, info_le, out[0].len);
    uint32_t capacity = 0, size = 0, flags = 0;
    if (!wire_get_u32(&r, &capacity) || !wire_get_u32(&r, &size) || !wire_get_u32(&r, &flags) ||
        !wire_reader_done(&r)) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    p_info->capacity = capacity;
    p_info->size = size;
    p_info->flags = flags;
    return PSA_SUCCESS;
}

psa_status_t storage_call_remove(const storage_service_t *s, psa_storage_uid_t uid)
{
    uint8_t uid_le[8];
    wire_store_u64(uid_le, uid);
    psa_invec in[1] = {{uid_le, 8}};
    return s->call(s->ctx, s->service, RSS_STORAGE_REMOVE, in, 1, NULL, 0);
}

psa_status_t storage_call_create(const storage_service_t *s, psa_storage_uid_t uid, size_t capacity,
                                 psa_storage_create_flags_t create_flags)
{
    if (capacity > UINT32_MAX) {
        return PSA_ERROR_INSUFFICIENT_STORAGE;
    }
    uint8_t uid_le[8], capacity_le[4], flags_le[4];
    wire_store_u64(uid_le, uid);
    wire_store_u32(capacity_le, (uint32_t)capacity);
    wire_store_u32(flags_le, create_flags);
    psa_invec in[3] = {{uid_le, 8}, {capacity_le, 4}, {flags_le, 4}};
    return s->call(s->ctx, s->service, RSS_PS_CREATE, in, 3, NULL, 0);
}

psa_status_t storage_call_set_extended(const storage_service_t *s, psa_storage_uid_t uid,
                                       size_t data_offset, size_t data_length, const void *p_data)
{
    if (!range_fits_u32(data_offset, data_length) || data_length > STORAGE_MAX_DATA ||
        (data_length > 0 && p_data == NULL)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    uint8_t uid_le[8], offset_le[4];
    wire_store_u64(uid_le, uid);
    wire_store_u32(offset_le, (uint32_t)data_offset);
    psa_invec in[3] = {{uid_le, 8}, {offset_le, 4}, {p_data, data_length}};
    return s->call(s->ctx, s->service, RSS_PS_SET_EXTENDED, in, 3, NULL, 0);
}

/* rssd's own query: TF-M's GET_SUPPORT (1005) answers 0, as TF-M does, for TF-M's client. */
psa_status_t storage_call_get_support_status(const storage_service_t *s, uint32_t *flags)
{
    uint8_t flags_le[4];
    psa_outvec out[1] = {{flags_le, sizeof(flags_le)}};
    *flags = 0;
    psa_status_t status = s->call(s->ctx, s->service, RSS_PS_GET_SUPPORT_RSSD, NULL, 0, out, 1);
    if (status == PSA_SUCCESS && out[0].len != 4) {
        status = PSA_ERROR_COMMUNICATION_FAILURE;
    }
    if (status == PSA_SUCCESS) {
        *flags = wire_load_u32(flags_le);
    }
    return status;
}

psa_status_t storage_call(storage_call_fn call, void *ctx, storage_args_t *a)
{
    const storage_service_t s = {call, ctx, a->service};
    switch (a->type) {
    case RSS_STORAGE_SET:
        return storage_call_set(&s, a->uid, a->length, a->data, a->flags);
    case RSS_STORAGE_GET:
        return storage_call_get(&s, a->uid, a->offset, a->length, a->buffer, a->data_length);
    case RSS_STORAGE_GET_INFO:
        return storage_call_get_info(&s, a->uid, a->info);
    case RSS_STORAGE_REMOVE:
        return storage_call_remove(&s, a->uid);
    case RSS_PS_CREATE:
        return storage_call_create(&s, a->uid, a->length, a->flags);
    case RSS_PS_SET_EXTENDED:
        return storage_call_set_extended(&s, a->uid, a->offset, a->length, a->data);
    case RSS_PS_GET_SUPPORT_RSSD:
        return storage_call_get_support_status(&s, a->support);
    default:
        return PSA_ERROR_NOT_SUPPORTED;
    }
}

/* ---- service side ---------------------------------------------------------------------------- */

/* A fixed-size scalar vector: exactly n bytes (8 for a UID, 4 for the others). */
static bool arg_u64(const psa_invec *in, size_t in_len, size_t index, uint64_t *value)
{
    if (index >= in_len || in[index].len != 8) {
        return false;
    }
    wire_reader_t r;
    wire_reader_init(&r, in[index].base, in[index].len);
    return wire_get_u64(&r, value);
}

static bool arg_u32(const psa_invec *in, size_t in_len, size_t index, uint32_t *value)
{
    if (index >= in_len || in[index].len != 4) {
        return false;
    }
    wire_reader_t r;
    wire_reader_init(&r, in[index].base, in[index].len);
    return wire_get_u32(&r, value);
}

psa_status_t storage_call_unmarshal(psa_handle_t service, int32_t type, const psa_invec *in,
                                    size_t in_len, psa_outvec *out, size_t out_len,
                                    storage_args_t *a, storage_results_t *results)
{
    *results = (storage_results_t){0};
    *a = (storage_args_t){.type = type,
                          .service = service,
                          .data_length = &results->data_length,
                          .info = &results->info,
                          .support = &results->support};
    bool ps = service == RSS_HANDLE_PS;
    uint64_t uid = 0;
    uint32_t v1 = 0, v2 = 0;
    bool ok;
    switch (type) {
    case RSS_STORAGE_SET:
        ok = in_len >= 3 && arg_u64(in, in_len, 0, &uid) && arg_u32(in, in_len, 2, &v2);
        a->data = in_len >= 2 ? in[1].base : NULL;
        a->length = in_len >= 2 ? in[1].len : 0;
        a->flags = v2;
        break;
    case RSS_STORAGE_GET:
        ok = out_len >= 1 && arg_u64(in, in_len, 0, &uid) && arg_u32(in, in_len, 1, &v1);
        a->offset = v1;
        a->buffer = out_len >= 1 ? out[0].base : NULL;
        a->length = out_len >= 1 ? out[0].len : 0;
        break;
    case RSS_STORAGE_GET_INFO:
        ok = out_len >= 1 && out[0].len == 12 && arg_u64(in, in_len, 0, &uid);
        break;
    case RSS_STORAGE_REMOVE:
        ok = arg_u64(in, in_len, 0, &uid);
        break;
    case RSS_PS_CREATE:
        if (!ps) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        ok = arg_u64(in, in_len, 0, &uid) && arg_u32(in, in_len, 1, &v1) &&
             arg_u32(in, in_len, 2, &v2);
        a->length = v1;
        a->flags = v2;
        break;
    case RSS_PS_SET_EXTENDED:
        if (!ps) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        ok = in_len >= 3 && arg_u64(in, in_len, 0, &uid) && arg_u32(in, in_len, 1, &v1);
        a->offset = v1;
        a->data = in_len >= 3 ? in[2].base : NULL;
        a->length = in_len >= 3 ? in[2].len : 0;
        break;
    case RSS_PS_GET_SUPPORT:
    case RSS_PS_GET_SUPPORT_RSSD:
        /* Any input is ignored (TF-M's client sends none, Trusted Services a dummy vector). */
        if (!ps) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        ok = out_len >= 1 && out[0].len == 4;
        break;
    default:
        /* TF-M's ITS answers an unknown type NOT_SUPPORTED, its PS PROGRAMMER_ERROR. */
        return ps ? PSA_ERROR_PROGRAMMER_ERROR : PSA_ERROR_NOT_SUPPORTED;
    }
    a->uid = uid;
    return ok ? PSA_SUCCESS : PSA_ERROR_PROGRAMMER_ERROR;
}

void storage_call_reply(const storage_args_t *a, const storage_results_t *results,
                        psa_status_t status, psa_outvec *out, size_t out_len)
{
    for (size_t i = 1; i < out_len; i++) {
        out[i].len = 0;
    }
    size_t length = 0;
    if (status == PSA_SUCCESS && out_len >= 1) {
        switch (a->type) {
        case RSS_STORAGE_GET:
            length = results->data_length <= out[0].len ? results->data_length : 0;
            break;
        case RSS_STORAGE_GET_INFO:
            /* Sizes are 32-bit on the wire (sheet §9); the engines never exceed that. */
            wire_store_u32(out[0].base, (uint32_t)results->info.capacity);
            wire_store_u32((uint8_t *)out[0].base + 4, (uint32_t)results->info.size);
            wire_store_u32((uint8_t *)out[0].base + 8, results->info.flags);
            length = 12;
            break;
        case RSS_PS_GET_SUPPORT:
        case RSS_PS_GET_SUPPORT_RSSD:
            wire_store_u32(out[0].base, results->support);
            length = 4;
            break;
        default:
            break;
        }
    }
    if (out_len >= 1) {
        out[0].len = length;
    }
}
