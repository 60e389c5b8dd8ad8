/* libpsa-local's backend: every argument record runs on the in-process core. */
#include "api/crypto_front.h"
#include "crypto/dispatch.h"
#include "local_client.h"

#include <ss/psa_keys.h>

/* Every in-process call acts as this caller: one owner, one session. */
static const core_caller_t psa_local_caller = {.owner = PSA_LOCAL_CLIENT_ID, .session = 0};

psa_status_t psa_crypto_init(void)
{
    core_key_storage_t *storage = NULL;
    psa_status_t status = psa_local_storage_key_backend(&storage);
    if (status != PSA_SUCCESS) {
        return status;
    }
    core_config_t config = {
        .storage = storage,
        .volatile_id_min = CORE_LOCAL_VOLATILE_ID_MIN,
        .volatile_id_max = CORE_LOCAL_VOLATILE_ID_MAX,
    };
    return core_crypto_init(&config);
}

psa_status_t crypto_backend_call(crypto_args_t *a)
{
    /* The specification requires psa_crypto_init() before any other crypto call. */
    if (!core_is_initialised()) {
        return PSA_ERROR_BAD_STATE;
    }
    return crypto_dispatch(&psa_local_caller, a);
}
