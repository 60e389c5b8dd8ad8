/* The PSA Crypto API, once: every psa_* function packs an argument record for the backend. */
#include "api/crypto_front.h"

#include <string.h>

#include <psa/crypto.h>

/*
 * A record for the call, cleared by the C library's memset, then its fields by role. (For a
 * record this size GCC compiles an initializer to `rep stosq`, which made a 64-byte in-process
 * call about 9 ns slower than memset does; the size is read through a volatile so that the
 * compiler cannot turn the memset back into the same thing.)
 */
#define CALL(fid, ...)                                                                             \
    crypto_args_t a;                                                                               \
    clear(&a, CRYPTO_FID_##fid);                                                                   \
    __VA_ARGS__
#define IN(role, p, n)  (a.in[CRYPTO_IN_##role] = (p), a.in_len[CRYPTO_IN_##role] = (n))
#define OUT(role, p, n) (a.out[CRYPTO_OUT_##role] = (p), a.out_size[CRYPTO_OUT_##role] = (n))
/* An operation object (every kind has the fields of PSA__OPERATION_FIELDS). */
#define OPREF(o)                                                                                   \
    (crypto_op_ref_t)                                                                              \
    {                                                                                              \
        (uint32_t *)&(o)->handle, (uint32_t *)&(o)->route, (void **)&(o)->ctx                      \
    }
#define OP(o) (a.op = (void *)(o), a.op_ref = OPREF(o))

static void clear(crypto_args_t *a, uint16_t function_id)
{
    static const volatile size_t size = sizeof(*a);
    memset(a, 0, size);
    a->function_id = function_id;
}

/* Buffer arguments first (INVALID_ARGUMENT for NULL with a nonzero length), then the backend. */
static psa_status_t run(crypto_args_t *a)
{
    for (size_t r = 0; r < CRYPTO_IN_BYTES; r++) {
        if (a->in[r] == NULL && a->in_len[r] != 0) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
    }
    for (size_t r = 0; r < CRYPTO_OUT_BYTES; r++) {
        if (a->out[r] == NULL && a->out_size[r] != 0) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
    }
    return crypto_backend_call(a);
}

/* Runs the record and reports its main byte output's length in *length. */
static psa_status_t run_out(crypto_args_t *a, size_t *length)
{
    *length = 0;
    psa_status_t status = run(a);
    *length = a->out_len[CRYPTO_OUT_OUTPUT];
    return status;
}

/* Runs a key-creating record and reports the new key (PSA_KEY_ID_NULL unless it succeeds). */
static psa_status_t run_key(crypto_args_t *a, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    psa_status_t status = run(a);
    *key = status == PSA_SUCCESS ? a->new_key : PSA_KEY_ID_NULL;
    return status;
}

/* ---- random numbers and keys ----------------------------------------------------------------- */

psa_status_t psa_generate_random(uint8_t *output, size_t output_size)
{
    CALL(GENERATE_RANDOM, OUT(OUTPUT, output, output_size));
    return run(&a);
}

psa_status_t psa_get_key_attributes(psa_key_id_t key, psa_key_attributes_t *attributes)
{
    CALL(GET_KEY_ATTRIBUTES, a.key = key);
    psa_status_t status = run(&a);
    *attributes = a.attributes;
    if (status != PSA_SUCCESS) {
        memset(attributes, 0, sizeof(*attributes));
    }
    return status;
}

void psa_reset_key_attributes(psa_key_attributes_t *attributes)
{
    memset(attributes, 0, sizeof(*attributes));
}

psa_status_t psa_import_key(const psa_key_attributes_t *attributes, const uint8_t *data,
                            size_t data_length, psa_key_id_t *key)
{
    CALL(IMPORT_KEY, a.attributes = *attributes, IN(INPUT, data, data_length));
    return run_key(&a, key);
}

psa_status_t psa_generate_key(const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    CALL(GENERATE_KEY, a.attributes = *attributes);
    return run_key(&a, key);
}

psa_status_t psa_copy_key(psa_key_id_t source_key, const psa_key_attributes_t *attributes,
                          psa_key_id_t *target_key)
{
    CALL(COPY_KEY, a.key = source_key, a.attributes = *attributes);
    return run_key(&a, target_key);
}

psa_status_t psa_destroy_key(psa_key_id_t key)
{
    CALL(DESTROY_KEY, a.key = key);
    return run(&a);
}

psa_status_t psa_purge_key(psa_key_id_t key)
{
    CALL(PURGE_KEY, a.key = key);
    return run(&a);
}

psa_status_t psa_export_key(psa_key_id_t key, uint8_t *data, size_t data_size, size_t *data_length)
{
    CALL(EXPORT_KEY, a.key = key, OUT(OUTPUT, data, data_size));
    return run_out(&a, data_length);
}

psa_status_t psa_export_public_key(psa_key_id_t key, uint8_t *data, size_t data_size,
                                   size_t *data_length)
{
    CALL(EXPORT_PUBLIC_KEY, a.key = key, OUT(OUTPUT, data, data_size));
    return run_out(&a, data_length);
}

/* The caller's persistent keys, ascending past `after`, in pieces of at most
 * CRYPTO_LIST_KEYS_MAX ids (u32 little-endian each). */
psa_status_t ss_list_keys(psa_key_id_t after, psa_key_id_t *ids, size_t max, size_t *count)
{
    *count = 0;
    if (ids == NULL && max > 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    uint8_t encoded[4 * CRYPTO_LIST_KEYS_MAX];
    do {
        size_t want = max - *count < CRYPTO_LIST_KEYS_MAX ? max - *count : CRYPTO_LIST_KEYS_MAX;
        CALL(LIST_KEYS, a.key = after, OUT(OUTPUT, encoded, 4 * want));
        size_t length = 0;
        psa_status_t status = run_out(&a, &length);
        if (status == PSA_SUCCESS && (length % 4 != 0 || length > 4 * want)) {
            status = PSA_ERROR_COMMUNICATION_FAILURE;
        }
        for (size_t i = 0; status == PSA_SUCCESS && i < length / 4; i++) {
            psa_key_id_t id = (psa_key_id_t)encoded[4 * i] | (psa_key_id_t)encoded[4 * i + 1] << 8 |
                              (psa_key_id_t)encoded[4 * i + 2] << 16 |
                              (psa_key_id_t)encoded[4 * i + 3] << 24;
            if (id <= after) { /* the answer must ascend past the cursor */
                status = PSA_ERROR_COMMUNICATION_FAILURE;
            }
            ids[(*count)++] = id;
            after = id;
        }
        if (status != PSA_SUCCESS) {
            *count = 0;
            return status;
        }
        if (length / 4 < want) {
            break;
        }
    } while (*count < max);
    return PSA_SUCCESS;
}

/* ---- hash ------------------------------------------------------------------------------------ */

psa_status_t psa_hash_compute(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                              uint8_t *hash, size_t hash_size, size_t *hash_length)
{
    CALL(HASH_COMPUTE, a.alg = alg, IN(INPUT, input, input_length), OUT(OUTPUT, hash, hash_size));
    return run_out(&a, hash_length);
}

psa_status_t psa_hash_compare(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                              const uint8_t *hash, size_t hash_length)
{
    CALL(HASH_COMPARE, a.alg = alg, IN(INPUT, input, input_length), IN(CHECK, hash, hash_length));
    return run(&a);
}

psa_status_t psa_hash_setup(psa_hash_operation_t *operation, psa_algorithm_t alg)
{
    CALL(HASH_SETUP, OP(operation), a.alg = alg);
    return run(&a);
}

psa_status_t psa_hash_update(psa_hash_operation_t *operation, const uint8_t *input,
                             size_t input_length)
{
    CALL(HASH_UPDATE, OP(operation), IN(INPUT, input, input_length));
    return run(&a);
}

psa_status_t psa_hash_finish(psa_hash_operation_t *operation, uint8_t *hash, size_t hash_size,
                             size_t *hash_length)
{
    CALL(HASH_FINISH, OP(operation), OUT(OUTPUT, hash, hash_size));
    return run_out(&a, hash_length);
}

psa_status_t psa_hash_verify(psa_hash_operation_t *operation, const uint8_t *hash,
                             size_t hash_length)
{
    CALL(HASH_VERIFY, OP(operation), IN(CHECK, hash, hash_length));
    return run(&a);
}

psa_status_t psa_hash_abort(psa_hash_operation_t *operation)
{
    CALL(HASH_ABORT, OP(operation));
    return run(&a);
}

psa_status_t psa_hash_clone(const psa_hash_operation_t *source_operation,
                            psa_hash_operation_t *target_operation)
{
    CALL(HASH_CLONE, OP(source_operation), a.target_op = target_operation,
         a.target_ref = OPREF(target_operation));
    return run(&a);
}

psa_status_t psa_hash_suspend(psa_hash_operation_t *operation, uint8_t *hash_state,
                              size_t hash_state_size, size_t *hash_state_length)
{
    CALL(HASH_SUSPEND, OP(operation), OUT(OUTPUT, hash_state, hash_state_size));
    return run_out(&a, hash_state_length);
}

psa_status_t psa_hash_resume(psa_hash_operation_t *operation, const uint8_t *hash_state,
                             size_t hash_state_length)
{
    CALL(HASH_RESUME, OP(operation), IN(INPUT, hash_state, hash_state_length));
    return run(&a);
}

/* ---- MAC ------------------------------------------------------------------------------------- */

psa_status_t psa_mac_compute(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                             size_t input_length, uint8_t *mac, size_t mac_size, size_t *mac_length)
{
    CALL(MAC_COMPUTE, a.key = key, a.alg = alg, IN(INPUT, input, input_length),
         OUT(OUTPUT, mac, mac_size));
    return run_out(&a, mac_length);
}

psa_status_t psa_mac_verify(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                            size_t input_length, const uint8_t *mac, size_t mac_length)
{
    CALL(MAC_VERIFY, a.key = key, a.alg = alg, IN(INPUT, input, input_length),
         IN(CHECK, mac, mac_length));
    return run(&a);
}

psa_status_t psa_mac_sign_setup(psa_mac_operation_t *operation, psa_key_id_t key,
                                psa_algorithm_t alg)
{
    CALL(MAC_SIGN_SETUP, OP(operation), a.key = key, a.alg = alg);
    return run(&a);
}

psa_status_t psa_mac_verify_setup(psa_mac_operation_t *operation, psa_key_id_t key,
                                  psa_algorithm_t alg)
{
    CALL(MAC_VERIFY_SETUP, OP(operation), a.key = key, a.alg = alg);
    return run(&a);
}

psa_status_t psa_mac_update(psa_mac_operation_t *operation, const uint8_t *input,
                            size_t input_length)
{
    CALL(MAC_UPDATE, OP(operation), IN(INPUT, input, input_length));
    return run(&a);
}

psa_status_t psa_mac_sign_finish(psa_mac_operation_t *operation, uint8_t *mac, size_t mac_size,
                                 size_t *mac_length)
{
    CALL(MAC_SIGN_FINISH, OP(operation), OUT(OUTPUT, mac, mac_size));
    return run_out(&a, mac_length);
}

psa_status_t psa_mac_verify_finish(psa_mac_operation_t *operation, const uint8_t *mac,
                                   size_t mac_length)
{
    CALL(MAC_VERIFY_FINISH, OP(operation), IN(CHECK, mac, mac_length));
    return run(&a);
}

psa_status_t psa_mac_abort(psa_mac_operation_t *operation)
{
    CALL(MAC_ABORT, OP(operation));
    return run(&a);
}

/* ---- unauthenticated ciphers ----------------------------------------------------------------- */

psa_status_t psa_cipher_encrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                size_t input_length, uint8_t *output, size_t output_size,
                                size_t *output_length)
{
    CALL(CIPHER_ENCRYPT, a.key = key, a.alg = alg, IN(INPUT, input, input_length),
         OUT(OUTPUT, output, output_size));
    return run_out(&a, output_length);
}

psa_status_t psa_cipher_decrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                size_t input_length, uint8_t *output, size_t output_size,
                                size_t *output_length)
{
    CALL(CIPHER_DECRYPT, a.key = key, a.alg = alg, IN(INPUT, input, input_length),
         OUT(OUTPUT, output, output_size));
    return run_out(&a, output_length);
}

psa_status_t psa_cipher_encrypt_setup(psa_cipher_operation_t *operation, psa_key_id_t key,
                                      psa_algorithm_t alg)
{
    CALL(CIPHER_ENCRYPT_SETUP, OP(operation), a.key = key, a.alg = alg);
    return run(&a);
}

psa_status_t psa_cipher_decrypt_setup(psa_cipher_operation_t *operation, psa_key_id_t key,
                                      psa_algorithm_t alg)
{
    CALL(CIPHER_DECRYPT_SETUP, OP(operation), a.key = key, a.alg = alg);
    return run(&a);
}

psa_status_t psa_cipher_generate_iv(psa_cipher_operation_t *operation, uint8_t *iv, size_t iv_size,
                                    size_t *iv_length)
{
    CALL(CIPHER_GENERATE_IV, OP(operation), OUT(OUTPUT, iv, iv_size));
    return run_out(&a, iv_length);
}

psa_status_t psa_cipher_set_iv(psa_cipher_operation_t *operation, const uint8_t *iv,
                               size_t iv_length)
{
    CALL(CIPHER_SET_IV, OP(operation), IN(NONCE, iv, iv_length));
    return run(&a);
}

psa_status_t psa_cipher_update(psa_cipher_operation_t *operation, const uint8_t *input,
                               size_t input_length, uint8_t *output, size_t output_size,
                               size_t *output_length)
{
    CALL(CIPHER_UPDATE, OP(operation), IN(INPUT, input, input_length),
         OUT(OUTPUT, output, output_size));
    return run_out(&a, output_length);
}

psa_status_t psa_cipher_finish(psa_cipher_operation_t *operation, uint8_t *output,
                               size_t output_size, size_t *output_length)
{
    CALL(CIPHER_FINISH, OP(operation), OUT(OUTPUT, output, output_size));
    return run_out(&a, output_length);
}

psa_status_t psa_cipher_abort(psa_cipher_operation_t *operation)
{
    CALL(CIPHER_ABORT, OP(operation));
    return run(&a);
}

/* ---- AEAD ------------------------------------------------------------------------------------ */

psa_status_t psa_aead_encrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *nonce,
                              size_t nonce_length, const uint8_t *additional_data,
                              size_t additional_data_length, const uint8_t *plaintext,
                              size_t plaintext_length, uint8_t *ciphertext, size_t ciphertext_size,
                              size_t *ciphertext_length)
{
    CALL(AEAD_ENCRYPT, a.key = key, a.alg = alg, IN(NONCE, nonce, nonce_length),
         IN(AD, additional_data, additional_data_length), IN(INPUT, plaintext, plaintext_length),
         OUT(OUTPUT, ciphertext, ciphertext_size));
    return run_out(&a, ciphertext_length);
}

psa_status_t psa_aead_decrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *nonce,
                              size_t nonce_length, const uint8_t *additional_data,
                              size_t additional_data_length, const uint8_t *ciphertext,
                              size_t ciphertext_length, uint8_t *plaintext, size_t plaintext_size,
                              size_t *plaintext_length)
{
    CALL(AEAD_DECRYPT, a.key = key, a.alg = alg, IN(NONCE, nonce, nonce_length),
         IN(AD, additional_data, additional_data_length), IN(INPUT, ciphertext, ciphertext_length),
         OUT(OUTPUT, plaintext, plaintext_size));
    return run_out(&a, plaintext_length);
}

psa_status_t psa_aead_encrypt_setup(psa_aead_operation_t *operation, psa_key_id_t key,
                                    psa_algorithm_t alg)
{
    CALL(AEAD_ENCRYPT_SETUP, OP(operation), a.key = key, a.alg = alg);
    return run(&a);
}

psa_status_t psa_aead_decrypt_setup(psa_aead_operation_t *operation, psa_key_id_t key,
                                    psa_algorithm_t alg)
{
    CALL(AEAD_DECRYPT_SETUP, OP(operation), a.key = key, a.alg = alg);
    return run(&a);
}

psa_status_t psa_aead_generate_nonce(psa_aead_operation_t *operation, uint8_t *nonce,
                                     size_t nonce_size, size_t *nonce_length)
{
    CALL(AEAD_GENERATE_NONCE, OP(operation), OUT(OUTPUT, nonce, nonce_size));
    return run_out(&a, nonce_length);
}

psa_status_t psa_aead_set_nonce(psa_aead_operation_t *operation, const uint8_t *nonce,
                                size_t nonce_length)
{
    CALL(AEAD_SET_NONCE, OP(operation), IN(NONCE, nonce, nonce_length));
    return run(&a);
}

psa_status_t psa_aead_set_lengths(psa_aead_operation_t *operation, size_t ad_length,
                                  size_t plaintext_length)
{
    CALL(AEAD_SET_LENGTHS, OP(operation), a.ad_length = ad_length,
         a.plaintext_length = plaintext_length);
    return run(&a);
}

psa_status_t psa_aead_update_ad(psa_aead_operation_t *operation, const uint8_t *input,
                                size_t input_length)
{
    CALL(AEAD_UPDATE_AD, OP(operation), IN(AD, input, input_length));
    return run(&a);
}

psa_status_t psa_aead_update(psa_aead_operation_t *operation, const uint8_t *input,
                             size_t input_length, uint8_t *output, size_t output_size,
                             size_t *output_length)
{
    CALL(AEAD_UPDATE, OP(operation), IN(INPUT, input, input_length),
         OUT(OUTPUT, output, output_size));
    return run_out(&a, output_length);
}

psa_status_t psa_aead_finish(psa_aead_operation_t *operation, uint8_t *ciphertext,
                             size_t ciphertext_size, size_t *ciphertext_length, uint8_t *tag,
                             size_t tag_size, size_t *tag_length)
{
    *tag_length = 0;
    CALL(AEAD_FINISH, OP(operation), OUT(OUTPUT, ciphertext, ciphertext_size),
         OUT(TAG, tag, tag_size));
    psa_status_t status = run_out(&a, ciphertext_length);
    *tag_length = a.out_len[CRYPTO_OUT_TAG];
    return status;
}

psa_status_t psa_aead_verify(psa_aead_operation_t *operation, uint8_t *plaintext,
                             size_t plaintext_size, size_t *plaintext_length, const uint8_t *tag,
                             size_t tag_length)
{
    CALL(AEAD_VERIFY, OP(operation), OUT(OUTPUT, plaintext, plaintext_size),
         IN(CHECK, tag, tag_length));
    return run_out(&a, plaintext_length);
}

psa_status_t psa_aead_abort(psa_aead_operation_t *operation)
{
    CALL(AEAD_ABORT, OP(operation));
    return run(&a);
}

/* ---- asymmetric ------------------------------------------------------------------------------ */

psa_status_t psa_sign_message(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                              size_t input_length, uint8_t *signature, size_t signature_size,
                              size_t *signature_length)
{
    CALL(SIGN_MESSAGE, a.key = key, a.alg = alg, IN(INPUT, input, input_length),
         OUT(OUTPUT, signature, signature_size));
    return run_out(&a, signature_length);
}

psa_status_t psa_verify_message(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                size_t input_length, const uint8_t *signature,
                                size_t signature_length)
{
    CALL(VERIFY_MESSAGE, a.key = key, a.alg = alg, IN(INPUT, input, input_length),
         IN(CHECK, signature, signature_length));
    return run(&a);
}

psa_status_t psa_sign_hash(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *hash,
                           size_t hash_length, uint8_t *signature, size_t signature_size,
                           size_t *signature_length)
{
    CALL(SIGN_HASH, a.key = key, a.alg = alg, IN(INPUT, hash, hash_length),
         OUT(OUTPUT, signature, signature_size));
    return run_out(&a, signature_length);
}

psa_status_t psa_verify_hash(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *hash,
                             size_t hash_length, const uint8_t *signature, size_t signature_length)
{
    CALL(VERIFY_HASH, a.key = key, a.alg = alg, IN(INPUT, hash, hash_length),
         IN(CHECK, signature, signature_length));
    return run(&a);
}

psa_status_t psa_asymmetric_encrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                    size_t input_length, const uint8_t *salt, size_t salt_length,
                                    uint8_t *output, size_t output_size, size_t *output_length)
{
    CALL(ASYMMETRIC_ENCRYPT, a.key = key, a.alg = alg, IN(INPUT, input, input_length),
         IN(SALT, salt, salt_length), OUT(OUTPUT, output, output_size));
    return run_out(&a, output_length);
}

psa_status_t psa_asymmetric_decrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                    size_t input_length, const uint8_t *salt, size_t salt_length,
                                    uint8_t *output, size_t output_size, size_t *output_length)
{
    CALL(ASYMMETRIC_DECRYPT, a.key = key, a.alg = alg, IN(INPUT, input, input_length),
         IN(SALT, salt, salt_length), OUT(OUTPUT, output, output_size));
    return run_out(&a, output_length);
}

/* ---- key agreement and derivation ------------------------------------------------------------ */

psa_status_t psa_raw_key_agreement(psa_algorithm_t alg, psa_key_id_t private_key,
                                   const uint8_t *peer_key, size_t peer_key_length, uint8_t *output,
                                   size_t output_size, size_t *output_length)
{
    CALL(RAW_KEY_AGREEMENT, a.key = private_key, a.alg = alg,
         IN(PEER_KEY, peer_key, peer_key_length), OUT(OUTPUT, output, output_size));
    return run_out(&a, output_length);
}

psa_status_t psa_key_agreement(psa_key_id_t private_key, const uint8_t *peer_key,
                               size_t peer_key_length, psa_algorithm_t alg,
                               const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    CALL(KEY_AGREEMENT, a.key = private_key, a.alg = alg, a.attributes = *attributes,
         IN(PEER_KEY, peer_key, peer_key_length));
    return run_key(&a, key);
}

psa_status_t psa_key_derivation_setup(psa_key_derivation_operation_t *operation,
                                      psa_algorithm_t alg)
{
    CALL(KEY_DERIVATION_SETUP, OP(operation), a.alg = alg);
    return run(&a);
}

psa_status_t psa_key_derivation_get_capacity(const psa_key_derivation_operation_t *operation,
                                             size_t *capacity)
{
    CALL(KEY_DERIVATION_GET_CAPACITY, OP(operation));
    psa_status_t status = run(&a);
    *capacity = status != PSA_SUCCESS ? 0 : a.value > SIZE_MAX ? SIZE_MAX : (size_t)a.value;
    return status;
}

psa_status_t psa_key_derivation_set_capacity(psa_key_derivation_operation_t *operation,
                                             size_t capacity)
{
    CALL(KEY_DERIVATION_SET_CAPACITY, OP(operation), a.value = capacity);
    return run(&a);
}

psa_status_t psa_key_derivation_input_bytes(psa_key_derivation_operation_t *operation,
                                            psa_key_derivation_step_t step, const uint8_t *data,
                                            size_t data_length)
{
    CALL(KEY_DERIVATION_INPUT_BYTES, OP(operation), a.step = step, IN(INPUT, data, data_length));
    return run(&a);
}

psa_status_t psa_key_derivation_input_integer(psa_key_derivation_operation_t *operation,
                                              psa_key_derivation_step_t step, uint64_t value)
{
    CALL(KEY_DERIVATION_INPUT_INTEGER, OP(operation), a.step = step, a.value = value);
    return run(&a);
}

psa_status_t psa_key_derivation_input_key(psa_key_derivation_operation_t *operation,
                                          psa_key_derivation_step_t step, psa_key_id_t key)
{
    CALL(KEY_DERIVATION_INPUT_KEY, OP(operation), a.step = step, a.key = key);
    return run(&a);
}

psa_status_t psa_key_derivation_key_agreement(psa_key_derivation_operation_t *operation,
                                              psa_key_derivation_step_t step,
                                              psa_key_id_t private_key, const uint8_t *peer_key,
                                              size_t peer_key_length)
{
    CALL(KEY_DERIVATION_KEY_AGREEMENT, OP(operation), a.step = step, a.key = private_key,
         IN(PEER_KEY, peer_key, peer_key_length));
    return run(&a);
}

psa_status_t psa_key_derivation_output_bytes(psa_key_derivation_operation_t *operation,
                                             uint8_t *output, size_t output_length)
{
    CALL(KEY_DERIVATION_OUTPUT_BYTES, OP(operation), OUT(OUTPUT, output, output_length));
    return run(&a);
}

psa_status_t psa_key_derivation_output_key(const psa_key_attributes_t *attributes,
                                           psa_key_derivation_operation_t *operation,
                                           psa_key_id_t *key)
{
    CALL(KEY_DERIVATION_OUTPUT_KEY, OP(operation), a.attributes = *attributes);
    return run_key(&a, key);
}

psa_status_t psa_key_derivation_verify_bytes(psa_key_derivation_operation_t *operation,
                                             const uint8_t *expected_output, size_t output_length)
{
    CALL(KEY_DERIVATION_VERIFY_BYTES, OP(operation), IN(CHECK, expected_output, output_length));
    return run(&a);
}

psa_status_t psa_key_derivation_verify_key(psa_key_derivation_operation_t *operation,
                                           psa_key_id_t expected)
{
    CALL(KEY_DERIVATION_VERIFY_KEY, OP(operation), a.key = expected);
    return run(&a);
}

psa_status_t psa_key_derivation_abort(psa_key_derivation_operation_t *operation)
{
    CALL(KEY_DERIVATION_ABORT, OP(operation));
    return run(&a);
}

/* ---- PAKE ------------------------------------------------------------------------------------ */

psa_status_t psa_pake_setup(psa_pake_operation_t *operation, psa_key_id_t password_key,
                            const psa_pake_cipher_suite_t *cipher_suite)
{
    CALL(PAKE_SETUP, OP(operation), a.key = password_key, a.suite = *cipher_suite);
    return run(&a);
}

psa_status_t psa_pake_set_role(psa_pake_operation_t *operation, psa_pake_role_t role)
{
    CALL(PAKE_SET_ROLE, OP(operation), a.value = role);
    return run(&a);
}

psa_status_t psa_pake_set_user(psa_pake_operation_t *operation, const uint8_t *user_id,
                               size_t user_id_len)
{
    CALL(PAKE_SET_USER, OP(operation), IN(INPUT, user_id, user_id_len));
    return run(&a);
}

psa_status_t psa_pake_set_peer(psa_pake_operation_t *operation, const uint8_t *peer_id,
                               size_t peer_id_len)
{
    CALL(PAKE_SET_PEER, OP(operation), IN(INPUT, peer_id, peer_id_len));
    return run(&a);
}

psa_status_t psa_pake_set_context(psa_pake_operation_t *operation, const uint8_t *context,
                                  size_t context_len)
{
    CALL(PAKE_SET_CONTEXT, OP(operation), IN(INPUT, context, context_len));
    return run(&a);
}

psa_status_t psa_pake_output(psa_pake_operation_t *operation, psa_pake_step_t step, uint8_t *output,
                             size_t output_size, size_t *output_length)
{
    CALL(PAKE_OUTPUT, OP(operation), a.step = step, OUT(OUTPUT, output, output_size));
    return run_out(&a, output_length);
}

psa_status_t psa_pake_input(psa_pake_operation_t *operation, psa_pake_step_t step,
                            const uint8_t *input, size_t input_length)
{
    CALL(PAKE_INPUT, OP(operation), a.step = step, IN(INPUT, input, input_length));
    return run(&a);
}

psa_status_t psa_pake_get_shared_key(psa_pake_operation_t *operation,
                                     const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    CALL(PAKE_GET_SHARED_KEY, OP(operation), a.attributes = *attributes);
    return run_key(&a, key);
}

psa_status_t psa_pake_abort(psa_pake_operation_t *operation)
{
    CALL(PAKE_ABORT, OP(operation));
    return run(&a);
}
