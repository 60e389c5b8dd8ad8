/* libpsa-local: the psa_key_derivation_* functions, dispatched to the in-process crypto core. */
#include "local_api.h"

psa_status_t psa_key_derivation_setup(psa_key_derivation_operation_t *operation,
                                      psa_algorithm_t alg)
{
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_setup(operation, alg);
}

psa_status_t psa_key_derivation_get_capacity(const psa_key_derivation_operation_t *operation,
                                             size_t *capacity)
{
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_get_capacity(operation, capacity);
}

psa_status_t psa_key_derivation_set_capacity(psa_key_derivation_operation_t *operation,
                                             size_t capacity)
{
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_set_capacity(operation, capacity);
}

psa_status_t psa_key_derivation_input_bytes(psa_key_derivation_operation_t *operation,
                                            psa_key_derivation_step_t step, const uint8_t *data,
                                            size_t data_length)
{
    CORE_REQUIRE_BUFFER(data, data_length);
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_input_bytes(operation, step, data, data_length);
}

psa_status_t psa_key_derivation_input_integer(psa_key_derivation_operation_t *operation,
                                              psa_key_derivation_step_t step, uint64_t value)
{
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_input_integer(operation, step, value);
}

psa_status_t psa_key_derivation_input_key(psa_key_derivation_operation_t *operation,
                                          psa_key_derivation_step_t step, psa_key_id_t key)
{
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_input_key(&psa_local_caller, operation, step, key);
}

psa_status_t psa_key_derivation_key_agreement(psa_key_derivation_operation_t *operation,
                                              psa_key_derivation_step_t step,
                                              psa_key_id_t private_key, const uint8_t *peer_key,
                                              size_t peer_key_length)
{
    CORE_REQUIRE_BUFFER(peer_key, peer_key_length);
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_key_agreement(&psa_local_caller, operation, step, private_key,
                                             peer_key, peer_key_length);
}

psa_status_t psa_key_derivation_output_bytes(psa_key_derivation_operation_t *operation,
                                             uint8_t *output, size_t output_length)
{
    CORE_REQUIRE_BUFFER(output, output_length);
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_output_bytes(operation, output, output_length);
}

psa_status_t psa_key_derivation_output_key(const psa_key_attributes_t *attributes,
                                           psa_key_derivation_operation_t *operation,
                                           psa_key_id_t *key)
{
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_output_key(&psa_local_caller, attributes, operation, key);
}

psa_status_t psa_key_derivation_verify_bytes(psa_key_derivation_operation_t *operation,
                                             const uint8_t *expected_output, size_t output_length)
{
    CORE_REQUIRE_BUFFER(expected_output, output_length);
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_verify_bytes(operation, expected_output, output_length);
}

psa_status_t psa_key_derivation_verify_key(psa_key_derivation_operation_t *operation,
                                           psa_key_id_t expected)
{
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_verify_key(&psa_local_caller, operation, expected);
}

psa_status_t psa_key_derivation_abort(psa_key_derivation_operation_t *operation)
{
    LOCAL_REQUIRE_INIT();
    return core_key_derivation_abort(operation);
}
