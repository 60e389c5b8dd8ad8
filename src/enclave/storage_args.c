/* Argument parsing shared by the ITS and PS services, through the bounds-checked wire reader. */
#include "enclave/storage_args.h"

#include "base/wire.h"
#include "enclave/enclave.h"

bool storage_arg_uid(const psa_invec *in, size_t in_len, size_t index, psa_storage_uid_t *uid)
{
    if (index >= in_len || in[index].len != sizeof(uint64_t)) {
        return false;
    }
    wire_reader_t r;
    wire_reader_init(&r, in[index].base, in[index].len);
    uint64_t v = 0;
    if (!wire_get_u64(&r, &v)) {
        return false;
    }
    *uid = v;
    return true;
}

bool storage_arg_u32(const psa_invec *in, size_t in_len, size_t index, uint32_t *value)
{
    if (index >= in_len || in[index].len != sizeof(uint32_t)) {
        return false;
    }
    wire_reader_t r;
    wire_reader_init(&r, in[index].base, in[index].len);
    return wire_get_u32(&r, value);
}

bool storage_put_info(psa_outvec *out, size_t out_len, const struct psa_storage_info_t *info)
{
    if (out_len < 1 || out[0].len != 12) {
        return false;
    }
    wire_writer_t w;
    wire_writer_init(&w, out[0].base, out[0].len);
    /* Sizes are 32-bit on the wire (sheet §9); the engines never exceed that. */
    wire_put_u32(&w, (uint32_t)info->capacity);
    wire_put_u32(&w, (uint32_t)info->size);
    wire_put_u32(&w, info->flags);
    if (!wire_writer_ok(&w)) {
        return false;
    }
    out[0].len = wire_writer_length(&w);
    return true;
}

void storage_clear_outputs(psa_outvec *out, size_t out_len)
{
    for (size_t i = 0; i < out_len; i++) {
        out[i].len = 0;
    }
}

/* Each call checks its vectors exactly as TF-M's services do: a wrong shape is
 * PSA_ERROR_PROGRAMMER_ERROR, and only a successful GET or GET_INFO returns bytes. */
static psa_status_t storage_set(const storage_engine_t *e, const enclave_caller_t *caller,
                                const psa_invec *in, size_t in_len)
{
    psa_storage_uid_t uid = 0;
    uint32_t flags = 0;
    if (in_len < 3 || !storage_arg_uid(in, in_len, 0, &uid) ||
        !storage_arg_u32(in, in_len, 2, &flags)) {
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    return e->set(e->store, caller->client_id, uid, in[1].len, in[1].base, flags);
}

static psa_status_t storage_get(const storage_engine_t *e, const enclave_caller_t *caller,
                                const psa_invec *in, size_t in_len, psa_outvec *out,
                                size_t out_len)
{
    psa_storage_uid_t uid = 0;
    uint32_t offset = 0;
    if (out_len < 1 || !storage_arg_uid(in, in_len, 0, &uid) ||
        !storage_arg_u32(in, in_len, 1, &offset)) {
        storage_clear_outputs(out, out_len);
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
    size_t got = 0;
    psa_status_t status =
        e->get(e->store, caller->client_id, uid, offset, out[0].len, out[0].base, &got);
    storage_clear_outputs(out, out_len);
    if (status == PSA_SUCCESS) {
        out[0].len = got;
    }
    return status;
}

static psa_status_t storage_get_info(const storage_engine_t *e, const enclave_caller_t *caller,
                                     const psa_invec *in, size_t in_len, psa_outvec *out,
                                     size_t out_len)
{
    psa_storage_uid_t uid = 0;
    struct psa_storage_info_t info = {0};
    psa_status_t status = PSA_ERROR_PROGRAMMER_ERROR;
    if (out_len >= 1 && out[0].len == 12 && storage_arg_uid(in, in_len, 0, &uid)) {
        status = e->get_info(e->store, caller->client_id, uid, &info);
    }
    if (status != PSA_SUCCESS) {
        storage_clear_outputs(out, out_len);
        return status;
    }
    storage_put_info(out, out_len, &info);
    return PSA_SUCCESS;
}

bool storage_serve_common(const storage_engine_t *engine, const enclave_caller_t *caller,
                          int32_t type, const psa_invec *in, size_t in_len, psa_outvec *out,
                          size_t out_len, psa_status_t *status)
{
    psa_storage_uid_t uid = 0;
    switch (type) {
    case RSS_STORAGE_SET:
        storage_clear_outputs(out, out_len);
        *status = storage_set(engine, caller, in, in_len);
        return true;
    case RSS_STORAGE_GET:
        *status = storage_get(engine, caller, in, in_len, out, out_len);
        return true;
    case RSS_STORAGE_GET_INFO:
        *status = storage_get_info(engine, caller, in, in_len, out, out_len);
        return true;
    case RSS_STORAGE_REMOVE:
        storage_clear_outputs(out, out_len);
        *status = storage_arg_uid(in, in_len, 0, &uid)
                      ? engine->remove(engine->store, caller->client_id, uid)
                      : PSA_ERROR_PROGRAMMER_ERROR;
        return true;
    default:
        return false;
    }
}
