/* The PS service: TF-M's PS message types and vectors (plus create and set_extended) on the PS engine. */
#include "enclave/enclave.h"
#include "enclave/storage_args.h"

#include "comms/wire.h"

static void clear_outputs(psa_outvec *out, size_t out_len)
{
    for (size_t i = 0; i < out_len; i++) {
        out[i].len = 0;
    }
}

static psa_status_t ps_call(const enclave_caller_t *caller, int32_t type, const psa_invec *in,
                            size_t in_len, psa_outvec *out, size_t out_len)
{
    ps_store_t *ps = enclave_ps_store();
    psa_storage_uid_t uid = 0;
    uint32_t value = 0, flags = 0;
    psa_status_t status;

    switch (type) {
    case ENCLAVE_STORAGE_SET:
        clear_outputs(out, out_len);
        if (in_len < 3 || !storage_arg_uid(in, in_len, 0, &uid) ||
            !storage_arg_u32(in, in_len, 2, &flags)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        return ps_store_set(ps, caller->client_id, uid, in[1].len, in[1].base, flags);
    case ENCLAVE_STORAGE_GET: {
        if (out_len < 1 || !storage_arg_uid(in, in_len, 0, &uid) ||
            !storage_arg_u32(in, in_len, 1, &value)) {
            clear_outputs(out, out_len);
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        size_t got = 0;
        status = ps_store_get(ps, caller->client_id, uid, value, out[0].len, out[0].base, &got);
        clear_outputs(out, out_len);
        if (status == PSA_SUCCESS) {
            out[0].len = got;
        }
        return status;
    }
    case ENCLAVE_STORAGE_GET_INFO: {
        if (out_len < 1 || out[0].len != 12 || !storage_arg_uid(in, in_len, 0, &uid)) {
            clear_outputs(out, out_len);
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        struct psa_storage_info_t info = {0};
        status = ps_store_get_info(ps, caller->client_id, uid, &info);
        if (status != PSA_SUCCESS) {
            clear_outputs(out, out_len);
            return status;
        }
        storage_put_info(out, out_len, &info);
        return PSA_SUCCESS;
    }
    case ENCLAVE_STORAGE_REMOVE:
        clear_outputs(out, out_len);
        if (!storage_arg_uid(in, in_len, 0, &uid)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        return ps_store_remove(ps, caller->client_id, uid);
    case ENCLAVE_PS_GET_SUPPORT: {
        /* TF-M's client sends no input, Trusted Services a dummy 4-byte one: both are fine. */
        if (out_len < 1 || out[0].len != 4) {
            clear_outputs(out, out_len);
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        wire_writer_t w;
        wire_writer_init(&w, out[0].base, out[0].len);
        wire_put_u32(&w, ps_store_get_support(ps));
        out[0].len = wire_writer_length(&w);
        return PSA_SUCCESS;
    }
    case ENCLAVE_PS_CREATE:
        clear_outputs(out, out_len);
        if (!storage_arg_uid(in, in_len, 0, &uid) || !storage_arg_u32(in, in_len, 1, &value) ||
            !storage_arg_u32(in, in_len, 2, &flags)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        return ps_store_create(ps, caller->client_id, uid, value, flags);
    case ENCLAVE_PS_SET_EXTENDED:
        clear_outputs(out, out_len);
        if (in_len < 3 || !storage_arg_uid(in, in_len, 0, &uid) ||
            !storage_arg_u32(in, in_len, 1, &value)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        return ps_store_set_extended(ps, caller->client_id, uid, value, in[2].len, in[2].base);
    default:
        clear_outputs(out, out_len);
        /* TF-M's PS treats an unknown type as a programming error (ITS differs). */
        return PSA_ERROR_PROGRAMMER_ERROR;
    }
}

const enclave_service_t enclave_ps_service = {
    .name = "ps",
    .sid = ENCLAVE_SID_PS,
    .handle = ENCLAVE_HANDLE_PS,
    .version = 1,
    .call = ps_call,
    .release_session = NULL,
};
