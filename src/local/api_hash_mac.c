/* libpsa-local: the hash and MAC calls, dispatched to the in-process crypto core. */
#include "local_api.h"

psa_status_t psa_hash_compute(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                              uint8_t *hash, size_t hash_size, size_t *hash_length)
{
    *hash_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(hash, hash_size);
    LOCAL_REQUIRE_INIT();
    return core_hash_compute(alg, input, input_length, hash, hash_size, hash_length);
}

psa_status_t psa_hash_compare(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                              const uint8_t *hash, size_t hash_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(hash, hash_length);
    LOCAL_REQUIRE_INIT();
    return core_hash_compare(alg, input, input_length, hash, hash_length);
}

psa_status_t psa_hash_setup(psa_hash_operation_t *operation, psa_algorithm_t alg)
{
    LOCAL_REQUIRE_INIT();
    return core_hash_setup(operation, alg);
}

psa_status_t psa_hash_update(psa_hash_operation_t *operation, const uint8_t *input,
                             size_t input_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    LOCAL_REQUIRE_INIT();
    return core_hash_update(operation, input, input_length);
}

psa_status_t psa_hash_finish(psa_hash_operation_t *operation, uint8_t *hash, size_t hash_size,
                             size_t *hash_length)
{
    *hash_length = 0;
    CORE_REQUIRE_BUFFER(hash, hash_size);
    LOCAL_REQUIRE_INIT();
    return core_hash_finish(operation, hash, hash_size, hash_length);
}

psa_status_t psa_hash_verify(psa_hash_operation_t *operation, const uint8_t *hash,
                             size_t hash_length)
{
    CORE_REQUIRE_BUFFER(hash, hash_length);
    LOCAL_REQUIRE_INIT();
    return core_hash_verify(operation, hash, hash_length);
}

psa_status_t psa_hash_abort(psa_hash_operation_t *operation)
{
    LOCAL_REQUIRE_INIT();
    return core_hash_abort(operation);
}

psa_status_t psa_hash_clone(const psa_hash_operation_t *source_operation,
                            psa_hash_operation_t *target_operation)
{
    LOCAL_REQUIRE_INIT();
    return core_hash_clone(source_operation, target_operation);
}

psa_status_t psa_hash_suspend(psa_hash_operation_t *operation, uint8_t *hash_state,
                              size_t hash_state_size, size_t *hash_state_length)
{
    *hash_state_length = 0;
    CORE_REQUIRE_BUFFER(hash_state, hash_state_size);
    LOCAL_REQUIRE_INIT();
    return core_hash_suspend(operation, hash_state, hash_state_size, hash_state_length);
}

psa_status_t psa_hash_resume(psa_hash_operation_t *operation, const uint8_t *hash_state,
                             size_t hash_state_length)
{
    CORE_REQUIRE_BUFFER(hash_state, hash_state_length);
    LOCAL_REQUIRE_INIT();
    return core_hash_resume(operation, hash_state, hash_state_length);
}

psa_status_t psa_mac_compute(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                             size_t input_length, uint8_t *mac, size_t mac_size, size_t *mac_length)
{
    *mac_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(mac, mac_size);
    LOCAL_REQUIRE_INIT();
    return core_mac_compute(&psa_local_caller, key, alg, input, input_length, mac, mac_size,
                            mac_length);
}

psa_status_t psa_mac_verify(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                            size_t input_length, const uint8_t *mac, size_t mac_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(mac, mac_length);
    LOCAL_REQUIRE_INIT();
    return core_mac_verify(&psa_local_caller, key, alg, input, input_length, mac, mac_length);
}

psa_status_t psa_mac_sign_setup(psa_mac_operation_t *operation, psa_key_id_t key,
                                psa_algorithm_t alg)
{
    LOCAL_REQUIRE_INIT();
    return core_mac_sign_setup(&psa_local_caller, operation, key, alg);
}

psa_status_t psa_mac_verify_setup(psa_mac_operation_t *operation, psa_key_id_t key,
                                  psa_algorithm_t alg)
{
    LOCAL_REQUIRE_INIT();
    return core_mac_verify_setup(&psa_local_caller, operation, key, alg);
}

psa_status_t psa_mac_update(psa_mac_operation_t *operation, const uint8_t *input,
                            size_t input_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    LOCAL_REQUIRE_INIT();
    return core_mac_update(operation, input, input_length);
}

psa_status_t psa_mac_sign_finish(psa_mac_operation_t *operation, uint8_t *mac, size_t mac_size,
                                 size_t *mac_length)
{
    *mac_length = 0;
    CORE_REQUIRE_BUFFER(mac, mac_size);
    LOCAL_REQUIRE_INIT();
    return core_mac_sign_finish(operation, mac, mac_size, mac_length);
}

psa_status_t psa_mac_verify_finish(psa_mac_operation_t *operation, const uint8_t *mac,
                                   size_t mac_length)
{
    CORE_REQUIRE_BUFFER(mac, mac_length);
    LOCAL_REQUIRE_INIT();
    return core_mac_verify_finish(operation, mac, mac_length);
}

psa_status_t psa_mac_abort(psa_mac_operation_t *operation)
{
    LOCAL_REQUIRE_INIT();
    return core_mac_abort(operation);
}
