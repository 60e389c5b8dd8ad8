/* PSA MAC family: HMAC and CMAC on OpenSSL EVP_MAC, CBC-MAC on an EVP CBC cipher, truncation. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core.h"

/* Largest full-length MAC (HMAC-SHA-512 / HMAC-SHA3-512). */
#define MAC_MAX_LENGTH 64u
/* Largest cipher block handled by CMAC and CBC-MAC. */
#define MAC_MAX_BLOCK 16u
/* Shortest truncated MAC accepted: the specification leaves the minimum to the implementation
 * (it must not be zero); shorter tags are too easy to guess to be worth supporting. */
#define MAC_MIN_TRUNCATED_LENGTH 4u
/* CBC-MAC one-shot input is encrypted through a stack buffer of this size. */
#define MAC_CBC_CHUNK 1024u

typedef enum mac_family { MAC_HMAC, MAC_CMAC, MAC_CBC } mac_family_t;

/* What an algorithm means for a given key, resolved once per call. */
typedef struct mac_spec {
    mac_family_t family;
    psa_algorithm_t base;  /* full-length algorithm: also the key cache kind */
    const EVP_MD *md;      /* HMAC */
    const EVP_CIPHER *cbc; /* CMAC, CBC-MAC: the block cipher in CBC mode */
    size_t full_length;    /* untruncated MAC length */
    size_t length;         /* output length after truncation */
} mac_spec_t;

/* ---- OpenSSL objects ----------------------------------------------------------------------- */

/* Fetched once per process and read-only afterwards; block ciphers come from core_cipher_evp. */
static EVP_MAC *mac_evp_hmac;
static EVP_MAC *mac_evp_cmac;
static pthread_once_t mac_fetch_once = PTHREAD_ONCE_INIT;

static void mac_fetch_all(void)
{
    mac_evp_hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    mac_evp_cmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_CMAC, NULL);
}

static bool mac_is_block_cipher_type(psa_key_type_t type)
{
    return type == PSA_KEY_TYPE_AES || type == PSA_KEY_TYPE_ARIA || type == PSA_KEY_TYPE_CAMELLIA ||
           type == PSA_KEY_TYPE_SM4 || type == PSA_KEY_TYPE_DES;
}

/* ---- algorithm resolution ------------------------------------------------------------------ */

/* Step 1 of the validation order: the value must name one specific MAC algorithm. The
 * at-least-this-length form is a policy wildcard, not an algorithm one can compute. */
static psa_status_t mac_check_category(psa_algorithm_t alg)
{
    if (!PSA_ALG_IS_MAC(alg) || (alg & PSA_ALG_MAC_AT_LEAST_THIS_LENGTH_FLAG) != 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    return PSA_SUCCESS;
}

/* Step 3: the key type must suit the algorithm, and the combination must be one we support. */
static psa_status_t mac_resolve(const core_key_t *key, psa_algorithm_t alg, mac_spec_t *spec)
{
    psa_key_type_t type = key->attr.type;
    pthread_once(&mac_fetch_once, mac_fetch_all);
    memset(spec, 0, sizeof(*spec));
    spec->base = PSA_ALG_FULL_LENGTH_MAC(alg);

    if (PSA_ALG_IS_HMAC(spec->base)) {
        if (type != PSA_KEY_TYPE_HMAC) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        psa_algorithm_t hash = PSA_ALG_HMAC_GET_HASH(spec->base);
        /* HMAC is defined over a fixed-output hash; an XOF has no HMAC. */
        spec->md = hash == PSA_ALG_SHAKE256_512 ? NULL : core_hash_md(hash);
        if (spec->md == NULL || mac_evp_hmac == NULL) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        spec->family = MAC_HMAC;
        spec->full_length = (size_t)EVP_MD_get_size(spec->md);
    } else if (spec->base == PSA_ALG_CMAC || spec->base == PSA_ALG_CBC_MAC) {
        if (!mac_is_block_cipher_type(type) || core_key_is_xts_only(type, key->attr.bits)) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        /* Single DES lives in OpenSSL's legacy provider, which the CMAC implementation of the
         * default library context cannot use; it is not offered for either MAC. */
        if (type != PSA_KEY_TYPE_DES || key->attr.bits != 64) {
            spec->cbc = core_cipher_evp(type, key->attr.bits, "CBC");
        }
        if (spec->cbc == NULL) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        spec->family = spec->base == PSA_ALG_CMAC ? MAC_CMAC : MAC_CBC;
        if (spec->family == MAC_CMAC && mac_evp_cmac == NULL) {
            return PSA_ERROR_NOT_SUPPORTED;
        }
        spec->full_length = (size_t)EVP_CIPHER_get_block_size(spec->cbc);
    } else {
        return PSA_ERROR_NOT_SUPPORTED;
    }

    size_t truncated = (alg & PSA_ALG_MAC_TRUNCATION_MASK) >> 16;
    if (truncated == 0) {
        spec->length = spec->full_length;
    } else if (truncated > spec->full_length) {
        return PSA_ERROR_INVALID_ARGUMENT;
    } else if (truncated < MAC_MIN_TRUNCATED_LENGTH) {
        return PSA_ERROR_NOT_SUPPORTED;
    } else {
        spec->length = truncated;
    }
    return PSA_SUCCESS;
}

/* ---- keyed engines ------------------------------------------------------------------------- */

static void mac_free_evp_mac_ctx(void *object)
{
    EVP_MAC_CTX_free(object);
}

static void mac_free_cipher_ctx(void *object)
{
    EVP_CIPHER_CTX_free(object);
}

static const uint8_t mac_zero_iv[MAC_MAX_BLOCK];

/* Builds a context keyed with the key's material, ready for input. */
static void *mac_engine_new(const core_key_t *key, const mac_spec_t *spec)
{
    if (spec->family == MAC_CBC) {
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        if (ctx == NULL) {
            return NULL;
        }
        if (!EVP_EncryptInit_ex2(ctx, spec->cbc, key->material, mac_zero_iv, NULL) ||
            !EVP_CIPHER_CTX_set_padding(ctx, 0)) {
            EVP_CIPHER_CTX_free(ctx);
            return NULL;
        }
        return ctx;
    }

    OSSL_PARAM params[2];
    EVP_MAC_CTX *ctx;
    if (spec->family == MAC_HMAC) {
        ctx = EVP_MAC_CTX_new(mac_evp_hmac);
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                     (char *)EVP_MD_get0_name(spec->md), 0);
    } else {
        ctx = EVP_MAC_CTX_new(mac_evp_cmac);
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
                                                     (char *)EVP_CIPHER_get0_name(spec->cbc), 0);
    }
    params[1] = OSSL_PARAM_construct_end();
    if (ctx == NULL) {
        return NULL;
    }
    if (!EVP_MAC_init(ctx, key->material, key->material_length, params)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static void mac_engine_free(const mac_spec_t *spec, void *engine)
{
    if (spec->family == MAC_CBC) {
        EVP_CIPHER_CTX_free(engine);
    } else {
        EVP_MAC_CTX_free(engine);
    }
}

/* Restarts a keyed context for a new message; OpenSSL keeps the key when none is given. */
static bool mac_engine_restart(const mac_spec_t *spec, void *engine)
{
    if (spec->family == MAC_CBC) {
        return EVP_EncryptInit_ex2(engine, NULL, NULL, mac_zero_iv, NULL) == 1;
    }
    return EVP_MAC_init(engine, NULL, 0, NULL) == 1;
}

static void *mac_engine_dup(const mac_spec_t *spec, void *engine)
{
    if (spec->family == MAC_CBC) {
        EVP_CIPHER_CTX *copy = EVP_CIPHER_CTX_new();
        if (copy != NULL && !EVP_CIPHER_CTX_copy(copy, engine)) {
            EVP_CIPHER_CTX_free(copy);
            copy = NULL;
        }
        return copy;
    }
    return EVP_MAC_CTX_dup(engine);
}

/* Takes the key's parked engine for this algorithm, or builds one. Either way it is restarted
 * and ready for a new message. */
static void *mac_engine_take(core_key_t *key, const mac_spec_t *spec)
{
    void *engine = core_key_cache_take(key, spec->base);
    if (engine != NULL) {
        if (mac_engine_restart(spec, engine)) {
            return engine;
        }
        mac_engine_free(spec, engine);
    }
    return mac_engine_new(key, spec);
}

static void mac_engine_give(core_key_t *key, const mac_spec_t *spec, void *engine)
{
    core_key_cache_give(key, spec->base, engine,
                        spec->family == MAC_CBC ? mac_free_cipher_ctx : mac_free_evp_mac_ctx);
}

/* CBC-MAC over whole blocks: encrypts through a stack buffer and keeps the last block, which
 * is the chaining value. */
static bool mac_cbc_blocks(EVP_CIPHER_CTX *ctx, size_t block, const uint8_t *input,
                           size_t input_length, uint8_t *last)
{
    uint8_t buf[MAC_CBC_CHUNK];
    bool ok = true;
    while (input_length > 0 && ok) {
        size_t n = input_length < sizeof(buf) ? input_length : sizeof(buf);
        int out = 0;
        ok = core_stream_await(input, n) && EVP_EncryptUpdate(ctx, buf, &out, input, (int)n) == 1 &&
             (size_t)out == n;
        if (ok) {
            memcpy(last, buf + n - block, block);
        }
        input += n;
        input_length -= n;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return ok;
}

/* One-shot full-length MAC of input into out (spec->full_length bytes). */
static psa_status_t mac_oneshot(core_key_t *key, const mac_spec_t *spec, const uint8_t *input,
                                size_t input_length, uint8_t *out)
{
    if (spec->family == MAC_CBC && (input_length == 0 || input_length % spec->full_length != 0)) {
        /* CBC-MAC is defined on whole blocks only (no padding scheme is specified). */
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    void *engine = mac_engine_take(key, spec);
    if (engine == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    bool ok;
    if (spec->family == MAC_CBC) {
        ok = mac_cbc_blocks(engine, spec->full_length, input, input_length, out);
    } else {
        /* Streamed input is authenticated as it arrives. */
        ok = true;
        for (size_t done = 0, n; ok && done < input_length; done += n) {
            n = core_stream_chunk(input + done, input_length - done);
            ok = core_stream_await(input + done, n) && EVP_MAC_update(engine, input + done, n) == 1;
        }
        size_t n = 0;
        ok = ok && EVP_MAC_final(engine, out, &n, MAC_MAX_LENGTH) == 1 && n == spec->full_length;
    }
    if (!ok) {
        mac_engine_free(spec, engine);
        return PSA_ERROR_GENERIC_ERROR;
    }
    mac_engine_give(key, spec, engine);
    return PSA_SUCCESS;
}

/* Validation steps 1-3 shared by every entry point that names a key. */
static psa_status_t mac_prepare(const core_caller_t *caller, psa_key_id_t key_id,
                                psa_key_usage_t usage, psa_algorithm_t alg, core_key_t **key,
                                mac_spec_t *spec)
{
    psa_status_t status = mac_check_category(alg);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = core_key_acquire(caller, key_id, usage, alg, key);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = mac_resolve(*key, alg, spec);
    if (status != PSA_SUCCESS) {
        core_key_release(*key);
        *key = NULL;
    }
    return status;
}

psa_status_t core_mac_compute(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                              const uint8_t *input, size_t input_length, uint8_t *mac,
                              size_t mac_size, size_t *mac_length)
{
    core_key_t *slot = NULL;
    mac_spec_t spec;
    uint8_t full[MAC_MAX_LENGTH];
    *mac_length = 0;
    psa_status_t status = mac_prepare(caller, key, PSA_KEY_USAGE_SIGN_MESSAGE, alg, &slot, &spec);
    if (status != PSA_SUCCESS) {
        return status;
    }
    if (mac_size < spec.length) {
        status = PSA_ERROR_BUFFER_TOO_SMALL;
    } else {
        status = mac_oneshot(slot, &spec, input, input_length, full);
    }
    core_key_release(slot);
    if (status == PSA_SUCCESS) {
        memcpy(mac, full, spec.length);
        *mac_length = spec.length;
    }
    OPENSSL_cleanse(full, sizeof(full));
    return status;
}

psa_status_t core_mac_verify(const core_caller_t *caller, psa_key_id_t key, psa_algorithm_t alg,
                             const uint8_t *input, size_t input_length, const uint8_t *mac,
                             size_t mac_length)
{
    core_key_t *slot = NULL;
    mac_spec_t spec;
    uint8_t full[MAC_MAX_LENGTH];
    psa_status_t status = mac_prepare(caller, key, PSA_KEY_USAGE_VERIFY_MESSAGE, alg, &slot, &spec);
    if (status != PSA_SUCCESS) {
        return status;
    }
    status = mac_oneshot(slot, &spec, input, input_length, full);
    core_key_release(slot);
    if (status == PSA_SUCCESS &&
        (mac_length != spec.length || CRYPTO_memcmp(full, mac, spec.length) != 0)) {
        status = PSA_ERROR_INVALID_SIGNATURE;
    }
    OPENSSL_cleanse(full, sizeof(full));
    return status;
}

/* ---- multi-part ---------------------------------------------------------------------------- */

typedef struct mac_op {
    mac_spec_t spec;
    core_key_t *key; /* held from setup to abort: destroying it makes the operation fail */
    void *engine;    /* EVP_MAC_CTX (HMAC, CMAC) or EVP_CIPHER_CTX (CBC-MAC); NULL once failed */
    bool is_sign;
    bool failed; /* error state: only abort is accepted */
    /* CBC-MAC: bytes of an incomplete block, and the last cipher block produced. */
    uint8_t pending[MAC_MAX_BLOCK];
    size_t pending_length;
    uint8_t last[MAC_MAX_BLOCK];
    bool any_block;
} mac_op_t;

static void mac_op_free(mac_op_t *op)
{
    if (op != NULL) {
        if (op->engine != NULL) {
            mac_engine_free(&op->spec, op->engine);
        }
        core_key_release(op->key);
        OPENSSL_cleanse(op, sizeof(*op));
        free(op);
    }
}

/* The error state: "If this function returns an error status, the operation enters an error state
 * and must be aborted by calling psa_mac_abort()". The keyed engine goes at once. */
static psa_status_t mac_op_fail(mac_op_t *op, psa_status_t status)
{
    op->failed = true;
    if (op->engine != NULL) {
        mac_engine_free(&op->spec, op->engine);
        op->engine = NULL;
    }
    OPENSSL_cleanse(op->pending, sizeof(op->pending));
    OPENSSL_cleanse(op->last, sizeof(op->last));
    return status;
}

/* The operation when it is active and its key still exists, else NULL with the status to return:
 * BAD_STATE for an inactive operation (it stays inactive) or one in its error state, and for an
 * active one whose key was destroyed (which then enters the error state; see core.h). */
static mac_op_t *mac_op_active(const psa_mac_operation_t *operation, psa_status_t *status)
{
    mac_op_t *op = operation->ctx;
    *status = PSA_ERROR_BAD_STATE;
    if (op == NULL || op->failed) {
        return NULL;
    }
    if (core_key_is_destroyed(op->key)) {
        mac_op_fail(op, PSA_ERROR_BAD_STATE);
        return NULL;
    }
    return op;
}

psa_status_t core_mac_abort(psa_mac_operation_t *operation)
{
    mac_op_free(operation->ctx);
    memset(operation, 0, sizeof(*operation));
    return PSA_SUCCESS;
}

/* A failed setup leaves the operation inactive, so it can be set up again. */
static psa_status_t mac_setup(const core_caller_t *caller, psa_mac_operation_t *operation,
                              psa_key_id_t key, psa_algorithm_t alg, bool is_sign)
{
    core_key_t *slot = NULL;
    if (operation->ctx != NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    mac_op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    psa_status_t status = mac_prepare(
        caller, key, is_sign ? PSA_KEY_USAGE_SIGN_MESSAGE : PSA_KEY_USAGE_VERIFY_MESSAGE, alg,
        &slot, &op->spec);
    if (status != PSA_SUCCESS) {
        free(op);
        return status;
    }
    /* The operation works on its own copy of the key's parked engine, so one-shot calls keep
     * their cache; it holds the key itself only to notice a destroy. */
    void *cached = mac_engine_take(slot, &op->spec);
    if (cached != NULL) {
        op->engine = mac_engine_dup(&op->spec, cached);
        mac_engine_give(slot, &op->spec, cached);
    }
    op->key = slot;
    if (op->engine == NULL) {
        mac_op_free(op);
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    op->is_sign = is_sign;
    operation->ctx = op;
    return PSA_SUCCESS;
}

psa_status_t core_mac_sign_setup(const core_caller_t *caller, psa_mac_operation_t *operation,
                                 psa_key_id_t key, psa_algorithm_t alg)
{
    return mac_setup(caller, operation, key, alg, true);
}

psa_status_t core_mac_verify_setup(const core_caller_t *caller, psa_mac_operation_t *operation,
                                   psa_key_id_t key, psa_algorithm_t alg)
{
    return mac_setup(caller, operation, key, alg, false);
}

static bool mac_cbc_update(mac_op_t *op, const uint8_t *input, size_t input_length)
{
    size_t block = op->spec.full_length;
    if (op->pending_length > 0) {
        size_t n = block - op->pending_length;
        if (n > input_length) {
            n = input_length;
        }
        if (n > 0) { /* input may be NULL when empty */
            memcpy(op->pending + op->pending_length, input, n);
        }
        op->pending_length += n;
        input += n;
        input_length -= n;
        if (op->pending_length < block) {
            return true;
        }
        if (!mac_cbc_blocks(op->engine, block, op->pending, block, op->last)) {
            return false;
        }
        op->pending_length = 0;
        op->any_block = true;
    }
    size_t whole = input_length - input_length % block;
    if (whole > 0) {
        if (!mac_cbc_blocks(op->engine, block, input, whole, op->last)) {
            return false;
        }
        op->any_block = true;
    }
    if (input_length > whole) {
        memcpy(op->pending, input + whole, input_length - whole);
    }
    op->pending_length = input_length - whole;
    return true;
}

psa_status_t core_mac_update(psa_mac_operation_t *operation, const uint8_t *input,
                             size_t input_length)
{
    psa_status_t status;
    mac_op_t *op = mac_op_active(operation, &status);
    if (op == NULL) {
        return status;
    }
    if (input_length == 0) {
        return PSA_SUCCESS;
    }
    bool ok = op->spec.family == MAC_CBC ? mac_cbc_update(op, input, input_length)
                                         : EVP_MAC_update(op->engine, input, input_length) == 1;
    if (!ok) {
        return mac_op_fail(op, PSA_ERROR_GENERIC_ERROR);
    }
    return PSA_SUCCESS;
}

/* Produces the full-length MAC of everything passed to update. */
static psa_status_t mac_op_final(mac_op_t *op, uint8_t *out)
{
    if (op->spec.family == MAC_CBC) {
        if (op->pending_length != 0 || !op->any_block) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        memcpy(out, op->last, op->spec.full_length);
        return PSA_SUCCESS;
    }
    size_t n = 0;
    if (EVP_MAC_final(op->engine, out, &n, MAC_MAX_LENGTH) != 1 || n != op->spec.full_length) {
        return PSA_ERROR_GENERIC_ERROR;
    }
    return PSA_SUCCESS;
}

psa_status_t core_mac_sign_finish(psa_mac_operation_t *operation, uint8_t *mac, size_t mac_size,
                                  size_t *mac_length)
{
    uint8_t full[MAC_MAX_LENGTH];
    psa_status_t status;
    mac_op_t *op = mac_op_active(operation, &status);
    *mac_length = 0;
    if (op == NULL) {
        return status;
    }
    if (!op->is_sign) {
        return mac_op_fail(op, PSA_ERROR_BAD_STATE);
    }
    status = PSA_ERROR_BUFFER_TOO_SMALL;
    if (mac_size >= op->spec.length) {
        status = mac_op_final(op, full);
    }
    if (status != PSA_SUCCESS) {
        return mac_op_fail(op, status);
    }
    memcpy(mac, full, op->spec.length);
    *mac_length = op->spec.length;
    OPENSSL_cleanse(full, sizeof(full));
    return core_mac_abort(operation);
}

psa_status_t core_mac_verify_finish(psa_mac_operation_t *operation, const uint8_t *mac,
                                    size_t mac_length)
{
    uint8_t full[MAC_MAX_LENGTH];
    psa_status_t status;
    mac_op_t *op = mac_op_active(operation, &status);
    if (op == NULL) {
        return status;
    }
    if (op->is_sign) {
        return mac_op_fail(op, PSA_ERROR_BAD_STATE);
    }
    status = mac_op_final(op, full);
    if (status == PSA_SUCCESS &&
        (mac_length != op->spec.length || CRYPTO_memcmp(full, mac, op->spec.length) != 0)) {
        status = PSA_ERROR_INVALID_SIGNATURE;
    }
    OPENSSL_cleanse(full, sizeof(full));
    if (status != PSA_SUCCESS) {
        return mac_op_fail(op, status);
    }
    return core_mac_abort(operation);
}
