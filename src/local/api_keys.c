/* libpsa-local: library initialisation, random numbers, key management and asymmetric calls. */
#include "local_api.h"
#include "local_client.h"

#include <string.h>

#include <ss/psa_keys.h>

const core_caller_t psa_local_caller = {.owner = PSA_LOCAL_CLIENT_ID, .session = 0};

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

psa_status_t psa_generate_random(uint8_t *output, size_t output_size)
{
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_generate_random(output, output_size);
}

psa_status_t psa_get_key_attributes(psa_key_id_t key, psa_key_attributes_t *attributes)
{
    if (!core_is_initialised()) {
        memset(attributes, 0, sizeof(*attributes));
        return PSA_ERROR_BAD_STATE;
    }
    return core_get_key_attributes(&psa_local_caller, key, attributes);
}

psa_status_t ss_list_keys(psa_key_id_t after, psa_key_id_t *ids, size_t max, size_t *count)
{
    *count = 0;
    LOCAL_REQUIRE_INIT();
    return core_list_keys(&psa_local_caller, after, ids, max, count);
}

void psa_reset_key_attributes(psa_key_attributes_t *attributes)
{
    memset(attributes, 0, sizeof(*attributes));
}

psa_status_t psa_import_key(const psa_key_attributes_t *attributes, const uint8_t *data,
                            size_t data_length, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    CORE_REQUIRE_BUFFER(data, data_length);
    LOCAL_REQUIRE_INIT();
    return core_import_key(&psa_local_caller, attributes, data, data_length, key);
}

psa_status_t psa_generate_key(const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    LOCAL_REQUIRE_INIT();
    return core_generate_key(&psa_local_caller, attributes, key);
}

psa_status_t psa_copy_key(psa_key_id_t source_key, const psa_key_attributes_t *attributes,
                          psa_key_id_t *target_key)
{
    *target_key = PSA_KEY_ID_NULL;
    LOCAL_REQUIRE_INIT();
    return core_copy_key(&psa_local_caller, source_key, attributes, target_key);
}

psa_status_t psa_destroy_key(psa_key_id_t key)
{
    LOCAL_REQUIRE_INIT();
    return core_destroy_key(&psa_local_caller, key);
}

psa_status_t psa_purge_key(psa_key_id_t key)
{
    LOCAL_REQUIRE_INIT();
    return core_purge_key(&psa_local_caller, key);
}

psa_status_t psa_export_key(psa_key_id_t key, uint8_t *data, size_t data_size, size_t *data_length)
{
    *data_length = 0;
    CORE_REQUIRE_BUFFER(data, data_size);
    LOCAL_REQUIRE_INIT();
    return core_export_key(&psa_local_caller, key, data, data_size, data_length);
}

psa_status_t psa_export_public_key(psa_key_id_t key, uint8_t *data, size_t data_size,
                                   size_t *data_length)
{
    *data_length = 0;
    CORE_REQUIRE_BUFFER(data, data_size);
    LOCAL_REQUIRE_INIT();
    return core_export_public_key(&psa_local_caller, key, data, data_size, data_length);
}

psa_status_t psa_sign_message(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                              size_t input_length, uint8_t *signature, size_t signature_size,
                              size_t *signature_length)
{
    *signature_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(signature, signature_size);
    LOCAL_REQUIRE_INIT();
    return core_sign_message(&psa_local_caller, key, alg, input, input_length, signature,
                             signature_size, signature_length);
}

psa_status_t psa_verify_message(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                size_t input_length, const uint8_t *signature,
                                size_t signature_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(signature, signature_length);
    LOCAL_REQUIRE_INIT();
    return core_verify_message(&psa_local_caller, key, alg, input, input_length, signature,
                               signature_length);
}

psa_status_t psa_sign_hash(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *hash,
                           size_t hash_length, uint8_t *signature, size_t signature_size,
                           size_t *signature_length)
{
    *signature_length = 0;
    CORE_REQUIRE_BUFFER(hash, hash_length);
    CORE_REQUIRE_BUFFER(signature, signature_size);
    LOCAL_REQUIRE_INIT();
    return core_sign_hash(&psa_local_caller, key, alg, hash, hash_length, signature, signature_size,
                          signature_length);
}

psa_status_t psa_verify_hash(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *hash,
                             size_t hash_length, const uint8_t *signature, size_t signature_length)
{
    CORE_REQUIRE_BUFFER(hash, hash_length);
    CORE_REQUIRE_BUFFER(signature, signature_length);
    LOCAL_REQUIRE_INIT();
    return core_verify_hash(&psa_local_caller, key, alg, hash, hash_length, signature,
                            signature_length);
}

psa_status_t psa_asymmetric_encrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                    size_t input_length, const uint8_t *salt, size_t salt_length,
                                    uint8_t *output, size_t output_size, size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(salt, salt_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_asymmetric_encrypt(&psa_local_caller, key, alg, input, input_length, salt,
                                   salt_length, output, output_size, output_length);
}

psa_status_t psa_asymmetric_decrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                    size_t input_length, const uint8_t *salt, size_t salt_length,
                                    uint8_t *output, size_t output_size, size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(salt, salt_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_asymmetric_decrypt(&psa_local_caller, key, alg, input, input_length, salt,
                                   salt_length, output, output_size, output_length);
}

psa_status_t psa_raw_key_agreement(psa_algorithm_t alg, psa_key_id_t private_key,
                                   const uint8_t *peer_key, size_t peer_key_length, uint8_t *output,
                                   size_t output_size, size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(peer_key, peer_key_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_raw_key_agreement(&psa_local_caller, alg, private_key, peer_key, peer_key_length,
                                  output, output_size, output_length);
}

psa_status_t psa_key_agreement(psa_key_id_t private_key, const uint8_t *peer_key,
                               size_t peer_key_length, psa_algorithm_t alg,
                               const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    CORE_REQUIRE_BUFFER(peer_key, peer_key_length);
    LOCAL_REQUIRE_INIT();
    return core_key_agreement(&psa_local_caller, private_key, peer_key, peer_key_length, alg,
                              attributes, key);
}
