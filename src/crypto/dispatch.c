/* The one dispatcher: an argument record (comms/crypto_calls.h) to the core function it names. */
#include "dispatch.h"

#include <stdint.h>

#include "base/wire.h"

/* A byte input and a byte output of the record, as the core's (pointer, length) arguments. */
#define IN(r)      a->in[CRYPTO_IN_##r], a->in_len[CRYPTO_IN_##r]
#define OUT(r)     a->out[CRYPTO_OUT_##r], a->out_size[CRYPTO_OUT_##r], &a->out_len[CRYPTO_OUT_##r]
#define OUT_BUF(r) a->out[CRYPTO_OUT_##r], a->out_size[CRYPTO_OUT_##r]
#define OP(type)   ((type *)a->op)
#define KDF        OP(psa_key_derivation_operation_t)
#define PAKE       OP(psa_pake_operation_t)

/* A wire's step and role fields are wider than the PSA types: saturate, so an out-of-range value
 * stays invalid rather than wrapping onto a valid one. */
static uint8_t clamp_u8(uint64_t v)
{
    return v > 0xffu ? (uint8_t)0xffu : (uint8_t)v;
}

/* Whole-buffer outputs (random bytes, derivation output): the length is the size on success. */
static psa_status_t fill(psa_status_t status, crypto_args_t *a)
{
    a->out_len[CRYPTO_OUT_OUTPUT] = status == PSA_SUCCESS ? a->out_size[CRYPTO_OUT_OUTPUT] : 0;
    return status;
}

/* LIST_KEYS: the caller's persistent key ids after a->key, u32 little-endian, as many as fit in
 * the output (at most CRYPTO_LIST_KEYS_MAX). */
static psa_status_t list_keys(const core_caller_t *caller, crypto_args_t *a)
{
    psa_key_id_t ids[CRYPTO_LIST_KEYS_MAX];
    size_t max = a->out_size[CRYPTO_OUT_OUTPUT] / 4, count = 0;
    if (max > CRYPTO_LIST_KEYS_MAX) {
        max = CRYPTO_LIST_KEYS_MAX;
    }
    psa_status_t status = core_list_keys(caller, a->key, ids, max, &count);
    for (size_t i = 0; status == PSA_SUCCESS && i < count; i++) {
        wire_store_u32(a->out[CRYPTO_OUT_OUTPUT] + 4 * i, ids[i]);
    }
    a->out_len[CRYPTO_OUT_OUTPUT] = status == PSA_SUCCESS ? 4 * count : 0;
    return status;
}

static psa_status_t get_capacity(crypto_args_t *a)
{
    size_t capacity = 0;
    psa_status_t status = core_key_derivation_get_capacity(KDF, &capacity);
    a->value = status == PSA_SUCCESS ? capacity : 0;
    return status;
}

psa_status_t crypto_dispatch(const core_caller_t *caller, crypto_args_t *a)
{
    const psa_key_attributes_t *attr = &a->attributes;
    psa_key_id_t *new_key = &a->new_key;
    *new_key = PSA_KEY_ID_NULL;
    switch (a->function_id) {
    case CRYPTO_FID_GENERATE_RANDOM:
        return fill(core_generate_random(OUT_BUF(OUTPUT)), a);
    case CRYPTO_FID_GET_KEY_ATTRIBUTES:
        return core_get_key_attributes(caller, a->key, &a->attributes);
    case CRYPTO_FID_IMPORT_KEY:
        return core_import_key(caller, attr, IN(INPUT), new_key);
    case CRYPTO_FID_DESTROY_KEY:
        return core_destroy_key(caller, a->key);
    case CRYPTO_FID_EXPORT_KEY:
        return core_export_key(caller, a->key, OUT(OUTPUT));
    case CRYPTO_FID_EXPORT_PUBLIC_KEY:
        return core_export_public_key(caller, a->key, OUT(OUTPUT));
    case CRYPTO_FID_PURGE_KEY:
        return core_purge_key(caller, a->key);
    case CRYPTO_FID_COPY_KEY:
        return core_copy_key(caller, a->key, attr, new_key);
    case CRYPTO_FID_GENERATE_KEY:
        return core_generate_key(caller, attr, new_key);
    case CRYPTO_FID_LIST_KEYS:
        return list_keys(caller, a);

    case CRYPTO_FID_HASH_COMPUTE:
        return core_hash_compute(a->alg, IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_HASH_COMPARE:
        return core_hash_compare(a->alg, IN(INPUT), IN(CHECK));
    case CRYPTO_FID_HASH_SETUP:
        return core_hash_setup(OP(psa_hash_operation_t), a->alg);
    case CRYPTO_FID_HASH_UPDATE:
        return core_hash_update(OP(psa_hash_operation_t), IN(INPUT));
    case CRYPTO_FID_HASH_CLONE:
        return core_hash_clone(OP(psa_hash_operation_t), a->target_op);
    case CRYPTO_FID_HASH_FINISH:
        return core_hash_finish(OP(psa_hash_operation_t), OUT(OUTPUT));
    case CRYPTO_FID_HASH_VERIFY:
        return core_hash_verify(OP(psa_hash_operation_t), IN(CHECK));
    case CRYPTO_FID_HASH_ABORT:
        return core_hash_abort(OP(psa_hash_operation_t));
    case CRYPTO_FID_HASH_SUSPEND:
        return core_hash_suspend(OP(psa_hash_operation_t), OUT(OUTPUT));
    case CRYPTO_FID_HASH_RESUME:
        return core_hash_resume(OP(psa_hash_operation_t), IN(INPUT));

    case CRYPTO_FID_MAC_COMPUTE:
        return core_mac_compute(caller, a->key, a->alg, IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_MAC_VERIFY:
        return core_mac_verify(caller, a->key, a->alg, IN(INPUT), IN(CHECK));
    case CRYPTO_FID_MAC_SIGN_SETUP:
        return core_mac_sign_setup(caller, OP(psa_mac_operation_t), a->key, a->alg);
    case CRYPTO_FID_MAC_VERIFY_SETUP:
        return core_mac_verify_setup(caller, OP(psa_mac_operation_t), a->key, a->alg);
    case CRYPTO_FID_MAC_UPDATE:
        return core_mac_update(OP(psa_mac_operation_t), IN(INPUT));
    case CRYPTO_FID_MAC_SIGN_FINISH:
        return core_mac_sign_finish(OP(psa_mac_operation_t), OUT(OUTPUT));
    case CRYPTO_FID_MAC_VERIFY_FINISH:
        return core_mac_verify_finish(OP(psa_mac_operation_t), IN(CHECK));
    case CRYPTO_FID_MAC_ABORT:
        return core_mac_abort(OP(psa_mac_operation_t));

    case CRYPTO_FID_CIPHER_ENCRYPT:
        return core_cipher_encrypt(caller, a->key, a->alg, IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_CIPHER_DECRYPT:
        return core_cipher_decrypt(caller, a->key, a->alg, IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_CIPHER_ENCRYPT_SETUP:
        return core_cipher_encrypt_setup(caller, OP(psa_cipher_operation_t), a->key, a->alg);
    case CRYPTO_FID_CIPHER_DECRYPT_SETUP:
        return core_cipher_decrypt_setup(caller, OP(psa_cipher_operation_t), a->key, a->alg);
    case CRYPTO_FID_CIPHER_GENERATE_IV:
        return core_cipher_generate_iv(OP(psa_cipher_operation_t), OUT(OUTPUT));
    case CRYPTO_FID_CIPHER_SET_IV:
        return core_cipher_set_iv(OP(psa_cipher_operation_t), IN(NONCE));
    case CRYPTO_FID_CIPHER_UPDATE:
        return core_cipher_update(OP(psa_cipher_operation_t), IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_CIPHER_FINISH:
        return core_cipher_finish(OP(psa_cipher_operation_t), OUT(OUTPUT));
    case CRYPTO_FID_CIPHER_ABORT:
        return core_cipher_abort(OP(psa_cipher_operation_t));

    case CRYPTO_FID_AEAD_ENCRYPT:
        return core_aead_encrypt(caller, a->key, a->alg, IN(NONCE), IN(AD), IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_AEAD_DECRYPT:
        return core_aead_decrypt(caller, a->key, a->alg, IN(NONCE), IN(AD), IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_AEAD_ENCRYPT_SETUP:
        return core_aead_encrypt_setup(caller, OP(psa_aead_operation_t), a->key, a->alg);
    case CRYPTO_FID_AEAD_DECRYPT_SETUP:
        return core_aead_decrypt_setup(caller, OP(psa_aead_operation_t), a->key, a->alg);
    case CRYPTO_FID_AEAD_GENERATE_NONCE:
        return core_aead_generate_nonce(OP(psa_aead_operation_t), OUT(OUTPUT));
    case CRYPTO_FID_AEAD_SET_NONCE:
        return core_aead_set_nonce(OP(psa_aead_operation_t), IN(NONCE));
    case CRYPTO_FID_AEAD_SET_LENGTHS:
        return core_aead_set_lengths(OP(psa_aead_operation_t), a->ad_length, a->plaintext_length);
    case CRYPTO_FID_AEAD_UPDATE_AD:
        return core_aead_update_ad(OP(psa_aead_operation_t), IN(AD));
    case CRYPTO_FID_AEAD_UPDATE:
        return core_aead_update(OP(psa_aead_operation_t), IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_AEAD_FINISH:
        return core_aead_finish(OP(psa_aead_operation_t), OUT(OUTPUT), OUT(TAG));
    case CRYPTO_FID_AEAD_VERIFY:
        return core_aead_verify(OP(psa_aead_operation_t), OUT(OUTPUT), IN(CHECK));
    case CRYPTO_FID_AEAD_ABORT:
        return core_aead_abort(OP(psa_aead_operation_t));

    case CRYPTO_FID_SIGN_MESSAGE:
        return core_sign_message(caller, a->key, a->alg, IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_VERIFY_MESSAGE:
        return core_verify_message(caller, a->key, a->alg, IN(INPUT), IN(CHECK));
    case CRYPTO_FID_SIGN_HASH:
        return core_sign_hash(caller, a->key, a->alg, IN(INPUT), OUT(OUTPUT));
    case CRYPTO_FID_VERIFY_HASH:
        return core_verify_hash(caller, a->key, a->alg, IN(INPUT), IN(CHECK));
    case CRYPTO_FID_ASYMMETRIC_ENCRYPT:
        return core_asymmetric_encrypt(caller, a->key, a->alg, IN(INPUT), IN(SALT), OUT(OUTPUT));
    case CRYPTO_FID_ASYMMETRIC_DECRYPT:
        return core_asymmetric_decrypt(caller, a->key, a->alg, IN(INPUT), IN(SALT), OUT(OUTPUT));

    case CRYPTO_FID_RAW_KEY_AGREEMENT:
        return core_raw_key_agreement(caller, a->alg, a->key, IN(PEER_KEY), OUT(OUTPUT));
    case CRYPTO_FID_KEY_AGREEMENT:
        return core_key_agreement(caller, a->key, IN(PEER_KEY), a->alg, attr, new_key);
    case CRYPTO_FID_KEY_DERIVATION_SETUP:
        return core_key_derivation_setup(KDF, a->alg);
    case CRYPTO_FID_KEY_DERIVATION_GET_CAPACITY:
        return get_capacity(a);
    case CRYPTO_FID_KEY_DERIVATION_SET_CAPACITY:
        return core_key_derivation_set_capacity(KDF,
                                                a->value > SIZE_MAX ? SIZE_MAX : (size_t)a->value);
    case CRYPTO_FID_KEY_DERIVATION_INPUT_BYTES:
        return core_key_derivation_input_bytes(KDF, a->step, IN(INPUT));
    case CRYPTO_FID_KEY_DERIVATION_INPUT_KEY:
        return core_key_derivation_input_key(caller, KDF, a->step, a->key);
    case CRYPTO_FID_KEY_DERIVATION_INPUT_INTEGER:
        return core_key_derivation_input_integer(KDF, a->step, a->value);
    case CRYPTO_FID_KEY_DERIVATION_KEY_AGREEMENT:
        return core_key_derivation_key_agreement(caller, KDF, a->step, a->key, IN(PEER_KEY));
    case CRYPTO_FID_KEY_DERIVATION_OUTPUT_BYTES:
        return fill(core_key_derivation_output_bytes(KDF, OUT_BUF(OUTPUT)), a);
    case CRYPTO_FID_KEY_DERIVATION_OUTPUT_KEY:
        return core_key_derivation_output_key(caller, attr, KDF, new_key);
    case CRYPTO_FID_KEY_DERIVATION_ABORT:
        return core_key_derivation_abort(KDF);
    case CRYPTO_FID_KEY_DERIVATION_VERIFY_BYTES:
        return core_key_derivation_verify_bytes(KDF, IN(CHECK));
    case CRYPTO_FID_KEY_DERIVATION_VERIFY_KEY:
        return core_key_derivation_verify_key(caller, KDF, a->key);

    case CRYPTO_FID_PAKE_SETUP:
        return core_pake_setup(caller, PAKE, a->key, &a->suite);
    case CRYPTO_FID_PAKE_SET_ROLE:
        return core_pake_set_role(PAKE, clamp_u8(a->value));
    case CRYPTO_FID_PAKE_SET_USER:
        return core_pake_set_user(PAKE, IN(INPUT));
    case CRYPTO_FID_PAKE_SET_PEER:
        return core_pake_set_peer(PAKE, IN(INPUT));
    case CRYPTO_FID_PAKE_SET_CONTEXT:
        return core_pake_set_context(PAKE, IN(INPUT));
    case CRYPTO_FID_PAKE_OUTPUT:
        return core_pake_output(PAKE, clamp_u8(a->step), OUT(OUTPUT));
    case CRYPTO_FID_PAKE_INPUT:
        return core_pake_input(PAKE, clamp_u8(a->step), IN(INPUT));
    case CRYPTO_FID_PAKE_GET_SHARED_KEY:
        return core_pake_get_shared_key(caller, PAKE, attr, new_key);
    case CRYPTO_FID_PAKE_ABORT:
        return core_pake_abort(PAKE);
    default:
        return PSA_ERROR_NOT_SUPPORTED;
    }
}
