/* PAKE entry points: argument and policy checks; no PAKE algorithm is built in this version. */
#include "core.h"

#include <string.h>

psa_status_t core_pake_setup(const core_caller_t *caller, psa_pake_operation_t *operation,
                             psa_key_id_t password_key,
                             const psa_pake_cipher_suite_t *cipher_suite)
{
    if (operation->ctx != NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_algorithm_t alg = psa_pake_cs_get_algorithm(cipher_suite);
    if (!PSA_ALG_IS_PAKE(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(caller, password_key, PSA_KEY_USAGE_DERIVE, alg, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    core_key_release(key);
    return PSA_ERROR_NOT_SUPPORTED;
}

psa_status_t core_pake_inactive_call(const psa_pake_operation_t *operation)
{
    (void)operation;
    return PSA_ERROR_BAD_STATE;
}

psa_status_t core_pake_abort(psa_pake_operation_t *operation)
{
    memset(operation, 0, sizeof(*operation));
    return PSA_SUCCESS;
}
