/* libpsa-local: the unauthenticated cipher and AEAD calls, dispatched to the in-process core. */
#include "local_api.h"

psa_status_t psa_cipher_encrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                size_t input_length, uint8_t *output, size_t output_size,
                                size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_cipher_encrypt(&psa_local_caller, key, alg, input, input_length, output,
                               output_size, output_length);
}

psa_status_t psa_cipher_decrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                size_t input_length, uint8_t *output, size_t output_size,
                                size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_cipher_decrypt(&psa_local_caller, key, alg, input, input_length, output,
                               output_size, output_length);
}

psa_status_t psa_cipher_encrypt_setup(psa_cipher_operation_t *operation, psa_key_id_t key,
                                      psa_algorithm_t alg)
{
    LOCAL_REQUIRE_INIT();
    return core_cipher_encrypt_setup(&psa_local_caller, operation, key, alg);
}

psa_status_t psa_cipher_decrypt_setup(psa_cipher_operation_t *operation, psa_key_id_t key,
                                      psa_algorithm_t alg)
{
    LOCAL_REQUIRE_INIT();
    return core_cipher_decrypt_setup(&psa_local_caller, operation, key, alg);
}

psa_status_t psa_cipher_generate_iv(psa_cipher_operation_t *operation, uint8_t *iv, size_t iv_size,
                                    size_t *iv_length)
{
    *iv_length = 0;
    CORE_REQUIRE_BUFFER(iv, iv_size);
    LOCAL_REQUIRE_INIT();
    return core_cipher_generate_iv(operation, iv, iv_size, iv_length);
}

psa_status_t psa_cipher_set_iv(psa_cipher_operation_t *operation, const uint8_t *iv,
                               size_t iv_length)
{
    CORE_REQUIRE_BUFFER(iv, iv_length);
    LOCAL_REQUIRE_INIT();
    return core_cipher_set_iv(operation, iv, iv_length);
}

psa_status_t psa_cipher_update(psa_cipher_operation_t *operation, const uint8_t *input,
                               size_t input_length, uint8_t *output, size_t output_size,
                               size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_cipher_update(operation, input, input_length, output, output_size, output_length);
}

psa_status_t psa_cipher_finish(psa_cipher_operation_t *operation, uint8_t *output,
                               size_t output_size, size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_cipher_finish(operation, output, output_size, output_length);
}

psa_status_t psa_cipher_abort(psa_cipher_operation_t *operation)
{
    LOCAL_REQUIRE_INIT();
    return core_cipher_abort(operation);
}

psa_status_t psa_aead_encrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *nonce,
                              size_t nonce_length, const uint8_t *additional_data,
                              size_t additional_data_length, const uint8_t *plaintext,
                              size_t plaintext_length, uint8_t *ciphertext, size_t ciphertext_size,
                              size_t *ciphertext_length)
{
    *ciphertext_length = 0;
    CORE_REQUIRE_BUFFER(nonce, nonce_length);
    CORE_REQUIRE_BUFFER(additional_data, additional_data_length);
    CORE_REQUIRE_BUFFER(plaintext, plaintext_length);
    CORE_REQUIRE_BUFFER(ciphertext, ciphertext_size);
    LOCAL_REQUIRE_INIT();
    return core_aead_encrypt(&psa_local_caller, key, alg, nonce, nonce_length, additional_data,
                             additional_data_length, plaintext, plaintext_length, ciphertext,
                             ciphertext_size, ciphertext_length);
}

psa_status_t psa_aead_decrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *nonce,
                              size_t nonce_length, const uint8_t *additional_data,
                              size_t additional_data_length, const uint8_t *ciphertext,
                              size_t ciphertext_length, uint8_t *plaintext, size_t plaintext_size,
                              size_t *plaintext_length)
{
    *plaintext_length = 0;
    CORE_REQUIRE_BUFFER(nonce, nonce_length);
    CORE_REQUIRE_BUFFER(additional_data, additional_data_length);
    CORE_REQUIRE_BUFFER(ciphertext, ciphertext_length);
    CORE_REQUIRE_BUFFER(plaintext, plaintext_size);
    LOCAL_REQUIRE_INIT();
    return core_aead_decrypt(&psa_local_caller, key, alg, nonce, nonce_length, additional_data,
                             additional_data_length, ciphertext, ciphertext_length, plaintext,
                             plaintext_size, plaintext_length);
}

psa_status_t psa_aead_encrypt_setup(psa_aead_operation_t *operation, psa_key_id_t key,
                                    psa_algorithm_t alg)
{
    LOCAL_REQUIRE_INIT();
    return core_aead_encrypt_setup(&psa_local_caller, operation, key, alg);
}

psa_status_t psa_aead_decrypt_setup(psa_aead_operation_t *operation, psa_key_id_t key,
                                    psa_algorithm_t alg)
{
    LOCAL_REQUIRE_INIT();
    return core_aead_decrypt_setup(&psa_local_caller, operation, key, alg);
}

psa_status_t psa_aead_generate_nonce(psa_aead_operation_t *operation, uint8_t *nonce,
                                     size_t nonce_size, size_t *nonce_length)
{
    *nonce_length = 0;
    CORE_REQUIRE_BUFFER(nonce, nonce_size);
    LOCAL_REQUIRE_INIT();
    return core_aead_generate_nonce(operation, nonce, nonce_size, nonce_length);
}

psa_status_t psa_aead_set_nonce(psa_aead_operation_t *operation, const uint8_t *nonce,
                                size_t nonce_length)
{
    CORE_REQUIRE_BUFFER(nonce, nonce_length);
    LOCAL_REQUIRE_INIT();
    return core_aead_set_nonce(operation, nonce, nonce_length);
}

psa_status_t psa_aead_set_lengths(psa_aead_operation_t *operation, size_t ad_length,
                                  size_t plaintext_length)
{
    LOCAL_REQUIRE_INIT();
    return core_aead_set_lengths(operation, ad_length, plaintext_length);
}

psa_status_t psa_aead_update_ad(psa_aead_operation_t *operation, const uint8_t *input,
                                size_t input_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    LOCAL_REQUIRE_INIT();
    return core_aead_update_ad(operation, input, input_length);
}

psa_status_t psa_aead_update(psa_aead_operation_t *operation, const uint8_t *input,
                             size_t input_length, uint8_t *output, size_t output_size,
                             size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    LOCAL_REQUIRE_INIT();
    return core_aead_update(operation, input, input_length, output, output_size, output_length);
}

psa_status_t psa_aead_finish(psa_aead_operation_t *operation, uint8_t *ciphertext,
                             size_t ciphertext_size, size_t *ciphertext_length, uint8_t *tag,
                             size_t tag_size, size_t *tag_length)
{
    *ciphertext_length = 0;
    *tag_length = 0;
    CORE_REQUIRE_BUFFER(ciphertext, ciphertext_size);
    CORE_REQUIRE_BUFFER(tag, tag_size);
    LOCAL_REQUIRE_INIT();
    return core_aead_finish(operation, ciphertext, ciphertext_size, ciphertext_length, tag,
                            tag_size, tag_length);
}

psa_status_t psa_aead_verify(psa_aead_operation_t *operation, uint8_t *plaintext,
                             size_t plaintext_size, size_t *plaintext_length, const uint8_t *tag,
                             size_t tag_length)
{
    *plaintext_length = 0;
    CORE_REQUIRE_BUFFER(plaintext, plaintext_size);
    CORE_REQUIRE_BUFFER(tag, tag_length);
    LOCAL_REQUIRE_INIT();
    return core_aead_verify(operation, plaintext, plaintext_size, plaintext_length, tag,
                            tag_length);
}

psa_status_t psa_aead_abort(psa_aead_operation_t *operation)
{
    LOCAL_REQUIRE_INIT();
    return core_aead_abort(operation);
}
