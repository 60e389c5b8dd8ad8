/* libpsa: crypto initialisation, routing, random numbers, key management and asymmetric calls. */
#include "client/crypto_client.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_call.h"

#include <rss/connection.h>
#include <ss/psa_keys.h>

/* The in-process core's only caller; its ids never leave the process. */
const core_caller_t crypto_client_local_caller = {.owner = 1, .session = 0};

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

bool crypto_client_initialised(void)
{
    return atomic_load(&crypto_initialised);
}

bool crypto_client_split(void)
{
    return routing_split;
}

bool crypto_attributes_are_local(const psa_key_attributes_t *attributes)
{
    psa_key_lifetime_t lifetime = psa_get_key_lifetime(attributes);
    return routing_split && PSA_KEY_LIFETIME_IS_VOLATILE(lifetime) &&
           PSA_KEY_LIFETIME_GET_LOCATION(lifetime) == PSA_KEY_LOCATION_LOCAL_STORAGE &&
           !PSA_KEY_TYPE_IS_ASYMMETRIC(psa_get_key_type(attributes));
}

psa_status_t crypto_remote(const crypto_iovec_t *iov, crypto_vecs_t *vecs)
{
    uint8_t header[CRYPTO_IOVEC_SIZE];
    psa_invec in[PSA_MAX_IOVEC];
    psa_outvec out[PSA_MAX_IOVEC];
    size_t in_len = 0;
    size_t out_len = 0;
    memset(vecs->out_len, 0, sizeof(vecs->out_len));
    psa_status_t status = crypto_call_marshal(iov, vecs->in, vecs->in_len, vecs->out,
                                              vecs->out_size, header, in, &in_len, out, &out_len);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = client_call(RSS_HANDLE_CRYPTO, PSA_IPC_CALL, in, in_len, out, out_len);
    for (size_t i = 0; i < out_len; i++) {
        vecs->out_len[i] = out[i].len <= vecs->out_size[i] ? out[i].len : 0;
    }
    return status;
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

psa_status_t psa_generate_random(uint8_t *output, size_t output_size)
{
    CORE_REQUIRE_BUFFER(output, output_size);
    CRYPTO_REQUIRE_INIT();
    if (output_size == 0) {
        return PSA_SUCCESS;
    }
    if (routing_split) {
        return core_generate_random(output, output_size);
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_GENERATE_RANDOM};
    crypto_vecs_t v = {.out = {output}, .out_size = {output_size}};
    psa_status_t status = crypto_remote(&iov, &v);
    if (status == PSA_SUCCESS && v.out_len[0] != output_size) {
        return PSA_ERROR_COMMUNICATION_FAILURE;
    }
    return status;
}

/* ---- key management ------------------------------------------------------------------------- */

psa_status_t psa_get_key_attributes(psa_key_id_t key, psa_key_attributes_t *attributes)
{
    memset(attributes, 0, sizeof(*attributes));
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_get_key_attributes(&crypto_client_local_caller, key, attributes);
    }
    uint8_t encoded[CRYPTO_ATTRIBUTES_SIZE];
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_GET_KEY_ATTRIBUTES, .key_id = key};
    crypto_vecs_t v = {.out = {encoded}, .out_size = {sizeof(encoded)}};
    psa_status_t status = crypto_remote(&iov, &v);
    if (status == PSA_SUCCESS) {
        status = crypto_attributes_decode(encoded, v.out_len[0], attributes);
        if (status != PSA_SUCCESS) {
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
    }
    return status;
}

void psa_reset_key_attributes(psa_key_attributes_t *attributes)
{
    memset(attributes, 0, sizeof(*attributes));
}

/* A call whose single output is a new key id: import, generate, copy, key agreement, output_key,
 * pake_get_shared_key. `attributes` goes in in_vec[1]; `data` (if any) in in_vec[2]. */
static psa_status_t remote_new_key(crypto_iovec_t *iov, const psa_key_attributes_t *attributes,
                                   const uint8_t *data, size_t data_length, psa_key_id_t *key)
{
    uint8_t encoded[CRYPTO_ATTRIBUTES_SIZE];
    uint8_t id[4];
    crypto_attributes_encode(attributes, encoded);
    crypto_vecs_t v = {.in = {encoded, data},
                       .in_len = {sizeof(encoded), data_length},
                       .out = {id},
                       .out_size = {sizeof(id)}};
    psa_status_t status = crypto_remote(iov, &v);
    *key = status == PSA_SUCCESS ? crypto_out_u32(&v, 0, id) : PSA_KEY_ID_NULL;
    return status;
}

psa_status_t crypto_remote_new_key(crypto_iovec_t *iov, const psa_key_attributes_t *attributes,
                                   const uint8_t *data, size_t data_length, psa_key_id_t *key)
{
    return remote_new_key(iov, attributes, data, data_length, key);
}

psa_status_t psa_import_key(const psa_key_attributes_t *attributes, const uint8_t *data,
                            size_t data_length, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    CORE_REQUIRE_BUFFER(data, data_length);
    CRYPTO_REQUIRE_INIT();
    if (crypto_attributes_are_local(attributes)) {
        return core_import_key(&crypto_client_local_caller, attributes, data, data_length, key);
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_IMPORT_KEY};
    return remote_new_key(&iov, attributes, data, data_length, key);
}

psa_status_t psa_generate_key(const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    CRYPTO_REQUIRE_INIT();
    if (crypto_attributes_are_local(attributes)) {
        return core_generate_key(&crypto_client_local_caller, attributes, key);
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_GENERATE_KEY};
    return remote_new_key(&iov, attributes, NULL, 0, key);
}

/*
 * A copy runs where its source lives. From an rssd key the copy is made in rssd whatever the
 * target's lifetime (a volatile copy is then an rssd volatile key). From an in-process key to a
 * target that must live in rssd (persistent, or another location), libpsa applies the copy
 * policy itself, exactly as the core's copy does (COPY usage on the source, type and bits match,
 * usage intersected, algorithm policies intersected), and imports the material into rssd. The
 * material is already in this process, so no secret crosses a boundary it did not cross before.
 */
static psa_status_t copy_local_to_enclave(psa_key_id_t source_key,
                                          const psa_key_attributes_t *attributes,
                                          psa_key_id_t *target_key)
{
    core_key_t *source = NULL;
    psa_status_t status =
        core_key_acquire(&crypto_client_local_caller, source_key, PSA_KEY_USAGE_COPY, 0, &source);
    if (status != PSA_SUCCESS) {
        return status;
    }
    psa_key_attributes_t attr = *attributes;
    if ((attr.type != 0 && attr.type != source->attr.type) ||
        (attr.bits != 0 && attr.bits != source->attr.bits) ||
        !core_alg_intersect(source->attr.alg, attr.alg, source->attr.type, &attr.alg)) {
        core_key_release(source);
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    attr.type = source->attr.type;
    attr.bits = source->attr.bits;
    attr.usage = source->attr.usage & core_usage_with_implied(attr.usage);
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_IMPORT_KEY};
    status = remote_new_key(&iov, &attr, source->material, source->material_length, target_key);
    core_key_release(source);
    return status;
}

psa_status_t psa_copy_key(psa_key_id_t source_key, const psa_key_attributes_t *attributes,
                          psa_key_id_t *target_key)
{
    *target_key = PSA_KEY_ID_NULL;
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(source_key)) {
        psa_key_attributes_t target = *attributes;
        /* The target inherits the source's type, so judge its side by the source's type. */
        psa_key_attributes_t probe = target;
        probe.type = PSA_KEY_TYPE_RAW_DATA;
        if (crypto_attributes_are_local(&probe)) {
            return core_copy_key(&crypto_client_local_caller, source_key, &target, target_key);
        }
        return copy_local_to_enclave(source_key, attributes, target_key);
    }
    crypto_iovec_t iov = {.function_id = CRYPTO_FID_COPY_KEY, .key_id = source_key};
    return remote_new_key(&iov, attributes, NULL, 0, target_key);
}

/* A call that names a key and carries nothing else: destroy, purge. */
static psa_status_t remote_key_only(uint16_t function_id, psa_key_id_t key)
{
    crypto_iovec_t iov = {.function_id = function_id, .key_id = key};
    crypto_vecs_t v = {0};
    return crypto_remote(&iov, &v);
}

psa_status_t psa_destroy_key(psa_key_id_t key)
{
    CRYPTO_REQUIRE_INIT();
    if (key == PSA_KEY_ID_NULL) {
        return PSA_SUCCESS;
    }
    if (crypto_key_is_local(key)) {
        return core_destroy_key(&crypto_client_local_caller, key);
    }
    return remote_key_only(CRYPTO_FID_DESTROY_KEY, key);
}

psa_status_t psa_purge_key(psa_key_id_t key)
{
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_purge_key(&crypto_client_local_caller, key);
    }
    return remote_key_only(CRYPTO_FID_PURGE_KEY, key);
}

/* One input (optional), one byte-string output: export, sign, cipher/mac/hash compute, ... */
psa_status_t crypto_remote_bytes(uint16_t function_id, psa_key_id_t key, psa_algorithm_t alg,
                                 const uint8_t *in0, size_t in0_length, const uint8_t *in1,
                                 size_t in1_length, uint8_t *output, size_t output_size,
                                 size_t *output_length)
{
    crypto_iovec_t iov = {.function_id = function_id, .key_id = key, .alg = alg};
    crypto_vecs_t v = {.in = {in0, in1},
                       .in_len = {in0_length, in1_length},
                       .out = {output},
                       .out_size = {output_size}};
    psa_status_t status = crypto_remote(&iov, &v);
    *output_length = v.out_len[0];
    return status;
}

psa_status_t psa_export_key(psa_key_id_t key, uint8_t *data, size_t data_size, size_t *data_length)
{
    *data_length = 0;
    CORE_REQUIRE_BUFFER(data, data_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_export_key(&crypto_client_local_caller, key, data, data_size, data_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_EXPORT_KEY, key, 0, NULL, 0, NULL, 0, data, data_size,
                               data_length);
}

psa_status_t psa_export_public_key(psa_key_id_t key, uint8_t *data, size_t data_size,
                                   size_t *data_length)
{
    *data_length = 0;
    CORE_REQUIRE_BUFFER(data, data_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_export_public_key(&crypto_client_local_caller, key, data, data_size,
                                      data_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_EXPORT_PUBLIC_KEY, key, 0, NULL, 0, NULL, 0, data,
                               data_size, data_length);
}

/* Persistent keys always live in rssd (split mode included), so rssd answers. */
psa_status_t ss_list_keys(psa_key_id_t after, psa_key_id_t *ids, size_t max, size_t *count)
{
    *count = 0;
    CRYPTO_REQUIRE_INIT();
    if (ids == NULL && max > 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    uint8_t encoded[4 * CRYPTO_LIST_KEYS_MAX];
    while (*count < max) {
        size_t want = max - *count < CRYPTO_LIST_KEYS_MAX ? max - *count : CRYPTO_LIST_KEYS_MAX;
        size_t length = 0;
        psa_status_t status = crypto_remote_bytes(CRYPTO_FID_LIST_KEYS, after, 0, NULL, 0, NULL, 0,
                                                  encoded, 4 * want, &length);
        if (status != PSA_SUCCESS) {
            *count = 0;
            return status;
        }
        if (length % 4 != 0 || length > 4 * want) {
            *count = 0;
            return PSA_ERROR_COMMUNICATION_FAILURE;
        }
        for (size_t i = 0; i < length / 4; i++) {
            psa_key_id_t id = (psa_key_id_t)encoded[4 * i] | (psa_key_id_t)encoded[4 * i + 1] << 8 |
                              (psa_key_id_t)encoded[4 * i + 2] << 16 |
                              (psa_key_id_t)encoded[4 * i + 3] << 24;
            if (id <= after) { /* the answer must ascend past the cursor */
                *count = 0;
                return PSA_ERROR_COMMUNICATION_FAILURE;
            }
            ids[(*count)++] = id;
            after = id;
        }
        if (length / 4 < want) {
            break;
        }
    }
    return PSA_SUCCESS;
}

/* ---- asymmetric ----------------------------------------------------------------------------- */

psa_status_t psa_sign_message(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                              size_t input_length, uint8_t *signature, size_t signature_size,
                              size_t *signature_length)
{
    *signature_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(signature, signature_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_sign_message(&crypto_client_local_caller, key, alg, input, input_length,
                                 signature, signature_size, signature_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_SIGN_MESSAGE, key, alg, input, input_length, NULL, 0,
                               signature, signature_size, signature_length);
}

psa_status_t psa_verify_message(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                size_t input_length, const uint8_t *signature,
                                size_t signature_length)
{
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(signature, signature_length);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_verify_message(&crypto_client_local_caller, key, alg, input, input_length,
                                   signature, signature_length);
    }
    size_t unused = 0;
    return crypto_remote_bytes(CRYPTO_FID_VERIFY_MESSAGE, key, alg, input, input_length, signature,
                               signature_length, NULL, 0, &unused);
}

psa_status_t psa_sign_hash(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *hash,
                           size_t hash_length, uint8_t *signature, size_t signature_size,
                           size_t *signature_length)
{
    *signature_length = 0;
    CORE_REQUIRE_BUFFER(hash, hash_length);
    CORE_REQUIRE_BUFFER(signature, signature_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_sign_hash(&crypto_client_local_caller, key, alg, hash, hash_length, signature,
                              signature_size, signature_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_SIGN_HASH, key, alg, hash, hash_length, NULL, 0,
                               signature, signature_size, signature_length);
}

psa_status_t psa_verify_hash(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *hash,
                             size_t hash_length, const uint8_t *signature, size_t signature_length)
{
    CORE_REQUIRE_BUFFER(hash, hash_length);
    CORE_REQUIRE_BUFFER(signature, signature_length);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_verify_hash(&crypto_client_local_caller, key, alg, hash, hash_length, signature,
                                signature_length);
    }
    size_t unused = 0;
    return crypto_remote_bytes(CRYPTO_FID_VERIFY_HASH, key, alg, hash, hash_length, signature,
                               signature_length, NULL, 0, &unused);
}

psa_status_t psa_asymmetric_encrypt(psa_key_id_t key, psa_algorithm_t alg, const uint8_t *input,
                                    size_t input_length, const uint8_t *salt, size_t salt_length,
                                    uint8_t *output, size_t output_size, size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(input, input_length);
    CORE_REQUIRE_BUFFER(salt, salt_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_asymmetric_encrypt(&crypto_client_local_caller, key, alg, input, input_length,
                                       salt, salt_length, output, output_size, output_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_ASYMMETRIC_ENCRYPT, key, alg, input, input_length, salt,
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
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(key)) {
        return core_asymmetric_decrypt(&crypto_client_local_caller, key, alg, input, input_length,
                                       salt, salt_length, output, output_size, output_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_ASYMMETRIC_DECRYPT, key, alg, input, input_length, salt,
                               salt_length, output, output_size, output_length);
}

psa_status_t psa_raw_key_agreement(psa_algorithm_t alg, psa_key_id_t private_key,
                                   const uint8_t *peer_key, size_t peer_key_length, uint8_t *output,
                                   size_t output_size, size_t *output_length)
{
    *output_length = 0;
    CORE_REQUIRE_BUFFER(peer_key, peer_key_length);
    CORE_REQUIRE_BUFFER(output, output_size);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(private_key)) {
        return core_raw_key_agreement(&crypto_client_local_caller, alg, private_key, peer_key,
                                      peer_key_length, output, output_size, output_length);
    }
    return crypto_remote_bytes(CRYPTO_FID_RAW_KEY_AGREEMENT, private_key, alg, peer_key,
                               peer_key_length, NULL, 0, output, output_size, output_length);
}

psa_status_t psa_key_agreement(psa_key_id_t private_key, const uint8_t *peer_key,
                               size_t peer_key_length, psa_algorithm_t alg,
                               const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    CORE_REQUIRE_BUFFER(peer_key, peer_key_length);
    CRYPTO_REQUIRE_INIT();
    if (crypto_key_is_local(private_key)) {
        return core_key_agreement(&crypto_client_local_caller, private_key, peer_key,
                                  peer_key_length, alg, attributes, key);
    }
    crypto_iovec_t iov = {
        .function_id = CRYPTO_FID_KEY_AGREEMENT, .key_id = private_key, .alg = alg};
    return remote_new_key(&iov, attributes, peer_key, peer_key_length, key);
}
