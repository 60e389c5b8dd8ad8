/* libpsa-local: the PAKE calls. */
#include "local_api.h"

psa_status_t psa_pake_setup(psa_pake_operation_t *operation, psa_key_id_t password_key,
                            const psa_pake_cipher_suite_t *cipher_suite)
{
    LOCAL_REQUIRE_INIT();
    return core_pake_setup(&psa_local_caller, operation, password_key, cipher_suite);
}

psa_status_t psa_pake_set_role(psa_pake_operation_t *operation, psa_pake_role_t role)
{
    LOCAL_REQUIRE_INIT();
    return core_pake_set_role(operation, role);
}

psa_status_t psa_pake_set_user(psa_pake_operation_t *operation, const uint8_t *user_id,
                               size_t user_id_len)
{
    CORE_REQUIRE_BUFFER(user_id, user_id_len);
    LOCAL_REQUIRE_INIT();
    return core_pake_set_user(operation, user_id, user_id_len);
}

psa_status_t psa_pake_set_peer(psa_pake_operation_t *operation, const uint8_t *peer_id,
                               size_t peer_id_len)
{
    CORE_REQUIRE_BUFFER(peer_id, peer_id_len);
    LOCAL_REQUIRE_INIT();
    return core_pake_set_peer(operation, peer_id, peer_id_len);
}

psa_status_t psa_pake_set_context(psa_pake_operation_t *operation, const uint8_t *context,
                                  size_t context_len)
{
    CORE_REQUIRE_BUFFER(context, context_len);
    LOCAL_REQUIRE_INIT();
    return core_pake_set_context(operation, context, context_len);
}

psa_status_t psa_pake_output(psa_pake_operation_t *operation, psa_pake_step_t step,
                             uint8_t *output, size_t output_size, size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_pake_output(operation, step, output, output_size, output_length);
}

psa_status_t psa_pake_input(psa_pake_operation_t *operation, psa_pake_step_t step,
                            const uint8_t *input, size_t input_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    LOCAL_REQUIRE_INIT();
    return core_pake_input(operation, step, input, input_length);
}

psa_status_t psa_pake_get_shared_key(psa_pake_operation_t *operation,
                                     const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    LOCAL_REQUIRE_INIT();
    return core_pake_get_shared_key(&psa_local_caller, operation, attributes, key);
}

psa_status_t psa_pake_abort(psa_pake_operation_t *operation)
{
    LOCAL_REQUIRE_INIT();
    return core_pake_abort(operation);
}
