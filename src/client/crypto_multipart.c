/* libpsa: hash, MAC, cipher and AEAD calls, one-shot and multi-part, routed in-process or to rssd.
 */
#include "client/crypto_client.h"

#include <string.h>

#include <openssl/crypto.h>

/* ---- rssd operation helpers (handle/route are the operation object's fields) ----------------- */

/* Setup in rssd. A handle the object still holds is sent along: rssd refuses the setup only if it
 * names a live operation (BAD_STATE), exactly when the in-process core would refuse it. */
static psa_status_t remote_setup_with(crypto_iovec_t *iov, crypto_vecs_t *v, uint32_t *handle,
                                      uint32_t *route)
{
    uint8_t out[4];
    iov->op_handle = *route == CRYPTO_ROUTE_ENCLAVE ? *handle : 0;
    v->out[0] = out;
    v->out_size[0] = sizeof(out);
    psa_status_t status = crypto_remote(iov, v);
    if (status == PSA_SUCCESS) {
        *handle = crypto_out_u32(v, 0, out);
        *route = *handle != 0 ? CRYPTO_ROUTE_ENCLAVE : CRYPTO_ROUTE_NONE;
    } else if (status != PSA_ERROR_BAD_STATE && status != PSA_ERROR_COMMUNICATION_FAILURE) {
        /* rssd would have answered BAD_STATE for a live operation: the old handle was dead. */
        *handle = 0;
        *route = CRYPTO_ROUTE_NONE;
    }
    return status;
}

static psa_status_t remote_setup(crypto_iovec_t *iov, uint32_t *handle, uint32_t *route)
{
    crypto_vecs_t v = {0};
    return remote_setup_with(iov, &v, handle, route);
}

/* A call on a live rssd operation; out_vec[0] is the operation's handle when `handle_out`
 * (finish, verify, abort): rssd reports 0 once the operation has ended. A failed call returns no
 * outputs at all (docs/rss-comms-linux.md), and every error leaves an rssd operation active in
 * its error state, so the object keeps its handle: a later abort releases the operation. */
static psa_status_t remote_op(crypto_iovec_t *iov, crypto_vecs_t *v, uint32_t *handle,
                              uint32_t *route, bool handle_out)
{
    uint8_t out[4];
    iov->op_handle = *handle;
    if (handle_out) {
        v->out[0] = out;
        v->out_size[0] = sizeof(out);
    }
    psa_status_t status = crypto_remote(iov, v);
    if (handle_out && status == PSA_SUCCESS) {
        *handle = crypto_out_u32(v, 0, out);
        if (*handle == 0) {
            *route = CRYPTO_ROUTE_NONE;
        }
    }
    return status;
}

static psa_status_t remote_abort(uint16_t function_id, uint32_t *handle, uint32_t *route)
{
    psa_status_t status = PSA_SUCCESS;
    if (*route == CRYPTO_ROUTE_ENCLAVE) {
        crypto_iovec_t iov = {.function_id = function_id};
        crypto_vecs_t v = {0};
        status = remote_op(&iov, &v, handle, route, true);
    }
    /* Whatever rssd said, this object is inactive now; an operation rssd still held is released
     * with the session at the latest. */
    *handle = 0;
    *route = CRYPTO_ROUTE_NONE;
    return status == PSA_ERROR_COMMUNICATION_FAILURE ? status : PSA_SUCCESS;
}

/* A setup is refused (BAD_STATE, as the core would) while the object is active locally, and runs
 * in-process only on an object that is not active in rssd either. */
static psa_status_t setup_route_check(uint32_t route, bool local)
{
    if (route == CRYPTO_ROUTE_LOCAL || (local && route == CRYPTO_ROUTE_ENCLAVE)) {
        return PSA_ERROR_BAD_STATE;
    }
    return PSA_SUCCESS;
}

/* After an in-process setup: the object now runs locally if the setup succeeded. */
static psa_status_t local_setup_done(psa_status_t status, uint32_t *route)
{
    if (status == PSA_SUCCESS) {
        *route = CRYPTO_ROUTE_LOCAL;
    }
    return status;
}

/* ---- hash ----------------------------------------------------------------------------------- */

psa_status_t psa_hash_compute(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                              uint8_t *hash, size_t hash_size, size_t *hash_length)
{
    *hash_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(hash, hash_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_client_split()) {
        return core_hash_compute(alg, input, input_length, hash, hash_size, hash_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_HASH_COMPUTE, 0, alg, input, input_length, NULL, 0, hash,
                               hash_size, hash_length);
}

psa_status_t psa_hash_compare(psa_algorithm_t alg, const uint8_t *input, size_t input_length,
                              const uint8_t *hash, size_t hash_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(hash, hash_length);
    CRYPTO_REQUIRE_INIT();
    if (crypto_client_split()) {
        return core_hash_compare(alg, input, input_length, hash, hash_length);
    }
    size_t unused = 0;
    return crypto_remote_bytes(CRYPTO_FID_HASH_COMPARE, 0, alg, input, input_length, hash,
                               hash_length, NULL, 0, &unused);
}

psa_status_t psa_hash_setup(psa_hash_operation_t *operation, psa_algorithm_t alg)
{
    CRYPTO_REQUIRE_INIT();
    bool local = crypto_client_split();
    psa_status_t status = setup_route_check(CRYPTO_OP_ROUTE(operation), local);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (local) {
        return local_setup_done(core_hash_setup(operation, alg), &operation->route);
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_SETUP, .alg = alg};
    return remote_setup(&iov, &operation->handle, &operation->route);
}

psa_status_t psa_hash_update(psa_hash_operation_t *operation, const uint8_t *input,
                             size_t input_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_hash_update(operation, input, input_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_UPDATE};
        crypto_vecs_t v = {.in = {input}, .in_len = {input_length}};
        return remote_op(&iov, &v, &operation->handle, &operation->route, false);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_hash_finish(psa_hash_operation_t *operation, uint8_t *hash, size_t hash_size,
                             size_t *hash_length)
{
    *hash_length = 0;
    CORE_REQUIRE_BUFFER(hash, hash_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_hash_finish(operation, hash, hash_size, hash_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_FINISH};
        crypto_vecs_t v = {.out = {NULL, hash}, .out_size = {0, hash_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, true);
        *hash_length = v.out_len[1];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_hash_verify(psa_hash_operation_t *operation, const uint8_t *hash,
                             size_t hash_length)
{
    CORE_REQUIRE_BUFFER(hash, hash_length);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_hash_verify(operation, hash, hash_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_VERIFY};
        crypto_vecs_t v = {.in = {hash}, .in_len = {hash_length}};
        return remote_op(&iov, &v, &operation->handle, &operation->route, true);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_hash_abort(psa_hash_operation_t *operation)
{
    CRYPTO_REQUIRE_INIT();
    if (operation->route == CRYPTO_ROUTE_LOCAL) {
        return core_hash_abort(operation);
    }
    return remote_abort(CRYPTO_FID_HASH_ABORT, &operation->handle, &operation->route);
}

psa_status_t psa_hash_clone(const psa_hash_operation_t *source_operation,
                            psa_hash_operation_t *target_operation)
{
    CRYPTO_REQUIRE_INIT();
    uint32_t target_route = CRYPTO_OP_ROUTE(target_operation);
    switch (CRYPTO_OP_ROUTE(source_operation)) {
    case CRYPTO_ROUTE_LOCAL: {
        if (target_route == CRYPTO_ROUTE_ENCLAVE) {
            return PSA_ERROR_BAD_STATE;
        }
        psa_status_t status = core_hash_clone(source_operation, target_operation);
        if (status == PSA_SUCCESS) {
            target_operation->route = CRYPTO_ROUTE_LOCAL;
        }
        return status;
    }
    case CRYPTO_ROUTE_ENCLAVE: {
        if (target_route == CRYPTO_ROUTE_LOCAL) {
            return PSA_ERROR_BAD_STATE;
        }
        uint8_t target_handle[4];
        uint8_t new_handle[4];
        wire_store_u32(target_handle,
                       target_route == CRYPTO_ROUTE_ENCLAVE ? target_operation->handle : 0);
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_CLONE,
                              .op_handle = source_operation->handle};
        crypto_vecs_t v = {.in = {target_handle},
                           .in_len = {sizeof(target_handle)},
                           .out = {new_handle},
                           .out_size = {sizeof(new_handle)}};
        psa_status_t status = crypto_remote(&iov, &v);
        if (status == PSA_SUCCESS) {
            target_operation->handle = crypto_out_u32(&v, 0, new_handle);
            target_operation->route = CRYPTO_ROUTE_ENCLAVE;
        }
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_hash_suspend(psa_hash_operation_t *operation, uint8_t *hash_state,
                              size_t hash_state_size, size_t *hash_state_length)
{
    *hash_state_length = 0;
    CORE_REQUIRE_BUFFER(hash_state, hash_state_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_hash_suspend(operation, hash_state, hash_state_size, hash_state_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_SUSPEND};
        crypto_vecs_t v = {.out = {NULL, hash_state}, .out_size = {0, hash_state_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, true);
        *hash_state_length = v.out_len[1];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

/* Resume sets an operation up where setup would: in-process in split mode, else in rssd. */
psa_status_t psa_hash_resume(psa_hash_operation_t *operation, const uint8_t *hash_state,
                             size_t hash_state_length)
{
    CORE_REQUIRE_BUFFER(hash_state, hash_state_length);
    CRYPTO_REQUIRE_INIT();
    uint32_t route = CRYPTO_OP_ROUTE(operation);
    if (route == CRYPTO_ROUTE_LOCAL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (crypto_client_split()) {
        if (route == CRYPTO_ROUTE_ENCLAVE) {
            return PSA_ERROR_BAD_STATE;
        }
        psa_status_t status = core_hash_resume(operation, hash_state, hash_state_length);
        if (status == PSA_SUCCESS) {
            operation->route = CRYPTO_ROUTE_LOCAL;
        }
        return status;
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_HASH_RESUME};
    crypto_vecs_t v = {.in = {hash_state}, .in_len = {hash_state_length}};
    return remote_setup_with(&iov, &v, &operation->handle, &operation->route);
}

/* ---- MAC ------------------------------------------------------------------------------------ */

psa_status_t psa_mac_compute(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                             size_t input_length, uint8_t *mac, size_t mac_size, size_t *mac_length)
{
    *mac_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(mac, mac_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_mac_compute(&crypto_client_local_caller, key, alg, input, input_length, mac,
                                mac_size, mac_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_MAC_COMPUTE, key, alg, input, input_length, NULL, 0, mac,
                               mac_size, mac_length);
}

psa_status_t psa_mac_verify(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                            size_t input_length, const uint8_t *mac, size_t mac_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(mac, mac_length);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_mac_verify(&crypto_client_local_caller, key, alg, input, input_length, mac,
                               mac_length);
    }
    size_t unused = 0;
    return crypto_remote_bytes(CRYPTO_FID_MAC_VERIFY, key, alg, input, input_length, mac,
                               mac_length, NULL, 0, &unused);
}

static psa_status_t mac_setup(psa_mac_operation_t *operation, psa_key_id_t key, psa_algorithm_t alg,
                              bool sign)
{
    CRYPTO_REQUIRE_INIT();
    bool local = crypto_key_is_local(key);
    psa_status_t status = setup_route_check(CRYPTO_OP_ROUTE(operation), local);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (local) {
        status = sign ? core_mac_sign_setup(&crypto_client_local_caller, operation, key, alg)
                      : core_mac_verify_setup(&crypto_client_local_caller, operation, key, alg);
        return local_setup_done(status, &operation->route);
    }
    crypto_iovec_t iov = {
        .function_id = sign ? CRYPTO_FID_MAC_SIGN_SETUP : CRYPTO_FID_MAC_VERIFY_SETUP,
        .key_id = key,
        .alg = alg,
    };
    return remote_setup(&iov, &operation->handle, &operation->route);
}

psa_status_t psa_mac_sign_setup(psa_mac_operation_t *operation, psa_key_id_t key,
                                psa_algorithm_t alg)
{
    return mac_setup(operation, key, alg, true);
}

psa_status_t psa_mac_verify_setup(psa_mac_operation_t *operation, psa_key_id_t key,
                                  psa_algorithm_t alg)
{
    return mac_setup(operation, key, alg, false);
}

psa_status_t psa_mac_update(psa_mac_operation_t *operation, const uint8_t *input,
                            size_t input_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_mac_update(operation, input, input_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_MAC_UPDATE};
        crypto_vecs_t v = {.in = {input}, .in_len = {input_length}};
        return remote_op(&iov, &v, &operation->handle, &operation->route, false);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_mac_sign_finish(psa_mac_operation_t *operation, uint8_t *mac, size_t mac_size,
                                 size_t *mac_length)
{
    *mac_length = 0;
    CORE_REQUIRE_BUFFER(mac, mac_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_mac_sign_finish(operation, mac, mac_size, mac_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_MAC_SIGN_FINISH};
        crypto_vecs_t v = {.out = {NULL, mac}, .out_size = {0, mac_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, true);
        *mac_length = v.out_len[1];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_mac_verify_finish(psa_mac_operation_t *operation, const uint8_t *mac,
                                   size_t mac_length)
{
    CORE_REQUIRE_BUFFER(mac, mac_length);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_mac_verify_finish(operation, mac, mac_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_MAC_VERIFY_FINISH};
        crypto_vecs_t v = {.in = {mac}, .in_len = {mac_length}};
        return remote_op(&iov, &v, &operation->handle, &operation->route, true);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_mac_abort(psa_mac_operation_t *operation)
{
    CRYPTO_REQUIRE_INIT();
    if (operation->route == CRYPTO_ROUTE_LOCAL) {
        return core_mac_abort(operation);
    }
    return remote_abort(CRYPTO_FID_MAC_ABORT, &operation->handle, &operation->route);
}

/* ---- cipher --------------------------------------------------------------------------------- */

psa_status_t psa_cipher_encrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                size_t input_length, uint8_t *output, size_t output_size,
                                size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_cipher_encrypt(&crypto_client_local_caller, key, alg, input, input_length,
                                   output, output_size, output_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_CIPHER_ENCRYPT, key, alg, input, input_length, NULL, 0,
                               output, output_size, output_length);
}

psa_status_t psa_cipher_decrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                size_t input_length, uint8_t *output, size_t output_size,
                                size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_cipher_decrypt(&crypto_client_local_caller, key, alg, input, input_length,
                                   output, output_size, output_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_CIPHER_DECRYPT, key, alg, input, input_length, NULL, 0,
                               output, output_size, output_length);
}

static psa_status_t cipher_setup(psa_cipher_operation_t *operation, psa_key_id_t key,
                                 psa_algorithm_t alg, bool encrypt)
{
    CRYPTO_REQUIRE_INIT();
    bool local = crypto_key_is_local(key);
    psa_status_t status = setup_route_check(CRYPTO_OP_ROUTE(operation), local);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (local) {
        status = encrypt
                     ? core_cipher_encrypt_setup(&crypto_client_local_caller, operation, key, alg)
                     : core_cipher_decrypt_setup(&crypto_client_local_caller, operation, key, alg);
        return local_setup_done(status, &operation->route);
    }
    crypto_iovec_t iov = {
        .function_id = encrypt ? CRYPTO_FID_CIPHER_ENCRYPT_SETUP : CRYPTO_FID_CIPHER_DECRYPT_SETUP,
        .key_id = key,
        .alg = alg,
    };
    return remote_setup(&iov, &operation->handle, &operation->route);
}

psa_status_t psa_cipher_encrypt_setup(psa_cipher_operation_t *operation, psa_key_id_t key,
                                      psa_algorithm_t alg)
{
    return cipher_setup(operation, key, alg, true);
}

psa_status_t psa_cipher_decrypt_setup(psa_cipher_operation_t *operation, psa_key_id_t key,
                                      psa_algorithm_t alg)
{
    return cipher_setup(operation, key, alg, false);
}

psa_status_t psa_cipher_generate_iv(psa_cipher_operation_t *operation, uint8_t *iv, size_t iv_size,
                                    size_t *iv_length)
{
    *iv_length = 0;
    CORE_REQUIRE_BUFFER(iv, iv_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_cipher_generate_iv(operation, iv, iv_size, iv_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_CIPHER_GENERATE_IV};
        crypto_vecs_t v = {.out = {iv}, .out_size = {iv_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, false);
        *iv_length = v.out_len[0];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_cipher_set_iv(psa_cipher_operation_t *operation, const uint8_t *iv,
                               size_t iv_length)
{
    CORE_REQUIRE_BUFFER(iv, iv_length);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_cipher_set_iv(operation, iv, iv_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_CIPHER_SET_IV};
        crypto_vecs_t v = {.in = {iv}, .in_len = {iv_length}};
        return remote_op(&iov, &v, &operation->handle, &operation->route, false);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_cipher_update(psa_cipher_operation_t *operation, const uint8_t *input,
                               size_t input_length, uint8_t *output, size_t output_size,
                               size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_cipher_update(operation, input, input_length, output, output_size,
                                  output_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_CIPHER_UPDATE};
        crypto_vecs_t v = {
            .in = {input}, .in_len = {input_length}, .out = {output}, .out_size = {output_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, false);
        *output_length = v.out_len[0];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_cipher_finish(psa_cipher_operation_t *operation, uint8_t *output,
                               size_t output_size, size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(output, output_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_cipher_finish(operation, output, output_size, output_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_CIPHER_FINISH};
        crypto_vecs_t v = {.out = {NULL, output}, .out_size = {0, output_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, true);
        *output_length = v.out_len[1];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_cipher_abort(psa_cipher_operation_t *operation)
{
    CRYPTO_REQUIRE_INIT();
    if (operation->route == CRYPTO_ROUTE_LOCAL) {
        return core_cipher_abort(operation);
    }
    return remote_abort(CRYPTO_FID_CIPHER_ABORT, &operation->handle, &operation->route);
}

/* ---- AEAD ----------------------------------------------------------------------------------- */

/*
 * The one-shot AEAD calls carry the nonce inside the 56-byte header, which has room for 16
 * bytes. A longer nonce (GCM accepts up to 128 bytes) is sent through rssd's multi-part calls,
 * which give the same bytes; the output layout (ciphertext then tag) is assembled here.
 */
static psa_status_t aead_multipart_oneshot(bool encrypt, psa_key_id_t key, psa_algorithm_t alg,
                                           const uint8_t *nonce, size_t nonce_length,
                                           const uint8_t *ad, size_t ad_length,
                                           const uint8_t *input, size_t input_length,
                                           uint8_t *output, size_t output_size,
                                           size_t *output_length)
{
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    size_t tag_length = PSA_ALG_AEAD_GET_TAG_LENGTH(alg);
    size_t body_length = input_length;
    if (!encrypt) {
        if (PSA_ALG_IS_AEAD(alg) && input_length < tag_length) {
            return PSA_ERROR_INVALID_SIGNATURE;
        }
        body_length = input_length - tag_length;
    }
    psa_status_t status =
        encrypt ? psa_aead_encrypt_setup(&op, key, alg) : psa_aead_decrypt_setup(&op, key, alg);
    if (status == PSA_SUCCESS) {
        status = psa_aead_set_lengths(&op, ad_length, body_length);
    }
    if (status == PSA_SUCCESS) {
        status = psa_aead_set_nonce(&op, nonce, nonce_length);
    }
    if (status == PSA_SUCCESS) {
        status = psa_aead_update_ad(&op, ad, ad_length);
    }
    size_t done = 0;
    if (status == PSA_SUCCESS) {
        status = psa_aead_update(&op, input, body_length, output, output_size, &done);
    }
    if (status == PSA_SUCCESS && encrypt) {
        uint8_t tag[PSA_AEAD_TAG_MAX_SIZE];
        size_t tag_written = 0;
        size_t last = 0;
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
        size_t last = 0;
        status = psa_aead_verify(&op, output + done, output_size - done, &last, input + body_length,
                                 tag_length);
        done += last;
    }
    psa_aead_abort(&op);
    if (status != PSA_SUCCESS) {
        OPENSSL_cleanse(output, output_size);
        done = 0;
    }
    *output_length = done;
    return status;
}

static psa_status_t aead_oneshot_remote(uint16_t function_id, psa_key_id_t key, psa_algorithm_t alg,
                                        const uint8_t *nonce, size_t nonce_length,
                                        const uint8_t *ad, size_t ad_length, const uint8_t *input,
                                        size_t input_length, uint8_t *output, size_t output_size,
                                        size_t *output_length)
{
    if (nonce_length > CRYPTO_IOVEC_NONCE_MAX) {
        return aead_multipart_oneshot(function_id == CRYPTO_FID_AEAD_ENCRYPT, key, alg, nonce,
                                      nonce_length, ad, ad_length, input, input_length, output,
                                      output_size, output_length);
    }
    crypto_iovec_t iov = {.function_id = function_id,
                          .key_id = key,
                          .alg = alg,
                          .nonce_length = (uint32_t)nonce_length};
    if (nonce_length != 0) {
        memcpy(iov.nonce, nonce, nonce_length);
    }
    crypto_vecs_t v = {.in = {input, ad},
                       .in_len = {input_length, ad_length},
                       .out = {output},
                       .out_size = {output_size}};
    psa_status_t status = crypto_remote(&iov, &v);
    *output_length = v.out_len[0];
    return status;
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
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_aead_encrypt(&crypto_client_local_caller, key, alg, nonce, nonce_length,
                                 additional_data, additional_data_length, plaintext,
                                 plaintext_length, ciphertext, ciphertext_size, ciphertext_length);
    }
    return aead_oneshot_remote(CRYPTO_FID_AEAD_ENCRYPT, key, alg, nonce, nonce_length,
                               additional_data, additional_data_length, plaintext, plaintext_length,
                               ciphertext, ciphertext_size, ciphertext_length);
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
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_aead_decrypt(&crypto_client_local_caller, key, alg, nonce, nonce_length,
                                 additional_data, additional_data_length, ciphertext,
                                 ciphertext_length, plaintext, plaintext_size, plaintext_length);
    }
    return aead_oneshot_remote(CRYPTO_FID_AEAD_DECRYPT, key, alg, nonce, nonce_length,
                               additional_data, additional_data_length, ciphertext,
                               ciphertext_length, plaintext, plaintext_size, plaintext_length);
}

static psa_status_t aead_setup(psa_aead_operation_t *operation, psa_key_id_t key,
                               psa_algorithm_t alg, bool encrypt)
{
    CRYPTO_REQUIRE_INIT();
    bool local = crypto_key_is_local(key);
    psa_status_t status = setup_route_check(CRYPTO_OP_ROUTE(operation), local);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (local) {
        status = encrypt
                     ? core_aead_encrypt_setup(&crypto_client_local_caller, operation, key, alg)
                     : core_aead_decrypt_setup(&crypto_client_local_caller, operation, key, alg);
        return local_setup_done(status, &operation->route);
    }
    crypto_iovec_t iov = {
        .function_id = encrypt ? CRYPTO_FID_AEAD_ENCRYPT_SETUP : CRYPTO_FID_AEAD_DECRYPT_SETUP,
        .key_id = key,
        .alg = alg,
    };
    return remote_setup(&iov, &operation->handle, &operation->route);
}

psa_status_t psa_aead_encrypt_setup(psa_aead_operation_t *operation, psa_key_id_t key,
                                    psa_algorithm_t alg)
{
    return aead_setup(operation, key, alg, true);
}

psa_status_t psa_aead_decrypt_setup(psa_aead_operation_t *operation, psa_key_id_t key,
                                    psa_algorithm_t alg)
{
    return aead_setup(operation, key, alg, false);
}

psa_status_t psa_aead_set_lengths(psa_aead_operation_t *operation, size_t ad_length,
                                  size_t plaintext_length)
{
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_aead_set_lengths(operation, ad_length, plaintext_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        /* The header's length fields are 32-bit; saturating keeps an over-long length over-long,
         * so the core rejects what it would have rejected anyway. */
        crypto_iovec_t iov = {
            .function_id = CRYPTO_FID_AEAD_SET_LENGTHS,
            .ad_length = ad_length > UINT32_MAX ? UINT32_MAX : (uint32_t)ad_length,
            .plaintext_length =
                plaintext_length > UINT32_MAX ? UINT32_MAX : (uint32_t)plaintext_length,
        };
        crypto_vecs_t v = {0};
        return remote_op(&iov, &v, &operation->handle, &operation->route, false);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_aead_generate_nonce(psa_aead_operation_t *operation, uint8_t *nonce,
                                     size_t nonce_size, size_t *nonce_length)
{
    *nonce_length = 0;
    CORE_REQUIRE_BUFFER(nonce, nonce_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_aead_generate_nonce(operation, nonce, nonce_size, nonce_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_AEAD_GENERATE_NONCE};
        crypto_vecs_t v = {.out = {nonce}, .out_size = {nonce_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, false);
        *nonce_length = v.out_len[0];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_aead_set_nonce(psa_aead_operation_t *operation, const uint8_t *nonce,
                                size_t nonce_length)
{
    CORE_REQUIRE_BUFFER(nonce, nonce_length);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_aead_set_nonce(operation, nonce, nonce_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_AEAD_SET_NONCE};
        crypto_vecs_t v = {.in = {nonce}, .in_len = {nonce_length}};
        return remote_op(&iov, &v, &operation->handle, &operation->route, false);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_aead_update_ad(psa_aead_operation_t *operation, const uint8_t *input,
                                size_t input_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_aead_update_ad(operation, input, input_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_AEAD_UPDATE_AD};
        crypto_vecs_t v = {.in = {input}, .in_len = {input_length}};
        return remote_op(&iov, &v, &operation->handle, &operation->route, false);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_aead_update(psa_aead_operation_t *operation, const uint8_t *input,
                             size_t input_length, uint8_t *output, size_t output_size,
                             size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_aead_update(operation, input, input_length, output, output_size, output_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_AEAD_UPDATE};
        crypto_vecs_t v = {
            .in = {input}, .in_len = {input_length}, .out = {output}, .out_size = {output_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, false);
        *output_length = v.out_len[0];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_aead_finish(psa_aead_operation_t *operation, uint8_t *ciphertext,
                             size_t ciphertext_size, size_t *ciphertext_length, uint8_t *tag,
                             size_t tag_size, size_t *tag_length)
{
    *ciphertext_length = 0;
    *tag_length = 0;
    CORE_REQUIRE_BUFFER(ciphertext, ciphertext_size);
    CORE_REQUIRE_BUFFER(tag, tag_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_aead_finish(operation, ciphertext, ciphertext_size, ciphertext_length, tag,
                                tag_size, tag_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_AEAD_FINISH};
        crypto_vecs_t v = {.out = {NULL, tag, ciphertext},
                           .out_size = {0, tag_size, ciphertext_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, true);
        *tag_length = v.out_len[1];
        *ciphertext_length = v.out_len[2];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_aead_verify(psa_aead_operation_t *operation, uint8_t *plaintext,
                             size_t plaintext_size, size_t *plaintext_length, const uint8_t *tag,
                             size_t tag_length)
{
    *plaintext_length = 0;
    CORE_REQUIRE_BUFFER(plaintext, plaintext_size);
    CORE_REQUIRE_BUFFER(tag, tag_length);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_aead_verify(operation, plaintext, plaintext_size, plaintext_length, tag,
                                tag_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_AEAD_VERIFY};
        crypto_vecs_t v = {.in = {tag},
                           .in_len = {tag_length},
                           .out = {NULL, plaintext},
                           .out_size = {0, plaintext_size}};
        psa_status_t status = remote_op(&iov, &v, &operation->handle, &operation->route, true);
        *plaintext_length = v.out_len[1];
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_aead_abort(psa_aead_operation_t *operation)
{
    CRYPTO_REQUIRE_INIT();
    if (operation->route == CRYPTO_ROUTE_LOCAL) {
        return core_aead_abort(operation);
    }
    return remote_abort(CRYPTO_FID_AEAD_ABORT, &operation->handle, &operation->route);
}
