/* libpsa: key derivation (with its split-mode placement) and the PAKE calls. */
#include "client/crypto_client.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/*
 * Where a key derivation runs is only known once its inputs arrive: in split mode it starts
 * in-process and stays there while its inputs are byte strings, integers and in-process keys.
 * When a call needs rssd (a key that lives there, or an output key that must be created there:
 * persistent or asymmetric), the operation moves to rssd by replaying its transcript -- setup,
 * every input and capacity change, and as many output bytes as were already read, which the KDF
 * reproduces because it is deterministic. An in-process key that was an input is replayed as a
 * temporary rssd volatile key with the same attributes (so rssd applies the same policy), used
 * and destroyed at once; the same happens when an rssd derivation is given an in-process key.
 * The secret moves from the caller's process into rssd, never the other way.
 * In enclave mode every derivation runs in rssd from the start.
 */

typedef enum kdf_event_kind {
    KDF_EVENT_BYTES,
    KDF_EVENT_INTEGER,
    KDF_EVENT_CAPACITY,
    KDF_EVENT_OUTPUT,
    KDF_EVENT_KEY, /* an in-process key: attributes and material copied at input time */
} kdf_event_kind_t;

typedef struct kdf_event {
    kdf_event_kind_t kind;
    psa_key_derivation_step_t step;
    uint64_t value; /* integer, capacity, or number of output bytes */
    uint8_t *data;
    size_t length;
    psa_key_attributes_t key_attributes;
} kdf_event_t;

/* An in-process derivation in split mode: operation->ctx points here, route is LOCAL. */
typedef struct kdf_local {
    psa_key_derivation_operation_t core; /* the core's operation object */
    psa_algorithm_t alg;
    kdf_event_t *events;
    size_t count;
    size_t capacity;
} kdf_local_t;

static void kdf_local_free(kdf_local_t *k)
{
    core_key_derivation_abort(&k->core);
    for (size_t i = 0; i < k->count; i++) {
        if (k->events[i].data != NULL) {
            OPENSSL_clear_free(k->events[i].data, k->events[i].length);
        }
    }
    free(k->events);
    OPENSSL_cleanse(k, sizeof(*k));
    free(k);
}

static psa_status_t kdf_record(kdf_local_t *k, kdf_event_kind_t kind,
                               psa_key_derivation_step_t step, uint64_t value, const uint8_t *data,
                               size_t length)
{
    if (kind == KDF_EVENT_OUTPUT && k->count > 0 &&
        k->events[k->count - 1].kind == KDF_EVENT_OUTPUT) {
        k->events[k->count - 1].value += value;
        return PSA_SUCCESS;
    }
    if (k->count == k->capacity) {
        size_t n = k->capacity == 0 ? 8 : 2 * k->capacity;
        kdf_event_t *grown = realloc(k->events, n * sizeof(*grown));
        if (grown == NULL) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        k->events = grown;
        k->capacity = n;
    }
    kdf_event_t *e = &k->events[k->count];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->step = step;
    e->value = value;
    if (length != 0) {
        e->data = OPENSSL_malloc(length);
        if (e->data == NULL) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        memcpy(e->data, data, length);
        e->length = length;
    }
    k->count++;
    return PSA_SUCCESS;
}

static kdf_local_t *kdf_local(const psa_key_derivation_operation_t *operation)
{
    return operation->route == CRYPTO_ROUTE_LOCAL ? operation->ctx : NULL;
}

static psa_status_t kdf_copy_local_key(psa_key_id_t id, psa_key_attributes_t *attributes,
                                       uint8_t **material, size_t *length);

/* Records an in-process key input with a copy of the key, for a later move to rssd. */
static psa_status_t kdf_record_key(kdf_local_t *k, psa_key_derivation_step_t step, psa_key_id_t id)
{
    psa_key_attributes_t attributes;
    uint8_t *material = NULL;
    size_t length = 0;
    psa_status_t status = kdf_copy_local_key(id, &attributes, &material, &length);
    if (status == PSA_SUCCESS) {
        status = kdf_record(k, KDF_EVENT_KEY, step, 0, material, length);
        if (status == PSA_SUCCESS) {
            k->events[k->count - 1].key_attributes = attributes;
        }
        OPENSSL_clear_free(material, length);
    }
    return status;
}

/* ---- rssd side ----------------------------------------------------------------------------------
 */

static psa_status_t kdf_remote(crypto_iovec_t *iov, crypto_vecs_t *v,
                               psa_key_derivation_operation_t *operation)
{
    iov->op_handle = operation->handle;
    return crypto_remote(iov, v);
}

static psa_status_t kdf_remote_setup(psa_key_derivation_operation_t *operation, psa_algorithm_t alg)
{
    uint8_t out[4];
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_SETUP,
                          .alg = alg,
                          .op_handle =
                              operation->route == CRYPTO_ROUTE_ENCLAVE ? operation->handle : 0};
    crypto_vecs_t v = {.out = {out}, .out_size = {sizeof(out)}};
    psa_status_t status = crypto_remote(&iov, &v);
    if (status == PSA_SUCCESS) {
        operation->handle = crypto_out_u32(&v, 0, out);
        operation->route = CRYPTO_ROUTE_ENCLAVE;
    } else if (status != PSA_ERROR_BAD_STATE && status != PSA_ERROR_COMMUNICATION_FAILURE) {
        operation->handle = 0;
        operation->route = CRYPTO_ROUTE_NONE;
    }
    return status;
}

static psa_status_t kdf_remote_abort(psa_key_derivation_operation_t *operation)
{
    uint8_t out[4];
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_ABORT};
    crypto_vecs_t v = {.out = {out}, .out_size = {sizeof(out)}};
    psa_status_t status = kdf_remote(&iov, &v, operation);
    memset(operation, 0, sizeof(*operation));
    return status == PSA_ERROR_COMMUNICATION_FAILURE ? status : PSA_SUCCESS;
}

static psa_status_t kdf_remote_output(psa_key_derivation_operation_t *operation, uint8_t *output,
                                      size_t output_length)
{
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_OUTPUT_BYTES};
    crypto_vecs_t v = {.out = {output}, .out_size = {output_length}};
    psa_status_t status = kdf_remote(&iov, &v, operation);
    if (status == PSA_SUCCESS && v.out_len[0] != output_length) {
        status = PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return status;
}

/* A copy of an in-process key: its attributes (volatile, no id) and material. */
static psa_status_t kdf_copy_local_key(psa_key_id_t id, psa_key_attributes_t *attributes,
                                       uint8_t **material, size_t *length)
{
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(&crypto_client_local_caller, id, 0, 0, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    *attributes = key->attr;
    psa_set_key_lifetime(attributes, PSA_KEY_LIFETIME_VOLATILE);
    *material = OPENSSL_malloc(key->material_length != 0 ? key->material_length : 1);
    if (*material == NULL) {
        status = PSA_ERROR_INSUFFICIENT_MEMORY;
    } else {
        memcpy(*material, key->material, key->material_length);
        *length = key->material_length;
    }
    core_key_release(key);
    return status;
}

/* input_key / verify_key on an rssd derivation with a key given as attributes and material:
 * imported into rssd as a temporary volatile key, used once and destroyed. */
static psa_status_t kdf_remote_with_copy(psa_key_derivation_operation_t *operation,
                                         uint16_t function_id, psa_key_derivation_step_t step,
                                         const psa_key_attributes_t *attributes,
                                         const uint8_t *material, size_t length)
{
    psa_key_id_t temporary = PSA_KEY_ID_NULL;
    crypto_iovec_t import = {.function_id = CRYPTO_FID_IMPORT_KEY};
    psa_status_t status = crypto_remote_new_key(&import, attributes, material, length, &temporary);
    if (status != PSA_SUCCESS) {
        return status;
    }
    crypto_iovec_t iov = {.function_id = function_id, .step = step, .key_id = temporary};
    crypto_vecs_t v = {0};
    status = kdf_remote(&iov, &v, operation);
    crypto_iovec_t destroy = {.function_id = CRYPTO_FID_DESTROY_KEY, .key_id = temporary};
    crypto_vecs_t none = {0};
    (void)crypto_remote(&destroy, &none);
    return status;
}

/* The same with an in-process key named by id. */
static psa_status_t kdf_remote_with_local_key(psa_key_derivation_operation_t *operation,
                                              uint16_t function_id, psa_key_derivation_step_t step,
                                              psa_key_id_t key)
{
    psa_key_attributes_t attributes;
    uint8_t *material = NULL;
    size_t length = 0;
    psa_status_t status = kdf_copy_local_key(key, &attributes, &material, &length);
    if (status == PSA_SUCCESS) {
        status = kdf_remote_with_copy(operation, function_id, step, &attributes, material, length);
        OPENSSL_clear_free(material, length);
    }
    return status;
}

/* Moves an in-process derivation to rssd (see the comment at the top). */
static psa_status_t kdf_migrate(psa_key_derivation_operation_t *operation)
{
    kdf_local_t *k = kdf_local(operation);
    psa_key_derivation_operation_t remote = PSA_KEY_DERIVATION_OPERATION_INIT;
    psa_status_t status = kdf_remote_setup(&remote, k->alg);
    for (size_t i = 0; i < k->count && status == PSA_SUCCESS; i++) {
        const kdf_event_t *e = &k->events[i];
        crypto_iovec_t iov = {.step = e->step, .value = e->value};
        crypto_vecs_t v = {0};
        switch (e->kind) {
        case KDF_EVENT_BYTES:
            iov.function_id = CRYPTO_FID_KEY_DERIVATION_INPUT_BYTES;
            v.in[0] = e->data;
            v.in_len[0] = e->length;
            status = kdf_remote(&iov, &v, &remote);
            break;
        case KDF_EVENT_INTEGER:
            iov.function_id = CRYPTO_FID_KEY_DERIVATION_INPUT_INTEGER;
            status = kdf_remote(&iov, &v, &remote);
            break;
        case KDF_EVENT_CAPACITY:
            iov.function_id = CRYPTO_FID_KEY_DERIVATION_SET_CAPACITY;
            status = kdf_remote(&iov, &v, &remote);
            break;
        case KDF_EVENT_KEY:
            status = kdf_remote_with_copy(&remote, CRYPTO_FID_KEY_DERIVATION_INPUT_KEY, e->step,
                                          &e->key_attributes, e->data, e->length);
            break;
        case KDF_EVENT_OUTPUT: {
            uint8_t scratch[256];
            for (uint64_t left = e->value; left > 0 && status == PSA_SUCCESS;) {
                size_t n = left < sizeof(scratch) ? (size_t)left : sizeof(scratch);
                status = kdf_remote_output(&remote, scratch, n);
                left -= n;
            }
            OPENSSL_cleanse(scratch, sizeof(scratch));
            break;
        }
        }
    }
    if (status != PSA_SUCCESS) {
        if (remote.route == CRYPTO_ROUTE_ENCLAVE) {
            kdf_remote_abort(&remote);
        }
        return status;
    }
    kdf_local_free(k);
    *operation = remote;
    return PSA_SUCCESS;
}

/* ---- the API -------------------------------------------------------------------------------- */

psa_status_t psa_key_derivation_setup(psa_key_derivation_operation_t *operation,
                                      psa_algorithm_t alg)
{
    CRYPTO_REQUIRE_INIT();
    if (operation->route == CRYPTO_ROUTE_LOCAL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (!crypto_client_split()) {
        return kdf_remote_setup(operation, alg);
    }
    if (operation->route == CRYPTO_ROUTE_ENCLAVE) {
        return PSA_ERROR_BAD_STATE;
    }
    kdf_local_t *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t status = core_key_derivation_setup(&k->core, alg);
    if (status != PSA_SUCCESS) {
        kdf_local_free(k);
        return status;
    }
    k->alg = alg;
    operation->ctx = k;
    operation->route = CRYPTO_ROUTE_LOCAL;
    operation->handle = 0;
    return PSA_SUCCESS;
}

psa_status_t psa_key_derivation_get_capacity(const psa_key_derivation_operation_t *operation,
                                             size_t *capacity)
{
    CRYPTO_REQUIRE_INIT();
    kdf_local_t *k = kdf_local(operation);
    if (k != NULL) {
        return core_key_derivation_get_capacity(&k->core, capacity);
    }
    if (operation->route != CRYPTO_ROUTE_ENCLAVE) {
        return PSA_ERROR_BAD_STATE;
    }
    /* 8 bytes: this project's extension of TF-M's 4-byte rot_size_t, so an unlimited capacity
     * (SIZE_MAX) survives the trip. */
    uint8_t out[8];
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_GET_CAPACITY,
                          .op_handle = operation->handle};
    crypto_vecs_t v = {.out = {out}, .out_size = {sizeof(out)}};
    psa_status_t status = crypto_remote(&iov, &v);
    if (status == PSA_SUCCESS) {
        if (v.out_len[0] != sizeof(out)) {
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
        uint64_t value = wire_load_u64(out);
        *capacity = value > SIZE_MAX ? SIZE_MAX : (size_t)value;
    }
    return status;
}

psa_status_t psa_key_derivation_set_capacity(psa_key_derivation_operation_t *operation,
                                             size_t capacity)
{
    CRYPTO_REQUIRE_INIT();
    kdf_local_t *k = kdf_local(operation);
    if (k != NULL) {
        psa_status_t status = core_key_derivation_set_capacity(&k->core, capacity);
        return status == PSA_SUCCESS ? kdf_record(k, KDF_EVENT_CAPACITY, 0, capacity, NULL, 0)
                                     : status;
    }
    if (operation->route != CRYPTO_ROUTE_ENCLAVE) {
        return PSA_ERROR_BAD_STATE;
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_SET_CAPACITY, .value = capacity};
    crypto_vecs_t v = {0};
    return kdf_remote(&iov, &v, operation);
}

psa_status_t psa_key_derivation_input_bytes(psa_key_derivation_operation_t *operation,
                                            psa_key_derivation_step_t step, const uint8_t *data,
                                            size_t data_length)
{
    CORE_REQUIRE_BUFFER(data, data_length);
    CRYPTO_REQUIRE_INIT();
    kdf_local_t *k = kdf_local(operation);
    if (k != NULL) {
        psa_status_t status = core_key_derivation_input_bytes(&k->core, step, data, data_length);
        return status == PSA_SUCCESS ? kdf_record(k, KDF_EVENT_BYTES, step, 0, data, data_length)
                                     : status;
    }
    if (operation->route != CRYPTO_ROUTE_ENCLAVE) {
        return PSA_ERROR_BAD_STATE;
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_INPUT_BYTES, .step = step};
    crypto_vecs_t v = {.in = {data}, .in_len = {data_length}};
    return kdf_remote(&iov, &v, operation);
}

psa_status_t psa_key_derivation_input_integer(psa_key_derivation_operation_t *operation,
                                              psa_key_derivation_step_t step, uint64_t value)
{
    CRYPTO_REQUIRE_INIT();
    kdf_local_t *k = kdf_local(operation);
    if (k != NULL) {
        psa_status_t status = core_key_derivation_input_integer(&k->core, step, value);
        return status == PSA_SUCCESS ? kdf_record(k, KDF_EVENT_INTEGER, step, value, NULL, 0)
                                     : status;
    }
    if (operation->route != CRYPTO_ROUTE_ENCLAVE) {
        return PSA_ERROR_BAD_STATE;
    }
    crypto_iovec_t iov = {
        .function_id = CRYPTO_FID_KEY_DERIVATION_INPUT_INTEGER, .step = step, .value = value};
    crypto_vecs_t v = {0};
    return kdf_remote(&iov, &v, operation);
}

/* Input of a key (input_key, key_agreement's private key, verify_key's expected key): runs where
 * the key lives, moving an in-process derivation to rssd when the key is there. Returns
 * PSA_SUCCESS with *local set when the caller should use the in-process core. An rssd derivation
 * given an in-process key takes a temporary copy of it (kdf_remote_with_local_key). */
static psa_status_t kdf_place_for_key(psa_key_derivation_operation_t *operation, psa_key_id_t key,
                                      bool *local)
{
    *local = false;
    kdf_local_t *k = kdf_local(operation);
    if (k != NULL) {
        if (crypto_key_is_local(key)) {
            *local = true;
            return PSA_SUCCESS;
        }
        return kdf_migrate(operation);
    }
    return operation->route == CRYPTO_ROUTE_ENCLAVE ? PSA_SUCCESS : PSA_ERROR_BAD_STATE;
}

psa_status_t psa_key_derivation_input_key(psa_key_derivation_operation_t *operation,
                                          psa_key_derivation_step_t step, psa_key_id_t key)
{
    CRYPTO_REQUIRE_INIT();
    bool local = false;
    psa_status_t status = kdf_place_for_key(operation, key, &local);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (local) {
        kdf_local_t *k = kdf_local(operation);
        status = core_key_derivation_input_key(&crypto_client_local_caller, &k->core, step, key);
        if (status == PSA_SUCCESS) {
            status = kdf_record_key(k, step, key);
        }
        return status;
    }
    if (crypto_key_is_local(key)) {
        return kdf_remote_with_local_key(operation, CRYPTO_FID_KEY_DERIVATION_INPUT_KEY, step, key);
    }
    crypto_iovec_t iov = {
        .function_id = CRYPTO_FID_KEY_DERIVATION_INPUT_KEY, .step = step, .key_id = key};
    crypto_vecs_t v = {0};
    return kdf_remote(&iov, &v, operation);
}

psa_status_t psa_key_derivation_key_agreement(psa_key_derivation_operation_t *operation,
                                              psa_key_derivation_step_t step,
                                              psa_key_id_t private_key, const uint8_t *peer_key,
                                              size_t peer_key_length)
{
    CORE_REQUIRE_BUFFER(peer_key, peer_key_length);
    CRYPTO_REQUIRE_INIT();
    bool local = false;
    psa_status_t status = kdf_place_for_key(operation, private_key, &local);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (local) {
        kdf_local_t *k = kdf_local(operation);
        status = core_key_derivation_key_agreement(&crypto_client_local_caller, &k->core, step,
                                                   private_key, peer_key, peer_key_length);
        return status;
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_KEY_AGREEMENT,
                          .step = step,
                          .key_id = private_key};
    crypto_vecs_t v = {.in = {peer_key}, .in_len = {peer_key_length}};
    return kdf_remote(&iov, &v, operation);
}

psa_status_t psa_key_derivation_output_bytes(psa_key_derivation_operation_t *operation,
                                             uint8_t *output, size_t output_length)
{
    CORE_REQUIRE_BUFFER(output, output_length);
    CRYPTO_REQUIRE_INIT();
    kdf_local_t *k = kdf_local(operation);
    if (k != NULL) {
        psa_status_t status = core_key_derivation_output_bytes(&k->core, output, output_length);
        return status == PSA_SUCCESS ? kdf_record(k, KDF_EVENT_OUTPUT, 0, output_length, NULL, 0)
                                     : status;
    }
    if (operation->route != CRYPTO_ROUTE_ENCLAVE) {
        return PSA_ERROR_BAD_STATE;
    }
    return kdf_remote_output(operation, output, output_length);
}

psa_status_t psa_key_derivation_output_key(const psa_key_attributes_t *attributes,
                                           psa_key_derivation_operation_t *operation,
                                           psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    CRYPTO_REQUIRE_INIT();
    kdf_local_t *k = kdf_local(operation);
    if (k != NULL) {
        if (crypto_attributes_are_local(attributes)) {
            size_t before = 0;
            (void)core_key_derivation_get_capacity(&k->core, &before);
            psa_status_t status = core_key_derivation_output_key(&crypto_client_local_caller,
                                                                 attributes, &k->core, key);
            size_t after = before;
            if (status == PSA_SUCCESS &&
                core_key_derivation_get_capacity(&k->core, &after) == PSA_SUCCESS) {
                status = kdf_record(k, KDF_EVENT_OUTPUT, 0, before - after, NULL, 0);
            }
            return status;
        }
        psa_status_t status = kdf_migrate(operation);
        if (status != PSA_SUCCESS) {
            return status;
        }
    }
    if (operation->route != CRYPTO_ROUTE_ENCLAVE) {
        return PSA_ERROR_BAD_STATE;
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_OUTPUT_KEY,
                          .op_handle = operation->handle};
    return crypto_remote_new_key(&iov, attributes, NULL, 0, key);
}

psa_status_t psa_key_derivation_verify_bytes(psa_key_derivation_operation_t *operation,
                                             const uint8_t *expected_output, size_t output_length)
{
    CORE_REQUIRE_BUFFER(expected_output, output_length);
    CRYPTO_REQUIRE_INIT();
    kdf_local_t *k = kdf_local(operation);
    if (k != NULL) {
        psa_status_t status =
            core_key_derivation_verify_bytes(&k->core, expected_output, output_length);
        return status == PSA_SUCCESS ? kdf_record(k, KDF_EVENT_OUTPUT, 0, output_length, NULL, 0)
                                     : status;
    }
    if (operation->route != CRYPTO_ROUTE_ENCLAVE) {
        return PSA_ERROR_BAD_STATE;
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_VERIFY_BYTES};
    crypto_vecs_t v = {.in = {expected_output}, .in_len = {output_length}};
    return kdf_remote(&iov, &v, operation);
}

psa_status_t psa_key_derivation_verify_key(psa_key_derivation_operation_t *operation,
                                           psa_key_id_t expected)
{
    CRYPTO_REQUIRE_INIT();
    bool local = false;
    psa_status_t status = kdf_place_for_key(operation, expected, &local);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (local) {
        kdf_local_t *k = kdf_local(operation);
        return core_key_derivation_verify_key(&crypto_client_local_caller, &k->core, expected);
    }
    if (crypto_key_is_local(expected)) {
        return kdf_remote_with_local_key(operation, CRYPTO_FID_KEY_DERIVATION_VERIFY_KEY, 0,
                                         expected);
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_KEY_DERIVATION_VERIFY_KEY, .key_id = expected};
    crypto_vecs_t v = {0};
    return kdf_remote(&iov, &v, operation);
}

psa_status_t psa_key_derivation_abort(psa_key_derivation_operation_t *operation)
{
    CRYPTO_REQUIRE_INIT();
    kdf_local_t *k = kdf_local(operation);
    if (k != NULL) {
        kdf_local_free(k);
        memset(operation, 0, sizeof(*operation));
        return PSA_SUCCESS;
    }
    if (operation->route == CRYPTO_ROUTE_ENCLAVE) {
        return kdf_remote_abort(operation);
    }
    memset(operation, 0, sizeof(*operation));
    return PSA_SUCCESS;
}

/* ---- PAKE ----------------------------------------------------------------------------------- */

/*
 * A PAKE operation runs where its password key lives: in split mode an in-process password key
 * gives an in-process operation (route LOCAL), any other key an rssd operation (route ENCLAVE,
 * function ids 0x0A00-0x0A08). The only call that can cross over is get_shared_key from an
 * in-process operation asked for a key that must live in rssd (persistent or not local): the
 * secret is taken from the in-process core and imported into rssd -- it moves towards rssd,
 * never out of it.
 */

static psa_status_t pake_remote(psa_pake_operation_t *operation, crypto_iovec_t *iov,
                                crypto_vecs_t *v)
{
    iov->op_handle = operation->handle;
    return crypto_remote(iov, v);
}

psa_status_t psa_pake_setup(psa_pake_operation_t *operation, psa_key_id_t password_key,
                            const psa_pake_cipher_suite_t *cipher_suite)
{
    CRYPTO_REQUIRE_INIT();
    if (operation->route != CRYPTO_ROUTE_NONE) {
        return PSA_ERROR_BAD_STATE;
    }
    if (crypto_key_is_local(password_key)) {
        psa_status_t status =
            core_pake_setup(&crypto_client_local_caller, operation, password_key, cipher_suite);
        if (status == PSA_SUCCESS) {
            operation->route = CRYPTO_ROUTE_LOCAL;
            operation->handle = 0;
        }
        return status;
    }
    uint8_t suite[CRYPTO_PAKE_SUITE_SIZE];
    uint8_t out[4];
    crypto_pake_suite_encode(cipher_suite, suite);
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_PAKE_SETUP, .key_id = password_key};
    crypto_vecs_t v = {
        .in = {suite}, .in_len = {sizeof(suite)}, .out = {out}, .out_size = {sizeof(out)}};
    psa_status_t status = crypto_remote(&iov, &v);
    if (status == PSA_SUCCESS) {
        operation->handle = crypto_out_u32(&v, 0, out);
        operation->route = operation->handle != 0 ? CRYPTO_ROUTE_ENCLAVE : CRYPTO_ROUTE_NONE;
        if (operation->handle == 0) {
            status = PSA_ERROR_COMMUNICATION_FAILURE;
        }
    }
    return status;
}

psa_status_t psa_pake_set_role(psa_pake_operation_t *operation, psa_pake_role_t role)
{
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_pake_set_role(operation, role);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_PAKE_SET_ROLE, .value = role};
        crypto_vecs_t v = {0};
        return pake_remote(operation, &iov, &v);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

/* set_user, set_peer, set_context. */
static psa_status_t pake_set_bytes(psa_pake_operation_t *operation, uint16_t function_id,
                                   const uint8_t *data, size_t length)
{
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return function_id == CRYPTO_FID_PAKE_SET_USER ? core_pake_set_user(operation, data, length)
               : function_id == CRYPTO_FID_PAKE_SET_PEER
                   ? core_pake_set_peer(operation, data, length)
                   : core_pake_set_context(operation, data, length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = function_id};
        crypto_vecs_t v = {.in = {data}, .in_len = {length}};
        return pake_remote(operation, &iov, &v);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_pake_set_user(psa_pake_operation_t *operation, const uint8_t *user_id,
                               size_t user_id_len)
{
    CORE_REQUIRE_BUFFER(user_id, user_id_len);
    return pake_set_bytes(operation, CRYPTO_FID_PAKE_SET_USER, user_id, user_id_len);
}

psa_status_t psa_pake_set_peer(psa_pake_operation_t *operation, const uint8_t *peer_id,
                               size_t peer_id_len)
{
    CORE_REQUIRE_BUFFER(peer_id, peer_id_len);
    return pake_set_bytes(operation, CRYPTO_FID_PAKE_SET_PEER, peer_id, peer_id_len);
}

psa_status_t psa_pake_set_context(psa_pake_operation_t *operation, const uint8_t *context,
                                  size_t context_len)
{
    CORE_REQUIRE_BUFFER(context, context_len);
    return pake_set_bytes(operation, CRYPTO_FID_PAKE_SET_CONTEXT, context, context_len);
}

psa_status_t psa_pake_output(psa_pake_operation_t *operation, psa_pake_step_t step, uint8_t *output,
                             size_t output_size, size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(output, output_size);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_pake_output(operation, step, output, output_size, output_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_PAKE_OUTPUT, .step = step};
        crypto_vecs_t v = {.out = {output}, .out_size = {output_size}};
        psa_status_t status = pake_remote(operation, &iov, &v);
        if (status == PSA_SUCCESS) {
            *output_length = v.out_len[0];
        }
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_pake_input(psa_pake_operation_t *operation, psa_pake_step_t step,
                            const uint8_t *input, size_t input_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        return core_pake_input(operation, step, input, input_length);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_PAKE_INPUT, .step = step};
        crypto_vecs_t v = {.in = {input}, .in_len = {input_length}};
        return pake_remote(operation, &iov, &v);
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

/* An in-process operation whose shared key must be created in rssd. */
static psa_status_t pake_local_key_to_rssd(psa_pake_operation_t *operation,
                                           const psa_key_attributes_t *attributes,
                                           psa_key_id_t *key)
{
    uint8_t secret[CORE_PAKE_SECRET_MAX_SIZE];
    size_t length = 0;
    psa_status_t status =
        core_pake_get_shared_secret(operation, attributes, secret, sizeof(secret), &length);
    if (status != PSA_SUCCESS) {
        return status;
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_IMPORT_KEY};
    status = crypto_remote_new_key(&iov, attributes, secret, length, key);
    OPENSSL_cleanse(secret, sizeof(secret));
    /* Success ends the operation; a failure leaves nothing but abort useful, which an inactive
     * operation answers just as one in its error state does. */
    core_pake_abort(operation);
    return status;
}

psa_status_t psa_pake_get_shared_key(psa_pake_operation_t *operation,
                                     const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    CRYPTO_REQUIRE_INIT();
    switch (CRYPTO_OP_ROUTE(operation)) {
    case CRYPTO_ROUTE_LOCAL:
        if (crypto_attributes_are_local(attributes)) {
            return core_pake_get_shared_key(&crypto_client_local_caller, operation, attributes,
                                            key);
        }
        return pake_local_key_to_rssd(operation, attributes, key);
    case CRYPTO_ROUTE_ENCLAVE: {
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_PAKE_GET_SHARED_KEY,
                              .op_handle = operation->handle};
        psa_status_t status = crypto_remote_new_key(&iov, attributes, NULL, 0, key);
        if (status == PSA_SUCCESS) {
            /* rssd ended the operation. */
            memset(operation, 0, sizeof(*operation));
        }
        return status;
    }
    default:
        return PSA_ERROR_BAD_STATE;
    }
}

psa_status_t psa_pake_abort(psa_pake_operation_t *operation)
{
    CRYPTO_REQUIRE_INIT();
    psa_status_t status = PSA_SUCCESS;
    if (operation->route == CRYPTO_ROUTE_ENCLAVE) {
        uint8_t out[4];
        crypto_iovec_t iov = {.function_id = CRYPTO_FID_PAKE_ABORT, .op_handle = operation->handle};
        crypto_vecs_t v = {.out = {out}, .out_size = {sizeof(out)}};
        status = crypto_remote(&iov, &v);
        memset(operation, 0, sizeof(*operation));
        return status == PSA_ERROR_COMMUNICATION_FAILURE ? status : PSA_SUCCESS;
    }
    if (operation->route == CRYPTO_ROUTE_LOCAL) {
        return core_pake_abort(operation);
    }
    memset(operation, 0, sizeof(*operation));
    return status;
}
