/* Asymmetric signature, encryption and key agreement entry points: argument and policy checks. */
#include "core.h"

/*
 * The asymmetric key types arrive with part 2 of the core. Until then no asymmetric key can exist,
 * so every call either fails its argument or policy checks exactly as the specification says, or
 * reaches a key of a type that cannot do the operation (INVALID_ARGUMENT).
 */
static psa_status_t asym_check(const core_caller_t *caller, psa_key_id_t id, psa_key_usage_t usage,
                               psa_algorithm_t alg)
{
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(caller, id, usage, alg, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = PSA_KEY_TYPE_IS_ASYMMETRIC(key->attr.type) ? PSA_ERROR_NOT_SUPPORTED
                                                        : PSA_ERROR_INVALID_ARGUMENT;
    core_key_release(key);
    return status;
}

psa_status_t core_sign_message(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                               const uint8_t *input, size_t input_length, uint8_t *signature,
                               size_t signature_size, size_t *signature_length)
{
    (void)input;
    (void)input_length;
    (void)signature;
    (void)signature_size;
    *signature_length = 0;
    if (!PSA_ALG_IS_SIGN_MESSAGE(alg) || PSA_ALG_IS_WILDCARD(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return asym_check(caller, key, PSA_KEY_USAGE_SIGN_MESSAGE, alg);
}

psa_status_t core_verify_message(const core_caller_t *caller, psa_key_id_t key,
                                 psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                                 const uint8_t *signature, size_t signature_length)
{
    (void)input;
    (void)input_length;
    (void)signature;
    (void)signature_length;
    if (!PSA_ALG_IS_SIGN_MESSAGE(alg) || PSA_ALG_IS_WILDCARD(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return asym_check(caller, key, PSA_KEY_USAGE_VERIFY_MESSAGE, alg);
}

psa_status_t core_sign_hash(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                            const uint8_t *hash, size_t hash_length, uint8_t *signature,
                            size_t signature_size, size_t *signature_length)
{
    (void)hash;
    (void)hash_length;
    (void)signature;
    (void)signature_size;
    *signature_length = 0;
    if (!PSA_ALG_IS_SIGN_HASH(alg) || PSA_ALG_IS_WILDCARD(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return asym_check(caller, key, PSA_KEY_USAGE_SIGN_HASH, alg);
}

psa_status_t core_verify_hash(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                              const uint8_t *hash, size_t hash_length, const uint8_t *signature,
                              size_t signature_length)
{
    (void)hash;
    (void)hash_length;
    (void)signature;
    (void)signature_length;
    if (!PSA_ALG_IS_SIGN_HASH(alg) || PSA_ALG_IS_WILDCARD(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return asym_check(caller, key, PSA_KEY_USAGE_VERIFY_HASH, alg);
}

psa_status_t core_asymmetric_encrypt(const core_caller_t *caller, psa_key_id_t key,
                                     psa_algorithm_t alg, const uint8_t *input,
                                     size_t input_length, const uint8_t *salt, size_t salt_length,
                                     uint8_t *output, size_t output_size, size_t *output_length)
{
    (void)input;
    (void)input_length;
    (void)salt;
    (void)salt_length;
    (void)output;
    (void)output_size;
    *output_length = 0;
    if (!PSA_ALG_IS_ASYMMETRIC_ENCRYPTION(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return asym_check(caller, key, PSA_KEY_USAGE_ENCRYPT, alg);
}

psa_status_t core_asymmetric_decrypt(const core_caller_t *caller, psa_key_id_t key,
                                     psa_algorithm_t alg, const uint8_t *input,
                                     size_t input_length, const uint8_t *salt, size_t salt_length,
                                     uint8_t *output, size_t output_size, size_t *output_length)
{
    (void)input;
    (void)input_length;
    (void)salt;
    (void)salt_length;
    (void)output;
    (void)output_size;
    *output_length = 0;
    if (!PSA_ALG_IS_ASYMMETRIC_ENCRYPTION(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return asym_check(caller, key, PSA_KEY_USAGE_DECRYPT, alg);
}

psa_status_t core_raw_key_agreement(const core_caller_t *caller, psa_algorithm_t alg,
                                    psa_key_id_t private_key, const uint8_t *peer_key,
                                    size_t peer_key_length, uint8_t *output, size_t output_size,
                                    size_t *output_length)
{
    (void)peer_key;
    (void)peer_key_length;
    (void)output;
    (void)output_size;
    *output_length = 0;
    if (!PSA_ALG_IS_RAW_KEY_AGREEMENT(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return asym_check(caller, private_key, PSA_KEY_USAGE_DERIVE, alg);
}

psa_status_t core_key_agreement(const core_caller_t *caller, psa_key_id_t private_key,
                                const uint8_t *peer_key, size_t peer_key_length,
                                psa_algorithm_t alg, const psa_key_attributes_t *attributes,
                                psa_key_id_t *key)
{
    (void)peer_key;
    (void)peer_key_length;
    (void)attributes;
    *key = PSA_KEY_ID_NULL;
    if (!PSA_ALG_IS_RAW_KEY_AGREEMENT(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return asym_check(caller, private_key, PSA_KEY_USAGE_DERIVE, alg);
}
