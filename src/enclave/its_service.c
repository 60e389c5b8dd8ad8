/* The ITS service: TF-M's ITS message types and vectors on the ITS engine, partitioned by client id. */
#include "enclave/enclave.h"
#include "enclave/storage_args.h"

/* The ITS engine through the shared storage calls (storage_args.h). */
static psa_status_t its_engine_set(void *store, int32_t owner, psa_storage_uid_t uid,
                                   size_t length, const void *data,
                                   psa_storage_create_flags_t flags)
{
    return its_store_set(store, owner, uid, length, data, flags);
}

static psa_status_t its_engine_get(void *store, int32_t owner, psa_storage_uid_t uid,
                                   size_t offset, size_t length, void *data, size_t *data_length)
{
    return its_store_get(store, owner, uid, offset, length, data, data_length);
}

static psa_status_t its_engine_get_info(void *store, int32_t owner, psa_storage_uid_t uid,
                                        struct psa_storage_info_t *info)
{
    return its_store_get_info(store, owner, uid, info);
}

static psa_status_t its_engine_remove(void *store, int32_t owner, psa_storage_uid_t uid)
{
    return its_store_remove(store, owner, uid);
}

static psa_status_t its_call(const enclave_caller_t *caller, int32_t type, const psa_invec *in,
                             size_t in_len, psa_outvec *out, size_t out_len)
{
    const storage_engine_t engine = {enclave_its_store(), its_engine_set, its_engine_get,
                                     its_engine_get_info, its_engine_remove};
    psa_status_t status;
    if (storage_serve_common(&engine, caller, type, in, in_len, out, out_len, &status)) {
        return status;
    }
    storage_clear_outputs(out, out_len);
    /* TF-M's ITS answers an unknown type with NOT_SUPPORTED (PS differs). */
    return PSA_ERROR_NOT_SUPPORTED;
}

const enclave_service_t enclave_its_service = {
    .name = "its",
    .sid = ENCLAVE_SID_ITS,
    .handle = RSS_HANDLE_ITS,
    .version = 1,
    .call = its_call,
    .release_session = NULL,
};
