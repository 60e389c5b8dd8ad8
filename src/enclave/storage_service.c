/* rssd's ITS and PS services: each RSS comms call becomes a storage record (TF-M's vector layouts,
 * comms/storage_calls.h) for the one storage dispatcher, partitioned by the caller's client id. */
#include "enclave/enclave.h"

#include "storage/storage_dispatch.h"

static psa_status_t storage_service_call(psa_handle_t service, const enclave_caller_t *caller,
                                         int32_t type, const psa_invec *in, size_t in_len,
                                         psa_outvec *out, size_t out_len)
{
    storage_args_t a;
    storage_results_t results;
    psa_status_t status =
        storage_call_unmarshal(service, type, in, in_len, out, out_len, &a, &results);
    if (status == PSA_SUCCESS) {
        status = storage_dispatch(enclave_its_store(), enclave_ps_store(), caller->client_id, &a);
    }
    storage_call_reply(&a, &results, status, out, out_len);
    return status;
}

static psa_status_t its_call(const enclave_caller_t *caller, int32_t type, const psa_invec *in,
                             size_t in_len, psa_outvec *out, size_t out_len)
{
    return storage_service_call(RSS_HANDLE_ITS, caller, type, in, in_len, out, out_len);
}

static psa_status_t ps_call(const enclave_caller_t *caller, int32_t type, const psa_invec *in,
                            size_t in_len, psa_outvec *out, size_t out_len)
{
    return storage_service_call(RSS_HANDLE_PS, caller, type, in, in_len, out, out_len);
}

const enclave_service_t enclave_its_service = {
    .name = "its",
    .sid = ENCLAVE_SID_ITS,
    .handle = RSS_HANDLE_ITS,
    .version = 1,
    .call = its_call,
    .release_session = NULL,
};

const enclave_service_t enclave_ps_service = {
    .name = "ps",
    .sid = ENCLAVE_SID_PS,
    .handle = RSS_HANDLE_PS,
    .version = 1,
    .call = ps_call,
    .release_session = NULL,
};
