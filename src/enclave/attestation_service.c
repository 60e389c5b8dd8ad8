/* Initial attestation service placeholder: the handle exists, every call answers NOT_SUPPORTED. */
#include "enclave/enclave.h"

static psa_status_t attestation_call(const enclave_caller_t *caller, int32_t type,
                                     const psa_invec *in, size_t in_len, psa_outvec *out,
                                     size_t out_len)
{
    (void)caller, (void)type, (void)in, (void)in_len;
    for (size_t i = 0; i < out_len; i++) {
        out[i].len = 0;
    }
    return PSA_ERROR_NOT_SUPPORTED;
}

const enclave_service_t enclave_attestation_service = {
    .name = "attestation",
    .sid = ENCLAVE_SID_ATTESTATION,
    .handle = RSS_HANDLE_ATTESTATION,
    .version = 1,
    .call = attestation_call,
    .release_session = NULL,
};
