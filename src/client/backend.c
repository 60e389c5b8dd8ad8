/* libpsa's backend: argument records to rssd over RSS comms, or routed per key in split mode. */
#include "api/crypto_front.h"
#include "api/remote.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/client_call.h"
#include "crypto/dispatch.h"

#include <rss/connection.h>
#include <ss/psa_keys.h>

/*
 * Routing (PSA_ROUTING, read once by psa_crypto_init):
 *   enclave (default) - every call goes to rssd; the in-process core is never initialised.
 *   split             - hashing, random numbers and volatile symmetric keys run in-process on
 *                       the same core as libpsa-local; asymmetric and persistent keys stay in
 *                       rssd. A call that names a key runs where the key lives, told by its id:
 *                       ids in CORE_LOCAL_VOLATILE_ID_MIN..MAX are in-process, rssd never hands
 *                       those out (its volatile range is ENCLAVE_VOLATILE_ID_MIN..MAX).
 * Operation objects: `route` says where the operation runs, `handle` is rssd's handle of it,
 * `ctx` is the in-process core's state.
 */

/* The in-process core's only caller; its ids never leave the process. */
static const core_caller_t local_caller = {.owner = 1, .session = 0};

static pthread_once_t routing_once = PTHREAD_ONCE_INIT;
static bool routing_split;
static atomic_bool crypto_initialised;

/* PSA_ROUTING=split selects split mode; anything else (unset, "enclave", a typo) keeps every key
 * in rssd, the isolating default. */
static void routing_read(void)
{
    const char *value = getenv("PSA_ROUTING");
    routing_split = value != NULL && strcmp(value, "split") == 0;
}

const char *rss_connection_routing(void)
{
    pthread_once(&routing_once, routing_read);
    return routing_split ? "split" : "enclave";
}

psa_status_t psa_crypto_init(void)
{
    pthread_once(&routing_once, routing_read);
    if (routing_split) {
        /* The in-process core holds volatile keys only: persistent keys always live in rssd. */
        core_config_t config = {
            .storage = NULL,
            .volatile_id_min = CORE_LOCAL_VOLATILE_ID_MIN,
            .volatile_id_max = CORE_LOCAL_VOLATILE_ID_MAX,
        };
        psa_status_t status = core_crypto_init(&config);
        if (status != PSA_SUCCESS) {
            return status;
        }
    }
    atomic_store(&crypto_initialised, true);
    return PSA_SUCCESS;
}

/* Whether a key with this id lives in this process. */
static bool key_is_local(psa_key_id_t id)
{
    return routing_split && id >= CORE_LOCAL_VOLATILE_ID_MIN && id <= CORE_LOCAL_VOLATILE_ID_MAX;
}

/* Whether a key created with these attributes is created in this process (split mode only:
 * volatile, local location, not asymmetric). */
static bool attributes_are_local(const psa_key_attributes_t *attributes)
{
    psa_key_lifetime_t lifetime = psa_get_key_lifetime(attributes);
    return routing_split && PSA_KEY_LIFETIME_IS_VOLATILE(lifetime) &&
           PSA_KEY_LIFETIME_GET_LOCATION(lifetime) == PSA_KEY_LOCATION_LOCAL_STORAGE &&
           !PSA_KEY_TYPE_IS_ASYMMETRIC(psa_get_key_type(attributes));
}

/* ---- rssd ------------------------------------------------------------------------------------ */

/* One call to rssd: the record onto the vectors of its row, and the reply back into it. */
static psa_status_t enclave_raw(crypto_args_t *a)
{
    crypto_wire_t w;
    psa_status_t status = crypto_args_encode(a, &w);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = client_call(RSS_HANDLE_CRYPTO, PSA_IPC_CALL, w.in, w.in_len, w.out, w.out_len);
    return crypto_args_decode_reply(a, &w, status);
}

/* A record on rssd, keeping the operation object's handle and route (api/remote.h). */
static psa_status_t enclave_call(crypto_args_t *a)
{
    return remote_call(a, enclave_raw);
}

/* ---- the in-process core (split mode) -------------------------------------------------------- */

static psa_status_t local_call(crypto_args_t *a)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    psa_status_t status = crypto_dispatch(&local_caller, a);
    if (status == PSA_SUCCESS && (desc->flags & CRYPTO_CALL_SETUP)) {
        *a->op_ref.route = ROUTE_LOCAL;
    }
    if (status == PSA_SUCCESS && a->function_id == CRYPTO_FID_HASH_CLONE) {
        *a->target_ref.route = ROUTE_LOCAL;
    }
    return status;
}

/* A new key in rssd from attributes and material: an import record. */
static psa_status_t enclave_import(const psa_key_attributes_t *attributes, const uint8_t *data,
                                   size_t length, psa_key_id_t *key)
{
    crypto_args_t a = {.function_id = CRYPTO_FID_IMPORT_KEY,
                       .attributes = *attributes,
                       .in[CRYPTO_IN_INPUT] = data,
                       .in_len[CRYPTO_IN_INPUT] = length};
    psa_status_t status = enclave_raw(&a);
    *key = status == PSA_SUCCESS ? a.new_key : PSA_KEY_ID_NULL;
    return status;
}

static void enclave_destroy(psa_key_id_t key)
{
    crypto_args_t a = {.function_id = CRYPTO_FID_DESTROY_KEY, .key = key};
    (void)enclave_raw(&a);
}

/*
 * A copy runs where its source lives. From an rssd key the copy is made in rssd whatever the
 * target's lifetime (a volatile copy is then an rssd volatile key). From an in-process key to a
 * target that must live in rssd (persistent, or another location), the core's own copy policy
 * (core_copy_prepare) gives the target's attributes and libpsa imports the material into rssd. The
 * material is already in this process, so no secret crosses a boundary it did not cross before.
 */
static psa_status_t copy_key(crypto_args_t *a)
{
    if (!key_is_local(a->key)) {
        return enclave_call(a);
    }
    /* The target inherits the source's type, so judge its side by the source's type. */
    psa_key_attributes_t probe = a->attributes;
    probe.type = PSA_KEY_TYPE_RAW_DATA;
    if (attributes_are_local(&probe)) {
        return local_call(a);
    }
    core_key_t *source = NULL;
    psa_key_attributes_t attr;
    psa_status_t status = core_copy_prepare(&local_caller, a->key, &a->attributes, &source, &attr);
    if (status == PSA_SUCCESS) {
        status = enclave_import(&attr, source->material, source->material_length, &a->new_key);
        core_key_release(source);
    }
    return status;
}

/* An in-process PAKE operation whose shared key must be created in rssd: the secret is taken
 * from the in-process core and imported into rssd -- it moves towards rssd, never out of it. */
static psa_status_t pake_key_to_rssd(crypto_args_t *a)
{
    psa_pake_operation_t *operation = a->op;
    uint8_t secret[CORE_PAKE_SECRET_MAX_SIZE];
    size_t length = 0;
    psa_status_t status =
        core_pake_get_shared_secret(operation, &a->attributes, secret, sizeof(secret), &length);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = enclave_import(&a->attributes, secret, length, &a->new_key);
    OPENSSL_cleanse(secret, sizeof(secret));
    /* Success ends the operation; a failure leaves nothing but abort useful, which an inactive
     * operation answers just as one in its error state does. */
    core_pake_abort(operation);
    return status;
}

/* ---- key derivation in split mode --------------------------------------------------------------
 */

/*
 * Where a key derivation runs is only known once its inputs arrive: in split mode it starts
 * in-process and stays there while its inputs are byte strings, integers and in-process keys.
 * When a call needs rssd (a key that lives there, or an output key that must be created there:
 * persistent or asymmetric), the operation moves to rssd by replaying its transcript -- setup,
 * every input and capacity change, and as many output bytes as were already read, which the KDF
 * reproduces because it is deterministic. The transcript is kept as argument records. An
 * in-process key that was an input is replayed as a temporary rssd volatile key with the same
 * attributes (so rssd applies the same policy), used and destroyed at once; the same happens when
 * an rssd derivation is given an in-process key. The secret moves from the caller's process into
 * rssd, never the other way. In enclave mode every derivation runs in rssd from the start.
 */

/* One transcript entry: a record whose byte input (or key material) is owned here. OUTPUT_BYTES
 * entries count bytes already read (out_size); INPUT_KEY entries hold the key's attributes and
 * material. */
typedef struct kdf_event {
    crypto_args_t a;
    uint8_t *data;
    size_t length;
} kdf_event_t;

/* An in-process derivation: operation->ctx points here, route is LOCAL. */
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

/* Appends an entry (consecutive output reads merge into one). */
static psa_status_t kdf_record(kdf_local_t *k, const crypto_args_t *a, const uint8_t *data,
                               size_t length)
{
    if (a->function_id == CRYPTO_FID_KEY_DERIVATION_OUTPUT_BYTES && k->count > 0 &&
        k->events[k->count - 1].a.function_id == CRYPTO_FID_KEY_DERIVATION_OUTPUT_BYTES) {
        k->events[k->count - 1].a.out_size[CRYPTO_OUT_OUTPUT] += a->out_size[CRYPTO_OUT_OUTPUT];
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
    e->a = (crypto_args_t){.function_id = a->function_id,
                           .step = a->step,
                           .value = a->value,
                           .attributes = a->attributes,
                           .out_size[CRYPTO_OUT_OUTPUT] = a->out_size[CRYPTO_OUT_OUTPUT]};
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

/* input_key / verify_key on an rssd derivation with a key given as attributes and material:
 * imported into rssd as a temporary volatile key, used once and destroyed. */
static psa_status_t kdf_enclave_with_copy(crypto_args_t *a, const psa_key_attributes_t *attributes,
                                          const uint8_t *material, size_t length)
{
    psa_key_id_t temporary = PSA_KEY_ID_NULL;
    psa_status_t status = enclave_import(attributes, material, length, &temporary);
    if (status != PSA_SUCCESS) {
        return status;
    }
    crypto_args_t use = *a;
    use.key = temporary;
    status = enclave_call(&use);
    enclave_destroy(temporary);
    return status;
}

/* A copy of an in-process key: its attributes (volatile, no id) and material. */
static psa_status_t kdf_copy_local_key(psa_key_id_t id, psa_key_attributes_t *attributes,
                                       uint8_t **material, size_t *length)
{
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(&local_caller, id, 0, 0, &key);
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

/* The record `a` (input_key, verify_key) on an rssd derivation, with an in-process key. */
static psa_status_t kdf_enclave_with_local_key(crypto_args_t *a)
{
    psa_key_attributes_t attributes;
    uint8_t *material = NULL;
    size_t length = 0;
    psa_status_t status = kdf_copy_local_key(a->key, &attributes, &material, &length);
    if (status == PSA_SUCCESS) {
        status = kdf_enclave_with_copy(a, &attributes, material, length);
        OPENSSL_clear_free(material, length);
    }
    return status;
}

/* Moves an in-process derivation to rssd (see above) by replaying its transcript. */
static psa_status_t kdf_migrate(const crypto_op_ref_t *o)
{
    kdf_local_t *k = *o->ctx;
    psa_key_derivation_operation_t remote = PSA_KEY_DERIVATION_OPERATION_INIT;
    crypto_op_ref_t r = {&remote.handle, &remote.route, &remote.ctx};
    crypto_args_t setup = {
        .function_id = CRYPTO_FID_KEY_DERIVATION_SETUP, .alg = k->alg, .op_ref = r};
    psa_status_t status = enclave_call(&setup);
    for (size_t i = 0; i < k->count && status == PSA_SUCCESS; i++) {
        kdf_event_t *e = &k->events[i];
        crypto_args_t a = e->a;
        a.op_ref = r;
        if (a.function_id == CRYPTO_FID_KEY_DERIVATION_INPUT_KEY) {
            status = kdf_enclave_with_copy(&a, &e->a.attributes, e->data, e->length);
        } else if (a.function_id == CRYPTO_FID_KEY_DERIVATION_OUTPUT_BYTES) {
            uint8_t scratch[256];
            for (size_t left = e->a.out_size[CRYPTO_OUT_OUTPUT];
                 left > 0 && status == PSA_SUCCESS;) {
                size_t n = left < sizeof(scratch) ? left : sizeof(scratch);
                a.out[CRYPTO_OUT_OUTPUT] = scratch;
                a.out_size[CRYPTO_OUT_OUTPUT] = n;
                status = enclave_call(&a);
                left -= n;
            }
            OPENSSL_cleanse(scratch, sizeof(scratch));
        } else {
            a.in[CRYPTO_IN_INPUT] = e->data;
            a.in_len[CRYPTO_IN_INPUT] = e->length;
            status = enclave_call(&a);
        }
    }
    if (status != PSA_SUCCESS) {
        crypto_args_t abort = {.function_id = CRYPTO_FID_KEY_DERIVATION_ABORT, .op_ref = r};
        (void)enclave_call(&abort);
        return status;
    }
    kdf_local_free(k);
    *o->handle = remote.handle;
    *o->route = remote.route;
    *o->ctx = NULL;
    return PSA_SUCCESS;
}

/* A key derivation record in split mode. */
static psa_status_t kdf_split(crypto_args_t *a)
{
    const crypto_op_ref_t *o = &a->op_ref;
    kdf_local_t *k = *o->route == ROUTE_LOCAL ? *o->ctx : NULL;
    uint16_t fid = a->function_id;
    psa_status_t status;
    if (fid == CRYPTO_FID_KEY_DERIVATION_SETUP) {
        if (*o->route != ROUTE_NONE) {
            return PSA_ERROR_BAD_STATE;
        }
        k = calloc(1, sizeof(*k));
        if (k == NULL) {
            return PSA_ERROR_INSUFFICIENT_MEMORY;
        }
        status = core_key_derivation_setup(&k->core, a->alg);
        if (status != PSA_SUCCESS) {
            kdf_local_free(k);
            return status;
        }
        k->alg = a->alg;
        *o->ctx = k;
        *o->route = ROUTE_LOCAL;
        *o->handle = 0;
        return PSA_SUCCESS;
    }
    if (fid == CRYPTO_FID_KEY_DERIVATION_ABORT && k != NULL) {
        kdf_local_free(k);
        op_clear(o);
        return PSA_SUCCESS;
    }
    bool keyed = fid == CRYPTO_FID_KEY_DERIVATION_INPUT_KEY ||
                 fid == CRYPTO_FID_KEY_DERIVATION_KEY_AGREEMENT ||
                 fid == CRYPTO_FID_KEY_DERIVATION_VERIFY_KEY;
    if (k != NULL &&
        ((keyed && !key_is_local(a->key)) ||
         (fid == CRYPTO_FID_KEY_DERIVATION_OUTPUT_KEY && !attributes_are_local(&a->attributes)))) {
        status = kdf_migrate(o);
        if (status != PSA_SUCCESS) {
            return status;
        }
        k = NULL;
    }
    if (k == NULL) {
        if (*o->route == ROUTE_REMOTE && key_is_local(a->key) &&
            (fid == CRYPTO_FID_KEY_DERIVATION_INPUT_KEY ||
             fid == CRYPTO_FID_KEY_DERIVATION_VERIFY_KEY)) {
            return kdf_enclave_with_local_key(a);
        }
        return enclave_call(a);
    }
    /* In-process: the record runs on the core's own operation object. */
    size_t before = 0;
    (void)core_key_derivation_get_capacity(&k->core, &before);
    a->op = &k->core;
    status = crypto_dispatch(&local_caller, a);
    if (fid != CRYPTO_FID_KEY_DERIVATION_SET_CAPACITY) {
        /* Output the call consumed, whatever it answered (a failed verification takes its
         * bytes, an over-long read the whole capacity, and the operation goes on): replayed as
         * reading that many bytes. */
        size_t after = before;
        if (core_key_derivation_get_capacity(&k->core, &after) == PSA_SUCCESS && after < before) {
            crypto_args_t read = {.function_id = CRYPTO_FID_KEY_DERIVATION_OUTPUT_BYTES,
                                  .out_size[CRYPTO_OUT_OUTPUT] = before - after};
            psa_status_t recorded = kdf_record(k, &read, NULL, 0);
            if (recorded != PSA_SUCCESS) {
                return recorded;
            }
        }
    }
    if (status != PSA_SUCCESS) {
        return status;
    }
    switch (fid) {
    case CRYPTO_FID_KEY_DERIVATION_SET_CAPACITY:
    case CRYPTO_FID_KEY_DERIVATION_INPUT_INTEGER:
        return kdf_record(k, a, NULL, 0);
    case CRYPTO_FID_KEY_DERIVATION_INPUT_BYTES:
        return kdf_record(k, a, a->in[CRYPTO_IN_INPUT], a->in_len[CRYPTO_IN_INPUT]);
    case CRYPTO_FID_KEY_DERIVATION_INPUT_KEY: {
        crypto_args_t input = *a;
        uint8_t *material = NULL;
        size_t length = 0;
        status = kdf_copy_local_key(a->key, &input.attributes, &material, &length);
        if (status == PSA_SUCCESS) {
            status = kdf_record(k, &input, material, length);
            OPENSSL_clear_free(material, length);
        }
        return status;
    }
    default:
        return PSA_SUCCESS;
    }
}

/* ---- the router ------------------------------------------------------------------------------ */

/* A record in split mode: runs where its key, its new key or its operation lives. */
static psa_status_t split_call(crypto_args_t *a)
{
    const crypto_call_desc_t *desc = crypto_call_find(a->function_id);
    uint16_t fid = a->function_id;
    if (desc == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (fid >= CRYPTO_FID_KEY_DERIVATION_SETUP && fid <= CRYPTO_FID_KEY_DERIVATION_VERIFY_KEY) {
        return kdf_split(a);
    }
    const crypto_op_ref_t *o = &a->op_ref;
    if (fid == CRYPTO_FID_PAKE_SETUP) {
        return key_is_local(a->key) ? local_call(a) : enclave_call(a);
    }
    if (desc->flags & CRYPTO_CALL_SETUP) {
        uint32_t route = op_route(o);
        bool local = (desc->iov_fields & CRYPTO_IOV_KEY_ID) == 0 || key_is_local(a->key);
        /* Refused (as the core would) while the object is active locally; runs in-process only
         * on an object that is not active in rssd either. */
        if (route == ROUTE_LOCAL || (local && route == ROUTE_REMOTE)) {
            return PSA_ERROR_BAD_STATE;
        }
        return local ? local_call(a) : enclave_call(a);
    }
    if (desc->flags & CRYPTO_CALL_ABORT) {
        return *o->route == ROUTE_LOCAL ? crypto_dispatch(&local_caller, a) : enclave_call(a);
    }
    if (crypto_call_uses_op(desc)) {
        uint32_t route = op_route(o);
        if (fid == CRYPTO_FID_HASH_CLONE && route != ROUTE_NONE &&
            op_route(&a->target_ref) == (route == ROUTE_LOCAL ? ROUTE_REMOTE : ROUTE_LOCAL)) {
            return PSA_ERROR_BAD_STATE; /* a clone stays on its source's side */
        }
        if (fid == CRYPTO_FID_PAKE_GET_SHARED_KEY && route == ROUTE_LOCAL &&
            !attributes_are_local(&a->attributes)) {
            return pake_key_to_rssd(a);
        }
        return route == ROUTE_LOCAL    ? local_call(a)
               : route == ROUTE_REMOTE ? enclave_call(a)
                                       : PSA_ERROR_BAD_STATE;
    }
    switch (fid) {
    case CRYPTO_FID_COPY_KEY:
        return copy_key(a);
    case CRYPTO_FID_IMPORT_KEY:
    case CRYPTO_FID_GENERATE_KEY:
        return attributes_are_local(&a->attributes) ? local_call(a) : enclave_call(a);
    case CRYPTO_FID_LIST_KEYS: /* persistent keys always live in rssd */
        return enclave_call(a);
    default:
        if (desc->iov_fields & CRYPTO_IOV_KEY_ID) {
            return key_is_local(a->key) ? local_call(a) : enclave_call(a);
        }
        return local_call(a); /* random numbers, hashing */
    }
}

psa_status_t crypto_backend_call(crypto_args_t *a)
{
    if (!atomic_load(&crypto_initialised)) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t answer;
    if (remote_answers_here(a, &answer)) {
        return answer;
    }
    return routing_split ? split_call(a) : enclave_call(a);
}
