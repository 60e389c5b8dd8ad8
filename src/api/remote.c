/* The operation-object rules of a remote PSA service (api/remote.h). */
#include "api/remote.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <psa/crypto.h>

static bool row_has_out(const crypto_call_desc_t *desc, uint8_t role)
{
    for (size_t i = 0; i < desc->out_count; i++) {
        if (desc->out_role[i] == role) {
            return true;
        }
    }
    return false;
}

/*
 * The one-shot AEAD calls carry the nonce inside RSS comms' 56-byte header, which has room for
 * 16 bytes (se-proxy forwards on RSS comms too). A longer nonce (GCM accepts up to 128 bytes) is
 * sent through rssd's multi-part calls, which give the same bytes; the output layout (ciphertext
 * then tag) is assembled here.
 */
static psa_status_t aead_long_nonce(crypto_args_t *a)
{
    bool encrypt = a->function_id == CRYPTO_FID_AEAD_ENCRYPT;
    const uint8_t *input = a->in[CRYPTO_IN_INPUT];
    size_t input_length = a->in_len[CRYPTO_IN_INPUT];
    uint8_t *output = a->out[CRYPTO_OUT_OUTPUT];
    size_t output_size = a->out_size[CRYPTO_OUT_OUTPUT];
    size_t tag_length = PSA_ALG_AEAD_GET_TAG_LENGTH(a->alg);
    size_t body_length = input_length;
    if (!encrypt) {
        if (PSA_ALG_IS_AEAD(a->alg) && input_length < tag_length) {
            return PSA_ERROR_INVALID_SIGNATURE;
        }
        body_length = input_length - tag_length;
    }
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    psa_status_t status = encrypt ? psa_aead_encrypt_setup(&op, a->key, a->alg)
                                  : psa_aead_decrypt_setup(&op, a->key, a->alg);
    if (status == PSA_SUCCESS) {
        status = psa_aead_set_lengths(&op, a->in_len[CRYPTO_IN_AD], body_length);
    }
    if (status == PSA_SUCCESS) {
        status = psa_aead_set_nonce(&op, a->in[CRYPTO_IN_NONCE], a->in_len[CRYPTO_IN_NONCE]);
    }
    if (status == PSA_SUCCESS) {
        status = psa_aead_update_ad(&op, a->in[CRYPTO_IN_AD], a->in_len[CRYPTO_IN_AD]);
    }
    size_t done = 0;
    if (status == PSA_SUCCESS) {
        status = psa_aead_update(&op, input, body_length, output, output_size, &done);
    }
    size_t last = 0;
    if (status == PSA_SUCCESS && encrypt) {
        uint8_t tag[PSA_AEAD_TAG_MAX_SIZE];
        size_t tag_written = 0;
        status = psa_aead_finish(&op, output + done, output_size - done, &last, tag, sizeof(tag),
                                 &tag_written);
        done += last;
        if (status == PSA_SUCCESS) {
            if (output_size - done < tag_written) {
                status = PSA_ERROR_BUFFER_TOO_SMALL;
            } else {
                memcpy(output + done, tag, tag_written);
                done += tag_written;
            }
        }
    } else if (status == PSA_SUCCESS) {
        status = psa_aead_verify(&op, output + done, output_size - done, &last, input + body_length,
                                 tag_length);
        done += last;
    }
    psa_aead_abort(&op);
    if (status != PSA_SUCCESS) {
        OPENSSL_cleanse(output, output_size);
        done = 0;
    }
    a->out_len[CRYPTO_OUT_OUTPUT] = done;
    return status;
}

bool remote_answers_here(const crypto_args_t *a, psa_status_t *status)
{
    if ((a->function_id == CRYPTO_FID_DESTROY_KEY && a->key == PSA_KEY_ID_NULL) ||
        (a->function_id == CRYPTO_FID_GENERATE_RANDOM && a->out_size[CRYPTO_OUT_OUTPUT] == 0)) {
        *status = PSA_SUCCESS;
        return true;
    }
    if (a->function_id == CRYPTO_FID_PAKE_SETUP && *a->op_ref.route != ROUTE_NONE) {
        *status = PSA_ERROR_BAD_STATE;
        return true;
    }
    return false;
}

/* One raw call, and the outputs that must fill their buffer checked. */
static psa_status_t call(crypto_args_t *a, remote_raw_fn raw)
{
    psa_status_t status = raw(a);
    bool whole = a->function_id == CRYPTO_FID_GENERATE_RANDOM ||
                 a->function_id == CRYPTO_FID_KEY_DERIVATION_OUTPUT_BYTES;
    if (status == PSA_SUCCESS && whole &&
        a->out_len[CRYPTO_OUT_OUTPUT] != a->out_size[CRYPTO_OUT_OUTPUT]) {
        status = PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return status;
}

psa_status_t remote_call(crypto_args_t *a, remote_raw_fn raw)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    const crypto_op_ref_t *o = &a->op_ref;
    const crypto_op_ref_t *t = &a->target_ref;
    psa_status_t status;
    if (desc == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (desc->flags & CRYPTO_CALL_SETUP) {
        a->handle = *o->route == ROUTE_REMOTE ? *o->handle : 0;
        status = call(a, raw);
        if (status == PSA_SUCCESS && a->handle == 0) {
            status = PSA_ERROR_COMMUNICATION_FAILURE; /* every operation set up has a handle */
        }
        if (status == PSA_SUCCESS) {
            *o->handle = a->handle;
            *o->route = ROUTE_REMOTE;
        } else if (status != PSA_ERROR_BAD_STATE && status != PSA_ERROR_COMMUNICATION_FAILURE) {
            op_clear(o); /* the service would have answered BAD_STATE for a live one */
        }
        return status;
    }
    if (desc->flags & CRYPTO_CALL_ABORT) {
        status = PSA_SUCCESS;
        if (*o->route == ROUTE_REMOTE) {
            a->handle = *o->handle;
            status = call(a, raw);
        }
        /* Whatever the service said, this object is inactive now; an operation the service
         * still held is released with the session at the latest. */
        op_clear(o);
        return status == PSA_ERROR_COMMUNICATION_FAILURE ? status : PSA_SUCCESS;
    }
    if (crypto_call_uses_op(desc)) {
        if (*o->route != ROUTE_REMOTE) {
            return PSA_ERROR_BAD_STATE;
        }
        a->handle = *o->handle;
        if (a->function_id == CRYPTO_FID_HASH_CLONE) {
            a->target_handle = op_route(t) == ROUTE_REMOTE ? *t->handle : 0;
            status = call(a, raw);
            if (status == PSA_SUCCESS) {
                *t->handle = a->handle;
                *t->route = ROUTE_REMOTE;
            }
            return status;
        }
        status = call(a, raw);
        if (status == PSA_SUCCESS && row_has_out(desc, CRYPTO_OUT_HANDLE)) {
            *o->handle = a->handle;
            if (a->handle == 0) {
                *o->route = ROUTE_NONE;
            }
        }
        if (status == PSA_SUCCESS && a->function_id == CRYPTO_FID_PAKE_GET_SHARED_KEY) {
            op_clear(o); /* the service ended the operation */
        }
        return status;
    }
    if ((a->function_id == CRYPTO_FID_AEAD_ENCRYPT || a->function_id == CRYPTO_FID_AEAD_DECRYPT) &&
        a->in_len[CRYPTO_IN_NONCE] > CRYPTO_IOVEC_NONCE_MAX) {
        return aead_long_nonce(a);
    }
    return call(a, raw);
}
