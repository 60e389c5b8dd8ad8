/* PAKE entry points: suite and key checks, the common operation states, J-PAKE/SPAKE2+ dispatch. */
#include "core.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pake_internal.h"

/*
 * The operation object's ctx points to a pake_ctx_t. The password is reduced to the protocol's
 * scalar at setup, but the operation still holds the password key until abort, because
 * psa_destroy_key says "If a key is currently in use in a multi-part operation, then destroying
 * the key will cause the multi-part operation to fail" (core.h). Any error from a call on an
 * active operation, BAD_STATE included, sets `failed`: from then on every call but abort answers
 * BAD_STATE, as the specification's error state requires ("If this function returns an error
 * status, the operation enters an error state and must be aborted by calling psa_pake_abort()").
 *
 * Exactly one of jpake / spake2p is set. SPAKE2+ is built for P-256 (the curve whose M and N
 * points are built); its identities and context are optional and go into the transcript.
 */

/* Longest user, peer or context value accepted (a PAKE identity is a short name). */
#define PAKE_ID_MAX 4096u

typedef struct pake_ctx {
    psa_algorithm_t alg;
    core_key_t *key; /* the password key, held from setup to abort */
    bool failed;
    bool role_set;
    bool user_set;
    bool peer_set;
    uint8_t *user;
    size_t user_length;
    uint8_t *peer;
    size_t peer_length;
    bool context_set;
    uint8_t *context;
    size_t context_length;
    uint32_t confirmation; /* PSA_PAKE_CONFIRMED_KEY or PSA_PAKE_UNCONFIRMED_KEY */
    jpake_t *jpake;
    spake2p_t *spake2p;
} pake_ctx_t;

static void pake_ctx_free(pake_ctx_t *p)
{
    if (p == NULL) {
        return;
    }
    jpake_free(p->jpake);
    spake2p_free(p->spake2p);
    free(p->user);
    free(p->peer);
    free(p->context);
    core_key_release(p->key);
    OPENSSL_cleanse(p, sizeof(*p));
    free(p);
}

/* Records a call's outcome: any error puts the operation in its error state. */
static psa_status_t pake_result(pake_ctx_t *p, psa_status_t status)
{
    if (status != PSA_SUCCESS) {
        p->failed = true;
    }
    return status;
}

/* The active, non-failed context of an operation, or NULL (BAD_STATE). An active operation whose
 * password key was destroyed enters the error state here. */
static pake_ctx_t *pake_active(const psa_pake_operation_t *operation)
{
    pake_ctx_t *p = operation->ctx;
    if (p == NULL || p->failed) {
        return NULL;
    }
    if (p->key != NULL && core_key_is_destroyed(p->key)) {
        pake_result(p, PSA_ERROR_BAD_STATE);
        return NULL;
    }
    return p;
}

/* Hash part of a hash-parameterized PAKE algorithm: 0 and ANY_HASH are not hashes. */
static psa_status_t pake_check_hash(psa_algorithm_t alg, psa_algorithm_t *hash_alg)
{
    *hash_alg = PSA_ALG_CATEGORY_HASH | (alg & 0xffu);
    if ((alg & 0xffu) == 0 || *hash_alg == PSA_ALG_ANY_HASH) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return core_hash_md(*hash_alg) != NULL ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
}

/* The J-PAKE suite: SECP R1 primitive, unconfirmed key only (J-PAKE has no confirmation). */
static psa_status_t pake_check_jpake_suite(const psa_pake_cipher_suite_t *suite)
{
    psa_pake_primitive_t primitive = psa_pake_cs_get_primitive(suite);
    uint32_t confirmation = psa_pake_cs_get_key_confirmation(suite);
    if (confirmation != PSA_PAKE_UNCONFIRMED_KEY) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_pake_primitive_type_t type = PSA_PAKE_PRIMITIVE_GET_TYPE(primitive);
    if (type != PSA_PAKE_PRIMITIVE_TYPE_ECC && type != PSA_PAKE_PRIMITIVE_TYPE_DH) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (type != PSA_PAKE_PRIMITIVE_TYPE_ECC ||
        PSA_PAKE_PRIMITIVE_GET_FAMILY(primitive) != PSA_ECC_FAMILY_SECP_R1) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    switch (PSA_PAKE_PRIMITIVE_GET_BITS(primitive)) {
    case 256:
    case 384:
    case 521:
        return PSA_SUCCESS;
    default:
        return PSA_ERROR_NOT_SUPPORTED;
    }
}

/* Whether any step has been taken (set_* calls are refused afterwards). */
static bool pake_started(const pake_ctx_t *p)
{
    return p->jpake != NULL ? jpake_started(p->jpake) : spake2p_started(p->spake2p);
}

/* The SPAKE2+ suite and key: an ECC primitive of the key's family and size, the key a SPAKE2+
 * key of a family this core builds. Either confirmation option is valid. */
static psa_status_t pake_check_spake2p(const psa_pake_cipher_suite_t *suite,
                                       const psa_key_attributes_t *attr)
{
    psa_key_type_t type = psa_get_key_type(attr);
    psa_pake_primitive_t primitive = psa_pake_cs_get_primitive(suite);
    uint32_t confirmation = psa_pake_cs_get_key_confirmation(suite);
    if (!PSA_KEY_TYPE_IS_SPAKE2P(type)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (confirmation != PSA_PAKE_CONFIRMED_KEY && confirmation != PSA_PAKE_UNCONFIRMED_KEY) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (PSA_PAKE_PRIMITIVE_GET_TYPE(primitive) != PSA_PAKE_PRIMITIVE_TYPE_ECC ||
        PSA_PAKE_PRIMITIVE_GET_FAMILY(primitive) != PSA_KEY_TYPE_SPAKE2P_GET_FAMILY(type) ||
        PSA_PAKE_PRIMITIVE_GET_BITS(primitive) != psa_get_key_bits(attr)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    /* Matter's suite is P-256 only. */
    if (psa_pake_cs_get_algorithm(suite) == PSA_ALG_SPAKE2P_MATTER &&
        (PSA_PAKE_PRIMITIVE_GET_FAMILY(primitive) != PSA_ECC_FAMILY_SECP_R1 ||
         PSA_PAKE_PRIMITIVE_GET_BITS(primitive) != 256)) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    return PSA_PAKE_PRIMITIVE_GET_FAMILY(primitive) == PSA_ECC_FAMILY_SECP_R1 &&
                   PSA_PAKE_PRIMITIVE_GET_BITS(primitive) == 256
               ? PSA_SUCCESS
               : PSA_ERROR_NOT_SUPPORTED;
}

psa_status_t core_pake_setup(const core_caller_t *caller, psa_pake_operation_t *operation,
                             psa_key_id_t password_key,
                             const psa_pake_cipher_suite_t *cipher_suite)
{
    if (operation->ctx != NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_algorithm_t alg = psa_pake_cs_get_algorithm(cipher_suite);
    if (!PSA_ALG_IS_PAKE(alg)) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    core_key_t *key = NULL;
    psa_status_t status = core_key_acquire(caller, password_key, PSA_KEY_USAGE_DERIVE, alg, &key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    psa_algorithm_t hash_alg = 0;
    psa_key_type_t type = psa_get_key_type(&key->attr);
    bool spake2p = PSA_ALG_IS_SPAKE2P(alg);
    if (!PSA_ALG_IS_JPAKE(alg) && !spake2p) {
        /* Algorithms this version does not know. */
        status = PSA_ERROR_NOT_SUPPORTED;
    } else if (spake2p) {
        status = pake_check_spake2p(cipher_suite, &key->attr);
        if (status == PSA_SUCCESS) {
            status = pake_check_hash(alg, &hash_alg);
        }
    } else if (type != PSA_KEY_TYPE_PASSWORD && type != PSA_KEY_TYPE_PASSWORD_HASH) {
        status = PSA_ERROR_INVALID_ARGUMENT;
    } else {
        status = pake_check_hash(alg, &hash_alg);
        if (status == PSA_SUCCESS) {
            status = pake_check_jpake_suite(cipher_suite);
        }
    }
    pake_ctx_t *p = NULL;
    if (status == PSA_SUCCESS) {
        p = calloc(1, sizeof(*p));
        status = p != NULL ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    if (status == PSA_SUCCESS) {
        p->alg = alg;
        p->confirmation = psa_pake_cs_get_key_confirmation(cipher_suite);
        size_t bits = PSA_PAKE_PRIMITIVE_GET_BITS(psa_pake_cs_get_primitive(cipher_suite));
        status = spake2p ? spake2p_new(alg, hash_alg, type, bits, key->material,
                                       key->material_length, &p->spake2p)
                         : jpake_new(bits, hash_alg, key->material, key->material_length,
                                     &p->jpake);
    }
    if (status != PSA_SUCCESS) {
        core_key_release(key);
        pake_ctx_free(p);
        return status;
    }
    p->key = key;
    operation->ctx = p;
    return PSA_SUCCESS;
}

psa_status_t core_pake_set_role(psa_pake_operation_t *operation, psa_pake_role_t role)
{
    pake_ctx_t *p = pake_active(operation);
    if (p == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (p->role_set || pake_started(p)) {
        return pake_result(p, PSA_ERROR_BAD_STATE);
    }
    psa_status_t status;
    if (p->spake2p != NULL) {
        status = spake2p_set_role(p->spake2p, role);
        if (status == PSA_SUCCESS) {
            p->role_set = true;
        }
        return pake_result(p, status);
    }
    switch (role) {
    case PSA_PAKE_ROLE_NONE:
        /* J-PAKE is symmetric: no role, or the explicit absence of one. */
        status = PSA_SUCCESS;
        break;
    case PSA_PAKE_ROLE_FIRST:
    case PSA_PAKE_ROLE_SECOND:
    case PSA_PAKE_ROLE_CLIENT:
    case PSA_PAKE_ROLE_SERVER:
        status = PSA_ERROR_INVALID_ARGUMENT;
        break;
    default:
        status = PSA_ERROR_NOT_SUPPORTED;
        break;
    }
    if (status == PSA_SUCCESS) {
        p->role_set = true;
    }
    return pake_result(p, status);
}

/* set_user / set_peer: J-PAKE needs two distinct, non-empty identities (RFC 8236 section 2:
 * a participant must refuse a peer that claims its own identity). SPAKE2+ identities are
 * optional and may be empty (the transcript then holds a zero-length string). */
static psa_status_t pake_set_id(psa_pake_operation_t *operation, bool peer, const uint8_t *id,
                                size_t id_length)
{
    pake_ctx_t *p = pake_active(operation);
    if (p == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if ((peer ? p->peer_set : p->user_set) || pake_started(p)) {
        return pake_result(p, PSA_ERROR_BAD_STATE);
    }
    if (id_length == 0 && p->jpake != NULL) {
        return pake_result(p, PSA_ERROR_INVALID_ARGUMENT);
    }
    if (id_length > PAKE_ID_MAX) {
        return pake_result(p, PSA_ERROR_NOT_SUPPORTED);
    }
    const uint8_t *other = peer ? p->user : p->peer;
    size_t other_length = peer ? p->user_length : p->peer_length;
    if (p->jpake != NULL && other != NULL && other_length == id_length &&
        memcmp(other, id, id_length) == 0) {
        return pake_result(p, PSA_ERROR_INVALID_ARGUMENT);
    }
    uint8_t *copy = malloc(id_length + 1); /* +1: never a zero-size allocation */
    if (copy == NULL) {
        return pake_result(p, PSA_ERROR_INSUFFICIENT_MEMORY);
    }
    if (id_length > 0) {
        memcpy(copy, id, id_length);
    }
    if (peer) {
        p->peer = copy;
        p->peer_length = id_length;
        p->peer_set = true;
    } else {
        p->user = copy;
        p->user_length = id_length;
        p->user_set = true;
    }
    return PSA_SUCCESS;
}

psa_status_t core_pake_set_user(psa_pake_operation_t *operation, const uint8_t *user_id,
                                size_t user_id_len)
{
    return pake_set_id(operation, false, user_id, user_id_len);
}

psa_status_t core_pake_set_peer(psa_pake_operation_t *operation, const uint8_t *peer_id,
                                size_t peer_id_len)
{
    return pake_set_id(operation, true, peer_id, peer_id_len);
}

psa_status_t core_pake_set_context(psa_pake_operation_t *operation, const uint8_t *context,
                                   size_t context_len)
{
    /* J-PAKE takes no context: the specification answers BAD_STATE when the operation's
     * algorithm has no use for this call (and for an inactive operation). SPAKE2+ takes one,
     * once, before the exchange. */
    pake_ctx_t *p = pake_active(operation);
    if (p == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    if (p->spake2p == NULL || p->context_set || pake_started(p)) {
        return pake_result(p, PSA_ERROR_BAD_STATE);
    }
    if (context_len > PAKE_ID_MAX) {
        return pake_result(p, PSA_ERROR_NOT_SUPPORTED);
    }
    uint8_t *copy = malloc(context_len + 1);
    if (copy == NULL) {
        return pake_result(p, PSA_ERROR_INSUFFICIENT_MEMORY);
    }
    if (context_len > 0) {
        memcpy(copy, context, context_len);
    }
    p->context = copy;
    p->context_length = context_len;
    p->context_set = true;
    return PSA_SUCCESS;
}

/* Output and input need the whole set-up: J-PAKE both identities; SPAKE2+ its role, which
 * spake2p.c checks (its identities are optional). NULL: BAD_STATE (an active operation that is
 * not ready enters its error state). */
static pake_ctx_t *pake_ready(const psa_pake_operation_t *operation)
{
    pake_ctx_t *p = pake_active(operation);
    if (p != NULL && p->spake2p == NULL && !(p->user_set && p->peer_set)) {
        pake_result(p, PSA_ERROR_BAD_STATE);
        return NULL;
    }
    return p;
}

/* The transcript's identities: the prover is the client's user and the server's peer. */
static spake2p_ids_t pake_spake2p_ids(const pake_ctx_t *p)
{
    static const uint8_t empty[1] = {0};
    bool client = spake2p_is_client(p->spake2p);
    const uint8_t *user = p->user != NULL ? p->user : empty;
    const uint8_t *peer = p->peer != NULL ? p->peer : empty;
    spake2p_ids_t ids = {
        .context = p->context != NULL ? p->context : empty,
        .context_length = p->context_length,
        .prover = client ? user : peer,
        .prover_length = client ? p->user_length : p->peer_length,
        .verifier = client ? peer : user,
        .verifier_length = client ? p->peer_length : p->user_length,
    };
    return ids;
}

psa_status_t core_pake_output(psa_pake_operation_t *operation, psa_pake_step_t step,
                              uint8_t *output, size_t output_size, size_t *output_length)
{
    *output_length = 0;
    pake_ctx_t *p = pake_ready(operation);
    if (p == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t status;
    if (p->spake2p != NULL) {
        spake2p_ids_t ids = pake_spake2p_ids(p);
        status = spake2p_output(p->spake2p, &ids, step, output, output_size, output_length);
    } else {
        status = jpake_output(p->jpake, p->user, p->user_length, step, output, output_size,
                              output_length);
    }
    return pake_result(p, status);
}

psa_status_t core_pake_input(psa_pake_operation_t *operation, psa_pake_step_t step,
                             const uint8_t *input, size_t input_length)
{
    pake_ctx_t *p = pake_ready(operation);
    if (p == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    psa_status_t status;
    if (p->spake2p != NULL) {
        spake2p_ids_t ids = pake_spake2p_ids(p);
        status = spake2p_input(p->spake2p, &ids, step, input, input_length);
    } else {
        status = jpake_input(p->jpake, p->peer, p->peer_length, step, input, input_length);
    }
    return pake_result(p, status);
}

/* Key types a PAKE secret may become: a J-PAKE secret is a curve point, not a uniformly random
 * string, so only types that go through a derivation or a MAC's own hashing. A SPAKE2+ secret is
 * pseudorandom, and the specification lets such a secret also be a block or stream cipher key
 * (e.g. AES): whether its length suits the cipher is the key creation's check. */
static psa_status_t pake_check_output_attributes(const psa_key_attributes_t *attributes,
                                                 bool pseudorandom)
{
    psa_key_type_t type = psa_get_key_type(attributes);
    if (psa_get_key_bits(attributes) != 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    if (type == PSA_KEY_TYPE_DERIVE || type == PSA_KEY_TYPE_HMAC) {
        return PSA_SUCCESS;
    }
    /* 0x2xxx is the symmetric-cipher category of the key type encoding (AES, ARIA, CAMELLIA,
     * SM4, DES, ChaCha20); raw-category types other than DERIVE and HMAC stay refused. */
    bool cipher = (type & 0x7000u) == 0x2000u;
    return pseudorandom && cipher ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
}

psa_status_t core_pake_get_shared_secret(psa_pake_operation_t *operation,
                                         const psa_key_attributes_t *attributes, uint8_t *output,
                                         size_t output_size, size_t *output_length)
{
    *output_length = 0;
    pake_ctx_t *p = pake_active(operation);
    if (p == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    bool ready = p->jpake != NULL
                     ? jpake_finished(p->jpake)
                     : spake2p_secret_ready(p->spake2p, p->confirmation == PSA_PAKE_CONFIRMED_KEY);
    if (!ready) {
        return pake_result(p, PSA_ERROR_BAD_STATE);
    }
    psa_status_t status = pake_check_output_attributes(attributes, p->spake2p != NULL);
    if (status == PSA_SUCCESS) {
        status = p->jpake != NULL
                     ? jpake_shared_secret(p->jpake, output, output_size, output_length)
                     : spake2p_shared_secret(p->spake2p, output, output_size, output_length);
    }
    return pake_result(p, status);
}

psa_status_t core_pake_get_shared_key(const core_caller_t *caller, psa_pake_operation_t *operation,
                                      const psa_key_attributes_t *attributes, psa_key_id_t *key)
{
    *key = PSA_KEY_ID_NULL;
    uint8_t secret[JPAKE_SECRET_MAX_SIZE];
    size_t secret_length = 0;
    psa_status_t status =
        core_pake_get_shared_secret(operation, attributes, secret, sizeof(secret), &secret_length);
    if (status == PSA_SUCCESS) {
        status = pake_result(operation->ctx, core_key_create(caller, attributes, secret,
                                                             secret_length, key));
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    if (status == PSA_SUCCESS) {
        /* A successful get_shared_key ends the operation. */
        core_pake_abort(operation);
    }
    return status;
}

psa_status_t core_pake_abort(psa_pake_operation_t *operation)
{
    pake_ctx_free(operation->ctx);
    memset(operation, 0, sizeof(*operation));
    return PSA_SUCCESS;
}

psa_status_t core_pake_test_set_ephemeral(psa_pake_operation_t *operation, const uint8_t *scalar,
                                          size_t length)
{
    pake_ctx_t *p = pake_active(operation);
    if (p == NULL || p->spake2p == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    return spake2p_set_ephemeral(p->spake2p, scalar, length);
}
