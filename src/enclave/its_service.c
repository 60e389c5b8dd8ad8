/* The ITS service: TF-M's ITS message types and vectors on the ITS engine, partitioned by client id. */
#include "enclave/enclave.h"
#include "enclave/storage_args.h"

static void clear_outputs(psa_outvec *out, size_t out_len)
{
    for (size_t i = 0; i < out_len; i++) {
        out[i].len = 0;
    }
}

static psa_status_t its_call(const enclave_caller_t *caller, int32_t type, const psa_invec *in,
                             size_t in_len, psa_outvec *out, size_t out_len)
{
    its_store_t *its = enclave_its_store();
    psa_storage_uid_t uid = 0;
    uint32_t value = 0;
    psa_status_t status;

    switch (type) {
    case ENCLAVE_STORAGE_SET:
        clear_outputs(out, out_len);
        if (in_len < 3 || !storage_arg_uid(in, in_len, 0, &uid) ||
            !storage_arg_u32(in, in_len, 2, &value)) {
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        return its_store_set(its, caller->client_id, uid, in[1].len, in[1].base, value);
    case ENCLAVE_STORAGE_GET: {
        if (out_len < 1 || !storage_arg_uid(in, in_len, 0, &uid) ||
            !storage_arg_u32(in, in_len, 1, &value)) {
            clear_outputs(out, out_len);
            return PSA_ERROR_PROGRAMMER_ERROR;
        }
        size_t got = 0;
        status = its_store_get(its, caller->client_id, uid, value, out[0].len, out[0].base, &got);
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
        status = its_store_get_info(its, caller->client_id, uid, &info);
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
        return its_store_remove(its, caller->client_id, uid);
    default:
        clear_outputs(out, out_len);
        /* TF-M's ITS answers an unknown type with NOT_SUPPORTED (PS differs). */
        return PSA_ERROR_NOT_SUPPORTED;
    }
}

const enclave_service_t enclave_its_service = {
    .name = "its",
    .sid = ENCLAVE_SID_ITS,
    .handle = ENCLAVE_HANDLE_ITS,
    .version = 1,
    .call = its_call,
    .release_session = NULL,
};
